package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/pprof"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/time/rate"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/telegram"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// Updates is scenario 1: update throughput. Simulated users push updates
// through getUpdates of the fake Bot API until every reply has arrived;
// the baseline is a bare go-telegram/bot echo bot (its own Start polling)
// against the same fake, in the same run.
type Updates struct{}

// Name implements Scenario.
func (*Updates) Name() string { return "updates" }

const (
	benchToken = "4242:netzbot-bench"
	echoToken  = "4243:echo-bench"
)

// unlimited lifts the sender's rate limits: scenario 1 measures handling,
// not Telegram's flood limits (the fake enforces none here, and the echo
// bot has no limiter); scenario 3 measures the limited sender.
var unlimited = telegram.Limits{Global: rate.Inf, GlobalBurst: 1, PerChat: rate.Inf, PerChatBurst: 1, PerGroupPerMinute: 1 << 20}

// Run implements Scenario. The two bots take turns, round after round, and
// the ratio is the median of the rounds' ratios: the machine is shared, and
// load from elsewhere then hits both alike.
func (s *Updates) Run(ctx context.Context, env *Env) ([]Result, error) {
	// Quick keeps the users and a half of the traffic: each round starts
	// with cold caches and unknown users, which a much shorter round
	// would measure more than the handling of updates.
	users := env.Size(500, 500, 2)
	n := env.Size(20000, 10000, 4)
	rounds := 5
	if env.Quick {
		rounds = 2
	}
	t := newTraffic(users, n, 1_000_000, 1)
	var (
		echoAll, nbAll     driveResult
		echoRate, nbRate   []float64
		ratios             []float64
		violations, nbViol int
		nbGetUpdates       int
		echoCPU, nbCPU     cpuUse
		cuts               []string
		offerHits          hitCount
		sessionHits        hitCount
	)
	for round := 1; round <= rounds; round++ {
		var (
			echo, nb contender
			err      error
		)
		env.Progressf("updates: round %d/%d: echo bot (go-telegram/bot Start), %s", round, rounds, t.describe())
		pprof.Do(ctx, pprof.Labels("contender", "echo"), func(ctx context.Context) {
			echo, err = runEcho(ctx, env, t)
		})
		if err != nil {
			return nil, fmt.Errorf("echo bot: %w", err)
		}
		env.Progressf("updates: round %d/%d: netzbot", round, rounds)
		pprof.Do(ctx, pprof.Labels("contender", "netzbot"), func(ctx context.Context) {
			nb, err = runNetzbot(ctx, env, t)
		})
		if err != nil {
			return nil, fmt.Errorf("netzbot: %w", err)
		}
		violations += echo.violations + nb.violations
		nbViol += nb.violations
		nbGetUpdates += nb.polls
		offerHits, sessionHits = offerHits.add(nb.offerHits), sessionHits.add(nb.sessionHits)
		echoCPU, nbCPU = echoCPU.add(echo.cpu), nbCPU.add(nb.cpu)
		env.Progressf("updates: round %d/%d: echo bot %.0f updates/s (CPU/update %s, busy %s), netzbot %.0f updates/s (CPU/update %s, busy %s): %s", round, rounds,
			echo.res.perSecond(), echo.cpu.perOp(echo.res.updates), echo.cpu.busy(), nb.res.perSecond(), nb.cpu.perOp(nb.res.updates), nb.cpu.busy(),
			ratio(nb.res.perSecond(), echo.res.perSecond()))
		echoRate, nbRate = append(echoRate, echo.res.perSecond()), append(nbRate, nb.res.perSecond())
		ratios = append(ratios, nb.res.perSecond()/echo.res.perSecond())
		echoAll.latency = append(echoAll.latency, echo.res.latency...)
		nbAll.latency = append(nbAll.latency, nb.res.latency...)
		echoAll.updates += echo.res.updates
		nbAll.updates += nb.res.updates
		nbAll.extra += nb.res.extra
		if nb.res.cut || echo.res.cut {
			cuts = append(cuts, fmt.Sprintf("round %d: echo %d, netzbot %d", round, echo.res.updates, nb.res.updates))
		}
	}
	sortDurations(echoAll.latency)
	sortDurations(nbAll.latency)
	r := median(ratios)

	notes := fmt.Sprintf("%s, each waiting for the reply before the next; median of %d rounds (ratios %s); "+
		"CPU per update (this process: bot, fake API and users; + PostgreSQL) netzbot %s, echo %s; "+
		"netzbot read %.0f updates per getUpdates and made %.2f answering calls per update; "+
		"its offer cache (each round starts cold) answered %.0f%% of %s result pages, cards and suggestions from memory, "+
		"its session cache %.0f%% of %s sessions; "+
		"sender and per-user flood limits lifted (scenario 3 has the sender's)",
		t.describe(), rounds, formatRatios(ratios), nbCPU.perOp(nbAll.updates), echoCPU.perOp(echoAll.updates),
		float64(nbAll.updates)/float64(max(nbGetUpdates, 1)), 1+float64(nbAll.extra)/float64(max(nbAll.updates, 1)),
		offerHits.percent(), thousands(int(offerHits.lookups())), sessionHits.percent(), thousands(int(sessionHits.lookups())))
	if len(cuts) > 0 {
		notes += fmt.Sprintf("; stopped after %s with fewer updates answered (%s)", env.budget(), strings.Join(cuts, "; "))
	}
	if violations > 0 {
		notes += fmt.Sprintf("; %d requests violated the Bot API reference (netzbot %d)", violations, nbViol)
	}
	return []Result{
		{
			Scenario: "1. update throughput",
			Netzbot:  fmt.Sprintf("%.0f updates/s", median(nbRate)),
			Baseline: fmt.Sprintf("%.0f updates/s (echo bot)", median(echoRate)),
			Ratio:    fmt.Sprintf("%.2f×", r),
			Target:   "≥ 0.50×",
			Verdict:  verdict(r >= 0.5 && nbViol == 0),
			Notes:    notes,
		},
		{
			Scenario: "1. reply latency",
			Netzbot:  nbAll.latencies(),
			Baseline: echoAll.latencies(),
			Ratio:    ratio(float64(percentile(nbAll.latency, 95)), float64(percentile(echoAll.latency, 95))) + " (p95)",
			Target:   "report",
			Verdict:  Info,
			Notes:    "update pushed → first answer at the fake (message sent or edited, button answered), all rounds, under the load above",
		},
	}, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func formatRatios(xs []float64) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, fmt.Sprintf("%.2f", x))
	}
	return strings.Join(parts, ", ")
}

// contender is one bot's measurement in one round.
type contender struct {
	res        driveResult
	violations int
	polls      int // getUpdates requests during the measurement
	cpu        cpuUse
	// offerHits are netzbot's offer cache lookups (pages, cards,
	// suggestions), sessionHits its session opens.
	offerHits, sessionHits hitCount
}

// hitCount is a cache's lookups answered from memory and from the database.
type hitCount struct{ hits, misses int64 }

func (h hitCount) add(o hitCount) hitCount { return hitCount{h.hits + o.hits, h.misses + o.misses} }
func (h hitCount) lookups() int64          { return h.hits + h.misses }
func (h hitCount) percent() float64        { return 100 * float64(h.hits) / float64(max(h.lookups(), 1)) }

// measure drives t against fake, sampling CPU use around it.
func measure(ctx context.Context, env *Env, fake *telegramtest.Server, w *replyWatch, t *traffic) (contender, error) {
	env.quiesce()
	before := fake.Stats().Requests["getUpdates"]
	c0 := env.cpuNow()
	res, err := drive(ctx, fake, w, t, 0, env.budget())
	c1 := env.cpuNow()
	st := fake.Stats()
	return contender{res: res, violations: st.Violations, polls: st.Requests["getUpdates"] - before, cpu: c0.to(c1)}, err
}

// warmUp has one user exchange a message with the bot, so that the
// measurement starts with the bot polling and its connections open.
func warmUp(ctx context.Context, fake *telegramtest.Server, w *replyWatch, id int64) error {
	t := newTraffic(1, 1, id, 99)
	_, err := drive(ctx, fake, w, t, 0, 0)
	return err
}

// runEcho measures the baseline: go-telegram/bot with its own polling
// (Start) and an echo handler, as its README shows.
func runEcho(ctx context.Context, env *Env, t *traffic) (contender, error) {
	w := newReplyWatch()
	fake, err := env.Fake(telegramtest.Options{Token: echoToken, BotUsername: "echo_bench_bot", OnCall: w.OnCall})
	if err != nil {
		return contender{}, err
	}
	defer fake.Close()
	var errs atomic.Int64
	b, err := tg.New(echoToken,
		tg.WithServerURL(fake.URL),
		tg.WithSkipGetMe(),
		tg.WithErrorsHandler(func(error) { errs.Add(1) }),
		tg.WithDefaultHandler(func(ctx context.Context, b *tg.Bot, u *models.Update) {
			switch {
			case u.Message != nil:
				_, _ = b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.Message.Chat.ID, Text: u.Message.Text})
			case u.CallbackQuery != nil: // the button's data as a toast
				_, _ = b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: u.CallbackQuery.Data})
			}
		}),
	)
	if err != nil {
		return contender{}, err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); b.Start(runCtx) }()
	defer func() { stop(); <-done }()
	if err := warmUp(ctx, fake, w, 999_000_001); err != nil {
		return contender{}, fmt.Errorf("warm-up: %w", err)
	}
	return measure(ctx, env, fake, w, t)
}

// netzbotConfig is the configuration of a bench bot against fakeURL.
func netzbotConfig(fakeURL string) *config.Config {
	loc, _ := time.LoadLocation("Europe/Berlin")
	return &config.Config{
		Token: benchToken, APIURL: fakeURL, HTTPAddr: "127.0.0.1:0",
		Location: loc, TZName: "Europe/Berlin", DefaultLanguage: "de",
	}
}

// startNetzbot wires the real app (as serve does: JSON logs at info level,
// here into io.Discard) against fake and pool and runs it until stop.
func startNetzbot(ctx context.Context, env *Env, fake *telegramtest.Server, pool *pgxpool.Pool, adjust func(*app.Options)) (a *app.App, stop func() error, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	opt := app.Options{
		Config:   netzbotConfig(fake.URL),
		Pool:     pool,
		Logger:   slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Catalog:  env.Catalog,
		Listener: ln,
	}
	adjust(&opt)
	a, err = app.New(ctx, opt)
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	return a, func() error { cancel(); return <-done }, nil
}

// runNetzbot measures netzbot in this process (so --cpuprofile sees it).
func runNetzbot(ctx context.Context, env *Env, t *traffic) (contender, error) {
	pool, _, err := env.Database(ctx, "updates", true)
	if err != nil {
		return contender{}, err
	}
	defer pool.Close()
	w := newReplyWatch()
	fake, err := env.Fake(telegramtest.Options{Token: benchToken, BotUsername: "netzbot_bench_bot", OnCall: w.OnCall})
	if err != nil {
		return contender{}, err
	}
	defer fake.Close()
	a, stop, err := startNetzbot(ctx, env, fake, pool, func(o *app.Options) {
		o.Limits = unlimited
		// Users here type faster than people do; the per-user flood
		// limit still runs, but does not bind.
		o.Flood = bot.FloodLimit{Burst: 1 << 20, Per: time.Second}
	})
	if err != nil {
		return contender{}, err
	}
	defer func() { _ = stop() }()
	if err := warmUp(ctx, fake, w, 999_000_001); err != nil {
		return contender{}, fmt.Errorf("warm-up: %w", err)
	}
	h0, m0 := a.Offers.Stats()
	sh0, sm0 := a.Sessions.Stats()
	c, err := measure(ctx, env, fake, w, t)
	h1, m1 := a.Offers.Stats()
	sh1, sm1 := a.Sessions.Stats()
	c.offerHits = hitCount{h1 - h0, m1 - m0}
	c.sessionHits = hitCount{sh1 - sh0, sm1 - sm0}
	return c, err
}
