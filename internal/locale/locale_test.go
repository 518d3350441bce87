package locale_test

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"text/template"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/locales"
)

// rawLocale is a locale file as written: id -> plural form -> text.
type rawLocale map[string]map[string]string

func readRaw(t *testing.T, lang string) rawLocale {
	t.Helper()
	files, err := fs.Glob(locales.FS, "*."+lang+".toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("locale %s: no files (%v)", lang, err)
	}
	m := map[string]any{}
	for _, f := range files {
		data, err := locales.FS.ReadFile(f)
		if err != nil {
			t.Fatalf("locale %s: %v", lang, err)
		}
		var part map[string]any
		if err := toml.Unmarshal(data, &part); err != nil {
			t.Fatalf("locale %s: %s: %v", lang, f, err)
		}
		for id, v := range part {
			if _, dup := m[id]; dup {
				t.Errorf("locale %s: message %q defined twice", lang, id)
			}
			m[id] = v
		}
	}
	out := rawLocale{}
	for id, v := range m {
		forms := map[string]string{}
		switch x := v.(type) {
		case string:
			forms["other"] = x
		case map[string]any:
			for k, s := range x {
				if k == "description" || k == "hash" {
					continue
				}
				forms[k] = fmt.Sprint(s)
			}
		}
		out[id] = forms
	}
	return out
}

func load(t *testing.T) *locale.Catalog {
	t.Helper()
	c, err := locale.Load(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEveryShippedLocaleHasAFile(t *testing.T) {
	c := load(t)
	have := map[string]bool{}
	for _, l := range c.Languages() {
		have[l] = true
	}
	for _, l := range locale.Supported {
		if !have[l] {
			t.Errorf("shipped locale %s has no locales/active.%s.toml", l, l)
		}
	}
	if len(locale.Supported) < 12 {
		t.Errorf("only %d locales shipped, want at least 12", len(locale.Supported))
	}
}

func TestLocalesHaveExactlyTheReferenceIDs(t *testing.T) {
	ref := readRaw(t, locale.Reference)
	for _, lang := range locale.Supported {
		raw := readRaw(t, lang)
		for id := range ref {
			if _, ok := raw[id]; !ok {
				t.Errorf("%s: missing message %q", lang, id)
			}
		}
		for id := range raw {
			if _, ok := ref[id]; !ok {
				t.Errorf("%s: message %q is not in the reference locale %s", lang, id, locale.Reference)
			}
		}
	}
}

var varRe = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func vars(s string) map[string]bool {
	out := map[string]bool{}
	for _, m := range varRe.FindAllStringSubmatch(s, -1) {
		out[m[1]] = true
	}
	return out
}

func TestTemplatesParseAndUseOnlyReferenceVariables(t *testing.T) {
	ref := readRaw(t, locale.Reference)
	for _, lang := range locale.Supported {
		raw := readRaw(t, lang)
		for id, forms := range raw {
			refVars := map[string]bool{"Count": true}
			for _, s := range ref[id] {
				for v := range vars(s) {
					refVars[v] = true
				}
			}
			for form, s := range forms {
				if _, err := template.New(id).Parse(s); err != nil {
					t.Errorf("%s %s[%s]: template does not parse: %v", lang, id, form, err)
				}
				for v := range vars(s) {
					if !refVars[v] {
						t.Errorf("%s %s[%s]: uses {{.%s}} which the reference does not pass", lang, id, form, v)
					}
				}
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s %s[%s]: empty text", lang, id, form)
				}
			}
		}
	}
}

var tagRe = regexp.MustCompile(`</?([a-z-]+)[^>]*>`)

func tags(s string) []string {
	var out []string
	for _, m := range tagRe.FindAllStringSubmatch(s, -1) {
		out = append(out, m[0][:2]+m[1])
	}
	sort.Strings(out)
	return out
}

// Telegram refuses a message whose HTML is broken, so every translation
// must keep the reference's tags.
func TestTranslationsKeepTheHTMLTags(t *testing.T) {
	ref := readRaw(t, locale.Reference)
	for _, lang := range locale.Supported {
		for id, forms := range readRaw(t, lang) {
			want := strings.Join(tags(ref[id]["other"]), " ")
			for form, s := range forms {
				if got := strings.Join(tags(s), " "); got != want {
					t.Errorf("%s %s[%s]: tags %q, reference has %q", lang, id, form, got, want)
				}
				if strings.Count(s, "<") != strings.Count(s, ">") {
					t.Errorf("%s %s[%s]: unbalanced < >: write &lt; &gt;", lang, id, form)
				}
			}
		}
	}
}

// pluralSamples are the counts whose CLDR forms cover every category of
// the shipped languages (e.g. Arabic's zero/two/few/many, Russian's few/many).
func pluralSamples() []int {
	var out []int
	for i := 0; i <= 200; i++ {
		out = append(out, i)
	}
	return append(out, 1000, 1001, 1002, 1011, 100000, 1000000)
}

func TestEveryLocaleHasThePluralFormsItsLanguageNeeds(t *testing.T) {
	c := load(t)
	ref := readRaw(t, locale.Reference)
	for _, lang := range locale.Supported {
		raw := readRaw(t, lang)
		tag := language.MustParse(lang)
		for id, refForms := range ref {
			if len(refForms) < 2 { // not a plural message
				continue
			}
			forms := raw[id]
			for _, n := range pluralSamples() {
				form := pluralName(plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0))
				if _, ok := forms[form]; !ok {
					t.Errorf("%s %s: lacks plural form %q (CLDR, needed for %d)", lang, id, form, n)
					break
				}
				// go-i18n has its own copy of the rules: it must find a form too.
				if s := c.LocalizerOnly(lang).N(id, n); s == id {
					t.Errorf("%s %s: go-i18n found no plural form for %d", lang, id, n)
					break
				}
			}
		}
	}
}

func pluralName(f plural.Form) string {
	switch f {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	default:
		return "other"
	}
}

// notTranslated are (lang, id) pairs whose text may equal the English one:
// brand names, or words a language borrowed as they are.
var notTranslated = map[string]bool{}

func TestNoLocaleIsEnglishCopiedOver(t *testing.T) {
	en := readRaw(t, "en")
	for _, lang := range locale.Supported {
		if lang == "en" {
			continue
		}
		for id, forms := range readRaw(t, lang) {
			if notTranslated[lang+"/"+id] {
				continue
			}
			if forms["other"] == en[id]["other"] {
				t.Errorf("%s %s: identical to the English text %q", lang, id, forms["other"])
			}
		}
	}
}

func TestEveryMessageRendersInEveryLocale(t *testing.T) {
	c := load(t)
	ref := readRaw(t, locale.Reference)
	for _, lang := range locale.Supported {
		l := c.LocalizerOnly(lang)
		for _, id := range c.MessageIDs(locale.Reference) {
			// Every variable the reference passes gets a sample value.
			kv := []any{"Name", "Ana", "Language", "Deutsch", "Command", "/x"}
			for _, s := range ref[id] {
				for v := range vars(s) {
					kv = append(kv, v, "x")
				}
			}
			if got := l.N(id, 3, kv...); got == id || strings.Contains(got, "<no value>") {
				t.Errorf("%s %s: renders as %q", lang, id, got)
			}
		}
	}
}

func TestValuesAreEscapedAndIsolatedInRTL(t *testing.T) {
	c := load(t)
	ar := c.Localizer("ar")
	got := ar.T("unknown_command", "Command", "/foo<b>")
	if !strings.Contains(got, locale.FSI+"/foo&lt;b&gt;"+locale.PDI) {
		t.Errorf("ar: value not escaped and isolated: %q", got)
	}
	de := c.Localizer("de")
	got = de.T("unknown_command", "Command", "/foo&")
	if strings.Contains(got, locale.FSI) || !strings.Contains(got, "/foo&amp;") {
		t.Errorf("de: want escaped, not isolated: %q", got)
	}
	if got := de.T("settings_text", "Language", locale.HTML("<b>x</b>")); !strings.Contains(got, "<b>x</b>") {
		t.Errorf("HTML value was escaped: %q", got)
	}
}

func TestFallbackToReferenceForUnknownLanguage(t *testing.T) {
	c := load(t)
	if got, want := c.Localizer("xx").T("menu_help"), c.Localizer("de").T("menu_help"); got != want {
		t.Errorf("unknown language: got %q, want the German %q", got, want)
	}
}

func TestMirrorReversesRowsOnlyInRTL(t *testing.T) {
	row := []string{"a", "b", "c"}
	if got := locale.Mirror("fa", row); strings.Join(got, "") != "cba" {
		t.Errorf("fa: %v", got)
	}
	if got := locale.Mirror("de", row); strings.Join(got, "") != "abc" {
		t.Errorf("de: %v", got)
	}
}

func TestMatchAndResolve(t *testing.T) {
	for code, want := range map[string]string{
		"uk-UA": "uk", "fa-AF": "fa", "prs": "fa", "de_AT": "de", "AR": "ar", "ps-AF": "ps",
		"kmr": "ku", "ku": "ku", "ti-ER": "ti", "ro-MD": "ro", "vi": "vi", "en-GB": "en", "": "", "zz": "",
	} {
		got, _ := locale.Match(code)
		if got != want {
			t.Errorf("Match(%q) = %q, want %q", code, got, want)
		}
	}
	if got := locale.Resolve("tr", "ar", "de"); got != "tr" {
		t.Errorf("stored choice must win, got %s", got)
	}
	if got := locale.Resolve("", "uk-UA", "de"); got != "uk" {
		t.Errorf("telegram code must be used, got %s", got)
	}
	if got := locale.Resolve("", "ja", "en"); got != "en" {
		t.Errorf("default must be used, got %s", got)
	}
}
