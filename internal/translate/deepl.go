package translate

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// DeepL is a client of the DeepL API v2 (https://developers.deepl.com):
// POST /v2/translate, GET /v2/languages?type=target, the key in the
// Authorization header (DeepL refuses keys in the body since 2026).
type DeepL struct {
	api api
	key string
}

// NewDeepL returns a client of the DeepL API at baseURL
// (https://api-free.deepl.com for API Free keys, which end in ":fx";
// https://api.deepl.com for Pro).
func NewDeepL(baseURL, key string, o ClientOptions) *DeepL {
	return &DeepL{api: newAPI("DeepL", baseURL, o.HTTPClient, o.Timeout), key: key}
}

// Name implements Provider.
func (c *DeepL) Name() string { return c.api.name }

// DeepL's codes for ours, as source and as target: English as a target
// must name a variant (plain EN is deprecated), Kurmanji is KMR.
var (
	deeplSource = map[string]string{
		"de": "DE", "en": "EN", "ar": "AR", "fa": "FA", "ps": "PS", "uk": "UK",
		"ru": "RU", "tr": "TR", "ku": "KMR", "ti": "TI", "ro": "RO", "vi": "VI",
	}
	deeplTarget = map[string]string{
		"de": "DE", "en": "EN-GB", "ar": "AR", "fa": "FA", "ps": "PS", "uk": "UK",
		"ru": "RU", "tr": "TR", "ku": "KMR", "ti": "TI", "ro": "RO", "vi": "VI",
	}
)

// deeplBatch is the most texts DeepL takes in one request.
const deeplBatch = 50

func (c *DeepL) header() http.Header {
	return http.Header{"Authorization": {"DeepL-Auth-Key " + c.key}}
}

// Languages implements Provider: those of ours that DeepL lists as target
// languages (each of them is a source language too).
func (c *DeepL) Languages(ctx context.Context) ([]string, error) {
	var list []struct {
		Language string `json:"language"`
		Name     string `json:"name"`
	}
	if err := c.api.do(ctx, http.MethodGet, "/v2/languages?type=target", c.header(), nil, &list, c.classify); err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, l := range list {
		have[strings.ToUpper(l.Language)] = true
	}
	var out []string
	for _, l := range Languages {
		if have[deeplTarget[l]] {
			out = append(out, l)
		}
	}
	return out, nil
}

// Translate implements Provider, up to 50 texts a request.
func (c *DeepL) Translate(ctx context.Context, texts []string, source, target string) ([]string, error) {
	src, ok1 := deeplSource[source]
	dst, ok2 := deeplTarget[target]
	if !ok1 || !ok2 {
		return nil, &Error{Kind: ErrUnsupported, Provider: c.api.name,
			Msg: fmt.Sprintf("%s does not translate %s to %s", c.api.name, source, target)}
	}
	return translateNonEmpty(texts, source == target, func(q []string) ([]string, error) {
		var out []string
		for len(q) > 0 {
			n := min(len(q), deeplBatch)
			var resp struct {
				Translations []struct {
					DetectedSourceLanguage string `json:"detected_source_language"`
					Text                   string `json:"text"`
				} `json:"translations"`
			}
			body := map[string]any{"text": q[:n], "source_lang": src, "target_lang": dst}
			if err := c.api.do(ctx, http.MethodPost, "/v2/translate", c.header(), body, &resp, c.classify); err != nil {
				return nil, err
			}
			if len(resp.Translations) != n {
				return nil, c.api.unavailable(http.StatusOK, "unexpected answer",
					fmt.Sprintf("%s gave %d translations for %d texts: check TRANSLATE_URL", c.api.at(), len(resp.Translations), n), nil)
			}
			for _, t := range resp.Translations {
				out = append(out, t.Text)
			}
			q = q[n:]
		}
		return out, nil
	})
}

// classify maps DeepL's errors (its error body is {"message": "…"}).
func (c *DeepL) classify(status int, msg string) *Error {
	a := c.api
	low := strings.ToLower(msg)
	switch {
	case status == 403 && strings.Contains(low, "wrong endpoint"):
		fix := "an API Free key (ending in :fx) needs TRANSLATE_URL=https://api-free.deepl.com"
		if !strings.HasSuffix(c.key, ":fx") {
			fix = "a Pro key needs TRANSLATE_URL=https://api.deepl.com"
		}
		return a.fail(ErrUnauthorized, status, msg, "TRANSLATE_API_KEY does not belong to "+a.at(), fix)
	case status == 401 || status == 403:
		return a.fail(ErrUnauthorized, status, msg, "TRANSLATE_API_KEY was refused by "+a.at(),
			"check the key (DeepL account → API keys)")
	case status == 456:
		return a.fail(ErrQuota, status, msg, "the DeepL character quota is used up",
			"wait for the next period or raise the limit in the DeepL account (API Free: 500,000 characters a month; Pro: its cost control limit)")
	case status == 429 || status == 529:
		return a.fail(ErrRateLimited, status, msg, a.at()+" has too many requests", "wait and try again")
	case status == 400 && strings.Contains(low, "not supported"):
		return a.fail(ErrUnsupported, status, msg, a.at()+" cannot translate this language pair", "")
	case status == 400 || status == 413 || status == 414:
		return a.fail(ErrBadRequest, status, msg, a.at()+" refused the request", "")
	case status == 404 || status == 405:
		return a.fail(ErrUnavailable, status, msg, "no DeepL API at "+a.base,
			"check TRANSLATE_URL (https://api-free.deepl.com or https://api.deepl.com)")
	}
	return a.fail(ErrUnavailable, status, msg, a.at()+" is unavailable", "try again later")
}
