package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// TestNotificationsUnderBotAPIFaults sends one notification to each of
// several users while the fake Bot API misbehaves for each in its own way,
// and checks the outcome per fault: delivered once, delivered twice (the
// documented bound, when Telegram's answer was lost), or given up.
func TestNotificationsUnderBotAPIFaults(t *testing.T) {
	c := &clock{t: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	h := startWithClock(t, c, apptest.Options{})
	ctx := context.Background()
	store := &postgres.NotificationStore{Pool: h.DB.Pool}
	type fault struct {
		name      string
		faults    []telegramtest.Fault
		attempted int    // earlier attempts, to reach the give-up
		copies    int    // messages the user ends up with
		status    string // of the notification afterwards
	}
	cases := []fault{
		{name: "healthy", copies: 1, status: "sent"},
		{name: "500 twice", faults: []telegramtest.Fault{{Code: 500}, {Code: 502}}, copies: 1, status: "sent"},
		{name: "429", faults: []telegramtest.Fault{{Code: 429, RetryAfter: 1}}, copies: 1, status: "sent"},
		{name: "connection reset", faults: []telegramtest.Fault{{Drop: true}}, copies: 1, status: "sent"},
		{name: "answer lost", faults: []telegramtest.Fault{{Drop: true, AfterProcessing: true}}, copies: 2, status: "sent"},
		{name: "403", faults: []telegramtest.Fault{{Code: 403, Times: -1}}, copies: 0, status: "dropped"},
		{name: "400 on the last attempt", faults: []telegramtest.Fault{{Code: 400, Times: -1}}, attempted: 7, copies: 0, status: "dropped"},
		{name: "400 retried later", faults: []telegramtest.Fault{{Code: 400}}, copies: 1, status: "sent"},
	}
	for i, tc := range cases {
		u := h.User(int64(987650010000+i), "de")
		h.Fake.AddUser(u)
		if _, err := h.App.Users.Touch(ctx, u.ID, "de"); err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("fault:%d", i)
		if err := store.Schedule(ctx, notify.Notification{Kind: bot.KindMessage, UserID: u.ID, Key: key, Data: map[string]string{"id": "welcome"}, DueAt: c.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.DB.Pool.Exec(ctx, `UPDATE notifications SET attempts = $2 WHERE key = $1`, key, tc.attempted); err != nil {
			t.Fatal(err)
		}
		for _, f := range tc.faults {
			f.Method, f.ChatID = "sendMessage", u.ID
			h.Fake.Inject(f)
		}
	}
	mark := h.Fake.Mark()
	deliver(t, h)
	c.Add(time.Hour) // past every retry's backoff
	deliver(t, h)
	c.Add(24 * time.Hour)
	deliver(t, h)
	for i, tc := range cases {
		id := int64(987650010000 + i)
		if got := len(sentTo(h, mark, id)); got != tc.copies {
			t.Errorf("%s: %d copies delivered, want %d", tc.name, got, tc.copies)
		}
		var status string
		if err := h.DB.Pool.QueryRow(ctx, `SELECT status FROM notifications WHERE key = $1`, fmt.Sprintf("fault:%d", i)).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status != tc.status {
			t.Errorf("%s: notification %s, want %s", tc.name, status, tc.status)
		}
	}
}

// TestDatabaseOutageWithSeveralUsersLosesNoUpdate restarts PostgreSQL
// while several users write: each is told once that the service is
// briefly unavailable, and afterwards every message is answered, in order.
func TestDatabaseOutageWithSeveralUsersLosesNoUpdate(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	cluster := pgtest.Cluster()
	if cluster == nil {
		t.Skip("needs the throwaway cluster (DATABASE_URL is set)")
	}
	langs := []string{"de", "fa", "uk", "ti"}
	var users []telegramtest.User
	for i, lang := range langs {
		u := h.User(int64(987650011000+i), lang)
		h.Say(t, u, "/language "+lang)
		users = append(users, u)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := cluster.StopServer(ctx); err != nil {
		t.Fatal(err)
	}
	restarted := false
	defer func() {
		if !restarted {
			_ = cluster.StartServer(context.Background())
		}
	}()
	mark := h.Fake.Mark()
	var last []int64
	for _, u := range users {
		h.Fake.SendText(u, "/help")
		last = append(last, h.Fake.SendText(u, "/settings"))
	}
	for _, u := range users {
		if _, err := h.Fake.WaitCall(ctx, mark, func(c telegramtest.Call) bool { return c.ChatID == u.ID && c.Method == "sendMessage" }); err != nil {
			t.Fatal(err)
		}
	}
	if err := cluster.StartServer(ctx); err != nil {
		t.Fatal(err)
	}
	restarted = true
	for _, id := range last {
		if err := h.Fake.WaitHandled(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	for i, u := range users {
		l := h.L(langs[i])
		got := sentTo(h, mark, u.ID)
		want := []string{l.T("error_unavailable"), l.T("help_text")}
		if len(got) != 3 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("%s: got %q; want the outage notice once, then help, then settings", langs[i], got)
		}
	}
}
