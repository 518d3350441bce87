package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/offergen"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

// A search ranks only its best candidates when results go by score alone,
// and falls back to ranking all when it cannot be sure that gives the same
// results (filters leave too few). Both must give the same pages, totals
// and scores, with and without filters, on the first page and the last.
func TestRankingTheBestCandidatesGivesTheSameResultsAsRankingAll(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	fast := &postgres.OfferStore{Pool: db.Pool}
	if err := fast.BulkLoad(ctx, offergen.Generate(offergen.Options{Offers: 2500, Seed: 3})); err != nil {
		t.Fatal(err)
	}
	full := &postgres.OfferStore{Pool: db.Pool}
	postgres.FullRanking(full)
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	filters := []offer.Filters{{}, {FreeOnly: true}, {TargetGroup: "refugees"}, {District: "Rieth"}, {FreeOnly: true, TargetGroup: "families"}}
	show := func(p *offer.Page) string {
		s := fmt.Sprint(p.Total)
		for _, h := range p.Hits {
			s += fmt.Sprintf(" %s:%.9g", h.Offer.ExternalID, h.Score)
		}
		return s
	}
	queries := offergen.Queries(240, 2)
	for i, q := range queries {
		f := filters[i%len(filters)]
		for _, offset := range []int{0, 55} {
			lq := offer.ListQuery{Text: q.Text, Lang: q.Lang, Today: today, Filters: f, Offset: offset, Limit: 5}
			a, err := fast.List(ctx, lq)
			if err != nil {
				t.Fatal(err)
			}
			b, err := full.List(ctx, lq)
			if err != nil {
				t.Fatal(err)
			}
			if show(a) != show(b) {
				t.Errorf("%s %q %+v offset %d:\n best candidates: %s\n all candidates:  %s", q.Lang, q.Text, f, offset, show(a), show(b))
			}
		}
	}
}
