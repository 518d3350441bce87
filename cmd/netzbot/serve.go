package main

import (
	"context"
	"flag"
	"io"
	"os"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/config"
)

// runServe runs the real bot until SIGINT or SIGTERM.
func runServe(ctx context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(os.Getenv, true)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogLevel, true)
	db, err := openDatabase(ctx, cfg, persistent, cfg.DataDir, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(ctx, app.Options{Config: cfg, Pool: db.Pool, Logger: logger})
	if err != nil {
		return err
	}
	logger.Info("netzbot started", "bot", a.BotUsername, "api_url", cfg.APIURL)
	err = a.Run(ctx)
	logger.Info("netzbot stopped")
	return err
}
