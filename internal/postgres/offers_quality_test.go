package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/sample"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

// sampleStore is a database with the sample offers imported.
func sampleStore(t *testing.T) *postgres.OfferStore {
	t.Helper()
	db := pgtest.New(t)
	s := &postgres.OfferStore{Pool: db.Pool}
	f, err := sample.File()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(t.Context(), f, sample.Name, postgres.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSearchQualityPrecisionAt3(t *testing.T) {
	s := sampleStore(t)
	ctx := t.Context()
	today := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	langs := map[string]bool{}
	var mu sync.Mutex
	var failed []string
	hits := 0
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, c := range sample.Queries {
		langs[c.Lang] = true
		wg.Add(1)
		sem <- struct{}{}
		go func(c sample.Query) {
			defer wg.Done()
			defer func() { <-sem }()
			ok, got := topThree(ctx, t, s, c, today)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				hits++
			} else {
				failed = append(failed, fmt.Sprintf("%s %q: want %s, got %s", c.Lang, c.Text, c.Want, got))
			}
		}(c)
	}
	wg.Wait()
	if len(sample.Queries) < 150 || len(langs) < 10 {
		t.Errorf("%d queries in %d languages; want at least 150 in 10", len(sample.Queries), len(langs))
	}
	p := float64(hits) / float64(len(sample.Queries))
	fmt.Printf("search quality: precision@3 = %.1f%% (%d of %d queries in %d languages)\n", 100*p, hits, len(sample.Queries), len(langs))
	for _, f := range failed {
		t.Log("miss: " + f)
	}
	if p < 0.95 {
		t.Errorf("precision@3 %.1f%% is under 95%%", 100*p)
	}
}

func topThree(ctx context.Context, t *testing.T, s *postgres.OfferStore, c sample.Query, today time.Time) (bool, string) {
	page, err := s.List(ctx, offer.ListQuery{Text: c.Text, Lang: c.Lang, Today: today, Limit: 3})
	if err != nil {
		t.Errorf("%q: %v", c.Text, err)
		return false, err.Error()
	}
	var got []string
	inCat := 0
	found := false
	for _, h := range page.Hits {
		got = append(got, h.Offer.ExternalID+"("+h.Offer.Category+")")
		if h.Offer.ExternalID == c.Want {
			found = true
		}
		if "cat:"+h.Offer.Category == c.Want {
			inCat++
		}
	}
	if strings.HasPrefix(c.Want, "cat:") {
		found = inCat >= 2
	}
	return found, "[" + strings.Join(got, " ") + "]"
}
