package app_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/privacy"
)

// TestRetentionForgetsOldDataOnly runs the daily retention job as cron
// does: each registered task forgets what is older than its configured
// period and logs how much; one task panicking or failing stops neither
// the others nor the bot.
func TestRetentionForgetsOldDataOnly(t *testing.T) {
	c := &clock{t: time.Date(2026, 9, 1, 3, 30, 0, 0, time.UTC)}
	l := &logs{}
	h := apptest.Start(t, apptest.Options{
		Config: func(cfg *config.Config) {
			cfg.NotificationRetention = 30 * 24 * time.Hour
			cfg.BookingRetention = 180 * 24 * time.Hour
			cfg.SearchLogRetention = 30 * 24 * time.Hour
		},
		App: func(o *app.Options) { o.Now = c.Now; o.NoWorker = true; logTo(l, o) },
	})
	ctx := context.Background()
	store := &postgres.NotificationStore{Pool: h.DB.Pool}
	u := h.User(987650030001, "de")
	if _, err := h.App.Users.Touch(ctx, u.ID, "de"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []struct {
		key    string
		age    time.Duration
		status string
	}{
		{"old-sent", 40 * 24 * time.Hour, "sent"},
		{"old-dropped", 31 * 24 * time.Hour, "dropped"},
		{"recent-sent", 29 * 24 * time.Hour, "sent"},
		{"old-pending", 40 * 24 * time.Hour, "pending"}, // never deleted unsent
	} {
		if err := store.Schedule(ctx, notify.Notification{Kind: bot.KindMessage, UserID: u.ID, Key: n.key, Data: map[string]string{"id": "welcome"}, DueAt: c.Now().Add(-n.age)}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.DB.Pool.Exec(ctx, `UPDATE notifications SET status = $2 WHERE key = $1`, n.key, n.status); err != nil {
			t.Fatal(err)
		}
	}
	seedRetention(t, h, c.Now())
	h.App.Retention.Register(privacy.RetentionTask{Name: "zz_panics", Keep: time.Hour, Run: func(context.Context, time.Time) (int, error) { panic("boom") }})
	h.App.Retention.Register(privacy.RetentionTask{Name: "aa_fails", Keep: time.Hour, Run: func(context.Context, time.Time) (int, error) { return 0, errors.New("disk full") }})
	var cutoff time.Time
	h.App.Retention.Register(privacy.RetentionTask{Name: "ab_cutoff", Keep: 48 * time.Hour, Run: func(_ context.Context, c time.Time) (int, error) { cutoff = c; return 0, nil }})

	h.App.RetentionJob(ctx) // panics would fail the test here

	var keys []string
	rows, err := h.DB.Pool.Query(ctx, `SELECT key FROM notifications ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	if fmt.Sprint(keys) != "[old-pending recent-sent]" {
		t.Errorf("notifications left: %v, want the recent and the unsent one", keys)
	}
	if !cutoff.Equal(c.Now().Add(-48 * time.Hour)) {
		t.Errorf("cutoff %v, want now minus the task's period", cutoff)
	}
	done := map[string]float64{}
	for _, rec := range l.records("retention task done") {
		done[rec["task"].(string)] = rec["count"].(float64)
	}
	if done["notifications"] != 2 {
		t.Errorf("logged counts %v: want notifications=2", done)
	}
	failed := map[string]bool{}
	for _, rec := range l.records("retention task failed") {
		failed[rec["task"].(string)] = true
	}
	if !failed["zz_panics"] || !failed["aa_fails"] {
		t.Errorf("failing tasks not logged: %v", failed)
	}
	checkRetention(t, h, c.Now(), done)
}
