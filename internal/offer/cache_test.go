package offer_test

import (
	"context"
	"testing"

	"github.com/netzbot/netzbot/internal/offer"
)

// slowStore answers List with a new page each time, after started is
// signalled and release is closed: a search still running while the
// directory changes.
type slowStore struct {
	offer.Store
	started chan struct{}
	release chan struct{}
}

func (s *slowStore) List(ctx context.Context, q offer.ListQuery) (*offer.Page, error) {
	if s.started != nil {
		s.started <- struct{}{}
		<-s.release
	}
	return &offer.Page{Total: 1}, nil
}

// A page worked out while the directory changed may be the old one: it
// must not be kept.
func TestCacheDropsAPageLoadedDuringAChange(t *testing.T) {
	s := &slowStore{started: make(chan struct{}), release: make(chan struct{})}
	c := offer.NewCache(s, offer.CacheOptions{})
	c.SetLive(true)
	q := offer.ListQuery{Text: "Deutschkurs", Lang: "de", Limit: 5}
	got := make(chan *offer.Page)
	go func() {
		p, err := c.List(t.Context(), q)
		if err != nil {
			t.Error(err)
		}
		got <- p
	}()
	<-s.started
	c.Invalidate()
	close(s.release)
	stale := <-got
	s.started = nil
	fresh, err := c.List(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == stale {
		t.Error("the page loaded during the change was kept")
	}
	if again, _ := c.List(t.Context(), q); again != fresh {
		t.Error("a page loaded without a change was not kept")
	}
}

// Until it is live (changes followed), every List asks the store.
func TestCacheIsOffUntilLive(t *testing.T) {
	c := offer.NewCache(&slowStore{}, offer.CacheOptions{})
	q := offer.ListQuery{Text: "Kita", Lang: "de", Limit: 5}
	a, _ := c.List(t.Context(), q)
	b, _ := c.List(t.Context(), q)
	if a == b {
		t.Error("cached before SetLive(true)")
	}
	c.SetLive(true)
	a, _ = c.List(t.Context(), q)
	b, _ = c.List(t.Context(), q)
	if a != b {
		t.Error("not cached while live")
	}
	c.SetLive(false)
	if b2, _ := c.List(t.Context(), q); b2 == b {
		t.Error("a page survived SetLive(false)")
	}
}

// A provisional page (made while the translator was down) is not kept:
// the next search tries again.
func TestCacheDoesNotKeepProvisionalPages(t *testing.T) {
	s := &countingStore{page: &offer.Page{Provisional: true}}
	c := offer.NewCache(s, offer.CacheOptions{})
	c.SetLive(true)
	for range 2 {
		if _, err := c.List(t.Context(), offer.ListQuery{Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if s.lists != 2 {
		t.Errorf("%d loads, want 2", s.lists)
	}
	s.page = &offer.Page{}
	for range 2 {
		c.List(t.Context(), offer.ListQuery{Text: "y"})
	}
	if s.lists != 3 {
		t.Errorf("%d loads, want 3 (the final page kept)", s.lists)
	}
}

// countingStore answers List with page and counts the calls.
type countingStore struct {
	offer.Store
	page  *offer.Page
	lists int
}

func (s *countingStore) List(ctx context.Context, q offer.ListQuery) (*offer.Page, error) {
	s.lists++
	return s.page, nil
}
