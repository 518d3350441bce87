package pgtest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Snapshot returns a digest of every table of the public schema, so a
// test can show that an action changed nothing at all ("refused, nothing
// changed"), also in tables features add later.
func Snapshot(ctx context.Context, pool *pgxpool.Pool) (map[string]string, error) {
	rows, err := pool.Query(ctx, `
		SELECT table_name FROM information_schema.tables
		 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	// One statement for all tables: a snapshot is taken around every
	// action of the authorisation tests.
	parts := make([]string, 0, len(tables))
	for _, t := range tables {
		parts = append(parts, `SELECT `+quoteLiteral(t)+`, count(*) || ':' || coalesce(md5(string_agg(r::text, ',' ORDER BY r::text)), '') FROM `+pgx.Identifier{t}.Sanitize()+` r`)
	}
	out := make(map[string]string, len(tables))
	if len(parts) == 0 {
		return out, nil
	}
	rows, err = pool.Query(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		return nil, fmt.Errorf("digest tables: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t, digest string
		if err := rows.Scan(&t, &digest); err != nil {
			return nil, fmt.Errorf("digest tables: %w", err)
		}
		out[t] = digest
	}
	return out, rows.Err()
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Diff names the tables whose digest differs between two snapshots.
func Diff(before, after map[string]string) []string {
	var out []string
	for t, d := range after {
		if before[t] != d {
			out = append(out, t)
		}
	}
	for t := range before {
		if _, ok := after[t]; !ok {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}
