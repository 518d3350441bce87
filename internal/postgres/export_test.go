package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// FullRanking makes s rank all candidates of a search, never only the
// best: the reference the shortcut is tested against.
func FullRanking(s *OfferStore) { s.fullRanking = true }

// BestCandidates sets how many candidates s ranks first when results go
// by score alone (candidates if 0).
func BestCandidates(s *OfferStore, n int) { s.bestCandidates = n }

// FollowOwnWrites tells c of the pool's own session writes only, not of
// announced ones: tests of that path cannot then pass by the NOTIFY.
func FollowOwnWrites(pool *pgxpool.Pool, c SessionCache) (stop func()) {
	w := pool.Config().ConnConfig.Tracer.(*sessionWrites)
	w.follow(c)
	c.SetLive(true)
	return func() { w.unfollow(c) }
}
