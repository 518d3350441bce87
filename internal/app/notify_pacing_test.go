package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/telegram"
)

// With two notifications for each of more recipients than the worker sends
// to at once, each recipient's second must wait for the chat's rate limit:
// meanwhile the worker serves the others instead of waiting (issue 7,
// scenario 3). So every recipient's first notification goes out before any
// second one, each recipient's in the order scheduled, and none twice.
func TestNotificationsOfOneRecipientDoNotHoldUpTheOthers(t *testing.T) {
	const users = 20 // more than the worker's parallel sends
	c := &clock{t: time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)}
	limits := telegram.Limits{Global: 1000, GlobalBurst: 100, PerChat: rate.Every(2 * time.Second), PerChatBurst: 1, PerGroupPerMinute: 600}
	h := startWithClock(t, c, apptest.Options{Limits: limits})
	store := &postgres.NotificationStore{Pool: h.DB.Pool}
	users0 := int64(30001)
	for i := range int64(users) {
		u := h.User(users0+i, "en")
		h.Fake.AddUser(u)
		if _, err := h.App.Users.Touch(context.Background(), u.ID, "en"); err != nil {
			t.Fatal(err)
		}
		for _, which := range []string{"a", "b"} { // back to back: adjacent ids, same due time
			n := notify.Notification{
				Kind: bot.KindMessage, UserID: u.ID, Key: fmt.Sprintf("pace:%d:%s", u.ID, which),
				Data: map[string]string{"id": "unknown_command", "Command": fmt.Sprintf("/%s_%d", which, u.ID)}, DueAt: c.Now(),
			}
			if err := store.Schedule(context.Background(), n); err != nil {
				t.Fatal(err)
			}
		}
	}
	mark := h.Fake.Mark()
	if s := deliver(t, h); s.Sent != 2*users {
		t.Fatalf("delivered %+v, want %d sent", s, 2*users)
	}
	var order []string
	seen := map[string]bool{}
	for _, call := range h.Fake.CallsSince(mark) {
		if call.Method != "sendMessage" || !call.OK() {
			continue
		}
		if seen[call.Text] {
			t.Errorf("sent twice: %q", call.Text)
		}
		seen[call.Text] = true
		order = append(order, call.Text)
	}
	lastFirst, firstSecond := -1, len(order)
	for i, text := range order {
		en := h.L("en")
		for u := users0; u < users0+users; u++ {
			switch text {
			case en.T("unknown_command", "Command", fmt.Sprintf("/a_%d", u)):
				lastFirst = max(lastFirst, i)
			case en.T("unknown_command", "Command", fmt.Sprintf("/b_%d", u)):
				firstSecond = min(firstSecond, i)
			}
		}
	}
	if len(order) != 2*users || lastFirst > firstSecond {
		t.Errorf("a recipient's second notification went out before another's first (last first at %d, first second at %d of %d): %q",
			lastFirst, firstSecond, len(order), order)
	}
	if st := h.Fake.Stats(); st.TooManyRequests != 0 {
		t.Errorf("%d answers 429", st.TooManyRequests)
	}
}
