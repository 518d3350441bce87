// Package offerbench holds the generated offer data and the queries that
// the search benchmarks share: BenchmarkOfferSearch in internal/postgres
// and scenario 2 of `netzbot bench` (internal/bench).
package offerbench

import (
	"context"
	"fmt"
	"math/rand"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/offer"
)

// Queries are searched in both the real search and the naive scan.
var Queries = []string{
	"Deutschkurs", "Deutchkurs", "German course", "دورة لغة ألمانية", "курс німецької", "курсы немецкого языка",
	"Almanca kursu", "کلاس زبان آلمانی", "Wohnungssuche", "find a flat", "Jobcenter", "Kita",
	"psychotherapy", "Asylverfahren", "lawyer residence permit", "học tiếng Đức", "kursa almanî", "ትምህርቲ ጀርመንኛ",
	"curs de germană", "Frauencafé", "Fahrrad", "need help with Jobcenter letter",
}

// Generate writes n offers with a title and description in every shipped
// language, made from the category keywords and filler words, by COPY
// (ids 1..n, 50 organisations). The search index is not built: call
// OfferStore.Reindex afterwards.
func Generate(ctx context.Context, pool *pgxpool.Pool, n int) error {
	rng := rand.New(rand.NewSource(1))
	if _, err := pool.Exec(ctx, `INSERT INTO organisations (external_id, name) SELECT 'gen-' || i, 'Generated organisation ' || i FROM generate_series(1, 50) i`); err != nil {
		return err
	}
	var orgIDs []int64
	rows, err := pool.Query(ctx, `SELECT id FROM organisations ORDER BY id`)
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
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"offers"},
		[]string{"id", "external_id", "organisation_id", "category", "tags", "languages", "latitude", "longitude", "district"},
		pgx.CopyFromRows(offerRows)); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `SELECT setval('offers_id_seq', $1)`, n); err != nil {
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
	_, err = pool.CopyFrom(ctx, pgx.Identifier{"offer_texts"}, []string{"offer_id", "lang", "title", "description", "status"}, pgx.CopyFromRows(textRows))
	return err
}

// NaiveScan is the baseline a search is measured against: every text of
// every active offer, every query word as ILIKE '%word%'. It returns how
// many offers match.
func NaiveScan(ctx context.Context, pool *pgxpool.Pool, query string) (int, error) {
	var pats []string
	for _, w := range offer.Words(query) {
		pats = append(pats, "%"+w+"%")
	}
	var n int
	err := pool.QueryRow(ctx, `
		SELECT count(DISTINCT t.offer_id) FROM offer_texts t JOIN offers o ON o.id = t.offer_id
		 WHERE o.active AND (t.title ILIKE ANY($1) OR t.description ILIKE ANY($1))`, pats).Scan(&n)
	return n, err
}
