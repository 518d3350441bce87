package pgtest

import (
	"context"
	"fmt"
	"sort"

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
	out := make(map[string]string, len(tables))
	for _, t := range tables {
		var digest string
		q := `SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, ',' ORDER BY r::text)), '') FROM ` + pgx.Identifier{t}.Sanitize() + ` r`
		if err := pool.QueryRow(ctx, q).Scan(&digest); err != nil {
			return nil, fmt.Errorf("digest %s: %w", t, err)
		}
		out[t] = digest
	}
	return out, nil
}

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
