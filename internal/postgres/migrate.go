package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/netzbot/netzbot/migrations"
)

// Migrate brings the schema of the database at dsn up to the newest
// migration in migrations.FS. Each migration runs in its own transaction,
// so a failing one leaves the schema at the previous version. A PostgreSQL
// advisory lock makes concurrent starts (two bot instances, a deploy
// overlapping the old process) wait for each other instead of racing.
func Migrate(ctx context.Context, dsn string, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}
	db, err := openSQL(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := newProvider(db)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if partial := (*goose.PartialError)(nil); errors.As(err, &partial) {
		results = partial.Applied
	}
	for _, r := range results {
		logger.Info("migration applied",
			"version", r.Source.Version,
			"file", filepath.Base(r.Source.Path),
			"duration_ms", r.Duration.Milliseconds())
	}
	if err != nil {
		return fmt.Errorf("migrate database %s: %w", Redact(dsn), err)
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("schema version of %s: %w", Redact(dsn), err)
	}
	logger.Info("database schema up to date", "version", current, "applied", len(results))
	return nil
}

// SchemaVersion reports the database's schema version and the newest one
// this binary knows, e.g. for a health check that wants current == latest.
// Like goose, it creates the (empty) version table if it is missing.
func SchemaVersion(ctx context.Context, dsn string) (current, latest int64, err error) {
	db, err := openSQL(ctx, dsn)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	p, err := newProvider(db)
	if err != nil {
		return 0, 0, err
	}
	if current, err = p.GetDBVersion(ctx); err != nil {
		return 0, 0, fmt.Errorf("schema version of %s: %w", Redact(dsn), err)
	}
	sources := p.ListSources()
	return current, sources[len(sources)-1].Version, nil
}

// openSQL opens dsn for goose, which speaks database/sql, and waits for the
// server like Open does. pgxpool's parser is used so DSNs meant for Open
// (with pool_max_conns and the like) work here too.
func openSQL(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database dsn %s: %w", Redact(dsn), err)
	}
	db := stdlib.OpenDB(*cfg.ConnConfig)
	if err := waitReachable(ctx, db.PingContext); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database %s: %w", Redact(dsn), err)
	}
	return db, nil
}

func newProvider(db *sql.DB) (*goose.Provider, error) {
	// Retry the lock every second for up to 5 minutes (goose's default
	// polls only every 5 s, which slows every contended start).
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}
