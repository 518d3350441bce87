package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/telegram"
	"github.com/netzbot/netzbot/internal/user"
)

// Renderer turns a due notification into what the recipient reads, in
// their language at send time. It returns notify.ErrObsolete when the
// notification no longer applies (the booking was cancelled meanwhile).
type Renderer func(ctx context.Context, n notify.Notification, u *user.User, l *locale.Localizer) ([]Reply, error)

// Delivery tuning; the sender's rate limits are what really bounds it.
const (
	claimBatch   = 100
	claimLease   = 2 * time.Minute
	maxAttempts  = 8
	sendParallel = 8
)

// DeliveryStats counts what one DeliverDue run did.
type DeliveryStats struct {
	Sent, Dropped, Retried int
}

// kick asks the worker to deliver now, e.g. after a handler scheduled a
// notice to a counsellor; it never blocks.
func (b *Bot) kick() {
	select {
	case b.kicks <- struct{}{}:
	default:
	}
}

// Kicks tells the worker that something became due right now.
func (b *Bot) Kicks() <-chan struct{} { return b.kicks }

// DeliverDue sends every notification due now, batch after batch, and
// returns when none is left. Several workers may run it at once.
func (b *Bot) DeliverDue(ctx context.Context) (DeliveryStats, error) {
	var total DeliveryStats
	if b.d.Notifications == nil {
		return total, nil
	}
	for {
		batch, err := b.d.Notifications.Claim(ctx, b.d.Now(), claimBatch, claimLease)
		if err != nil {
			return total, err
		}
		if len(batch) == 0 {
			return total, nil
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		sem := make(chan struct{}, sendParallel)
		// One goroutine per recipient keeps a user's notifications in order
		// and lets the per-chat rate limit of one not hold up the others.
		for _, group := range byRecipient(batch) {
			wg.Add(1)
			sem <- struct{}{}
			go func(group []notify.Notification) {
				defer func() { <-sem; wg.Done() }()
				for _, n := range group {
					outcome := b.deliverOne(ctx, n)
					mu.Lock()
					switch outcome {
					case "sent":
						total.Sent++
					case "dropped":
						total.Dropped++
					default:
						total.Retried++
					}
					mu.Unlock()
				}
			}(group)
		}
		wg.Wait()
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
		if len(batch) < claimBatch {
			return total, nil
		}
	}
}

func byRecipient(batch []notify.Notification) [][]notify.Notification {
	idx := map[int64]int{}
	var out [][]notify.Notification
	for _, n := range batch {
		i, ok := idx[n.UserID]
		if !ok {
			i = len(out)
			idx[n.UserID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], n)
	}
	return out
}

// deliverOne renders and sends one notification and records the outcome.
func (b *Bot) deliverOne(ctx context.Context, n notify.Notification) (outcome string) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("notification renderer panicked", "notification_id", n.ID, "kind", n.Kind, "panic", fmt.Sprint(p))
			outcome = b.dropNotification(ctx, n, "panic")
		}
	}()
	now := b.d.Now()
	if !n.ExpiresAt.IsZero() && !now.Before(n.ExpiresAt) {
		b.log.Warn("notification expired before it could be sent", "notification_id", n.ID, "kind", n.Kind, "due_at", n.DueAt, "expires_at", n.ExpiresAt)
		return b.dropNotification(ctx, n, "expired")
	}
	render, ok := b.renderers[n.Kind]
	if !ok {
		b.log.Error("no renderer for notification kind", "notification_id", n.ID, "kind", n.Kind)
		return b.dropNotification(ctx, n, "unknown kind")
	}
	u, err := b.d.Users.Get(ctx, n.UserID)
	if errors.Is(err, user.ErrNotFound) {
		return b.dropNotification(ctx, n, "unknown user")
	}
	if err != nil {
		return b.retryNotification(ctx, n, err)
	}
	if !u.Active {
		return b.dropNotification(ctx, n, "user blocked the bot")
	}
	l := b.d.Catalog.Localizer(locale.Resolve(u.Language, u.TelegramLanguage, b.d.DefaultLanguage))
	replies, err := render(ctx, n, u, l)
	if errors.Is(err, notify.ErrObsolete) {
		return b.dropNotification(ctx, n, "obsolete")
	}
	if err != nil {
		return b.retryNotification(ctx, n, err)
	}
	r := &Request{Update: &models.Update{}, ChatID: n.UserID, User: u, L: l}
	for _, rep := range replies {
		rep.Edit = false
		if err := b.send(ctx, r, rep); err != nil {
			if errors.Is(err, telegram.ErrBlocked) {
				return b.dropNotification(ctx, n, "user blocked the bot")
			}
			return b.retryNotification(ctx, n, err)
		}
	}
	if err := b.d.Notifications.MarkSent(ctx, n.ID, b.d.Now()); err != nil {
		// Sent but not marked: it will be sent again after the lease, the
		// documented at-most-one duplicate.
		b.log.Error("marking notification sent failed", "notification_id", n.ID, "error", err)
	}
	return "sent"
}

func (b *Bot) dropNotification(ctx context.Context, n notify.Notification, reason string) string {
	if err := b.d.Notifications.Drop(ctx, n.ID, reason); err != nil {
		b.log.Error("dropping notification failed", "notification_id", n.ID, "error", err)
	}
	b.log.Info("notification dropped", "notification_id", n.ID, "kind", n.Kind, "reason", reason)
	return "dropped"
}

func (b *Bot) retryNotification(ctx context.Context, n notify.Notification, cause error) string {
	if n.Attempts >= maxAttempts {
		return b.dropNotification(ctx, n, "failed: "+cause.Error())
	}
	wait := time.Duration(1<<min(n.Attempts, 10)) * 15 * time.Second
	if err := b.d.Notifications.Retry(ctx, n.ID, b.d.Now().Add(wait), cause.Error()); err != nil {
		b.log.Error("rescheduling notification failed", "notification_id", n.ID, "error", err)
	}
	b.log.Warn("notification failed, will retry", "notification_id", n.ID, "kind", n.Kind, "attempt", n.Attempts, "retry_in_s", int(wait.Seconds()), "error", cause)
	return "retried"
}
