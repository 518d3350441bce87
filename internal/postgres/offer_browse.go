package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/netzbot/netzbot/internal/offer"
)

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
