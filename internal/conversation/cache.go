package conversation

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Cache keeps recent sessions of a SessionStore in memory: opening a
// session is the one database round trip every update pays, and most
// updates (a search, a page turn) change nothing in it.
//
// It keeps nothing unless it is Live, that is while whoever writes
// sessions tells it (postgres.Follow): Forget as soon as this
// process's own write of a user's session commits, and on every change
// announced by other processes. While live, Open answers from memory when
// it can, and loads from the store otherwise.
//
// Changes from other processes arrive a moment after they commit, so a
// Cache must only run where this process is the one handling updates
// (polling: Telegram gives updates to one poller), not behind a webhook
// with several replicas.
type Cache struct {
	Store SessionStore
	// Size bounds how many users are kept (default 10 000).
	Size int
	// TTL bounds how long a session is kept (default 10 minutes), a second
	// line of defence. It must be far longer than a load takes.
	TTL time.Duration
	// Now is the clock for TTL (default time.Now).
	Now func() time.Time

	mu      sync.Mutex // orders forgetting against keeping
	seq     uint64     // bumped by every Forget and ForgetAll
	evicted uint64     // highest seq of a forgotten entry no longer in lru
	lru     *simplelru.LRU[int64, cached]
	live    atomic.Bool

	hits, misses atomic.Int64
}

// cached is a kept session, or (s nil) the mark that a user's session was
// forgotten at seq at, so a load that began before cannot keep its result.
type cached struct {
	at   uint64
	s    *Session
	kept time.Time
}

var _ SessionStore = (*Cache)(nil)

// Open returns the user's session from memory if it is kept, the user is
// active and Telegram reports the same language (otherwise the store must
// touch the user); from the store otherwise.
func (c *Cache) Open(ctx context.Context, userID int64, telegramLanguage string) (*Session, error) {
	if !c.live.Load() {
		return c.Store.Open(ctx, userID, telegramLanguage)
	}
	c.mu.Lock()
	seq := c.seq
	e, ok := c.lookup(userID)
	c.mu.Unlock()
	if ok && e.s != nil && e.s.User.Active && e.s.User.TelegramLanguage == telegramLanguage &&
		c.now().Sub(e.kept) < c.ttl() {
		c.hits.Add(1)
		return e.s.clone(), nil
	}
	c.misses.Add(1)
	s, err := c.Store.Open(ctx, userID, telegramLanguage)
	if err != nil {
		return nil, err
	}
	c.keep(userID, seq, s.clone())
	return s, nil
}

// lookup finds userID's entry (making it recent); c.mu must be held.
func (c *Cache) lookup(userID int64) (cached, bool) {
	if c.lru == nil {
		return cached{}, false
	}
	e, ok := c.lru.Get(userID)
	return e, ok
}

// keep stores s, loaded by a load that began at seq, unless the user's
// session was forgotten since (the load may predate that change).
func (c *Cache) keep(userID int64, seq uint64, s *Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live.Load() || c.lru == nil {
		return
	}
	e, ok := c.lru.Peek(userID)
	switch {
	case ok && e.at > seq:
		return // forgotten after the load began, or a later load is kept
	case !ok && c.evicted > seq:
		return // a mark that would tell may have been evicted
	}
	c.lru.Add(userID, cached{at: seq, s: s, kept: c.now()})
}

// Forget drops the sessions of userIDs: they changed, or are about to be
// seen changed by everyone.
func (c *Cache) Forget(userIDs ...int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	if c.lru == nil {
		return
	}
	for _, id := range userIDs {
		c.lru.Add(id, cached{at: c.seq})
	}
}

// ForgetAll drops every session.
func (c *Cache) ForgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetAll()
}

func (c *Cache) forgetAll() {
	c.seq++
	c.evicted = c.seq
	if c.lru != nil {
		c.lru.Purge()
	}
}

// SetLive starts keeping sessions once changes are followed, and stops
// (forgetting them all) when they no longer are.
func (c *Cache) SetLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lru == nil && live {
		size := c.Size
		if size <= 0 {
			size = 10_000
		}
		c.lru, _ = simplelru.NewLRU(size, func(_ int64, e cached) {
			// Called under c.mu, from Add.
			c.evicted = max(c.evicted, e.at)
		})
	}
	c.forgetAll()
	c.live.Store(live)
}

// Live reports whether sessions are kept.
func (c *Cache) Live() bool { return c.live.Load() }

// Stats are the opens answered from memory and those that loaded while
// live.
func (c *Cache) Stats() (hits, misses int64) { return c.hits.Load(), c.misses.Load() }

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Cache) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return 10 * time.Minute
}

// clone copies what handlers may change: the user and the flow data.
func (s *Session) clone() *Session {
	c := *s
	if s.User != nil {
		u := *s.User
		c.User = &u
	}
	c.State.Data = maps.Clone(s.State.Data)
	return &c
}
