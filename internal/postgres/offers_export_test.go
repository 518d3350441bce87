package postgres

// FullRanking makes s rank all candidates of a search, never only the
// best: the reference the shortcut is tested against.
func FullRanking(s *OfferStore) { s.fullRanking = true }
