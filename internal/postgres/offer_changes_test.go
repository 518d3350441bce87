package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/sample"
	"github.com/netzbot/netzbot/internal/postgres"
)

// The result cache follows every change of the directory, whoever makes
// it (here: plain SQL, as another process would), and caches nothing while
// it cannot follow them.
func TestOfferCacheFollowsChangesFromAnyConnection(t *testing.T) {
	t.Parallel()
	s := sampleStore(t)
	c := offer.NewCache(s, offer.CacheOptions{})
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); postgres.WatchOfferChanges(ctx, s.Pool, nil, s, c) }()
	defer func() { stop(); <-done }()
	waitFor(t, "the cache to go live", c.Live)

	q := offer.ListQuery{Text: "Deutschkurs", Lang: "de", Today: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), Limit: 5}
	first, err := c.List(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Hits) == 0 {
		t.Fatal("no results for Deutschkurs")
	}
	again, err := c.List(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Error("the same search again was not answered from the cache")
	}
	if hits, _ := c.Stats(); hits != 1 {
		t.Errorf("cache hits %d, want 1", hits)
	}
	// Another language reads the same page (it holds every translation);
	// "my language first" does not.
	q2 := q
	q2.Lang = "ar"
	if p, _ := c.List(ctx, q2); p != first {
		t.Error("the same search in another language was not answered from the cache")
	}
	q2.Filters.MyLanguage = true
	if p, _ := c.List(ctx, q2); p == first {
		t.Error(`"my language first" got the page of the plain search`)
	}

	top := first.Hits[0].Offer
	card, err := c.Get(ctx, top.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := c.Get(ctx, top.ID); again != card {
		t.Error("the same card again was not answered from the cache")
	}

	// Renamed by someone else: the next search and card show the new title.
	if _, err := s.Pool.Exec(ctx, `UPDATE offer_texts SET title = 'Deutschkurs Neu am Abend' WHERE offer_id = $1 AND lang = 'de'`, top.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the renamed offer in the results", func() bool {
		p, err := c.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range p.Hits {
			if tx, _ := h.Offer.Text("de"); h.Offer.ID == top.ID && tx.Title == "Deutschkurs Neu am Abend" {
				return true
			}
		}
		return false
	})
	if o, err := c.Get(ctx, top.ID); err != nil {
		t.Fatal(err)
	} else if tx, _ := o.Text("de"); tx.Title != "Deutschkurs Neu am Abend" {
		t.Errorf("card after the change: %q", tx.Title)
	}

	// A word no offer holds yet, searched (and its expansion kept), then
	// imported by someone else: found.
	unknown := q
	unknown.Text = "Zauberflötenkurs"
	if p, err := c.List(ctx, unknown); err != nil || p.Total != 0 {
		t.Fatalf("before the import: %v, %v", p, err)
	}
	f, err := sample.File()
	if err != nil {
		t.Fatal(err)
	}
	extra := f.Offers[0]
	extra.ExternalID = "zauberfloete"
	extra.Texts = map[string]offer.Text{"de": {Title: "Zauberflötenkurs für Kinder", Description: "Musik am Nachmittag.", Status: offer.StatusOriginal}}
	f.Offers = append(f.Offers, extra)
	if _, err := (&postgres.OfferStore{Pool: s.Pool}).Import(ctx, f, sample.Name, postgres.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the imported offer in the results", func() bool {
		p, err := c.List(ctx, unknown)
		if err != nil {
			t.Fatal(err)
		}
		return p.Total == 1
	})

	// Not following changes any more: nothing is cached.
	stop()
	<-done
	if c.Live() {
		t.Fatal("cache still live after its watcher stopped")
	}
	a, _ := c.List(t.Context(), q)
	b, _ := c.List(t.Context(), q)
	if a == b {
		t.Error("a page was cached while changes were not followed")
	}
}

// A known search text keeps its id, and searching it again renews it in
// the search log, so that buttons carrying the id outlive the retention
// period counted from the first search.
func TestSavingAQueryAgainRenewsIt(t *testing.T) {
	t.Parallel()
	s := sampleStore(t)
	ctx := t.Context()
	id, err := s.SaveQuery(ctx, "Wohnung suchen")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool.Exec(ctx, `UPDATE search_queries SET created_at = now() - interval '40 days' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	again, err := s.SaveQuery(ctx, "Wohnung suchen")
	if err != nil || again != id {
		t.Fatalf("saved again: id %d, %v; want %d", again, err, id)
	}
	n, err := postgres.ExpireSearchLog(s.Pool)(ctx, time.Now().Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if text, err := s.Query(ctx, id); err != nil || text != "Wohnung suchen" {
		t.Errorf("query %d after retention (%d rows expired): %q, %v", id, n, text, err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
