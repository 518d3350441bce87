package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/netzbot/netzbot/internal/search"
)

// ---------------------------------------------------------------------------
// The search index

// indexSQL (re)builds the offer_search rows of the offers in $1: one
// document per offer with, from every language, the folded words and
// their stems of title (A) and description (C), and the tags (A), the
// organisation's name (B) and the venue (D).
const indexSQL = `
	INSERT INTO offer_search (offer_id, doc)
	SELECT o.id,
	       coalesce((SELECT offer_tsvector_agg(
	                     setweight(to_tsvector('simple', f.title) || to_tsvector(offer_ts_config(t.lang), f.title), 'A') ||
	                     setweight(to_tsvector('simple', f.description) || to_tsvector(offer_ts_config(t.lang), f.description), 'C'))
	                   FROM offer_texts t,
	                        LATERAL (SELECT offer_fold(t.title) AS title, offer_fold(t.description) AS description) f
	                  WHERE t.offer_id = o.id), '') ||
	       setweight(to_tsvector('simple', offer_fold(array_to_string(o.tags, ' '))) ||
	                 to_tsvector('german', offer_fold(array_to_string(o.tags, ' '))), 'A') ||
	       setweight(to_tsvector('simple', offer_fold(g.name)), 'B') ||
	       setweight(to_tsvector('simple', offer_fold(o.venue_name || ' ' || o.district)), 'D')
	  FROM offers o JOIN organisations g ON g.id = o.organisation_id WHERE o.id = ANY($1)
	ON CONFLICT (offer_id) DO UPDATE SET doc = EXCLUDED.doc`

// indexOffers (re)builds the index rows of the offers ids: their words
// (offer_search) and their concepts (offer_concepts).
func indexOffers(ctx context.Context, q offerQuerier, lx *search.Lexicon, ids []int64) error {
	if _, err := q.Exec(ctx, indexSQL, ids); err != nil {
		return fmt.Errorf("index offers: %w", err)
	}
	return tagOffers(ctx, q, lx, ids)
}

// tagTextsSQL reads what an offer is tagged from: its texts per language
// (title and tags weigh like a title, the organisation's name half, the
// description 0.3, as in search_postings).
const tagTextsSQL = `
	SELECT o.id, t.lang, t.title, t.description
	  FROM offers o JOIN offer_texts t ON t.offer_id = o.id WHERE o.id = ANY($1)
	UNION ALL
	SELECT o.id, 'de', array_to_string(o.tags, ' ') || ' ' || g.name, ''
	  FROM offers o JOIN organisations g ON g.id = o.organisation_id WHERE o.id = ANY($1)`

// markTagged records that the offers are tagged with lx.
func markTagged(ctx context.Context, q offerQuerier, lx *search.Lexicon) error {
	if _, err := q.Exec(ctx, `
		INSERT INTO search_meta (key, value) VALUES ('lexicon', $1)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, lx.Version()); err != nil {
		return fmt.Errorf("mark offers tagged: %w", err)
	}
	return nil
}

// tagOffers writes the concepts of the offers ids (search.Lexicon.Tag)
// into offer_concepts, replacing what they had.
func tagOffers(ctx context.Context, q offerQuerier, lx *search.Lexicon, ids []int64) error {
	rows, err := q.Query(ctx, tagTextsSQL, ids)
	if err != nil {
		return fmt.Errorf("tag offers: %w", err)
	}
	fields := map[int64][]search.Field{}
	for rows.Next() {
		var id int64
		var lang, title, desc string
		if err := rows.Scan(&id, &lang, &title, &desc); err != nil {
			rows.Close()
			return fmt.Errorf("tag offers: %w", err)
		}
		fields[id] = append(fields[id], search.Field{Lang: lang, Text: title, Weight: 1}, search.Field{Lang: lang, Text: desc, Weight: 0.3})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("tag offers: %w", err)
	}
	// Tagging is CPU work (thousands of offers on a bulk load): on every core.
	type tagged struct {
		id   int64
		tags map[string]float64
	}
	jobs := make(chan int64)
	results := make(chan tagged)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				results <- tagged{id, lx.Tag(fields[id])}
			}
		}()
	}
	go func() {
		for id := range fields {
			jobs <- id
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	var offerIDs []int64
	var concepts []string
	var weights []int16
	for r := range results {
		for c, w := range r.tags {
			offerIDs, concepts, weights = append(offerIDs, r.id), append(concepts, c), append(weights, int16(max(1, min(10, math.Round(10*w)))))
		}
	}
	if _, err := q.Exec(ctx, `DELETE FROM offer_concepts WHERE offer_id = ANY($1)`, ids); err != nil {
		return fmt.Errorf("tag offers: %w", err)
	}
	if len(offerIDs) > 0 {
		if _, err := q.Exec(ctx, `
			INSERT INTO offer_concepts (offer_id, concept, weight)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::smallint[])`, offerIDs, concepts, weights); err != nil {
			return fmt.Errorf("tag offers: %w", err)
		}
	}
	return nil
}

// rebuildLexicon recomputes from offer_search what a search reads: the
// postings of the active offers (search_postings), the words known to the
// search with the number of offers holding them (search_lexicon, also the
// category keywords) and the number of active offers (search_meta docs).
// Only rows that changed are written, so an import that changes a few
// offers rewrites a few rows (and their indexes), not all.
func rebuildLexicon(ctx context.Context, q offerQuerier) error {
	for _, sql := range []string{
		`SET LOCAL work_mem = '64MB'`, // the postings aggregate in memory
		`WITH n AS (
		     SELECT u.lexeme AS term, o.category, string_agg(int8send(s.offer_id), '' ORDER BY s.offer_id) AS offers,
		            string_agg(set_byte('\x00', 0, CASE WHEN 'A' = ANY (u.weights) THEN 10 WHEN 'B' = ANY (u.weights) THEN 5
		                                                 WHEN 'C' = ANY (u.weights) THEN 3 ELSE 1 END), '' ORDER BY s.offer_id) AS weights
		       FROM offer_search s JOIN offers o ON o.id = s.offer_id, unnest(s.doc) u
		      WHERE o.active
		      GROUP BY u.lexeme, o.category
		     UNION ALL
		     SELECT '` + search.ConceptPrefix + `' || c.concept, o.category, string_agg(int8send(c.offer_id), '' ORDER BY c.offer_id),
		            string_agg(set_byte('\x00', 0, c.weight), '' ORDER BY c.offer_id)
		       FROM offer_concepts c JOIN offers o ON o.id = c.offer_id
		      WHERE o.active
		      GROUP BY c.concept, o.category
		 ), gone AS (
		     DELETE FROM search_postings p
		      WHERE NOT EXISTS (SELECT 1 FROM n WHERE n.term = p.term AND n.category = p.category)
		 )
		 INSERT INTO search_postings (term, category, offers, weights)
		 SELECT term, category, offers, weights FROM n
		 ON CONFLICT (term, category) DO UPDATE SET offers = EXCLUDED.offers, weights = EXCLUDED.weights
		  WHERE (search_postings.offers, search_postings.weights) IS DISTINCT FROM (EXCLUDED.offers, EXCLUDED.weights)`,
		`WITH n AS (
		     SELECT term, sum(n)::int AS docs FROM (
		         SELECT term, length(weights) AS n FROM search_postings
		         UNION ALL
		         SELECT term, 1 FROM search_keywords
		     ) w GROUP BY term
		 ), gone AS (
		     DELETE FROM search_lexicon l WHERE NOT EXISTS (SELECT 1 FROM n WHERE n.term = l.term)
		 )
		 INSERT INTO search_lexicon (term, docs) SELECT term, docs FROM n
		 ON CONFLICT (term) DO UPDATE SET docs = EXCLUDED.docs WHERE search_lexicon.docs <> EXCLUDED.docs`,
		// New words wait in the trigram index's pending list, which every
		// typo lookup would read through, until a vacuum: merge them now.
		`SELECT gin_clean_pending_list('search_lexicon_trgm'::regclass)`,
		`INSERT INTO search_meta (key, value)
		 SELECT 'docs', count(*)::text FROM offer_search s JOIN offers o ON o.id = s.offer_id WHERE o.active
		 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
	} {
		if _, err := q.Exec(ctx, sql); err != nil {
			return fmt.Errorf("rebuild lexicon: %w", err)
		}
	}
	return nil
}

// Reindex rebuilds the whole search index and vacuums the tables a search
// reads; for bulk loads that bypass Import.
func (s *OfferStore) Reindex(ctx context.Context) error {
	// The offers are tagged below, all of them: not first in SyncKeywords.
	if err := s.syncKeywords(ctx, false); err != nil {
		return err
	}
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('netzbot offer import'))`); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM offer_search`); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT id FROM offers`)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	if err := indexOffers(ctx, tx, s.lexicon(), ids); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	if err := rebuildLexicon(ctx, tx); err != nil {
		return err
	}
	if err := markTagged(ctx, tx, s.lexicon()); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	// After a bulk change, as after any bulk load: statistics for the
	// planner, and the visibility map and hint bits set now rather than by
	// autovacuum and the first searches (outside the transaction, which
	// VACUUM cannot run in).
	if _, err := s.Pool.Exec(ctx, `VACUUM (ANALYZE) offers, offer_texts, offer_hours, offer_search, search_postings, search_lexicon`); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	return nil
}

// SyncKeywords writes the category keywords of the lexicon
// (search.Lexicon.CategoryKeywords), folded and stemmed, into
// search_keywords if they changed, and tags every offer anew if the
// lexicon's concepts changed since the offers were tagged (the shipped
// lexicon with the office's additions, lexicon.go). It runs once per
// store, and again after the directory changed; Import and List call it.
func (s *OfferStore) SyncKeywords(ctx context.Context) error { return s.syncKeywords(ctx, true) }

// syncKeywords is SyncKeywords; retag false leaves the offers' concepts
// to the caller (Reindex tags them all anyway).
func (s *OfferStore) syncKeywords(ctx context.Context, retag bool) error {
	s.keywordsMu.Lock()
	defer s.keywordsMu.Unlock()
	if s.keywordsDone && !s.recheck.Swap(false) {
		return nil
	}
	if err := s.loadLexicon(ctx, s.Pool); err != nil {
		return err
	}
	lx := s.lexicon()
	keywords := lx.CategoryKeywords
	var cats, langs, words []string
	catIDs := make([]string, 0, len(keywords))
	for c := range keywords {
		catIDs = append(catIDs, c)
	}
	sort.Strings(catIDs)
	for _, c := range catIDs {
		ls := make([]string, 0, len(keywords[c]))
		for l := range keywords[c] {
			ls = append(ls, l)
		}
		sort.Strings(ls)
		for _, l := range ls {
			for _, k := range keywords[c][l] {
				cats, langs, words = append(cats, c), append(langs, l), append(words, k)
			}
		}
	}
	version := offerHashStrings(cats, langs, words)
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("sync keywords: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('netzbot offer import'))`); err != nil {
		return fmt.Errorf("sync keywords: %w", err)
	}
	var have string
	err = tx.QueryRow(ctx, `SELECT value FROM search_meta WHERE key = 'keywords'`).Scan(&have)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("sync keywords: %w", err)
	}
	if have != version {
		if _, err := tx.Exec(ctx, `DELETE FROM search_keywords`); err != nil {
			return fmt.Errorf("sync keywords: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO search_keywords (category, lang, keyword, folded, term, weight)
			SELECT k.category, k.lang, k.keyword, offer_fold(k.keyword), x.term,
			       1.0 / greatest(1, cardinality(tsvector_to_array(to_tsvector('simple', offer_fold(k.keyword)))))
			  FROM unnest($1::text[], $2::text[], $3::text[]) AS k(category, lang, keyword),
			       LATERAL (SELECT DISTINCT unnest(tsvector_to_array(
			           to_tsvector('simple', offer_fold(k.keyword)) ||
			           to_tsvector(offer_ts_config(k.lang), offer_fold(k.keyword)))) AS term) x`,
			cats, langs, words); err != nil {
			return fmt.Errorf("sync keywords: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO search_meta (key, value) VALUES ('keywords', $1)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, version); err != nil {
			return fmt.Errorf("sync keywords: %w", err)
		}
		if err := rebuildLexicon(ctx, tx); err != nil {
			return err
		}
	}
	var tagged string
	err = tx.QueryRow(ctx, `SELECT value FROM search_meta WHERE key = 'lexicon'`).Scan(&tagged)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("sync lexicon: %w", err)
	}
	if retag && tagged != lx.Version() {
		rows, err := tx.Query(ctx, `SELECT id FROM offers`)
		if err != nil {
			return fmt.Errorf("sync lexicon: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("sync lexicon: %w", err)
		}
		if err := tagOffers(ctx, tx, lx, ids); err != nil {
			return err
		}
		if err := rebuildLexicon(ctx, tx); err != nil {
			return err
		}
		if err := markTagged(ctx, tx, lx); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("sync keywords: %w", err)
	}
	s.keywordsDone = true
	return nil
}
