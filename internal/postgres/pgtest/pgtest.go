// Package pgtest gives each test its own freshly migrated PostgreSQL
// database, cloned in milliseconds from a template built once per test
// binary.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestX(t *testing.T) {
//		t.Parallel()
//		db := pgtest.New(t)
//		db.Pool.Exec(…)
//	}
//
// The server is DATABASE_URL if set, else a throwaway pgcluster started for
// the test binary from the system's PostgreSQL binaries. Without either the
// database tests skip, except with CI=true, where they fail: CI must not
// pass by skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/pgcluster"
	"github.com/netzbot/netzbot/internal/postgres"
)

// DB is one test's database.
type DB struct {
	Pool *pgxpool.Pool
	DSN  string
	Name string
}

// env is what Main set up for the test binary.
type env struct {
	cluster    *pgcluster.Cluster // nil with DATABASE_URL
	serverDSN  string             // a DSN of the server; its dbname is replaced per database
	admin      *pgxpool.Pool      // on the maintenance database, for CREATE/DROP DATABASE
	template   string
	prefix     string // of the test databases' names
	skipReason string

	createMu sync.Mutex // CREATE DATABASE … TEMPLATE needs the template idle
	seq      atomic.Int64
}

var current *env

// Main runs the test binary's tests against a fresh template database and
// exits; call it from TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	e, err := setup(ctx)
	if err != nil {
		if errors.Is(err, pgcluster.ErrNoBinaries) && os.Getenv("CI") != "true" {
			e = &env{skipReason: "pgtest: no database, skipping database tests: " + err.Error()}
			fmt.Fprintln(os.Stderr, e.skipReason)
			current = e
			return m.Run()
		}
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "pgtest: CI=true, so database tests must run, but:", err)
		} else {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
		return 1
	}
	current = e
	code := m.Run()
	if err := e.teardown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func setup(ctx context.Context) (_ *env, err error) {
	e := &env{template: "netzbot_template", prefix: "t_"}
	if dsn := os.Getenv("DATABASE_URL"); dsn != "" {
		// A shared server may serve several test binaries (go test runs
		// packages in parallel), so names get a per-binary suffix.
		id := randomID()
		e.serverDSN = dsn
		e.template += "_" + id
		e.prefix += id + "_"
	} else {
		if _, err := pgcluster.FindBinaries(); err != nil {
			return nil, err // with CI=true this fails the binary, see run
		}
		e.cluster, err = pgcluster.Start(ctx, pgcluster.Options{
			Throwaway: true,
			Logger:    slog.New(slog.DiscardHandler),
		})
		if err != nil {
			return nil, fmt.Errorf("start test cluster: %w", err)
		}
		e.serverDSN = e.cluster.ConnString()
	}
	defer func() {
		if err != nil {
			e.teardown(ctx)
		}
	}()
	if e.admin, err = postgres.Open(ctx, e.serverDSN); err != nil {
		return nil, err
	}
	if err := e.buildTemplate(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// buildTemplate creates and migrates the template, then closes it to
// connections: a stray connection would make every clone fail.
func (e *env) buildTemplate(ctx context.Context) error {
	name := pgx.Identifier{e.template}.Sanitize()
	if _, err := e.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
		return fmt.Errorf("drop old template: %w", err)
	}
	if _, err := e.admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	dsn, err := withDatabase(e.serverDSN, e.template)
	if err != nil {
		return err
	}
	if err := postgres.Migrate(ctx, dsn, slog.New(slog.DiscardHandler)); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	if _, err := e.admin.Exec(ctx, "ALTER DATABASE "+name+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return fmt.Errorf("close template: %w", err)
	}
	return nil
}

func (e *env) teardown(ctx context.Context) error {
	var errs []error
	if e.admin != nil {
		if e.cluster == nil && e.template != "" {
			_, err := e.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{e.template}.Sanitize())
			errs = append(errs, err)
		}
		e.admin.Close()
	}
	if e.cluster != nil {
		errs = append(errs, e.cluster.Stop(ctx))
	}
	return errors.Join(errs...)
}

// New creates a database for t from the migrated template and drops it
// when t ends. Safe for parallel tests.
func New(t testing.TB) *DB {
	t.Helper()
	return newDB(t, true)
}

// NewEmpty is New without the schema (a clone of template0), for tests of
// the migrations themselves.
func NewEmpty(t testing.TB) *DB {
	t.Helper()
	return newDB(t, false)
}

func newDB(t testing.TB, migrated bool) *DB {
	t.Helper()
	e := current
	switch {
	case e == nil:
		t.Fatal("pgtest: call pgtest.Main(m) from TestMain")
	case e.skipReason != "":
		t.Skip(e.skipReason)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := fmt.Sprintf("%s%d", e.prefix, e.seq.Add(1))
	template := e.template
	if !migrated {
		template = "template0"
	}
	e.createMu.Lock()
	err := e.adminExec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{template}.Sanitize())
	e.createMu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE: a test may leave connections of its own open.
		if err := e.adminExec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	dsn, err := withDatabase(e.serverDSN, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	pool, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close) // cleanups run last-in first-out: before the drop
	return &DB{Pool: pool, DSN: dsn, Name: name}
}

// adminExec retries a few times when the admin pool's connection broke,
// as it does after a fault test restarted the server.
func (e *env) adminExec(ctx context.Context, sql string) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if _, err = e.admin.Exec(ctx, sql); err == nil {
			return nil
		}
		if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code != "57P01" && pgErr.Code != "57P03" {
			return err // a real answer from the server, not a broken connection
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
	return err
}

// Cluster is the test binary's own server, for fault tests that stop or
// restart it; nil when the tests run against DATABASE_URL (such tests
// should skip then) or have no database. Call New first: it skips the test
// in the latter case. A restart hits every test of the binary, so tests
// using it must not run in parallel with others.
func Cluster() *pgcluster.Cluster {
	if current == nil {
		return nil
	}
	return current.cluster
}

// withDatabase returns dsn pointing at database name instead.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse DATABASE_URL %s: %w", postgres.Redact(dsn), err)
		}
		u.Path, u.RawPath = "/"+name, ""
		return u.String(), nil
	}
	// In keyword/value form the last dbname wins.
	return dsn + " dbname='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name) + "'", nil
}

func randomID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}
