package locale_test

import (
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/locale"
)

// Every shipped locale has its own weekday and month names: a date in
// German inside an Arabic message would be a bug.
func TestDateNamesAreComplete(t *testing.T) {
	c := load(t)
	de, en := c.Localizer("de"), c.Localizer("en")
	for _, lang := range locale.Supported {
		l := c.Localizer(lang)
		wd, mo := map[string]bool{}, map[string]bool{}
		for d := 0; d < 7; d++ {
			day := time.Date(2026, 11, 29+d, 10, 0, 0, 0, time.UTC) // Sunday 29 November onwards
			name := l.Weekday(day.Weekday())
			if strings.TrimSpace(name) == "" || wd[name] {
				t.Errorf("%s: weekday %v missing or repeated: %q", lang, day.Weekday(), name)
			}
			wd[name] = true
			if lang != "en" && name == en.Weekday(day.Weekday()) {
				t.Errorf("%s: weekday %v is the English %q", lang, day.Weekday(), name)
			}
			if lang != "de" && name == de.Weekday(day.Weekday()) {
				t.Errorf("%s: weekday %v is the German %q", lang, day.Weekday(), name)
			}
		}
		for m := 1; m <= 12; m++ {
			day := time.Date(2026, time.Month(m), 15, 10, 0, 0, 0, time.UTC)
			long := l.Date(day)
			if !strings.Contains(long, "15") || !strings.Contains(long, "2026") || !strings.Contains(long, l.Weekday(day.Weekday())) {
				t.Errorf("%s: date %q lacks day, year or weekday", lang, long)
			}
			mo[long] = true
			if dt := l.DateTime(day); !strings.Contains(dt, "10:00") || !strings.Contains(dt, "15") {
				t.Errorf("%s: date and time %q", lang, dt)
			}
			if r := l.DateTimeRange(day, day.Add(45*time.Minute)); !strings.Contains(r, "10:00") || !strings.Contains(r, "10:45") || !strings.Contains(r, "2026") {
				t.Errorf("%s: date and time range %q", lang, r)
			}
			if dm := l.DayMonth(day); !strings.Contains(dm, "15") || strings.Contains(dm, "2026") {
				t.Errorf("%s: day and month %q", lang, dm)
			}
		}
		if len(mo) != 12 {
			t.Errorf("%s: month names repeat", lang)
		}
	}
}

func TestDateFormats(t *testing.T) {
	c := load(t)
	tue := time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)
	for lang, want := range map[string]string{
		"de": "Dienstag, 1. Dezember 2026, 10:30 Uhr",
		"en": "Tuesday 1 December 2026, 10:30",
		"ar": "الثلاثاء، 1 ديسمبر 2026، الساعة 10:30",
		"uk": "вівторок, 1 грудня 2026 р., о 10:30",
		"ru": "вторник, 1 декабря 2026 г., в 10:30",
		"tr": "1 Aralık 2026 Salı, saat 10:30",
		"vi": "Thứ Ba, ngày 1 tháng 12 năm 2026, lúc 10:30",
	} {
		if got := c.Localizer(lang).DateTime(tue); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := c.Localizer("de").DateTimeRange(tue, tue.Add(45*time.Minute)); got != "Dienstag, 1. Dezember 2026, 10:30–11:15 Uhr" {
		t.Errorf("de range: %q", got)
	}
	if got := c.Localizer("ar").DateTimeRange(tue, tue.Add(45*time.Minute)); got != "الثلاثاء، 1 ديسمبر 2026، الساعة 10:30–11:15" {
		t.Errorf("ar range: %q", got)
	}
	if got := c.Localizer("uk").DateTimeRange(tue, tue.Add(45*time.Minute)); got != "вівторок, 1 грудня 2026 р., з 10:30 до 11:15" {
		t.Errorf("uk range: %q", got)
	}
	if got := c.Localizer("de").DayMonth(tue); got != "Di 1. Dezember" {
		t.Errorf("de day and month: %q", got)
	}
	if got := locale.Clock(tue); got != "10:30" {
		t.Errorf("clock %q", got)
	}
}
