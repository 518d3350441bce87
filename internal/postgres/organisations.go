package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/netzbot/netzbot/internal/offer"
)

// upsertOrganisation creates or updates an organisation by external id and
// reports what it did: "created", "updated" or "unchanged".
func upsertOrganisation(ctx context.Context, tx pgx.Tx, g *offer.Organisation) (string, error) {
	desc, err := json.Marshal(offerMap(g.Description))
	if err != nil {
		return "", err
	}
	var id int64
	var inserted bool
	err = tx.QueryRow(ctx, `
		INSERT INTO organisations (external_id, name, description, website, email, phone, contact_person)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (external_id) DO UPDATE
		   SET name = EXCLUDED.name, description = EXCLUDED.description, website = EXCLUDED.website,
		       email = EXCLUDED.email, phone = EXCLUDED.phone, contact_person = EXCLUDED.contact_person,
		       active = true, updated_at = now()
		 WHERE (organisations.name, organisations.description, organisations.website, organisations.email,
		        organisations.phone, organisations.contact_person, organisations.active)
		       IS DISTINCT FROM
		       (EXCLUDED.name, EXCLUDED.description, EXCLUDED.website, EXCLUDED.email,
		        EXCLUDED.phone, EXCLUDED.contact_person, true)
		RETURNING id, xmax = 0`,
		g.ExternalID, g.Name, desc, g.Website, g.Email, g.Phone, g.ContactPerson).Scan(&id, &inserted)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if err := tx.QueryRow(ctx, `SELECT id FROM organisations WHERE external_id = $1`, g.ExternalID).Scan(&g.ID); err != nil {
			return "", fmt.Errorf("organisation %s: %w", g.ExternalID, err)
		}
		return "unchanged", nil
	case err != nil:
		return "", fmt.Errorf("upsert organisation %s: %w", g.ExternalID, err)
	}
	g.ID = id
	if inserted {
		return "created", nil
	}
	return "updated", nil
}

// organisationsByID loads organisations.
func organisationsByID(ctx context.Context, q offerQuerier, ids []int64) (map[int64]offer.Organisation, error) {
	rows, err := q.Query(ctx, `
		SELECT id, external_id, name, description, website, email, phone, contact_person
		  FROM organisations WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("load organisations: %w", err)
	}
	out := map[int64]offer.Organisation{}
	for rows.Next() {
		var g offer.Organisation
		var desc []byte
		if err := rows.Scan(&g.ID, &g.ExternalID, &g.Name, &desc, &g.Website, &g.Email, &g.Phone, &g.ContactPerson); err != nil {
			return nil, err
		}
		g.Description = map[string]string{}
		if err := json.Unmarshal(desc, &g.Description); err != nil {
			return nil, fmt.Errorf("organisation %s description: %w", g.ExternalID, err)
		}
		out[g.ID] = g
	}
	return out, rows.Err()
}

func offerMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
