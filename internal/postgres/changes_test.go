package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/conversation"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/sample"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/user"
)

// The result cache follows every change of the directory, whoever makes
// it (here: plain SQL, as another process would), and caches nothing while
// it cannot follow them.
func TestOfferCacheFollowsChangesFromAnyConnection(t *testing.T) {
	t.Parallel()
	s := sampleStore(t)
	c := offer.NewCache(s, offer.CacheOptions{})
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		postgres.Follow(ctx, s.Pool, nil, postgres.Followers{Offers: []postgres.OfferCache{s, c}})
	}()
	defer func() { stop(); <-done }()
	waitFor(t, "the cache to go live", c.Live)

	q := offer.ListQuery{Text: "Deutschkurs", Lang: "de", Today: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), Limit: 5}
	first, err := c.List(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Hits) == 0 {
		t.Fatal("no results for Deutschkurs")
	}
	again, err := c.List(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Error("the same search again was not answered from the cache")
	}
	if hits, _ := c.Stats(); hits != 1 {
		t.Errorf("cache hits %d, want 1", hits)
	}
	// Another language reads the same page (it holds every translation);
	// "my language first" does not.
	q2 := q
	q2.Lang = "ar"
	if p, _ := c.List(ctx, q2); p != first {
		t.Error("the same search in another language was not answered from the cache")
	}
	q2.Filters.MyLanguage = true
	if p, _ := c.List(ctx, q2); p == first {
		t.Error(`"my language first" got the page of the plain search`)
	}

	top := first.Hits[0].Offer
	card, err := c.Get(ctx, top.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := c.Get(ctx, top.ID); again != card {
		t.Error("the same card again was not answered from the cache")
	}

	// Renamed by someone else: the next search and card show the new title.
	if _, err := s.Pool.Exec(ctx, `UPDATE offer_texts SET title = 'Deutschkurs Neu am Abend' WHERE offer_id = $1 AND lang = 'de'`, top.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the renamed offer in the results", func() bool {
		p, err := c.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range p.Hits {
			if tx, _ := h.Offer.Text("de"); h.Offer.ID == top.ID && tx.Title == "Deutschkurs Neu am Abend" {
				return true
			}
		}
		return false
	})
	if o, err := c.Get(ctx, top.ID); err != nil {
		t.Fatal(err)
	} else if tx, _ := o.Text("de"); tx.Title != "Deutschkurs Neu am Abend" {
		t.Errorf("card after the change: %q", tx.Title)
	}

	// A word no offer holds yet, searched (and its expansion kept), then
	// imported by someone else: found.
	unknown := q
	unknown.Text = "Zauberflötenkurs"
	if p, err := c.List(ctx, unknown); err != nil || p.Total != 0 {
		t.Fatalf("before the import: %v, %v", p, err)
	}
	f, err := sample.File()
	if err != nil {
		t.Fatal(err)
	}
	extra := f.Offers[0]
	extra.ExternalID = "zauberfloete"
	extra.Texts = map[string]offer.Text{"de": {Title: "Zauberflötenkurs für Kinder", Description: "Musik am Nachmittag.", Status: offer.StatusOriginal}}
	f.Offers = append(f.Offers, extra)
	if _, err := (&postgres.OfferStore{Pool: s.Pool}).Import(ctx, f, sample.Name, postgres.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the imported offer in the results", func() bool {
		p, err := c.List(ctx, unknown)
		if err != nil {
			t.Fatal(err)
		}
		return p.Total == 1
	})

	// Not following changes any more: nothing is cached.
	stop()
	<-done
	if c.Live() {
		t.Fatal("cache still live after its watcher stopped")
	}
	a, _ := c.List(t.Context(), q)
	b, _ := c.List(t.Context(), q)
	if a == b {
		t.Error("a page was cached while changes were not followed")
	}
}

// A known search text keeps its id, and searching it again renews it in
// the search log, so that buttons carrying the id outlive the retention
// period counted from the first search.
func TestSavingAQueryAgainRenewsIt(t *testing.T) {
	t.Parallel()
	s := sampleStore(t)
	ctx := t.Context()
	id, err := s.SaveQuery(ctx, "Wohnung suchen")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool.Exec(ctx, `UPDATE search_queries SET created_at = now() - interval '40 days' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	again, err := s.SaveQuery(ctx, "Wohnung suchen")
	if err != nil || again != id {
		t.Fatalf("saved again: id %d, %v; want %d", again, err, id)
	}
	n, err := postgres.ExpireSearchLog(s.Pool)(ctx, time.Now().Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if text, err := s.Query(ctx, id); err != nil || text != "Wohnung suchen" {
		t.Errorf("query %d after retention (%d rows expired): %q, %v", id, n, text, err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// followSessions runs Follow with a session cache over db's SessionStore
// until the test ends.
func followSessions(t *testing.T, pool *pgxpool.Pool, f postgres.Followers) *conversation.Cache {
	t.Helper()
	c := &conversation.Cache{Store: &postgres.SessionStore{Pool: pool}}
	f.Sessions = c
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); postgres.Follow(ctx, pool, nil, f) }()
	t.Cleanup(func() { stop(); <-done })
	return c
}

// kept opens id's session until it comes from memory (a first contact
// writes the user, and the announcement of that write arrives a moment
// later): what follows then really tests that a change is noticed.
func kept(t *testing.T, c *conversation.Cache, id int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h, _ := c.Stats()
		if _, err := c.Open(t.Context(), id, "de"); err != nil {
			t.Fatal(err)
		}
		if h2, _ := c.Stats(); h2 == h+1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("user %d: never opened from memory", id)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func open(t *testing.T, c *conversation.Cache, id int64) *conversation.Session {
	t.Helper()
	s, err := c.Open(t.Context(), id, "de")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ownWrites is a live session cache told of db's own writes only.
func ownWrites(t *testing.T, pool *pgxpool.Pool) *conversation.Cache {
	c := &conversation.Cache{Store: &postgres.SessionStore{Pool: pool}}
	t.Cleanup(postgres.FollowOwnWrites(pool, c))
	return c
}

// Whatever this process writes to a session, by a store, plain SQL, a
// transaction, a batch or COPY, the very next open sees it: no waiting
// for an announcement (the cache here hears of none). This is what lets a
// handler's next update rely on the state the last one saved.
func TestSessionCacheSeesOwnWritesAtOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	c := ownWrites(t, db.Pool)
	users := &postgres.UserStore{Pool: db.Pool}
	convs := &postgres.ConversationStore{Pool: db.Pool}
	offers := &postgres.OfferStore{Pool: db.Pool}
	const id = 7101

	for round := range 20 { // a race would show in some rounds
		steps := []struct {
			name  string
			write func() error
			check func(s *conversation.Session) bool
		}{
			{"UserStore.SetLanguage", func() error { return users.SetLanguage(ctx, id, "ar") },
				func(s *conversation.Session) bool { return s.User.Language == "ar" }},
			{"UserStore.SetRole (a transaction)", func() error { _, err := users.SetRole(ctx, id, user.RoleCoordinator); return err },
				func(s *conversation.Session) bool { return s.User.Role == user.RoleCoordinator }},
			{"ConversationStore.Set", func() error {
				return convs.Set(ctx, id, conversation.State{Flow: "booking", Step: fmt.Sprint("topic", round)})
			}, func(s *conversation.Session) bool { return s.State.Step == fmt.Sprint("topic", round) }},
			{"OfferStore.SaveFilters", func() error { return offers.SaveFilters(ctx, id, offer.Filters{District: "Altstadt"}) },
				func(s *conversation.Session) bool { return s.Filters.District == "Altstadt" }},
			{"plain SQL", func() error {
				_, err := db.Pool.Exec(ctx, `UPDATE users SET language = 'uk', role = 'member' WHERE id = $1`, id)
				return err
			}, func(s *conversation.Session) bool { return s.User.Language == "uk" && s.User.Role == user.RoleMember }},
			{"a batch", func() error {
				b := &pgx.Batch{}
				b.Queue(`UPDATE offer_filters SET free_only = true WHERE user_id = $1`, id)
				b.Queue(`SELECT 1`)
				return db.Pool.SendBatch(ctx, b).Close()
			}, func(s *conversation.Session) bool { return s.Filters.FreeOnly }},
			{"plain SQL delete", func() error {
				_, err := db.Pool.Exec(ctx, `DELETE FROM conversations WHERE user_id = $1`, id)
				return err
			}, func(s *conversation.Session) bool { return s.State.Idle() }},
			{"COPY", func() error {
				_, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"conversations"}, []string{"user_id", "flow", "step"},
					pgx.CopyFromRows([][]any{{int64(id), "copy", "copied"}}))
				return err
			}, func(s *conversation.Session) bool { return s.State.Flow == "copy" }},
			{"deleting the user (cascading)", func() error {
				_, err := db.Pool.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
				return err
			}, func(s *conversation.Session) bool {
				return s.User.Language == "" && s.User.Role == user.RolePublic && s.State.Idle() && s.Filters == (offer.Filters{})
			}},
		}
		for _, st := range steps {
			kept(t, c, id)
			if err := st.write(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if s := open(t, c, id); !st.check(s) {
				t.Fatalf("round %d, %s: the next open saw the old session: %+v %+v %+v", round, st.name, s.User, s.State, s.Filters)
			}
		}
	}
}

// Inside a transaction, others still see the old session (and may keep
// it); once it commits, the next open sees the new one.
func TestSessionCacheForgetsAtCommit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	c := ownWrites(t, db.Pool)
	const id = 7102
	kept(t, c, id)
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET language = 'fa' WHERE id = $1`, id); err != nil {
			return err
		}
		if s := open(t, c, id); s.User.Language == "fa" {
			t.Error("an uncommitted change was seen")
		}
		kept(t, c, id)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := open(t, c, id); s.User.Language != "fa" {
		t.Errorf("after commit: language %q, want fa", s.User.Language)
	}
}

// Another process's change (a CLI, psql) arrives by NOTIFY a moment after
// it commits; a TRUNCATE forgets everyone.
func TestSessionCacheFollowsOtherProcesses(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	c := followSessions(t, db.Pool, postgres.Followers{})
	waitFor(t, "the session cache to go live", c.Live)
	// A plain pool, as psql or another program would connect: its
	// writes are not reported to it, and it gets no notices either.
	var notices atomic.Int64
	cfg, err := pgxpool.ParseConfig(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.OnNotice = func(*pgconn.PgConn, *pgconn.Notice) { notices.Add(1) }
	other, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	kept(t, c, 7103)
	kept(t, c, 7104)
	if _, err := other.Exec(ctx, `UPDATE users SET role = 'counsellor' WHERE id = 7103`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other process's change", func() bool { return open(t, c, 7103).User.Role == user.RoleCounsellor })
	if _, err := other.Exec(ctx, `INSERT INTO conversations (user_id, flow, step) VALUES (7104, 'booking', 'slot')`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other process's insert", func() bool { return open(t, c, 7104).State.Flow == "booking" })
	kept(t, c, 7104)
	if _, err := other.Exec(ctx, `TRUNCATE conversations`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other process's truncate", func() bool { return open(t, c, 7104).State.Idle() })
	if n := notices.Load(); n != 0 {
		t.Errorf("a connection that did not ask got %d notices", n)
	}
}

// On a pool that does not hear of its own writes (not made by Open, or
// named so that the triggers send it no notices), sessions are never kept:
// offers still are.
func TestSessionCacheNeedsToHearOfOwnWrites(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	plain, err := pgxpool.New(t.Context(), db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	renamed, err := postgres.Open(t.Context(), withParam(t, db.DSN, "application_name", "reporting"))
	if err != nil {
		t.Fatal(err)
	}
	defer renamed.Close()
	for name, pool := range map[string]*pgxpool.Pool{"plain pgxpool": plain, "application_name reporting": renamed} {
		offers := offer.NewCache(&postgres.OfferStore{Pool: pool}, offer.CacheOptions{})
		c := followSessions(t, pool, postgres.Followers{Offers: []postgres.OfferCache{offers}})
		waitFor(t, "the offer cache to go live", offers.Live)
		if c.Live() {
			t.Errorf("%s: sessions are kept although the pool's own writes are not heard of", name)
		}
	}
}
