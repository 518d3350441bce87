package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/netzbot/netzbot/internal/offer"
)

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
