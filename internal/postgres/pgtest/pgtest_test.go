package pgtest_test

import (
	"testing"

	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Both tests write the same row; each must see only its own, and both must
// find the migrated schema.
func TestIndependentDatabasesA(t *testing.T) { t.Parallel(); checkIndependent(t, "A") }
func TestIndependentDatabasesB(t *testing.T) { t.Parallel(); checkIndependent(t, "B") }

func checkIndependent(t *testing.T, lang string) {
	db := pgtest.New(t)
	ctx := t.Context()
	if _, err := db.Pool.Exec(ctx, "INSERT INTO users (id, language) VALUES (1, $1)", lang); err != nil {
		t.Fatalf("insert into migrated schema: %v", err)
	}
	var n int
	var got string
	if err := db.Pool.QueryRow(ctx, "SELECT count(*), max(language) FROM users").Scan(&n, &got); err != nil {
		t.Fatal(err)
	}
	if n != 1 || got != lang {
		t.Errorf("database %s: %d users, language %q; another test's rows leaked in", db.Name, n, got)
	}
}

func TestEmptyHasNoSchema(t *testing.T) {
	t.Parallel()
	db := pgtest.NewEmpty(t)
	var exists bool
	if err := db.Pool.QueryRow(t.Context(), "SELECT to_regclass('users') IS NOT NULL").Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Error("NewEmpty database has the users table")
	}
}

func TestDroppedAfterTest(t *testing.T) {
	var name string
	t.Run("inner", func(t *testing.T) { name = pgtest.New(t).Name })
	admin := pgtest.New(t)
	var exists bool
	err := admin.Pool.QueryRow(t.Context(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

// TestSurvivesRestart is what a fault test looks like: the server goes
// away and comes back, and the pool recovers.
func TestSurvivesRestart(t *testing.T) {
	db := pgtest.New(t) // skips when there is no database at all
	c := pgtest.Cluster()
	if c == nil {
		t.Skip("DATABASE_URL: no own server to restart")
	}
	ctx := t.Context()
	if _, err := db.Pool.Exec(ctx, "INSERT INTO users (id) VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	var n int
	// The first query may hit a connection the restart broke.
	for attempt := 0; ; attempt++ {
		err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n)
		if err == nil {
			break
		}
		if attempt == 3 {
			t.Fatalf("after restart: %v", err)
		}
	}
	if n != 1 {
		t.Errorf("after restart: %d users, want 1", n)
	}
	pgtest.New(t) // cloning still works
}
