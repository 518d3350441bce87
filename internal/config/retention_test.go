package config

import (
	"errors"
	"testing"
	"time"
)

func TestRetentionDefaultsAndLimits(t *testing.T) {
	c, err := Load(env(map[string]string{}), false)
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	if c.BookingRetention != 90*day || c.SearchLogRetention != 30*day || c.NotificationRetention != 90*day || c.PrivacyContact != "" {
		t.Errorf("defaults: %v %v %v %q", c.BookingRetention, c.SearchLogRetention, c.NotificationRetention, c.PrivacyContact)
	}
	c, err = Load(env(map[string]string{"BOOKING_RETENTION_DAYS": "0", "SEARCH_LOG_RETENTION_DAYS": "7", "PRIVACY_CONTACT": " datenschutz@stadt.example "}), false)
	if err != nil || c.BookingRetention != 0 || c.SearchLogRetention != 7*day || c.PrivacyContact != "datenschutz@stadt.example" || RetentionDays(c.SearchLogRetention) != 7 {
		t.Errorf("set: %+v %v", c, err)
	}
	for v, bad := range map[string]string{"BOOKING_RETENTION_DAYS": "-1", "SEARCH_LOG_RETENTION_DAYS": "30d", "NOTIFICATION_RETENTION_DAYS": "99999"} {
		_, err := Load(env(map[string]string{v: bad}), false)
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != v {
			t.Errorf("%s=%s: %v", v, bad, err)
		}
	}
}
