package telegram_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/netzbot/netzbot/internal/telegram"
)

const hookSecret = "s3cret-s3cret-s3cret"

const update = `{"update_id":7,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"X"},"text":"/help"}}`

func webhook(t *testing.T) (http.Handler, *atomic.Int64, *atomic.Value) {
	var handled atomic.Int64
	var received atomic.Value
	d := telegram.NewDispatcher(func(ctx context.Context, u *models.Update) error {
		handled.Add(1)
		received.Store(telegram.ReceivedAt(ctx))
		return nil
	}, 4)
	return telegram.WebhookHandler(hookSecret, d, time.Second, slog.New(slog.DiscardHandler)), &handled, &received
}

func post(h http.Handler, secret, body string) int {
	req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
	if secret != "" {
		req.Header.Set(telegram.WebhookHeader, secret)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func TestWebhookWithoutTheSecretIsRefusedUnhandled(t *testing.T) {
	h, handled, _ := webhook(t)
	for _, s := range []string{"", "wrong", hookSecret[:len(hookSecret)-1], hookSecret + "x", strings.ToUpper(hookSecret)} {
		if code := post(h, s, update); code != http.StatusUnauthorized {
			t.Errorf("secret %q: %d, want 401", s, code)
		}
	}
	if n := handled.Load(); n != 0 {
		t.Errorf("%d updates with a wrong secret were handled", n)
	}
	if code := post(h, hookSecret, update); code != http.StatusOK || handled.Load() != 1 {
		t.Errorf("right secret: %d, handled %d", code, handled.Load())
	}
}

func TestWebhookBodyIsLimited(t *testing.T) {
	h, handled, received := webhook(t)
	big := `{"update_id":8,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"X"},"text":"` + strings.Repeat("a", 2<<20) + `"}}`
	if code := post(h, hookSecret, big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body: %d, want 413", code)
	}
	if code := post(h, hookSecret, `{"update_id":`); code != http.StatusBadRequest {
		t.Errorf("broken JSON: %d, want 400", code)
	}
	if n := handled.Load(); n != 0 {
		t.Errorf("%d oversized or broken updates were handled", n)
	}
	before := time.Now()
	if code := post(h, hookSecret, update); code != http.StatusOK {
		t.Fatalf("normal update: %d", code)
	}
	if at, _ := received.Load().(time.Time); at.Before(before) || at.After(time.Now()) {
		t.Errorf("the handler was not told when the update arrived: %v", at)
	}
}
