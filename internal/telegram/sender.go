package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"
)

// MaxTextLength is Telegram's limit for one message's text.
const MaxTextLength = 4096

// ErrBlocked is returned when Telegram answered 403: the user blocked the
// bot or deleted their account. The sender stops trying such a chat.
var ErrBlocked = errors.New("telegram: chat blocked the bot")

// ServerError is a 5xx answer of the Bot API, which is worth retrying.
type ServerError struct{ Code int }

func (e *ServerError) Error() string { return fmt.Sprintf("telegram: server error %d", e.Code) }

// Limits are the sending rates the Sender keeps under. Telegram's published
// limits are 30 messages/s overall, 1/s per private chat and 20/min per group.
type Limits struct {
	Global            rate.Limit // messages per second overall
	GlobalBurst       int
	PerChat           rate.Limit // messages per second to one private chat
	PerChatBurst      int
	PerGroupPerMinute int // messages per minute to one group chat
}

// DefaultLimits keep a margin below Telegram's limits: Telegram counts when
// a request arrives, so two messages sent exactly 1 s apart may arrive
// closer together; 1.1 s apart per chat and 19/min per group absorb that.
var DefaultLimits = Limits{Global: 25, GlobalBurst: 5, PerChat: rate.Every(1100 * time.Millisecond), PerChatBurst: 1, PerGroupPerMinute: 19}

// Metrics are the counters the Sender reports; nil fields are skipped.
type Metrics interface {
	MessageSent(method string)
	SendError(code string)
	LimiterWait(d time.Duration)
}

// SenderOptions configure a Sender.
type SenderOptions struct {
	Limits Limits
	// MaxAttempts bounds tries per request on 429, 5xx and timeouts.
	MaxAttempts int
	// Backoff is the first wait after a 5xx or timeout; it doubles per try.
	Backoff time.Duration
	// OnBlocked is called once per 403 so the user can be marked inactive.
	OnBlocked func(ctx context.Context, chatID int64)
	Logger    *slog.Logger
	Metrics   Metrics
	// Token is redacted from every error the Sender returns or logs.
	Token string
	// APIURL and Client, if both set, are used to post the messages of a
	// conversation as JSON (post.go); other requests, and all of them
	// without these, go through the go-telegram/bot client.
	APIURL string
	Client bot.HttpClient
}

// Sender is the one way netzbot talks to Telegram: every outgoing request
// goes through its rate limiter and retry policy. A request may be sent
// twice when a timeout hid a success (at-least-once); it is never sent to a
// chat that blocked the bot.
type Sender struct {
	b      *bot.Bot
	opt    SenderOptions
	global *rate.Limiter

	mu    sync.Mutex
	chats map[int64]*chatLimiter
}

type chatLimiter struct {
	lim  *rate.Limiter
	used time.Time
}

// NewSender wraps a go-telegram/bot client.
func NewSender(b *bot.Bot, opt SenderOptions) *Sender {
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 5
	}
	if opt.Backoff <= 0 {
		opt.Backoff = 250 * time.Millisecond
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Sender{
		b:      b,
		opt:    opt,
		global: rate.NewLimiter(opt.Limits.Global, max(opt.Limits.GlobalBurst, 1)),
		chats:  map[int64]*chatLimiter{},
	}
}

// Bot returns the underlying client for calls that are not messages.
func (s *Sender) Bot() *bot.Bot { return s.b }

func (s *Sender) chatLimiter(chatID int64) *rate.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	c, ok := s.chats[chatID]
	if !ok {
		var lim *rate.Limiter
		if chatID < 0 { // groups and channels
			lim = rate.NewLimiter(rate.Limit(float64(s.opt.Limits.PerGroupPerMinute)/60), 1)
		} else {
			lim = rate.NewLimiter(s.opt.Limits.PerChat, max(s.opt.Limits.PerChatBurst, 1))
		}
		c = &chatLimiter{lim: lim}
		s.chats[chatID] = c
		if len(s.chats) > 10000 { // forget idle chats; their bucket is full again anyway
			for id, cl := range s.chats {
				if now.Sub(cl.used) > time.Minute {
					delete(s.chats, id)
				}
			}
		}
	}
	c.used = now
	return c.lim
}

// ChatReadyIn tells how long until a message to chatID would pass the
// chat's own rate limit, without using it up, so that a caller with
// messages for many chats (the notification worker) can send to the
// ones that are ready instead of waiting for one that is not.
func (s *Sender) ChatReadyIn(chatID int64) time.Duration {
	lim := s.chatLimiter(chatID)
	if lim.Limit() == rate.Inf {
		return 0
	}
	tokens := lim.TokensAt(time.Now())
	if tokens >= 1 || lim.Limit() <= 0 {
		return 0
	}
	return time.Duration((1 - tokens) / float64(lim.Limit()) * float64(time.Second))
}

// Rate is the overall limit in messages per second (+Inf if none).
func (s *Sender) Rate() float64 { return float64(s.global.Limit()) }

// wait blocks until a message to chatID may be sent.
func (s *Sender) wait(ctx context.Context, chatID int64) error {
	start := time.Now()
	if err := s.chatLimiter(chatID).Wait(ctx); err != nil {
		return err
	}
	if err := s.global.Wait(ctx); err != nil {
		return err
	}
	if d := time.Since(start); d > time.Millisecond && s.opt.Metrics != nil {
		s.opt.Metrics.LimiterWait(d)
	}
	return nil
}

// do runs call with the rate limit (when limited) and the retry policy.
func do[T any](ctx context.Context, s *Sender, method string, chatID int64, limited bool, call func(context.Context) (T, error)) (T, error) {
	var zero T
	backoff := s.opt.Backoff
	var err error
	for attempt := 1; attempt <= s.opt.MaxAttempts; attempt++ {
		if limited {
			if werr := s.wait(ctx, chatID); werr != nil {
				return zero, werr
			}
		}
		var res T
		res, err = call(ctx)
		if err == nil {
			if s.opt.Metrics != nil {
				s.opt.Metrics.MessageSent(method)
			}
			return res, nil
		}
		err = s.redact(err)
		code, retry, wait := s.classify(err, backoff)
		if s.opt.Metrics != nil {
			s.opt.Metrics.SendError(code)
		}
		if code == "403" {
			if s.opt.OnBlocked != nil && chatID != 0 {
				s.opt.OnBlocked(ctx, chatID)
			}
			return zero, fmt.Errorf("%s: %w", method, ErrBlocked)
		}
		if !retry || attempt == s.opt.MaxAttempts {
			break
		}
		s.opt.Logger.Warn("telegram request failed, retrying", "method", method, "code", code, "attempt", attempt, "wait_ms", wait.Milliseconds(), "error", err)
		if code != "429" {
			backoff *= 2
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return zero, ctx.Err()
		case <-t.C:
		}
	}
	return zero, fmt.Errorf("%s: %w", method, err)
}

// classify maps an error to a metrics code, whether to retry and how long to wait.
func (s *Sender) classify(err error, backoff time.Duration) (code string, retry bool, wait time.Duration) {
	var tooMany *bot.TooManyRequestsError
	var srv *ServerError
	var netErr net.Error
	switch {
	case errors.As(err, &tooMany):
		return "429", true, time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
	case errors.Is(err, bot.ErrorForbidden):
		return "403", false, 0
	case errors.As(err, &srv):
		return fmt.Sprint(srv.Code), true, backoff
	case errors.Is(err, context.Canceled):
		return "canceled", false, 0
	case errors.As(err, &netErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, context.DeadlineExceeded), strings.Contains(err.Error(), "connection reset"):
		return "network", true, backoff
	case errors.Is(err, bot.ErrorBadRequest):
		return "400", false, 0
	default:
		return "other", false, 0
	}
}

func (s *Sender) redact(err error) error {
	if err == nil || s.opt.Token == "" || !strings.Contains(err.Error(), s.opt.Token) {
		return err
	}
	return &redactedError{err: err, token: s.opt.Token}
}

type redactedError struct {
	err   error
	token string
}

func (e *redactedError) Error() string { return strings.ReplaceAll(e.err.Error(), e.token, "***") }
func (e *redactedError) Unwrap() error { return e.err }

// RedactToken removes token from an error's text, keeping it unwrappable.
func RedactToken(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return &redactedError{err: err, token: token}
}

// SendMessage sends p, split into several messages at paragraph or line
// boundaries when the text is longer than Telegram allows. The reply
// markup goes on the last part. It returns the last message sent.
func (s *Sender) SendMessage(ctx context.Context, p *bot.SendMessageParams) (*models.Message, error) {
	chatID := chatIDOf(p.ChatID)
	parts := SplitText(p.Text, MaxTextLength)
	var msg *models.Message
	for i, part := range parts {
		q := *p
		q.Text = part
		if i < len(parts)-1 {
			q.ReplyMarkup = nil
		}
		var err error
		msg, err = do(ctx, s, "sendMessage", chatID, true, func(ctx context.Context) (*models.Message, error) {
			if s.direct() {
				var m posted
				if err := s.post(ctx, "sendMessage", &q, &m); err != nil {
					return nil, err
				}
				return m.message(), nil
			}
			return s.b.SendMessage(ctx, &q)
		})
		if err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// EditMessageText edits a message the bot sent before.
func (s *Sender) EditMessageText(ctx context.Context, p *bot.EditMessageTextParams) (*models.Message, error) {
	return do(ctx, s, "editMessageText", chatIDOf(p.ChatID), false, func(ctx context.Context) (*models.Message, error) {
		if s.direct() && p.InlineMessageID == "" { // an inline message's answer is true, not a message
			var m posted
			if err := s.post(ctx, "editMessageText", p, &m); err != nil {
				return nil, err
			}
			return m.message(), nil
		}
		return s.b.EditMessageText(ctx, p)
	})
}

// AnswerCallbackQuery stops the spinner on a pressed button.
func (s *Sender) AnswerCallbackQuery(ctx context.Context, p *bot.AnswerCallbackQueryParams) error {
	_, err := do(ctx, s, "answerCallbackQuery", 0, false, func(ctx context.Context) (bool, error) {
		if s.direct() {
			var ok bool
			err := s.post(ctx, "answerCallbackQuery", p, &ok)
			return ok, err
		}
		return s.b.AnswerCallbackQuery(ctx, p)
	})
	return err
}

// SendVenue sends a native venue message (a map pin with name and address).
func (s *Sender) SendVenue(ctx context.Context, p *bot.SendVenueParams) (*models.Message, error) {
	return do(ctx, s, "sendVenue", chatIDOf(p.ChatID), true, func(ctx context.Context) (*models.Message, error) {
		return s.b.SendVenue(ctx, p)
	})
}

// SendLocation sends a map pin.
func (s *Sender) SendLocation(ctx context.Context, p *bot.SendLocationParams) (*models.Message, error) {
	return do(ctx, s, "sendLocation", chatIDOf(p.ChatID), true, func(ctx context.Context) (*models.Message, error) {
		return s.b.SendLocation(ctx, p)
	})
}

// SendDocument uploads a file. The upload's reader is buffered by the
// caller (see Document), so a retry sends the same bytes again.
func (s *Sender) SendDocument(ctx context.Context, p *bot.SendDocumentParams, name string, data []byte) (*models.Message, error) {
	return do(ctx, s, "sendDocument", chatIDOf(p.ChatID), true, func(ctx context.Context) (*models.Message, error) {
		q := *p
		q.Document = &models.InputFileUpload{Filename: name, Data: strings.NewReader(string(data))}
		return s.b.SendDocument(ctx, &q)
	})
}

// DeleteMessage removes a message the bot sent.
func (s *Sender) DeleteMessage(ctx context.Context, p *bot.DeleteMessageParams) error {
	_, err := do(ctx, s, "deleteMessage", chatIDOf(p.ChatID), false, func(ctx context.Context) (bool, error) {
		return s.b.DeleteMessage(ctx, p)
	})
	return err
}

// SetMyCommands publishes the command menu for one language.
func (s *Sender) SetMyCommands(ctx context.Context, p *bot.SetMyCommandsParams) error {
	_, err := do(ctx, s, "setMyCommands", 0, false, func(ctx context.Context) (bool, error) {
		return s.b.SetMyCommands(ctx, p)
	})
	return err
}

func chatIDOf(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	}
	return 0
}

// UTF16Len is the length Telegram measures texts in.
func UTF16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// SplitText cuts text into parts of at most limit UTF-16 units, preferring
// paragraph, then line, then word boundaries, and never cutting inside an
// HTML tag or entity. Tags in netzbot messages do not span lines, so a
// cut at a line boundary keeps the markup valid.
func SplitText(text string, limit int) []string {
	if UTF16Len(text) <= limit {
		return []string{text}
	}
	var parts []string
	for UTF16Len(text) > limit {
		cut := cutPoint(text, limit)
		parts = append(parts, strings.TrimRight(text[:cut], "\n "))
		text = strings.TrimLeft(text[cut:], "\n ")
	}
	if text != "" {
		parts = append(parts, text)
	}
	return parts
}

// cutPoint returns a byte offset ≤ limit UTF-16 units into text.
func cutPoint(text string, limit int) int {
	units, end := 0, 0
	inTag, inEntity := false, false
	lastPara, lastLine, lastSpace, lastSafe := 0, 0, 0, 0
	for i, r := range text {
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > limit {
			break
		}
		units += n
		end = i + len(string(r))
		switch {
		case r == '<':
			inTag = true
		case r == '>':
			inTag = false
		case r == '&':
			inEntity = true
		case r == ';':
			inEntity = false
		}
		if inTag || inEntity {
			continue
		}
		lastSafe = end
		switch r {
		case '\n':
			lastLine = end
			if i > 0 && text[i-1] == '\n' {
				lastPara = end
			}
		case ' ':
			lastSpace = end
		}
	}
	for _, c := range []int{lastPara, lastLine, lastSpace} {
		if c > 0 && c >= end/2 {
			return c
		}
	}
	if lastSafe > 0 {
		return lastSafe
	}
	return end
}

// NewTransport is the HTTP transport for Bot API requests. Go's default
// keeps only 2 idle connections per host, so with handlers sending in
// parallel most requests opened a new connection (a TLS handshake with
// api.telegram.org) and closed it afterwards; this one keeps as many idle
// connections as the dispatcher runs handlers.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 128
	t.MaxIdleConnsPerHost = 128
	return t
}

// StatusClient is an http client for go-telegram/bot that turns 5xx answers
// into *ServerError, which the library would otherwise report as an
// untyped error that cannot be told apart from a 400.
type StatusClient struct{ Client *http.Client }

// Do implements bot.HttpClient.
func (c StatusClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && req.ContentLength <= 0 {
		// go-telegram streams its multipart form through a pipe, which
		// net/http sends chunked, flushing (one write syscall) per form
		// field; sent in one piece, a message costs one write.
		data, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(data))
		req.ContentLength = int64(len(data))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 500 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		return nil, &ServerError{Code: resp.StatusCode}
	}
	return resp, nil
}
