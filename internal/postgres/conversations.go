package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/conversation"
)

// ConversationStore keeps flow states in the conversations table.
type ConversationStore struct{ Pool *pgxpool.Pool }

var _ conversation.Store = (*ConversationStore)(nil)

// Get returns the zero state for a user in no flow.
func (s *ConversationStore) Get(ctx context.Context, userID int64) (conversation.State, error) {
	var st conversation.State
	err := s.Pool.QueryRow(ctx, `SELECT flow, step, data FROM conversations WHERE user_id = $1`, userID).
		Scan(&st.Flow, &st.Step, &st.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return conversation.State{}, nil
	}
	if err != nil {
		return conversation.State{}, fmt.Errorf("get conversation: %w", err)
	}
	return st, nil
}

// Set replaces the user's state; an idle state clears it.
func (s *ConversationStore) Set(ctx context.Context, userID int64, st conversation.State) error {
	if st.Idle() {
		return s.Clear(ctx, userID)
	}
	data := st.Data
	if data == nil {
		data = map[string]string{}
	}
	_, err := s.Pool.Exec(ctx, `
		INSERT INTO conversations (user_id, flow, step, data, updated_at) VALUES ($1, $2, $3, $4, now())
		ON CONFLICT (user_id) DO UPDATE SET flow = $2, step = $3, data = $4, updated_at = now()`,
		userID, st.Flow, st.Step, data)
	if err != nil {
		return fmt.Errorf("set conversation: %w", err)
	}
	return nil
}

// Clear ends any flow of the user.
func (s *ConversationStore) Clear(ctx context.Context, userID int64) error {
	if _, err := s.Pool.Exec(ctx, `DELETE FROM conversations WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("clear conversation: %w", err)
	}
	return nil
}
