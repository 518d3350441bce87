package config

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// Machine translation providers (TRANSLATE_PROVIDER).
const (
	ProviderLibreTranslate = "libretranslate"
	ProviderDeepL          = "deepl"
)

// Default provider URLs: LibreTranslate's port beside the bot, DeepL's
// API Free endpoint (API Free keys end in ":fx"; a Pro key defaults to
// DeepLProURL).
const (
	DefaultLibreTranslateURL = "http://127.0.0.1:5000"
	DefaultDeepLURL          = "https://api-free.deepl.com"
	DeepLProURL              = "https://api.deepl.com"
)

// Translate is optional machine translation of offers (internal/translate).
type Translate struct {
	Provider string // TRANSLATE_PROVIDER: "" (off), ProviderLibreTranslate or ProviderDeepL
	URL      string // TRANSLATE_URL, without trailing slash
	APIKey   string // TRANSLATE_API_KEY (or _FILE); never logged
}

// Enabled reports whether a provider is configured.
func (t Translate) Enabled() bool { return t.Provider != "" }

// loadTranslate reads the TRANSLATE_* variables.
func loadTranslate(getenv Getenv) (Translate, error) {
	var t Translate
	var err error
	t.Provider = strings.ToLower(strings.TrimSpace(getenv("TRANSLATE_PROVIDER")))
	t.URL = strings.TrimRight(strings.TrimSpace(getenv("TRANSLATE_URL")), "/")
	if t.APIKey, err = secret(getenv, "TRANSLATE_API_KEY"); err != nil {
		return t, err
	}
	switch t.Provider {
	case "":
		if t.URL != "" || t.APIKey != "" {
			return t, &Error{"TRANSLATE_PROVIDER", "not set, but TRANSLATE_URL or TRANSLATE_API_KEY is: set it to libretranslate or deepl, or unset the others to turn machine translation off"}
		}
		return t, nil
	case ProviderLibreTranslate, ProviderDeepL:
	default:
		return t, &Error{"TRANSLATE_PROVIDER", fmt.Sprintf("unknown provider %q: expected libretranslate or deepl, or unset it to turn machine translation off", t.Provider)}
	}
	if strings.ContainsFunc(t.APIKey, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return t, &Error{"TRANSLATE_API_KEY", "contains spaces or control characters: expected the key alone"}
	}
	if t.Provider == ProviderDeepL && t.APIKey == "" {
		return t, &Error{"TRANSLATE_API_KEY", "required with TRANSLATE_PROVIDER=deepl: expected the authentication key of the DeepL account (Account → API keys)"}
	}
	if t.URL == "" {
		switch {
		case t.Provider == ProviderLibreTranslate:
			t.URL = DefaultLibreTranslateURL
		case strings.HasSuffix(t.APIKey, ":fx"):
			t.URL = DefaultDeepLURL
		default:
			t.URL = DeepLProURL
		}
	}
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		example := DefaultLibreTranslateURL
		if t.Provider == ProviderDeepL {
			example = DefaultDeepLURL
		}
		return t, &Error{"TRANSLATE_URL", "expected the http(s) base URL of the provider's API, like " + example}
	}
	if t.Provider == ProviderDeepL {
		free := strings.HasSuffix(t.APIKey, ":fx")
		switch {
		case free && u.Host == "api.deepl.com":
			return t, &Error{"TRANSLATE_URL", "the key is an API Free key (it ends in :fx): expected " + DefaultDeepLURL}
		case !free && u.Host == "api-free.deepl.com":
			return t, &Error{"TRANSLATE_URL", "the key is an API Pro key (API Free keys end in :fx): expected " + DeepLProURL}
		}
	}
	return t, nil
}
