package telegram_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/netzbot/netzbot/internal/telegram"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// runPoller polls fake until the test ends, handling updates with h.
func runPoller(t *testing.T, fake *telegramtest.Server, h telegram.Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	p := &telegram.Poller{APIURL: fake.URL, Token: "1:t", Client: &http.Client{}, Timeout: time.Second, Dispatcher: telegram.NewDispatcher(h, 8)}
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("poller: %v", err)
		}
	})
}

func chatOf(u *models.Update) int64 { return u.Message.Chat.ID }

// A slow update does not hold up other chats: the poller fetches and
// handles their updates while it is still being handled, and confirms it
// only once it was.
func TestSlowUpdateDoesNotHoldUpOtherChats(t *testing.T) {
	fake := telegramtest.Start(t, telegramtest.Options{Token: "1:t"})
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	handled := make(chan int64, 10)
	runPoller(t, fake, func(ctx context.Context, u *models.Update) error {
		if chatOf(u) == 1 {
			<-release
		}
		handled <- chatOf(u)
		return nil
	})
	t.Cleanup(free) // before the poller's cleanup, which waits for the handler
	slow := fake.SendText(telegramtest.User{ID: 1, FirstName: "A"}, "slow")
	time.Sleep(50 * time.Millisecond) // let it be fetched alone
	fast := fake.SendText(telegramtest.User{ID: 2, FirstName: "B"}, "fast")
	select {
	case chat := <-handled:
		if chat != 2 {
			t.Fatalf("handled chat %d first, want 2", chat)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the update of chat 2 waited for the slow one of chat 1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := fake.WaitHandled(ctx, fast); err == nil {
		t.Error("an update was confirmed while an earlier one was still being handled")
	}
	free()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	for _, id := range []int64{slow, fast} {
		if err := fake.WaitHandled(ctx2, id); err != nil {
			t.Fatal(err)
		}
	}
}

// Updates of one chat are handled one after the other, in order, also when
// they arrive while earlier ones are being handled; a retried update (the
// database was down) is handled again before the later ones of its chat.
func TestChatOrderSurvivesPipeliningAndRetries(t *testing.T) {
	fake := telegramtest.Start(t, telegramtest.Options{Token: "1:t"})
	var mu sync.Mutex
	var got []string
	failed := false
	runPoller(t, fake, func(ctx context.Context, u *models.Update) error {
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		if u.Message.Text == "3" && !failed {
			failed = true
			return telegram.ErrRetry
		}
		if chatOf(u) == 7 {
			got = append(got, u.Message.Text)
		}
		return nil
	})
	user, other := telegramtest.User{ID: 7, FirstName: "A"}, telegramtest.User{ID: 8, FirstName: "B"}
	var last int64
	for _, text := range []string{"1", "2", "3", "4", "5", "6"} {
		last = fake.SendText(user, text)
		fake.SendText(other, "x")
		time.Sleep(3 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := fake.WaitHandled(ctx, last); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"1", "2", "3", "4", "5", "6"}; len(got) != len(want) || func() bool {
		for i := range want {
			if got[i] != want[i] {
				return true
			}
		}
		return false
	}() {
		t.Errorf("chat 7 handled %q, want %q", got, want)
	}
}
