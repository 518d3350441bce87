// Package notify is the queue of messages the bot sends on its own, not as
// an answer: reminders of bookings and meetings, notices to counsellors,
// change and cancellation notices, broadcasts.
//
// Each notification is a row with a due time, not a timer or a cron entry,
// so nothing is lost in a restart and daylight-saving changes cannot skip
// or repeat one. Its text is rendered when it is sent, in the recipient's
// language at that moment. A unique key makes sure the same notification
// exists only once; delivery is at least once, with at most one duplicate
// per crash (a crash between Telegram accepting the message and the row
// being marked sent).
package notify

import (
	"context"
	"errors"
	"time"
)

// Notification is one message due to one user.
type Notification struct {
	ID int64
	// Kind names the renderer that turns it into text, e.g. "booking_reminder".
	Kind string
	// UserID is the recipient's Telegram user id (their private chat).
	UserID int64
	// Key is unique over all notifications, e.g. "booking:42:reminder:24h".
	// Scheduling the same key again moves a pending notification instead of
	// adding a second one; a sent one is never sent again.
	Key string
	// Data holds ids and small values the renderer needs. Not texts: those
	// are rendered at send time in the recipient's current language.
	Data map[string]string
	// DueAt is when to send it.
	DueAt time.Time
	// ExpiresAt, if set, is when it becomes pointless (the meeting started):
	// a notification still unsent then is dropped and logged, not sent.
	ExpiresAt time.Time
	// Attempts counts delivery tries so far.
	Attempts int
}

// ReasonBlocked is the drop reason (last_error) of a notification whose
// recipient blocked the bot, e.g. for a broadcast's report.
const ReasonBlocked = "user blocked the bot"

// ErrObsolete is returned by a renderer when the notification no longer
// applies (the booking was cancelled meanwhile): it is dropped, not sent.
var ErrObsolete = errors.New("notification no longer applies")

// Store keeps the queue. Implemented in internal/postgres.
type Store interface {
	// Schedule adds n, or moves the pending notification with n.Key to
	// n's due time and data. A notification already sent is left alone.
	Schedule(ctx context.Context, n Notification) error
	// CancelPending removes the pending notifications whose key starts with
	// prefix ("booking:42:") and returns how many there were.
	CancelPending(ctx context.Context, keyPrefix string) (int, error)
	// Claim leases up to limit notifications due at now. Until the lease
	// ends no other worker claims them; if the worker dies, they are
	// claimed again afterwards.
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Notification, error)
	// MarkSent records a delivery.
	MarkSent(ctx context.Context, id int64, at time.Time) error
	// Retry releases a claimed notification for another try at the given time.
	Retry(ctx context.Context, id int64, at time.Time, lastError string) error
	// Drop gives a notification up for good (expired, blocked, obsolete, failed).
	Drop(ctx context.Context, id int64, reason string) error
}
