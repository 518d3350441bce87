package booking

import (
	"slices"
	"time"
)

// Availability is what slot generation needs to know about the
// counsellors of a service in a range of days.
type Availability struct {
	Counsellors []Counsellor // with their Rules
	Exceptions  []Exception  // of these counsellors, and holidays (CounsellorID 0)
	Busy        []Busy       // their active bookings and holds, buffers included
}

// Window is the range of days in which slots may be booked at now: today
// through today + HorizonDays, in the policy's time zone.
func (p Policy) Window(now time.Time) (first, last Date) {
	today := DateOf(now, p.Location)
	return today, today.AddDays(p.HorizonDays)
}

// Slots returns the free slots of svc on the days first through last,
// sorted by start and then counsellor: every counsellor's openings on each
// day (weekly rules plus extra hours, minus absences and holidays) cut into
// appointments of the service's length with the counsellor's buffer after
// each, without those that start earlier than MinNotice after now, lie
// beyond the horizon or collide with a busy time.
//
// Every wall-clock time is turned into an instant on its own date in the
// policy's time zone, so a 10:00 opening is at 10:00 local time on both
// sides of a daylight-saving change.
func Slots(svc Service, a Availability, p Policy, now time.Time, first, last Date) []Slot {
	return generate(svc, a, p, now, first, last, false)
}

// Candidates are the slots of svc as Slots computes them but including
// the busy ones: the grid a slot from a button must lie on.
func Candidates(svc Service, a Availability, p Policy, now time.Time, first, last Date) []Slot {
	return generate(svc, a, p, now, first, last, true)
}

func generate(svc Service, a Availability, p Policy, now time.Time, first, last Date, withBusy bool) []Slot {
	if svc.Duration <= 0 {
		return nil
	}
	p = p.WithDefaults()
	winFirst, winLast := p.Window(now)
	if first.Before(winFirst) {
		first = winFirst
	}
	if last.After(winLast) {
		last = winLast
	}
	earliest := now.Add(p.MinNotice)
	busy := map[int64][]Busy{}
	for _, b := range a.Busy {
		busy[b.CounsellorID] = append(busy[b.CounsellorID], b)
	}
	var out []Slot
	for _, c := range a.Counsellors {
		step := svc.Duration + c.Buffer
		for d := first; !d.After(last); d = d.AddDays(1) {
			for _, iv := range openings(c, d, a.Exceptions, p.Location) {
				for s := iv.start; !s.Add(svc.Duration).After(iv.end); s = s.Add(step) {
					if s.Before(earliest) {
						continue
					}
					e := s.Add(svc.Duration)
					if !withBusy && collides(busy[c.ID], s, e.Add(c.Buffer)) {
						continue
					}
					out = append(out, Slot{CounsellorID: c.ID, Start: s, End: e, Location: iv.location})
				}
			}
		}
	}
	slices.SortFunc(out, func(x, y Slot) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return cmpInt(x.CounsellorID, y.CounsellorID)
	})
	return out
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func collides(busy []Busy, start, end time.Time) bool {
	for _, b := range busy {
		if start.Before(b.End) && b.Start.Before(end) {
			return true
		}
	}
	return false
}

type interval struct {
	start, end time.Time
	location   string
}

// openings are the hours a counsellor works on day d: weekly rules and
// extra hours, merged, minus absences and holidays.
func openings(c Counsellor, d Date, exceptions []Exception, loc *time.Location) []interval {
	var ivs []interval
	wd := d.Weekday()
	for _, r := range c.Rules {
		if r.Weekday == wd && r.To > r.From {
			ivs = append(ivs, interval{d.At(r.From, loc), d.At(r.To, loc), r.Location})
		}
	}
	for _, e := range exceptions {
		if e.Kind == Extra && e.CounsellorID == c.ID && e.Day == d && e.To > e.From {
			ivs = append(ivs, interval{d.At(e.From, loc), d.At(e.To, loc), e.Location})
		}
	}
	ivs = merge(ivs)
	for _, e := range exceptions {
		if e.Kind != Absent || e.Day != d || (e.CounsellorID != 0 && e.CounsellorID != c.ID) {
			continue
		}
		if e.AllDay {
			return nil
		}
		ivs = subtract(ivs, d.At(e.From, loc), d.At(e.To, loc))
	}
	return ivs
}

// merge joins overlapping or touching intervals.
func merge(ivs []interval) []interval {
	if len(ivs) < 2 {
		return ivs
	}
	slices.SortFunc(ivs, func(a, b interval) int { return a.start.Compare(b.start) })
	out := []interval{ivs[0]}
	for _, iv := range ivs[1:] {
		cur := &out[len(out)-1]
		if !iv.start.After(cur.end) {
			if iv.end.After(cur.end) {
				cur.end = iv.end
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// subtract removes [from, to) from every interval.
func subtract(ivs []interval, from, to time.Time) []interval {
	var out []interval
	for _, iv := range ivs {
		if !from.Before(iv.end) || !iv.start.Before(to) { // no overlap
			out = append(out, iv)
			continue
		}
		if iv.start.Before(from) {
			out = append(out, interval{iv.start, from, iv.location})
		}
		if to.Before(iv.end) {
			out = append(out, interval{to, iv.end, iv.location})
		}
	}
	return out
}

// FirstPerStart keeps one slot per start time, the first in order (slots
// are sorted by start, then counsellor): what a client chooses from.
func FirstPerStart(slots []Slot) []Slot {
	var out []Slot
	for _, s := range slots {
		if n := len(out); n > 0 && out[n-1].Start.Equal(s.Start) {
			continue
		}
		out = append(out, s)
	}
	return out
}
