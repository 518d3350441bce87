package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/offer/sample"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// offerClock is a Tuesday, 10:30 in Erfurt: the Migrationsdienst is open.
var offerClock = time.Date(2026, 3, 10, 10, 30, 0, 0, mustBerlin())

func mustBerlin() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}

const offersAdmin = 990001

// startOffers runs the bot on the sample offer directory with a fixed clock.
func startOffers(t *testing.T) *apptest.Harness {
	t.Helper()
	h := apptest.Start(t, apptest.Options{
		Config: func(c *config.Config) { c.AdminIDs = []int64{offersAdmin} },
		App:    func(o *app.Options) { o.Now = func() time.Time { return offerClock } },
	})
	f, err := sample.File()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&postgres.OfferStore{Pool: h.DB.Pool}).Import(context.Background(), f, sample.Name, postgres.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return h
}

func offerID(t *testing.T, h *apptest.Harness, external string) int64 {
	t.Helper()
	var id int64
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT id FROM offers WHERE external_id = $1`, external).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// button finds a button whose data starts with prefix.
func button(t *testing.T, msg telegramtest.Call, prefix string) telegramtest.Button {
	t.Helper()
	for _, row := range msg.Keyboard {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, prefix) {
				return b
			}
		}
	}
	t.Fatalf("no button %q in %+v", prefix, msg.Keyboard)
	return telegramtest.Button{}
}

func buttonWithText(msg telegramtest.Call, text string) bool {
	for _, row := range msg.Keyboard {
		for _, b := range row {
			if strings.Contains(b.Text, text) {
				return true
			}
		}
	}
	return false
}

func TestOffersCategoriesListPagesCardAndBack(t *testing.T) {
	h := startOffers(t)
	u := h.User(71001, "de")
	de := h.L("de")
	h.Say(t, u, "/language de")
	menu := apptest.Last(t, h.Say(t, u, "/start"))
	if !buttonWithText(menu, de.T("menu_offers")) {
		t.Fatalf("main menu has no offers button: %+v", menu.Keyboard)
	}
	cats := apptest.Last(t, h.Press(t, u, menu.MessageID, "of:cats"))
	if cats.Text != de.T("offers_categories") || len(cats.Keyboard) < 7 {
		t.Fatalf("categories: %q %+v", cats.Text, cats.Keyboard)
	}
	list := apptest.Last(t, h.Press(t, u, cats.MessageID, "of:l:c.language.0"))
	if list.Method != "editMessageText" || !strings.Contains(list.Text, "Deutschkurse &amp; Sprache") {
		t.Fatalf("category list: %s %q", list.Method, list.Text)
	}
	if !strings.Contains(list.Text, "Seite 1 von 2") {
		t.Errorf("want two pages of language offers: %q", list.Text)
	}
	next := apptest.Last(t, h.Press(t, u, list.MessageID, "of:l:c.language.1"))
	if !strings.Contains(next.Text, "Seite 2 von 2") || !buttonWithText(next, de.T("offers_prev")) {
		t.Errorf("page 2: %q", next.Text)
	}
	// Open a card and go back to the same page.
	item := button(t, next, "of:o:")
	card := apptest.Last(t, h.Press(t, u, next.MessageID, item.CallbackData))
	if !strings.Contains(card.Text, "🏢") || !buttonWithText(card, de.T("offers_btn_back_list")) {
		t.Fatalf("card: %q %+v", card.Text, card.Keyboard)
	}
	back := apptest.Last(t, h.Press(t, u, card.MessageID, button(t, card, "of:l:").CallbackData))
	if !strings.Contains(back.Text, "Seite 2 von 2") {
		t.Errorf("back did not return to page 2: %q", back.Text)
	}
}

func TestOfferCardShowsWhenWhereLanguagesCostAndVenue(t *testing.T) {
	h := startOffers(t)
	u := h.User(71002, "de")
	h.Say(t, u, "/language de")
	id := offerID(t, h, "stm-mbe")
	card := apptest.Last(t, h.Say(t, u, fmt.Sprintf("/start o_%d", id)))
	for _, want := range []string{
		"Migrationsberatung für Erwachsene", "Migrationsdienst St. Martin",
		"Jetzt geöffnet bis 12:00 Uhr", // Tuesday 10:30
		"Johannesstraße 101", "Stadtteil: Altstadt", "Barrierefrei",
		"Sprachen: Deutsch, Arabisch, Persisch, Russisch, Englisch", "Kostenlos",
		"+49 361 555 0103", "migration@st-martin.example.org", "Frau Petra Sommer",
	} {
		if !strings.Contains(card.Text, want) {
			t.Errorf("card lacks %q:\n%s", want, card.Text)
		}
	}
	calls := h.Press(t, u, card.MessageID, button(t, card, "of:map:").CallbackData)
	var venue *telegramtest.Call
	for i, c := range calls {
		if c.Method == "sendVenue" {
			venue = &calls[i]
		}
	}
	if venue == nil || venue.Params["latitude"] != 50.9803 || !strings.Contains(fmt.Sprint(venue.Params["address"]), "Johannesstraße 101") {
		t.Errorf("want a venue at the Migrationsdienst, got %+v", calls)
	}
	// Share gives the deep link, which opens the card.
	share := apptest.Last(t, h.Press(t, u, card.MessageID, button(t, card, "of:sh:").CallbackData))
	link := fmt.Sprintf("https://t.me/netzbot_test_bot?start=o_%d", id)
	if !strings.Contains(share.Text, link) {
		t.Errorf("share: %q, want %s", share.Text, link)
	}
	other := h.User(71003, "en")
	h.Say(t, other, "/language en")
	opened := apptest.Last(t, h.Say(t, other, fmt.Sprintf("/start o_%d", id)))
	if !strings.Contains(opened.Text, "Migration counselling for adults") {
		t.Errorf("deep link opened %q", opened.Text)
	}
}

func TestOfferCardFallsBackToGermanAndMarksMachineTranslation(t *testing.T) {
	h := startOffers(t)
	u := h.User(71004, "ar")
	h.Say(t, u, "/language ar")
	ar := h.L("ar")
	card := apptest.Last(t, h.Say(t, u, fmt.Sprintf("/start o_%d", offerID(t, h, "nh-repaircafe"))))
	if !strings.Contains(card.Text, ar.T("offers_fallback", "Language", ar.T("offers_lang_de"))) || !strings.Contains(card.Text, "Repair-Café im Rieth") {
		t.Errorf("want the German text with the fallback notice:\n%s", card.Text)
	}
	// An offer in Arabic by machine translation says so; names stay isolated.
	uk := h.User(71005, "ru")
	h.Say(t, uk, "/language ru")
	ru := h.L("ru")
	mt := apptest.Last(t, h.Say(t, uk, fmt.Sprintf("/start o_%d", offerID(t, h, "lh-integrationskurs-a1"))))
	if !strings.Contains(mt.Text, ru.T("offers_machine")) {
		t.Errorf("machine translation not marked:\n%s", mt.Text)
	}
	// An English reader of an offer without English text is offered German.
	if !strings.Contains(card.Text, locale.FSI+"Rieth"+locale.PDI) && !strings.Contains(card.Text, locale.FSI) {
		t.Errorf("LTR fragments not isolated in Arabic: %q", card.Text)
	}
}

func TestFreeTextSearchInGermanArabicUkrainianAndTypo(t *testing.T) {
	h := startOffers(t)
	for i, c := range []struct{ lang, query, want string }{
		{"de", "Deutschkurs", "Integrationskurs A1"},
		{"de", "Deutchkurs", "Integrationskurs A1"},
		{"ar", "دورة لغة ألمانية", "دورة الاندماج A1"},
		{"uk", "курс німецької", "Інтеграційний курс A1"},
		{"ar", "Jobcenter", "الجوب سنتر"},
	} {
		u := h.User(int64(71100+i), c.lang)
		h.Say(t, u, "/language "+c.lang)
		msg := apptest.Last(t, h.Say(t, u, c.query))
		if !strings.Contains(msg.Text, c.want) {
			t.Errorf("%s %q: want %q in\n%s", c.lang, c.query, c.want, msg.Text)
		}
		if !strings.Contains(msg.Text, "🔎") || !buttonWithText(msg, h.L(c.lang).T("offers_helpful")) {
			t.Errorf("%s %q: not a result list with feedback: %q", c.lang, c.query, msg.Text)
		}
		if c.query == "Deutchkurs" && !strings.Contains(msg.Text, "deutschkurs") {
			t.Errorf("typo correction not shown: %q", msg.Text)
		}
		if c.lang == "ar" && !strings.Contains(msg.Text, locale.FSI) {
			t.Errorf("Arabic results without isolation: %q", msg.Text)
		}
	}
}

func TestSearchFiltersToggleAndArePerUser(t *testing.T) {
	h := startOffers(t)
	u := h.User(71201, "uk")
	h.Say(t, u, "/language uk")
	uk := h.L("uk")
	list := apptest.Last(t, h.Say(t, u, "консультація для жінок і сімей"))
	all := list.Text
	// Free only.
	free := apptest.Last(t, h.Press(t, u, list.MessageID, button(t, list, "of:f:free:1:").CallbackData))
	if !buttonWithText(free, "✅ "+uk.T("offers_filter_free")) || !strings.Contains(free.Text, uk.T("offers_filter_free")) {
		t.Errorf("free filter not on: %q %+v", free.Text, free.Keyboard)
	}
	// Target group picker → women.
	picker := apptest.Last(t, h.Press(t, u, free.MessageID, button(t, free, "of:f:tg:?:").CallbackData))
	if picker.Text != uk.T("offers_pick_target") {
		t.Fatalf("picker: %q", picker.Text)
	}
	women := apptest.Last(t, h.Press(t, u, picker.MessageID, button(t, picker, "of:f:tg:women:").CallbackData))
	if !strings.Contains(women.Text, "Консультації для жінок") || strings.Contains(women.Text, "Міграційна консультація") {
		t.Errorf("women filter: %q", women.Text)
	}
	// District picker → Altstadt.
	dp := apptest.Last(t, h.Press(t, u, women.MessageID, button(t, women, "of:f:tg:?:").CallbackData))
	any := apptest.Last(t, h.Press(t, u, dp.MessageID, button(t, dp, "of:f:tg:-:").CallbackData))
	dpick := apptest.Last(t, h.Press(t, u, any.MessageID, button(t, any, "of:f:dist:?:").CallbackData))
	alt := apptest.Last(t, h.Press(t, u, dpick.MessageID, button(t, dpick, "of:f:dist:0:").CallbackData))
	if !strings.Contains(alt.Text, "Altstadt") || strings.Contains(alt.Text, "Johannesvorstadt") {
		t.Errorf("district filter: %q", alt.Text)
	}
	// The filters are stored for this user only.
	other := h.User(71202, "uk")
	h.Say(t, other, "/language uk")
	if got := apptest.Last(t, h.Say(t, other, "консультація для жінок і сімей")).Text; got != all {
		t.Errorf("another user's results changed by filters:\n%s\nvs\n%s", got, all)
	}
	// Reset.
	reset := apptest.Last(t, h.Press(t, u, alt.MessageID, button(t, alt, "of:f:free:0:").CallbackData))
	reset = apptest.Last(t, h.Press(t, u, reset.MessageID, button(t, reset, "of:f:dist:?:").CallbackData))
	reset = apptest.Last(t, h.Press(t, u, reset.MessageID, button(t, reset, "of:f:dist:-:").CallbackData))
	if reset.Text != all {
		t.Errorf("after clearing the filters:\n%s\nwant\n%s", reset.Text, all)
	}
}

func TestNearMeSortsByDistance(t *testing.T) {
	h := startOffers(t)
	u := h.User(71301, "de")
	h.Say(t, u, "/language de")
	cats := apptest.Last(t, h.Say(t, u, "/offers"))
	ask := apptest.Last(t, h.Press(t, u, cats.MessageID, "of:near"))
	if len(ask.ReplyKeyboard) == 0 || !ask.ReplyKeyboard[0][0].RequestLocation {
		t.Fatalf("want a reply keyboard asking for the location: %+v", ask)
	}
	near := apptest.Last(t, h.Share(t, u, 50.9787, 11.0328)) // Fischmarkt
	if !strings.Contains(near.Text, "In deiner Nähe") {
		t.Fatalf("near: %q", near.Text)
	}
	var dists []float64
	for _, line := range strings.Split(near.Text, "\n") {
		if i := strings.Index(line, "📍 "); i >= 0 && strings.Contains(line, " m") {
			var v float64
			var unit string
			fmt.Sscanf(strings.ReplaceAll(line[i+len("📍 "):], ",", "."), "%f %s", &v, &unit)
			if strings.HasPrefix(unit, "km") {
				v *= 1000
			}
			dists = append(dists, v)
		}
	}
	if len(dists) != 5 {
		t.Fatalf("want 5 distances, got %v in %q", dists, near.Text)
	}
	for i := 1; i < len(dists); i++ {
		if dists[i] < dists[i-1] {
			t.Errorf("not sorted by distance: %v", dists)
		}
	}
	if dists[0] > 400 {
		t.Errorf("nearest offer %v m away from the Fischmarkt", dists[0])
	}
}

func TestNoResultSuggestsStoresAnonymouslyAndReports(t *testing.T) {
	h := startOffers(t)
	u := h.User(71401, "de")
	h.Say(t, u, "/language de")
	msg := apptest.Last(t, h.Say(t, u, "Fahrschule"))
	if !strings.Contains(msg.Text, "passt nichts zu „Fahrschule“") {
		t.Fatalf("no-result answer: %q", msg.Text)
	}
	// "Tell the network office": stored without the user, thanked.
	tell := button(t, msg, "of:tell:")
	thanks := apptest.Last(t, h.Press(t, u, msg.MessageID, tell.CallbackData))
	if !strings.Contains(thanks.Text, "Netzwerkbüro sieht anonym") {
		t.Errorf("tell the office: %q", thanks.Text)
	}
	var req string
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT query FROM search_requests`).Scan(&req); err != nil || req != "fahrschule" {
		t.Errorf("request stored as %q (%v)", req, err)
	}
	msg = apptest.Last(t, h.Say(t, u, "Fahrschule"))
	dym := button(t, msg, "of:dym:")
	res := apptest.Last(t, h.Press(t, u, msg.MessageID, dym.CallbackData))
	if !strings.Contains(res.Text, "🔎") {
		t.Errorf("did-you-mean did not search: %q", res.Text)
	}
	var q string
	var n int
	var uid *int64
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT query, count FROM search_misses`).Scan(&q, &n); err != nil || q != "fahrschule" || n != 2 {
		t.Errorf("miss stored as %q ×%d (%v)", q, n, err)
	}
	_ = uid
	// Garbage is not a search.
	if got := apptest.Last(t, h.Say(t, u, "?!…")).Text; got != h.L("de").T("unknown_text") {
		t.Errorf("garbage: %q", got)
	}
}

func TestFeedbackReportOutdatedAndTamperedButtons(t *testing.T) {
	h := startOffers(t)
	admin := h.User(offersAdmin, "en")
	h.Say(t, admin, "/language en")
	u := h.User(71501, "de")
	h.Say(t, u, "/language de")
	de := h.L("de")
	list := apptest.Last(t, h.Say(t, u, "Wohnungssuche"))
	calls := h.Press(t, u, list.MessageID, button(t, list, "of:fb:").CallbackData)
	if toast(calls) != de.T("offers_feedback_thanks") {
		t.Errorf("feedback toast: %+v", calls)
	}
	var helpful bool
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT helpful FROM search_feedback`).Scan(&helpful); err != nil || !helpful {
		t.Errorf("feedback stored: %v %v", helpful, err)
	}
	card := apptest.Last(t, h.Press(t, u, list.MessageID, button(t, list, "of:o:").CallbackData))
	confirm := apptest.Last(t, h.Press(t, u, card.MessageID, button(t, card, "of:rep:").CallbackData))
	mark := h.Fake.Mark()
	done := apptest.Last(t, h.Press(t, u, confirm.MessageID, button(t, confirm, "of:repy:").CallbackData))
	if done.Text != de.T("offers_report_thanks") {
		t.Errorf("report: %q", done.Text)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	notice, err := h.Fake.WaitCall(ctx, mark, func(c telegramtest.Call) bool {
		return c.Method == "sendMessage" && c.ChatID == offersAdmin
	})
	if err != nil || !strings.Contains(notice.Text, "Outdated information reported") || !strings.Contains(notice.Text, "Wohnraum für Alle") {
		t.Errorf("coordinator notice: %q %v", notice.Text, err)
	}
	again := apptest.Last(t, h.PressRaw(t, u, confirm.MessageID, button(t, confirm, "of:repy:").CallbackData))
	if again.Text != de.T("offers_report_already") {
		t.Errorf("second report: %q", again.Text)
	}
	// Tampered or outdated buttons: refused with a toast, nothing changed.
	for data, want := range map[string]string{
		"of:o:999999:-":       de.T("offers_gone"),
		"of:map:999999":       de.T("offers_gone"),
		"of:o:abc:-":          de.T("button_stale"),
		"of:l:c.nosuch.0":     de.T("button_stale"),
		"of:l:s.999999.0":     de.T("offers_gone"),
		"of:fb:999999:1":      de.T("button_stale"),
		"of:f:dist:999:n.-.0": de.T("button_stale"),
		"of:dym:work:de:999":  de.T("button_stale"),
		"of:repy:-1":          de.T("button_stale"),
	} {
		calls := h.PressRaw(t, u, card.MessageID, data)
		if toast(calls) != want {
			t.Errorf("%q: toast %q, want %q", data, toast(calls), want)
		}
		if len(apptest.Messages(calls)) != 0 {
			t.Errorf("%q changed the chat: %+v", data, calls)
		}
	}
	var reports int
	h.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM offer_reports`).Scan(&reports)
	if reports != 1 {
		t.Errorf("%d reports stored, want 1", reports)
	}
}
