package postgres

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/netzbot/netzbot/internal/offer"
)

// Search tuning. Scores add up per query word (group): the word's matches
// in an offer (each form the word is searched as counts with its best
// place in the offer, in any language: title/tags > organisation >
// description > venue) plus, if the word is a keyword of the offer's
// category, catWeight; each word counts by its rarity (idf). How alike
// (pg_trgm) an unknown word and a known one must be for the typo
// correction to search the known one instead (0.4) is set in
// offer_similar_terms (migration 00003).
const (
	catWeight = 1.6
	// suggestSimilarity is the lower bar for a "did you mean" keyword.
	suggestSimilarity = 0.25
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
	// rankNorm scales a match's weight (search_postings: 1 title, 0.5
	// organisation, 0.3 description, 0.1 venue) like ts_rank does, which
	// keeps text and category-keyword scores in the balance tuned with it.
	rankNorm = 1 / 1.64493406685
)

// alt is one form a query word is searched as.
type alt struct {
	term   string
	prefix bool // also longer words starting with term
	docs   int
}

// group is one query word with the forms it is searched as.
type group struct {
	word string
	alts []alt
	fix  string // the known word a typo was corrected to
}

// idf is how much a match of the group says: rare words more than common ones.
func (g group) idf(n float64) float64 {
	df := 0
	for _, a := range g.alts {
		df = max(df, a.docs)
	}
	return math.Log(1 + n/float64(1+df))
}

// posting is one row of search_postings: the offers of a category holding
// a term (8 bytes each, ascending), with the term's weight in each
// (tenths, a byte each).
type posting struct {
	term     string
	category string
	offers   []byte
	weights  []byte
}

// len is the number of offers.
func (p posting) len() int { return len(p.weights) }

// offer is the i-th offer's id.
func (p posting) offer(i int) int64 { return int64(binary.BigEndian.Uint64(p.offers[8*i:])) }

// keywordTerm is one row of search_keywords: a word or stem of a category
// keyword.
type keywordTerm struct {
	term, category string
	weight         float64
}

// expansion is what one round trip brings for a search: the query words'
// groups, the postings of every term they match and the category keyword
// terms among them, and the number of active offers.
type expansion struct {
	groups   []group
	postings []posting
	keywords []keywordTerm
	n        float64
}

// stemConfigs are the stemmers a query word is stemmed with: its language
// is not known, and the offers' stems come from their own language's.
const stemConfigs = `{german,english,russian,turkish,romanian,arabic}`

// expand turns query words into search groups: each word's folded form,
// its stems in every stemming language, longer words it is a prefix of,
// and, for a word the index does not know at all, the most similar known
// words (typo tolerance). Two adjacent words also count as one compound
// ("beratungs stelle" = "beratungsstelle"). The same round trip brings
// the postings and keyword terms the groups match.
func (s *OfferStore) expand(ctx context.Context, words []string) (*expansion, error) {
	ex := &expansion{n: 1}
	if len(words) == 0 {
		return ex, nil
	}
	in := append([]string(nil), words...)
	for i := 0; i+1 < len(words); i++ {
		in = append(in, words[i]+words[i+1])
	}
	// The statement is the function offer_search_expand (migration 00003):
	// a function keeps its plan, which costs as much as running it.
	rows, err := s.Pool.Query(ctx, `SELECT * FROM offer_search_expand($1, $2, $3)`, in, len(words), stemConfigs)
	if err != nil {
		return nil, fmt.Errorf("expand query: %w", err)
	}
	groups := make([]group, len(in))
	for i := range in {
		groups[i].word = in[i]
	}
	type fix struct {
		token, term string
		docs, ord   int
	}
	fixes := make([][]fix, len(in))
	for rows.Next() {
		var (
			kind            string
			i, docs, ord    *int32
			t, category     *string
			stem, hasPrefix *bool
			sim             *float32
			offers, weights []byte
		)
		if err := rows.Scan(&kind, &i, &t, &stem, &docs, &hasPrefix, &sim, &ord, &category, &offers, &weights); err != nil {
			rows.Close()
			return nil, fmt.Errorf("expand query: %w", err)
		}
		switch kind {
		case "k": // a form of word i
			g := &groups[*i-1]
			d := -1
			if docs != nil {
				d = int(*docs)
				g.alts = append(g.alts, alt{term: *t, docs: d})
			}
			if *hasPrefix {
				g.alts = append(g.alts, alt{term: *t, prefix: true, docs: max(d, 1)})
			}
		case "t": // a known word like token t of word i
			fixes[*i-1] = append(fixes[*i-1], fix{token: *t, term: *category, docs: int(*docs), ord: int(*ord)})
		case "p":
			ex.postings = append(ex.postings, posting{term: *t, category: *category, offers: offers, weights: weights})
		case "w":
			ex.keywords = append(ex.keywords, keywordTerm{term: *t, category: *category, weight: float64(*sim)})
		case "n":
			ex.n = max(float64(*docs), 1)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("expand query: %w", err)
	}
	// A word known in no form is searched as the known words most like its
	// tokens (within 0.1 of each token's best); it is shown as corrected
	// to the best match of its last token that has one.
	for i, fs := range fixes {
		slices.SortFunc(fs, func(a, b fix) int {
			return cmp.Or(strings.Compare(a.token, b.token), cmp.Compare(a.ord, b.ord))
		})
		for _, f := range fs {
			groups[i].alts = append(groups[i].alts, alt{term: f.term, docs: f.docs})
			if f.ord == 1 {
				groups[i].fix = f.term
			}
		}
	}
	for _, g := range groups {
		if len(g.alts) > 0 {
			ex.groups = append(ex.groups, g)
		}
	}
	return ex, nil
}

// candidate is an offer a search found by its text, with its score.
type candidate struct {
	id    int64
	score float64
}

// before is the result order for equal "my language" and distance: best
// score first, then lowest id.
func (a candidate) before(b candidate) bool {
	return a.score > b.score || a.score == b.score && a.id < b.id
}

// score adds up the score of every offer in the postings (its text
// matches, each form of a query word as often as the word was found in
// that form, and the keyword bonus of its category) and the bonus per
// category (what an offer of the category without text match scores).
func (ex *expansion) score() ([]candidate, map[string]float64) {
	catScore := map[string]float64{}
	// Offers are numbered densely, so the sums go into a slice indexed by
	// id (a map if the ids are too spread out).
	n, lo, hi := 0, int64(math.MaxInt64), int64(math.MinInt64)
	for _, p := range ex.postings {
		if k := p.len(); k > 0 {
			n += k
			lo, hi = min(lo, p.offer(0)), max(hi, p.offer(k-1))
		}
	}
	if n == 0 {
		lo, hi = 0, -1
	}
	dense := hi-lo < 1<<22 && hi-lo < int64(64*n+4096)
	var sums []float64
	var cats []uint16 // category number + 1; 0: not found
	var sparse map[int64]float64
	var sparseCat map[int64]uint16
	if dense {
		sums, cats = make([]float64, hi-lo+1), make([]uint16, hi-lo+1)
	} else {
		sparse, sparseCat = make(map[int64]float64, n), make(map[int64]uint16, n)
	}
	var catNames []string
	catNum := map[string]uint16{}
	for _, g := range ex.groups {
		idf := g.idf(ex.n)
		f := rankNorm / 10 * idf     // weights are in tenths
		best := map[string]float64{} // category -> this word's best keyword weight
		for _, a := range g.alts {
			for _, p := range ex.postings {
				if p.term != a.term && !(a.prefix && strings.HasPrefix(p.term, a.term)) {
					continue
				}
				c, ok := catNum[p.category]
				if !ok {
					catNames = append(catNames, p.category)
					c = uint16(len(catNames))
					catNum[p.category] = c
				}
				for j, w := range p.weights {
					id := p.offer(j)
					if dense {
						sums[id-lo] += float64(w) * f
						cats[id-lo] = c
					} else {
						sparse[id] += float64(w) * f
						sparseCat[id] = c
					}
				}
			}
			for _, k := range ex.keywords {
				if k.term == a.term || a.prefix && strings.HasPrefix(k.term, a.term) {
					best[k.category] = max(best[k.category], k.weight)
				}
			}
		}
		for c, w := range best {
			catScore[c] += w * idf * catWeight
		}
	}
	bonus := make([]float64, len(catNames)+1)
	for i, c := range catNames {
		bonus[i+1] = catScore[c]
	}
	var out []candidate
	if dense {
		for i, c := range cats {
			if c != 0 {
				out = append(out, candidate{id: lo + int64(i), score: sums[i] + bonus[c]})
			}
		}
	} else {
		out = make([]candidate, 0, len(sparse))
		for id, sc := range sparse {
			out = append(out, candidate{id: id, score: sc + bonus[sparseCat[id]]})
		}
	}
	return out, catScore
}

// best returns the n best candidates in result order (all if fewer).
func best(cands []candidate, n int) []candidate {
	if len(cands) > n {
		// A heap of the n best so far, worst on top.
		h := slices.Clone(cands[:n])
		worse := func(i, j int) bool { return h[j].before(h[i]) }
		down := func(i int) {
			for {
				c := 2*i + 1
				if c >= n {
					return
				}
				if c+1 < n && worse(c+1, c) {
					c++
				}
				if !worse(c, i) {
					return
				}
				h[i], h[c] = h[c], h[i]
				i = c
			}
		}
		for i := n/2 - 1; i >= 0; i-- {
			down(i)
		}
		for _, c := range cands[n:] {
			if c.before(h[0]) {
				h[0] = c
				down(0)
			}
		}
		cands = h
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		if a.before(b) {
			return -1
		}
		if b.before(a) {
			return 1
		}
		return 0
	})
	return cands
}

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
// (the query's forms and the postings they match), then pick (which
// candidates are current and pass the filters, and each matched
// category's first offers) together with loading the offers that will
// most likely make the page; scores and the result order are worked out
// here in between. Offers of the page that were not foreseen are loaded
// after.
func (s *OfferStore) search(ctx context.Context, q offer.ListQuery) (*offer.Page, error) {
	page := &offer.Page{Corrections: map[string]string{}}
	ex, err := s.expandCached(ctx, offer.Words(q.Text))
	if err != nil {
		return nil, err
	}
	if len(ex.groups) == 0 {
		return page, nil
	}
	for _, g := range ex.groups {
		if g.fix != "" {
			page.Corrections[g.word] = g.fix
		}
	}
	cands, catScore := ex.score()
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
		top := best(cands, max(n, q.Offset+q.Limit+1))
		var guess []int64
		for _, c := range top[min(q.Offset, len(top)):min(q.Offset+q.Limit+1, len(top))] {
			guess = append(guess, c.id)
		}
		truncated := len(top) < len(cands)
		results, sure, err = s.rank(ctx, q, top, truncated, catScore, guess, loaded)
		if err != nil {
			return nil, err
		}
	}
	if !sure {
		if results, _, err = s.rank(ctx, q, cands, false, catScore, nil, nil); err != nil {
			return nil, err
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
			return nil, fmt.Errorf("load offers: %w", err)
		}
		if err := scanLoadedRows(rows, loaded); err != nil {
			return nil, err
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
	return page, nil
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
func (s *OfferStore) rank(ctx context.Context, q offer.ListQuery, cands []candidate, truncated bool, catScore map[string]float64,
	guess []int64, loaded map[int64]*offer.Offer) ([]result, bool, error) {
	score := make(map[int64]float64, len(cands))
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.id
		score[c.id] = c.score
	}
	var last candidate
	if truncated {
		last = cands[len(cands)-1]
	}
	var cats []string
	for c, v := range catScore {
		// A category scoring under the last candidate cannot reach the
		// results if the last candidate does not (see sure below).
		if !truncated || v >= last.score {
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
	sure := len(results) > 0 && last.score < bestScore*relativeCutoff
	if n := len(kept); n == maxResults {
		sure = sure || candidate{kept[n-1].id, kept[n-1].score}.before(last)
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

// browse is List without a search text: a category's offers, or those
// near q.Near (OnlyNear), in the reader's language first if wanted, then
// by distance if known, then by title.
func (s *OfferStore) browse(ctx context.Context, q offer.ListQuery) (*offer.Page, error) {
	page := &offer.Page{Corrections: map[string]string{}}
	var lat, lon, latD, lonD *float64
	if q.Near != nil {
		la, lo := q.Near.Lat, q.Near.Lon
		dla := float64(nearRadiusM) / 111320
		dlo := dla / math.Max(math.Cos(la*math.Pi/180), 0.01)
		lat, lon, latD, lonD = &la, &lo, &dla, &dlo
	}
	mode := "category"
	if q.OnlyNear {
		mode = "near"
	}
	langs := []string{q.Lang}
	if q.Lang == "fa" {
		langs = append(langs, "prs")
	}
	rows, err := s.Pool.Query(ctx, `
		WITH cand AS (
		    SELECT o.id FROM offers o WHERE $1::text = 'category' AND o.active AND o.category = $2::text
		    UNION
		    SELECT o.id FROM offers o
		     WHERE $1::text = 'near' AND o.active AND o.latitude IS NOT NULL
		       AND o.latitude BETWEEN $3::float8 - $5::float8 AND $3::float8 + $5::float8
		       AND o.longitude BETWEEN $4::float8 - $6::float8 AND $4::float8 + $6::float8
		), scored AS (
		    SELECT o.id,
		           CASE WHEN $3::float8 IS NOT NULL AND o.latitude IS NOT NULL THEN
		               12742000 * asin(sqrt(power(sin(radians(o.latitude - $3::float8) / 2), 2) +
		                   cos(radians($3::float8)) * cos(radians(o.latitude)) * power(sin(radians(o.longitude - $4::float8) / 2), 2)))
		           END AS dist,
		           o.languages && $7::text[] AS mine,
		           coalesce((SELECT title FROM offer_texts x WHERE x.offer_id = o.id AND x.lang = $8::text),
		                    (SELECT title FROM offer_texts x WHERE x.offer_id = o.id AND x.lang = 'de'), '') AS title
		      FROM cand JOIN offers o ON o.id = cand.id
		     WHERE o.active
		       AND (o.valid_from IS NULL OR o.valid_from <= $9::date)
		       AND (o.valid_until IS NULL OR o.valid_until >= $9::date)
		       AND (NOT $10::bool OR o.cost = 'free')
		       AND ($11::text = '' OR $11::text = ANY (o.target_groups))
		       AND ($12::text = '' OR o.district = $12::text)
		), kept AS (
		    SELECT * FROM scored
		     WHERE $1::text <> 'near' OR dist <= $13::float8
		     ORDER BY CASE WHEN $14::bool AND mine THEN 0 ELSE 1 END, dist NULLS LAST, lower(title), id
		     LIMIT $15::int
		)
		SELECT id, coalesce(dist, -1), count(*) OVER () FROM kept
		 ORDER BY CASE WHEN $14::bool AND mine THEN 0 ELSE 1 END, dist NULLS LAST, lower(title), id
		OFFSET $16::int LIMIT $17::int`,
		mode, q.Category, lat, lon, latD, lonD, langs, q.Lang, offerDay(q.Today),
		q.Filters.FreeOnly, q.Filters.TargetGroup, q.Filters.District, float64(nearRadiusM),
		q.Filters.MyLanguage, maxResults, q.Offset, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("list offers: %w", err)
	}
	var ids []int64
	hits := map[int64]offer.Hit{}
	for rows.Next() {
		var id int64
		var h offer.Hit
		if err := rows.Scan(&id, &h.DistanceM, &page.Total); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
		hits[id] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list offers: %w", err)
	}
	if len(ids) == 0 {
		return page, nil
	}
	list, err := s.getMany(ctx, s.Pool, ids)
	if err != nil {
		return nil, err
	}
	for _, o := range list {
		h := hits[o.ID]
		h.Offer = o
		page.Hits = append(page.Hits, h)
	}
	return page, nil
}

// Suggest finds the category keyword most like text, for "did you mean".
func (s *OfferStore) Suggest(ctx context.Context, text string) (*offer.Suggestion, error) {
	if err := s.SyncKeywords(ctx); err != nil {
		return nil, err
	}
	words := offer.Words(text)
	if len(words) == 0 {
		return nil, nil
	}
	var sug offer.Suggestion
	err := s.Pool.QueryRow(ctx, `
		WITH q AS (SELECT offer_fold($1) AS f)
		SELECT category, lang, keyword FROM (
		    SELECT DISTINCT category, lang, keyword,
		           greatest(similarity(folded, q.f), word_similarity(q.f, folded)) AS sim
		      FROM search_keywords, q
		) k
		 WHERE sim >= $2
		 ORDER BY sim DESC, length(keyword), keyword LIMIT 1`, strings.Join(words, " "), suggestSimilarity).Scan(&sug.Category, &sug.Lang, &sug.Keyword)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	sug.Index = -1
	for i, k := range offer.Keywords[sug.Category][sug.Lang] {
		if k == sug.Keyword {
			sug.Index = i
		}
	}
	if sug.Index < 0 {
		return nil, nil // keywords changed since the sync
	}
	return &sug, nil
}

// SaveQuery stores a search text without any user and returns its id.
// Saving a known text again renews it: buttons carrying its id keep
// working for the search log's whole retention period after the search.
func (s *OfferStore) SaveQuery(ctx context.Context, text string) (int64, error) {
	var id int64
	err := s.Pool.QueryRow(ctx, `
		INSERT INTO search_queries (query) VALUES ($1)
		ON CONFLICT (query) DO UPDATE SET created_at = now()
		RETURNING id`, text).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("save query: %w", err)
	}
	return id, nil
}

// Query reads a stored search text; offer.ErrNotFound if unknown.
func (s *OfferStore) Query(ctx context.Context, id int64) (string, error) {
	var text string
	err := s.Pool.QueryRow(ctx, `SELECT query FROM search_queries WHERE id = $1`, id).Scan(&text)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", offer.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("query: %w", err)
	}
	return text, nil
}

// RecordMiss counts a search that found nothing. Only the folded words are
// kept (no user, no time of day beyond first and last seen).
func (s *OfferStore) RecordMiss(ctx context.Context, text, lang string) error {
	norm := offer.Normalize(text)
	if norm == "" {
		return nil
	}
	if _, err := s.Pool.Exec(ctx, `
		INSERT INTO search_misses (query, lang) VALUES ($1, $2)
		ON CONFLICT (query, lang) DO UPDATE SET count = search_misses.count + 1, last_seen = now()`, norm, lang); err != nil {
		return fmt.Errorf("record miss: %w", err)
	}
	return nil
}

// RecordFeedback stores "helpful / not helpful" for a query, without any user.
func (s *OfferStore) RecordFeedback(ctx context.Context, queryID int64, lang string, helpful bool) error {
	if _, err := s.Pool.Exec(ctx, `INSERT INTO search_feedback (query_id, lang, helpful) VALUES ($1, $2, $3)`, queryID, lang, helpful); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			return offer.ErrNotFound
		}
		return fmt.Errorf("record feedback: %w", err)
	}
	return nil
}

// Misses lists the most frequent searches without result since since.
func (s *OfferStore) Misses(ctx context.Context, since time.Time, limit int) ([]offer.Miss, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT query, lang, count, first_seen, last_seen FROM search_misses
		 WHERE last_seen >= $1 ORDER BY count DESC, last_seen DESC, query LIMIT $2`, since, limit)
	if err != nil {
		return nil, fmt.Errorf("misses: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (offer.Miss, error) {
		var m offer.Miss
		err := r.Scan(&m.Query, &m.Lang, &m.Count, &m.FirstSeen, &m.LastSeen)
		return m, err
	})
}

// FeedbackSummary sums the feedback per query, least helpful first.
func (s *OfferStore) FeedbackSummary(ctx context.Context, since time.Time, limit int) ([]offer.Feedback, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT q.query, count(*) FILTER (WHERE f.helpful), count(*) FILTER (WHERE NOT f.helpful)
		  FROM search_feedback f JOIN search_queries q ON q.id = f.query_id
		 WHERE f.created_at >= $1
		 GROUP BY q.query
		 ORDER BY count(*) FILTER (WHERE NOT f.helpful) DESC, count(*) DESC, q.query LIMIT $2`, since, limit)
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (offer.Feedback, error) {
		var f offer.Feedback
		err := r.Scan(&f.Query, &f.Helpful, &f.Useless)
		return f, err
	})
}

// Filters returns the user's stored filters.
func (s *OfferStore) Filters(ctx context.Context, userID int64) (offer.Filters, error) {
	var f offer.Filters
	var lat, lon *float64
	var at *time.Time
	err := s.Pool.QueryRow(ctx, `
		SELECT my_language, free_only, target_group, district, latitude, longitude, located_at
		  FROM offer_filters WHERE user_id = $1`, userID).Scan(&f.MyLanguage, &f.FreeOnly, &f.TargetGroup, &f.District, &lat, &lon, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("filters: %w", err)
	}
	if lat != nil && lon != nil && at != nil {
		f.Lat, f.Lon, f.LocatedAt = *lat, *lon, *at
	}
	return f, nil
}

// SaveFilters stores the user's filters.
func (s *OfferStore) SaveFilters(ctx context.Context, userID int64, f offer.Filters) error {
	var lat, lon *float64
	var at *time.Time
	if !f.LocatedAt.IsZero() {
		lat, lon, at = &f.Lat, &f.Lon, &f.LocatedAt
	}
	if _, err := s.Pool.Exec(ctx, `
		INSERT INTO offer_filters (user_id, my_language, free_only, target_group, district, latitude, longitude, located_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (user_id) DO UPDATE SET my_language = EXCLUDED.my_language, free_only = EXCLUDED.free_only,
		    target_group = EXCLUDED.target_group, district = EXCLUDED.district, latitude = EXCLUDED.latitude,
		    longitude = EXCLUDED.longitude, located_at = EXCLUDED.located_at, updated_at = now()`,
		userID, f.MyLanguage, f.FreeOnly, f.TargetGroup, f.District, lat, lon, at); err != nil {
		return fmt.Errorf("save filters: %w", err)
	}
	return nil
}

// Districts lists the districts with active offers, in the order of offer.Districts.
func (s *OfferStore) Districts(ctx context.Context) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT DISTINCT district FROM offers WHERE active AND district <> ''`)
	if err != nil {
		return nil, fmt.Errorf("districts: %w", err)
	}
	have, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range offer.Districts {
		if offerContains(have, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// ReportOutdated records a report of outdated information; a second report
// of the same offer by the same user within a day is not "first".
func (s *OfferStore) ReportOutdated(ctx context.Context, offerID, userID int64, now time.Time) (bool, error) {
	var first bool
	err := s.Pool.QueryRow(ctx, `
		WITH prev AS (
		    SELECT 1 FROM offer_reports WHERE offer_id = $1 AND user_id = $2 AND created_at > $3::timestamptz - interval '1 day'
		), ins AS (
		    INSERT INTO offer_reports (offer_id, user_id, created_at)
		    SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM prev)
		    RETURNING 1
		)
		SELECT EXISTS (SELECT 1 FROM ins)`, offerID, userID, now).Scan(&first)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			return false, offer.ErrNotFound
		}
		return false, fmt.Errorf("report outdated: %w", err)
	}
	return first, nil
}

// Coordinators are the users told about reports on an organisation's
// offers: its active members who are coordinators (or admins), else the
// network's coordinators and admins.
func (s *OfferStore) Coordinators(ctx context.Context, organisationID int64) ([]offer.Recipient, error) {
	// The organisation's own coordinators know the offer; the network's
	// coordinators and admins (who keep the directory) hear of it when the
	// organisation has none.
	rows, err := s.Pool.Query(ctx, `
		WITH own AS (
			SELECT u.id, coalesce(u.language, '') AS language
			  FROM users u JOIN members m ON m.user_id = u.id
			 WHERE m.organisation_id = $1 AND m.active AND u.active AND u.role IN ('coordinator', 'admin'))
		SELECT id, language FROM own
		 UNION ALL
		SELECT id, coalesce(language, '') FROM users
		 WHERE active AND role IN ('coordinator', 'admin') AND NOT EXISTS (SELECT FROM own)
		 ORDER BY id`, organisationID)
	if err != nil {
		return nil, fmt.Errorf("coordinators: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (offer.Recipient, error) {
		var rc offer.Recipient
		err := r.Scan(&rc.UserID, &rc.Language)
		return rc, err
	})
}
