// Package bench is `netzbot bench`: end-to-end scenarios that measure
// netzbot against a baseline measured in the same run, on the same
// throwaway PostgreSQL and the same fake Bot API the tests use
// (internal/telegram/telegramtest, with Telegram's flood limits switched on
// where a scenario needs them).
//
// The machine is small and shared, so every figure that can be is a ratio
// against a baseline that ran moments before on the same machine; ordinary
// tests never assert times.
//
// A scenario is a small type with a Name and a Run that returns its rows of
// the result table (see Scenarios for the list). To add one: write the type
// in its own file, reuse the feature's own data generator (its package's
// bench or test helpers, not a copy), and add it to Scenarios.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/pgcluster"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
	"github.com/netzbot/netzbot/locales"
)

// Verdict is a row's outcome.
type Verdict string

// The verdicts a row can have.
const (
	Pass Verdict = "pass"
	Fail Verdict = "FAIL"
	// Skip: the scenario could not run here (a feature not landed yet, no
	// netzbot binary for a child process); the note says why.
	Skip Verdict = "skip"
	// Info: a figure reported without a target.
	Info Verdict = "info"
)

// Result is one row of the table.
type Result struct {
	Scenario string // "1. update throughput", ...
	Netzbot  string // netzbot's figure, with its unit
	Baseline string // the baseline's figure, "—" if the scenario has none
	Ratio    string // netzbot relative to the baseline, "—" if none
	Target   string
	Verdict  Verdict
	Notes    string
}

// Scenario is one benchmark.
type Scenario interface {
	// Name is what --only selects, e.g. "updates".
	Name() string
	// Run measures and returns the scenario's rows. An error means the
	// scenario could not run at all; a missed target is a row with Fail.
	Run(ctx context.Context, env *Env) ([]Result, error)
}

// Scenarios are all scenarios in table order.
func Scenarios() []Scenario {
	return []Scenario{
		&Updates{},   // 1. update throughput vs a go-telegram/bot echo bot
		&Search{},    // 2. search (internal/offer), see search.go
		&Reminders{}, // 3. reminder delivery through the notification queue
		&Booking{},   // 4. booking contention (internal/booking), see booking.go
		&Footprint{}, // 5. RSS and start-up time of the real `serve` binary
	}
}

// Options configure Run.
type Options struct {
	// Quick shrinks every scenario so the whole run takes under a minute.
	Quick bool
	// Scale multiplies every scenario's size further (1 if zero); the
	// end-to-end test of the command uses a tiny one.
	Scale float64
	// Only runs the scenarios with these names (all if empty).
	Only []string
	// Binary is the netzbot executable the footprint scenario runs as a
	// child process; that scenario is skipped without one.
	Binary string
	// Progress gets one line per step (stderr in the command).
	Progress io.Writer
	// SampleData fills a database with the demo's sample data (offers,
	// consultation services, the network), so that the bot in scenarios 1
	// and 5 finds what people search for; nil leaves the databases empty.
	SampleData func(ctx context.Context, pool *pgxpool.Pool) error
}

// Env is what scenarios share: the PostgreSQL cluster, the locales and
// the options. Each scenario makes its own databases and fakes.
type Env struct {
	Options
	Cluster *pgcluster.Cluster
	Catalog *locale.Catalog
	// PGVersion is the server's full version, e.g. "15.14".
	PGVersion string

	mu  sync.Mutex
	seq int
}

// Report is a finished run.
type Report struct {
	Results   []Result
	Started   time.Time
	Duration  time.Duration
	CPUs      int
	GoVersion string
	PGVersion string
	OS        string
	Quick     bool
	Scale     float64
	// Errors counts scenarios that could not run.
	Errors int
}

// Run starts a throwaway PostgreSQL and runs the selected scenarios one
// after the other.
func Run(ctx context.Context, opt Options) (*Report, error) {
	if opt.Scale <= 0 {
		opt.Scale = 1
	}
	if opt.Progress == nil {
		opt.Progress = io.Discard
	}
	selected, err := selectScenarios(opt.Only)
	if err != nil {
		return nil, err
	}
	rep := &Report{Started: time.Now(), CPUs: runtime.NumCPU(), GoVersion: runtime.Version(),
		OS: runtime.GOOS + "/" + runtime.GOARCH, Quick: opt.Quick, Scale: opt.Scale}

	env := &Env{Options: opt}
	env.progress("starting a throwaway PostgreSQL")
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{Throwaway: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	defer func() { _ = cluster.Stop(context.WithoutCancel(ctx)) }()
	env.Cluster = cluster
	if env.PGVersion, err = serverVersion(ctx, cluster); err != nil {
		return nil, err
	}
	rep.PGVersion = env.PGVersion
	if env.Catalog, err = locale.Load(locales.FS); err != nil {
		return nil, err
	}

	for _, s := range selected {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		began := time.Now()
		env.progress("scenario %s: running", s.Name())
		var rows []Result
		pprof.Do(ctx, pprof.Labels("scenario", s.Name()), func(ctx context.Context) {
			rows, err = s.Run(ctx, env)
		})
		if err != nil {
			rep.Errors++
			env.progress("scenario %s: failed: %v", s.Name(), err)
			rows = append(rows, Result{Scenario: s.Name(), Netzbot: "—", Baseline: "—", Ratio: "—", Target: "—", Verdict: Fail, Notes: "could not run: " + oneLine(err)})
		}
		for _, r := range rows {
			env.progress("scenario %s: %s %s (baseline %s, ratio %s, target %s) %s", s.Name(), r.Scenario, r.Netzbot, r.Baseline, r.Ratio, r.Target, r.Verdict)
		}
		env.progress("scenario %s: done in %s", s.Name(), time.Since(began).Round(100*time.Millisecond))
		rep.Results = append(rep.Results, rows...)
	}
	rep.Duration = time.Since(rep.Started)
	return rep, nil
}

func selectScenarios(only []string) ([]Scenario, error) {
	all := Scenarios()
	if len(only) == 0 {
		return all, nil
	}
	var names []string
	want := map[string]bool{}
	for _, s := range all {
		names = append(names, s.Name())
	}
	for _, w := range only {
		if !slices.Contains(names, w) {
			return nil, fmt.Errorf("%w: unknown scenario %q: expected one of %s", ErrUsage, w, strings.Join(names, ", "))
		}
		want[w] = true
	}
	var out []Scenario // in table order
	for _, s := range all {
		if want[s.Name()] {
			out = append(out, s)
		}
	}
	return out, nil
}

// ErrUsage wraps errors in the options.
var ErrUsage = errors.New("usage")

func serverVersion(ctx context.Context, c *pgcluster.Cluster) (string, error) {
	pool, err := postgres.Open(ctx, c.ConnString())
	if err != nil {
		return "", err
	}
	defer pool.Close()
	var v string
	if err := pool.QueryRow(ctx, `SHOW server_version`).Scan(&v); err != nil {
		return "", fmt.Errorf("server version: %w", err)
	}
	if f := strings.Fields(v); len(f) > 0 {
		v = f[0] // "15.14 (Debian 15.14-0+deb12u1)" → "15.14"
	}
	return v, nil
}

// progress prints one line to Progress.
func (e *Env) progress(format string, args ...any) {
	fmt.Fprintf(e.Progress, "bench: "+format+"\n", args...)
}

// Progressf is progress for scenarios.
func (e *Env) Progressf(format string, args ...any) { e.progress(format, args...) }

// Size scales a full-run size n (quick: quick instead), never below least.
func (e *Env) Size(full, quick, least int) int {
	n := full
	if e.Quick {
		n = quick
	}
	return max(int(float64(n)*e.Scale+0.5), least)
}

// Database creates a fresh database, migrates it and opens a pool on it;
// with sample, it loads Options.SampleData into it.
func (e *Env) Database(ctx context.Context, name string, sample bool) (*pgxpool.Pool, string, error) {
	e.mu.Lock()
	e.seq++
	name = fmt.Sprintf("bench_%s_%d", name, e.seq)
	e.mu.Unlock()
	if err := e.Cluster.CreateDatabase(ctx, name); err != nil {
		return nil, "", err
	}
	dsn := e.Cluster.DSN(name)
	if err := postgres.Migrate(ctx, dsn, slog.New(slog.DiscardHandler)); err != nil {
		return nil, "", err
	}
	pool, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, "", err
	}
	if sample && e.SampleData != nil {
		if err := e.SampleData(ctx, pool); err != nil {
			pool.Close()
			return nil, "", fmt.Errorf("sample data: %w", err)
		}
	}
	return pool, dsn, nil
}

// Fake starts the fake Bot API the tests use, checking every request
// against the Bot API reference; violations are counted in its Stats.
func (e *Env) Fake(opts telegramtest.Options) (*telegramtest.Server, error) {
	opts.RequireSpec = true
	if opts.OnViolation == nil {
		opts.OnViolation = func(error) {} // counted in Stats().Violations
	}
	return telegramtest.New(opts)
}

// budget is how long one measured run (a round of traffic, the search
// queries) may go on: a slow bot must not make the whole run overrun its
// time (10 minutes, quick: 1). Rows say when it cut a run short.
func (e *Env) budget() time.Duration {
	if e.Quick {
		return 5 * time.Second
	}
	return 30 * time.Second
}

// oneLine shortens a (joined, multi-line) error for a table cell.
func oneLine(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%s (and %d more like it)", lines[0], len(lines)-1)
}
