package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/netzbot/netzbot/internal/offer"
)

// Search tuning. Scores add up per query word (group): the best match of
// the word in any language of an offer (title/tags > organisation >
// description > venue) plus, if the word is a keyword of the offer's
// category, catWeight; each word counts by its rarity (idf).
const (
	catWeight = 1.6
	// minSimilarity is how alike (pg_trgm) an unknown word and a known one
	// must be for the typo correction to search the known one instead.
	minSimilarity = 0.4
	// suggestSimilarity is the lower bar for a "did you mean" keyword.
	suggestSimilarity = 0.25
	// relativeCutoff drops results scoring under this share of the best.
	relativeCutoff = 0.2
	// nearRadiusM is how far "near me" looks.
	nearRadiusM = 30000
	maxResults  = 60
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

// stemConfigs are the stemmers a query word is stemmed with: its language
// is not known, and the offers' stems come from their own language's.
const stemConfigs = `{german,english,russian,turkish,romanian,arabic}`

// expand turns query words into search groups: each word's folded form,
// its stems in every stemming language, longer words it is a prefix of,
// and, for a word the index does not know at all, the most similar known
// words (typo tolerance). Two adjacent words also count as one compound
// ("beratungs stelle" = "beratungsstelle").
func (s *OfferStore) expand(ctx context.Context, words []string) ([]group, float64, error) {
	if len(words) == 0 {
		return nil, 0, nil
	}
	in := append([]string(nil), words...)
	compound := map[int]bool{}
	for i := 0; i+1 < len(words); i++ {
		compound[len(in)] = true
		in = append(in, words[i]+words[i+1])
	}
	rows, err := s.Pool.Query(ctx, `
		WITH w AS (
		    SELECT i::int, offer_fold(word) AS f FROM unnest($1::text[]) WITH ORDINALITY AS u(word, i)
		), a AS (
		    SELECT w.i, x.t COLLATE "C" AS t, false AS stem
		      FROM w, LATERAL unnest(tsvector_to_array(to_tsvector('simple', w.f))) AS x(t)
		    UNION
		    SELECT w.i, x.t COLLATE "C", true
		      FROM w, unnest($2::regconfig[]) AS c(cfg),
		           LATERAL unnest(tsvector_to_array(to_tsvector(c.cfg, w.f))) AS x(t)
		)
		SELECT a.i, a.t, a.stem, coalesce(l.docs, -1),
		       char_length(a.t) >= 4 AND EXISTS (
		           SELECT 1 FROM search_lexicon p
		            WHERE p.term > a.t AND p.term < a.t || chr(1114111))
		  FROM a LEFT JOIN search_lexicon l ON l.term = a.t
		 ORDER BY a.i, a.stem, a.t`, in, stemConfigs)
	if err != nil {
		return nil, 0, fmt.Errorf("expand query: %w", err)
	}
	groups := make([]group, len(in))
	tokens := make([][]string, len(in))
	for i := range in {
		groups[i].word = in[i]
	}
	for rows.Next() {
		var i, docs int
		var t string
		var stem, hasPrefix bool
		if err := rows.Scan(&i, &t, &stem, &docs, &hasPrefix); err != nil {
			rows.Close()
			return nil, 0, err
		}
		g := &groups[i-1]
		if !stem {
			tokens[i-1] = append(tokens[i-1], t)
		}
		if docs >= 0 {
			g.alts = append(g.alts, alt{term: t, docs: docs})
		}
		if hasPrefix {
			g.alts = append(g.alts, alt{term: t, prefix: true, docs: max(docs, 1)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("expand query: %w", err)
	}
	// Typo tolerance for words the index does not know in any form.
	for i := range groups {
		g := &groups[i]
		if len(g.alts) > 0 || compound[i] {
			continue
		}
		for _, t := range tokens[i] {
			if utf8.RuneCountInString(t) < 4 {
				continue
			}
			rows, err := s.Pool.Query(ctx, `
				SELECT term, docs, similarity(term, $1) AS sim FROM search_lexicon
				 WHERE term % $1 ORDER BY sim DESC, docs DESC, term LIMIT 3`, t)
			if err != nil {
				return nil, 0, fmt.Errorf("typo correction: %w", err)
			}
			best := 0.0
			for rows.Next() {
				var term string
				var docs int
				var sim float64
				if err := rows.Scan(&term, &docs, &sim); err != nil {
					rows.Close()
					return nil, 0, err
				}
				if sim < minSimilarity || sim < best-0.1 {
					continue
				}
				if best == 0 {
					best, g.fix = sim, term
				}
				g.alts = append(g.alts, alt{term: term, docs: docs})
			}
			if err := rows.Err(); err != nil {
				return nil, 0, err
			}
		}
	}
	var n float64
	var v string
	if err := s.Pool.QueryRow(ctx, `SELECT value FROM search_meta WHERE key = 'docs'`).Scan(&v); err == nil {
		n, _ = strconv.ParseFloat(v, 64)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, err
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.alts) > 0 {
			out = append(out, g)
		}
	}
	return out, max(n, 1), nil
}

// tsquery is the group as a tsquery: its forms ORed.
func (g group) tsquery() string {
	parts := make([]string, 0, len(g.alts))
	for _, a := range g.alts {
		q := "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(a.term) + "'"
		if a.prefix {
			q += ":*"
		}
		parts = append(parts, q)
	}
	return strings.Join(parts, " | ")
}

// idf is how much a match of the group says: rare words more than common ones.
func (g group) idf(n float64) float64 {
	df := 0
	for _, a := range g.alts {
		df = max(df, a.docs)
	}
	return math.Log(1 + n/float64(1+df))
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
	page := &offer.Page{Corrections: map[string]string{}}
	var groups []group
	var n float64
	if q.Text != "" {
		var err error
		if groups, n, err = s.expand(ctx, offer.Words(q.Text)); err != nil {
			return nil, err
		}
		if len(groups) == 0 {
			return page, nil
		}
		for _, g := range groups {
			if g.fix != "" {
				page.Corrections[g.word] = g.fix
			}
		}
	}
	var (
		gi                   []int32
		queries              []string
		idfs                 []float64
		altGroup             []int32
		altTerm              []string
		altPrefix            []bool
		all                  []string
		lat, lon, latD, lonD *float64
	)
	for i, g := range groups {
		gi = append(gi, int32(i))
		queries = append(queries, g.tsquery())
		idfs = append(idfs, g.idf(n))
		all = append(all, "("+g.tsquery()+")")
		for _, a := range g.alts {
			altGroup, altTerm, altPrefix = append(altGroup, int32(i)), append(altTerm, a.term), append(altPrefix, a.prefix)
		}
	}
	if q.Near != nil {
		la, lo := q.Near.Lat, q.Near.Lon
		dla := float64(nearRadiusM) / 111320
		dlo := dla / math.Max(math.Cos(la*math.Pi/180), 0.01)
		lat, lon, latD, lonD = &la, &lo, &dla, &dlo
	}
	mode := "category"
	switch {
	case q.Text != "":
		mode = "search"
	case q.OnlyNear:
		mode = "near"
	}
	langs := []string{q.Lang}
	if q.Lang == "fa" {
		langs = append(langs, "prs")
	}
	today := q.Today
	if today.IsZero() {
		today = time.Now()
	}
	rows, err := s.Pool.Query(ctx, `
		WITH g AS (
		    SELECT * FROM unnest($1::int[], $2::tsquery[], $3::float8[]) AS g(gi, q, idf) WHERE $7::int = 0
		), alts AS (
		    SELECT * FROM unnest($4::int[], $5::text[], $6::bool[]) AS a(gi, term, prefix)
		), hit AS (
		    SELECT s.offer_id, g.gi, max(ts_rank('{0.1, 0.3, 0.5, 1.0}', s.doc, g.q, 0) * (numnode(g.q) + 1) / 2.0) * g.idf AS r
		      FROM offer_search s JOIN g ON s.doc @@ g.q
		     WHERE $8::text = 'search' AND s.doc @@ $9::tsquery
		     GROUP BY s.offer_id, g.gi, g.idf
		), textscore AS (
		    SELECT offer_id, sum(r) AS r FROM hit GROUP BY offer_id
		), cat AS (
		    SELECT k.category, a.gi, max(k.weight) AS w
		      FROM alts a JOIN search_keywords k
		        ON k.term = a.term COLLATE "C" OR (a.prefix AND starts_with(k.term, a.term))
		     GROUP BY k.category, a.gi
		), catscore AS (
		    SELECT c.category, sum(c.w * g.idf) AS r FROM cat c JOIN g USING (gi) GROUP BY c.category
		), cand AS (
		    SELECT offer_id AS id FROM textscore
		    UNION
		    SELECT o.id FROM offers o JOIN catscore c ON c.category = o.category WHERE o.active
		    UNION
		    SELECT o.id FROM offers o WHERE $8::text = 'category' AND o.active AND o.category = $10::text
		    UNION
		    SELECT o.id FROM offers o
		     WHERE $8::text = 'near' AND o.active AND o.latitude IS NOT NULL
		       AND o.latitude BETWEEN $11::float8 - $13::float8 AND $11::float8 + $13::float8 AND o.longitude BETWEEN $12::float8 - $14::float8 AND $12::float8 + $14::float8
		), scored AS (
		    SELECT o.id,
		           coalesce(t.r, 0) + coalesce(c.r, 0) * $15::float8 AS score,
		           CASE WHEN $11::float8 IS NOT NULL AND o.latitude IS NOT NULL THEN
		               12742000 * asin(sqrt(power(sin(radians(o.latitude - $11::float8) / 2), 2) +
		                   cos(radians($11::float8)) * cos(radians(o.latitude)) * power(sin(radians(o.longitude - $12::float8) / 2), 2)))
		           END AS dist,
		           o.languages && $16::text[] AS mine,
		           CASE WHEN $8::text <> 'search' THEN
		               coalesce((SELECT title FROM offer_texts x WHERE x.offer_id = o.id AND x.lang = $17::text),
		                        (SELECT title FROM offer_texts x WHERE x.offer_id = o.id AND x.lang = 'de'), '')
		           ELSE '' END AS title
		      FROM cand JOIN offers o ON o.id = cand.id
		      LEFT JOIN textscore t ON t.offer_id = o.id
		      LEFT JOIN catscore c ON c.category = o.category
		     WHERE o.active
		       AND (o.valid_from IS NULL OR o.valid_from <= $18::date)
		       AND (o.valid_until IS NULL OR o.valid_until >= $18::date)
		       AND (NOT $19::bool OR o.cost = 'free')
		       AND ($20::text = '' OR $20::text = ANY (o.target_groups))
		       AND ($21::text = '' OR o.district = $21::text)
		), ranked AS (
		    SELECT *, CASE WHEN dist IS NULL THEN score ELSE score / (1 + dist / 15000) END AS rank,
		           max(score) OVER () AS best
		      FROM scored
		     WHERE $8::text <> 'near' OR dist <= $22::float8
		), kept AS (
		    SELECT * FROM ranked WHERE $8::text <> 'search' OR score >= best * $23::float8
		    ORDER BY CASE WHEN $24::bool AND mine THEN 0 ELSE 1 END,
		             CASE WHEN $8::text = 'search' THEN -rank ELSE 0 END,
		             dist NULLS LAST, lower(title), id
		    LIMIT $25::int
		)
		SELECT id, score, coalesce(dist, -1), count(*) OVER () FROM kept
		 ORDER BY CASE WHEN $24::bool AND mine THEN 0 ELSE 1 END,
		          CASE WHEN $8::text = 'search' THEN -rank ELSE 0 END,
		          dist NULLS LAST, lower(title), id
		OFFSET $26::int LIMIT $27::int`,
		gi, queries, idfs, altGroup, altTerm, altPrefix, 0, mode, strings.Join(all, " | "),
		q.Category, lat, lon, latD, lonD, catWeight, langs, q.Lang, time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC),
		q.Filters.FreeOnly, q.Filters.TargetGroup, q.Filters.District, float64(nearRadiusM), relativeCutoff,
		q.Filters.MyLanguage, maxResults, q.Offset, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("list offers: %w", err)
	}
	var ids []int64
	hits := map[int64]offer.Hit{}
	for rows.Next() {
		var id int64
		var h offer.Hit
		if err := rows.Scan(&id, &h.Score, &h.DistanceM, &page.Total); err != nil {
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
		if q.Offset > 0 { // a page past the end: count again from the start
			q.Offset = 0
			q.Limit = 1
			p, err := s.List(ctx, q)
			if err != nil {
				return nil, err
			}
			page.Total = p.Total
		}
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
		           greatest(similarity(offer_fold(keyword), q.f), word_similarity(q.f, offer_fold(keyword))) AS sim
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
