// Package locale turns message ids into text in the user's language.
//
// It wraps go-i18n with the rules netzbot needs everywhere: an explicit
// fallback chain (user language, de, en), HTML-escaping of every value put
// into a message, and Unicode isolation of those values in right-to-left
// languages so that a German street name or a phone number inside an Arabic
// sentence keeps its order.
package locale

import (
	"fmt"
	"html"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Reference is the locale every other locale is checked against and the
// first fallback when a message is missing.
const Reference = "de"

// Supported lists the shipped locales in the order the language picker shows them.
var Supported = []string{"de", "en", "ar", "fa", "ps", "uk", "ru", "tr", "ku", "ti", "ro", "vi"}

// nativeNames are the names a speaker of each language recognises at a
// glance; the picker shows them untranslated on purpose.
var nativeNames = map[string]string{
	"de": "Deutsch",
	"en": "English",
	"ar": "العربية",
	"fa": "فارسی",
	"ps": "پښتو",
	"uk": "Українська",
	"ru": "Русский",
	"tr": "Türkçe",
	"ku": "Kurdî (Kurmancî)",
	"ti": "ትግርኛ",
	"ro": "Română",
	"vi": "Tiếng Việt",
}

var rtl = map[string]bool{"ar": true, "fa": true, "ps": true}

// Isolation marks: FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE.
const (
	FSI = "\u2068"
	PDI = "\u2069"
)

// IsSupported reports whether lang is one of the shipped locales.
func IsSupported(lang string) bool {
	_, ok := nativeNames[lang]
	return ok
}

// IsRTL reports whether lang is written right to left.
func IsRTL(lang string) bool { return rtl[lang] }

// NativeName is the language's name in the language itself ("العربية").
func NativeName(lang string) string {
	if n, ok := nativeNames[lang]; ok {
		return n
	}
	return lang
}

// HTML marks a value as already-escaped Telegram HTML, so T does not escape
// it a second time (a link built by the bot, say).
type HTML string

// Catalog holds every shipped message; it is built once at start and shared.
type Catalog struct {
	bundle *i18n.Bundle
	langs  []string
	ids    map[string][]string // lang -> message ids, for completeness checks
	// locs are the localizers of the supported languages, made once:
	// every update needs one, and they remember their plain messages.
	locs map[string]*Localizer
}

// Load reads every active.<lang>.toml in fsys.
func Load(fsys fs.FS) (*Catalog, error) {
	bundle := i18n.NewBundle(language.German)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	// active.<lang>.toml holds the core messages; a feature may keep its
	// own <feature>.<lang>.toml beside it. All files of a language are one
	// catalog.
	files, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("list locales: %w", err)
	}
	c := &Catalog{bundle: bundle, ids: map[string][]string{}}
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		mf, err := bundle.ParseMessageFileBytes(data, path.Base(name))
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		parts := strings.Split(strings.TrimSuffix(path.Base(name), ".toml"), ".")
		lang := parts[len(parts)-1]
		if _, seen := c.ids[lang]; !seen {
			c.langs = append(c.langs, lang)
		}
		for _, m := range mf.Messages {
			c.ids[lang] = append(c.ids[lang], m.ID)
		}
	}
	for lang := range c.ids {
		sort.Strings(c.ids[lang])
	}
	if _, ok := c.ids[Reference]; !ok {
		return nil, fmt.Errorf("reference locale %s missing", Reference)
	}
	sort.Strings(c.langs)
	c.locs = map[string]*Localizer{}
	for _, lang := range Supported {
		c.locs[lang] = &Localizer{Lang: lang, l: i18n.NewLocalizer(c.bundle, lang, Reference, "en"), plain: &sync.Map{}}
	}
	return c, nil
}

// Languages lists the locales found when loading.
func (c *Catalog) Languages() []string { return append([]string(nil), c.langs...) }

// MessageIDs lists the message ids a locale file defines.
func (c *Catalog) MessageIDs(lang string) []string { return append([]string(nil), c.ids[lang]...) }

// Localizer returns a localizer for lang with the fallback chain lang, de, en.
// An unknown lang is served in the reference language.
func (c *Catalog) Localizer(lang string) *Localizer {
	if !IsSupported(lang) {
		lang = Reference
	}
	return c.locs[lang]
}

// LocalizerOnly returns a localizer without fallback, so a missing message
// or plural form shows up as the bare id: for the completeness tests.
func (c *Catalog) LocalizerOnly(lang string) *Localizer {
	return &Localizer{Lang: lang, l: i18n.NewLocalizer(c.bundle, lang)}
}

// Localizer renders messages in one language.
type Localizer struct {
	// Lang is the locale the messages are rendered in.
	Lang string
	l    *i18n.Localizer
	// plain remembers messages rendered without template data (labels,
	// fixed texts: most of them), id → text; nil: not remembered.
	plain *sync.Map
}

// T renders message id with optional template data given as key/value
// pairs: T("settings_text", "Language", "Deutsch"). Values are escaped for
// Telegram HTML (unless of type HTML) and isolated in right-to-left
// languages. A missing message renders as its id, which the locale tests
// make sure never ships.
func (l *Localizer) T(id string, kv ...any) string {
	if len(kv) > 0 || l.plain == nil {
		return l.render(id, nil, kv)
	}
	if s, ok := l.plain.Load(id); ok {
		return s.(string)
	}
	s := l.render(id, nil, nil)
	l.plain.Store(id, s)
	return s
}

// N renders a message with plural forms chosen by count, which is also
// available to the template as {{.Count}}.
func (l *Localizer) N(id string, count int, kv ...any) string {
	return l.render(id, count, append(kv, "Count", count))
}

func (l *Localizer) render(id string, count any, kv []any) string {
	data := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		key, _ := kv[i].(string)
		data[key] = l.value(kv[i+1])
	}
	// go-i18n returns the "other" text together with an error when a
	// message has no plural forms but a count was given: the text is right.
	// A missing message or plural form comes back empty.
	s, _ := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if s == "" {
		return id
	}
	return s
}

// value makes a template value safe for Telegram HTML and for bidi.
func (l *Localizer) value(v any) string {
	var s string
	switch x := v.(type) {
	case HTML:
		s = string(x)
	case string:
		s = html.EscapeString(x)
	default:
		s = html.EscapeString(fmt.Sprint(x))
	}
	return l.Isolate(s)
}

// Isolate wraps s in Unicode isolates when the localizer's language is
// right to left, so LTR fragments (addresses, phone numbers, URLs, dates)
// keep their order inside RTL text and don't reorder it either.
func (l *Localizer) Isolate(s string) string {
	if !IsRTL(l.Lang) || s == "" {
		return s
	}
	return FSI + s + PDI
}

// Mirror reverses a row of buttons in right-to-left languages, where the
// first choice belongs on the right.
func Mirror[T any](lang string, row []T) []T {
	if !IsRTL(lang) {
		return row
	}
	out := make([]T, len(row))
	for i, b := range row {
		out[len(row)-1-i] = b
	}
	return out
}

// aliases maps language codes Telegram may report that are not shipped
// under that name to the locale their speakers read.
var aliases = map[string]string{
	"prs": "fa", // Dari
	"pes": "fa",
	"pbt": "ps", "pbu": "ps", "pst": "ps",
	"kmr": "ku", // Kurmanji
	"tir": "ti",
	"mo":  "ro", // Moldovan
	"ukr": "uk", "rus": "ru", "tur": "tr", "ara": "ar", "fas": "fa", "per": "fa",
	"deu": "de", "ger": "de", "eng": "en", "ron": "ro", "rum": "ro", "vie": "vi", "pus": "ps", "kur": "ku",
}

// Match maps a language code as Telegram reports it ("uk-UA", "fa-AF",
// "prs", "de_AT") to a shipped locale.
func Match(code string) (string, bool) {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" {
		return "", false
	}
	base := code
	if i := strings.IndexAny(code, "-_"); i >= 0 {
		base = code[:i]
	}
	if IsSupported(base) {
		return base, true
	}
	if a, ok := aliases[base]; ok {
		return a, true
	}
	return "", false
}

// Resolve picks the language to talk in: the user's stored choice, else
// Telegram's language_code if we ship it, else the configured default.
func Resolve(stored, telegramCode, fallback string) string {
	if IsSupported(stored) {
		return stored
	}
	if l, ok := Match(telegramCode); ok {
		return l
	}
	if IsSupported(fallback) {
		return fallback
	}
	return Reference
}
