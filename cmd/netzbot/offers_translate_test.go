package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/translate/translatetest"
)

const translateTestKey = "lt-key-42"

// offersFile is a small import file: two offers with German sources, one
// with a reviewed English title, one with a reviewed Persian one.
func offersFile(housingDescription string) string {
	return `organisations:
  - id: wohnhilfe
    name: Wohnhilfe Erfurt e.V.
offers:
  - id: wh-wohnung
    organisation: wohnhilfe
    category: housing
    venue: {kind: phone}
    title: {de: "Wohnung", en: "Finding a flat"}
    description: {de: "` + housingDescription + `", en: "Help with the search."}
  - id: wh-kurs
    organisation: wohnhilfe
    category: language
    venue: {kind: online}
    title: {de: "Deutschkurs", fa: "کلاس آلمانی"}
    translation: {fa: reviewed}
`
}

func writeOffers(t *testing.T, dir, content string) string {
	t.Helper()
	p := filepath.Join(dir, "offers.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func importWith(t *testing.T, args ...string) (string, string) {
	t.Helper()
	code, out, errOut := runCmd(t, context.Background(), "", append([]string{"import", "offers"}, args...)...)
	if code != 0 {
		t.Fatalf("import %v: exit %d\n%s%s", args, code, out, errOut)
	}
	return out, errOut
}

func wantLines(t *testing.T, what, out string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(out, l) {
			t.Errorf("%s: output lacks %q:\n%s", what, l, out)
		}
	}
}

func TestImportFillsMachineTranslations(t *testing.T) {
	clearEnv(t)
	db := pgtest.New(t)
	fake := translatetest.NewLibreTranslate(t, translatetest.Options{Key: translateTestKey})
	t.Setenv("DATABASE_URL", db.DSN)
	t.Setenv("TRANSLATE_PROVIDER", "libretranslate")
	t.Setenv("TRANSLATE_URL", fake.URL)
	t.Setenv("TRANSLATE_API_KEY", translateTestKey)
	dir := t.TempDir()
	file := writeOffers(t, dir, offersFile("Hilfe bei der Suche."))
	store := &postgres.OfferStore{Pool: db.Pool}
	stored := func() map[string]*offer.Offer {
		m, err := store.ByExternalIDs(context.Background(), []string{"wh-wohnung", "wh-kurs"})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	// A dry run lists what would be translated and translates nothing.
	out, _ := importWith(t, "--dry-run", file)
	wantLines(t, "dry run", out, "offer wh-wohnung: ar, fa, uk, ru, tr, ro would be machine-translated; ps, ku, ti, vi not supported by the provider")
	if len(fake.Texts()) != 0 {
		t.Errorf("dry run translated %q", fake.Texts())
	}

	out, _ = importWith(t, file)
	wantLines(t, "first import", out,
		"offer wh-wohnung: ar, fa, uk, ru, tr, ro machine-translated; ps, ku, ti, vi not supported by the provider",
		"offer wh-kurs: en, ar, uk, ru, tr, ro machine-translated; ps, ku, ti, vi not supported by the provider",
		"machine translation (LibreTranslate): 12 translated, 0 reused; LibreTranslate cannot translate ps, ku, ti, vi",
		"offers 2 created")
	got := stored()
	if ar := got["wh-wohnung"].Texts["ar"]; ar != (offer.Text{Title: "شقة", Description: "[ar] Hilfe bei der Suche.", Status: offer.StatusMachine}) {
		t.Errorf("ar: %+v", ar)
	}
	if en := got["wh-wohnung"].Texts["en"]; en.Title != "Finding a flat" || en.Status != offer.StatusReviewed {
		t.Errorf("the reviewed English text changed: %+v", en)
	}
	if fa := got["wh-kurs"].Texts["fa"]; fa.Title != "کلاس آلمانی" || fa.Status != offer.StatusReviewed {
		t.Errorf("the reviewed Persian text changed: %+v", fa)
	}
	if en := got["wh-kurs"].Texts["en"]; en.Title != "German course" || en.Status != offer.StatusMachine {
		t.Errorf("en: %+v", en)
	}

	// The same file again: every translation reused, nothing asked, unchanged.
	asked := fake.Requests()
	out, _ = importWith(t, file)
	wantLines(t, "second import", out, "machine translation (LibreTranslate): 0 translated, 12 reused", "2 unchanged")
	if strings.Contains(out, "offer wh-") || fake.Requests() != asked+1 { // +1: the language list
		t.Errorf("second import asked the provider %d times:\n%s", fake.Requests()-asked, out)
	}

	// Export (with the machine texts) and import again: nothing changes.
	exported := filepath.Join(dir, "export.yaml")
	if code, o, e := runCmd(t, context.Background(), "", "export", "offers", "-o", exported); code != 0 {
		t.Fatalf("export: %d %s%s", code, o, e)
	}
	out, _ = importWith(t, exported)
	wantLines(t, "export round trip", out, "0 translated", "2 unchanged")

	// The German description changed: it alone is translated again.
	before := len(fake.Texts())
	file = writeOffers(t, dir, offersFile("Hilfe bei der Suche und beim Umzug."))
	out, _ = importWith(t, file)
	wantLines(t, "changed source", out, "offer wh-wohnung: ar, fa, uk, ru, tr, ro machine-translated", "6 translated, 6 reused", "1 updated, 1 unchanged")
	for _, s := range fake.Texts()[before:] {
		if s != "Hilfe bei der Suche und beim Umzug." {
			t.Errorf("sent %q again", s)
		}
	}
	if ar := stored()["wh-wohnung"].Texts["ar"]; ar.Title != "شقة" || ar.Description != "[ar] Hilfe bei der Suche und beim Umzug." {
		t.Errorf("ar after the change: %+v", ar)
	}
}

func TestImportSucceedsWhenTheProviderFails(t *testing.T) {
	clearEnv(t)
	db := pgtest.New(t)
	fake := translatetest.NewLibreTranslate(t, translatetest.Options{Key: translateTestKey})
	t.Setenv("DATABASE_URL", db.DSN)
	t.Setenv("TRANSLATE_PROVIDER", "libretranslate")
	t.Setenv("TRANSLATE_URL", fake.URL)
	t.Setenv("TRANSLATE_API_KEY", translateTestKey)
	dir := t.TempDir()

	// Down: the first offer's request gets the 503, the next offer does
	// not wait for it.
	fake.Fail(translatetest.Fault{Status: 503})
	out, _ := importWith(t, writeOffers(t, dir, offersFile("Hilfe bei der Suche.")))
	wantLines(t, "provider down", out,
		"offer wh-wohnung: ar, fa, ps, uk, ru, tr, ku, ti, ro, vi failed: provider unavailable (HTTP 503)\n",
		"offer wh-kurs: en, ar, ps, uk, ru, tr, ku, ti, ro, vi failed: provider unavailable (HTTP 503; not asked again for now)",
		"20 failed (the import goes on without them; importing again later fills them in)",
		"offers 2 created")
	if fake.Requests() != 1 {
		t.Errorf("a dead provider was asked %d times", fake.Requests())
	}
	m, err := (&postgres.OfferStore{Pool: db.Pool}).ByExternalIDs(context.Background(), []string{"wh-wohnung"})
	if err != nil || len(m["wh-wohnung"].Texts) != 2 {
		t.Errorf("stored %+v (%v), want de and en", m["wh-wohnung"], err)
	}
	fake.Clear()

	// A wrong key: named, and the import still succeeds.
	t.Setenv("TRANSLATE_API_KEY", "wrong-key")
	code, out, errOut := runCmd(t, context.Background(), "", "import", "offers", writeOffers(t, dir, offersFile("Neu.")))
	if code != 0 || strings.Contains(out+errOut, "wrong-key") {
		t.Fatalf("wrong key: exit %d\n%s%s", code, out, errOut)
	}
	wantLines(t, "wrong key", out, "failed: API key refused (HTTP 403)", "1 updated",
		"machine translation: the first failure was: TRANSLATE_API_KEY was refused by LibreTranslate at "+fake.URL+" (HTTP 403: Invalid API key): check the key")

	// A wrong setting stops the import before anything happens.
	t.Setenv("TRANSLATE_PROVIDER", "babelfish")
	code, _, errOut = runCmd(t, context.Background(), "", "import", "offers", writeOffers(t, dir, offersFile("Neu.")))
	if code != 2 || !strings.Contains(errOut, "TRANSLATE_PROVIDER") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("bad provider: exit %d, %q", code, errOut)
	}
}
