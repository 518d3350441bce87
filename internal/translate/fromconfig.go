package translate

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/netzbot/netzbot/internal/config"
)

// Options are what FromConfig needs besides the configuration.
type Options struct {
	HTTPClient *http.Client     // nil: http.DefaultClient
	Timeout    time.Duration    // per request; 0: DefaultTimeout
	Now        func() time.Time // the breaker's clock; nil: time.Now
	Logger     *slog.Logger     // the breaker's state changes; nil: none
}

// FromConfig is the configured provider behind its Breaker, or nil when
// machine translation is off (TRANSLATE_PROVIDER unset). The bot hands
// it to NewQueryTranslator, the import to a Filler.
func FromConfig(c config.Translate, o Options) (Provider, error) {
	co := ClientOptions{HTTPClient: o.HTTPClient, Timeout: o.Timeout}
	var p Provider
	switch c.Provider {
	case "":
		return nil, nil
	case config.ProviderLibreTranslate:
		p = NewLibreTranslate(c.URL, c.APIKey, co)
	case config.ProviderDeepL:
		p = NewDeepL(c.URL, c.APIKey, co)
	default:
		return nil, &config.Error{Var: "TRANSLATE_PROVIDER", Problem: fmt.Sprintf("unknown provider %q: expected libretranslate or deepl", c.Provider)}
	}
	return NewBreaker(p, BreakerOptions{Now: o.Now, Logger: o.Logger}), nil
}
