package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/offerbench"
	"github.com/netzbot/netzbot/internal/postgres"
)

// Search is scenario 2: netzbot's offer search (postgres.OfferStore.List,
// issue 3) over generated offers with texts in all 12 languages, against
// the naive ILIKE '%word%' scan over the same data as baseline. Data,
// queries and the scan are the ones of BenchmarkOfferSearch
// (internal/offer/offerbench), plus the category keywords of every
// language and synthetic typos of both.
type Search struct{}

// Name implements Scenario.
func (*Search) Name() string { return "search" }

// Run implements Scenario.
func (s *Search) Run(ctx context.Context, env *Env) ([]Result, error) {
	offers := env.Size(10000, 2000, 50)
	n := env.Size(2000, 300, 20)
	naiveN := env.Size(200, 40, 5)
	// A slow search must not blow the run's time budget: each side stops
	// after this long and reports how many queries it ran.
	budget := 60 * time.Second
	if env.Quick {
		budget = 8 * time.Second
	}

	pool, _, err := env.Database(ctx, "search", false)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	store := &postgres.OfferStore{Pool: pool}
	env.Progressf("search: generating %d offers × %d languages", offers, len(locale.Supported))
	began := time.Now()
	if err := offerbench.Generate(ctx, pool, offers); err != nil {
		return nil, fmt.Errorf("generate offers: %w", err)
	}
	if err := store.Reindex(ctx); err != nil {
		return nil, fmt.Errorf("index offers: %w", err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		return nil, err
	}
	env.Progressf("search: generated and indexed in %s", time.Since(began).Round(100*time.Millisecond))

	qs := searchQueries(n)
	today := time.Now()
	search := func(q searchQuery) error {
		_, err := store.List(ctx, offer.ListQuery{Text: q.text, Lang: q.lang, Today: today, Limit: 5})
		return err
	}
	for _, q := range qs[:min(20, len(qs))] { // warm caches and plans
		if err := search(q); err != nil {
			return nil, fmt.Errorf("search %q: %w", q.text, err)
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
			return nil, fmt.Errorf("search %q: %w", q.text, err)
		}
		lat = append(lat, time.Since(t0))
	}
	env.Progressf("search: naive ILIKE scan, %d queries", naiveN)
	var naive []time.Duration
	start = time.Now()
	for _, q := range qs[:min(naiveN, len(qs))] {
		if time.Since(start) > budget {
			break
		}
		t0 := time.Now()
		if _, err := offerbench.NaiveScan(ctx, pool, q.text); err != nil {
			return nil, fmt.Errorf("naive scan %q: %w", q.text, err)
		}
		naive = append(naive, time.Since(t0))
	}
	sortDurations(lat)
	sortDurations(naive)
	p50, p95 := percentile(lat, 50), percentile(lat, 95)
	n50, n95 := percentile(naive, 50), percentile(naive, 95)
	speed50, speed95 := float64(n50)/float64(p50), float64(n95)/float64(p95)
	ok := p95 < 5*time.Millisecond && min(speed50, speed95) >= 20
	notes := fmt.Sprintf("%s offers × 12 languages (offerbench.Generate, as BenchmarkOfferSearch); %d of %d queries run (BenchmarkOfferSearch's, "+
		"category keywords of all 12 languages, one-letter typos of both), %d naive scans of the same queries; OfferStore.List, first page of 5",
		thousands(offers), len(lat), len(qs), len(naive))
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

type searchQuery struct{ text, lang string }

// searchQueries draws n queries: BenchmarkOfferSearch's (read in German),
// every category keyword in its language, and a one-letter typo (a letter
// dropped, doubled or swapped with the next) in a third of them.
func searchQueries(n int) []searchQuery {
	var base []searchQuery
	for _, q := range offerbench.Queries {
		base = append(base, searchQuery{q, "de"})
	}
	cats := make([]string, 0, len(offer.Keywords))
	for c := range offer.Keywords {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		for _, l := range locale.Supported {
			for _, k := range offer.Keywords[c][l] {
				base = append(base, searchQuery{k, l})
			}
		}
	}
	rng := rand.New(rand.NewPCG(2, 3))
	out := make([]searchQuery, 0, n)
	for i := range n {
		q := base[i%len(base)]
		if i >= len(base) {
			q = base[rng.IntN(len(base))]
		}
		if rng.IntN(3) == 0 {
			q.text = typo(q.text, rng)
		}
		out = append(out, q)
	}
	rng.Shuffle(len(out), func(a, b int) { out[a], out[b] = out[b], out[a] })
	return out
}

// typo changes one letter of the query's longest word.
func typo(q string, rng *rand.Rand) string {
	words := strings.Fields(q)
	if len(words) == 0 {
		return q
	}
	wi := 0
	for i, w := range words {
		if len([]rune(w)) > len([]rune(words[wi])) {
			wi = i
		}
	}
	r := []rune(words[wi])
	if len(r) < 5 {
		return q
	}
	i := 1 + rng.IntN(len(r)-2)
	switch rng.IntN(3) {
	case 0: // dropped
		r = append(r[:i:i], r[i+1:]...)
	case 1: // doubled
		r = append(r[:i+1:i+1], r[i:]...)
	default: // swapped
		r[i], r[i+1] = r[i+1], r[i]
	}
	words[wi] = string(r)
	return strings.Join(words, " ")
}

// pending is the row of a scenario whose feature is not there yet.
func pending(scenario, target, why string) Result {
	return Result{Scenario: scenario, Netzbot: "—", Baseline: "—", Ratio: "—", Target: target, Verdict: Skip, Notes: why}
}
