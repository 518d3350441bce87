package translate_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/translate"
	"github.com/netzbot/netzbot/internal/translate/translatetest"
)

const testKey = "test-key-0123"

// backend is one provider under test: its fake and a client of it.
type backend struct {
	name  string
	fake  *translatetest.Server
	code  func(ours string) string // our code → the provider's (for the fake's markers)
	langs []string                 // what Languages must say
	// newClient makes a client of the fake with key and options.
	newClient func(url, key string, o translate.ClientOptions) translate.Provider
}

func backends(t *testing.T) []backend {
	libreCode := func(l string) string { return l }
	deeplCode := func(l string) string {
		if c, ok := map[string]string{"en": "EN-GB", "ku": "KMR"}[l]; ok {
			return c
		}
		return strings.ToUpper(l)
	}
	return []backend{
		{
			name: "LibreTranslate", fake: translatetest.NewLibreTranslate(t, translatetest.Options{Key: testKey}),
			code: libreCode, langs: []string{"de", "en", "ar", "fa", "uk", "ru", "tr", "ro"},
			newClient: func(url, key string, o translate.ClientOptions) translate.Provider {
				return translate.NewLibreTranslate(url, key, o)
			},
		},
		{
			name: "DeepL", fake: translatetest.NewDeepL(t, translatetest.Options{Key: testKey}),
			code: deeplCode, langs: []string{"de", "en", "ar", "fa", "ps", "uk", "ru", "tr", "ku", "ro", "vi"},
			newClient: func(url, key string, o translate.ClientOptions) translate.Provider {
				return translate.NewDeepL(url, key, o)
			},
		},
	}
}

func (b backend) client() translate.Provider {
	return b.newClient(b.fake.URL, testKey, translate.ClientOptions{})
}

func TestClientsListOurLanguagesTheProviderHas(t *testing.T) {
	for _, b := range backends(t) {
		got, err := b.client().Languages(context.Background())
		if err != nil || !slices.Equal(got, b.langs) {
			t.Errorf("%s: Languages = %v, %v; want %v", b.name, got, err, b.langs)
		}
	}
}

func TestClientsTranslateInOrderAndSkipEmptyTexts(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		c := b.client()
		for _, target := range b.langs {
			if target == "de" {
				continue
			}
			got, err := c.Translate(ctx, []string{"Deutschkurs", "", "Sprachcafé am Montag"}, "de", target)
			if err != nil {
				t.Fatalf("%s de→%s: %v", b.name, target, err)
			}
			want := []string{
				translatetest.Translate("Deutschkurs", "de", b.code(target)), "",
				"[" + strings.ToLower(b.code(target)) + "] Sprachcafé am Montag",
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s de→%s: got %q, want %q", b.name, target, got, want)
			}
			if strings.HasPrefix(got[0], "[") {
				t.Errorf("%s de→%s: the dictionary phrase was not translated: %q", b.name, target, got[0])
			}
		}
		// One text is sent alone (LibreTranslate: q as a string).
		if got, err := c.Translate(ctx, []string{"شقة"}, "ar", "de"); err != nil || len(got) != 1 || got[0] != "Wohnung" {
			t.Errorf("%s ar→de: %q %v", b.name, got, err)
		}
		// Nothing to translate: no request.
		before := b.fake.Requests()
		if got, err := c.Translate(ctx, []string{"", " "}, "de", "ar"); err != nil || !slices.Equal(got, []string{"", " "}) || b.fake.Requests() != before {
			t.Errorf("%s: empty texts: %q %v, %d requests", b.name, got, err, b.fake.Requests()-before)
		}
		if got, err := c.Translate(ctx, []string{"Wohnung"}, "de", "de"); err != nil || got[0] != "Wohnung" || b.fake.Requests() != before {
			t.Errorf("%s: de→de: %q %v", b.name, got, err)
		}
	}
}

func TestDeepLSendsItsCodesAndBatchesOf50(t *testing.T) {
	b := backends(t)[1]
	texts := make([]string, 120)
	for i := range texts {
		texts[i] = "Text " + strings.Repeat("x", i%7)
	}
	got, err := b.client().Translate(context.Background(), texts, "de", "ku")
	if err != nil || len(got) != 120 || got[119] != "[kmr] "+texts[119] {
		t.Fatalf("120 texts: %d translations, %v", len(got), err)
	}
	if b.fake.Requests() != 3 {
		t.Errorf("%d requests for 120 texts, want 3", b.fake.Requests())
	}
	if got, _ := b.client().Translate(context.Background(), []string{"Hallo"}, "de", "en"); got[0] != "[en-gb] Hallo" {
		t.Errorf("en is sent as %q, want EN-GB", got[0])
	}
}

func TestUnsupportedLanguages(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		for _, l := range []string{"ti", "xx"} {
			_, err := b.client().Translate(ctx, []string{"Wohnung"}, "de", l)
			if !errors.Is(err, translate.ErrUnsupported) {
				t.Errorf("%s de→%s: %v, want ErrUnsupported", b.name, l, err)
			}
		}
	}
	libre := backends(t)[0]
	if _, err := libre.client().Translate(ctx, []string{"Wohnung"}, "de", "ps"); !errors.Is(err, translate.ErrUnsupported) || libre.fake.Requests() != 1 {
		t.Errorf("LibreTranslate without a ps model: %v (%d requests)", err, libre.fake.Requests())
	}
}

// wantError checks the kind, the short cause and what the message says.
func wantError(t *testing.T, what string, err error, kind error, cause string, says ...string) {
	t.Helper()
	var e *translate.Error
	if !errors.As(err, &e) || !errors.Is(err, kind) || e.Cause != cause {
		t.Errorf("%s: got %#v (%v), want %v with cause %q", what, e, err, kind, cause)
		return
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%s: %q does not say %q", what, err, s)
		}
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), "\n") {
		t.Errorf("%s: error shows the key or has several lines: %q", what, err)
	}
}

func TestKeysAreChecked(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		c := b.newClient(b.fake.URL, "wrong-key", translate.ClientOptions{})
		_, err := c.Translate(ctx, []string{"Wohnung"}, "de", "ar")
		wantError(t, b.name+" wrong key", err, translate.ErrUnauthorized, "HTTP 403",
			"TRANSLATE_API_KEY was refused by "+b.name+" at "+b.fake.URL, "check the key")
	}
	libre := backends(t)[0]
	_, err := libre.newClient(libre.fake.URL, "", translate.ClientOptions{}).Translate(ctx, []string{"Wohnung"}, "de", "ar")
	wantError(t, "LibreTranslate without key", err, translate.ErrUnauthorized, "HTTP 400", "needs an API key", "set TRANSLATE_API_KEY")
	deepl := backends(t)[1]
	_, err = deepl.newClient(deepl.fake.URL, "", translate.ClientOptions{}).Languages(ctx)
	wantError(t, "DeepL without key", err, translate.ErrUnauthorized, "HTTP 403", "TRANSLATE_API_KEY")
}

func TestProviderFailures(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		status int
		kind   error
		says   string
	}{
		{429, translate.ErrRateLimited, "wait"},
		{500, translate.ErrUnavailable, "try again later"},
		{502, translate.ErrUnavailable, "unavailable"},
		{503, translate.ErrUnavailable, "unavailable"},
	}
	for _, b := range backends(t) {
		c := b.client()
		for _, tc := range cases {
			b.fake.Fail(translatetest.Fault{Status: tc.status, Times: 1})
			_, err := c.Translate(ctx, []string{"Wohnung"}, "de", "ar")
			wantError(t, b.name, err, tc.kind, "HTTP "+strconv.Itoa(tc.status), b.fake.URL, tc.says)
			if tc.status == 503 && strings.Contains(err.Error(), "<html") {
				t.Errorf("%s: a proxy's HTML page in the message: %q", b.name, err)
			}
		}
		if _, err := c.Translate(ctx, []string{"Wohnung"}, "de", "ar"); err != nil {
			t.Errorf("%s after the faults: %v", b.name, err)
		}
	}
	deepl := backends(t)[1]
	deepl.fake.Fail(translatetest.Fault{Status: 529, Times: 1})
	_, err := deepl.client().Translate(ctx, []string{"Wohnung"}, "de", "ar")
	wantError(t, "DeepL 529", err, translate.ErrRateLimited, "HTTP 529")
}

func TestDeepLQuota(t *testing.T) {
	fake := translatetest.NewDeepL(t, translatetest.Options{Key: testKey, Quota: 20})
	c := translate.NewDeepL(fake.URL, testKey, translate.ClientOptions{})
	ctx := context.Background()
	if _, err := c.Translate(ctx, []string{"Wohnung", "Beratung"}, "de", "ar"); err != nil {
		t.Fatal(err)
	}
	_, err := c.Translate(ctx, []string{"Kinderbetreuung"}, "de", "ar")
	wantError(t, "over quota", err, translate.ErrQuota, "HTTP 456", "quota", "500,000 characters")
	if fake.Characters() != 15 {
		t.Errorf("%d characters billed, want 15", fake.Characters())
	}
	fake.Fail(translatetest.Fault{Status: 456})
	_, err = c.Translate(ctx, []string{"x"}, "de", "ar")
	wantError(t, "injected 456", err, translate.ErrQuota, "HTTP 456")
}

func TestTimeoutsAndUnreachableServers(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		// The fake waits an hour; the client gives up after its timeout
		// (the test would hang otherwise).
		b.fake.Fail(translatetest.Fault{Delay: time.Hour})
		c := b.newClient(b.fake.URL, testKey, translate.ClientOptions{Timeout: 20 * time.Millisecond})
		_, err := c.Translate(ctx, []string{"Wohnung"}, "de", "ar")
		wantError(t, b.name+" slow", err, translate.ErrUnavailable, "timed out", "did not answer in time")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: timeout does not wrap DeadlineExceeded: %v", b.name, err)
		}
		b.fake.Clear()
	}
	dead := httptest.NewServer(nil)
	url := dead.URL
	dead.Close()
	for _, b := range backends(t) {
		_, err := b.newClient(url, testKey, translate.ClientOptions{}).Languages(ctx)
		wantError(t, b.name+" unreachable", err, translate.ErrUnavailable, "unreachable", "cannot reach "+b.name+" at "+url, "check TRANSLATE_URL")
	}
}

func TestCallerCancellationIsNotAProviderFailure(t *testing.T) {
	for _, b := range backends(t) {
		b.fake.Fail(translatetest.Fault{Delay: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for b.fake.Requests() == 0 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		_, err := b.client().Translate(ctx, []string{"Wohnung"}, "de", "ar")
		var e *translate.Error
		if !errors.Is(err, context.Canceled) || errors.As(err, &e) {
			t.Errorf("%s: cancelled: %v", b.name, err)
		}
		b.fake.Clear()
	}
}

func TestWrongURLsAndAnswers(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		_, err := b.newClient(b.fake.URL+"/nothing", testKey, translate.ClientOptions{}).Translate(ctx, []string{"Wohnung"}, "de", "ar")
		wantError(t, b.name+" 404", err, translate.ErrUnavailable, "HTTP 404", "check TRANSLATE_URL")
		b.fake.Fail(translatetest.Fault{Status: 200, Body: "<html>captive portal</html>", Times: 1})
		_, err = b.client().Translate(ctx, []string{"Wohnung"}, "de", "ar")
		wantError(t, b.name+" not JSON", err, translate.ErrUnavailable, "unexpected answer", "check TRANSLATE_URL")
	}
}
