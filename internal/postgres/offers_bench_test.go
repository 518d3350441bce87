package postgres_test

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

// benchQueries are searched in both the real search and the naive scan.
var benchQueries = []string{
	"Deutschkurs", "Deutchkurs", "German course", "دورة لغة ألمانية", "курс німецької", "курсы немецкого языка",
	"Almanca kursu", "کلاس زبان آلمانی", "Wohnungssuche", "find a flat", "Jobcenter", "Kita",
	"psychotherapy", "Asylverfahren", "lawyer residence permit", "học tiếng Đức", "kursa almanî", "ትምህርቲ ጀርመንኛ",
	"curs de germană", "Frauencafé", "Fahrrad", "need help with Jobcenter letter",
}

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
			words := offer.Words(q)
			var pats []string
			for _, w := range words {
				pats = append(pats, "%"+w+"%")
			}
			t0 := time.Now()
			var n int
			if err := db.Pool.QueryRow(ctx, `
				SELECT count(DISTINCT t.offer_id) FROM offer_texts t JOIN offers o ON o.id = t.offer_id
				 WHERE o.active AND (t.title ILIKE ANY($1) OR t.description ILIKE ANY($1))`, pats).Scan(&n); err != nil {
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

// generateOffers writes n offers with a title and description in every
// shipped language, made from the category keywords and filler words, by
// COPY.
func generateOffers(ctx context.Context, db *pgtest.DB, n int) error {
	rng := rand.New(rand.NewSource(1))
	if _, err := db.Pool.Exec(ctx, `INSERT INTO organisations (external_id, name) SELECT 'gen-' || i, 'Generated organisation ' || i FROM generate_series(1, 50) i`); err != nil {
		return err
	}
	var orgIDs []int64
	rows, err := db.Pool.Query(ctx, `SELECT id FROM organisations ORDER BY id`)
	if err != nil {
		return err
	}
	orgIDs, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	filler := map[string][]string{}
	for _, l := range locale.Supported {
		for _, c := range offer.Categories {
			for _, k := range offer.Keywords[c.ID][l] {
				filler[l] = append(filler[l], strings.Fields(k)...)
			}
		}
	}
	offerRows := make([][]any, 0, n)
	for i := 0; i < n; i++ {
		c := offer.Categories[rng.Intn(len(offer.Categories))]
		lat, lon := 50.94+rng.Float64()*0.08, 10.98+rng.Float64()*0.09
		offerRows = append(offerRows, []any{int64(i + 1), fmt.Sprintf("gen-%d", i), orgIDs[rng.Intn(len(orgIDs))], c.ID,
			[]string{c.ID}, []string{"de", locale.Supported[rng.Intn(len(locale.Supported))]}, lat, lon, offer.Districts[rng.Intn(len(offer.Districts))]})
	}
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"offers"},
		[]string{"id", "external_id", "organisation_id", "category", "tags", "languages", "latitude", "longitude", "district"},
		pgx.CopyFromRows(offerRows)); err != nil {
		return err
	}
	if _, err := db.Pool.Exec(ctx, `SELECT setval('offers_id_seq', $1)`, n); err != nil {
		return err
	}
	textRows := make([][]any, 0, n*len(locale.Supported))
	for i, row := range offerRows {
		cat := row[3].(string)
		for _, l := range locale.Supported {
			kws := offer.Keywords[cat][l]
			title := kws[rng.Intn(len(kws))] + " " + filler[l][rng.Intn(len(filler[l]))] + fmt.Sprintf(" %d", i)
			var desc []string
			for j := 0; j < 14; j++ {
				desc = append(desc, filler[l][rng.Intn(len(filler[l]))])
			}
			textRows = append(textRows, []any{int64(i + 1), l, title, strings.Join(desc, " "), "original"})
		}
	}
	_, err = db.Pool.CopyFrom(ctx, pgx.Identifier{"offer_texts"}, []string{"offer_id", "lang", "title", "description", "status"}, pgx.CopyFromRows(textRows))
	return err
}
