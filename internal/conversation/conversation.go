// Package conversation keeps where a user is inside a multi-step flow.
// It lives in the database, not in memory, so that a restart of the bot in
// the middle of a flow continues where the user was.
package conversation

import "context"

// State is one user's position in a flow. The zero State means "no flow".
type State struct {
	Flow string            // e.g. "onboarding"; "" when idle
	Step string            // step within the flow
	Data map[string]string // small values collected so far
}

// Idle reports whether the user is in no flow.
func (s State) Idle() bool { return s.Flow == "" }

// Store keeps conversation states; they are read with the rest of the
// session (SessionStore). Implemented in internal/postgres.
type Store interface {
	Set(ctx context.Context, userID int64, s State) error
	Clear(ctx context.Context, userID int64) error
}
