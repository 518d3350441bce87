package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/privacy"
	"github.com/netzbot/netzbot/internal/user"
)

// The foundation's personal data: the profile (users), the conversation
// state and the notifications addressed to the user. Features keep their
// own sections beside their stores.

// ProfilePrivacy is the users row: Telegram id, languages, role.
type ProfilePrivacy struct{ Pool *pgxpool.Pool }

var _ privacy.PersonalData = (*ProfilePrivacy)(nil)

// Export returns the user's row.
func (p *ProfilePrivacy) Export(ctx context.Context, userID int64) (map[string]any, error) {
	u, err := (&UserStore{Pool: p.Pool}).Get(ctx, userID)
	if errors.Is(err, user.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"telegram_user_id":  u.ID,
		"language":          u.Language,
		"telegram_language": u.TelegramLanguage,
		"role":              string(u.Role),
		"active":            u.Active,
		"first_contact":     u.CreatedAt.UTC(),
	}, nil
}

// Erase deletes the users row; the database cascades to what hangs off
// it. The only admin is refused (user.ErrLastAdmin): the bot would have
// nobody left to manage it.
func (p *ProfilePrivacy) Erase(ctx context.Context, userID int64) (privacy.Counts, error) {
	n := 0
	err := pgx.BeginFunc(ctx, p.Pool, func(tx pgx.Tx) error {
		admins, err := lockAdmins(ctx, tx)
		if err != nil {
			return err
		}
		var role string
		err = tx.QueryRow(ctx, `SELECT role FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&role)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("erase profile: %w", err)
		}
		if role == string(user.RoleAdmin) && admins <= 1 {
			return user.ErrLastAdmin
		}
		tag, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, userID)
		if err != nil {
			return fmt.Errorf("erase profile: %w", err)
		}
		n = int(tag.RowsAffected())
		return nil
	})
	return privacy.Counts{"profile": n}, err
}

// ConversationPrivacy is where the user is in a flow and what they typed
// into it so far.
type ConversationPrivacy struct{ Pool *pgxpool.Pool }

var _ privacy.PersonalData = (*ConversationPrivacy)(nil)

// Export returns the open flow, if any.
func (p *ConversationPrivacy) Export(ctx context.Context, userID int64) (map[string]any, error) {
	st, err := (&ConversationStore{Pool: p.Pool}).Get(ctx, userID)
	if err != nil || st.Idle() {
		return nil, err
	}
	return map[string]any{"flow": st.Flow, "step": st.Step, "data": st.Data}, nil
}

// Erase ends the flow and forgets its data.
func (p *ConversationPrivacy) Erase(ctx context.Context, userID int64) (privacy.Counts, error) {
	tag, err := p.Pool.Exec(ctx, `DELETE FROM conversations WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("erase conversation: %w", err)
	}
	return privacy.Counts{"conversation": int(tag.RowsAffected())}, nil
}

// NotificationPrivacy is the messages the bot sent or will send the user
// on its own (reminders, notices, broadcasts).
type NotificationPrivacy struct{ Pool *pgxpool.Pool }

var _ privacy.PersonalData = (*NotificationPrivacy)(nil)

// Export lists the user's notifications, oldest first.
func (p *NotificationPrivacy) Export(ctx context.Context, userID int64) (map[string]any, error) {
	rows, err := p.Pool.Query(ctx, `
		SELECT kind, status, data, due_at, sent_at FROM notifications
		 WHERE user_id = $1 ORDER BY due_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("export notifications: %w", err)
	}
	type item struct {
		Kind   string            `json:"kind"`
		Status string            `json:"status"`
		Data   map[string]string `json:"data,omitempty"`
		DueAt  time.Time         `json:"due_at"`
		SentAt *time.Time        `json:"sent_at,omitempty"`
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (item, error) {
		var it item
		err := r.Scan(&it.Kind, &it.Status, &it.Data, &it.DueAt, &it.SentAt)
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("export notifications: %w", err)
	}
	if len(items) == 0 {
		return nil, nil
	}
	return map[string]any{"notifications": items}, nil
}

// NamingKeys are the notification data keys that name a user other than
// the recipient (a join request to coordinators names the member): such
// notifications are deleted when that user erases their data.
var NamingKeys = []string{"user", "member", "client"}

// Erase deletes every notification to the user, sent or pending, and the
// notifications to others that name them (NamingKeys).
func (p *NotificationPrivacy) Erase(ctx context.Context, userID int64) (privacy.Counts, error) {
	tag, err := p.Pool.Exec(ctx, `
		DELETE FROM notifications
		 WHERE user_id = $1
		    OR EXISTS (SELECT 1 FROM unnest($2::text[]) k WHERE data ->> k = $1::text)`, userID, NamingKeys)
	if err != nil {
		return nil, fmt.Errorf("erase notifications: %w", err)
	}
	return privacy.Counts{"notifications": int(tag.RowsAffected())}, nil
}

// ExpireNotifications is the notifications' retention task: it deletes
// sent and dropped notifications that were due before cutoff. Pending
// ones are left alone, and the cutoff must lie beyond any time a feature
// schedules a key again (a deleted key could be sent once more).
func ExpireNotifications(pool *pgxpool.Pool) func(ctx context.Context, cutoff time.Time) (int, error) {
	return func(ctx context.Context, cutoff time.Time) (int, error) {
		tag, err := pool.Exec(ctx, `DELETE FROM notifications WHERE status <> 'pending' AND due_at < $1`, cutoff)
		if err != nil {
			return 0, fmt.Errorf("expire notifications: %w", err)
		}
		return int(tag.RowsAffected()), nil
	}
}
