package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/netzbot/netzbot/internal/search"
)

// A search's first round trip, the expansion of its words into forms and
// postings, depends on the words alone, not on the filters, the reader's
// language or the page. The offer.Cache in front of the store keeps whole
// pages; the store keeps expansions (OfferStore.expansions, an
// offer.Memo), so that the same words on another page or with other
// filters cost one round trip instead of two. Like the pages, expansions
// are kept only while the directory's changes are followed
// (Follow calls Invalidate and SetLive).

// Invalidate forgets every expansion: the directory changed (perhaps the
// office's lexicon additions too, which SyncKeywords then loads).
func (s *OfferStore) Invalidate() {
	s.expansions.Invalidate()
	s.recheck.Store(true)
}

// SetLive starts keeping expansions while changes are followed and stops
// (forgetting them) when they are not.
func (s *OfferStore) SetLive(live bool) { s.expansions.SetLive(live) }

// expandCached is expand, remembered while live. An expansion is only read
// after it is made (score), so one may serve many searches at once.
func (s *OfferStore) expandCached(ctx context.Context, words []string, nwords int, exact []string) (*search.Expansion, error) {
	key := strings.Join(words, "\x00") + "\x01" + strconv.Itoa(nwords) + "\x01" + strings.Join(exact, "\x00")
	return s.expansions.Load(key, func() (*search.Expansion, error) { return s.expand(ctx, words, nwords, exact) })
}
