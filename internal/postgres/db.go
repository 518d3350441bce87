// Package postgres is the PostgreSQL side of netzbot: the connection pool,
// the schema migrations, and the stores of each entity (users,
// conversations, …), which live beside each other in this package, one
// file per entity, all working on the *pgxpool.Pool from Open.
package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	// defaultMaxConns suits a bot: handlers are short, and a few more
	// connections than CPUs keep slow queries from starving quick ones.
	// A pool_max_conns in the DSN wins.
	defaultMaxConns = 10

	// startupWait bounds how long Open and Migrate wait for a server that
	// is still starting (container or cluster coming up next to us).
	startupWait = 30 * time.Second
)

// Open connects a pool to dsn (URL or keyword/value form) and waits, up to
// startupWait or ctx, until the server answers, so the bot can start
// together with its database.
func Open(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database dsn %s: %w", Redact(dsn), err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	trackSessionWrites(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", Redact(dsn), err)
	}
	if err := waitReachable(ctx, pool.Ping); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database %s: %w", Redact(dsn), err)
	}
	return pool, nil
}

// waitReachable retries ping with backoff while the failure looks like a
// server that is not up yet; wrong passwords or database names fail at once.
func waitReachable(ctx context.Context, ping func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, startupWait)
	defer cancel()
	var last error
	for delay := 50 * time.Millisecond; ; delay = min(delay*2, time.Second) {
		err := ping(ctx)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("gave up waiting for the server: %w", cmp.Or(last, err))
		case !retryable(err):
			return err
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("gave up waiting for the server: %w", last)
		case <-time.After(delay):
		}
	}
}

// retryable tells "not up yet" (refused, no socket, starting up, shutting
// down for a restart) from errors waiting will not fix.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P03", // cannot_connect_now: starting up / shutting down
			"57P01", // admin_shutdown
			"53300": // too_many_connections
			return true
		}
		return false
	}
	return true
}

var (
	kvPassword  = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]*)`)
	urlPassword = regexp.MustCompile(`(://[^:/@\s]*:)[^@\s]*@`)
)

// Redact hides passwords in dsn so it can be logged or put into errors.
func Redact(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			// Unparseable, but it may still carry a password.
			return kvPassword.ReplaceAllString(urlPassword.ReplaceAllString(dsn, "${1}xxxxx@"), "${1}xxxxx")
		}
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		if q := u.Query(); q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	return kvPassword.ReplaceAllString(dsn, "${1}xxxxx")
}
