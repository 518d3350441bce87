package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/translate"
	"github.com/netzbot/netzbot/internal/translate/translatetest"
)

// With a (fake) LibreTranslate configured, a German-only offer shows in
// Arabic marked as machine-translated; a query that names nothing the
// lexicon knows and finds nothing is translated to German and found; a
// dead provider leaves the search working, answering "nothing fits".
func TestMachineTranslationInTheBot(t *testing.T) {
	lt := translatetest.NewLibreTranslate(t, translatetest.Options{})
	// The fake translates only the phrases of its dictionary: this one.
	translatetest.Dictionary = append(translatetest.Dictionary, map[string]string{"de": "Zauberwerkstatt", "ar": "ورشة السحر"})
	h := apptest.Start(t, apptest.Options{
		Config: func(c *config.Config) {
			c.Translate = config.Translate{Provider: config.ProviderLibreTranslate, URL: lt.URL}
		},
		App: func(o *app.Options) { o.Now = func() time.Time { return offerClock } },
	})
	ctx := context.Background()
	f, err := offer.ParseYAML("zauber.yaml", []byte(`organisations:
  - {id: kunst, name: Kunstverein Erfurt}
offers:
  - id: zauber
    organisation: kunst
    category: leisure
    title: {de: "Zauberwerkstatt für Kinder"}
    description: {de: "Jeden Freitag Zaubertricks lernen und vorführen."}
    venue: {kind: place, name: Kunsthaus, street: Michaelisstraße 34, postcode: "99084", district: Altstadt}
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := translate.FromConfig(h.Config.Translate, translate.Options{HTTPClient: http.DefaultClient})
	if err != nil {
		t.Fatal(err)
	}
	filler := &translate.Filler{Provider: p}
	for i := range f.Offers {
		filler.Fill(ctx, &f.Offers[i], nil)
	}
	if _, err := (&postgres.OfferStore{Pool: h.DB.Pool}).Import(ctx, f, "zauber.yaml", postgres.ImportOptions{}); err != nil {
		t.Fatal(err)
	}

	u := h.User(71801, "ar")
	h.Say(t, u, "/language ar")
	ar := h.L("ar")
	list := apptest.Last(t, h.Say(t, u, "ورشة السحر"))
	if !strings.Contains(list.Text, "[ar] Zauberwerkstatt für Kinder") {
		t.Fatalf("translated search: %q", list.Text)
	}
	card := apptest.Last(t, h.Press(t, u, list.MessageID, button(t, list, "of:o:").CallbackData))
	if !strings.Contains(card.Text, "[ar] Zauberwerkstatt für Kinder") || !strings.Contains(card.Text, ar.T("offers_machine")) {
		t.Errorf("card in Arabic, machine-translated: %q", card.Text)
	}

	// The provider dies: the search answers at once, without it.
	lt.Fail(translatetest.Fault{Status: http.StatusServiceUnavailable})
	start := time.Now()
	msg := apptest.Last(t, h.Say(t, u, "ورشة الخياطة السحرية"))
	if answered := msg.Text == ar.T("unknown_text") || msg.Text == ar.T("offers_nothing_fits", "Query", "ورشة الخياطة السحرية"); !answered || time.Since(start) > 5*time.Second {
		t.Errorf("with the provider down: %q after %v", msg.Text, time.Since(start))
	}
}
