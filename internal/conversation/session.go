package conversation

import (
	"context"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/user"
)

// Session is what every update needs before its handler runs: who writes,
// where they are in a flow and their offer filters (free text is a search,
// the most common update). Loading it is one database round trip.
type Session struct {
	User    *user.User
	State   State
	Filters offer.Filters
}

// SessionStore opens sessions. Implemented in internal/postgres.
type SessionStore interface {
	// Open touches the user as user.Store.Touch does (creating them on
	// first contact, refreshing their Telegram language, making them
	// active again) and returns their session.
	Open(ctx context.Context, userID int64, telegramLanguage string) (*Session, error)
}
