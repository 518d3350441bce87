// Package translate is optional machine translation of offers, the way
// Integreat uses DeepL: at import, missing languages of an offer's title
// and description are filled from its source language and marked
// "machine" (Filler); at search time, a query typed in another language
// can be looked up in German too (QueryTranslator). Two providers speak
// their published HTTP APIs: a self-hosted LibreTranslate and DeepL. Every
// provider is used through a Breaker, so a provider that is down costs
// one failed request a minute, never a slow import or a slow search.
// translatetest holds fakes of both APIs for tests.
package translate

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// Provider translates plain texts between our language codes (Languages).
type Provider interface {
	// Name is the provider's name for messages, e.g. "DeepL".
	Name() string
	// Languages are our language codes the provider translates from and to.
	Languages(ctx context.Context) ([]string, error)
	// Translate returns one translation per text, in order; empty texts
	// stay empty and are not sent.
	Translate(ctx context.Context, texts []string, source, target string) ([]string, error)
}

// Languages are the languages netzbot speaks (locale.Supported), the ones a
// provider's codes are mapped from. ku is Kurmanji in Latin script.
var Languages = []string{"de", "en", "ar", "fa", "ps", "uk", "ru", "tr", "ku", "ti", "ro", "vi"}

// IsLanguage reports whether lang is one of Languages.
func IsLanguage(lang string) bool { return slices.Contains(Languages, lang) }

// Kinds of failure; an *Error wraps one of them, so errors.Is tells them
// apart whatever the provider.
var (
	// ErrUnauthorized: the API key is missing, wrong or lacks a permission.
	ErrUnauthorized = errors.New("API key refused")
	// ErrRateLimited: too many requests; asking again later works.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable: the provider is down, unreachable, too slow or
	// answered nonsense (5xx, network error, timeout).
	ErrUnavailable = errors.New("provider unavailable")
	// ErrUnsupported: the provider does not translate this language pair.
	ErrUnsupported = errors.New("not supported by the provider")
	// ErrQuota: the account's character quota is used up (DeepL 456).
	ErrQuota = errors.New("quota exceeded")
	// ErrBadRequest: the provider refused this request for another reason
	// (too large, malformed); other requests may work.
	ErrBadRequest = errors.New("request refused")
	// ErrOpen: the Breaker did not ask the provider because it failed
	// recently; the error also wraps the kind of that failure.
	ErrOpen = errors.New("provider paused after a failure")
)

// Error is a failed translation request. Its message names what to fix
// ("TRANSLATE_API_KEY was refused by LibreTranslate at URL: check the key").
type Error struct {
	Kind     error  // ErrUnauthorized, ErrRateLimited, ErrUnavailable, ErrUnsupported, ErrQuota or ErrBadRequest
	Provider string // "LibreTranslate", "DeepL"
	Status   int    // HTTP status; 0 for timeouts and network errors
	Cause    string // short: "HTTP 503", "timed out", "unreachable"
	Msg      string // the whole message
	Err      error  // the underlying error, if any (network, context)
	Paused   bool   // returned by the Breaker without asking the provider
}

func (e *Error) Error() string { return e.Msg }

// Unwrap gives the kind (and ErrOpen for a paused provider) and the
// underlying error to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	out := []error{e.Kind}
	if e.Paused {
		out = append(out, ErrOpen)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Reason is a short explanation of err for a report line, like
// "provider unavailable (HTTP 503)" or "not supported by the provider".
func Reason(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		if errors.Is(err, context.Canceled) {
			return "cancelled"
		}
		return err.Error()
	}
	s := e.Kind.Error()
	if e.Kind == ErrUnsupported {
		return s
	}
	var notes []string
	if e.Cause != "" {
		notes = append(notes, e.Cause)
	}
	if e.Paused {
		notes = append(notes, "not asked again for now")
	}
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, "; ") + ")"
	}
	return s
}

// trips reports whether err should pause the provider: it failed in a way
// that the next request would likely fail too (down, slow, rate limited,
// key refused, quota used up). An unsupported language, a refused single
// request or a caller who gave up are no reason to stop asking.
func trips(err error) bool {
	if err == nil || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrBadRequest) {
		return false
	}
	var e *Error
	if !errors.As(err, &e) {
		return !errors.Is(err, context.Canceled)
	}
	return !errors.Is(e.Err, context.Canceled)
}
