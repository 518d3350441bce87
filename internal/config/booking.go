package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Booking are the rules of consultation booking (internal/booking.Policy).
// How long past bookings are kept is BOOKING_RETENTION_DAYS (Config).
type Booking struct {
	HorizonDays    int             // BOOKING_HORIZON_DAYS: bookable from today through today + this
	MinNotice      time.Duration   // BOOKING_MIN_NOTICE: earliest start after now
	CancelDeadline time.Duration   // BOOKING_CANCEL_DEADLINE: cancel or move in the chat until this long before
	MaxOpen        int             // BOOKING_MAX_OPEN: open bookings per client
	Reminders      []time.Duration // BOOKING_REMINDERS: reminders this long before, e.g. "24h,1h"
	Hold           time.Duration   // BOOKING_HOLD: how long a freed slot is held for a waitlisted client
}

// DefaultBooking are the defaults of the issue: 28 days, 2 h, 2 h, 2
// bookings, reminders 24 h and 1 h before, 15 min holds.
func DefaultBooking() Booking {
	return Booking{
		HorizonDays: 28, MinNotice: 2 * time.Hour, CancelDeadline: 2 * time.Hour, MaxOpen: 2,
		Reminders: []time.Duration{24 * time.Hour, time.Hour}, Hold: 15 * time.Minute,
	}
}

// loadBooking reads the BOOKING_* variables.
func loadBooking(getenv Getenv) (Booking, error) {
	b := DefaultBooking()
	ints := []struct {
		name     string
		dst      *int
		min, max int
	}{
		{"BOOKING_HORIZON_DAYS", &b.HorizonDays, 1, 365},
		{"BOOKING_MAX_OPEN", &b.MaxOpen, 1, 50},
	}
	for _, v := range ints {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < v.min || n > v.max {
			return b, &Error{v.name, fmt.Sprintf("expected a whole number from %d to %d", v.min, v.max)}
		}
		*v.dst = n
	}
	durs := []struct {
		name     string
		dst      *time.Duration
		min, max time.Duration
	}{
		{"BOOKING_MIN_NOTICE", &b.MinNotice, 0, 30 * 24 * time.Hour},
		{"BOOKING_CANCEL_DEADLINE", &b.CancelDeadline, 0, 30 * 24 * time.Hour},
		{"BOOKING_HOLD", &b.Hold, time.Minute, 24 * time.Hour},
	}
	for _, v := range durs {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" {
			continue
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < v.min || d > v.max {
			return b, &Error{v.name, fmt.Sprintf("expected a duration like 2h or 90m, from %v to %v", v.min, v.max)}
		}
		if d == 0 {
			d = time.Nanosecond // "none", but not "unset"
		}
		*v.dst = d
	}
	if s := strings.TrimSpace(getenv("BOOKING_REMINDERS")); s != "" {
		b.Reminders = []time.Duration{}
		if s != "none" {
			for _, f := range strings.Split(s, ",") {
				d, err := time.ParseDuration(strings.TrimSpace(f))
				if err != nil || d < time.Minute || d > 30*24*time.Hour {
					return b, &Error{"BOOKING_REMINDERS", "expected durations before the appointment separated by commas, like 24h,1h (or none)"}
				}
				b.Reminders = append(b.Reminders, d)
			}
		}
	}
	return b, nil
}
