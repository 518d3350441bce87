package postgres_test

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/offergen"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

// BenchmarkOfferSearch searches a generated directory of 10 000 offers with
// texts in all 12 languages (internal/offer/offergen: ordinary prose with a
// few domain terms) and reports the search's p50/p95 latency next to a
// naive ILIKE '%…%' scan over the same texts, measured in the same run.
// The queries are the search quality set and synthetic typos of it, each
// searched in its own language:
//
//	go test -run '^$' -bench OfferSearch -benchtime=2000x ./internal/postgres/
func BenchmarkOfferSearch(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)
	s := &postgres.OfferStore{Pool: db.Pool}
	start := time.Now()
	f := offergen.Generate(offergen.Options{Offers: 10000, Seed: 1})
	if err := s.BulkLoad(ctx, f); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated and indexed %d offers × 12 languages in %s; load average %s", len(f.Offers),
		time.Since(start).Round(time.Millisecond), loadAverage())
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	queries := offergen.Queries(400, 1)
	search := func(q offergen.Query) {
		if _, err := s.List(ctx, offer.ListQuery{Text: q.Text, Lang: q.Lang, Today: today, Limit: 5}); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range queries { // warm up caches and the pool's connections
		search(q)
	}

	var lat []time.Duration
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		t0 := time.Now()
		search(q)
		lat = append(lat, time.Since(t0))
	}

	// The naive scan takes about a second a query: every tenth query.
	var naive []time.Duration
	for j := 0; j < len(queries); j += 10 {
		t0 := time.Now()
		if _, err := s.NaiveScan(ctx, queries[j].Text); err != nil {
			b.Fatal(err)
		}
		naive = append(naive, time.Since(t0))
	}
	p50, p95 := percentile(lat, 50), percentile(lat, 95)
	n50, n95 := percentile(naive, 50), percentile(naive, 95)
	b.ReportMetric(ms(p50), "p50_ms")
	b.ReportMetric(ms(p95), "p95_ms")
	b.ReportMetric(ms(n50), "naive_p50_ms")
	b.ReportMetric(ms(n95), "naive_p95_ms")
	b.ReportMetric(float64(n50)/float64(p50), "speedup_p50_x")
	b.ReportMetric(float64(n95)/float64(p95), "speedup_p95_x")
	b.Logf("%d searches, %d naive scans; load average %s", len(lat), len(naive), loadAverage())
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

// loadAverage is the machine's 1, 5 and 15 minute load average, to judge
// a run on a shared machine.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
