package translate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/translate"
	"github.com/netzbot/netzbot/internal/translate/translatetest"
)

func newQueryTranslator(t *testing.T, fake *translatetest.Server, provider string, clk *clock, timeout time.Duration) (*translate.QueryTranslator, *translate.Breaker) {
	t.Helper()
	p, err := translate.FromConfig(config.Translate{Provider: provider, URL: fake.URL, APIKey: testKey}, translate.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return translate.NewQueryTranslator(p, translate.QueryOptions{Now: clk.Now, Timeout: timeout}), p.(*translate.Breaker)
}

func TestToGermanTranslatesAndCaches(t *testing.T) {
	ctx := context.Background()
	fake := translatetest.NewDeepL(t, translatetest.Options{Key: testKey})
	q, _ := newQueryTranslator(t, fake, config.ProviderDeepL, newClock(), 0)
	cases := []struct{ text, lang, want string }{
		{"شقة", "ar", "Wohnung"},
		{"  Childcare ", "en", "Kinderbetreuung"},
		{"курс немецкого языка", "ru", "Deutschkurs"},
		{"مشوره", "ps", "Beratung"},
		{"Qursa almanî", "ku", "Deutschkurs"},
		{"Sprachcafé", "tr", "[de] Sprachcafé"},
	}
	for _, c := range cases {
		if got, ok := q.ToGerman(ctx, c.text, c.lang); !ok || got != c.want {
			t.Errorf("ToGerman(%q, %s) = %q, %v; want %q", c.text, c.lang, got, ok, c.want)
		}
	}
	asked := fake.Requests()
	// Cached, also with other spaces and case.
	for _, c := range []struct{ text, lang string }{{"شقة", "ar"}, {"childcare", "en"}, {"Курс  немецкого языка", "ru"}} {
		if _, ok := q.ToGerman(ctx, c.text, c.lang); !ok {
			t.Errorf("cached %q: not ok", c.text)
		}
	}
	if fake.Requests() != asked {
		t.Errorf("%d requests for cached queries", fake.Requests()-asked)
	}
	// German, empty, unknown languages and pasted letters: no request.
	if got, ok := q.ToGerman(ctx, " Wohnung  Erfurt ", "de"); !ok || got != "Wohnung Erfurt" {
		t.Errorf("German: %q %v", got, ok)
	}
	for _, c := range []struct{ text, lang string }{{"", "ar"}, {"   ", "ar"}, {"casa", "es"}, {strings.Repeat("نص ", 100), "ar"}} {
		if _, ok := q.ToGerman(ctx, c.text, c.lang); ok {
			t.Errorf("ToGerman(%q, %s) ok", c.text, c.lang)
		}
	}
	if fake.Requests() != asked {
		t.Errorf("%d requests for queries that need none", fake.Requests()-asked)
	}
	var off *translate.QueryTranslator
	if _, ok := off.ToGerman(ctx, "شقة", "ar"); ok || translate.NewQueryTranslator(nil, translate.QueryOptions{}) != nil {
		t.Errorf("a nil QueryTranslator translates")
	}
}

func TestToGermanGivesUpWithinItsTimeoutAndWhileTheProviderIsPaused(t *testing.T) {
	ctx := context.Background()
	fake := translatetest.NewLibreTranslate(t, translatetest.Options{Key: testKey})
	clk := newClock()
	q, b := newQueryTranslator(t, fake, config.ProviderLibreTranslate, clk, 30*time.Millisecond)
	// The fake would answer in an hour: ToGerman returns false at its
	// timeout (else this test would hang), and the breaker opens.
	fake.Fail(translatetest.Fault{Delay: time.Hour})
	if _, ok := q.ToGerman(ctx, "شقة", "ar"); ok {
		t.Fatal("slow provider: ok")
	}
	// While open: false at once, the provider is not asked. (ToGerman
	// returns at its timeout; the request ends a moment later.)
	for b.State() != translate.Open {
		time.Sleep(time.Millisecond)
	}
	fake.Clear()
	for range 5 {
		if _, ok := q.ToGerman(ctx, "استشارة", "ar"); ok {
			t.Error("paused provider: ok")
		}
	}
	clk.Add(59 * time.Second)
	if _, ok := q.ToGerman(ctx, "استشارة", "ar"); ok || fake.Requests() != 1 {
		t.Errorf("59 s later: ok=%v, %d requests", ok, fake.Requests())
	}
	// A minute later the next query probes and works.
	clk.Add(time.Second)
	if got, ok := q.ToGerman(ctx, "استشارة", "ar"); !ok || got != "Beratung" {
		t.Errorf("a minute later: %q %v", got, ok)
	}

	// Failures (5xx, wrong key) are false too, and not cached.
	fake.Fail(translatetest.Fault{Status: 503, Times: 1})
	if _, ok := q.ToGerman(ctx, "شقة", "ar"); ok {
		t.Error("503: ok")
	}
	clk.Add(time.Minute)
	if got, ok := q.ToGerman(ctx, "شقة", "ar"); !ok || got != "Wohnung" {
		t.Errorf("after the 503: %q %v", got, ok)
	}
}

func TestToGermanRemembersUnsupportedLanguagesForAnHour(t *testing.T) {
	ctx := context.Background()
	fake := translatetest.NewLibreTranslate(t, translatetest.Options{Key: testKey}) // no ps model
	clk := newClock()
	q, _ := newQueryTranslator(t, fake, config.ProviderLibreTranslate, clk, 0)
	if _, ok := q.ToGerman(ctx, "مشوره", "ps"); ok || fake.Requests() != 1 {
		t.Fatalf("ps: ok=%v, %d requests", ok, fake.Requests())
	}
	for _, text := range []string{"مشوره", "کور", "ښوونځی"} {
		q.ToGerman(ctx, text, "ps")
	}
	if fake.Requests() != 1 {
		t.Errorf("%d requests for an unsupported language", fake.Requests())
	}
	if got, ok := q.ToGerman(ctx, "شقة", "ar"); !ok || got != "Wohnung" {
		t.Errorf("ar still works: %q %v", got, ok) // an unsupported language does not pause the provider
	}
	clk.Add(time.Hour)
	q.ToGerman(ctx, "مشوره", "ps")
	if fake.Requests() != 3 {
		t.Errorf("an hour later ps is not asked again (%d requests)", fake.Requests())
	}
}
