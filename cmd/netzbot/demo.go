package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/demo"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// demoToken is the token the demo bot uses against the in-process fake.
const demoToken = "1000000:netzbot-demo"

// runDemo starts a throwaway database and a local fake Telegram, runs the
// real bot against them and lets the person at the terminal chat with it.
func runDemo(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", "", "keep the demo database in this directory (default: a temp dir removed on exit; also DATA_DIR)")
	lang := fs.String("lang", "", "the demo user's Telegram language_code, e.g. ar or uk (default: from $LANG, else en)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(os.Getenv, false)
	if err != nil {
		return err
	}
	if *dataDir == "" {
		*dataDir = cfg.DataDir
	}
	level := slog.LevelWarn
	if os.Getenv("LOG_LEVEL") != "" {
		level = cfg.LogLevel
	}
	logger := newLogger(stderr, level, false)

	db, err := openDatabase(ctx, cfg, throwaway, *dataDir, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := loadSampleData(ctx, db.Pool, logger); err != nil {
		return fmt.Errorf("load sample data: %w", err)
	}

	fake, err := telegramtest.New(telegramtest.Options{BotUsername: "netzbot_demo_bot"})
	if err != nil {
		return fmt.Errorf("start fake Telegram: %w", err)
	}
	defer fake.Close()
	// The sample members of the network have open chats; what the bot sends
	// them is printed as "→ to <name>" (network_sample.go).
	names := map[int64]string{}
	for _, m := range sampleMembers {
		fake.AddUser(telegramtest.User{ID: m.id, FirstName: m.name, LanguageCode: m.lang})
		names[m.id] = m.name
	}
	// /clock +1d moves the bot's clock; due notifications are delivered
	// after every line, so the demo prints them in order.
	clock := demo.NewClock(cfg.Location)

	demoCfg := *cfg
	demoCfg.Token = demoToken
	demoCfg.APIURL = fake.URL
	demoCfg.WebhookURL = ""
	ln, err := net.Listen("tcp", "127.0.0.1:0") // health and metrics, on any free port
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	a, err := app.New(ctx, app.Options{Config: &demoCfg, Pool: db.Pool, Logger: logger, Listener: ln, PollTimeout: 10 * time.Second,
		Now: clock.Now, NoWorker: true})
	if err != nil {
		return err
	}
	if err := makeDemoAdmin(ctx, a); err != nil { // network_sample.go
		return err
	}
	runCtx, stopBot := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()

	user := telegramtest.User{ID: 424242, FirstName: "Demo", Username: "demo_user", LanguageCode: demoLanguage(*lang)}
	interactive := isTerminal(stdin) && isTerminal(stdout)
	err = demo.Run(ctx, demo.Options{Server: fake, User: user, In: stdin, Out: stdout, Interactive: interactive, Color: isTerminal(stdout),
		Clock: clock, Names: names, Deliver: func(ctx context.Context) error { _, err := a.Bot.DeliverDue(ctx); return err }})
	stopBot()
	if runErr := <-done; runErr != nil && err == nil && !errors.Is(runErr, context.Canceled) {
		err = runErr
	}
	if ctx.Err() != nil { // Ctrl-C is a normal way to leave
		return nil
	}
	return err
}

// demoLanguage is the language Telegram would report for the demo user.
func demoLanguage(flagValue string) string {
	for _, v := range []string{flagValue, os.Getenv("LC_ALL"), os.Getenv("LANG")} {
		if l, ok := locale.Match(v); ok {
			return l
		}
	}
	return "en"
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
