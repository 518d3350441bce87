package translate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ClientOptions are the HTTP settings of a provider client.
type ClientOptions struct {
	HTTPClient *http.Client  // nil: http.DefaultClient
	Timeout    time.Duration // per request; 0: DefaultTimeout
}

// LibreTranslate is a client of a LibreTranslate server
// (https://docs.libretranslate.com): POST /translate, GET /languages.
// Its language codes are ISO 639-1 like ours; which languages it has
// depends on the models it loaded, so Languages asks it.
type LibreTranslate struct {
	api api
	key string // sent as api_key when set
}

// NewLibreTranslate returns a client of the server at baseURL (like
// http://127.0.0.1:5000); key may be empty for a server without API keys.
func NewLibreTranslate(baseURL, key string, o ClientOptions) *LibreTranslate {
	return &LibreTranslate{api: newAPI("LibreTranslate", baseURL, o.HTTPClient, o.Timeout), key: key}
}

// Name implements Provider.
func (c *LibreTranslate) Name() string { return c.api.name }

// libreCodes maps our codes to LibreTranslate's; they are the same ISO
// codes, kept as a table so a model published under another code (say
// kmr for Kurmanji) is one line.
var libreCodes = map[string]string{
	"de": "de", "en": "en", "ar": "ar", "fa": "fa", "ps": "ps", "uk": "uk",
	"ru": "ru", "tr": "tr", "ku": "ku", "ti": "ti", "ro": "ro", "vi": "vi",
}

// Languages implements Provider: those of ours the server has a model for.
func (c *LibreTranslate) Languages(ctx context.Context) ([]string, error) {
	var list []struct {
		Code    string   `json:"code"`
		Name    string   `json:"name"`
		Targets []string `json:"targets"`
	}
	if err := c.api.do(ctx, http.MethodGet, "/languages", nil, nil, &list, c.classify); err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, l := range list {
		have[strings.ToLower(l.Code)] = true
	}
	var out []string
	for _, l := range Languages {
		if have[libreCodes[l]] {
			out = append(out, l)
		}
	}
	return out, nil
}

// Translate implements Provider with one request: q is a string for one
// text and an array (a batch) for more.
func (c *LibreTranslate) Translate(ctx context.Context, texts []string, source, target string) ([]string, error) {
	src, ok1 := libreCodes[source]
	dst, ok2 := libreCodes[target]
	if !ok1 || !ok2 {
		return nil, c.unsupported(source, target)
	}
	return translateNonEmpty(texts, source == target, func(q []string) ([]string, error) {
		body := map[string]any{"q": q, "source": src, "target": dst, "format": "text"}
		if len(q) == 1 {
			body["q"] = q[0]
		}
		if c.key != "" {
			body["api_key"] = c.key
		}
		var resp struct {
			TranslatedText json.RawMessage `json:"translatedText"`
		}
		if err := c.api.do(ctx, http.MethodPost, "/translate", nil, body, &resp, c.classify); err != nil {
			return nil, err
		}
		var out []string
		if len(q) == 1 {
			var s string
			if err := json.Unmarshal(resp.TranslatedText, &s); err == nil {
				out = []string{s}
			}
		} else {
			_ = json.Unmarshal(resp.TranslatedText, &out)
		}
		if len(out) != len(q) {
			return nil, c.api.unavailable(http.StatusOK, "unexpected answer",
				fmt.Sprintf("%s gave %d translations for %d texts: check TRANSLATE_URL", c.api.at(), len(out), len(q)), nil)
		}
		return out, nil
	})
}

func (c *LibreTranslate) unsupported(source, target string) *Error {
	return &Error{Kind: ErrUnsupported, Provider: c.api.name,
		Msg: fmt.Sprintf("%s does not translate %s to %s", c.api.name, source, target)}
}

// classify maps LibreTranslate's errors. It answers 400 for a missing key
// ("Visit … to get an API key") and 403 for a wrong one ("Invalid API
// key") or a banned address ("Too many request limits violations").
func (c *LibreTranslate) classify(status int, msg string) *Error {
	low := strings.ToLower(msg)
	a := c.api
	switch {
	case strings.Contains(low, "api key") && (status == 400 || status == 401 || status == 403):
		if c.key == "" {
			return a.fail(ErrUnauthorized, status, msg, a.at()+" needs an API key",
				"set TRANSLATE_API_KEY (or TRANSLATE_API_KEY_FILE) to a key from the server's operator")
		}
		return a.fail(ErrUnauthorized, status, msg, "TRANSLATE_API_KEY was refused by "+a.at(), "check the key")
	case status == 401:
		return a.fail(ErrUnauthorized, status, msg, a.at()+" refused the request", "check TRANSLATE_API_KEY")
	case status == 403:
		return a.fail(ErrRateLimited, status, msg, a.at()+" refuses this address",
			"it was banned after too many rate limit violations: ask the server's operator, or use an API key")
	case status == 429:
		return a.fail(ErrRateLimited, status, msg, a.at()+" is rate limiting",
			"wait, raise the server's --req-limit, or use an API key with a higher limit")
	case status == 400 && (strings.Contains(low, "not supported") || strings.Contains(low, "not available")):
		return a.fail(ErrUnsupported, status, msg, a.at()+" cannot translate this language pair",
			"load its model (libretranslate --load-only …) or leave the language to people")
	case status == 400 || status == 413:
		return a.fail(ErrBadRequest, status, msg, a.at()+" refused the request", "")
	case status == 404 || status == 405:
		return a.fail(ErrUnavailable, status, msg, "no LibreTranslate API at "+a.base,
			"check TRANSLATE_URL (the server's base URL, like http://127.0.0.1:5000)")
	}
	return a.fail(ErrUnavailable, status, msg, a.at()+" is unavailable", "try again later, or check the server's log")
}

// translateNonEmpty sends only the non-empty texts (none: no request) and
// puts the translations back in their places; same is a translation into
// the source language, which needs no provider.
func translateNonEmpty(texts []string, same bool, send func([]string) ([]string, error)) ([]string, error) {
	out := make([]string, len(texts))
	var q []string
	var at []int
	for i, t := range texts {
		if strings.TrimSpace(t) == "" || same {
			out[i] = t
			continue
		}
		q = append(q, t)
		at = append(at, i)
	}
	if len(q) == 0 {
		return out, nil
	}
	got, err := send(q)
	if err != nil {
		return nil, err
	}
	for j, i := range at {
		out[i] = got[j]
	}
	return out, nil
}
