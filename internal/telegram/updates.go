package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// ErrRetry, wrapped in a handler's error, asks for the update to be handled
// again later: the database is down, say. The poller then does not confirm
// the update, so it is neither lost nor handled out of order.
var ErrRetry = errors.New("retry later")

// Handler handles one update.
type Handler func(ctx context.Context, u *models.Update) error

// ChatKey is the key updates are ordered by: the chat they belong to, or
// the user for updates without a chat.
func ChatKey(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID
		}
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

// Dispatcher runs handlers so that the updates of one chat are handled one
// after the other while different chats proceed in parallel.
type Dispatcher struct {
	handler Handler
	sem     chan struct{}

	mu    sync.Mutex
	locks map[int64]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

// NewDispatcher handles at most parallel updates at once.
func NewDispatcher(h Handler, parallel int) *Dispatcher {
	if parallel <= 0 {
		parallel = 64
	}
	return &Dispatcher{handler: h, sem: make(chan struct{}, parallel), locks: map[int64]*keyLock{}}
}

// Handle runs the handler for u after every earlier update of the same chat.
func (d *Dispatcher) Handle(ctx context.Context, u *models.Update) error {
	key := ChatKey(u)
	d.mu.Lock()
	l, ok := d.locks[key]
	if !ok {
		l = &keyLock{}
		d.locks[key] = l
	}
	l.refs++
	d.mu.Unlock()

	l.mu.Lock()
	defer func() {
		l.mu.Unlock()
		d.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(d.locks, key)
		}
		d.mu.Unlock()
	}()
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrRetry, ctx.Err())
	}
	defer func() { <-d.sem }()
	return d.handler(ctx, u)
}

// Poller fetches updates with getUpdates and confirms an update to Telegram
// (by asking for the next offset) only after it was handled.
type Poller struct {
	APIURL  string // Bot API base URL, e.g. https://api.telegram.org
	Token   string
	Client  *http.Client
	Timeout time.Duration // long-poll timeout; default 50 s
	// HandleTimeout bounds one update's handling, also after shutdown began.
	HandleTimeout  time.Duration
	AllowedUpdates []string
	Dispatcher     *Dispatcher
	Logger         *slog.Logger
}

// errUnauthorized means the token is wrong: polling cannot go on.
var errUnauthorized = errors.New("telegram: token rejected (401 Unauthorized): check TELEGRAM_BOT_TOKEN")

// pollWindow is how many updates one getUpdates returns at most (Telegram's
// limit), which is also how many can be in hand at once: unconfirmed
// updates are returned again by every poll.
const pollWindow = 100

// idlePoll is how often the poller looks for new updates while the ones in
// hand take long to handle.
const idlePoll = 200 * time.Millisecond

// Run polls until ctx is cancelled. Updates being handled then are
// finished and confirmed before Run returns.
//
// Updates are handled as they come, one after the other per chat and in
// parallel across chats, and the poller does not wait for a whole batch
// before it fetches more: once half the window is free again, it asks for
// the updates after the oldest one still being handled. That poll's offset
// confirms only what was handled; the updates still in hand come back
// with the answer and are skipped. An update whose handler asks for a
// retry (ErrRetry) stays unconfirmed, and so do the later updates of its
// chat, which wait for it: they are fetched again after a backoff.
func (p *Poller) Run(ctx context.Context) error {
	if p.Timeout <= 0 {
		p.Timeout = 50 * time.Second
	}
	if p.HandleTimeout <= 0 {
		p.HandleTimeout = 30 * time.Second
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	w := &pollWork{
		p:          p,
		hctx:       context.WithoutCancel(ctx), // handlers finish after shutdown began, within HandleTimeout
		unfinished: map[int64]bool{},
		finished:   map[int64]bool{},
		chats:      map[int64]*chatQueue{},
		done:       make(chan completion, 2*pollWindow),
		workers:    newWorkers(30 * time.Second),
	}
	defer w.workers.stop()
	var (
		backoff    time.Duration
		notBefore  time.Time
		sinceFetch = 1 // completions since the last fetch
		lastFetch  time.Time
	)
	for {
		if ctx.Err() != nil {
			w.drain()
			return p.confirm(w.offset)
		}
		now := time.Now()
		free := pollWindow - len(w.unfinished) - len(w.finished)
		// With updates in hand a poll returns at once (with them), so it is
		// made when some were handled, or now and then for the other chats
		// while a slow one is still being handled.
		roomy := free >= pollWindow/2
		idle := lastFetch.Add(idlePoll)
		if !now.Before(notBefore) && (w.inflight == 0 || roomy && (sinceFetch > 0 || !now.Before(idle))) {
			timeout := time.Duration(0)
			if len(w.unfinished) == 0 {
				timeout = p.Timeout // nothing in hand: wait for news
			}
			updates, err := p.fetch(ctx, w.offset, timeout)
			sinceFetch, lastFetch = 0, time.Now()
			if err != nil {
				if ctx.Err() != nil {
					continue
				}
				if errors.Is(err, errUnauthorized) {
					w.drain()
					return err
				}
				backoff = nextBackoff(backoff)
				notBefore = time.Now().Add(backoff)
				p.Logger.Warn("getUpdates failed", "error", err, "retry_in_ms", backoff.Milliseconds())
				continue
			}
			w.dispatch(updates, time.Now())
			continue
		}
		var (
			timer *time.Timer
			wait  <-chan time.Time
		)
		switch {
		case now.Before(notBefore):
			timer = time.NewTimer(notBefore.Sub(now))
			wait = timer.C
		case roomy:
			timer = time.NewTimer(idle.Sub(now))
			wait = timer.C
		}
		select {
		case c := <-w.done:
			sinceFetch++
			if w.complete(c) {
				backoff = nextBackoff(backoff)
				notBefore = time.Now().Add(backoff)
			} else if c.err == nil {
				backoff = 0
			}
		case <-wait:
		case <-ctx.Done():
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return 200 * time.Millisecond
	}
	return min(2*d, 10*time.Second)
}

// pollWork is the poller's bookkeeping of the updates in hand. Only Run's
// goroutine touches it, except chats (under mu), which it shares with the
// per-chat workers.
type pollWork struct {
	p    *Poller
	hctx context.Context

	offset int64 // every update below it was handled
	// unfinished are fetched updates not handled yet: true while with a
	// worker, false while waiting to be fetched again for a retry.
	unfinished map[int64]bool
	finished   map[int64]bool // handled, but behind an unfinished one (≥ offset)
	inflight   int            // updates with workers
	maxSeen    int64

	mu    sync.Mutex
	chats map[int64]*chatQueue // chats with a running worker
	done  chan completion

	workers *workers // run the chats' work
}

type chatQueue struct {
	updates []queued
	// retryID is the update that asked for a retry; until it is fetched
	// and dispatched again, the chat's later updates wait behind it.
	retryID int64
}

type queued struct {
	u  *models.Update
	at time.Time // when getUpdates returned it
}

// completion is a worker's report on one update.
type completion struct {
	id  int64
	err error
	// retry: the handler asked for a retry, and skipped holds the later
	// updates of the chat that were not handled because of it.
	retry   bool
	skipped []int64
}

// dispatch hands new updates to their chat's worker, starting one if the
// chat has none, so a chat's updates are handled in the order fetched.
func (w *pollWork) dispatch(updates []*models.Update, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, u := range updates {
		if u.ID < w.offset || w.finished[u.ID] || w.unfinished[u.ID] {
			continue
		}
		w.maxSeen = max(w.maxSeen, u.ID)
		key := ChatKey(u)
		q := w.chats[key]
		if q != nil && q.retryID != 0 && q.retryID != u.ID {
			// Fetched before the update it must follow came back for
			// its retry: leave it unconfirmed, to be fetched again.
			w.unfinished[u.ID] = false
			continue
		}
		w.unfinished[u.ID] = true
		w.inflight++
		switch {
		case q == nil:
			q = &chatQueue{updates: []queued{{u, at}}}
			w.chats[key] = q
			w.workers.run(func() { w.work(key, q) })
		case q.retryID == u.ID: // the retry itself: the chat goes on
			q.retryID = 0
			q.updates = append([]queued{{u, at}}, q.updates...)
			w.workers.run(func() { w.work(key, q) })
		default:
			q.updates = append(q.updates, queued{u, at})
		}
	}
	w.advance()
}

// work handles the chat's queue until it is empty.
func (w *pollWork) work(key int64, q *chatQueue) {
	for {
		w.mu.Lock()
		if len(q.updates) == 0 {
			delete(w.chats, key)
			w.mu.Unlock()
			return
		}
		e := q.updates[0]
		q.updates = q.updates[1:]
		w.mu.Unlock()

		c, cancel := context.WithTimeout(WithReceived(w.hctx, e.at), w.p.HandleTimeout)
		err := w.p.Dispatcher.Handle(c, e.u)
		cancel()

		if err != nil && errors.Is(err, ErrRetry) {
			// The chat's later updates must wait for this one.
			w.mu.Lock()
			var skipped []int64
			for _, rest := range q.updates {
				skipped = append(skipped, rest.u.ID)
			}
			// The chat stays blocked (its entry kept, no worker) until
			// this update is dispatched again.
			q.updates, q.retryID = nil, e.u.ID
			w.mu.Unlock()
			w.done <- completion{id: e.u.ID, err: err, retry: true, skipped: skipped}
			return
		}
		w.done <- completion{id: e.u.ID, err: err}
	}
}

// complete books a worker's report and tells whether it asks for a retry.
func (w *pollWork) complete(c completion) bool {
	w.inflight--
	if !c.retry {
		delete(w.unfinished, c.id)
		w.finished[c.id] = true
		w.advance()
		return false
	}
	// The retried update and the ones skipped behind it hold the offset:
	// a later poll returns them and they are dispatched again, in order.
	w.unfinished[c.id] = false
	for _, id := range c.skipped {
		w.unfinished[id] = false
		w.inflight--
	}
	return true
}

// advance moves the offset past every handled update.
func (w *pollWork) advance() {
	if w.maxSeen == 0 {
		return
	}
	low := w.maxSeen + 1
	for id := range w.unfinished {
		low = min(low, id)
	}
	w.offset = low
	for id := range w.finished {
		if id < low {
			delete(w.finished, id)
		}
	}
}

// drain waits until the workers have handled every update given to them.
func (w *pollWork) drain() {
	for w.inflight > 0 {
		w.complete(<-w.done)
	}
}

// confirm tells Telegram that every update below offset was handled.
func (p *Poller) confirm(offset int64) error {
	if offset == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := p.fetchLimit(ctx, offset, 0, 1)
	if err != nil {
		p.Logger.Warn("confirming handled updates failed; they may be delivered again", "error", err)
	}
	return nil
}

func (p *Poller) fetch(ctx context.Context, offset int64, timeout time.Duration) ([]*models.Update, error) {
	return p.fetchLimit(ctx, offset, timeout, 100)
}

func (p *Poller) fetchLimit(ctx context.Context, offset int64, timeout time.Duration, limit int) ([]*models.Update, error) {
	params := map[string]any{"timeout": int(timeout / time.Second), "limit": limit}
	if offset > 0 {
		params["offset"] = offset
	}
	if len(p.AllowedUpdates) > 0 {
		params["allowed_updates"] = p.AllowedUpdates
	}
	body, _ := json.Marshal(params)
	url := strings.TrimRight(p.APIURL, "/") + "/bot" + p.Token + "/getUpdates"
	rctx, cancel := context.WithTimeout(ctx, timeout+15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, RedactToken(fmt.Errorf("getUpdates: %w", err), p.Token)
	}
	req.Header.Set("Content-Type", "application/json")
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, RedactToken(fmt.Errorf("getUpdates: %w", err), p.Token)
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool             `json:"ok"`
		Result      []*models.Update `json:"result"`
		ErrorCode   int              `json:"error_code"`
		Description string           `json:"description"`
		Parameters  map[string]any   `json:"parameters"`
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: read: %w", err)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d: undecodable answer: %w", resp.StatusCode, err)
	}
	if !r.OK {
		if r.ErrorCode == http.StatusUnauthorized || resp.StatusCode == http.StatusUnauthorized {
			return nil, errUnauthorized
		}
		return nil, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	sort.Slice(r.Result, func(i, j int) bool { return r.Result[i].ID < r.Result[j].ID })
	return r.Result, nil
}

// WebhookHeader carries the secret Telegram sends with each webhook call.
const WebhookHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookHandler receives updates pushed by Telegram. It checks the secret
// in constant time on every request (401 otherwise), limits the body size,
// handles the update before answering and answers 503 when it must be
// retried, so Telegram delivers it again instead of it being lost.
func WebhookHandler(secret string, d *Dispatcher, handleTimeout time.Duration, logger *slog.Logger) http.Handler {
	if handleTimeout <= 0 {
		handleTimeout = 30 * time.Second
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get(WebhookHeader)
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			logger.Warn("webhook request with wrong secret", "remote_addr", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		var u models.Update
		if err := json.Unmarshal(body, &u); err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		ctx, cancel := context.WithTimeout(WithReceived(context.WithoutCancel(r.Context()), time.Now()), handleTimeout)
		defer cancel()
		if err := d.Handle(ctx, &u); err != nil && errors.Is(err, ErrRetry) {
			http.Error(w, "try again later", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
