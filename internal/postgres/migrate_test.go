package postgres_test

import (
	"bytes"
	"io/fs"
	"log/slog"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/migrations"
)

func TestMigrateTwiceIsNoop(t *testing.T) {
	t.Parallel()
	db := pgtest.NewEmpty(t)
	ctx := t.Context()
	files, _ := fs.Glob(migrations.FS, "*.sql")

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	if err := postgres.Migrate(ctx, db.DSN, logger); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if got := strings.Count(logs.String(), "migration applied"); got != len(files) {
		t.Errorf("first run applied %d migrations, want %d\n%s", got, len(files), &logs)
	}
	var exists bool
	if err := db.Pool.QueryRow(ctx, "SELECT to_regclass('users') IS NOT NULL").Scan(&exists); err != nil || !exists {
		t.Fatalf("users table after Migrate: %v, %v", exists, err)
	}

	logs.Reset()
	if err := postgres.Migrate(ctx, db.DSN, logger); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if strings.Contains(logs.String(), "migration applied") || !strings.Contains(logs.String(), "applied=0") {
		t.Errorf("second run was not a no-op:\n%s", &logs)
	}

	current, latest, err := postgres.SchemaVersion(ctx, db.DSN)
	if err != nil || current != latest || latest == 0 {
		t.Errorf("SchemaVersion = %d, %d, %v; want current == latest > 0", current, latest, err)
	}
}

// TestMigrationsDownAndUp checks every migration's Down section, so a
// rollback in production is not its first run.
func TestMigrationsDownAndUp(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := t.Context()
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down to 0: %v", err)
	}
	var tables int
	if err := db.Pool.QueryRow(ctx,
		"SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'").Scan(&tables); err != nil || tables != 0 {
		t.Errorf("after down: %d tables left, %v", tables, err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
}
