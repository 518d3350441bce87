package postgres

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The channels on which the triggers of migrations 00007 and 00008
// announce changes.
const (
	offerChannel   = "netzbot_offers"
	sessionChannel = "netzbot_sessions"
)

// OfferCache is what Follow keeps in step with the offer directory
// (offer.Cache, the OfferStore's expansions).
type OfferCache interface {
	Invalidate()
	SetLive(live bool)
}

// SessionCache is what Follow keeps in step with the sessions
// (conversation.Cache).
type SessionCache interface {
	Forget(userIDs ...int64)
	ForgetAll()
	SetLive(live bool)
}

// Followers are the caches Follow keeps in step with the database.
type Followers struct {
	// Offers are told of every change of the directory, in this order.
	Offers []OfferCache
	// Sessions, if set, is told of every change of a user's session: at
	// once when this process's own write through the pool commits, a
	// moment later when another process's does.
	Sessions SessionCache
}

func (f Followers) setLive(live bool) {
	for _, c := range f.Offers {
		c.SetLive(live)
	}
	if f.Sessions != nil {
		f.Sessions.SetLive(live)
	}
}

// Follow listens for announced changes on its own connection (not one of
// the pool's) and tells the followers, until ctx ends. The caches are live
// only while the listening connection is up: a change while it is down
// cannot be missed, as nothing is kept then.
//
// Sessions can only be followed on a pool made by Open, which hears of its
// own connections' writes as they happen, and only if a probe write shows
// that it does; otherwise they stay not live.
func Follow(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, f Followers) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var w *sessionWrites
	if f.Sessions != nil {
		if w, _ = pool.Config().ConnConfig.Tracer.(*sessionWrites); w == nil {
			log.Warn("sessions are not kept in memory: the pool was not made by postgres.Open")
			f.Sessions = nil
		} else {
			w.follow(f.Sessions)
			defer w.unfollow(f.Sessions)
		}
	}
	backoff := time.Second
	for ctx.Err() == nil {
		err := listen(ctx, pool, w, &f, func() { backoff = time.Second })
		f.setLive(false)
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errNoNotice) {
			log.Warn(err.Error())
			continue // offers still are, from the next try on
		}
		log.Warn("following database changes failed; search results and sessions are not cached until it is back", "error", err, "retry_in_ms", backoff.Milliseconds())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// listen runs one listening connection until it fails. If the probe shows
// that w does not hear of the pool's session writes, sessions are no
// longer followed (f.Sessions is cleared).
func listen(ctx context.Context, pool *pgxpool.Pool, w *sessionWrites, f *Followers, up func()) error {
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+offerChannel); err != nil {
		return err
	}
	if f.Sessions != nil {
		if _, err := conn.Exec(ctx, "LISTEN "+sessionChannel); err != nil {
			return err
		}
		if err := w.probe(ctx, pool); errors.Is(err, errNoNotice) {
			w.unfollow(f.Sessions)
			f.Sessions = nil
			return err
		} else if err != nil {
			return err
		}
	}
	// Listening from here on; whatever changed before is forgotten.
	f.setLive(true)
	up()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		switch n.Channel {
		case offerChannel:
			for _, c := range f.Offers {
				c.Invalidate()
			}
		case sessionChannel:
			if f.Sessions == nil {
				continue
			}
			if id, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
				f.Sessions.Forget(id)
			} else {
				f.Sessions.ForgetAll()
			}
		}
	}
}

// Migration 00008's triggers send sessionNotice (and the user's id) to a
// writing connection whose application_name starts with appName.
const (
	appName       = "netzbot"
	sessionNotice = "netzbot_session "
	pendingKey    = "netzbot_sessions"
)

// sessionWrites is the tracer of a pool made by Open: it collects, per
// connection, the users whose sessions a statement wrote (the triggers'
// notices arrive while it runs), and tells the session caches once the
// transaction is over, before the statement that ended it returns. A
// handler's next update therefore never sees the session it replaced.
type sessionWrites struct {
	mu      sync.RWMutex
	caches  []SessionCache
	notices atomic.Int64 // received, for probe
}

// pending is what a connection wrote in its current transaction.
type pending struct {
	ids []int64
	all bool
}

// trackSessionWrites makes the pool's connections report their session
// writes: it names them netzbot unless the DSN names them otherwise.
// Whether the notices really arrive (client_min_messages, the name, the
// migration) is probed before sessions are kept (Follow).
func trackSessionWrites(cfg *pgxpool.Config) {
	cc := cfg.ConnConfig
	if cc.Tracer != nil || cc.OnNotice != nil {
		return
	}
	if _, named := cc.RuntimeParams["application_name"]; !named {
		cc.RuntimeParams["application_name"] = appName
	}
	w := &sessionWrites{}
	cc.Tracer = w
	cc.OnNotice = w.onNotice
}

// probe checks that a session write on the pool reaches the tracer: it
// writes a user in a transaction it rolls back (no NOTIFY is sent then).
func (w *sessionWrites) probe(ctx context.Context, pool *pgxpool.Pool) error {
	before := w.notices.Load()
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO users (id) VALUES (-1) ON CONFLICT (id) DO UPDATE SET updated_at = users.updated_at`); err != nil {
			return err
		}
		return errProbed
	})
	if !errors.Is(err, errProbed) {
		return err
	}
	if w.notices.Load() == before {
		return errNoNotice
	}
	return nil
}

var (
	errProbed   = errors.New("probed")
	errNoNotice = errors.New("sessions are not kept in memory: a session write sent this process no notice (application_name must start with netzbot, client_min_messages must let notices through)")
)

func (w *sessionWrites) follow(c SessionCache) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.caches = append(w.caches, c)
}

func (w *sessionWrites) unfollow(c SessionCache) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.caches = slices.DeleteFunc(w.caches, func(x SessionCache) bool { return x == c })
}

// onNotice runs on the goroutine using the connection, while it reads the
// statement's results.
func (w *sessionWrites) onNotice(pc *pgconn.PgConn, n *pgconn.Notice) {
	rest, ok := strings.CutPrefix(n.Message, sessionNotice)
	if !ok {
		return
	}
	w.notices.Add(1)
	data := pc.CustomData()
	p, _ := data[pendingKey].(*pending)
	if p == nil {
		p = &pending{}
		data[pendingKey] = p
	}
	if id, err := strconv.ParseInt(rest, 10, 64); err == nil {
		p.ids = append(p.ids, id)
	} else {
		p.all = true
	}
}

// done tells the caches what conn wrote once its transaction is over
// (committed, rolled back or lost with the connection: forgetting too much
// is harmless).
func (w *sessionWrites) done(conn *pgx.Conn) {
	pc := conn.PgConn()
	p, _ := pc.CustomData()[pendingKey].(*pending)
	if p == nil || (len(p.ids) == 0 && !p.all) {
		return
	}
	if !pc.IsClosed() && pc.TxStatus() != 'I' {
		return // still in the transaction: others do not see it yet
	}
	ids, all := p.ids, p.all
	p.ids, p.all = p.ids[:0], false
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, c := range w.caches {
		if all {
			c.ForgetAll()
		} else {
			c.Forget(ids...)
		}
	}
}

// TraceQueryStart implements pgx.QueryTracer.
func (w *sessionWrites) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer: COMMIT and ROLLBACK end here too.
func (w *sessionWrites) TraceQueryEnd(_ context.Context, conn *pgx.Conn, _ pgx.TraceQueryEndData) {
	w.done(conn)
}

// TraceBatchStart implements pgx.BatchTracer.
func (w *sessionWrites) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

// TraceBatchQuery implements pgx.BatchTracer.
func (w *sessionWrites) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd implements pgx.BatchTracer.
func (w *sessionWrites) TraceBatchEnd(_ context.Context, conn *pgx.Conn, _ pgx.TraceBatchEndData) {
	w.done(conn)
}

// TraceCopyFromStart implements pgx.CopyFromTracer.
func (w *sessionWrites) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	return ctx
}

// TraceCopyFromEnd implements pgx.CopyFromTracer.
func (w *sessionWrites) TraceCopyFromEnd(_ context.Context, conn *pgx.Conn, _ pgx.TraceCopyFromEndData) {
	w.done(conn)
}
