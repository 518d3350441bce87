package postgres_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestOpen(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	pool, err := postgres.Open(t.Context(), db.DSN)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer pool.Close()
	if got := pool.Config().MaxConns; got != 10 {
		t.Errorf("MaxConns = %d, want the default 10", got)
	}
	var name string
	if err := pool.QueryRow(t.Context(), "SELECT current_database()").Scan(&name); err != nil || name != db.Name {
		t.Fatalf("current_database() = %q, %v", name, err)
	}

	pool2, err := postgres.Open(t.Context(), withParam(t, db.DSN, "pool_max_conns", "3"))
	if err != nil {
		t.Fatalf("Open with pool_max_conns: %v", err)
	}
	defer pool2.Close()
	if got := pool2.Config().MaxConns; got != 3 {
		t.Errorf("MaxConns = %d, want 3 from the DSN", got)
	}
}

func TestOpenFailsFastOnMissingDatabase(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	began := time.Now()
	_, err := postgres.Open(t.Context(), withParam(t, db.DSN, "dbname", "does_not_exist"))
	if err == nil || !strings.Contains(err.Error(), `database "does_not_exist" does not exist`) {
		t.Fatalf("err = %v, want the missing database named", err)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("took %s: a missing database is no reason to retry", d)
	}
}

// withParam sets a connection parameter in a DSN of either form (pgtest's
// come in the form of DATABASE_URL).
func withParam(t *testing.T, dsn, key, value string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " " + key + "=" + value // the last one wins
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if key == "dbname" {
		u.Path = "/" + value
		return u.String()
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestOpenGivesUpOnUnreachableServer(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err := postgres.Open(ctx, "postgres://bot:s3cret@127.0.0.1:1/x?connect_timeout=1")
	if err == nil {
		t.Fatal("connected to nothing")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("password in error: %v", err)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://bot:s3cret@db:5432/netzbot?sslmode=disable": "postgres://bot:xxxxx@db:5432/netzbot?sslmode=disable",
		"postgresql://bot@db/netzbot":                           "postgresql://bot@db/netzbot",
		"postgres://db/netzbot?password=s3cret&sslmode=require": "postgres://db/netzbot?password=xxxxx&sslmode=require",
		"postgres://bot:s3%cret@db/x":                           "postgres://bot:xxxxx@db/x",
		"host=db user=bot password=s3cret dbname=netzbot":       "host=db user=bot password=xxxxx dbname=netzbot",
		"host=db password = 'two words' dbname=x":               "host=db password = xxxxx dbname=x",
		`host=db password='s3 \'cret' dbname=x`:                 "host=db password=xxxxx dbname=x",
		"host=/run/postgresql dbname=netzbot":                   "host=/run/postgresql dbname=netzbot",
	} {
		if got := postgres.Redact(in); got != want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
