// Package calendar writes appointments as iCalendar files (RFC 5545) with
// github.com/arran4/golang-ical, for the .ics a client gets with a booking.
//
// Start and end are written in local time with TZID (e.g. Europe/Berlin),
// and the calendar carries a VTIMEZONE for that zone derived from Go's
// zone database, with the daylight-saving transitions around the event,
// so calendar apps show the same wall-clock time as the bot on both sides
// of a DST change.
package calendar

import (
	"bytes"
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"
)

// Event is one appointment.
type Event struct {
	UID         string // stable, e.g. "booking-42@netzbot"
	Summary     string
	Description string
	Location    string
	URL         string
	Start, End  time.Time
	Created     time.Time // DTSTAMP
	Cancelled   bool
	Sequence    int
}

const localFormat = "20060102T150405"

// ICS renders the events as one calendar in the time zone loc.
func ICS(loc *time.Location, events ...Event) []byte {
	cal := ics.NewCalendarFor("netzbot")
	cal.SetMethod(ics.MethodPublish)
	tzid := loc.String()
	if tzid == "UTC" || tzid == "" || tzid == "Local" {
		loc, tzid = time.UTC, ""
	}
	if tzid != "" && len(events) > 0 {
		addTimezone(cal, loc, events[0].Start)
	}
	for _, e := range events {
		ev := cal.AddEvent(e.UID)
		ev.SetDtStampTime(e.Created)
		if tzid == "" {
			ev.SetStartAt(e.Start)
			ev.SetEndAt(e.End)
		} else {
			ev.SetProperty(ics.ComponentPropertyDtStart, e.Start.In(loc).Format(localFormat), ics.WithTZID(tzid))
			ev.SetProperty(ics.ComponentPropertyDtEnd, e.End.In(loc).Format(localFormat), ics.WithTZID(tzid))
		}
		ev.SetSequence(e.Sequence)
		ev.SetSummary(e.Summary)
		if e.Description != "" {
			ev.SetDescription(e.Description)
		}
		if e.Location != "" {
			ev.SetLocation(e.Location)
		}
		if e.URL != "" {
			ev.SetURL(e.URL)
		}
		if e.Cancelled {
			ev.SetStatus(ics.ObjectStatusCancelled)
		} else {
			ev.SetStatus(ics.ObjectStatusConfirmed)
		}
	}
	var buf bytes.Buffer
	_ = cal.SerializeTo(&buf, ics.WithNewLineWindows) // RFC 5545: CRLF
	return buf.Bytes()
}

// addTimezone adds a VTIMEZONE for loc with every offset change in the
// year before through the year after around, as observances with the
// local time of each change (RFC 5545, 3.6.5).
func addTimezone(cal *ics.Calendar, loc *time.Location, around time.Time) {
	tz := cal.AddTimezone(loc.String())
	year := around.In(loc).Year()
	from := time.Date(year-1, 1, 1, 0, 0, 0, 0, loc)
	to := time.Date(year+2, 1, 1, 0, 0, 0, 0, loc)
	_, first := from.Zone()
	changes := transitions(loc, from, to)
	if len(changes) == 0 {
		name, off := from.Zone()
		obs := &ics.Standard{}
		obs.SetProperty(ics.ComponentPropertyDtStart, from.Format(localFormat))
		obs.SetProperty(ics.ComponentProperty("TZOFFSETFROM"), offset(off))
		obs.SetProperty(ics.ComponentProperty("TZOFFSETTO"), offset(off))
		obs.SetProperty(ics.ComponentProperty("TZNAME"), name)
		tz.Components = append(tz.Components, obs)
		return
	}
	prev := first
	for _, at := range changes {
		name, off := at.Zone()
		// DTSTART is the local time of the change as read before it.
		start := at.In(time.FixedZone("", prev)).Format(localFormat)
		var comp ics.Component
		props := [][2]string{{"DTSTART", start}, {"TZOFFSETFROM", offset(prev)}, {"TZOFFSETTO", offset(off)}, {"TZNAME", name}}
		if off > prev || isDST(loc, at) {
			d := &ics.Daylight{}
			for _, p := range props {
				d.SetProperty(ics.ComponentProperty(p[0]), p[1])
			}
			comp = d
		} else {
			s := &ics.Standard{}
			for _, p := range props {
				s.SetProperty(ics.ComponentProperty(p[0]), p[1])
			}
			comp = s
		}
		tz.Components = append(tz.Components, comp)
		prev = off
	}
}

// transitions finds the instants in [from, to) at which loc's offset
// changes, to the second.
func transitions(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	step := 24 * time.Hour
	for t := from; t.Before(to); t = t.Add(step) {
		_, a := t.In(loc).Zone()
		_, b := t.Add(step).In(loc).Zone()
		if a == b {
			continue
		}
		lo, hi := t, t.Add(step)
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2)
			if _, m := mid.In(loc).Zone(); m == a {
				lo = mid
			} else {
				hi = mid
			}
		}
		out = append(out, hi.Truncate(time.Second).In(loc))
	}
	return out
}

// isDST guesses whether the offset at t is summer time: larger than the
// offset half a year away.
func isDST(loc *time.Location, t time.Time) bool {
	_, now := t.In(loc).Zone()
	_, other := t.AddDate(0, 6, 0).In(loc).Zone()
	return now > other
}

func offset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	return fmt.Sprintf("%s%02d%02d", sign, seconds/3600, seconds%3600/60)
}
