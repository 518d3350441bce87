package offer

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Date is a calendar day without time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("want a date like 2026-12-31, got %q", s)
	}
	return DateOf(t), nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// Time is the start of the day in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Range is an opening time on one weekday, minutes after midnight.
type Range struct {
	Weekday     int // 1 = Monday … 7 = Sunday (ISO)
	Open, Close int
}

// Hours are the weekly opening times, sorted by weekday and time.
type Hours []Range

// weekdayKeys are the names of the weekdays in the file formats.
var weekdayKeys = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// WeekdayKey is "mon" for 1 … "sun" for 7.
func WeekdayKey(d int) string { return weekdayKeys[d-1] }

// WeekdayFromKey reads "mon" … "sun" (also "mo", "di", German short names).
func WeekdayFromKey(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, k := range weekdayKeys {
		if s == k {
			return i + 1, true
		}
	}
	for i, k := range []string{"mo", "di", "mi", "do", "fr", "sa", "so"} {
		if s == k {
			return i + 1, true
		}
	}
	return 0, false
}

// ParseRange reads "09:00-12:30" for weekday d.
func ParseRange(d int, s string) (Range, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		a, b, ok = strings.Cut(strings.TrimSpace(s), "–")
	}
	if !ok {
		return Range{}, fmt.Errorf("want a time range like 09:00-12:30, got %q", s)
	}
	open, err1 := parseClock(a)
	closeAt, err2 := parseClock(b)
	if err1 != nil || err2 != nil {
		return Range{}, fmt.Errorf("want a time range like 09:00-12:30, got %q", s)
	}
	if closeAt <= open {
		return Range{}, fmt.Errorf("range %q closes before it opens", s)
	}
	return Range{Weekday: d, Open: open, Close: closeAt}, nil
}

func parseClock(s string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return h*60 + m, nil
}

// Clock formats minutes after midnight as 09:30.
func Clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

func (r Range) String() string { return Clock(r.Open) + "-" + Clock(r.Close) }

// Sort orders the ranges and reports overlapping ones as an error.
func (h Hours) Sort() error {
	sort.Slice(h, func(i, j int) bool {
		if h[i].Weekday != h[j].Weekday {
			return h[i].Weekday < h[j].Weekday
		}
		return h[i].Open < h[j].Open
	})
	for i := 1; i < len(h); i++ {
		if h[i].Weekday == h[i-1].Weekday && h[i].Open < h[i-1].Close {
			return fmt.Errorf("%s: %s overlaps %s", WeekdayKey(h[i].Weekday), h[i], h[i-1])
		}
	}
	return nil
}

// Day returns the ranges of weekday d.
func (h Hours) Day(d int) []Range {
	var out []Range
	for _, r := range h {
		if r.Weekday == d {
			out = append(out, r)
		}
	}
	return out
}

// String is the compact form used in CSV: "mon 09:00-12:00 13:00-16:00; wed 10:00-12:00".
func (h Hours) String() string {
	var parts []string
	for d := 1; d <= 7; d++ {
		rs := h.Day(d)
		if len(rs) == 0 {
			continue
		}
		p := WeekdayKey(d)
		for _, r := range rs {
			p += " " + r.String()
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// ParseHours reads the compact form of String.
func ParseHours(s string) (Hours, error) {
	var h Hours
	for _, part := range strings.Split(s, ";") {
		f := strings.Fields(strings.ReplaceAll(part, ",", " "))
		if len(f) == 0 {
			continue
		}
		d, ok := WeekdayFromKey(f[0])
		if !ok {
			return nil, fmt.Errorf("unknown weekday %q (want mon … sun)", f[0])
		}
		if len(f) == 1 {
			return nil, fmt.Errorf("%s has no time range", f[0])
		}
		for _, rs := range f[1:] {
			r, err := ParseRange(d, rs)
			if err != nil {
				return nil, err
			}
			h = append(h, r)
		}
	}
	return h, h.Sort()
}

// isoWeekday is 1 for Monday … 7 for Sunday.
func isoWeekday(t time.Time) int {
	if wd := int(t.Weekday()); wd != 0 {
		return wd
	}
	return 7
}

// OpenState is what "open now / next open" says at a moment.
type OpenState struct {
	Known    bool      // there are opening hours at all
	Open     bool      // open now
	Until    time.Time // when it closes, if open
	NextOpen time.Time // when it opens next, if closed (zero: never within a week)
}

// State computes the open state at now in loc (the city's time zone,
// Europe/Berlin): across midnight, weekends and daylight-saving changes,
// since each candidate day is built from the calendar, not by adding hours.
func (h Hours) State(now time.Time, loc *time.Location) OpenState {
	if len(h) == 0 {
		return OpenState{}
	}
	now = now.In(loc)
	st := OpenState{Known: true}
	y, m, d := now.Date()
	for add := 0; add <= 7; add++ {
		day := time.Date(y, m, d+add, 0, 0, 0, 0, loc)
		for _, r := range h.Day(isoWeekday(day)) {
			open := time.Date(day.Year(), day.Month(), day.Day(), r.Open/60, r.Open%60, 0, 0, loc)
			closeAt := time.Date(day.Year(), day.Month(), day.Day(), r.Close/60, r.Close%60, 0, 0, loc)
			if !now.Before(open) && now.Before(closeAt) {
				st.Open, st.Until = true, closeAt
				return st
			}
			if open.After(now) {
				st.NextOpen = open
				return st
			}
		}
	}
	return st
}
