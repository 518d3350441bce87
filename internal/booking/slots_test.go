package booking_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/booking"
)

var berlin = mustLoad("Europe/Berlin")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func at(s string) time.Time { // "2026-03-27 10:00" Berlin time
	t, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
	if err != nil {
		panic(err)
	}
	return t
}

func date(s string) booking.Date {
	d, err := booking.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func clock(s string) booking.Clock {
	c, err := booking.ParseClock(s)
	if err != nil {
		panic(err)
	}
	return c
}

func rule(wd time.Weekday, from, to string) booking.Rule {
	return booking.Rule{Weekday: wd, From: clock(from), To: clock(to)}
}

func everyDay(from, to string) []booking.Rule {
	var out []booking.Rule
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		out = append(out, rule(wd, from, to))
	}
	return out
}

// show renders slots as "Mon 2026-03-30 10:00+02:00 c1", local time with
// the offset, so both the wall clock and the instant are checked.
func show(slots []booking.Slot) []string {
	var out []string
	for _, s := range slots {
		out = append(out, fmt.Sprintf("%s c%d", s.Start.In(berlin).Format("Mon 2006-01-02 15:04-07:00"), s.CounsellorID))
	}
	return out
}

func policy() booking.Policy {
	p := booking.DefaultPolicy(berlin)
	return p
}

func TestSlots(t *testing.T) {
	svc60 := booking.Service{ID: 1, Duration: time.Hour, Languages: []string{"de"}}
	svc45 := booking.Service{ID: 2, Duration: 45 * time.Minute, Languages: []string{"de"}}
	c1 := booking.Counsellor{ID: 1, Rules: []booking.Rule{rule(time.Monday, "09:00", "12:00")}}

	tests := []struct {
		name        string
		svc         booking.Service
		a           booking.Availability
		now         string
		first, last string
		policy      func(*booking.Policy)
		want        []string
	}{
		{
			name: "weekly rule cut into slots",
			svc:  svc60, a: booking.Availability{Counsellors: []booking.Counsellor{c1}},
			now: "2026-06-01 07:00", first: "2026-06-01", last: "2026-06-08",
			want: []string{
				"Mon 2026-06-01 09:00+02:00 c1", "Mon 2026-06-01 10:00+02:00 c1", "Mon 2026-06-01 11:00+02:00 c1",
				"Mon 2026-06-08 09:00+02:00 c1", "Mon 2026-06-08 10:00+02:00 c1", "Mon 2026-06-08 11:00+02:00 c1",
			},
		},
		{
			name: "buffer after each appointment; a slot that does not fit is dropped",
			svc:  svc45,
			a:    booking.Availability{Counsellors: []booking.Counsellor{{ID: 1, Buffer: 15 * time.Minute, Rules: []booking.Rule{rule(time.Monday, "09:00", "12:00")}}}},
			now:  "2026-06-01 07:00", first: "2026-06-01", last: "2026-06-01",
			want: []string{"Mon 2026-06-01 09:00+02:00 c1", "Mon 2026-06-01 10:00+02:00 c1", "Mon 2026-06-01 11:00+02:00 c1"},
		},
		{
			name: "minimum notice of 2 h",
			svc:  svc60, a: booking.Availability{Counsellors: []booking.Counsellor{c1}},
			now: "2026-06-01 08:01", first: "2026-06-01", last: "2026-06-01",
			want: []string{"Mon 2026-06-01 11:00+02:00 c1"},
		},
		{
			name: "minimum notice exactly met",
			svc:  svc60, a: booking.Availability{Counsellors: []booking.Counsellor{c1}},
			now: "2026-06-01 08:00", first: "2026-06-01", last: "2026-06-01",
			want: []string{"Mon 2026-06-01 10:00+02:00 c1", "Mon 2026-06-01 11:00+02:00 c1"},
		},
		{
			name: "horizon: today + 7 days, asked for more",
			svc:  svc60, a: booking.Availability{Counsellors: []booking.Counsellor{c1}},
			now: "2026-06-01 13:00", first: "2026-05-01", last: "2026-07-01",
			policy: func(p *booking.Policy) { p.HorizonDays = 7 },
			want:   []string{"Mon 2026-06-08 09:00+02:00 c1", "Mon 2026-06-08 10:00+02:00 c1", "Mon 2026-06-08 11:00+02:00 c1"},
		},
		{
			name: "absence of a whole day, holiday for everyone, partial absence, extra hours",
			svc:  svc60,
			a: booking.Availability{
				Counsellors: []booking.Counsellor{{ID: 1, Rules: everyDay("09:00", "11:00")}, {ID: 2, Rules: everyDay("09:00", "10:00")}},
				Exceptions: []booking.Exception{
					{CounsellorID: 1, Day: date("2026-06-02"), AllDay: true, Kind: booking.Absent},
					{CounsellorID: 0, Day: date("2026-06-03"), AllDay: true, Kind: booking.Absent},
					{CounsellorID: 1, Day: date("2026-06-04"), From: clock("09:30"), To: clock("10:00"), Kind: booking.Absent},
					{CounsellorID: 2, Day: date("2026-06-04"), From: clock("14:00"), To: clock("15:00"), Kind: booking.Extra},
					{CounsellorID: 2, Day: date("2026-06-02"), From: clock("10:00"), To: clock("11:00"), Kind: booking.Extra}, // joins the rule
				},
			},
			now: "2026-06-01 20:00", first: "2026-06-02", last: "2026-06-04",
			want: []string{
				"Tue 2026-06-02 09:00+02:00 c2", "Tue 2026-06-02 10:00+02:00 c2",
				"Thu 2026-06-04 09:00+02:00 c2", "Thu 2026-06-04 10:00+02:00 c1", "Thu 2026-06-04 14:00+02:00 c2",
			},
		},
		{
			name: "busy times (bookings with buffer) are not free",
			svc:  svc60,
			a: booking.Availability{
				Counsellors: []booking.Counsellor{c1},
				Busy:        []booking.Busy{{CounsellorID: 1, Start: at("2026-06-01 09:30"), End: at("2026-06-01 10:15")}},
			},
			now: "2026-06-01 06:00", first: "2026-06-01", last: "2026-06-01",
			want: []string{"Mon 2026-06-01 11:00+02:00 c1"},
		},
		{
			name: "another counsellor's busy time does not matter",
			svc:  svc60,
			a: booking.Availability{
				Counsellors: []booking.Counsellor{c1},
				Busy:        []booking.Busy{{CounsellorID: 7, Start: at("2026-06-01 09:00"), End: at("2026-06-01 12:00")}},
			},
			now: "2026-06-01 06:00", first: "2026-06-01", last: "2026-06-01",
			want: []string{"Mon 2026-06-01 09:00+02:00 c1", "Mon 2026-06-01 10:00+02:00 c1", "Mon 2026-06-01 11:00+02:00 c1"},
		},
		{
			// Clocks go forward on Sunday 29 March 2026 at 02:00.
			name: "spring DST week: 10:00 stays 10:00 local, the offset changes",
			svc:  svc60, a: booking.Availability{Counsellors: []booking.Counsellor{{ID: 1, Rules: everyDay("10:00", "11:00")}}},
			now: "2026-03-26 07:00", first: "2026-03-26", last: "2026-04-01",
			want: []string{
				"Thu 2026-03-26 10:00+01:00 c1", "Fri 2026-03-27 10:00+01:00 c1", "Sat 2026-03-28 10:00+01:00 c1",
				"Sun 2026-03-29 10:00+02:00 c1", "Mon 2026-03-30 10:00+02:00 c1", "Tue 2026-03-31 10:00+02:00 c1",
				"Wed 2026-04-01 10:00+02:00 c1",
			},
		},
		{
			// Clocks go back on Sunday 25 October 2026 at 03:00.
			name: "autumn DST week: 10:00 stays 10:00 local, the offset changes",
			svc:  svc60, a: booking.Availability{Counsellors: []booking.Counsellor{{ID: 1, Rules: everyDay("10:00", "11:00")}}},
			now: "2026-10-22 07:00", first: "2026-10-22", last: "2026-10-28",
			want: []string{
				"Thu 2026-10-22 10:00+02:00 c1", "Fri 2026-10-23 10:00+02:00 c1", "Sat 2026-10-24 10:00+02:00 c1",
				"Sun 2026-10-25 10:00+01:00 c1", "Mon 2026-10-26 10:00+01:00 c1", "Tue 2026-10-27 10:00+01:00 c1",
				"Wed 2026-10-28 10:00+01:00 c1",
			},
		},
		{
			name: "minimum notice across the spring change counts real hours",
			svc:  svc60, a: booking.Availability{Counsellors: []booking.Counsellor{{ID: 1, Rules: everyDay("03:00", "06:00")}}},
			// 01:30 CET + 2 h = 04:30 CEST (the hour 02:00-03:00 does not exist)
			now: "2026-03-29 01:30", first: "2026-03-29", last: "2026-03-29",
			want: []string{"Sun 2026-03-29 05:00+02:00 c1"},
		},
		{
			name: "night opening over the spring change has no slot in the missing hour",
			svc:  svc60, a: booking.Availability{Counsellors: []booking.Counsellor{{ID: 1, Rules: []booking.Rule{rule(time.Sunday, "01:00", "04:00")}}}},
			now: "2026-03-20 12:00", first: "2026-03-29", last: "2026-03-29",
			want: []string{"Sun 2026-03-29 01:00+01:00 c1", "Sun 2026-03-29 03:00+02:00 c1"},
		},
		{
			name: "minimum notice across the autumn change counts real hours",
			svc:  svc60, a: booking.Availability{Counsellors: []booking.Counsellor{{ID: 1, Rules: everyDay("03:00", "06:00")}}},
			// 01:30 CEST + 2 h = 02:30 CET
			now: "2026-10-25 01:30", first: "2026-10-25", last: "2026-10-25",
			want: []string{"Sun 2026-10-25 03:00+01:00 c1", "Sun 2026-10-25 04:00+01:00 c1", "Sun 2026-10-25 05:00+01:00 c1"},
		},
		{
			name: "several counsellors sorted by time, then counsellor",
			svc:  svc60,
			a: booking.Availability{Counsellors: []booking.Counsellor{
				{ID: 2, Rules: []booking.Rule{rule(time.Monday, "09:00", "11:00")}},
				{ID: 1, Rules: []booking.Rule{rule(time.Monday, "10:00", "11:00")}},
			}},
			now: "2026-06-01 06:00", first: "2026-06-01", last: "2026-06-01",
			want: []string{"Mon 2026-06-01 09:00+02:00 c2", "Mon 2026-06-01 10:00+02:00 c1", "Mon 2026-06-01 10:00+02:00 c2"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := policy()
			if tc.policy != nil {
				tc.policy(&p)
			}
			got := show(booking.Slots(tc.svc, tc.a, p, at(tc.now), date(tc.first), date(tc.last)))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("slots:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tc.want, "\n     "))
			}
		})
	}
}

func TestSlotEndsAreDurationAfterStartsAcrossDST(t *testing.T) {
	svc := booking.Service{ID: 1, Duration: 45 * time.Minute}
	a := booking.Availability{Counsellors: []booking.Counsellor{{ID: 1, Rules: everyDay("00:00", "24:00")}}}
	p := policy()
	p.MinNotice = time.Minute
	for _, now := range []string{"2026-03-28 00:00", "2026-10-24 00:00"} {
		slots := booking.Slots(svc, a, p, at(now), date(now[:10]), date(now[:10]).AddDays(2))
		for i, s := range slots {
			if s.End.Sub(s.Start) != 45*time.Minute {
				t.Fatalf("%s: slot %v lasts %v", now, s.Start, s.End.Sub(s.Start))
			}
			if i > 0 && s.Start.Before(slots[i-1].End) {
				t.Fatalf("%s: slots overlap: %v and %v", now, slots[i-1].Start, s.Start)
			}
		}
	}
}

func TestFirstPerStartAndCandidates(t *testing.T) {
	svc := booking.Service{ID: 1, Duration: time.Hour}
	a := booking.Availability{
		Counsellors: []booking.Counsellor{{ID: 1, Rules: []booking.Rule{rule(time.Monday, "09:00", "11:00")}}, {ID: 2, Rules: []booking.Rule{rule(time.Monday, "09:00", "10:00")}}},
		Busy:        []booking.Busy{{CounsellorID: 1, Start: at("2026-06-01 09:00"), End: at("2026-06-01 10:00")}},
	}
	p := policy()
	free := booking.FirstPerStart(booking.Slots(svc, a, p, at("2026-06-01 06:00"), date("2026-06-01"), date("2026-06-01")))
	if got := strings.Join(show(free), ","); got != "Mon 2026-06-01 09:00+02:00 c2,Mon 2026-06-01 10:00+02:00 c1" {
		t.Errorf("first per start: %s", got)
	}
	if n := len(booking.Candidates(svc, a, p, at("2026-06-01 06:00"), date("2026-06-01"), date("2026-06-01"))); n != 3 {
		t.Errorf("candidates include busy slots: got %d, want 3", n)
	}
}

func TestDateAndClock(t *testing.T) {
	if d := date("2026-12-31").AddDays(1); d != date("2027-01-01") {
		t.Errorf("AddDays: %v", d)
	}
	if n := date("2026-03-28").DaysUntil(date("2026-04-02")); n != 5 {
		t.Errorf("DaysUntil across DST: %d", n)
	}
	if wd := date("2026-03-29").Weekday(); wd != time.Sunday {
		t.Errorf("weekday %v", wd)
	}
	for _, bad := range []string{"9", "25:00", "10:60", "24:30", "x", "10:5", "-1:00"} {
		if _, err := booking.ParseClock(bad); err == nil {
			t.Errorf("ParseClock(%q) accepted", bad)
		}
	}
	if c := clock("24:00"); date("2026-06-01").At(c, berlin) != at("2026-06-02 00:00") {
		t.Errorf("24:00 is the end of the day")
	}
	if d, err := booking.ParseCompactDate("20260329"); err != nil || d != date("2026-03-29") || d.Compact() != "20260329" {
		t.Errorf("compact date: %v %v", d, err)
	}
	if _, err := booking.ParseCompactDate("2026032"); err == nil {
		t.Error("short compact date accepted")
	}
}

func TestReminderNotices(t *testing.T) {
	p := policy()
	b := booking.Booking{ID: 42, ClientID: 7, Start: at("2026-03-30 10:00")}
	// Booked Saturday 09:00: the 24 h reminder is due Sunday 10:00 CEST, 23 real hours later.
	ns := p.ReminderNotices(b, at("2026-03-28 09:00"))
	if len(ns) != 2 || ns[0].Key != "booking:42:reminder:24h" || ns[1].Key != "booking:42:reminder:1h" {
		t.Fatalf("reminders: %+v", ns)
	}
	if !ns[0].DueAt.Equal(b.Start.Add(-24*time.Hour)) || !ns[1].DueAt.Equal(at("2026-03-30 09:00")) || !ns[0].ExpiresAt.Equal(b.Start) {
		t.Errorf("due times: %v %v", ns[0].DueAt, ns[1].DueAt)
	}
	// Booked 3 h before: only the 1 h reminder is still ahead.
	if ns := p.ReminderNotices(b, at("2026-03-30 07:00")); len(ns) != 1 || ns[0].Key != "booking:42:reminder:1h" {
		t.Errorf("late booking reminders: %+v", ns)
	}
	p.Reminders = []time.Duration{90 * time.Minute, 30 * time.Minute}
	if ns := p.ReminderNotices(b, at("2026-03-28 09:00")); ns[0].Key != "booking:42:reminder:1h30m" || ns[1].Key != "booking:42:reminder:30m" {
		t.Errorf("configured reminders: %+v", ns)
	}
}
