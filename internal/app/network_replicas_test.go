package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// manyMembers adds n members of org in one statement, with open chats.
func (e *netEnv) manyMembers(t testing.TB, first int64, n int, org int64) []int64 {
	t.Helper()
	e.exec(t, `INSERT INTO users (id, language, telegram_language, role)
		SELECT $1::bigint + g, (ARRAY['de','uk','fa','ar','tr','ru'])[1 + g % 6], 'de', 'member' FROM generate_series(0, $2 - 1) g`, first, n)
	e.exec(t, `INSERT INTO members (user_id, organisation_id, display_name)
		SELECT $1::bigint + g, $3, 'Mitglied ' || g FROM generate_series(0, $2 - 1) g`, first, n, org)
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = first + int64(i)
		e.h.Fake.AddUser(telegramtest.User{ID: ids[i], FirstName: "M"})
	}
	return ids
}

// Two replicas (two apps on one database and one Telegram) deliver 1000
// due reminders: each exactly once, none lost.
func TestTwoReplicasDeliverEachReminderExactlyOnce(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 11, 3, 10, 0, 0, 0, loc)
	e := startNetwork(t, start.AddDate(0, 0, -3), apptest.Options{})
	// The second replica: its own app on the same database and Telegram,
	// with the same clock.
	second := apptest.Start(t, apptest.Options{DB: e.h.DB, Fake: e.h.Fake, App: func(o *app.Options) { o.Now = e.c.Now; o.NoWorker = true }})
	org := e.org(t, "buero", "Netzwerkbüro")
	ids := e.manyMembers(t, 7_000_000_000, 1000, org) // ids beyond 32 bits, as Telegram's are
	m := e.meetingAt("Großes Netzwerktreffen", start, 0, org)
	m.LeadMinutes = []int{1440}
	e.create(t, m)
	if n := e.count(t, `SELECT count(*) FROM notifications WHERE kind = $1 AND status = 'pending'`, meeting.KindReminder); n != 1000 {
		t.Fatalf("%d reminders queued, want 1000", n)
	}

	e.at(start.AddDate(0, 0, -1))
	mark := e.h.Fake.Mark()
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent := 0
	for _, h := range []*apptest.Harness{e.h, second, e.h, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := h.App.Bot.DeliverDue(context.Background())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			sent += s.Sent
			mu.Unlock()
		}()
	}
	wg.Wait()
	perChat := map[int64]int{}
	for _, c := range e.h.Fake.CallsSince(mark) {
		if c.Method == "sendMessage" && c.OK() {
			perChat[c.ChatID]++
		}
	}
	if sent != 1000 {
		t.Errorf("replicas report %d sent, want 1000", sent)
	}
	for _, id := range ids {
		if perChat[id] != 1 {
			t.Errorf("member %d got %d reminders, want exactly 1", id, perChat[id])
		}
	}
	if n := e.count(t, `SELECT count(*) FROM notifications WHERE kind = $1 AND status = 'sent'`, meeting.KindReminder); n != 1000 {
		t.Errorf("%d marked sent, want 1000", n)
	}
}

// A worker that dies after claiming a batch (before sending) holds the
// reminders only until its lease ends; then they go out, once.
func TestRemindersOfACrashedWorkerAreDeliveredLater(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 11, 3, 10, 0, 0, 0, loc)
	e := startNetwork(t, start.AddDate(0, 0, -3), apptest.Options{})
	org := e.org(t, "buero", "Netzwerkbüro")
	ids := e.manyMembers(t, 80_000, 150, org)
	m := e.meetingAt("Treffen", start, 0, org)
	m.LeadMinutes = []int{1440}
	e.create(t, m)
	e.at(start.AddDate(0, 0, -1))

	store := &postgres.NotificationStore{Pool: e.h.DB.Pool}
	claimed, err := store.Claim(context.Background(), e.c.Now(), 100, 2*time.Minute) // …and the worker dies
	if err != nil || len(claimed) != 100 {
		t.Fatalf("claim: %d %v", len(claimed), err)
	}
	mark := e.h.Fake.Mark()
	if s := e.deliver(t); s.Sent != 50 {
		t.Errorf("while leased: %+v, want only the 50 unclaimed sent", s)
	}
	e.c.Add(2*time.Minute + time.Second)
	if s := e.deliver(t); s.Sent != 100 {
		t.Errorf("after the lease: %+v, want the 100 claimed ones", s)
	}
	perChat := map[int64]int{}
	for _, c := range e.h.Fake.CallsSince(mark) {
		if c.Method == "sendMessage" && c.OK() {
			perChat[c.ChatID]++
		}
	}
	for _, id := range ids {
		if perChat[id] != 1 {
			t.Errorf("member %d got %d reminders", id, perChat[id])
		}
	}
}
