package postgres

// FullRanking makes s rank all candidates of a search, never only the
// best: the reference the shortcut is tested against.
func FullRanking(s *OfferStore) { s.fullRanking = true }

// BestCandidates sets how many candidates s ranks first when results go
// by score alone (candidates if 0).
func BestCandidates(s *OfferStore, n int) { s.bestCandidates = n }
