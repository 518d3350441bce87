package telegram_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"

	"github.com/netzbot/netzbot/internal/telegram"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// The Sender's fault policy, case by case: what is retried, how often,
// what is given up, and how many copies of a message can result.

func texts(fake *telegramtest.Server, chat int64) []string {
	var out []string
	for _, m := range fake.History(chat) {
		if m.FromBot {
			out = append(out, m.Text)
		}
	}
	return out
}

func TestServerErrorsAreRetriedUpToMaxAttemptsThenGivenUp(t *testing.T) {
	fake := telegramtest.Start(t, telegramtest.Options{Token: token})
	fake.AddUser(telegramtest.User{ID: 21, FirstName: "A"})
	s := newSender(t, fake, telegram.SenderOptions{Limits: fast, Backoff: time.Millisecond, MaxAttempts: 3})
	fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: 21, Code: 500, Times: -1})
	_, err := s.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: int64(21), Text: "x"})
	var srv *telegram.ServerError
	if !errors.As(err, &srv) || srv.Code != 500 {
		t.Errorf("want the 500 after giving up, got %v", err)
	}
	if n := fake.Stats().Requests["sendMessage"]; n != 3 {
		t.Errorf("%d requests, want exactly MaxAttempts = 3", n)
	}
	if got := texts(fake, 21); len(got) != 0 {
		t.Errorf("delivered %q", got)
	}
}

func TestTooManyRequestsWaitsRetryAfterAndGivesUpEventually(t *testing.T) {
	fake := telegramtest.Start(t, telegramtest.Options{Token: token})
	fake.AddUser(telegramtest.User{ID: 22, FirstName: "B"})
	s := newSender(t, fake, telegram.SenderOptions{Limits: fast, MaxAttempts: 2})
	fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: 22, Code: 429, RetryAfter: 1, Times: -1})
	start := time.Now()
	_, err := s.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: int64(22), Text: "x"})
	if err == nil || time.Since(start) < time.Second {
		t.Errorf("want a give-up after waiting retry_after once: %v after %v", err, time.Since(start))
	}
	if n := fake.Stats().Requests["sendMessage"]; n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestCancelledWhileWaitingForRetryAfterSendsNothingMore(t *testing.T) {
	fake := telegramtest.Start(t, telegramtest.Options{Token: token})
	fake.AddUser(telegramtest.User{ID: 23, FirstName: "C"})
	s := newSender(t, fake, telegram.SenderOptions{Limits: fast})
	fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: 23, Code: 429, RetryAfter: 30})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.SendMessage(ctx, &tg.SendMessageParams{ChatID: int64(23), Text: "x"})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("want the context's error at once, got %v after %v", err, time.Since(start))
	}
	if n := fake.Stats().Requests["sendMessage"]; n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// A connection reset before Telegram processed the request is retried and
// the message arrives once; an answer lost after Telegram processed it is
// retried too and the message arrives twice: the documented at-least-once
// duplicate, and never a third time.
func TestLostConnectionsGiveAtMostOneDuplicate(t *testing.T) {
	fake := telegramtest.Start(t, telegramtest.Options{Token: token})
	fake.AddUser(telegramtest.User{ID: 24, FirstName: "D"})
	fake.AddUser(telegramtest.User{ID: 25, FirstName: "E"})
	s := newSender(t, fake, telegram.SenderOptions{Limits: fast, Backoff: time.Millisecond})
	fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: 24, Drop: true})
	fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: 25, Drop: true, AfterProcessing: true})
	for _, chat := range []int64{24, 25} {
		if _, err := s.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: chat, Text: "hallo"}); err != nil {
			t.Errorf("chat %d: %v", chat, err)
		}
	}
	if got := texts(fake, 24); len(got) != 1 {
		t.Errorf("reset before processing: %d copies, want 1", len(got))
	}
	if got := texts(fake, 25); len(got) != 2 {
		t.Errorf("answer lost after processing: %d copies, want exactly 2", len(got))
	}
}

func TestForbiddenIsNeverRetried(t *testing.T) {
	fake := telegramtest.Start(t, telegramtest.Options{Token: token})
	fake.AddUser(telegramtest.User{ID: 26, FirstName: "F"})
	blocked := 0
	s := newSender(t, fake, telegram.SenderOptions{Limits: fast, OnBlocked: func(context.Context, int64) { blocked++ }})
	fake.Inject(telegramtest.Fault{Method: "", ChatID: 26, Code: 403, Times: -1})
	for _, send := range []func() error{
		func() error {
			_, err := s.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: int64(26), Text: "x"})
			return err
		},
		func() error {
			_, err := s.SendDocument(context.Background(), &tg.SendDocumentParams{ChatID: int64(26)}, "a.json", []byte("{}"))
			return err
		},
	} {
		if err := send(); !errors.Is(err, telegram.ErrBlocked) || strings.Contains(err.Error(), token) {
			t.Errorf("403: %v", err)
		}
	}
	if st := fake.Stats(); st.Forbidden != 2 || blocked != 2 {
		t.Errorf("want one attempt per message and the user reported blocked each time: %+v, blocked %d", st, blocked)
	}
}
