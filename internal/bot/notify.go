package bot

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
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
	return b.deliverDue(ctx, ctx)
}

// DeliverDueGraceful is DeliverDue for the worker: once ctx ends (the bot
// shuts down) it claims no further batch but finishes sending the one in
// hand, for at most grace, so that a shutdown neither cuts a batch short
// nor leaves its rows leased until the lease runs out.
func (b *Bot) DeliverDueGraceful(ctx context.Context, grace time.Duration) (DeliveryStats, error) {
	sendCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })
	defer stop()
	return b.deliverDue(ctx, sendCtx)
}

// deliverDue claims batches while claimCtx lasts and sends with sendCtx.
//
// It claims the next batch while the last one is still being sent, and
// sends to whichever recipient may get a message now: a recipient with
// several notifications gets the next one only when the chat's rate limit
// (1 message/s) allows, meanwhile the others are served, instead of a
// sending slot waiting for that one chat.
func (b *Bot) deliverDue(claimCtx, ctx context.Context) (DeliveryStats, error) {
	if b.d.Notifications == nil {
		return DeliveryStats{}, nil
	}
	d := b.newDispatch(ctx)
	sweeps := 0
	for {
		if claimCtx.Err() != nil {
			d.run(true)
			return d.total, claimCtx.Err()
		}
		batch, err := b.d.Notifications.Claim(claimCtx, b.d.Now(), claimBatch, claimLease)
		if err != nil {
			d.run(true)
			return d.total, err
		}
		if len(batch) == 0 {
			d.run(true)
			if ctx.Err() != nil {
				return d.total, ctx.Err()
			}
			// Nothing due: a sweeper may still have something to say (a
			// broadcast finished before a restart, say).
			if sweeps < maxSweeps && b.sweep(claimCtx) > 0 {
				sweeps++
				continue
			}
			return d.total, nil
		}
		d.add(batch)
		last := len(batch) < claimBatch
		d.run(last) // the last batch is sent out; otherwise until it is time to claim more
		if ctx.Err() != nil {
			d.run(true)
			return d.total, ctx.Err()
		}
		if claimCtx.Err() != nil {
			d.run(true)
			return d.total, claimCtx.Err()
		}
		queued := b.sweep(claimCtx)
		if last && queued == 0 {
			return d.total, nil
		}
	}
}

// chatPacer is the part of telegram.Sender that tells when a chat may get
// its next message and how many messages per second go out overall.
type chatPacer interface {
	ChatReadyIn(chatID int64) time.Duration
	Rate() float64
}

// inHand bounds the claimed notifications kept in memory: enough for 2.5 s
// of sending, so that while a chat waits for its limit (1.1 s) there is
// always another one to send to, but at least three and at most ten
// batches; they go out well within claimLease and a shutdown's grace.
func inHand(p chatPacer) int {
	n := 3 * claimBatch
	if p != nil {
		n = max(n, int(min(2.5*p.Rate(), 10*claimBatch)))
	}
	return n
}

// dispatch sends claimed notifications, at most sendParallel at a time,
// each recipient's in order and only when its chat is ready.
type dispatch struct {
	b       *Bot
	ctx     context.Context
	pacer   chatPacer // nil: every chat is always ready
	queues  map[int64]*recipient
	waiting recipientHeap // idle recipients whose chat is not ready yet, by readyAt
	ready   readyHeap     // idle recipients whose chat is ready
	busy    int           // sends in flight
	inHand  int           // claimed and not yet sent, dropped or retried
	max     int           // inHand's bound
	results chan sendResult
	total   DeliveryStats
}

// recipient is a user with claimed notifications: in the heap while
// idle, out of it while one of them is being sent.
type recipient struct {
	id      int64
	items   []notify.Notification
	readyAt time.Time
	left    int // len(items) when it was found ready, the ready heap's key
}

type sendResult struct {
	r       *recipient
	outcome string
}

func (b *Bot) newDispatch(ctx context.Context) *dispatch {
	d := &dispatch{b: b, ctx: ctx, queues: map[int64]*recipient{}, results: make(chan sendResult, sendParallel)}
	d.pacer, _ = b.d.Sender.(chatPacer)
	d.max = inHand(d.pacer)
	return d
}

func (d *dispatch) readyAt(userID int64) time.Time {
	now := time.Now()
	if d.pacer == nil {
		return now
	}
	return now.Add(d.pacer.ChatReadyIn(userID))
}

// add queues a claimed batch behind what each recipient has in hand.
func (d *dispatch) add(batch []notify.Notification) {
	for _, n := range batch {
		d.inHand++
		r := d.queues[n.UserID]
		if r == nil {
			r = &recipient{id: n.UserID, readyAt: d.readyAt(n.UserID)}
			d.queues[n.UserID] = r
			heap.Push(&d.waiting, r)
		}
		r.items = append(r.items, n)
	}
}

// run sends until nothing is in hand (all) or until there is room in hand
// for another batch.
// Once ctx ends it starts no more sends; what is left stays leased and is
// claimed again after the lease.
func (d *dispatch) run(all bool) {
	for {
		now := time.Now()
		for d.waiting.Len() > 0 && !d.waiting[0].readyAt.After(now) {
			r := heap.Pop(&d.waiting).(*recipient)
			r.left = len(r.items)
			heap.Push(&d.ready, r)
		}
		for d.ctx.Err() == nil && d.busy < sendParallel && d.ready.Len() > 0 {
			r := heap.Pop(&d.ready).(*recipient)
			n := r.items[0]
			r.items = r.items[1:]
			d.busy++
			go func() { d.results <- sendResult{r, d.b.deliverOne(d.ctx, n)} }()
		}
		if d.inHand == 0 || d.ctx.Err() != nil && d.busy == 0 {
			return
		}
		if !all && d.ctx.Err() == nil && d.inHand+claimBatch <= d.max {
			return // room for another batch: claim it while these are sent
		}
		var wait <-chan time.Time
		var timer *time.Timer
		if d.ctx.Err() == nil && d.busy < sendParallel && d.waiting.Len() > 0 {
			timer = time.NewTimer(d.waiting[0].readyAt.Sub(now))
			wait = timer.C
		}
		select {
		case res := <-d.results:
			d.done(res)
		case <-wait:
		case <-d.ctx.Done():
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// done books a finished send and queues the recipient's next notification.
func (d *dispatch) done(res sendResult) {
	d.busy--
	d.inHand--
	switch res.outcome {
	case "sent":
		d.total.Sent++
	case "dropped":
		d.total.Dropped++
	default:
		d.total.Retried++
	}
	r := res.r
	if len(r.items) == 0 {
		delete(d.queues, r.id)
		return
	}
	r.readyAt = d.readyAt(r.id)
	heap.Push(&d.waiting, r)
}

// readyHeap orders recipients whose chat is ready: the one with the most
// notifications left first, since each of its next ones has to wait for
// the chat's limit again (sending the others' meanwhile finishes soonest),
// then the one ready the longest.
type readyHeap []*recipient

func (h readyHeap) Len() int { return len(h) }
func (h readyHeap) Less(i, j int) bool {
	if h[i].left != h[j].left {
		return h[i].left > h[j].left
	}
	return h[i].readyAt.Before(h[j].readyAt)
}
func (h readyHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *readyHeap) Push(x any)   { *h = append(*h, x.(*recipient)) }
func (h *readyHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

// recipientHeap orders idle recipients by when their chat is ready.
type recipientHeap []*recipient

func (h recipientHeap) Len() int           { return len(h) }
func (h recipientHeap) Less(i, j int) bool { return h[i].readyAt.Before(h[j].readyAt) }
func (h recipientHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *recipientHeap) Push(x any)        { *h = append(*h, x.(*recipient)) }
func (h *recipientHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

// Sweeper looks at what the last batch changed and may queue notifications
// of its own (a broadcast's progress and final report), returning how many.
// It must be safe to run in several workers at once.
type Sweeper func(ctx context.Context, now time.Time) (int, error)

// maxSweeps bounds the sweeps of one run that find nothing due.
const maxSweeps = 3

// sweep runs the sweepers and returns how many notifications they queued.
func (b *Bot) sweep(ctx context.Context) int {
	queued := 0
	for _, s := range b.sweepers {
		n, err := s(ctx, b.d.Now())
		if err != nil {
			if ctx.Err() == nil {
				b.log.Warn("notification sweeper failed", "error", err)
			}
			continue
		}
		queued += n
	}
	return queued
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
		return b.dropNotification(ctx, n, notify.ReasonBlocked)
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
				return b.dropNotification(ctx, n, notify.ReasonBlocked)
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
