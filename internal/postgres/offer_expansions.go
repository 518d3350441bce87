package postgres

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// A search's first round trip, the expansion of its words into forms and
// postings, depends on the words alone, not on the filters, the reader's
// language or the page. The offer.Cache in front of the store keeps whole
// pages; this keeps expansions, so that the same words on another page or
// with other filters cost one round trip instead of two. Like the pages,
// expansions are kept only while the directory's changes are followed
// (WatchOfferChanges calls Invalidate and SetLive).

// expansionCache is the OfferStore's; its zero value keeps nothing.
type expansionCache struct {
	mu   sync.Mutex
	gen  uint64 // bumped by every change
	live bool
	lru  *expirable.LRU[string, *expansion]
}

// Invalidate forgets every expansion: the directory changed.
func (s *OfferStore) Invalidate() {
	c := &s.expansions
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if c.lru != nil {
		c.lru.Purge()
	}
}

// SetLive starts keeping expansions while changes are followed and stops
// (forgetting them) when they are not.
func (s *OfferStore) SetLive(live bool) {
	c := &s.expansions
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.live = live
	if c.lru == nil && live {
		c.lru = expirable.NewLRU[string, *expansion](1024, nil, 10*time.Minute)
	}
	if c.lru != nil {
		c.lru.Purge()
	}
}

// expandCached is expand, remembered while live. An expansion is only read
// after it is made (score), so one may serve many searches at once.
func (s *OfferStore) expandCached(ctx context.Context, words []string) (*expansion, error) {
	c := &s.expansions
	key := strings.Join(words, "\x00")
	c.mu.Lock()
	live, gen, lru := c.live, c.gen, c.lru
	c.mu.Unlock()
	if !live {
		return s.expand(ctx, words)
	}
	if ex, ok := lru.Get(key); ok {
		return ex, nil
	}
	ex, err := s.expand(ctx, words)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.live && c.gen == gen { // no change meanwhile: ex is current
		lru.Add(key, ex)
	}
	c.mu.Unlock()
	return ex, nil
}
