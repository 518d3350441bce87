package translate_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/translate"
	"github.com/netzbot/netzbot/internal/translate/translatetest"
)

// libreLangs are the languages the LibreTranslate fake has, without de.
var libreTargets = []string{"en", "ar", "fa", "uk", "ru", "tr", "ro"}

func newOffer(texts map[string]offer.Text) *offer.Offer {
	return &offer.Offer{ExternalID: "stm-mbe", SourceLanguage: "de", Texts: texts}
}

func german(title, desc string) offer.Text {
	return offer.Text{Title: title, Description: desc, Status: offer.StatusOriginal}
}

func newFiller(t *testing.T) (*translate.Filler, *translatetest.Server, *clock) {
	fake := translatetest.NewLibreTranslate(t, translatetest.Options{Key: testKey})
	clk := newClock()
	p := translate.NewBreaker(translate.NewLibreTranslate(fake.URL, testKey, translate.ClientOptions{}), translate.BreakerOptions{Now: clk.Now})
	return &translate.Filler{Provider: p}, fake, clk
}

func TestFillerTranslatesMissingLanguagesAndLeavesPeoplesTexts(t *testing.T) {
	f, fake, _ := newFiller(t)
	o := newOffer(map[string]offer.Text{
		"de": german("Beratung", "Migrationsberatung für Erwachsene."),
		"en": {Title: "Advice", Description: "Checked by a person.", Status: offer.StatusReviewed},
		"ar": {Title: "استشارة (آلي)", Status: offer.StatusMachine}, // the file's own machine text
	})
	rep := f.Fill(context.Background(), o, nil)
	wantLangs := []string{"fa", "uk", "ru", "tr", "ro"}
	if !slices.Equal(rep.Translated, wantLangs) || len(rep.Reused) != 0 || len(rep.Failed) != 0 ||
		!slices.Equal(rep.Unsupported, []string{"ps", "ku", "ti", "vi"}) {
		t.Fatalf("report: %+v", rep)
	}
	for _, l := range wantLangs {
		want := offer.Text{Title: translatetest.Translate("Beratung", "de", l),
			Description: "[" + l + "] Migrationsberatung für Erwachsene.", Status: offer.StatusMachine}
		if o.Texts[l] != want {
			t.Errorf("%s: %+v, want %+v", l, o.Texts[l], want)
		}
	}
	if o.Texts["en"].Title != "Advice" || o.Texts["ar"].Title != "استشارة (آلي)" || o.Texts["de"].Status != offer.StatusOriginal {
		t.Errorf("people's or the file's texts changed: %+v", o.Texts)
	}
	// One /languages and one request per language with title and description.
	if fake.Requests() != 1+len(wantLangs) || len(fake.Texts()) != 2*len(wantLangs) {
		t.Errorf("%d requests, %d texts", fake.Requests(), len(fake.Texts()))
	}
	want := "offer stm-mbe: fa, uk, ru, tr, ro machine-translated; ps, ku, ti, vi not supported by the provider"
	if rep.String() != want || !rep.Noteworthy() {
		t.Errorf("report line:\n got %s\nwant %s", rep.String(), want)
	}
}

func TestFillerReusesMachineTextsOfTheSameSource(t *testing.T) {
	ctx := context.Background()
	f, fake, _ := newFiller(t)
	src := german("Beratung", "Migrationsberatung.")
	prev := newOffer(map[string]offer.Text{"de": src})
	f.Fill(ctx, prev, nil)
	asked := fake.Requests()

	// The same file again: everything reused, nothing asked.
	again := newOffer(map[string]offer.Text{"de": src})
	rep := f.Fill(ctx, again, prev)
	if !slices.Equal(rep.Reused, libreTargets) || len(rep.Translated) != 0 || fake.Requests() != asked || rep.Noteworthy() {
		t.Fatalf("same source: %+v, %d requests", rep, fake.Requests()-asked)
	}
	for _, l := range libreTargets {
		if again.Texts[l] != prev.Texts[l] {
			t.Errorf("%s: %+v, want the stored %+v", l, again.Texts[l], prev.Texts[l])
		}
	}

	// The description changed: only it is translated again.
	changed := newOffer(map[string]offer.Text{"de": german("Beratung", "Migrationsberatung, jetzt auch online.")})
	before := len(fake.Texts())
	rep = f.Fill(ctx, changed, prev)
	if !slices.Equal(rep.Translated, libreTargets) || len(rep.Reused) != 0 {
		t.Fatalf("changed description: %+v", rep)
	}
	sent := fake.Texts()[before:]
	if len(sent) != len(libreTargets) || slices.Contains(sent, "Beratung") {
		t.Errorf("sent %q, want only the new description", sent)
	}
	if changed.Texts["ar"].Title != prev.Texts["ar"].Title || changed.Texts["ar"].Description != "[ar] Migrationsberatung, jetzt auch online." {
		t.Errorf("ar: %+v", changed.Texts["ar"])
	}

	// Another source language: nothing of the stored machine texts fits.
	other := &offer.Offer{ExternalID: "stm-mbe", SourceLanguage: "en", Texts: map[string]offer.Text{"en": german("Beratung", "Migrationsberatung.")}}
	if rep := f.Fill(ctx, other, prev); len(rep.Reused) != 0 {
		t.Errorf("reused across source languages: %+v", rep)
	}
}

func TestFillerRetranslatesAStaleExportedMachineText(t *testing.T) {
	ctx := context.Background()
	f, fake, clk := newFiller(t)
	prev := newOffer(map[string]offer.Text{"de": german("Wohnung", "")})
	f.Fill(ctx, prev, nil)
	if prev.Texts["ar"].Title != "شقة" {
		t.Fatalf("ar: %+v", prev.Texts["ar"])
	}
	// An export (with its machine texts) whose German was edited.
	exported := newOffer(map[string]offer.Text{
		"de": german("Wohnungssuche", ""),
		"ar": prev.Texts["ar"],                                              // stale: made from "Wohnung"
		"fa": {Title: "خانه", Status: offer.StatusMachine},                  // someone's own machine text
		"uk": {Title: "Житло", Status: offer.StatusReviewed},                // people's
		"ru": {Title: prev.Texts["ru"].Title, Status: offer.StatusReviewed}, // reviewed now
		"tr": {Title: prev.Texts["tr"].Title, Status: offer.StatusOriginal}, // never touched
	})
	rep := f.Fill(ctx, exported, prev)
	if !slices.Equal(rep.Translated, []string{"en", "ar", "ro"}) {
		t.Errorf("translated %v, want en, ar, ro", rep.Translated)
	}
	if exported.Texts["ar"].Title != "[ar] Wohnungssuche" || exported.Texts["fa"].Title != "خانه" ||
		exported.Texts["uk"].Title != "Житло" || exported.Texts["ru"].Status != offer.StatusReviewed || exported.Texts["tr"].Status != offer.StatusOriginal {
		t.Errorf("texts: %+v", exported.Texts)
	}
	// The provider is down: the stale text is dropped, not kept.
	fake.Fail(translatetest.Fault{Status: 500})
	down := newOffer(map[string]offer.Text{"de": german("Wohnungssuche", ""), "ar": prev.Texts["ar"]})
	if rep := f.Fill(ctx, down, prev); len(rep.Failed) == 0 || len(down.Texts) != 1 {
		t.Errorf("stale text with the provider down: %+v, texts %+v", rep, down.Texts)
	}
	fake.Clear()
	clk.Add(translate.DefaultCooldown)
	// An export whose German did not change keeps its machine texts.
	same := newOffer(map[string]offer.Text{"de": german("Wohnung", ""), "ar": prev.Texts["ar"]})
	if rep := f.Fill(ctx, same, prev); slices.Contains(rep.Translated, "ar") || same.Texts["ar"] != prev.Texts["ar"] {
		t.Errorf("unchanged export: %+v", rep)
	}
}

func TestFillerReportsADeadProviderAndTheImportGoesOn(t *testing.T) {
	ctx := context.Background()
	f, fake, clk := newFiller(t)
	fake.Fail(translatetest.Fault{Status: 503})
	o := newOffer(map[string]offer.Text{"de": german("Beratung", "")})
	rep := f.Fill(ctx, o, nil)
	if len(rep.Failed) != 11 || len(rep.Translated) != 0 || len(o.Texts) != 1 {
		t.Fatalf("dead provider: %+v", rep)
	}
	if !strings.HasSuffix(rep.String(), "en, ar, fa, ps, uk, ru, tr, ku, ti, ro, vi failed: provider unavailable (HTTP 503)") {
		t.Errorf("report: %s", rep.String())
	}
	// The next offer does not wait for the provider: it is paused.
	asked := fake.Requests()
	rep = f.Fill(ctx, newOffer(map[string]offer.Text{"de": german("Wohnung", "")}), nil)
	if fake.Requests() != asked || len(rep.Failed) != 11 || !errors.Is(rep.Failed[0].Err, translate.ErrOpen) {
		t.Errorf("paused: %d requests, %+v", fake.Requests()-asked, rep)
	}
	if !strings.Contains(rep.String(), "failed: provider unavailable (HTTP 503; not asked again for now)") {
		t.Errorf("report: %s", rep.String())
	}
	// A minute later it is back and the languages it has are filled.
	fake.Clear()
	clk.Add(translate.DefaultCooldown)
	rep = f.Fill(ctx, o, nil)
	if !slices.Equal(rep.Translated, libreTargets) || len(rep.Unsupported) != 4 {
		t.Errorf("back: %+v", rep)
	}
}

func TestFillerReportsFailuresPerLanguage(t *testing.T) {
	ctx := context.Background()
	f, fake, _ := newFiller(t)
	f.Languages = []string{"de", "en", "ar", "fa", "ti"}
	f.Fill(ctx, newOffer(map[string]offer.Text{"de": german("x", "")}), nil) // languages known
	fake.Fail(translatetest.Fault{Status: 429, Times: 1})
	rep := f.Fill(ctx, newOffer(map[string]offer.Text{"de": german("Beratung", "")}), nil)
	want := "offer stm-mbe: ti not supported by the provider; en failed: rate limited (HTTP 429); ar, fa failed: rate limited (HTTP 429; not asked again for now)"
	if rep.String() != want {
		t.Errorf("report:\n got %s\nwant %s", rep.String(), want)
	}
}

func TestFillerWithAWrongKeySaysSo(t *testing.T) {
	fake := translatetest.NewDeepL(t, translatetest.Options{Key: testKey})
	f := &translate.Filler{Provider: translate.NewBreaker(translate.NewDeepL(fake.URL, "wrong", translate.ClientOptions{}), translate.BreakerOptions{Now: newClock().Now})}
	rep := f.Fill(context.Background(), newOffer(map[string]offer.Text{"de": german("Beratung", "")}), nil)
	if len(rep.Failed) == 0 || !errors.Is(rep.Failed[0].Err, translate.ErrUnauthorized) ||
		!strings.Contains(rep.Failed[0].Err.Error(), "TRANSLATE_API_KEY was refused by DeepL") {
		t.Errorf("wrong key: %+v", rep)
	}
	if !strings.Contains(rep.String(), "failed: API key refused (HTTP 403)") {
		t.Errorf("report: %s", rep.String())
	}
}

func TestFillerWithDeepLAndADryRun(t *testing.T) {
	ctx := context.Background()
	fake := translatetest.NewDeepL(t, translatetest.Options{Key: testKey})
	p := translate.NewDeepL(fake.URL, testKey, translate.ClientOptions{})
	o := newOffer(map[string]offer.Text{"de": german("Beratung", "Für alle.")})
	dry := &translate.Filler{Provider: p, DryRun: true}
	rep := dry.Fill(ctx, o, nil)
	all := []string{"en", "ar", "fa", "ps", "uk", "ru", "tr", "ku", "ro", "vi"}
	if !slices.Equal(rep.Planned, all) || !slices.Equal(rep.Unsupported, []string{"ti"}) || len(o.Texts) != 1 || len(fake.Texts()) != 0 {
		t.Fatalf("dry run: %+v, %d texts sent", rep, len(fake.Texts()))
	}
	if !strings.HasPrefix(rep.String(), "offer stm-mbe: en, ar, fa, ps, uk, ru, tr, ku, ro, vi would be machine-translated; ti not supported") {
		t.Errorf("report: %s", rep.String())
	}
	rep = (&translate.Filler{Provider: p}).Fill(ctx, o, nil)
	if !slices.Equal(rep.Translated, all) || o.Texts["ku"].Title != "şêwirmendî" || o.Texts["ku"].Description != "[kmr] Für alle." ||
		o.Texts["en"].Title != "counselling" {
		t.Errorf("DeepL: %+v\n%+v", rep, o.Texts)
	}
}

func TestFillerCutsLongMachineTitles(t *testing.T) {
	f, _, _ := newFiller(t)
	f.Languages = []string{"ar"}
	title := strings.Repeat("Lang ", 24)[:118] // 118 runes; "[ar] " makes it longer than 120
	o := newOffer(map[string]offer.Text{"de": german(title, "")})
	f.Fill(context.Background(), o, nil)
	got := []rune(o.Texts["ar"].Title)
	if len(got) != 120 || got[len(got)-1] != '…' {
		t.Errorf("title of %d runes: %q", len(got), string(got))
	}
}
