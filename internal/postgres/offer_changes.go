package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// offerChannel is where migration 00007's triggers announce changes of
// the offer directory.
const offerChannel = "netzbot_offers"

// OfferCache is what WatchOfferChanges keeps in step (offer.Cache, the
// OfferStore's expansions).
type OfferCache interface {
	Invalidate()
	SetLive(live bool)
}

// cacheList invalidates several caches as one.
type cacheList []OfferCache

func (l cacheList) Invalidate() {
	for _, c := range l {
		c.Invalidate()
	}
}

func (l cacheList) SetLive(live bool) {
	for _, c := range l {
		c.SetLive(live)
	}
}

// WatchOfferChanges listens for changes of the offer directory on its own
// connection (not one of the pool's) and invalidates caches on each, until
// ctx ends. They are live only while the listening connection is up: a
// change while it is down cannot be missed, as nothing is cached then.
func WatchOfferChanges(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, caches ...OfferCache) {
	c := cacheList(caches)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	backoff := time.Second
	for ctx.Err() == nil {
		err := listenOffers(ctx, pool, c, func() { backoff = time.Second })
		c.SetLive(false)
		if ctx.Err() != nil {
			return
		}
		log.Warn("following offer changes failed; search results are not cached until it is back", "error", err, "retry_in_ms", backoff.Milliseconds())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// listenOffers runs one listening connection until it fails.
func listenOffers(ctx context.Context, pool *pgxpool.Pool, c OfferCache, up func()) error {
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
	// Listening from here on; whatever changed before is forgotten.
	c.SetLive(true)
	up()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		c.Invalidate()
	}
}
