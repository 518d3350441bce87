// Package app assembles a running netzbot from its parts: the database
// stores, the Telegram client and sender, the bot and the HTTP endpoints.
// serve, demo, the end-to-end tests and the benchmarks all build the bot
// here, so they run the same code path.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/metrics"
	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/privacy"
	"github.com/netzbot/netzbot/internal/telegram"
	"github.com/netzbot/netzbot/internal/translate"
	"github.com/netzbot/netzbot/internal/user"
	"github.com/netzbot/netzbot/locales"
)

// Options configure an App beyond the Config.
type Options struct {
	Config *config.Config
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// Limits override the sender's rate limits (zero: telegram.DefaultLimits).
	Limits telegram.Limits
	// PollTimeout is the getUpdates long-poll timeout (default 50 s).
	PollTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Catalog is the loaded locales; loaded from the embedded files if nil.
	Catalog *locale.Catalog
	// Listener, if set, is used for the HTTP endpoints instead of HTTP_ADDR.
	Listener net.Listener
	// WorkerEvery is how often due notifications are looked for (15 s).
	WorkerEvery time.Duration
	// NoWorker leaves notification delivery to whoever calls
	// Bot.DeliverDue: tests that move the clock themselves.
	NoWorker bool
	// WrapSessions, if set, wraps the session store the bot opens every
	// update with: fault-injection tests put a failing or panicking store
	// in front of the real one.
	WrapSessions func(conversation.SessionStore) conversation.SessionStore
	// Flood is the per-user flood limit (zero: bot.DefaultFloodLimit).
	Flood bot.FloodLimit
	// SendGrace bounds how long a send batch may go on after shutdown
	// began (default 20 s).
	SendGrace time.Duration
}

// App is a wired netzbot.
type App struct {
	Config      *config.Config
	Pool        *pgxpool.Pool
	Bot         *bot.Bot
	Client      *tg.Bot
	Sender      *telegram.Sender
	Metrics     *metrics.Metrics
	Dispatcher  *telegram.Dispatcher
	Users       *postgres.UserStore
	BotUsername string
	// Privacy and Retention are the personal-data and retention registries
	// (privacy.go).
	Privacy   *privacy.Registry
	Retention *privacy.Retention
	// Bookings is consultation booking (booking.go).
	Bookings *postgres.BookingStore
	// Offers is the offer directory with its result cache, kept in step
	// with the database by postgres.Follow while Run runs.
	Offers *offer.Cache
	// Sessions keeps users' sessions in memory in polling mode (nil with
	// a webhook), kept in step with the database while Run runs.
	Sessions *conversation.Cache

	offerStore *postgres.OfferStore
	log        *slog.Logger
	opt        Options
	addrOnce   sync.Once
	addr       chan string
}

// New connects to Telegram (getMe checks the token) and wires the bot.
func New(ctx context.Context, opt Options) (*App, error) {
	cfg := opt.Config
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	catalog := opt.Catalog
	if catalog == nil {
		var err error
		if catalog, err = locale.Load(locales.FS); err != nil {
			return nil, fmt.Errorf("load locales: %w", err)
		}
	}
	a := &App{Config: cfg, Pool: opt.Pool, Metrics: metrics.New(), log: opt.Logger, opt: opt, addr: make(chan string, 1)}
	a.Users = &postgres.UserStore{Pool: opt.Pool}
	a.Privacy = personalData(opt.Pool)
	a.Retention = retentionTasks(cfg, opt.Pool)
	a.wireBooking(opt)
	a.offerStore = &postgres.OfferStore{Pool: opt.Pool}
	// A query that names no known need and finds nothing is machine-
	// translated to German and searched again, if a provider is set up:
	// within 1.5 s, and not at all for a minute after the provider failed.
	provider, err := translate.FromConfig(cfg.Translate, translate.Options{Now: opt.Now, Logger: opt.Logger})
	if err != nil {
		return nil, err
	}
	if qt := translate.NewQueryTranslator(provider, translate.QueryOptions{Now: opt.Now}); qt != nil {
		a.offerStore.Translator = qt
	}
	a.Offers = offer.NewCache(a.offerStore, offer.CacheOptions{})
	a.Metrics.CacheStats("offer_pages", a.Offers.Stats)

	httpClient := telegram.StatusClient{Client: &http.Client{Timeout: 30 * time.Second, Transport: telegram.NewTransport()}}
	client, err := tg.New(cfg.Token,
		tg.WithServerURL(cfg.APIURL),
		tg.WithHTTPClient(time.Minute, httpClient),
		tg.WithSkipGetMe(),
		tg.WithErrorsHandler(func(err error) {
			a.log.Warn("telegram client error", "error", telegram.RedactToken(err, cfg.Token))
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram client: %w", telegram.RedactToken(err, cfg.Token))
	}
	a.Client = client
	me, err := getMe(ctx, client)
	if err != nil {
		err = telegram.RedactToken(err, cfg.Token)
		if errors.Is(err, tg.ErrorUnauthorized) || errors.Is(err, tg.ErrorNotFound) {
			return nil, &config.Error{Var: "TELEGRAM_BOT_TOKEN", Problem: "rejected by the Bot API at " + cfg.APIURL + ": expected a valid token from @BotFather"}
		}
		return nil, fmt.Errorf("reach the Bot API at %s: %w", cfg.APIURL, err)
	}
	a.BotUsername = me

	var b *bot.Bot
	a.Sender = telegram.NewSender(client, telegram.SenderOptions{
		Limits:  opt.Limits,
		Logger:  opt.Logger,
		Metrics: a.Metrics,
		Token:   cfg.Token,
		APIURL:  cfg.APIURL,
		Client:  httpClient,
		OnBlocked: func(ctx context.Context, chatID int64) {
			b.MarkBlocked(ctx, chatID)
		},
	})
	var sessions conversation.SessionStore = &postgres.SessionStore{Pool: opt.Pool, Users: a.Users}
	if cfg.WebhookURL == "" {
		// Polling: this process alone handles updates, so a session it
		// keeps can only be changed by its own writes (forgotten as they
		// commit) or, rarely, by a CLI (forgotten when announced).
		a.Sessions = &conversation.Cache{Store: sessions, Now: opt.Now}
		a.Metrics.CacheStats("sessions", a.Sessions.Stats)
		sessions = a.Sessions
	}
	if opt.WrapSessions != nil {
		sessions = opt.WrapSessions(sessions)
	}
	b = bot.New(bot.Deps{
		Users:           a.Users,
		Conversations:   &postgres.ConversationStore{Pool: opt.Pool},
		Sessions:        sessions,
		Notifications:   &postgres.NotificationStore{Pool: opt.Pool},
		Catalog:         catalog,
		Sender:          a.Sender,
		BotUsername:     me,
		DefaultLanguage: cfg.DefaultLanguage,
		Logger:          opt.Logger,
		Metrics:         a.Metrics,
		Unavailable:     postgres.IsUnavailable,
		Now:             opt.Now,
		Roles:           a.Users,
		Privacy:         a.Privacy,
		PrivacyInfo:     privacyInfo(cfg),
		Flood:           opt.Flood,
		// The network: members, groups, invites, meetings, broadcasts.
		Members:    &postgres.MemberStore{Pool: opt.Pool, Loc: cfg.Location},
		Meetings:   &postgres.MeetingStore{Pool: opt.Pool, Loc: cfg.Location},
		Broadcasts: &postgres.BroadcastStore{Pool: opt.Pool},
		// Consultation booking.
		Bookings:      a.Bookings,
		BookingPolicy: a.Bookings.Policy,
		// The offer directory and its search.
		Offers:   a.Offers,
		TimeZone: cfg.Location,
	})
	a.Bot = b
	a.Dispatcher = telegram.NewDispatcher(b.Handle, 64)
	return a, nil
}

// getMe asks for the bot's username, retrying briefly: a Bot API server
// started a moment ago may not answer yet.
func getMe(ctx context.Context, client *tg.Bot) (string, error) {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		me, e := client.GetMe(c)
		cancel()
		if e == nil {
			return me.Username, nil
		}
		err = e
		if errors.Is(e, tg.ErrorUnauthorized) || errors.Is(e, tg.ErrorNotFound) || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
	return "", err
}

// Addr returns the address the HTTP endpoints listen on, once Run started them.
func (a *App) Addr(ctx context.Context) (string, error) {
	select {
	case s := <-a.addr:
		a.addr <- s
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Run serves until ctx is cancelled: the HTTP endpoints, and updates by long
// polling or, with WEBHOOK_URL, by webhook. On cancel it stops taking
// updates, finishes the ones in hand and returns.
func (a *App) Run(ctx context.Context) error {
	cfg := a.Config
	if len(cfg.AdminIDs) > 0 {
		if err := a.Users.EnsureRole(ctx, cfg.AdminIDs, user.RoleAdmin); err != nil {
			return fmt.Errorf("bootstrap ADMIN_IDS: %w", err)
		}
	}
	if err := a.Bot.PublishCommands(ctx); err != nil && ctx.Err() == nil {
		a.log.Warn("publishing the command menu failed", "error", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.Handle("GET /metrics", a.Metrics.Handler())
	if cfg.WebhookURL != "" {
		mux.Handle("POST "+cfg.WebhookPath(), telegram.WebhookHandler(cfg.WebhookSecret, a.Dispatcher, 30*time.Second, a.log))
	}
	ln := a.opt.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
			return &config.Error{Var: "HTTP_ADDR", Problem: fmt.Sprintf("cannot listen on %s (%v): expected a free host:port", cfg.HTTPAddr, err)}
		}
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	a.addrOnce.Do(func() { a.addr <- ln.Addr().String() })
	a.log.Info("http endpoints listening", "addr", ln.Addr().String())
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	if !a.opt.NoWorker {
		workerDone := make(chan struct{})
		go func() { defer close(workerDone); a.runWorker(ctx) }()
		defer func() { <-workerDone }()
	}
	followDone := make(chan struct{})
	go func() {
		defer close(followDone)
		// The store's expansions first: a page is then never made from an
		// expansion older than itself.
		f := postgres.Followers{Offers: []postgres.OfferCache{a.offerStore, a.Offers}}
		if a.Sessions != nil {
			f.Sessions = a.Sessions
		}
		postgres.Follow(ctx, a.Pool, a.log, f)
	}()
	defer func() { <-followDone }()
	retentionDone := make(chan struct{})
	go func() { defer close(retentionDone); a.runRetention(ctx) }()
	defer func() { <-retentionDone }()

	if cfg.WebhookURL != "" {
		if _, err := a.Client.SetWebhook(ctx, &tg.SetWebhookParams{
			URL: cfg.WebhookURL, SecretToken: cfg.WebhookSecret,
			AllowedUpdates: []string{"message", "callback_query", "my_chat_member"},
		}); err != nil {
			return fmt.Errorf("set webhook: %w", telegram.RedactToken(err, cfg.Token))
		}
		a.log.Info("receiving updates by webhook", "path", cfg.WebhookPath())
		select {
		case <-ctx.Done():
			return nil
		case err := <-srvErr:
			return fmt.Errorf("http server: %w", err)
		}
	}

	// Polling and a webhook exclude each other at Telegram.
	if _, err := a.Client.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil && ctx.Err() == nil {
		a.log.Warn("deleting webhook failed", "error", telegram.RedactToken(err, cfg.Token))
	}
	a.log.Info("receiving updates by long polling", "bot", a.BotUsername)
	p := &telegram.Poller{
		APIURL:         cfg.APIURL,
		Token:          cfg.Token,
		Client:         &http.Client{},
		Timeout:        a.opt.PollTimeout,
		AllowedUpdates: []string{"message", "callback_query", "my_chat_member"},
		Dispatcher:     a.Dispatcher,
		Logger:         a.log,
	}
	pollErr := make(chan error, 1)
	go func() { pollErr <- p.Run(ctx) }()
	select {
	case err := <-pollErr:
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	case err := <-srvErr:
		return fmt.Errorf("http server: %w", err)
	}
}

// healthz answers 200 when the database answers, 503 otherwise.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.Pool.Ping(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}
