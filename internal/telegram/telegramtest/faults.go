package telegramtest

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching requests fail the way Telegram or the network does,
// to test the bot's retry and error handling.
type Fault struct {
	Method string // method name, any case; "" matches every method
	ChatID int64  // target chat (answerCallbackQuery: the callback's chat); 0 matches any
	// Code is the error answered: 429, 403, 400, 500, 502... 0 answers
	// normally (useful with Delay or Drop).
	Code       int
	RetryAfter int    // for 429: parameters.retry_after in seconds; 1 if zero
	Desc       string // overrides the standard description for Code
	// Delay holds the answer back, for timeout tests; it ends early when the
	// client gives up.
	Delay time.Duration
	// Drop closes the connection without answering, so the client sees a
	// transport error. The request has no effect unless AfterProcessing
	// is set, in which case it took effect and only the answer is lost
	// (the retry-duplicates case).
	Drop            bool
	AfterProcessing bool
	// Times is how many matching requests the fault hits: 1 if zero,
	// unlimited if negative (e.g. a user who blocked the bot).
	Times int
}

type activeFault struct {
	Fault
	left int // < 0: unlimited
}

// Inject arms a fault; faults are tried in the order injected.
func (s *Server) Inject(f Fault) {
	left := f.Times
	if left == 0 {
		left = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &activeFault{Fault: f, left: left})
}

// ClearFaults disarms all faults not used up yet.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault consumes the first fault matching the request. Called with s.mu held.
func (s *Server) takeFault(method string, chatID int64) *Fault {
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, method) {
			continue
		}
		if f.ChatID != 0 && f.ChatID != chatID {
			continue
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		hit := f.Fault
		return &hit
	}
	return nil
}

// faultError is the answer Telegram gives for the code, word for word.
func faultError(f *Fault) *apiError {
	e := &apiError{code: f.Code, desc: f.Desc}
	switch f.Code {
	case 429:
		e.retryAfter = f.RetryAfter
		if e.retryAfter <= 0 {
			e.retryAfter = 1
		}
		if e.desc == "" {
			e.desc = "Too Many Requests: retry after " + strconv.Itoa(e.retryAfter)
		}
	case 403:
		if e.desc == "" {
			e.desc = "Forbidden: bot was blocked by the user"
		}
	case 400:
		if e.desc == "" {
			e.desc = "Bad Request: chat not found"
		}
	case 401:
		if e.desc == "" {
			e.desc = "Unauthorized"
		}
	case 409:
		if e.desc == "" {
			e.desc = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
		}
	default:
		if e.desc == "" {
			e.desc = http.StatusText(f.Code)
		}
	}
	return e
}

// limiter enforces flood limits with exact sliding windows: a message is
// allowed if fewer than the limit were accepted in the preceding window.
type limiter struct {
	lim    Limits
	global []time.Time
	chats  map[int64][]time.Time
}

func newLimiter(l Limits) *limiter {
	return &limiter{lim: l, chats: map[int64][]time.Time{}}
}

func (l *limiter) chatLimit(ch *chatState) (int, time.Duration) {
	if ch.typ == "private" {
		return l.lim.PerChat, time.Second
	}
	return l.lim.PerGroupPerMinute, time.Minute
}

func prune(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-window)) {
		i++
	}
	return ts[i:]
}

// wait is how long until one more event fits, 0 if it fits now.
func wait(ts []time.Time, limit int, window time.Duration, now time.Time) time.Duration {
	if limit <= 0 || len(ts) < limit {
		return 0
	}
	return ts[len(ts)-limit].Add(window).Sub(now)
}

// allow answers 429 with retry_after (whole seconds, at least 1) when a new
// message would break a limit. global is false for edits, which count
// against the chat only. A nil limiter allows everything.
func (l *limiter) allow(ch *chatState, global bool, now time.Time) *apiError {
	if l == nil {
		return nil
	}
	limit, window := l.chatLimit(ch)
	l.chats[ch.id] = prune(l.chats[ch.id], now, window)
	d := wait(l.chats[ch.id], limit, window, now)
	if global {
		l.global = prune(l.global, now, time.Second)
		d = max(d, wait(l.global, l.lim.Global, time.Second, now))
	}
	if d <= 0 {
		return nil
	}
	secs := max(1, int(math.Ceil(d.Seconds())))
	return faultError(&Fault{Code: 429, RetryAfter: secs})
}

func (l *limiter) record(ch *chatState, global bool, now time.Time) {
	if l == nil {
		return
	}
	l.chats[ch.id] = append(l.chats[ch.id], now)
	if global {
		l.global = append(l.global, now)
	}
}
