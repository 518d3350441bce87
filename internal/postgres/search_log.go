package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/netzbot/netzbot/internal/offer"
)

// suggestSimilarity is the lower bar for a "did you mean" keyword.
const suggestSimilarity = 0.25

// Suggest finds the category keyword most like text, for "did you mean".
func (s *OfferStore) Suggest(ctx context.Context, text string) (*offer.Suggestion, error) {
	if err := s.SyncKeywords(ctx); err != nil {
		return nil, err
	}
	words := s.lexicon().ContentWords(text)
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
	for i, k := range s.lexicon().CategoryKeywords[sug.Category][sug.Lang] {
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
	return s.count(ctx, searchMisses, text, lang)
}

// RecordRequest counts a "tell the network office what you are looking
// for", kept like a miss.
func (s *OfferStore) RecordRequest(ctx context.Context, text, lang string) error {
	return s.count(ctx, searchRequests, text, lang)
}

// Misses lists the most frequent searches without result since since.
func (s *OfferStore) Misses(ctx context.Context, since time.Time, limit int) ([]offer.Miss, error) {
	return s.counted(ctx, searchMisses, since, limit)
}

// Requests lists what people asked the office for since since, most often first.
func (s *OfferStore) Requests(ctx context.Context, since time.Time, limit int) ([]offer.Miss, error) {
	return s.counted(ctx, searchRequests, since, limit)
}

// The anonymous search counts: a table of (query, lang) with how often and
// when first and last.
const (
	searchMisses   = "search_misses"
	searchRequests = "search_requests"
)

// count adds one to text's row in table (searchMisses or searchRequests).
func (s *OfferStore) count(ctx context.Context, table, text, lang string) error {
	norm := s.lexicon().Normalize(text)
	if norm == "" {
		return nil
	}
	if _, err := s.Pool.Exec(ctx, `
		INSERT INTO `+table+` AS t (query, lang) VALUES ($1, $2)
		ON CONFLICT (query, lang) DO UPDATE SET count = t.count + 1, last_seen = now()`, norm, lang); err != nil {
		return fmt.Errorf("count in %s: %w", table, err)
	}
	return nil
}

// counted lists table's rows seen since since, most frequent first.
func (s *OfferStore) counted(ctx context.Context, table string, since time.Time, limit int) ([]offer.Miss, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT query, lang, count, first_seen, last_seen FROM `+table+`
		 WHERE last_seen >= $1 ORDER BY count DESC, last_seen DESC, query LIMIT $2`, since, limit)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", table, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (offer.Miss, error) {
		var m offer.Miss
		err := r.Scan(&m.Query, &m.Lang, &m.Count, &m.FirstSeen, &m.LastSeen)
		return m, err
	})
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
