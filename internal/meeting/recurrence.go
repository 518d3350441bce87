package meeting

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// starBit is robfig/cron's marker of a field given as "*".
const starBit = 1 << 63

// Rule is a recurrence rule: a standard 5-field cron spec
// ("minute hour day-of-month month weekday") in the meetings' time zone,
// parsed with robfig/cron. Two extensions make the usual meeting rules
// writable:
//
//   - When both day of month and weekday are given, both must match (cron
//     would take either): "0 14 8-14 * TUE" is the second Tuesday.
//   - "TUE#2" in the weekday field means the second Tuesday of the month
//     (#1 … #5): "0 14 * * TUE#2".
//
// The rule only generates the occurrences, which are stored rows; reminders
// are never scheduled by cron (daylight saving skips and repeats wall-clock
// times).
type Rule struct {
	spec *cron.SpecSchedule
	both bool // day of month AND weekday
	loc  *time.Location
}

var ruleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseRule parses a rule for time zone loc.
func ParseRule(spec string, loc *time.Location) (*Rule, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("recurrence: empty rule")
	}
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "@every") {
		return nil, fmt.Errorf("recurrence %q: time zones and @every are not allowed; rules are in %s", spec, loc)
	}
	if f := strings.Fields(spec); len(f) == 5 && strings.Contains(f[4], "#") {
		day, nth, _ := strings.Cut(f[4], "#")
		n, err := strconv.Atoi(nth)
		if err != nil || n < 1 || n > 5 || strings.ContainsAny(day, ",-/*") || f[2] != "*" {
			return nil, fmt.Errorf("recurrence %q: write the n-th weekday as DAY#N (N 1-5) with * as day of month", spec)
		}
		f[2] = fmt.Sprintf("%d-%d", (n-1)*7+1, min(n*7, 31))
		f[4] = day
		spec = strings.Join(f, " ")
	}
	s, err := ruleParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("recurrence %q: %w", spec, err)
	}
	ss, ok := s.(*cron.SpecSchedule)
	if !ok {
		return nil, fmt.Errorf("recurrence %q: not a calendar rule", spec)
	}
	ss.Location = loc
	return &Rule{spec: ss, both: ss.Dom&starBit == 0 && ss.Dow&starBit == 0, loc: loc}, nil
}

// Next is the first time of the rule strictly after t, or zero if none
// within five years.
func (r *Rule) Next(t time.Time) time.Time {
	for i := 0; i < 400; i++ {
		t = r.spec.Next(t)
		if t.IsZero() || !r.both {
			return t
		}
		local := t.In(r.loc)
		if r.spec.Dom&(1<<uint(local.Day())) != 0 && r.spec.Dow&(1<<uint(local.Weekday())) != 0 {
			return t
		}
	}
	return time.Time{}
}

// Between lists the rule's times in [from, until], at most max.
func (r *Rule) Between(from, until time.Time, max int) []time.Time {
	var out []time.Time
	t := from.Add(-time.Second)
	for len(out) < max {
		t = r.Next(t)
		if t.IsZero() || t.After(until) {
			break
		}
		if !t.Before(from) {
			out = append(out, t)
		}
	}
	return out
}

// Starts lists the starts of m's occurrences from `from` up to the horizon
// (and m.RepeatUntil): m.Start alone for a single meeting.
func Starts(m *Meeting, loc *time.Location, from, horizon time.Time) ([]time.Time, error) {
	if !m.Recurring() {
		return []time.Time{m.Start}, nil
	}
	r, err := ParseRule(m.Recurrence, loc)
	if err != nil {
		return nil, err
	}
	until := horizon
	if !m.RepeatUntil.IsZero() && m.RepeatUntil.Before(until) {
		until = m.RepeatUntil
	}
	if from.Before(m.Start) {
		from = m.Start
	}
	return r.Between(from, until, MaxExpand), nil
}

// WeeklyRule is the rule "every week at start's weekday and time".
func WeeklyRule(start time.Time, loc *time.Location) string {
	t := start.In(loc)
	return fmt.Sprintf("%d %d * * %d", t.Minute(), t.Hour(), int(t.Weekday()))
}

// NthWeekday is which of its weekday in the month t is (1 for the first
// Tuesday, 2 for the second …).
func NthWeekday(t time.Time) int { return (t.Day()-1)/7 + 1 }

// MonthlyRule is the rule "every month on the n-th weekday of start, at its
// time" (e.g. the second Tuesday, 14:00). Fifth weekdays don't exist in
// every month; such a start gets no monthly rule (ok false).
func MonthlyRule(start time.Time, loc *time.Location) (string, bool) {
	t := start.In(loc)
	n := NthWeekday(t)
	if n > 4 {
		return "", false
	}
	return fmt.Sprintf("%d %d * * %d#%d", t.Minute(), t.Hour(), int(t.Weekday()), n), true
}

// ReminderDue is when a reminder lead minutes before start is due. Whole
// days are counted in calendar days of loc, so the reminder comes at the
// meeting's local time of day also across a daylight-saving change; shorter
// leads are exact durations.
func ReminderDue(start time.Time, lead int, loc *time.Location) time.Time {
	if lead%1440 == 0 {
		return start.In(loc).AddDate(0, 0, -lead/1440)
	}
	return start.Add(-time.Duration(lead) * time.Minute)
}

// ReminderKey is the unique key of the reminder of one occurrence (at one
// revision of its time) for one member and lead time.
func ReminderKey(occurrenceID int64, revision int, userID int64, lead int) string {
	return fmt.Sprintf("meeting:%d:v%d:member:%d:lead:%d", occurrenceID, revision, userID, lead)
}
