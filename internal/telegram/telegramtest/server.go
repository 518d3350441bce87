package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Server. The zero value is a lenient fake suitable for
// the demo; tests usually set RequireSpec and OnViolation (see Start).
type Options struct {
	// Addr is the listen address; "127.0.0.1:0" (a free port) if empty.
	Addr string
	// Token, when set, is the only bot token accepted; others get 401 like
	// Telegram answers a revoked token.
	Token string
	// BotUsername is what getMe reports; "netzbot_test_bot" if empty.
	BotUsername string
	// BotName is the bot's first_name; "Netzbot Test" if empty.
	BotName string
	// SpecPath overrides where the trimmed Bot API reference is read from.
	SpecPath string
	// RequireSpec makes New fail when the reference cannot be found, so
	// tests never silently run without validation.
	RequireSpec bool
	// OnViolation is told about every request real Telegram would refuse as
	// malformed (tests pass t.Errorf-like functions). It runs on the
	// server's goroutine after the answer was decided.
	OnViolation func(error)
	// OnCall observes every recorded call as it completes, e.g. for the
	// demo's terminal rendering. Calls arrive from several goroutines.
	OnCall func(Call)
	// Limits turns on Telegram's flood limits; nil means unlimited.
	Limits *Limits
	// AllowUnknownChats lets the bot write to private chats nobody opened
	// yet; by default that is 400 "chat not found" as on Telegram, and
	// tests register such users with AddUser.
	AllowUnknownChats bool
	// WebhookRetries is how often a failed webhook delivery is retried
	// before the update is given up; 5 if zero, none if negative.
	WebhookRetries int
	// WebhookBackoff is the first retry delay, doubled per attempt; 20ms if zero.
	WebhookBackoff time.Duration
	// Logger receives debug and warning logs; discarded if nil.
	Logger *slog.Logger
}

// Limits are flood limits in messages. Zero fields are unlimited.
type Limits struct {
	Global            int // per second over all chats (Telegram: 30)
	PerChat           int // per second per private chat (Telegram: 1)
	PerGroupPerMinute int // per minute per group chat (Telegram: 20)
}

// TelegramLimits are the limits the Bot API documentation states.
func TelegramLimits() *Limits {
	return &Limits{Global: 30, PerChat: 1, PerGroupPerMinute: 20}
}

// TB is the part of testing.TB that Start needs; declared here because the
// package must not import testing (the demo binary links it).
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// ErrClosed is returned by waits that were cut short by Close.
var ErrClosed = errors.New("telegramtest: server closed")

// Server is a fake Telegram Bot API server. All methods are safe for
// concurrent use.
type Server struct {
	// URL is the base URL to give the client (bot.WithServerURL).
	URL string

	opts   Options
	spec   *apiSpec
	log    *slog.Logger
	ln     net.Listener
	hs     *http.Server
	closed chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
	hc     *http.Client

	mu            sync.Mutex
	users         map[int64]User
	chats         map[int64]*chatState
	updates       []*pendingUpdate
	allowed       []string // allowed_updates; empty: Telegram's default
	nextUpdateID  int64
	confirmed     int64
	lost          map[int64]error
	updateSignal  chan struct{}
	confirmSignal chan struct{}
	callSignal    chan struct{}
	pollCancel    chan struct{}
	webhook       webhookState
	callbacks     map[string]*callbackState
	callbackSeq   int64
	commands      map[string][]Command
	menuButtons   map[int64]json.RawMessage
	calls         []Call
	faults        []*activeFault
	limiter       *limiter
	stats         Stats
	violations    []error
}

// New starts a fake Bot API server listening on Options.Addr.
func New(opts Options) (*Server, error) {
	if opts.BotUsername == "" {
		opts.BotUsername = "netzbot_test_bot"
	}
	if opts.BotName == "" {
		opts.BotName = "Netzbot Test"
	}
	if opts.WebhookRetries == 0 {
		opts.WebhookRetries = 5
	}
	if opts.WebhookBackoff <= 0 {
		opts.WebhookBackoff = 20 * time.Millisecond
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		opts:          opts,
		log:           log,
		closed:        make(chan struct{}),
		hc:            &http.Client{Timeout: 10 * time.Second},
		users:         map[int64]User{},
		chats:         map[int64]*chatState{},
		nextUpdateID:  1,
		lost:          map[int64]error{},
		updateSignal:  make(chan struct{}),
		confirmSignal: make(chan struct{}),
		callSignal:    make(chan struct{}),
		callbacks:     map[string]*callbackState{},
		callbackSeq:   4382001000000000000,
		commands:      map[string][]Command{},
		menuButtons:   map[int64]json.RawMessage{},
		stats:         Stats{Requests: map[string]int{}},
	}
	if opts.Limits != nil {
		s.limiter = newLimiter(*opts.Limits)
	}
	path := opts.SpecPath
	var err error
	if path == "" {
		path, err = findSpec()
	}
	if err == nil {
		s.spec, err = loadSpec(path)
	}
	if err != nil {
		if opts.RequireSpec {
			return nil, err
		}
		log.Warn("telegramtest: running without Bot API validation", "err", err)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s.ln, err = net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("telegramtest: listen: %w", err)
	}
	s.URL = "http://" + s.ln.Addr().String()
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		if err := s.hs.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("telegramtest: serve", "err", err)
		}
	}()
	go func() {
		defer s.wg.Done()
		s.deliverLoop()
	}()
	return s, nil
}

// Start is New for tests: the reference is required, violations fail the
// test through t.Errorf, and the server is closed in t.Cleanup.
func Start(t TB, opts Options) *Server {
	t.Helper()
	opts.RequireSpec = true
	if opts.OnViolation == nil {
		opts.OnViolation = func(err error) { t.Errorf("%v", err) }
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("telegramtest: %v", err)
		return nil
	}
	t.Cleanup(s.Close)
	return s
}

// SpecVersion tells which Bot API version requests are validated against;
// empty when the server runs without the reference.
func (s *Server) SpecVersion() string {
	if s.spec == nil {
		return ""
	}
	return s.spec.Version
}

// Close stops the server, unblocks long polls and waiters, and stops
// webhook delivery. It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closed)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := s.hs.Shutdown(ctx); err != nil {
			_ = s.hs.Close()
		}
		s.wg.Wait()
	})
}

// apiError is a Telegram error answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
	violation  bool // the request was malformed, not merely refused
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: 400, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func malformed(desc string) *apiError {
	return &apiError{code: 400, desc: desc, violation: true}
}

type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *respParameters `json:"parameters,omitempty"`
}

type respParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

func (e *apiError) body() []byte {
	env := envelope{OK: false, ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		env.Parameters = &respParameters{RetryAfter: e.retryAfter}
	}
	b, _ := json.Marshal(env)
	return b
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	// Keys in canonical form, as Set would make them, without its work.
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// splitPath parses /bot<token>/<method>.
func splitPath(p string) (token, method string, ok bool) {
	rest, ok := strings.CutPrefix(p, "/bot")
	if !ok {
		return "", "", false
	}
	token, method, ok = strings.Cut(rest, "/")
	if !ok || token == "" || method == "" || strings.Contains(method, "/") {
		return "", "", false
	}
	return token, method, true
}

const maxBody = 50 << 20 // Telegram's upload limit for bots

// bodyBuffers recycles request body buffers. Nothing keeps a body once it
// is decoded (parameters and files are copies), and reading each into a
// fresh, repeatedly grown slice was a visible cost of small requests.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody keeps upload-sized buffers out of the pool.
const maxPooledBody = 1 << 20

// parseHTTPRequest decodes query string and body (multipart, urlencoded or
// JSON) into string parameters and uploaded files.
func parseHTTPRequest(r *http.Request) (*request, *apiError) {
	req := &request{params: map[string]string{}, files: map[string]*File{}}
	set := func(k, v string) {
		if _, dup := req.params[k]; !dup {
			req.params[k] = v
		}
	}
	if r.URL.RawQuery != "" {
		for k, vs := range r.URL.Query() {
			if len(vs) > 0 {
				set(k, vs[0])
			}
		}
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBody {
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, maxBody+1)); err != nil {
		return nil, &apiError{code: 400, desc: "Bad Request: can't read request body"}
	}
	body := buf.Bytes()
	if len(body) > maxBody {
		return nil, &apiError{code: 413, desc: "Request Entity Too Large"}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return req, nil
	}
	ct, boundary, err := mediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, malformed("Bad Request: unsupported Content-Type of the request body")
	}
	switch ct {
	case "multipart/form-data":
		if parseSimpleForm(body, boundary, set) {
			break
		}
		mr := multipart.NewReader(bytes.NewReader(body), boundary)
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, malformed("Bad Request: can't parse multipart/form-data request body")
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return nil, malformed("Bad Request: can't parse multipart/form-data request body")
			}
			name := part.FormName()
			if part.FileName() != "" {
				req.files[name] = &File{Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data}
				continue
			}
			set(name, string(data))
		}
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, malformed("Bad Request: can't parse application/x-www-form-urlencoded request body")
		}
		for k, vs := range vals {
			if len(vs) > 0 {
				set(k, vs[0])
			}
		}
	case "application/json":
		if err := req.readJSONBody(body, set); err != nil {
			return nil, malformed("Bad Request: can't parse JSON encoded request")
		}
	default:
		return nil, malformed("Bad Request: unsupported Content-Type " + ct)
	}
	return req, nil
}

// mediaType is mime.ParseMediaType of a Content-Type header, reduced to the
// media type and the boundary parameter. The two headers clients send are
// recognised without it: its allocations were a visible cost of small
// requests.
func mediaType(header string) (typ, boundary string, err error) {
	if header == "application/json" {
		return header, "", nil
	}
	if b, ok := strings.CutPrefix(header, "multipart/form-data; boundary="); ok && b != "" && isSimpleFieldName([]byte(b)) {
		return "multipart/form-data", b, nil
	}
	typ, params, err := mime.ParseMediaType(header)
	return typ, params["boundary"], err
}

// parseSimpleForm reads a multipart/form-data body of plain fields in the
// exact shape Go's multipart.Writer (and so go-telegram/bot) writes them:
//
//	--B\r\nContent-Disposition: form-data; name="N"\r\n\r\nVALUE\r\n ... --B--\r\n
//
// with simple names and boundary, and no value containing the boundary.
// For such bodies it gives the fields multipart.Reader gives, at a fraction
// of the cost (the Reader's buffers and per-part MIME headers were the
// biggest cost of small requests). It returns false, having called set for
// nothing, for any other body, file uploads included; the caller then uses
// multipart.Reader, so unusual bodies are read, or refused, exactly as
// before.
func parseSimpleForm(body []byte, boundary string, set func(k, v string)) bool {
	if boundary == "" || !isSimpleFieldName([]byte(boundary)) {
		return false
	}
	type field struct{ name, value []byte }
	var buf [16]field
	fields := buf[:0]
	var (
		delim  = []byte("\r\n--" + boundary) // ends a value
		dashB  = delim[2:]                   // starts a delimiter line
		bound  = delim[4:]
		header = []byte("Content-Disposition: form-data; name=\"")
		crlf   = []byte("\r\n")
	)
	rest, ok := bytes.CutPrefix(body, dashB)
	if !ok {
		return false
	}
	if rest, ok = bytes.CutPrefix(rest, crlf); !ok {
		return false
	}
	for {
		if rest, ok = bytes.CutPrefix(rest, header); !ok {
			return false
		}
		end := bytes.IndexByte(rest, '"')
		if end <= 0 || !isSimpleFieldName(rest[:end]) {
			return false
		}
		name := rest[:end]
		if rest, ok = bytes.CutPrefix(rest[end+1:], []byte("\r\n\r\n")); !ok {
			return false
		}
		end = bytes.Index(rest, delim)
		// The Reader has special cases for a boundary inside a value
		// (at its very start, or not followed by CRLF or "--"); leave
		// those to it.
		if end < 0 || bytes.Contains(rest[:end], bound) {
			return false
		}
		fields = append(fields, field{name, rest[:end]})
		rest = rest[end+len(delim):]
		if rest, ok = bytes.CutPrefix(rest, crlf); ok {
			continue // the next part
		}
		if rest, ok = bytes.CutPrefix(rest, []byte("--")); !ok || len(rest) > 0 && !bytes.Equal(rest, crlf) {
			return false
		}
		for _, f := range fields {
			set(string(f.name), string(f.value))
		}
		return true
	}
}

// isSimpleFieldName is whether a form field name needs no quoting or
// escaping in a Content-Disposition header (Bot API parameter names do
// not), or a boundary none in a Content-Type header.
func isSimpleFieldName(name []byte) bool {
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// stdFlattenJSON turns a JSON object body into string parameters the way
// the Bot API server does: scalars become their text, objects and arrays
// their JSON as sent (compacted), null is dropped. Objects are not decoded
// here: the parameters that hold them are decoded once, when checked
// (request.json). It is the slow path of request.readJSONBody, for the
// bodies its fast path leaves alone.
func stdFlattenJSON(body []byte, set func(k, v string)) error {
	var obj map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&obj); err != nil {
		return err
	}
	if obj == nil {
		return errors.New("not an object")
	}
	var buf bytes.Buffer
	for k, raw := range obj {
		switch raw[0] {
		case 'n': // null
		case '"':
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			set(k, v)
		case '{', '[':
			buf.Reset()
			if err := json.Compact(&buf, raw); err != nil {
				return err
			}
			set(k, buf.String())
		default: // a number, true or false: its text
			set(k, string(raw))
		}
	}
	return nil
}

// ServeHTTP answers Bot API requests at /bot<token>/<method>. It is exported
// so a Server made by New can also be mounted in another mux (say, behind
// TLS); the zero Server is not usable.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, methodName, ok := splitPath(r.URL.Path)
	if !ok {
		s.reject(w, "", &apiError{code: 404, desc: "Not Found", violation: true}, nil, nil)
		return
	}
	if s.opts.Token != "" && token != s.opts.Token {
		s.reject(w, methodName, &apiError{code: 401, desc: "Unauthorized", violation: true}, nil, nil)
		return
	}
	h, canonical := s.lookup(methodName)
	if h == nil {
		s.reject(w, methodName, &apiError{code: 404, desc: "Not Found", violation: true}, nil, nil)
		return
	}
	req, aerr := parseHTTPRequest(r)
	if aerr != nil {
		s.reject(w, canonical, aerr, nil, nil)
		return
	}
	call := Call{Method: canonical}
	aerr = s.check(canonical, req)
	s.describe(&call, req)
	s.mu.Lock()
	s.describeCallback(&call, req)
	var f *Fault
	if aerr == nil {
		f = s.takeFault(canonical, call.ChatID)
	}
	s.mu.Unlock()
	if aerr != nil {
		s.reject(w, canonical, aerr, &call, req)
		return
	}
	if f != nil {
		s.log.Debug("telegramtest: injecting fault", "method", canonical, "chat", call.ChatID, "code", f.Code, "drop", f.Drop)
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-s.closed:
				t.Stop()
				return
			}
		}
		if f.Drop && !f.AfterProcessing {
			s.count(canonical, 0)
			hijackClose(w)
			return
		}
		if f.Code != 0 {
			s.reject(w, canonical, faultError(f), &call, req)
			return
		}
	}
	var (
		result any
		raw    json.RawMessage // result's JSON
		status = 200
	)
	if canonical == "getUpdates" {
		var updates []json.RawMessage
		updates, aerr = s.getUpdates(r.Context(), req)
		if aerr == nil {
			result, raw = updates, joinRaw(updates)
		}
	} else {
		result, raw, aerr = s.execute(h, token, req, &call)
	}
	var body []byte
	switch {
	case aerr != nil:
		status, body = aerr.code, aerr.body()
	case raw == nil:
		aerr = &apiError{code: 500, desc: "Internal Server Error"}
		body, status = aerr.body(), 500
	default:
		if d, ok := result.(describedTrue); ok {
			body, _ = json.Marshal(envelope{OK: true, Result: json.RawMessage("true"), Description: d.desc})
		} else {
			body = okBody(raw)
		}
	}
	if aerr != nil && aerr.violation {
		s.addViolation(canonical, aerr, req)
	}
	if f != nil && f.Drop {
		s.count(canonical, 0)
		hijackClose(w)
		return
	}
	s.count(canonical, status)
	writeJSON(w, status, body)
}

// describedTrue is a `true` result that carries a description, as
// setWebhook's "Webhook was set".
type describedTrue struct{ desc string }

func (describedTrue) MarshalJSON() ([]byte, error) { return []byte("true"), nil }

// okBody is json.Marshal(envelope{OK: true, Result: raw}) for a raw result
// that json.Marshal produced: that is compact already, so the envelope's
// encoder would only copy it after scanning it once more.
func okBody(raw json.RawMessage) []byte {
	const head, tail = `{"ok":true,"result":`, `}`
	b := make([]byte, 0, len(head)+len(raw)+len(tail))
	b = append(b, head...)
	b = append(b, raw...)
	return append(b, tail...)
}

// joinRaw is json.Marshal of a list of values json.Marshal produced,
// without scanning each of them again.
func joinRaw(list []json.RawMessage) json.RawMessage {
	n := 2
	for _, r := range list {
		n += len(r) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, r := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	return append(b, ']')
}

// execute runs a handler under the state lock and records the call. Next
// to the handler's answer it returns the result's JSON, encoded once for
// both the call record and the HTTP answer; on success raw is nil only if
// the result could not be encoded.
func (s *Server) execute(h handlerFunc, token string, req *request, call *Call) (result any, raw json.RawMessage, aerr *apiError) {
	s.mu.Lock()
	result, aerr = h(s, &callCtx{token: token, req: req, call: call, now: time.Now()})
	call.Status = 200
	if aerr != nil {
		call.Status, call.Description = aerr.code, aerr.desc
	} else if b, err := json.Marshal(result); err == nil {
		raw, call.Result = b, b
	}
	c := *call
	s.appendCall(c)
	s.mu.Unlock()
	if s.opts.OnCall != nil {
		s.opts.OnCall(c)
	}
	return result, raw, aerr
}

func (s *Server) appendCall(c Call) {
	s.calls = append(s.calls, c)
	close(s.callSignal)
	s.callSignal = make(chan struct{})
}

// check runs the reference validation and the limits stated in prose.
func (s *Server) check(method string, req *request) *apiError {
	if s.spec != nil {
		if m := s.spec.Methods[method]; m != nil {
			if desc := s.spec.validate(m, req); desc != "" {
				return malformed(desc)
			}
		}
	}
	return checkProse(method, req)
}

// reject answers an error before or instead of running the method.
func (s *Server) reject(w http.ResponseWriter, method string, aerr *apiError, call *Call, req *request) {
	s.count(method, aerr.code)
	if call != nil && method != "getUpdates" {
		call.Status, call.Description = aerr.code, aerr.desc
		s.mu.Lock()
		c := *call
		s.appendCall(c)
		s.mu.Unlock()
		if s.opts.OnCall != nil {
			s.opts.OnCall(c)
		}
	}
	if aerr.violation {
		s.addViolation(method, aerr, req)
	}
	writeJSON(w, aerr.code, aerr.body())
}

func (s *Server) addViolation(method string, aerr *apiError, req *request) {
	v := &Violation{Method: method, Code: aerr.code, Description: aerr.desc}
	if req != nil {
		v.Params = req.params
	}
	s.mu.Lock()
	s.violations = append(s.violations, v)
	s.stats.Violations++
	s.mu.Unlock()
	s.log.Warn("telegramtest: request refused", "method", method, "code", aerr.code, "description", aerr.desc)
	if s.opts.OnViolation != nil {
		s.opts.OnViolation(v)
	}
}

func (s *Server) count(method string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if method != "" {
		s.stats.Requests[method]++
	}
	switch {
	case status == 0:
		s.stats.Dropped++
	case status == 400:
		s.stats.BadRequests++
	case status == 403:
		s.stats.Forbidden++
	case status == 429:
		s.stats.TooManyRequests++
	case status >= 500:
		s.stats.ServerErrors++
	}
}

// hijackClose drops the connection without an answer, like a network failure.
func hijackClose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// Violation is a request real Telegram would have refused as malformed: an
// unknown method, a parameter the reference doesn't allow, a limit broken.
type Violation struct {
	Method      string
	Code        int
	Description string
	Params      map[string]string
}

// Error reads like a test failure: which method was refused and why.
func (v *Violation) Error() string {
	return fmt.Sprintf("telegramtest: %s refused with %d %q", v.Method, v.Code, v.Description)
}

// Violations lists every malformed request seen so far, in order.
func (s *Server) Violations() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.violations...)
}

// Stats counts what the server answered, for benchmarks and rate tests.
type Stats struct {
	Requests        map[string]int // per method, getUpdates included
	TooManyRequests int            // 429 answers
	Forbidden       int            // 403 answers
	ServerErrors    int            // 5xx answers
	BadRequests     int            // 400 answers, violations or not
	Dropped         int            // connections closed without answer
	Violations      int
	WebhookOK       int // webhook deliveries answered 2xx
	WebhookFailed   int // webhook deliveries that failed
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Requests = make(map[string]int, len(s.stats.Requests))
	for k, v := range s.stats.Requests {
		st.Requests[k] = v
	}
	return st
}
