package meeting_test

import (
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/meeting"
)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestSecondTuesdayOfTheMonth(t *testing.T) {
	loc := berlin(t)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	want := []string{"2026-01-13", "2026-02-10", "2026-03-10", "2026-04-14", "2026-05-12"}
	for _, spec := range []string{"0 14 * * TUE#2", "0 14 8-14 * TUE", "0 14 * * 2#2"} {
		r, err := meeting.ParseRule(spec, loc)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		got := r.Between(from, from.AddDate(0, 5, 0), 10)
		if len(got) != len(want) {
			t.Fatalf("%s: %d dates %v", spec, len(got), got)
		}
		for i, g := range got {
			if g.In(loc).Format("2006-01-02 15:04") != want[i]+" 14:00" {
				t.Errorf("%s: date %d = %s, want %s 14:00", spec, i, g.In(loc), want[i])
			}
		}
	}
}

func TestWeeklyRuleKeepsLocalTimeAcrossDST(t *testing.T) {
	loc := berlin(t)
	// Monday 23 March 2026, 09:00 CET; the clocks go forward on 29 March.
	start := time.Date(2026, 3, 23, 9, 0, 0, 0, loc)
	m := &meeting.Meeting{Start: start, Recurrence: meeting.WeeklyRule(start, loc)}
	starts, err := meeting.Starts(m, loc, start, start.AddDate(0, 0, 14))
	if err != nil || len(starts) != 3 {
		t.Fatalf("starts %v %v", starts, err)
	}
	for i, wantUTC := range []int{8, 7, 7} { // 09:00 CET, then 09:00 CEST
		if s := starts[i]; s.In(loc).Hour() != 9 || s.UTC().Hour() != wantUTC {
			t.Errorf("occurrence %d at %s (%s UTC), want 09:00 local", i, s.In(loc), s.UTC())
		}
	}
}

func TestMonthlyRuleAndNth(t *testing.T) {
	loc := berlin(t)
	start := time.Date(2026, 4, 14, 14, 0, 0, 0, loc) // second Tuesday
	rule, ok := meeting.MonthlyRule(start, loc)
	if !ok || rule != "0 14 * * 2#2" {
		t.Fatalf("rule %q %v", rule, ok)
	}
	if _, ok := meeting.MonthlyRule(time.Date(2026, 3, 31, 14, 0, 0, 0, loc), loc); ok {
		t.Error("a fifth Tuesday got a monthly rule")
	}
}

func TestBadRules(t *testing.T) {
	loc := berlin(t)
	for _, spec := range []string{"", "@every 1h", "TZ=UTC 0 14 * * *", "0 14 * * TUE#6", "0 14 1 * TUE#2", "61 * * * *", "* * * * * *"} {
		if _, err := meeting.ParseRule(spec, loc); err == nil {
			t.Errorf("%q accepted", spec)
		}
	}
}

func TestReminderDueAcrossDST(t *testing.T) {
	loc := berlin(t)
	for _, tc := range []struct {
		name  string
		start time.Time
		lead  int
		want  time.Time
	}{
		// Monday after the spring change, 09:00 CEST = 07:00 UTC.
		{"march 1d", time.Date(2026, 3, 30, 9, 0, 0, 0, loc), 1440, time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC)},
		{"march 7d", time.Date(2026, 3, 30, 9, 0, 0, 0, loc), 7 * 1440, time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC)},
		{"march 2h", time.Date(2026, 3, 30, 9, 0, 0, 0, loc), 120, time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC)},
		// Monday after the autumn change, 09:00 CET = 08:00 UTC.
		{"october 1d", time.Date(2026, 10, 26, 9, 0, 0, 0, loc), 1440, time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC)},
		{"october 7d", time.Date(2026, 10, 26, 9, 0, 0, 0, loc), 7 * 1440, time.Date(2026, 10, 19, 7, 0, 0, 0, time.UTC)},
		{"october 2h", time.Date(2026, 10, 26, 9, 0, 0, 0, loc), 120, time.Date(2026, 10, 26, 6, 0, 0, 0, time.UTC)},
	} {
		got := meeting.ReminderDue(tc.start, tc.lead, loc)
		if !got.Equal(tc.want) {
			t.Errorf("%s: due %s, want %s", tc.name, got.UTC(), tc.want)
		}
		if tc.lead%1440 == 0 && got.In(loc).Hour() != 9 {
			t.Errorf("%s: a day-based reminder at %s local, want 09:00", tc.name, got.In(loc))
		}
	}
}

func TestReminderKeyIsUniquePerOccurrenceRevisionMemberLead(t *testing.T) {
	a := meeting.ReminderKey(1, 1, 42, 1440)
	for _, other := range []string{meeting.ReminderKey(1, 2, 42, 1440), meeting.ReminderKey(1, 1, 43, 1440), meeting.ReminderKey(1, 1, 42, 120), meeting.ReminderKey(11, 1, 42, 1440)} {
		if other == a {
			t.Errorf("keys collide: %s", a)
		}
	}
	if !strings.HasPrefix(a, "meeting:1:") {
		t.Errorf("key %s", a)
	}
}

func TestParseImport(t *testing.T) {
	loc := berlin(t)
	f := `
groups:
  - id: ag-sprache
    name: {de: AG Sprache, en: Language group}
    ends_on: 2026-12-31
    approval: true
meetings:
  - id: nt-1
    title: Netzwerktreffen
    organisation: buero
    start: 2026-04-21 14:00
    duration: 2h
    venue: Rathaus
    registration_deadline: 2026-04-14 12:00
    reminders: [1d, 7d, 2h]
  - id: ag-1
    title: {de: AG Sprache, uk: Мовна група}
    group: ag-sprache
    start: 2026-04-14 14:00
    repeat: "0 14 * * TUE#2"
    until: 2026-12-31
    online: https://meet.example.org/ag
    registration_closes: 48h
`
	imp, err := meeting.ParseImport(strings.NewReader(f), loc)
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Groups) != 1 || !imp.Groups[0].NeedsApproval || imp.Groups[0].EndsOn.Day() != 31 {
		t.Errorf("groups %+v", imp.Groups)
	}
	m := imp.Meetings[0]
	if m.Title["de"] != "Netzwerktreffen" || m.Duration != 2*time.Hour || m.RegistrationBefore != 7*24*time.Hour+2*time.Hour {
		t.Errorf("meeting 0 %+v", m)
	}
	if got := m.LeadMinutes; len(got) != 3 || got[0] != 10080 || got[2] != 120 {
		t.Errorf("leads %v", got)
	}
	if g := imp.Meetings[1]; g.Group != "ag-sprache" || g.Recurrence == "" || g.RegistrationBefore != 48*time.Hour || g.Title["uk"] == "" {
		t.Errorf("meeting 1 %+v", g)
	}

	bad := `
meetings:
  - id: x
    title: ""
    start: tomorrow
    venue: ""
    unknown_field: 1
`
	if _, err := meeting.ParseImport(strings.NewReader(bad), loc); err == nil {
		t.Error("bad file accepted")
	}
}
