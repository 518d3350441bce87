package main

import (
	"context"
	"flag"
	"io"
	"os"

	"golang.org/x/time/rate"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/telegram"
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
	a, err := app.New(ctx, app.Options{Config: cfg, Pool: db.Pool, Logger: logger, Limits: sendLimits(cfg)})
	if err != nil {
		return err
	}
	logger.Info("netzbot started", "bot", a.BotUsername, "api_url", cfg.APIURL)
	err = a.Run(ctx)
	logger.Info("netzbot stopped")
	return err
}

// sendLimits are Telegram's limits with the overall rate from
// TELEGRAM_SEND_RATE, if set (zero: the sender's defaults).
func sendLimits(cfg *config.Config) telegram.Limits {
	if cfg.SendRate <= 0 {
		return telegram.Limits{}
	}
	l := telegram.DefaultLimits
	l.Global = rate.Limit(cfg.SendRate)
	return l
}
