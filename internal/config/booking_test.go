package config

import (
	"errors"
	"testing"
	"time"
)

func TestBookingSettings(t *testing.T) {
	env := func(kv map[string]string) Getenv { return func(k string) string { return kv[k] } }
	b, err := loadBooking(env(nil))
	if err != nil || b.HorizonDays != 28 || b.MinNotice != 2*time.Hour || b.MaxOpen != 2 || len(b.Reminders) != 2 || b.Hold != 15*time.Minute {
		t.Fatalf("defaults: %+v %v", b, err)
	}
	b, err = loadBooking(env(map[string]string{
		"BOOKING_HORIZON_DAYS": "14", "BOOKING_MIN_NOTICE": "30m", "BOOKING_CANCEL_DEADLINE": "24h",
		"BOOKING_MAX_OPEN": "3", "BOOKING_REMINDERS": "48h, 2h", "BOOKING_HOLD": "10m",
	}))
	if err != nil || b.HorizonDays != 14 || b.MinNotice != 30*time.Minute || b.CancelDeadline != 24*time.Hour || b.MaxOpen != 3 ||
		len(b.Reminders) != 2 || b.Reminders[0] != 48*time.Hour || b.Hold != 10*time.Minute {
		t.Fatalf("set: %+v %v", b, err)
	}
	if b, err := loadBooking(env(map[string]string{"BOOKING_REMINDERS": "none"})); err != nil || len(b.Reminders) != 0 || b.Reminders == nil {
		t.Errorf("no reminders: %+v %v", b, err)
	}
	for k, v := range map[string]string{
		"BOOKING_HORIZON_DAYS": "0", "BOOKING_MAX_OPEN": "x", "BOOKING_MIN_NOTICE": "2 hours",
		"BOOKING_REMINDERS": "24h,soon", "BOOKING_HOLD": "10s",
	} {
		var cfgErr *Error
		if _, err := loadBooking(env(map[string]string{k: v})); !errors.As(err, &cfgErr) || cfgErr.Var != k {
			t.Errorf("%s=%s: got %v, want an error naming the variable", k, v, err)
		}
	}
}
