package postgres

import (
	"cmp"
	"context"
	"fmt"

	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/search"
)

// What a search reads and how it is ranked is internal/search's; this
// file loads it (expand, offer_search_expand.go), filters the candidates
// in the database and orders them with "my language" and distance.
const (
	// relativeCutoff drops results scoring under this share of the best.
	relativeCutoff = 0.2
	// nearRadiusM is how far "near me" looks.
	nearRadiusM = 30000
	maxResults  = 60
	// candidates is how many of the best text matches the results are
	// chosen from when they are ordered by score alone; if the filters
	// leave too few of them to be sure, they are chosen again from all
	// matches (see search and rank).
	candidates = 2 * maxResults
)

// List returns a page of current offers: search results best first, a
// category, or the offers nearest to q.Near.
func (s *OfferStore) List(ctx context.Context, q offer.ListQuery) (*offer.Page, error) {
	if err := s.SyncKeywords(ctx); err != nil {
		return nil, err
	}
	if q.Limit <= 0 {
		q.Limit = 5
	}
	if q.Text != "" {
		return s.search(ctx, q)
	}
	page, err := s.browse(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(page.Hits) == 0 && q.Offset > 0 { // a page past the end: count again from the start
		q.Offset, q.Limit = 0, 1
		p, err := s.browse(ctx, q)
		if err != nil {
			return nil, err
		}
		page.Total = p.Total
	}
	return page, nil
}

// search is List for a search text, usually in two round trips: expand
// (the index's forms and postings of the query's words and concepts),
// then pick (which candidates are current and pass the filters, and each
// named category's first offers) together with loading the offers that
// will most likely make the page; what the query asks for
// (search.Analyze) and the scores (search.Score) are worked out here in
// between. Offers of the page that were not foreseen are loaded after.
//
// A query that names no concept and finds nothing is translated to German
// and searched once more, if a translator is configured: it answers
// within its timeout or not at all.
func (s *OfferStore) search(ctx context.Context, q offer.ListQuery) (*offer.Page, error) {
	page, understood, err := s.searchOnce(ctx, q)
	if err != nil || page.Total > 0 || understood || s.Translator == nil || q.Lang == "de" || q.Lang == "" {
		return page, err
	}
	de, ok := s.Translator.ToGerman(ctx, q.Text, q.Lang)
	if !ok {
		page.Provisional = true // the next try may be translated
		return page, nil
	}
	if strings.EqualFold(strings.TrimSpace(de), strings.TrimSpace(q.Text)) {
		return page, nil
	}
	tq := q
	tq.Text = de
	tp, _, err := s.searchOnce(ctx, tq)
	if err != nil || len(tp.Hits) == 0 {
		return page, err
	}
	tp.TranslatedQuery = de
	return tp, nil
}

func (s *OfferStore) searchOnce(ctx context.Context, q offer.ListQuery) (*offer.Page, bool, error) {
	page := &offer.Page{Corrections: map[string]string{}}
	lx := s.lexicon()
	lang := q.Lang
	if q.Lang == "" {
		lang = "de"
	}
	a := lx.Analyze(q.Text, lang)
	concepts := lx.ConceptTerms(a)
	exact := make([]string, 0, len(concepts))
	for t := range concepts {
		exact = append(exact, t)
	}
	exact = append(exact, a.SplitTerms()...)
	slices.Sort(exact)
	exact = slices.Compact(exact)
	ex, err := s.expandCached(ctx, a.Words, a.NWords, exact)
	if err != nil {
		return nil, false, err
	}
	ex = search.ApplySplits(ex, a)
	for _, g := range ex.Groups {
		if g.Fix != "" && g.Index < a.NWords {
			page.Corrections[g.Word] = g.Fix
		}
	}
	res := search.Score(a, concepts, ex)
	page.Nearest = res.Nearest
	cands, catScore := res.Candidates, res.CategoryScore
	loaded := map[int64]*offer.Offer{}
	var results []result
	sure := false
	// Ordered by score alone (neither "my language" first nor distance),
	// the results are chosen from the best candidates if that is sure to
	// give the same results as all of them; the page is then most likely
	// the best candidates from the page's offset on (one more in case one
	// does not pass the filters). A district or target group leaves too
	// few of the best to be sure: all are ranked at once.
	n := candidates
	if s.bestCandidates > 0 {
		n = s.bestCandidates
	}
	if !q.Filters.MyLanguage && q.Near == nil && q.Filters.District == "" && q.Filters.TargetGroup == "" && !s.fullRanking {
		top := search.Best(cands, max(n, q.Offset+q.Limit+1))
		var guess []int64
		for _, c := range top[min(q.Offset, len(top)):min(q.Offset+q.Limit+1, len(top))] {
			guess = append(guess, c.ID)
		}
		truncated := len(top) < len(cands)
		results, sure, err = s.rank(ctx, q, top, truncated, catScore, guess, loaded)
		if err != nil {
			return nil, false, err
		}
	}
	if !sure {
		if results, _, err = s.rank(ctx, q, cands, false, catScore, nil, nil); err != nil {
			return nil, false, err
		}
	}
	page.Total = len(results)
	results = results[min(q.Offset, len(results)):min(q.Offset+q.Limit, len(results))]
	var missing []int64
	for _, r := range results {
		if loaded[r.id] == nil {
			missing = append(missing, r.id)
		}
	}
	if len(missing) > 0 {
		rows, err := s.Pool.Query(ctx, loadSQL, missing)
		if err != nil {
			return nil, false, fmt.Errorf("load offers: %w", err)
		}
		if err := scanLoadedRows(rows, loaded); err != nil {
			return nil, false, err
		}
	}
	for _, r := range results {
		if o := loaded[r.id]; o != nil {
			d := -1.0
			if r.hasDist {
				d = r.dist
			}
			page.Hits = append(page.Hits, offer.Hit{Offer: o, Score: r.score, DistanceM: d})
		}
	}
	return page, len(a.Concepts) > 0, nil
}

// result is a current offer passing the filters, ranked.
type result struct {
	id      int64
	score   float64
	mine    bool // held in the reader's language
	dist    float64
	hasDist bool
	rank    float64 // score, divided by distance if known
}

// pickSQL returns, of the candidates ids, those that are current and pass
// the filters, and of each category in cats its first offers in the
// result order that are (an offer of a category whose keywords matched
// scores the category's bonus alone if it has no text match, so only the
// first of them can be among the results: a category is never read
// whole); with whether each is held in the reader's language and its
// distance if wanted. A candidate of cats comes twice.
func pickSQL(q offer.ListQuery, ids []int64, cats []string) (string, []any) {
	args := []any{ids, cats, offerDay(q.Today)}
	// Only the filters that are set: the plan is kept (see rank), and one
	// made for "maybe a filter" expects too few rows to use the index order.
	current := `o.active
	   AND (o.valid_from IS NULL OR o.valid_from <= $3::date) AND (o.valid_until IS NULL OR o.valid_until >= $3::date)`
	if q.Filters.FreeOnly {
		current += ` AND o.cost = 'free'`
	}
	if q.Filters.TargetGroup != "" {
		args = append(args, q.Filters.TargetGroup)
		current += ` AND $` + strconv.Itoa(len(args)) + `::text = ANY (o.target_groups)`
	}
	if q.Filters.District != "" {
		args = append(args, q.Filters.District)
		current += ` AND o.district = $` + strconv.Itoa(len(args)) + `::text`
	}
	mine, dist := `false`, `NULL::float8`
	var order []string
	if q.Filters.MyLanguage {
		langs := []string{q.Lang}
		if q.Lang == "fa" {
			langs = append(langs, "prs")
		}
		args = append(args, langs)
		mine = `o.languages && $` + strconv.Itoa(len(args)) + `::text[]`
		order = append(order, `NOT (`+mine+`)`)
	}
	if q.Near != nil {
		args = append(args, q.Near.Lat, q.Near.Lon)
		lat, lon := `$`+strconv.Itoa(len(args)-1)+`::float8`, `$`+strconv.Itoa(len(args))+`::float8`
		dist = `CASE WHEN o.latitude IS NOT NULL THEN 12742000 * asin(sqrt(
		            power(sin(radians(o.latitude - ` + lat + `) / 2), 2) + cos(radians(` + lat + `)) *
		            cos(radians(o.latitude)) * power(sin(radians(o.longitude - ` + lon + `) / 2), 2))) END`
		order = append(order, `coalesce(`+dist+`, 0)`, dist+` NULLS LAST`)
	}
	order = append(order, `o.id`)
	return `
		SELECT o.id, ` + mine + `, ` + dist + `, NULL::text
		  FROM offers o WHERE o.id = ANY ($1::bigint[]) AND ` + current + `
		UNION ALL
		SELECT f.id, f.mine, f.dist, c.category
		  FROM unnest($2::text[]) AS c(category),
		       LATERAL (SELECT o.id, ` + mine + ` AS mine, ` + dist + ` AS dist FROM offers o
		                 WHERE o.category = c.category AND ` + current + `
		                 ORDER BY o.category, ` + strings.Join(order, ", ") + ` LIMIT ` + strconv.Itoa(maxResults) + `) f`, args
}

// rank picks the current candidates that pass the filters and the first
// offers of each matched category, orders them ("my language" first if
// wanted, then by rank, distance, id), drops those under relativeCutoff
// of the best score and keeps maxResults.
//
// cands are the text matches. If truncated, they are only the best of
// them (in result order), and the results are sure only if nothing after
// the last of them could be among them: the results fill all maxResults
// places with offers before it, or it is under the cut-off.
//
// The offers guess are loaded into loaded in the same round trip.
func (s *OfferStore) rank(ctx context.Context, q offer.ListQuery, cands []search.Candidate, truncated bool, catScore map[string]float64,
	guess []int64, loaded map[int64]*offer.Offer) ([]result, bool, error) {
	score := make(map[int64]float64, len(cands))
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
		score[c.ID] = c.Score
	}
	var last search.Candidate
	if truncated {
		last = cands[len(cands)-1]
	}
	var cats []string
	for c, v := range catScore {
		// A category scoring under the last candidate cannot reach the
		// results if the last candidate does not (see sure below).
		if !truncated || v >= last.Score {
			cats = append(cats, c)
		}
	}
	sql, args := pickSQL(q, ids, cats)
	batch := &pgx.Batch{}
	// The batch is one transaction, and these settings last as long. For a
	// few candidates, planning the statements anew for their arguments, as
	// PostgreSQL would, costs more than running them with the plan kept for
	// the connection; for thousands, a plan made for them (which hashes
	// the ids and reads the table once) is much faster than looking up
	// each. The directory is small and in memory, where reading rows by
	// index in a category's id order costs no more than in the heap's:
	// without saying so the planner prefers to walk all offers in id order
	// and skip the other categories.
	if len(ids) <= 4*candidates {
		batch.Queue(`SET LOCAL plan_cache_mode = force_generic_plan`)
	} else {
		batch.Queue(`SET LOCAL plan_cache_mode = force_custom_plan`)
	}
	batch.Queue(`SET LOCAL random_page_cost = 1.1`)
	batch.Queue(sql, args...)
	if len(guess) > 0 {
		batch.Queue(loadSQL, guess)
	}
	br := s.Pool.SendBatch(ctx, batch)
	defer br.Close()
	for range 2 {
		if _, err := br.Exec(); err != nil {
			return nil, false, fmt.Errorf("list offers: %w", err)
		}
	}
	rows, err := br.Query()
	if err != nil {
		return nil, false, fmt.Errorf("list offers: %w", err)
	}
	var results []result
	seen := map[int64]int{}
	for rows.Next() {
		var r result
		var dist *float64
		var category *string
		if err := rows.Scan(&r.id, &r.mine, &dist, &category); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("list offers: %w", err)
		}
		if category != nil {
			r.score = catScore[*category]
		} else {
			r.score = score[r.id]
		}
		if i, ok := seen[r.id]; ok { // a candidate of a matched category
			results[i].score = max(results[i].score, r.score)
			continue
		}
		if dist != nil {
			r.dist, r.hasDist = *dist, true
		}
		seen[r.id] = len(results)
		results = append(results, r)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list offers: %w", err)
	}
	if len(guess) > 0 {
		rows, err := br.Query()
		if err != nil {
			return nil, false, fmt.Errorf("load offers: %w", err)
		}
		if err := scanLoadedRows(rows, loaded); err != nil {
			return nil, false, err
		}
	}
	if err := br.Close(); err != nil {
		return nil, false, fmt.Errorf("list offers: %w", err)
	}
	bestScore := 0.0
	for i := range results {
		r := &results[i]
		r.rank = r.score
		if r.hasDist {
			r.rank = r.score / (1 + r.dist/15000)
		}
		bestScore = max(bestScore, r.score)
	}
	kept := results[:0]
	for _, r := range results {
		if r.score >= bestScore*relativeCutoff {
			kept = append(kept, r)
		}
	}
	my := q.Filters.MyLanguage
	slices.SortFunc(kept, func(a, b result) int {
		return cmp.Or(
			cmp.Compare(boolRank(!(my && a.mine)), boolRank(!(my && b.mine))),
			cmp.Compare(b.rank, a.rank),
			cmp.Compare(boolRank(!a.hasDist), boolRank(!b.hasDist)),
			cmp.Compare(a.dist, b.dist),
			cmp.Compare(a.id, b.id))
	})
	kept = kept[:min(len(kept), maxResults)]
	if !truncated {
		return kept, true, nil
	}
	sure := len(results) > 0 && last.Score < bestScore*relativeCutoff
	if n := len(kept); n == maxResults {
		sure = sure || search.Candidate{ID: kept[n-1].id, Score: kept[n-1].score}.Before(last)
	}
	return kept, sure, nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// offerDay is the calendar day of t (today if zero) as a date.
func offerDay(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
