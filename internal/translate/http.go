package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// DefaultTimeout bounds one request to a provider at import; a
// self-hosted LibreTranslate on a small CPU takes seconds for a long
// description. Search uses its own, much shorter timeout (QueryTranslator).
const DefaultTimeout = 30 * time.Second

// maxResponse bounds what is read of an answer: translations of a few
// texts, or a language list.
const maxResponse = 4 << 20

// api is the HTTP plumbing the clients share.
type api struct {
	name    string // "LibreTranslate"
	base    string // without trailing slash
	client  *http.Client
	timeout time.Duration
}

func newAPI(name, base string, client *http.Client, timeout time.Duration) api {
	if client == nil {
		client = http.DefaultClient
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return api{name: name, base: strings.TrimRight(base, "/"), client: client, timeout: timeout}
}

// classifier turns an HTTP error status and the provider's message into
// an *Error naming what to fix.
type classifier func(status int, msg string) *Error

// do sends a JSON request (body nil: none) and decodes a 2xx answer into
// out; anything else becomes an *Error from classify, a timeout or an
// unreachable server an ErrUnavailable.
func (a api) do(ctx context.Context, method, path string, header http.Header, body, out any, classify classifier) error {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s: encode request: %w", a.name, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return a.unavailable(0, "bad URL", fmt.Sprintf("TRANSLATE_URL %q is not usable for %s: expected a URL like http://127.0.0.1:5000", a.base, a.name), err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return a.networkError(ctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return a.networkError(ctx, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return classify(resp.StatusCode, errorMessage(resp.StatusCode, data))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return a.unavailable(resp.StatusCode, "unexpected answer",
			fmt.Sprintf("%s at %s gave an answer that is not its API's (%v): check TRANSLATE_URL and TRANSLATE_PROVIDER", a.name, a.base, err), err)
	}
	return nil
}

// networkError is a request that got no answer: the caller gave up, it
// took too long, or the server is not there.
func (a api) networkError(ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("%s: %w", a.name, context.Canceled)
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return a.unavailable(0, "timed out",
			fmt.Sprintf("%s at %s did not answer in time: it may be overloaded or still loading its models", a.name, a.base), context.DeadlineExceeded)
	}
	return a.unavailable(0, "unreachable",
		fmt.Sprintf("cannot reach %s at %s (%v): is it running? check TRANSLATE_URL", a.name, a.base, shortError(err)), err)
}

func (a api) unavailable(status int, cause, msg string, err error) *Error {
	return &Error{Kind: ErrUnavailable, Provider: a.name, Status: status, Cause: cause, Msg: msg, Err: err}
}

// fail builds the *Error of an HTTP error status: what happened (lead,
// e.g. "TRANSLATE_API_KEY was refused by DeepL at URL"), the status and
// the provider's message, and what to do (fix).
func (a api) fail(kind error, status int, msg, lead, fix string) *Error {
	m := fmt.Sprintf("%s (HTTP %d", lead, status)
	if msg != "" && msg != http.StatusText(status) {
		m += ": " + msg
	}
	m += ")"
	if fix != "" {
		m += ": " + fix
	}
	return &Error{Kind: kind, Provider: a.name, Status: status, Cause: fmt.Sprintf("HTTP %d", status), Msg: m}
}

// at is "LibreTranslate at http://…", the start of most messages.
func (a api) at() string { return a.name + " at " + a.base }

// errorMessage is the provider's explanation of an error: the "error"
// (LibreTranslate) or "message" (DeepL) of a JSON body, else the status
// text (a proxy's HTML page says nothing useful); one line, at most 200
// characters.
func errorMessage(status int, body []byte) string {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
		Detail  string `json:"detail"`
	}
	msg := ""
	if json.Unmarshal(body, &e) == nil {
		msg = strings.TrimSpace(e.Error + " " + e.Message + " " + e.Detail)
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	msg = strings.Join(strings.FieldsFunc(msg, unicode.IsSpace), " ")
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "…"
	}
	return msg
}

// shortError drops the URL Go's HTTP client repeats in its errors.
func shortError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
