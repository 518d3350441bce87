package app_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// clock is a test clock that only moves when told to.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func startWithClock(t *testing.T, c *clock, opt apptest.Options) *apptest.Harness {
	opt.App = func(o *app.Options) { o.Now = c.Now; o.NoWorker = true }
	return apptest.Start(t, opt)
}

func deliver(t *testing.T, h *apptest.Harness) bot.DeliveryStats {
	t.Helper()
	s, err := h.App.Bot.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sentTo(h *apptest.Harness, mark int, chat int64) []string {
	var out []string
	for _, c := range h.Fake.CallsSince(mark) {
		if c.Method == "sendMessage" && c.ChatID == chat && c.OK() {
			out = append(out, c.Text)
		}
	}
	return out
}

func TestNotificationSentOnceAtItsTimeInTheCurrentLanguage(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)}
	h := startWithClock(t, c, apptest.Options{})
	u := h.User(20001, "de")
	h.Say(t, u, "/language de")
	store := &postgres.NotificationStore{Pool: h.DB.Pool}
	due := c.Now().Add(24 * time.Hour)
	n := notify.Notification{Kind: bot.KindMessage, UserID: u.ID, Key: "test:1", Data: map[string]string{"id": "welcome"}, DueAt: due}
	if err := store.Schedule(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	mark := h.Fake.Mark()
	c.Add(24*time.Hour - time.Second)
	if s := deliver(t, h); s.Sent != 0 || len(sentTo(h, mark, u.ID)) != 0 {
		t.Fatalf("sent a second early: %+v", s)
	}
	h.Say(t, u, "/language vi") // rendered in the language of the moment it is sent
	mark = h.Fake.Mark()
	c.Add(time.Second)
	if s := deliver(t, h); s.Sent != 1 {
		t.Fatalf("not sent when due: %+v", s)
	}
	if got := sentTo(h, mark, u.ID); len(got) != 1 || got[0] != h.L("vi").T("welcome") {
		t.Errorf("got %q, want the Vietnamese welcome once", got)
	}
	// Exactly once: neither a second run nor scheduling the key again sends it.
	if err := store.Schedule(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	c.Add(48 * time.Hour)
	if s := deliver(t, h); s.Sent != 0 {
		t.Errorf("sent twice: %+v", s)
	}
}

func TestNotificationRescheduleCancelExpireAndBlocked(t *testing.T) {
	c := &clock{t: time.Date(2026, 10, 24, 8, 0, 0, 0, time.UTC)}
	h := startWithClock(t, c, apptest.Options{})
	ctx := context.Background()
	store := &postgres.NotificationStore{Pool: h.DB.Pool}
	a, b, blocked := h.User(21001, "de"), h.User(21002, "de"), h.User(21003, "de")
	for _, u := range []telegramtest.User{a, b, blocked} {
		h.Say(t, u, "/language de")
	}
	msg := map[string]string{"id": "welcome"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(store.Schedule(ctx, notify.Notification{Kind: bot.KindMessage, UserID: a.ID, Key: "m:a", Data: msg, DueAt: c.Now().Add(time.Hour)}))
	// Moved later before it was due: only the new time counts.
	must(store.Schedule(ctx, notify.Notification{Kind: bot.KindMessage, UserID: a.ID, Key: "m:a", Data: msg, DueAt: c.Now().Add(3 * time.Hour)}))
	must(store.Schedule(ctx, notify.Notification{Kind: bot.KindMessage, UserID: b.ID, Key: "m:b:1", Data: msg, DueAt: c.Now().Add(time.Hour)}))
	must(store.Schedule(ctx, notify.Notification{Kind: bot.KindMessage, UserID: b.ID, Key: "m:b:2", Data: msg, DueAt: c.Now().Add(time.Hour)}))
	if n, err := store.CancelPending(ctx, "m:b:"); err != nil || n != 2 {
		t.Fatalf("cancel: %d %v", n, err)
	}
	// After downtime: due long ago but the meeting already started → dropped.
	must(store.Schedule(ctx, notify.Notification{Kind: bot.KindMessage, UserID: a.ID, Key: "m:late", Data: msg, DueAt: c.Now().Add(time.Hour), ExpiresAt: c.Now().Add(2 * time.Hour)}))
	must(store.Schedule(ctx, notify.Notification{Kind: bot.KindMessage, UserID: blocked.ID, Key: "m:blocked", Data: msg, DueAt: c.Now().Add(time.Hour)}))
	h.Fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: blocked.ID, Code: 403, Times: -1})

	mark := h.Fake.Mark()
	c.Add(2*time.Hour + time.Minute)
	s := deliver(t, h)
	if s.Sent != 0 || s.Dropped != 2 {
		t.Errorf("at +2h: %+v, want the expired and the blocked one dropped", s)
	}
	if h.UserRow(t, blocked.ID).Active {
		t.Error("blocked user still active")
	}
	c.Add(time.Hour)
	if s := deliver(t, h); s.Sent != 1 {
		t.Errorf("at +3h: %+v, want the moved one sent", s)
	}
	if got := sentTo(h, mark, a.ID); len(got) != 1 {
		t.Errorf("a got %d messages, want 1", len(got))
	}
	if got := sentTo(h, mark, b.ID); len(got) != 0 {
		t.Errorf("cancelled notifications were sent: %q", got)
	}
}

func TestTwoWorkersDeliverEachNotificationExactlyOnce(t *testing.T) {
	c := &clock{t: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)}
	h1 := startWithClock(t, c, apptest.Options{})
	// A second replica: its own app on the same database and the same Telegram.
	h2 := startWithClock(t, c, apptest.Options{DB: h1.DB, Fake: h1.Fake})
	ctx := context.Background()
	store := &postgres.NotificationStore{Pool: h1.DB.Pool}
	const users, each = 100, 5
	for i := 0; i < users; i++ {
		u := h1.User(int64(30000+i), "de")
		h1.Fake.AddUser(u)
		if _, err := h1.App.Users.Touch(ctx, u.ID, "de"); err != nil {
			t.Fatal(err)
		}
		for j := 0; j < each; j++ {
			if err := store.Schedule(ctx, notify.Notification{Kind: bot.KindMessage, UserID: u.ID, Key: fmt.Sprintf("r:%d:%d", i, j), Data: map[string]string{"id": "welcome"}, DueAt: c.Now()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	mark := h1.Fake.Mark()
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for _, h := range []*apptest.Harness{h1, h2, h1, h2} {
		wg.Add(1)
		go func(h *apptest.Harness) {
			defer wg.Done()
			s, err := h.App.Bot.DeliverDue(ctx)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += s.Sent
			mu.Unlock()
		}(h)
	}
	wg.Wait()
	perChat := map[int64]int{}
	for _, call := range h1.Fake.CallsSince(mark) {
		if call.Method == "sendMessage" && call.OK() {
			perChat[call.ChatID]++
		}
	}
	if total != users*each {
		t.Errorf("workers report %d sent, want %d", total, users*each)
	}
	for i := 0; i < users; i++ {
		if n := perChat[int64(30000+i)]; n != each {
			t.Errorf("user %d got %d messages, want %d", i, n, each)
		}
	}
}

func TestClaimedButUnsentIsDeliveredAfterTheLease(t *testing.T) {
	c := &clock{t: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)}
	h := startWithClock(t, c, apptest.Options{})
	ctx := context.Background()
	store := &postgres.NotificationStore{Pool: h.DB.Pool}
	u := h.User(40001, "de")
	h.Say(t, u, "/language de")
	if err := store.Schedule(ctx, notify.Notification{Kind: bot.KindMessage, UserID: u.ID, Key: "crash:1", Data: map[string]string{"id": "welcome"}, DueAt: c.Now()}); err != nil {
		t.Fatal(err)
	}
	// A worker claims the row and dies before sending.
	claimed, err := store.Claim(ctx, c.Now(), 10, 2*time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if s := deliver(t, h); s.Sent != 0 {
		t.Errorf("a leased notification was sent by another worker: %+v", s)
	}
	c.Add(2*time.Minute + time.Second)
	if s := deliver(t, h); s.Sent != 1 {
		t.Errorf("after the lease: %+v, want it sent", s)
	}
}
