package translate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// DefaultCooldown is how long a failed provider is left alone.
const DefaultCooldown = time.Minute

// State is a Breaker's state.
type State int

const (
	// Closed: requests go to the provider.
	Closed State = iota
	// Open: the provider failed recently and is not asked.
	Open
	// HalfOpen: the cooldown is over; the next request probes the
	// provider, and its answer closes or opens the breaker again.
	HalfOpen
)

func (s State) String() string {
	return [...]string{"closed", "open", "half-open"}[s]
}

// Breaker is a circuit breaker around a Provider: after a failure that the
// next request would likely share (timeout, network error, 5xx, 429, key
// refused, quota used up) the provider is not asked again for the
// cooldown, and every request fails at once with an *Error that wraps
// ErrOpen and the kind of that failure. Then one request probes the
// provider; if it answers, requests flow again. So a dead provider costs
// a search nothing and an import one request a minute.
//
// Hand-written rather than github.com/sony/gobreaker: that reads
// time.Now itself, and the cooldown must follow an injected clock.
type Breaker struct {
	p        Provider
	cooldown time.Duration
	now      func() time.Time
	log      *slog.Logger

	mu      sync.Mutex
	state   State // Closed, Open, or HalfOpen while a probe is under way
	until   time.Time
	last    error
	probing bool
}

// BreakerOptions configure NewBreaker; zero values are the defaults.
type BreakerOptions struct {
	Cooldown time.Duration    // DefaultCooldown
	Now      func() time.Time // time.Now
	Logger   *slog.Logger     // nothing logged
}

// NewBreaker wraps p.
func NewBreaker(p Provider, o BreakerOptions) *Breaker {
	b := &Breaker{p: p, cooldown: o.Cooldown, now: o.Now, log: o.Logger}
	if b.cooldown <= 0 {
		b.cooldown = DefaultCooldown
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.log == nil {
		b.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return b
}

// Name implements Provider.
func (b *Breaker) Name() string { return b.p.Name() }

// Provider is the wrapped provider.
func (b *Breaker) Provider() Provider { return b.p }

// State is the breaker's state now: Open turns HalfOpen when the
// cooldown is over, before the probe.
func (b *Breaker) State() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == Open && !b.now().Before(b.until) {
		return HalfOpen
	}
	return b.state
}

// Languages implements Provider.
func (b *Breaker) Languages(ctx context.Context) ([]string, error) {
	probe, err := b.allow()
	if err != nil {
		return nil, err
	}
	out, err := b.p.Languages(ctx)
	b.done(probe, err)
	return out, err
}

// Translate implements Provider.
func (b *Breaker) Translate(ctx context.Context, texts []string, source, target string) ([]string, error) {
	probe, err := b.allow()
	if err != nil {
		return nil, err
	}
	out, err := b.p.Translate(ctx, texts, source, target)
	b.done(probe, err)
	return out, err
}

// allow decides whether a request may go to the provider; probe is set
// for the one request after the cooldown.
func (b *Breaker) allow() (probe bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.state == Closed:
		return false, nil
	case b.state == Open && !b.now().Before(b.until) && !b.probing:
		b.state, b.probing = HalfOpen, true
		return true, nil
	}
	return false, b.pausedError()
}

// done records the outcome of an allowed request.
func (b *Breaker) done(probe bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if probe {
		b.probing = false
	}
	switch {
	case trips(err):
		if b.state == Closed || probe {
			b.log.Warn("translation provider paused", "provider", b.p.Name(), "seconds", int(b.cooldown.Seconds()), "error", err.Error())
		}
		b.state, b.until, b.last = Open, b.now().Add(b.cooldown), err
	case probe && err != nil && errors.Is(err, context.Canceled):
		b.state = Open // the probe's caller gave up: the next request probes
	case probe:
		b.state = Closed
		b.log.Info("translation provider answers again", "provider", b.p.Name())
	}
}

// pausedError is what a request gets while the provider is left alone:
// the last failure's kind and cause, marked Paused.
func (b *Breaker) pausedError() error {
	e := &Error{Kind: ErrUnavailable, Provider: b.p.Name(), Paused: true}
	var last *Error
	if errors.As(b.last, &last) {
		e.Kind, e.Status, e.Cause = last.Kind, last.Status, last.Cause
	}
	reason := "a failure"
	if b.last != nil {
		reason = b.last.Error()
	}
	e.Msg = fmt.Sprintf("not asking %s again before %s after %s", b.p.Name(), b.until.Format("15:04:05"), reason)
	return e
}
