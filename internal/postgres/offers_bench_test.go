package postgres_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/offerbench"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

// benchQueries are searched in both the real search and the naive scan;
// scenario 2 of `netzbot bench` shares them (internal/offer/offerbench).
var benchQueries = offerbench.Queries

// BenchmarkOfferSearch searches 10 000 offers with texts in all 12 languages
// (generated, loaded by COPY) and reports the search's p50/p95 latency next
// to a naive ILIKE '%…%' scan over the same data, measured in the same run:
//
//	go test -run '^$' -bench OfferSearch ./internal/postgres/
func BenchmarkOfferSearch(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)
	s := &postgres.OfferStore{Pool: db.Pool}
	start := time.Now()
	if err := generateOffers(ctx, db, 10000); err != nil {
		b.Fatal(err)
	}
	if err := s.Reindex(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated and indexed 10000 offers × 12 languages in %s", time.Since(start).Round(time.Millisecond))
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	search := func(q string) {
		if _, err := s.List(ctx, offer.ListQuery{Text: q, Lang: "de", Today: today, Limit: 5}); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range benchQueries { // warm up caches and plans
		search(q)
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := benchQueries[i%len(benchQueries)]
		t0 := time.Now()
		search(q)
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	// The naive scan: every text, every word, ILIKE '%word%'.
	var naive []time.Duration
	for round := 0; round < 2; round++ {
		for _, q := range benchQueries {
			t0 := time.Now()
			if _, err := offerbench.NaiveScan(ctx, db.Pool, q); err != nil {
				b.Fatal(err)
			}
			naive = append(naive, time.Since(t0))
		}
	}
	p50, p95 := percentile(lat, 50), percentile(lat, 95)
	n50 := percentile(naive, 50)
	b.ReportMetric(ms(p50), "p50_ms")
	b.ReportMetric(ms(p95), "p95_ms")
	b.ReportMetric(ms(n50), "naive_p50_ms")
	b.ReportMetric(float64(n50)/float64(p50), "speedup_p50_x")
	b.ReportMetric(float64(percentile(naive, 95))/float64(p95), "speedup_p95_x")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)]
}

// generateOffers writes n offers in all 12 languages by COPY; the
// generator is shared with `netzbot bench` (internal/offer/offerbench).
func generateOffers(ctx context.Context, db *pgtest.DB, n int) error {
	return offerbench.Generate(ctx, db.Pool, n)
}
