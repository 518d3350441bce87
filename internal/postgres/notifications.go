package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/notify"
)

// Execer runs a statement: a pool, a connection or a transaction. Stores of
// other entities pass their transaction, so that e.g. a booking and its
// reminders are committed together.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// NotificationStore is the notification queue in the notifications table.
type NotificationStore struct{ Pool *pgxpool.Pool }

var _ notify.Store = (*NotificationStore)(nil)

// Schedule adds n or moves the pending notification with the same key.
func (s *NotificationStore) Schedule(ctx context.Context, n notify.Notification) error {
	return ScheduleNotification(ctx, s.Pool, n)
}

// ScheduleNotification is Schedule on any Execer. A notification already
// sent or dropped keeps its state: the same key is never delivered twice.
func ScheduleNotification(ctx context.Context, q Execer, n notify.Notification) error {
	if n.Key == "" || n.Kind == "" || n.UserID == 0 || n.DueAt.IsZero() {
		return fmt.Errorf("schedule notification: kind, user, key and due time are required (got %q %d %q)", n.Kind, n.UserID, n.Key)
	}
	data := n.Data
	if data == nil {
		data = map[string]string{}
	}
	var expires *time.Time
	if !n.ExpiresAt.IsZero() {
		expires = &n.ExpiresAt
	}
	_, err := q.Exec(ctx, `
		INSERT INTO notifications (kind, user_id, key, data, due_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (key) DO UPDATE
		   SET kind = EXCLUDED.kind, user_id = EXCLUDED.user_id, data = EXCLUDED.data,
		       due_at = EXCLUDED.due_at, expires_at = EXCLUDED.expires_at, attempts = 0, last_error = ''
		 WHERE notifications.status = 'pending'`,
		n.Kind, n.UserID, n.Key, data, n.DueAt, expires)
	if err != nil {
		return fmt.Errorf("schedule notification %s: %w", n.Key, err)
	}
	return nil
}

// CancelPending removes pending notifications by key prefix.
func (s *NotificationStore) CancelPending(ctx context.Context, keyPrefix string) (int, error) {
	return CancelNotifications(ctx, s.Pool, keyPrefix)
}

// CancelNotifications is CancelPending on any Execer. Sent rows stay as
// the record that they were sent.
func CancelNotifications(ctx context.Context, q Execer, keyPrefix string) (int, error) {
	if keyPrefix == "" {
		return 0, fmt.Errorf("cancel notifications: empty key prefix")
	}
	tag, err := q.Exec(ctx, `DELETE FROM notifications WHERE status = 'pending' AND key LIKE $1 || '%'`, escapeLike(keyPrefix))
	if err != nil {
		return 0, fmt.Errorf("cancel notifications %s: %w", keyPrefix, err)
	}
	return int(tag.RowsAffected()), nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Claim leases due notifications. SKIP LOCKED lets several workers (or
// replicas) claim disjoint batches at the same time; the lease, committed
// at once, keeps a claimed row from being sent by another worker while it
// is being sent, and frees it again if the worker dies.
func (s *NotificationStore) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]notify.Notification, error) {
	rows, err := s.Pool.Query(ctx, `
		UPDATE notifications n
		   SET claimed_until = $1::timestamptz + $3 * interval '1 millisecond', attempts = n.attempts + 1
		  FROM (SELECT id FROM notifications
		         WHERE status = 'pending' AND due_at <= $1
		           AND (claimed_until IS NULL OR claimed_until <= $1)
		         ORDER BY due_at, id
		         LIMIT $2
		         FOR UPDATE SKIP LOCKED) due
		 WHERE n.id = due.id
		RETURNING n.id, n.kind, n.user_id, n.key, n.data, n.due_at, n.expires_at, n.attempts`,
		now, limit, lease.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Notification, error) {
		var n notify.Notification
		var expires *time.Time
		err := r.Scan(&n.ID, &n.Kind, &n.UserID, &n.Key, &n.Data, &n.DueAt, &expires, &n.Attempts)
		if expires != nil {
			n.ExpiresAt = *expires
		}
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	return out, nil
}

// MarkSent records a delivery.
func (s *NotificationStore) MarkSent(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.Pool.Exec(ctx, `UPDATE notifications SET status = 'sent', sent_at = $2, claimed_until = NULL WHERE id = $1`, id, at); err != nil {
		return fmt.Errorf("mark notification sent: %w", err)
	}
	return nil
}

// Retry releases a notification for another try at a later time.
func (s *NotificationStore) Retry(ctx context.Context, id int64, at time.Time, lastError string) error {
	if _, err := s.Pool.Exec(ctx, `UPDATE notifications SET claimed_until = $2, last_error = $3 WHERE id = $1 AND status = 'pending'`, id, at, lastError); err != nil {
		return fmt.Errorf("retry notification: %w", err)
	}
	return nil
}

// Drop gives a notification up for good.
func (s *NotificationStore) Drop(ctx context.Context, id int64, reason string) error {
	if _, err := s.Pool.Exec(ctx, `UPDATE notifications SET status = 'dropped', last_error = $2, claimed_until = NULL WHERE id = $1 AND status = 'pending'`, id, reason); err != nil {
		return fmt.Errorf("drop notification: %w", err)
	}
	return nil
}
