package calendar_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/netzbot/netzbot/internal/calendar"
)

func TestICSHasLocalTimesWithTZIDAndATimezone(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct {
		start   time.Time
		dtstart string
	}{
		{time.Date(2026, 3, 28, 10, 0, 0, 0, berlin), "20260328T100000"}, // the day before clocks go forward
		{time.Date(2026, 3, 30, 10, 0, 0, 0, berlin), "20260330T100000"}, // the day after
		{time.Date(2026, 10, 26, 10, 0, 0, 0, berlin), "20261026T100000"},
	} {
		data := calendar.ICS(berlin, calendar.Event{
			UID: "booking-42@netzbot", Summary: "Beratung, Termin; Raum 1", Description: "Zeile 1\nZeile 2",
			Location: "Anger 52, 99084 Erfurt", Start: tc.start, End: tc.start.Add(45 * time.Minute), Created: tc.start.Add(-72 * time.Hour),
		})
		text := string(data)
		if !strings.Contains(text, "DTSTART;TZID=Europe/Berlin:"+tc.dtstart+"\r\n") {
			t.Errorf("%v: no local DTSTART with TZID:\n%s", tc.start, text)
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%v: does not parse: %v", tc.start, err)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		start, err := evs[0].GetStartAt()
		if err != nil || !start.Equal(tc.start) {
			t.Errorf("DTSTART parses as %v (%v), want %v", start, err, tc.start)
		}
		end, err := evs[0].GetEndAt()
		if err != nil || end.Sub(start) != 45*time.Minute {
			t.Errorf("DTEND %v %v", end, err)
		}
		if p := evs[0].GetProperty(ics.ComponentPropertySummary); p == nil || p.Value != "Beratung, Termin; Raum 1" {
			t.Errorf("summary %+v", p)
		}
		tzs := cal.Timezones()
		if len(tzs) != 1 || !strings.Contains(text, "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200") || !strings.Contains(text, "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100") {
			t.Errorf("VTIMEZONE missing or without both transitions:\n%s", text)
		}
		// The spring change is at 02:00 local standard time on the last Sunday of March.
		if !strings.Contains(text, "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000") || !strings.Contains(text, "BEGIN:STANDARD\r\nDTSTART:20261025T030000") {
			t.Errorf("transitions at the wrong local times:\n%s", text)
		}
		for _, line := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
			if len(line) > 75 {
				t.Errorf("line not folded at 75 octets: %q", line)
			}
		}
	}
}

func TestICSInUTC(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	text := string(calendar.ICS(time.UTC, calendar.Event{UID: "x@netzbot", Summary: "S", Start: start, End: start.Add(time.Hour), Created: start}))
	if !strings.Contains(text, "DTSTART:20261201T090000Z") || strings.Contains(text, "VTIMEZONE") {
		t.Errorf("UTC calendar:\n%s", text)
	}
}
