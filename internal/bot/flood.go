package bot

import (
	"context"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"github.com/netzbot/netzbot/internal/telegram"
)

// FloodLimit is how many updates one user may send in a window before the
// bot stops reading them: a token bucket of Burst tokens refilled evenly
// over Per.
type FloodLimit struct {
	Burst int
	Per   time.Duration
}

// DefaultFloodLimit is 20 updates per 10 s per user.
var DefaultFloodLimit = FloodLimit{Burst: 20, Per: 10 * time.Second}

// floodGate keeps one token bucket per user, in memory: flood control has
// to work before, and without, the database.
type floodGate struct {
	limit FloodLimit
	mu    sync.Mutex
	users map[int64]*floodState
}

type floodState struct {
	lim  *rate.Limiter
	told bool // the user was asked to slow down and has not had a token since
	seen time.Time
}

func newFloodGate(l FloodLimit) *floodGate {
	if l.Burst <= 0 || l.Per <= 0 {
		l = DefaultFloodLimit
	}
	return &floodGate{limit: l, users: map[int64]*floodState{}}
}

// check takes a token for the user at now. Over the limit it says whether
// this is the first refused update since the user last had a token: only
// that one is answered ("please slow down").
func (g *floodGate) check(userID int64, now time.Time) (allowed, notice bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	st, ok := g.users[userID]
	if !ok {
		every := g.limit.Per / time.Duration(g.limit.Burst)
		st = &floodState{lim: rate.NewLimiter(rate.Every(every), g.limit.Burst)}
		g.users[userID] = st
		if len(g.users) > 10000 {
			g.forget(now)
		}
	}
	st.seen = now
	if st.lim.AllowN(now, 1) {
		st.told = false
		return true, false
	}
	if st.told {
		return false, false
	}
	st.told = true
	return false, true
}

// forget drops users idle for longer than a full refill: their bucket is
// full again anyway. Called with g.mu held.
func (g *floodGate) forget(now time.Time) {
	for id, st := range g.users {
		if now.Sub(st.seen) > g.limit.Per && !st.told {
			delete(g.users, id)
		}
	}
}

// admit is the flood control of the middleware, before any database work.
// The time is when the update reached us (telegram.ReceivedAt): updates of
// one chat are handled one after the other, and a burst must be counted as
// it arrived, not as slowly as the replies go out.
func (b *Bot) admit(ctx context.Context, u *models.Update) bool {
	from := fromOf(u)
	if from == nil {
		return true
	}
	now := telegram.ReceivedAt(ctx)
	allowed, notice := b.flood.check(from.ID, now)
	if allowed {
		return true
	}
	if notice {
		b.log.Warn("security event", "event", "flood", "user_id", from.ID, "update_id", u.ID)
		b.sayErrorLang(ctx, u, from.LanguageCode, "flood_slow_down")
	}
	return false
}
