package postgres_test

import (
	"fmt"
	"math"
	"slices"
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
	// Only ten best first: most searches need the fall-back, some are
	// sure by the cut-off.
	few := &postgres.OfferStore{Pool: db.Pool}
	postgres.BestCandidates(few, 10)
	full := &postgres.OfferStore{Pool: db.Pool}
	postgres.FullRanking(full)
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	filters := []offer.Filters{{}, {FreeOnly: true}, {}, {District: "Rieth"}, {FreeOnly: true, TargetGroup: "families"}}
	show := func(p *offer.Page) string {
		s := fmt.Sprint(p.Total)
		for _, h := range p.Hits {
			s += fmt.Sprintf(" %s:%.9g", h.Offer.ExternalID, h.Score)
		}
		return s
	}
	queries := offergen.Queries(200, 2)
	for i, q := range queries {
		f := filters[i%len(filters)]
		for _, offset := range []int{0, 55} {
			lq := offer.ListQuery{Text: q.Text, Lang: q.Lang, Today: today, Filters: f, Offset: offset, Limit: 5}
			b, err := full.List(ctx, lq)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []*postgres.OfferStore{fast, few} {
				a, err := s.List(ctx, lq)
				if err != nil {
					t.Fatal(err)
				}
				if show(a) != show(b) {
					t.Errorf("%s %q %+v offset %d:\n best candidates: %s\n all candidates:  %s", q.Lang, q.Text, f, offset, show(a), show(b))
				}
			}
		}
	}
}

// With "my language" and a location, results are the offers held in the
// reader's language first, each part by score divided by distance, with
// the distance of each.
func TestSearchRanksMyLanguageFirstThenByScoreAndDistance(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	s := &postgres.OfferStore{Pool: db.Pool}
	if err := s.BulkLoad(ctx, offergen.Generate(offergen.Options{Offers: 800, Seed: 5})); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	near := &offer.Point{Lat: 50.978, Lon: 11.03}
	// A generic word alone pulls no offer in by its text any more
	// (internal/search, Score): "курс" finds nothing, "Beratung", a
	// keyword of a category, lists that category only. The ranking is
	// checked on specific words.
	for _, text := range []string{"Beratung", "курс"} {
		p, err := s.List(ctx, offer.ListQuery{Text: text, Lang: "ar", Today: today, Near: near, Limit: 60})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range p.Hits {
			if text == "курс" || h.Offer.Category != "counselling" {
				t.Errorf("%q alone found %s (%s)", text, h.Offer.ExternalID, h.Offer.Category)
			}
		}
	}
	for _, text := range []string{"Schuldnerberatung", "курс немецкого", "Kita", "need help with Jobcenter letter"} {
		p, err := s.List(ctx, offer.ListQuery{Text: text, Lang: "ar", Today: today, Near: near, Limit: 60,
			Filters: offer.Filters{MyLanguage: true}})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Hits) < 10 {
			t.Fatalf("%q: %d results", text, len(p.Hits))
		}
		lastMine, lastRank := true, math.Inf(1)
		for _, h := range p.Hits {
			mine := slices.Contains(h.Offer.Languages, "ar")
			rank := h.Score
			if h.Offer.Venue.HasCoords {
				d := haversine(near.Lat, near.Lon, h.Offer.Venue.Lat, h.Offer.Venue.Lon)
				if math.Abs(d-h.DistanceM) > 0.01 {
					t.Errorf("%q %s: distance %.2f, want %.2f", text, h.Offer.ExternalID, h.DistanceM, d)
				}
				rank = h.Score / (1 + d/15000)
			} else if h.DistanceM != -1 {
				t.Errorf("%q %s: distance %.2f without coordinates", text, h.Offer.ExternalID, h.DistanceM)
			}
			switch {
			case mine && !lastMine:
				t.Errorf("%q %s: held in Arabic after one that is not", text, h.Offer.ExternalID)
			case mine == lastMine && rank > lastRank+1e-9:
				t.Errorf("%q %s: rank %.4f after %.4f", text, h.Offer.ExternalID, rank, lastRank)
			}
			if mine != lastMine {
				lastRank = math.Inf(1)
			}
			lastMine, lastRank = mine, rank
		}
	}
}

func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	a := math.Pow(math.Sin(rad(lat2-lat1)/2), 2) + math.Cos(rad(lat1))*math.Cos(rad(lat2))*math.Pow(math.Sin(rad(lon2-lon1)/2), 2)
	return 12742000 * math.Asin(math.Sqrt(a))
}
