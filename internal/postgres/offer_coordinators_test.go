package postgres_test

import (
	"slices"
	"testing"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

// A report on an offer goes to its organisation's own coordinators; to the
// network's coordinators and admins only when the organisation has none
// (active, still in the network).
func TestCoordinatorsOfAnOrganisation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	exec := func(sql string) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO organisations (id, external_id, name) VALUES (1, 'a', 'A'), (2, 'b', 'B'), (3, 'c', 'C')`)
	exec(`INSERT INTO users (id, language, role, active) VALUES
		(10, 'ar', 'coordinator', true),  -- coordinator of A
		(11, NULL, 'member', true),       -- member of A, not a coordinator
		(12, 'uk', 'coordinator', true),  -- coordinator without an organisation (the network office)
		(13, 'de', 'admin', true),        -- admin
		(14, 'de', 'coordinator', false), -- coordinator of B who blocked the bot
		(15, 'de', 'coordinator', true)   -- coordinator of C who left the network`)
	exec(`INSERT INTO members (user_id, organisation_id, active) VALUES (10, 1, true), (11, 1, true), (14, 2, true), (15, 3, false)`)
	s := &postgres.OfferStore{Pool: db.Pool}
	for org, want := range map[int64][]offer.Recipient{
		1: {{UserID: 10, Language: "ar"}},
		2: {{UserID: 10, Language: "ar"}, {UserID: 12, Language: "uk"}, {UserID: 13, Language: "de"}, {UserID: 15, Language: "de"}},
		3: {{UserID: 10, Language: "ar"}, {UserID: 12, Language: "uk"}, {UserID: 13, Language: "de"}, {UserID: 15, Language: "de"}},
	} {
		got, err := s.Coordinators(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("organisation %d: %+v, want %+v", org, got, want)
		}
	}
}
