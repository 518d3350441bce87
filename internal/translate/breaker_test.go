package translate_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/translate"
	"github.com/netzbot/netzbot/internal/translate/translatetest"
)

// clock is the injected clock of the tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func TestBreakerPausesAFailedProviderForAMinute(t *testing.T) {
	ctx := context.Background()
	fake := translatetest.NewLibreTranslate(t, translatetest.Options{})
	clk := newClock()
	b := translate.NewBreaker(translate.NewLibreTranslate(fake.URL, "", translate.ClientOptions{}), translate.BreakerOptions{Now: clk.Now})
	if _, err := b.Translate(ctx, []string{"Wohnung"}, "de", "ar"); err != nil || b.State() != translate.Closed {
		t.Fatalf("healthy: %v, %v", err, b.State())
	}

	fake.Fail(translatetest.Fault{Status: 503})
	_, err := b.Translate(ctx, []string{"Wohnung"}, "de", "ar")
	if !errors.Is(err, translate.ErrUnavailable) || errors.Is(err, translate.ErrOpen) || b.State() != translate.Open {
		t.Fatalf("503: %v, state %v", err, b.State())
	}
	asked := fake.Requests()
	for _, d := range []time.Duration{0, 30 * time.Second, 29 * time.Second} {
		clk.Add(d)
		_, err := b.Translate(ctx, []string{"Wohnung"}, "de", "ar")
		var e *translate.Error
		if !errors.Is(err, translate.ErrOpen) || !errors.Is(err, translate.ErrUnavailable) || !errors.As(err, &e) || !e.Paused || e.Status != 503 {
			t.Errorf("open: %v", err)
		}
		if !strings.Contains(err.Error(), "not asking LibreTranslate again before 09:01:00") || !strings.Contains(err.Error(), "HTTP 503") {
			t.Errorf("open error: %q", err)
		}
		if _, err := b.Languages(ctx); !errors.Is(err, translate.ErrOpen) {
			t.Errorf("Languages while open: %v", err)
		}
	}
	if fake.Requests() != asked {
		t.Errorf("the provider was asked %d times while open", fake.Requests()-asked)
	}
	if got := translate.Reason(err); got != "provider unavailable (HTTP 503)" {
		t.Errorf("Reason = %q", got)
	}

	// After a minute one request probes; it fails: another minute.
	clk.Add(time.Second)
	if b.State() != translate.HalfOpen {
		t.Errorf("after a minute: %v, want half-open", b.State())
	}
	if _, err := b.Translate(ctx, []string{"Wohnung"}, "de", "ar"); errors.Is(err, translate.ErrOpen) || !errors.Is(err, translate.ErrUnavailable) {
		t.Errorf("failed probe: %v", err)
	}
	if fake.Requests() != asked+1 || b.State() != translate.Open {
		t.Errorf("probe: %d requests, state %v", fake.Requests()-asked, b.State())
	}
	clk.Add(59 * time.Second)
	if _, err := b.Translate(ctx, []string{"Wohnung"}, "de", "ar"); !errors.Is(err, translate.ErrOpen) {
		t.Errorf("59 s after the failed probe: %v", err)
	}

	// The provider is back: the probe closes the breaker.
	fake.Clear()
	clk.Add(time.Second)
	if out, err := b.Translate(ctx, []string{"Wohnung"}, "de", "ar"); err != nil || out[0] != "شقة" || b.State() != translate.Closed {
		t.Errorf("successful probe: %q %v %v", out, err, b.State())
	}
	if _, err := b.Translate(ctx, []string{"Beratung"}, "de", "ar"); err != nil {
		t.Errorf("closed again: %v", err)
	}
}

func TestBreakerTripsOnWhatTheNextRequestWouldShare(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		fault translatetest.Fault
		key   string
		trips bool
	}{
		{translatetest.Fault{Status: 429, Times: 1}, testKey, true},
		{translatetest.Fault{Status: 500, Times: 1}, testKey, true},
		{translatetest.Fault{Status: 456, Times: 1}, testKey, true},
		{translatetest.Fault{Delay: time.Hour, Times: 1}, testKey, true}, // timeout
		{translatetest.Fault{}, "wrong-key", true},
		{translatetest.Fault{Status: 400, Times: 1}, testKey, false}, // this request was bad
	}
	for _, c := range cases {
		fake := translatetest.NewDeepL(t, translatetest.Options{Key: testKey})
		fake.Fail(c.fault)
		b := translate.NewBreaker(translate.NewDeepL(fake.URL, c.key, translate.ClientOptions{Timeout: 20 * time.Millisecond}), translate.BreakerOptions{Now: newClock().Now})
		if _, err := b.Translate(ctx, []string{"Wohnung"}, "de", "ar"); err == nil {
			t.Errorf("%+v: no error", c)
		}
		if got := b.State() == translate.Open; got != c.trips {
			t.Errorf("%+v key %s: open = %v, want %v", c.fault, c.key, got, c.trips)
		}
	}

	// Unsupported languages and callers who give up leave it closed.
	fake := translatetest.NewLibreTranslate(t, translatetest.Options{})
	b := translate.NewBreaker(translate.NewLibreTranslate(fake.URL, "", translate.ClientOptions{}), translate.BreakerOptions{Now: newClock().Now})
	if _, err := b.Translate(ctx, []string{"Wohnung"}, "de", "ps"); !errors.Is(err, translate.ErrUnsupported) || b.State() != translate.Closed {
		t.Errorf("unsupported: %v, %v", err, b.State())
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := b.Translate(cancelled, []string{"Wohnung"}, "de", "ar"); !errors.Is(err, context.Canceled) || b.State() != translate.Closed {
		t.Errorf("cancelled: %v, %v", err, b.State())
	}
}

// stub is a Provider whose Translate waits for a value on answer.
type stub struct {
	calls  chan struct{}
	answer chan error
}

func (s *stub) Name() string                                { return "Stub" }
func (s *stub) Languages(context.Context) ([]string, error) { return translate.Languages, nil }
func (s *stub) Translate(_ context.Context, texts []string, _, _ string) ([]string, error) {
	s.calls <- struct{}{}
	if err := <-s.answer; err != nil {
		return nil, err
	}
	return texts, nil
}

func TestBreakerLetsOneProbeThroughAtATime(t *testing.T) {
	ctx := context.Background()
	s := &stub{calls: make(chan struct{}, 10), answer: make(chan error, 10)}
	clk := newClock()
	b := translate.NewBreaker(s, translate.BreakerOptions{Now: clk.Now, Cooldown: 10 * time.Second})
	s.answer <- &translate.Error{Kind: translate.ErrUnavailable, Msg: "down"}
	if _, err := b.Translate(ctx, []string{"x"}, "de", "ar"); err == nil || b.State() != translate.Open {
		t.Fatalf("failure: %v %v", err, b.State())
	}
	<-s.calls
	clk.Add(10 * time.Second)
	done := make(chan error)
	go func() {
		_, err := b.Translate(ctx, []string{"x"}, "de", "ar")
		done <- err
	}()
	<-s.calls // the probe is at the provider
	if _, err := b.Translate(ctx, []string{"y"}, "de", "ar"); !errors.Is(err, translate.ErrOpen) {
		t.Errorf("second request during the probe: %v", err)
	}
	if b.State() != translate.HalfOpen {
		t.Errorf("during the probe: %v", b.State())
	}
	s.answer <- nil
	if err := <-done; err != nil || b.State() != translate.Closed {
		t.Errorf("probe: %v, %v", err, b.State())
	}
	if len(s.calls) != 0 {
		t.Errorf("%d extra calls reached the provider", len(s.calls))
	}
}
