package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/pgcluster"
	"github.com/netzbot/netzbot/internal/postgres"
)

// dbMode says what kind of local cluster to start when DATABASE_URL is unset.
type dbMode int

const (
	persistent dbMode = iota // serve, migrate: DATA_DIR, kept forever
	throwaway                // demo: a temp dir removed on exit, unless a dir is given
)

// database is an opened, migrated database and what to do on exit.
type database struct {
	Pool    *pgxpool.Pool
	DSN     string
	Cluster *pgcluster.Cluster // nil with DATABASE_URL
}

// Close closes the pool and stops a local cluster.
func (d *database) Close() {
	if d.Pool != nil {
		d.Pool.Close()
	}
	if d.Cluster != nil {
		_ = d.Cluster.Stop(context.Background())
	}
}

// openDatabase uses DATABASE_URL, or starts a local PostgreSQL, then
// applies the migrations.
func openDatabase(ctx context.Context, cfg *config.Config, mode dbMode, dataDir string, logger *slog.Logger) (*database, error) {
	d := &database{DSN: cfg.DatabaseURL}
	if d.DSN == "" {
		opts := pgcluster.Options{Dir: dataDir, Logger: logger}
		switch mode {
		case persistent:
			if opts.Dir == "" {
				opts.Dir = pgcluster.DefaultDataDir()
			}
		case throwaway:
			opts.Throwaway = opts.Dir == "" // a kept demo dir is real data
		}
		c, err := pgcluster.Start(ctx, opts)
		if err != nil {
			return nil, err
		}
		d.Cluster = c
		if err := c.CreateDatabase(ctx, "netzbot"); err != nil {
			d.Close()
			return nil, err
		}
		d.DSN = c.DSN("netzbot")
	}
	logger.Info("using database", "dsn", postgres.Redact(d.DSN))
	if err := postgres.Migrate(ctx, d.DSN, logger); err != nil {
		d.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	pool, err := postgres.Open(ctx, d.DSN)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Pool = pool
	return d, nil
}

// openCLIDatabase is how the administrative subcommands (import, export,
// report, invite, meetings, …) reach the data: DATABASE_URL, or the local
// cluster in DATA_DIR that serve uses, migrated. Close the database after use.
func openCLIDatabase(ctx context.Context, stderr io.Writer) (*config.Config, *database, error) {
	cfg, err := config.Load(os.Getenv, false)
	if err != nil {
		return nil, nil, err
	}
	db, err := openDatabase(ctx, cfg, persistent, cfg.DataDir, newLogger(stderr, cfg.LogLevel, false))
	if err != nil {
		return nil, nil, err
	}
	return cfg, db, nil
}
