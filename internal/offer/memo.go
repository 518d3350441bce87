package offer

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// Memo keeps values worked out from the directory (result pages, cards,
// a search's expansion) while changes of the directory are followed:
// whoever follows them calls Invalidate on every change and SetLive when
// following starts and stops (postgres.Follow). While not live
// it keeps nothing. Entries also expire, as a second line of defence.
//
// Its zero value keeps up to 1024 values for 10 minutes. Values are shared
// between callers: read-only.
type Memo[K comparable, V any] struct {
	// Size and TTL bound what is kept; set them before first use.
	Size int
	TTL  time.Duration

	mu   sync.Mutex // orders Invalidate against keeping a value
	gen  uint64     // bumped by every change, under mu
	live atomic.Bool
	lru  *expirable.LRU[K, V] // made on the first SetLive(true)

	hits, misses atomic.Int64
}

// Load returns k's value, from memory or from load. A value loaded while
// the directory changed may or may not include the change: it is not kept.
func (m *Memo[K, V]) Load(k K, load func() (V, error)) (V, error) {
	return m.LoadKeeping(k, load, nil)
}

// LoadKeeping is Load that keeps a loaded value only if keep (nil: all)
// says so: a value made without a source that was down is not kept.
func (m *Memo[K, V]) LoadKeeping(k K, load func() (V, error), keep func(V) bool) (V, error) {
	if !m.live.Load() {
		return load()
	}
	m.mu.Lock()
	gen, lru := m.gen, m.lru
	m.mu.Unlock()
	if v, ok := lru.Get(k); ok {
		m.hits.Add(1)
		return v, nil
	}
	m.misses.Add(1)
	v, err := load()
	if err != nil {
		return v, err
	}
	m.mu.Lock()
	if m.gen == gen && m.live.Load() && (keep == nil || keep(v)) {
		m.lru.Add(k, v)
	}
	m.mu.Unlock()
	return v, nil
}

// Invalidate forgets every value: the directory changed.
func (m *Memo[K, V]) Invalidate() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	if m.lru != nil {
		m.lru.Purge()
	}
}

// SetLive starts keeping values while changes are followed, and stops
// (forgetting them) when they are not.
func (m *Memo[K, V]) SetLive(live bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	if m.lru == nil && live {
		size, ttl := m.Size, m.TTL
		if size <= 0 {
			size = 1024
		}
		if ttl <= 0 {
			ttl = 10 * time.Minute
		}
		m.lru = expirable.NewLRU[K, V](size, nil, ttl)
	}
	if m.lru != nil {
		m.lru.Purge()
	}
	m.live.Store(live)
}

// Live reports whether values are kept.
func (m *Memo[K, V]) Live() bool { return m.live.Load() }

// Stats are the lookups answered from memory and those that loaded while
// live.
func (m *Memo[K, V]) Stats() (hits, misses int64) { return m.hits.Load(), m.misses.Load() }
