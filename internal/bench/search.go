package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/offergen"
	"github.com/netzbot/netzbot/internal/postgres"
)

// Search is scenario 2: netzbot's offer search (postgres.OfferStore.List,
// issue 3) over generated offers with texts in all 12 languages, against
// the naive ILIKE '%word%' scan (OfferStore.NaiveScan) over the same data
// as baseline. Data and queries are those of BenchmarkOfferSearch: the
// offergen directory (loaded with OfferStore.BulkLoad) and offergen.Queries
// (the search quality set of internal/offer/sample and synthetic typos).
type Search struct{}

// Name implements Scenario.
func (*Search) Name() string { return "search" }

// Run implements Scenario.
func (s *Search) Run(ctx context.Context, env *Env) ([]Result, error) {
	offers := env.Size(10000, 1000, 50)
	n := env.Size(2000, 300, 20)
	naiveN := env.Size(200, 40, 5)
	budget := env.budget() // each side stops after it and says so

	pool, _, err := env.Database(ctx, "search", false)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	store := &postgres.OfferStore{Pool: pool}
	env.Progressf("search: generating %d offers × %d languages", offers, len(locale.Supported))
	began := time.Now()
	if err := store.BulkLoad(ctx, offergen.Generate(offergen.Options{Offers: offers, Seed: 1})); err != nil {
		return nil, fmt.Errorf("load offers: %w", err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		return nil, err
	}
	env.Progressf("search: generated and indexed in %s", time.Since(began).Round(100*time.Millisecond))

	qs := offergen.Queries(n, 1)
	typos := 0
	for _, q := range qs {
		if q.Typo {
			typos++
		}
	}
	today := time.Now()
	search := func(q offergen.Query) error {
		_, err := store.List(ctx, offer.ListQuery{Text: q.Text, Lang: q.Lang, Today: today, Limit: 5})
		return err
	}
	for _, q := range qs[:min(20, len(qs))] { // warm caches and plans
		if err := search(q); err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
	}
	env.Progressf("search: %d queries", len(qs))
	var lat []time.Duration
	start := time.Now()
	for _, q := range qs {
		if time.Since(start) > budget {
			break
		}
		t0 := time.Now()
		if err := search(q); err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
		lat = append(lat, time.Since(t0))
	}
	env.Progressf("search: naive ILIKE scan, %d of the queries", naiveN)
	var naive []time.Duration
	start = time.Now()
	step := max(len(qs)/naiveN, 1)
	for i := 0; i < len(qs) && len(naive) < naiveN; i += step {
		if time.Since(start) > budget {
			break
		}
		t0 := time.Now()
		if _, err := store.NaiveScan(ctx, qs[i].Text); err != nil {
			return nil, fmt.Errorf("naive scan %q: %w", qs[i].Text, err)
		}
		naive = append(naive, time.Since(t0))
	}
	sortDurations(lat)
	sortDurations(naive)
	p50, p95 := percentile(lat, 50), percentile(lat, 95)
	n50, n95 := percentile(naive, 50), percentile(naive, 95)
	speed50, speed95 := float64(n50)/float64(p50), float64(n95)/float64(p95)
	ok := p95 < 5*time.Millisecond && min(speed50, speed95) >= 20
	notes := fmt.Sprintf("%s offers × 12 languages (offergen, BulkLoad); %d of %d queries run (offergen.Queries: the quality set, %d synthetic typos), "+
		"%d naive scans of every %dth; OfferStore.List (the store itself: the bot's result cache is not in the way), first page of 5",
		thousands(offers), len(lat), len(qs), typos, len(naive), step)
	if len(lat) < len(qs) {
		notes += fmt.Sprintf("; stopped after %s", budget)
	}
	return []Result{{
		Scenario: "2. search",
		Netzbot:  fmt.Sprintf("p50 %s, p95 %s", ms(p50), ms(p95)),
		Baseline: fmt.Sprintf("p50 %s, p95 %s (ILIKE scan)", ms(n50), ms(n95)),
		Ratio:    fmt.Sprintf("%.1f× faster (p50), %.1f× (p95)", speed50, speed95),
		Target:   "p95 < 5 ms, ≥ 20× faster",
		Verdict:  verdict(ok),
		Notes:    notes,
	}}, nil
}

// pending is the row of a scenario whose feature is not there yet.
func pending(scenario, target, why string) Result {
	return Result{Scenario: scenario, Netzbot: "—", Baseline: "—", Ratio: "—", Target: target, Verdict: Skip, Notes: why}
}
