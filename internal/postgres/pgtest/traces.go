package pgtest

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Traces searches every table of the public schema for needles: a bigint
// or integer column equal to a numeric needle, and any text, varchar,
// json, jsonb or array column containing a needle as a substring. It
// returns "table.column: value" for each hit. Privacy tests use it to show
// that nothing identifying an erased user is left, in tables that exist
// today and in those features add later, without naming them.
func Traces(ctx context.Context, pool *pgxpool.Pool, needles ...string) ([]string, error) {
	rows, err := pool.Query(ctx, `
		SELECT c.table_name, c.column_name, c.data_type
		  FROM information_schema.columns c
		  JOIN information_schema.tables t USING (table_schema, table_name)
		 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
		 ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("list columns: %w", err)
	}
	type column struct{ table, name, typ string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		return c, r.Scan(&c.table, &c.name, &c.typ)
	})
	if err != nil {
		return nil, fmt.Errorf("list columns: %w", err)
	}
	var hits []string
	for _, c := range cols {
		col, table := pgx.Identifier{c.name}.Sanitize(), pgx.Identifier{c.table}.Sanitize()
		var expr string
		switch c.typ {
		case "bigint", "integer", "numeric":
			expr = col + "::text"
		case "text", "character varying", "character":
			expr = col
		case "json", "jsonb", "ARRAY":
			expr = col + "::text"
		default:
			continue
		}
		for _, needle := range needles {
			q := `SELECT ` + expr + ` FROM ` + table + ` WHERE strpos(` + expr + `, $1) > 0 LIMIT 3`
			if c.typ == "bigint" || c.typ == "integer" || c.typ == "numeric" {
				q = `SELECT ` + expr + ` FROM ` + table + ` WHERE ` + expr + ` = $1 LIMIT 3`
			}
			rows, err := pool.Query(ctx, q, needle)
			if err != nil {
				return nil, fmt.Errorf("search %s.%s: %w", c.table, c.name, err)
			}
			vals, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return nil, fmt.Errorf("search %s.%s: %w", c.table, c.name, err)
			}
			for _, v := range vals {
				hits = append(hits, fmt.Sprintf("%s.%s: %s", c.table, c.name, clip(v)))
			}
		}
	}
	return hits, nil
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return strings.ReplaceAll(s, "\n", " ")
}
