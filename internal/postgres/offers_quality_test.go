package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/sample"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

// sampleStore is a database with the sample offers imported.
func sampleStore(t *testing.T) *postgres.OfferStore {
	t.Helper()
	db := pgtest.New(t)
	s := &postgres.OfferStore{Pool: db.Pool}
	f, err := sample.File()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(t.Context(), f, sample.Name, postgres.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

// qualityCase is a query and what must be among its first three results:
// an offer's external id, or "cat:<category>" for at least two of the
// three being of that category.
type qualityCase struct {
	lang, query, want string
}

var qualityCases = []qualityCase{
	// German
	{"de", "Deutschkurs", "cat:language"},
	{"de", "Deutchkurs", "cat:language"},   // typo
	{"de", "deutsch kurs", "cat:language"}, // split compound
	{"de", "Integrationskurs", "lh-integrationskurs-a1"},
	{"de", "Integrationskurs abends", "lh-integrationskurs-b1-abend"},
	{"de", "Integratonskurs", "cat:language"}, // typo
	{"de", "Alphabetisierung", "lh-alpha"},
	{"de", "lesen und schreiben lernen", "lh-alpha"},
	{"de", "Sprachcafe", "sb-sprachcafe"},
	{"de", "Migrationsberatung", "stm-mbe"},
	{"de", "Beratungsstelle", "cat:counselling"},
	{"de", "beratungs stelle", "cat:counselling"},
	{"de", "Hilfe bei Briefen vom Jobcenter", "nh-sprechstunde"},
	{"de", "Schulden", "bs-schuldnerberatung"},
	{"de", "Asyl", "cat:asylum"},
	{"de", "Anhörung BAMF", "bl-asylverfahren"},
	{"de", "Duldung", "bl-duldung"},
	{"de", "Abschiebung", "bl-duldung"},
	{"de", "Familiennachzug", "rlc-sprechstunde"},
	{"de", "Einbürgerung", "stadt-einbuergerung"},
	{"de", "Einbuergerung", "stadt-einbuergerung"}, // ue for ü
	{"de", "Bewerbung schreiben", "ba-jobcoaching"},
	{"de", "Lebenslauf", "ba-jobcoaching"},
	{"de", "Arbeitserlaubnis", "ba-arbeitserlaubnis"},
	{"de", "Praktikum", "ba-praktikum"},
	{"de", "Anerkennung Zeugnis", "an-anerkennung"},
	{"de", "Ausbildung", "sb-ausbildung"},
	{"de", "Studium", "sb-studium"},
	{"de", "Hausaufgabenhilfe", "salam-hausaufgaben"},
	{"de", "Kitaplatz", "sonnenblume-kita"},
	{"de", "Kita", "sonnenblume-kita"},
	{"de", "schwanger", "rb-schwangerschaft"},
	{"de", "Arzt ohne Krankenversicherung", "gn-sprechstunde"},
	{"de", "Psychotherapie", "lb-psychotherapie"},
	{"de", "Zahnschmerzen", "gn-zahn"},
	{"de", "Impfung", "gn-impfung"},
	{"de", "Wohnungssuche", "wr-wohnungssuche"},
	{"de", "Wohnung", "cat:housing"},
	{"de", "Wohnberechtigungsschein", "wr-wbs"},
	{"de", "Mietvertrag", "wr-mietrecht"},
	{"de", "obdachlos", "nh-notunterkunft"},
	{"de", "Frauencafé", "am-frauencafe"},
	{"de", "Frauen", "cat:women"},
	{"de", "Schwimmkurs für Frauen", "am-schwimmen"},
	{"de", "Jugendtreff", "wo-jugendtreff"},
	{"de", "Fußball", "gw-fussball"},
	{"de", "Fussball", "gw-fussball"},
	{"de", "Fahrrad reparieren", "rt-fahrrad"},
	{"de", "Theater", "kw-theater"},
	{"de", "Ehrenamt", "ea-ehrenamt"},
	{"de", "Ausländerbehörde", "stadt-auslaenderbehoerde"},
	{"de", "Auslaenderbehoerde", "stadt-auslaenderbehoerde"},
	{"de", "Wohnung anmelden", "bs-anmeldung"},
	{"de", "Anmeldung", "bs-anmeldung"},
	{"de", "häusliche Gewalt", "sh-frauenhaus"},
	{"de", "Frauenhaus", "sh-frauenhaus"},
	{"de", "Rassismus", "ob-rassismus"},
	{"de", "Repair Café", "nh-repaircafe"},
	{"de", "ueber Gewalt reden", "cat:emergency"},
	// English
	{"en", "German course", "cat:language"},
	{"en", "german class for beginners", "lh-integrationskurs-a1"},
	{"en", "learn to read and write", "lh-alpha"},
	{"en", "language cafe", "sb-sprachcafe"},
	{"en", "need help with Jobcenter letter", "nh-sprechstunde"},
	{"en", "debt", "bs-schuldnerberatung"},
	{"en", "asylum hearing", "bl-asylverfahren"},
	{"en", "deportation", "bl-duldung"},
	{"en", "family reunification", "rlc-sprechstunde"},
	{"en", "citizenship", "stadt-einbuergerung"},
	{"en", "job application", "ba-jobcoaching"},
	{"en", "work permit", "ba-arbeitserlaubnis"},
	{"en", "recognition of my degree", "an-anerkennung"},
	{"en", "apprenticeship", "sb-ausbildung"},
	{"en", "university", "sb-studium"},
	{"en", "homework help", "salam-hausaufgaben"},
	{"en", "daycare place", "sonnenblume-kita"},
	{"en", "pregnant", "rb-schwangerschaft"},
	{"en", "doctor without insurance", "gn-sprechstunde"},
	{"en", "trauma therapy", "lb-psychotherapie"},
	{"en", "interpreter for doctor", "gn-dolmetsch"},
	{"en", "flat", "cat:housing"},
	{"en", "find a flat", "wr-wohnungssuche"},
	{"en", "homeless", "nh-notunterkunft"},
	{"en", "women only", "cat:women"},
	{"en", "youth club", "wo-jugendtreff"},
	{"en", "football", "gw-fussball"},
	{"en", "bike repair", "rt-fahrrad"},
	{"en", "choir", "kw-chor"},
	{"en", "volunteering", "cat:community"},
	{"en", "residence permit extension", "stadt-auslaenderbehoerde"},
	{"en", "register address", "bs-anmeldung"},
	{"en", "domestic violence", "sh-frauenhaus"},
	{"en", "racism", "ob-rassismus"},
	{"en", "wages not paid", "fa-eu-arbeitsrecht"},
	// Arabic
	{"ar", "دورة لغة ألمانية", "cat:language"},
	{"ar", "دورة الماني", "cat:language"},
	{"ar", "محو الأمية", "lh-alpha"},
	{"ar", "استشارة الهجرة", "stm-mbe"},
	{"ar", "مساعدة في الرسائل", "nh-sprechstunde"},
	{"ar", "لجوء", "cat:asylum"},
	{"ar", "لم الشمل", "rlc-sprechstunde"},
	{"ar", "البحث عن عمل", "cat:work"},
	{"ar", "سيرة ذاتية", "ba-jobcoaching"},
	{"ar", "معادلة الشهادات", "an-anerkennung"},
	{"ar", "روضة", "sonnenblume-kita"},
	{"ar", "طبيب بدون تأمين", "gn-sprechstunde"},
	{"ar", "شقة", "cat:housing"},
	{"ar", "مقهى النساء", "am-frauencafe"},
	{"ar", "عنف أسري", "sh-frauenhaus"},
	{"ar", "كرة القدم", "gw-fussball"},
	{"ar", "Deutschkurs", "cat:language"}, // German word typed by an Arabic speaker
	// Persian / Dari
	{"fa", "کلاس زبان آلمانی", "cat:language"},
	{"fa", "مشاوره مهاجرت", "stm-mbe"},
	{"fa", "پناهندگی", "cat:asylum"},
	{"fa", "اجازه کار", "ba-arbeitserlaubnis"},
	{"fa", "مهدکودک", "sonnenblume-kita"},
	{"fa", "روان درمانی", "lb-psychotherapie"},
	{"fa", "خانه", "cat:housing"},
	{"fa", "کافه زنان", "am-frauencafe"},
	{"fa", "دوچرخه", "rt-fahrrad"},
	{"fa", "اداره اتباع خارجی", "stadt-auslaenderbehoerde"},
	// Pashto
	{"ps", "د الماني ژبې کورس", "cat:language"},
	{"ps", "مشوره", "cat:counselling"},
	{"ps", "پناه", "cat:asylum"},
	{"ps", "ډاکټر", "cat:health"},
	{"ps", "کور", "cat:housing"},
	{"ps", "ځوانان", "cat:youth"},
	// Ukrainian
	{"uk", "курс німецької", "cat:language"},
	{"uk", "курси німецької мови", "cat:language"},
	{"uk", "курс нимецкой", "cat:language"}, // typo / Russian-ish spelling
	{"uk", "консультація", "cat:counselling"},
	{"uk", "допомога з листами", "nh-sprechstunde"},
	{"uk", "посвідка на проживання", "dnipro-aufenthalt"},
	{"uk", "пошук роботи", "cat:work"},
	{"uk", "визнання дипломів", "an-anerkennung"},
	{"uk", "дитячий садок", "sonnenblume-kita"},
	{"uk", "лікар", "cat:health"},
	{"uk", "житло", "cat:housing"},
	{"uk", "суботня школа", "dnipro-kinder"},
	{"uk", "Jobcenter", "cat:work"},
	// Russian
	{"ru", "курсы немецкого языка", "cat:language"},
	{"ru", "консультация по долгам", "bs-schuldnerberatung"},
	{"ru", "вид на жительство", "dnipro-aufenthalt"},
	{"ru", "работа", "cat:work"},
	{"ru", "квартира", "cat:housing"},
	{"ru", "психотерапия", "lb-psychotherapie"},
	{"ru", "домашнее насилие", "sh-frauenhaus"},
	// Turkish
	{"tr", "Almanca kursu", "cat:language"},
	{"tr", "dil kursu", "cat:language"},
	{"tr", "iş arama", "cat:work"},
	{"tr", "kreş", "sonnenblume-kita"},
	{"tr", "kira sözleşmesi", "wr-mietrecht"},
	{"tr", "kadın", "cat:women"},
	{"tr", "aile içi şiddet", "sh-frauenhaus"},
	{"tr", "futbol", "gw-fussball"},
	// Kurmanji
	{"ku", "kursa almanî", "cat:language"},
	{"ku", "penaberî", "cat:asylum"},
	{"ku", "kar", "cat:work"},
	{"ku", "bijîşk", "cat:health"},
	{"ku", "xanî", "cat:housing"},
	{"ku", "erkên malê", "salam-hausaufgaben"},
	// Tigrinya
	{"ti", "ትምህርቲ ጀርመንኛ", "cat:language"},
	{"ti", "ዑቕባ", "cat:asylum"},
	{"ti", "ስራሕ", "cat:work"},
	{"ti", "ሓኪም", "cat:health"},
	{"ti", "ገዛ", "cat:housing"},
	// Romanian
	{"ro", "curs de germană", "cat:language"},
	{"ro", "curs de germana", "cat:language"}, // without diacritics
	{"ro", "loc de muncă", "cat:work"},
	{"ro", "salariul nu a fost plătit", "fa-eu-arbeitsrecht"},
	{"ro", "recunoașterea diplomelor", "an-anerkennung"},
	{"ro", "înregistrarea domiciliului", "bs-anmeldung"},
	// Vietnamese
	{"vi", "học tiếng Đức", "cat:language"},
	{"vi", "hoc tieng duc", "cat:language"}, // without diacritics
	{"vi", "tư vấn", "hb-tu-van"},
	{"vi", "tìm việc", "cat:work"},
	{"vi", "bác sĩ", "cat:health"},
	{"vi", "nhà trẻ", "cat:family"},
}

func TestSearchQualityPrecisionAt3(t *testing.T) {
	s := sampleStore(t)
	ctx := t.Context()
	today := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	langs := map[string]bool{}
	var mu sync.Mutex
	var failed []string
	hits := 0
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, c := range qualityCases {
		langs[c.lang] = true
		wg.Add(1)
		sem <- struct{}{}
		go func(c qualityCase) {
			defer wg.Done()
			defer func() { <-sem }()
			ok, got := topThree(ctx, t, s, c, today)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				hits++
			} else {
				failed = append(failed, fmt.Sprintf("%s %q: want %s, got %s", c.lang, c.query, c.want, got))
			}
		}(c)
	}
	wg.Wait()
	if len(qualityCases) < 150 || len(langs) < 10 {
		t.Errorf("%d queries in %d languages; want at least 150 in 10", len(qualityCases), len(langs))
	}
	p := float64(hits) / float64(len(qualityCases))
	fmt.Printf("search quality: precision@3 = %.1f%% (%d of %d queries in %d languages)\n", 100*p, hits, len(qualityCases), len(langs))
	for _, f := range failed {
		t.Log("miss: " + f)
	}
	if p < 0.95 {
		t.Errorf("precision@3 %.1f%% is under 95%%", 100*p)
	}
}

func topThree(ctx context.Context, t *testing.T, s *postgres.OfferStore, c qualityCase, today time.Time) (bool, string) {
	page, err := s.List(ctx, offer.ListQuery{Text: c.query, Lang: c.lang, Today: today, Limit: 3})
	if err != nil {
		t.Errorf("%q: %v", c.query, err)
		return false, err.Error()
	}
	var got []string
	inCat := 0
	found := false
	for _, h := range page.Hits {
		got = append(got, h.Offer.ExternalID+"("+h.Offer.Category+")")
		if h.Offer.ExternalID == c.want {
			found = true
		}
		if "cat:"+h.Offer.Category == c.want {
			inCat++
		}
	}
	if strings.HasPrefix(c.want, "cat:") {
		found = inCat >= 2
	}
	return found, "[" + strings.Join(got, " ") + "]"
}
