package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/netzbot/netzbot/internal/offer"
)

// ByExternalIDs returns the stored offers (inactive ones too) with these
// external ids, with their texts, by external id; unknown ids are left
// out. The import's machine translation compares an offer with its stored
// version to reuse translations of an unchanged source text.
func (s *OfferStore) ByExternalIDs(ctx context.Context, externalIDs []string) (map[string]*offer.Offer, error) {
	out := map[string]*offer.Offer{}
	if len(externalIDs) == 0 {
		return out, nil
	}
	rows, err := s.Pool.Query(ctx, `SELECT id FROM offers WHERE external_id = ANY($1)`, externalIDs)
	if err != nil {
		return nil, fmt.Errorf("offers by external id: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("offers by external id: %w", err)
	}
	list, err := s.getMany(ctx, s.Pool, ids)
	if err != nil {
		return nil, err
	}
	for _, o := range list {
		out[o.ExternalID] = o
	}
	return out, nil
}
