package translate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Query translation defaults.
const (
	// DefaultQueryTimeout is the longest a search waits for a translation.
	DefaultQueryTimeout = 1500 * time.Millisecond
	// DefaultQueryCache is how many translated queries are kept.
	DefaultQueryCache = 4096
	// MaxQueryRunes: longer texts are not queries but pasted letters;
	// they are not sent to a provider (that bills by the character).
	MaxQueryRunes = 200
	// unsupportedFor is how long a language the provider refused is not
	// asked for again (a provider gains languages rarely).
	unsupportedFor = time.Hour
)

// QueryTranslator translates search queries into German at search time,
// so that "شقة" also finds the offers that only have a German text
// ("Wohnung"). Answers are cached; a provider that is slow, down or
// paused by its Breaker makes ToGerman return false within the timeout,
// and the search goes on without. A nil *QueryTranslator (machine
// translation off) always returns false.
type QueryTranslator struct {
	p       Provider // a *Breaker
	timeout time.Duration
	now     func() time.Time
	cache   *lru.Cache[string, string]

	mu          sync.Mutex
	unsupported map[string]time.Time // language → until when it is not asked
}

// QueryOptions configure NewQueryTranslator; zero values are the defaults.
type QueryOptions struct {
	Timeout   time.Duration    // DefaultQueryTimeout
	CacheSize int              // DefaultQueryCache
	Now       func() time.Time // time.Now, for the breaker's cooldown too
}

// NewQueryTranslator translates through p, wrapped in a Breaker unless it
// is one (as FromConfig's providers are). p nil gives nil: off.
func NewQueryTranslator(p Provider, o QueryOptions) *QueryTranslator {
	if p == nil {
		return nil
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultQueryTimeout
	}
	if o.CacheSize <= 0 {
		o.CacheSize = DefaultQueryCache
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if _, ok := p.(*Breaker); !ok {
		p = NewBreaker(p, BreakerOptions{Now: o.Now})
	}
	cache, _ := lru.New[string, string](o.CacheSize) // only fails for a size <= 0
	return &QueryTranslator{p: p, timeout: o.Timeout, now: o.Now, cache: cache, unsupported: map[string]time.Time{}}
}

// ToGerman returns text translated from lang into German and true, or
// false if it cannot say (no provider, lang not supported, provider slow
// or down, text too long or empty). German text is returned as it is.
// It never takes longer than the timeout, whatever the provider does.
func (q *QueryTranslator) ToGerman(ctx context.Context, text, lang string) (string, bool) {
	text = strings.Join(strings.Fields(text), " ")
	if q == nil || text == "" || !IsLanguage(lang) || len([]rune(text)) > MaxQueryRunes {
		return "", false
	}
	if lang == "de" {
		return text, true
	}
	key := lang + "\x00" + strings.ToLower(text)
	if de, ok := q.cache.Get(key); ok {
		return de, true
	}
	if q.isUnsupported(lang) {
		return "", false
	}
	ctx, cancel := context.WithTimeout(ctx, q.timeout)
	defer cancel()
	type result struct {
		out []string
		err error
	}
	ch := make(chan result, 1) // the goroutine never blocks, even after a timeout
	go func() {
		out, err := q.p.Translate(ctx, []string{text}, lang, "de")
		ch <- result{out, err}
	}()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		return "", false
	}
	if errors.Is(r.err, ErrUnsupported) {
		q.mu.Lock()
		q.unsupported[lang] = q.now().Add(unsupportedFor)
		q.mu.Unlock()
	}
	if r.err != nil || len(r.out) != 1 || strings.TrimSpace(r.out[0]) == "" {
		return "", false
	}
	de := strings.TrimSpace(r.out[0])
	q.cache.Add(key, de)
	return de, true
}

func (q *QueryTranslator) isUnsupported(lang string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	until, ok := q.unsupported[lang]
	if ok && !q.now().Before(until) {
		delete(q.unsupported, lang)
		return false
	}
	return ok
}
