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

// Run polls until ctx is cancelled. Updates being handled then are
// finished and confirmed before Run returns.
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
	var offset int64
	done := map[int64]bool{} // handled but not yet confirmed, after a retry
	backoff := time.Duration(0)
	for {
		if backoff > 0 {
			select {
			case <-ctx.Done():
				return p.confirm(offset)
			case <-time.After(backoff):
			}
		}
		if ctx.Err() != nil {
			return p.confirm(offset)
		}
		updates, err := p.fetch(ctx, offset, p.Timeout)
		if err != nil {
			if ctx.Err() != nil {
				return p.confirm(offset)
			}
			if errors.Is(err, errUnauthorized) {
				return err
			}
			backoff = nextBackoff(backoff)
			p.Logger.Warn("getUpdates failed", "error", err, "retry_in_ms", backoff.Milliseconds())
			continue
		}
		next, failed := p.handleBatch(ctx, updates, done, offset)
		for id := range done {
			if id < next {
				delete(done, id)
			}
		}
		offset = next
		if failed {
			backoff = nextBackoff(backoff)
		} else {
			backoff = 0
		}
	}
}

func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return 200 * time.Millisecond
	}
	return min(2*d, 10*time.Second)
}

// handleBatch handles updates grouped by chat, in parallel across chats.
// It returns the offset to confirm up to and whether any update failed.
func (p *Poller) handleBatch(ctx context.Context, updates []*models.Update, done map[int64]bool, offset int64) (int64, bool) {
	groups := map[int64][]*models.Update{}
	var keys []int64
	next := offset
	for _, u := range updates {
		if u.ID >= next {
			next = u.ID + 1
		}
		if done[u.ID] {
			continue
		}
		k := ChatKey(u)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], u)
	}
	// Handlers finish even when shutdown began, within HandleTimeout.
	hctx := context.WithoutCancel(ctx)
	var mu sync.Mutex
	firstFailed := int64(-1)
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func(batch []*models.Update) {
			defer wg.Done()
			for _, u := range batch {
				c, cancel := context.WithTimeout(hctx, p.HandleTimeout)
				err := p.Dispatcher.Handle(c, u)
				cancel()
				mu.Lock()
				if err != nil && errors.Is(err, ErrRetry) {
					if firstFailed < 0 || u.ID < firstFailed {
						firstFailed = u.ID
					}
					mu.Unlock()
					return // later updates of this chat must wait for this one
				}
				done[u.ID] = true
				mu.Unlock()
			}
		}(groups[k])
	}
	wg.Wait()
	if firstFailed >= 0 {
		return firstFailed, true
	}
	return next, false
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
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), handleTimeout)
		defer cancel()
		if err := d.Handle(ctx, &u); err != nil && errors.Is(err, ErrRetry) {
			http.Error(w, "try again later", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
