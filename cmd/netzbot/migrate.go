package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/netzbot/netzbot/internal/config"
)

// runMigrate applies the migrations to DATABASE_URL, or to the local
// cluster in DATA_DIR that serve uses, and exits.
func runMigrate(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(os.Getenv, false)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogLevel, false)
	db, err := openDatabase(ctx, cfg, persistent, cfg.DataDir, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}
