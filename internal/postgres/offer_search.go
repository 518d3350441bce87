package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
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
// category, catWeight; each word counts by its rarity (idf).
const (
	catWeight = 1.6
	// minSimilarity is how alike (pg_trgm) an unknown word and a known one
	// must be for the typo correction to search the known one instead. The
	// index lookup uses the same value: offer_similar_terms (migration
	// 00003) sets pg_trgm.similarity_threshold to it.
	minSimilarity = 0.4
	// suggestSimilarity is the lower bar for a "did you mean" keyword.
	suggestSimilarity = 0.25
	// relativeCutoff drops results scoring under this share of the best.
	relativeCutoff = 0.2
	// nearRadiusM is how far "near me" looks.
	nearRadiusM = 30000
	maxResults  = 60
	// candidates is how many of the best text matches a result page is
	// chosen from when results are ordered by score alone; if the filters
	// leave too few of them to be sure of the page, it is chosen again
	// from all matches (see searchPage).
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
// a term, with the term's weight in each.
type posting struct {
	term     string
	category string
	offers   []int64
	weights  []float32
}

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

// expandSQL turns query words ($1; those after the first $2 are compounds
// of two adjacent words) into their forms: folded ('simple') and stemmed
// with every stemmer in $3 (rows 'k', with the number of offers holding
// the form, and whether longer known words start with it); for a word of
// which no form is known, the most similar known words (rows 't', typo
// tolerance, by the trigram index); the postings of every known term these
// forms match, exactly or as a prefix (rows 'p'); the category keyword
// terms among them (rows 'w'); and the number of active offers (row 'n').
// All by index lookups, in one round trip.
const expandSQL = `
	WITH w AS (
	    SELECT i::int, offer_fold(word) AS f FROM unnest($1::text[]) WITH ORDINALITY AS u(word, i)
	), a AS (
	    SELECT w.i, x.t COLLATE "C" AS t, false AS stem
	      FROM w, LATERAL unnest(tsvector_to_array(to_tsvector('simple', w.f))) AS x(t)
	    UNION
	    SELECT w.i, x.t COLLATE "C", true
	      FROM w, unnest($3::regconfig[]) AS c(cfg),
	           LATERAL unnest(tsvector_to_array(to_tsvector(c.cfg, w.f))) AS x(t)
	), k AS MATERIALIZED (
	    SELECT a.i, a.t, a.stem, l.docs,
	           char_length(a.t) >= 4 AND EXISTS (
	               SELECT 1 FROM search_lexicon p
	                WHERE p.term > a.t AND p.term < a.t || chr(1114111)) AS has_prefix
	      FROM a LEFT JOIN search_lexicon l ON l.term = a.t
	), typo AS MATERIALIZED (
	    SELECT n.i, n.t, s.term COLLATE "C" AS term, s.docs, s.sim, s.ord::int,
	           max(s.sim) OVER (PARTITION BY n.i, n.t) AS best
	      FROM (SELECT DISTINCT i, t FROM k
	             WHERE NOT stem AND i <= $2::int AND char_length(t) >= 4
	               AND NOT EXISTS (SELECT 1 FROM k k2 WHERE k2.i = k.i AND (k2.docs IS NOT NULL OR k2.has_prefix))) n,
	           LATERAL offer_similar_terms(n.t, 3) WITH ORDINALITY AS s(term, docs, sim, ord)
	), fixes AS MATERIALIZED (
	    SELECT * FROM typo WHERE sim >= best - 0.1
	), terms AS MATERIALIZED (
	    SELECT t AS term FROM k WHERE docs IS NOT NULL
	    UNION
	    SELECT term FROM fixes
	    UNION
	    SELECT l.term FROM (SELECT DISTINCT t FROM k WHERE has_prefix) pre,
	           LATERAL (SELECT term FROM search_lexicon l WHERE l.term > pre.t AND l.term < pre.t || chr(1114111)) l
	)
	SELECT 'k' AS kind, i, t::text, stem, docs, has_prefix, NULL::real AS sim, NULL::int AS ord,
	       NULL::text AS category, NULL::bigint[] AS offers, NULL::real[] AS weights
	  FROM k
	UNION ALL
	SELECT 't', i, t::text, NULL, docs, NULL, sim, ord, term::text, NULL, NULL FROM fixes
	UNION ALL
	SELECT 'p', NULL, p.term::text, NULL, NULL, NULL, NULL, NULL, p.category, p.offers, p.weights
	  FROM terms JOIN search_postings p ON p.term = terms.term
	UNION ALL
	SELECT 'w', NULL, s.term::text, NULL, NULL, NULL, s.weight, NULL, s.category, NULL, NULL
	  FROM terms JOIN search_keywords s ON s.term = terms.term
	UNION ALL
	SELECT 'n', NULL, NULL, NULL, value::int, NULL, NULL, NULL, NULL, NULL, NULL
	  FROM search_meta WHERE key = 'docs'`

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
	rows, err := s.Pool.Query(ctx, expandSQL, in, len(words), stemConfigs)
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
			offers          []int64
			weights         []float32
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

// score adds up the score of every offer the postings hold (its text
// matches, and the keyword bonus of its category) and the bonus per
// category (what an offer of the category without text match scores).
// Candidates come best first, then by id, as results are ordered.
func (ex *expansion) score() ([]candidate, map[string]float64) {
	catScore := map[string]float64{}
	type acc struct {
		score    float64
		category string
	}
	text := map[int64]*acc{}
	for _, g := range ex.groups {
		idf := g.idf(ex.n)
		best := map[string]float64{} // category -> this word's best keyword weight
		for _, a := range g.alts {
			for _, p := range ex.postings {
				if p.term != a.term && !(a.prefix && strings.HasPrefix(p.term, a.term)) {
					continue
				}
				for j, id := range p.offers {
					c := text[id]
					if c == nil {
						c = &acc{category: p.category}
						text[id] = c
					}
					c.score += float64(p.weights[j]) * rankNorm * idf
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
	out := make([]candidate, 0, len(text))
	for id, c := range text {
		out = append(out, candidate{id: id, score: c.score + catScore[c.category]})
	}
	slices.SortFunc(out, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.id, b.id))
	})
	return out, catScore
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
	var page *offer.Page
	var err error
	if q.Text == "" {
		page, err = s.browse(ctx, q)
	} else {
		page, err = s.search(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	if len(page.Hits) == 0 && q.Offset > 0 { // a page past the end: count again from the start
		q.Offset, q.Limit = 0, 1
		p, err := s.List(ctx, q)
		if err != nil {
			return nil, err
		}
		page.Total = p.Total
	}
	return page, nil
}

// search is List for a search text.
func (s *OfferStore) search(ctx context.Context, q offer.ListQuery) (*offer.Page, error) {
	page := &offer.Page{Corrections: map[string]string{}}
	ex, err := s.expand(ctx, offer.Words(q.Text))
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
	// Ordered by score alone (neither "my language" first nor distance),
	// the page is chosen from the best candidates if that is sure to give
	// the same page as all of them.
	if !q.Filters.MyLanguage && q.Near == nil && len(cands) > candidates {
		hits, total, err := s.searchPage(ctx, q, cands[:candidates], true, catScore)
		if err == nil {
			page.Hits, page.Total = hits, total
			return page, nil
		}
		if !errors.Is(err, errNotSure) {
			return nil, err
		}
	}
	page.Hits, page.Total, err = s.searchPage(ctx, q, cands, false, catScore)
	if err != nil {
		return nil, err
	}
	return page, nil
}

// errNotSure: a page chosen from the best candidates only may differ from
// the one chosen from all.
var errNotSure = errors.New("not sure of the page")

// searchPage ranks the candidates together with the first offers of each
// category whose keywords matched (an offer of the category without text
// match scores the category's bonus alone, so only the first ones in the
// result order can make it among the results: a category is never read
// whole), applies the filters, drops results under relativeCutoff of the
// best, keeps at most maxResults and loads the page's offers, in one
// statement.
//
// cands are the text matches, best first. If truncated, they are only the
// best of them, and the page is sure only if nothing after the last of
// them could be among the results: the results fill all maxResults places
// with offers ranked before it, or it is under the cut-off. Else
// errNotSure.
func (s *OfferStore) searchPage(ctx context.Context, q offer.ListQuery, cands []candidate, truncated bool, catScore map[string]float64) ([]offer.Hit, int, error) {
	ids := make([]int64, len(cands))
	scores := make([]float64, len(cands))
	for i, c := range cands {
		ids[i], scores[i] = c.id, c.score
	}
	var cats []string
	var catScores []float64
	for c, v := range catScore {
		cats, catScores = append(cats, c), append(catScores, v)
	}
	langs := []string{q.Lang}
	if q.Lang == "fa" {
		langs = append(langs, "prs")
	}
	args := []any{ids, scores, cats, catScores, offerDay(q.Today), q.Filters.FreeOnly, q.Filters.TargetGroup,
		q.Filters.District, langs, relativeCutoff, maxResults, q.Offset, q.Limit}
	// The order of the results, and of a category's offers without text
	// match (which all score the same): "my language" first if wanted,
	// then by rank (the score, divided by distance if a location is
	// known), distance, id.
	dist := `NULL::float8`
	var catOrder []string
	order := `rank DESC, dist NULLS LAST, id`
	if q.Filters.MyLanguage {
		catOrder = append(catOrder, `NOT (o.languages && $9::text[])`)
		order = `NOT mine, ` + order
	}
	if q.Near != nil {
		args = append(args, q.Near.Lat, q.Near.Lon)
		dist = `CASE WHEN o.latitude IS NOT NULL THEN 12742000 * asin(sqrt(
		            power(sin(radians(o.latitude - $14::float8) / 2), 2) + cos(radians($14::float8)) *
		            cos(radians(o.latitude)) * power(sin(radians(o.longitude - $15::float8) / 2), 2))) END`
		catOrder = append(catOrder, `coalesce(`+dist+`, 0)`, dist+` NULLS LAST`)
	}
	catOrder = append(catOrder, `o.id`)
	const current = `o.active
		   AND (o.valid_from IS NULL OR o.valid_from <= $5::date) AND (o.valid_until IS NULL OR o.valid_until >= $5::date)
		   AND (NOT $6::bool OR o.cost = 'free')
		   AND ($7::text = '' OR $7::text = ANY (o.target_groups))
		   AND ($8::text = '' OR o.district = $8::text)`
	rows, err := s.Pool.Query(ctx, `
		WITH cand AS (
		    SELECT id, max(score) AS score FROM (
		        SELECT * FROM unnest($1::bigint[], $2::float8[]) AS t(id, score)
		        UNION ALL
		        SELECT f.id, c.score
		          FROM unnest($3::text[], $4::float8[]) AS c(category, score),
		               LATERAL (SELECT o.id FROM offers o
		                         WHERE o.category = c.category AND `+current+`
		                         ORDER BY `+strings.Join(catOrder, ", ")+` LIMIT $11::int) f
		    ) x GROUP BY id
		), ranked AS (
		    SELECT o.id, cand.score, d.dist, o.languages && $9::text[] AS mine,
		           CASE WHEN d.dist IS NULL THEN cand.score ELSE cand.score / (1 + d.dist / 15000) END AS rank,
		           max(cand.score) OVER () AS best
		      FROM cand JOIN offers o ON o.id = cand.id, LATERAL (SELECT `+dist+` AS dist) d
		     WHERE `+current+`
		), kept AS (
		    SELECT *, row_number() OVER (ORDER BY `+order+`) AS n
		      FROM ranked WHERE score >= best * $10::float8
		     ORDER BY `+order+` LIMIT $11::int
		), summary AS (
		    SELECT count(*)::int AS total, max(best) AS best,
		           (array_agg(score ORDER BY n DESC))[1] AS last_score, (array_agg(id ORDER BY n DESC))[1] AS last_id
		      FROM kept
		), pg AS (
		    SELECT * FROM kept ORDER BY n OFFSET $12::int LIMIT $13::int
		)
		SELECT `+offerLoadColumns+`,
		       pg.score, coalesce(pg.dist, -1), summary.total, summary.best, summary.last_score, summary.last_id
		  FROM pg CROSS JOIN summary
		  JOIN offers o ON o.id = pg.id JOIN organisations g ON g.id = o.organisation_id
		 ORDER BY pg.n`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list offers: %w", err)
	}
	var hits []offer.Hit
	var total int
	var best, lastScore float64
	var lastID int64
	for rows.Next() {
		var h offer.Hit
		h.Offer, err = scanLoaded(rows, &h.Score, &h.DistanceM, &total, &best, &lastScore, &lastID)
		if err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("list offers: %w", err)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list offers: %w", err)
	}
	if truncated {
		last := cands[len(cands)-1]
		sure := len(hits) > 0 && (last.score < best*relativeCutoff ||
			total == maxResults && (lastScore > last.score || lastScore == last.score && lastID < last.id))
		if !sure {
			return nil, 0, errNotSure
		}
	}
	return hits, total, nil
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
func (s *OfferStore) SaveQuery(ctx context.Context, text string) (int64, error) {
	var id int64
	err := s.Pool.QueryRow(ctx, `
		INSERT INTO search_queries (query) VALUES ($1)
		ON CONFLICT (query) DO UPDATE SET query = EXCLUDED.query
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
// offers: for now the network's coordinators and admins (users.role). When
// members are linked to organisations, the organisation's own coordinators
// belong here.
func (s *OfferStore) Coordinators(ctx context.Context, organisationID int64) ([]offer.Recipient, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT id, coalesce(language, '') FROM users
		 WHERE active AND role IN ('coordinator', 'admin') ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("coordinators: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (offer.Recipient, error) {
		var rc offer.Recipient
		err := r.Scan(&rc.UserID, &rc.Language)
		return rc, err
	})
}
