package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/privacy"
)

// OfferPrivacy is the offer directory's share of personal data: a user's
// search filters with their last shared location, and their reports of
// outdated offers. Searches, misses and feedback are stored without any
// user and are not personal data.
type OfferPrivacy struct{ Pool *pgxpool.Pool }

var _ privacy.PersonalData = (*OfferPrivacy)(nil)

// Export returns the user's filters and reports.
func (p *OfferPrivacy) Export(ctx context.Context, userID int64) (map[string]any, error) {
	out := map[string]any{}
	s := &OfferStore{Pool: p.Pool}
	f, err := s.Filters(ctx, userID)
	if err != nil {
		return nil, err
	}
	if f.Active() || !f.LocatedAt.IsZero() {
		m := map[string]any{"my_language": f.MyLanguage, "free_only": f.FreeOnly, "target_group": f.TargetGroup, "district": f.District}
		if !f.LocatedAt.IsZero() {
			m["location"] = map[string]any{"latitude": f.Lat, "longitude": f.Lon, "shared_at": f.LocatedAt}
		}
		out["offer_filters"] = m
	}
	rows, err := p.Pool.Query(ctx, `
		SELECT o.external_id, r.created_at FROM offer_reports r JOIN offers o ON o.id = r.offer_id
		 WHERE r.user_id = $1 ORDER BY r.created_at`, userID)
	if err != nil {
		return nil, fmt.Errorf("export offer reports: %w", err)
	}
	var reports []map[string]any
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return nil, err
		}
		reports = append(reports, map[string]any{"offer": id, "reported_at": at})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(reports) > 0 {
		out["offer_reports"] = reports
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Erase deletes the user's filters and location and their reports.
func (p *OfferPrivacy) Erase(ctx context.Context, userID int64) (privacy.Counts, error) {
	c := privacy.Counts{}
	tag, err := p.Pool.Exec(ctx, `DELETE FROM offer_filters WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("erase offer filters: %w", err)
	}
	c["offer_filters"] = int(tag.RowsAffected())
	tag, err = p.Pool.Exec(ctx, `DELETE FROM offer_reports WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("erase offer reports: %w", err)
	}
	c["offer_reports"] = int(tag.RowsAffected())
	return c, nil
}

// ExpireSearchLog forgets anonymous search texts, misses, requests to the
// office and feedback older than cutoff, and shared locations older than
// cutoff.
func ExpireSearchLog(pool *pgxpool.Pool) func(ctx context.Context, cutoff time.Time) (int, error) {
	return func(ctx context.Context, cutoff time.Time) (int, error) {
		n := 0
		for _, q := range []string{
			`DELETE FROM search_misses WHERE last_seen < $1`,
			`DELETE FROM search_requests WHERE last_seen < $1`,
			`DELETE FROM search_feedback WHERE created_at < $1`,
			`DELETE FROM search_queries q WHERE created_at < $1 AND NOT EXISTS (SELECT 1 FROM search_feedback f WHERE f.query_id = q.id)`,
			`UPDATE offer_filters SET latitude = NULL, longitude = NULL, located_at = NULL WHERE located_at < $1`,
		} {
			tag, err := pool.Exec(ctx, q, cutoff)
			if err != nil {
				return n, fmt.Errorf("expire search log: %w", err)
			}
			n += int(tag.RowsAffected())
		}
		return n, nil
	}
}
