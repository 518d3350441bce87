// Package offergen generates large offer directories and search queries
// for the search benchmarks: BenchmarkOfferSearch (internal/postgres) and
// scenario 2 of `netzbot bench` (internal/bench/search.go).
//
// The offers look like real ones: titles and descriptions in all 12 shipped
// languages are mostly ordinary prose with a few domain terms. The prose is
// cut from real text in each language (the bot's own messages in
// locales/*.toml and the sample directory's offer texts), so words come
// with their natural frequencies and word order; the domain terms are the
// category keywords (internal/offer/keywords.go), mostly of the offer's own
// category, sometimes of another. Common words of the domain ("Beratung",
// "курс", "Termin") therefore match hundreds of offers, a specific keyword
// tens to hundreds, a rare word a few.
//
//	f := offergen.Generate(offergen.Options{Offers: 10000, Seed: 1})
//	err := (&postgres.OfferStore{Pool: pool}).BulkLoad(ctx, f)
//	for _, q := range offergen.Queries(2000, 1) { … q.Lang, q.Text … }
//
// Everything is deterministic for a seed (and the same locale files).
package offergen

import (
	"fmt"
	"io/fs"
	"math/rand"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/sample"
	"github.com/netzbot/netzbot/internal/search"
	"github.com/netzbot/netzbot/locales"
)

// Options size a generated directory.
type Options struct {
	// Offers is the number of offers (10 000 if zero).
	Offers int
	// Organisations is the number of organisations (Offers/30, at least
	// one, if zero).
	Organisations int
	// Seed makes the data; the same seed gives the same directory.
	Seed int64
}

// Generate makes a directory of opt.Offers offers, each with a title and a
// description in every shipped language (locale.Supported). About 2 % of
// the offers are inactive and 3 % expired or not yet valid (on any day in
// 2026), so a search must leave them out. External ids are "gen-<n>" for
// offers and "gen-org-<n>" for organisations; offers refer to their
// organisation by external id, as in an import file.
func Generate(opt Options) *offer.File {
	if opt.Offers <= 0 {
		opt.Offers = 10000
	}
	if opt.Organisations <= 0 {
		opt.Organisations = max(1, opt.Offers/30)
	}
	c := loadCorpus()
	rng := rand.New(rand.NewSource(opt.Seed))
	f := &offer.File{Rows: map[string]int{}}
	for i := range opt.Organisations {
		f.Organisations = append(f.Organisations, genOrganisation(rng, c, i))
	}
	for i := range opt.Offers {
		g := f.Organisations[rng.Intn(len(f.Organisations))]
		f.Offers = append(f.Offers, genOffer(rng, c, i, g))
	}
	return f
}

// categoryWeights skews the categories as in a real directory: many
// language courses and counselling services, few emergency services.
var categoryWeights = map[string]int{
	"language": 11, "counselling": 10, "asylum": 7, "work": 8, "education": 8, "family": 8, "health": 7,
	"housing": 6, "women": 5, "youth": 5, "leisure": 8, "community": 8, "authorities": 5, "emergency": 4,
}

func pickCategory(rng *rand.Rand) string {
	total := 0
	for _, c := range offer.Categories {
		total += categoryWeights[c.ID]
	}
	n := rng.Intn(total)
	for _, c := range offer.Categories {
		if n -= categoryWeights[c.ID]; n < 0 {
			return c.ID
		}
	}
	return offer.Categories[0].ID
}

// slot picks a keyword position, the first (most common) ones more often.
// The same slot is used in every language of an offer, so its texts name
// roughly the same things, as translations do.
func slot(rng *rand.Rand) int {
	return int(rng.ExpFloat64() * 2.5)
}

func keyword(cat, lang string, slot int) string {
	kws := search.Default().CategoryKeywords[cat][lang]
	if len(kws) == 0 {
		return ""
	}
	return kws[slot%len(kws)]
}

// sentence is a plan for one sentence of a description, realised in
// every language.
type sentence struct {
	words      int    // words of prose
	domainCat  string // "" none, else a keyword of this category is put in
	domainSlot int
	at         float64 // where in the sentence, 0…1
}

func genOffer(rng *rand.Rand, c *corpus, i int, g offer.Organisation) offer.Offer {
	cat := pickCategory(rng)
	o := offer.Offer{
		ExternalID:     fmt.Sprintf("gen-%d", i+1),
		Organisation:   offer.Organisation{ID: -1, ExternalID: g.ExternalID},
		Category:       cat,
		SourceLanguage: "de",
		Texts:          map[string]offer.Text{},
		Cost:           []string{offer.CostFree, offer.CostFree, offer.CostFree, offer.CostReduced, offer.CostFee}[rng.Intn(5)],
		CostNote:       map[string]string{},
		HoursNote:      map[string]string{},
		Active:         rng.Intn(50) != 0,
		Languages:      []string{"de"},
	}
	for range rng.Intn(3) {
		t := keyword(cat, "de", slot(rng))
		if !contains(o.Tags, t) {
			o.Tags = append(o.Tags, t)
		}
	}
	for range rng.Intn(4) {
		l := offer.SpokenLanguages[rng.Intn(len(offer.SpokenLanguages))]
		if !contains(o.Languages, l) {
			o.Languages = append(o.Languages, l)
		}
	}
	o.TargetGroups = []string{offer.TargetGroups[rng.Intn(len(offer.TargetGroups))]}
	switch r := rng.Intn(100); {
	case r < 2: // expired
		d := offer.Date{Year: 2025, Month: time.Month(1 + rng.Intn(12)), Day: 1 + rng.Intn(28)}
		o.ValidUntil = &d
	case r < 3: // not yet valid
		d := offer.Date{Year: 2027, Month: time.Month(1 + rng.Intn(12)), Day: 1 + rng.Intn(28)}
		o.ValidFrom = &d
	case r < 15: // a term in 2026
		from, until := offer.Date{Year: 2025, Month: 9, Day: 1}, offer.Date{Year: 2026, Month: 12, Day: 31}
		o.ValidFrom, o.ValidUntil = &from, &until
	}
	switch r := rng.Intn(20); {
	case r == 0:
		o.Venue = offer.Venue{Kind: offer.VenuePhone}
	case r < 3:
		o.Venue = offer.Venue{Kind: offer.VenueOnline}
	default:
		district := offer.Districts[rng.Intn(len(offer.Districts))]
		o.Venue = offer.Venue{
			Kind:      offer.VenuePlace,
			Name:      c.fragment(rng, "de", 1+rng.Intn(2)),
			Street:    fmt.Sprintf("%s %d", streets[rng.Intn(len(streets))], 1+rng.Intn(120)),
			Postcode:  fmt.Sprintf("990%02d", 84+rng.Intn(16)),
			District:  district,
			Lat:       50.93 + rng.Float64()*0.10,
			Lon:       10.96 + rng.Float64()*0.12,
			HasCoords: true,
		}
	}
	days := rng.Perm(5)[:1+rng.Intn(3)]
	sort.Ints(days)
	for _, d := range days {
		open := 8*60 + 30*rng.Intn(12)
		o.Hours = append(o.Hours, offer.Range{Weekday: d + 1, Open: open, Close: open + 60*(1+rng.Intn(4))})
	}
	o.ByAppointment = rng.Intn(4) == 0

	// The plan of the texts, realised in every language.
	titleSlot := slot(rng)
	titleExtra := rng.Intn(4) // 0: keyword only, 1: + district, 2-3: + a few words
	var plan []sentence
	for range 2 + rng.Intn(4) {
		s := sentence{words: 4 + rng.Intn(8), at: rng.Float64()}
		switch r := rng.Intn(100); {
		case r < 25:
			s.domainCat, s.domainSlot = cat, slot(rng)
		case r < 30:
			s.domainCat, s.domainSlot = offer.Categories[rng.Intn(len(offer.Categories))].ID, slot(rng)
		}
		plan = append(plan, s)
	}
	for _, l := range locale.Supported {
		title := keyword(cat, l, titleSlot)
		switch {
		case titleExtra == 1 && o.Venue.District != "":
			title += " " + o.Venue.District
		case titleExtra >= 2:
			title += " – " + c.fragment(rng, l, titleExtra)
		}
		var desc []string
		for _, s := range plan {
			words := strings.Fields(c.fragment(rng, l, s.words))
			if kw := keyword(s.domainCat, l, s.domainSlot); kw != "" {
				at := int(s.at * float64(len(words)+1))
				at = min(at, len(words))
				words = append(words[:at], append([]string{kw}, words[at:]...)...)
			}
			if len(words) > 0 {
				words[0] = capitalise(words[0])
				desc = append(desc, strings.Join(words, " ")+".")
			}
		}
		status := offer.StatusOriginal
		if l != o.SourceLanguage {
			status = []string{offer.StatusReviewed, offer.StatusMachine}[rng.Intn(2)]
		}
		o.Texts[l] = offer.Text{Title: capitalise(title), Description: strings.Join(desc, " "), Status: status}
	}
	return o
}

func genOrganisation(rng *rand.Rand, c *corpus, i int) offer.Organisation {
	kind := orgKinds[rng.Intn(len(orgKinds))]
	var name string
	switch rng.Intn(3) {
	case 0:
		name = kind + " " + offer.Districts[rng.Intn(len(offer.Districts))]
	case 1:
		name = kind + " " + capitalise(c.fragment(rng, "de", 1))
	default:
		name = capitalise(keyword(offer.Categories[rng.Intn(len(offer.Categories))].ID, "de", slot(rng))) + " " + kind
	}
	name += []string{"", "", " e.V.", " gGmbH"}[rng.Intn(4)]
	id := fmt.Sprintf("gen-org-%d", i+1)
	return offer.Organisation{
		ID:          -1,
		ExternalID:  id,
		Name:        name,
		Description: map[string]string{"de": capitalise(c.fragment(rng, "de", 6+rng.Intn(6))) + "."},
		Email:       "info@" + id + ".example.org",
		Phone:       fmt.Sprintf("+49 361 555 %04d", rng.Intn(10000)),
	}
}

var orgKinds = []string{"Verein", "Zentrum", "Haus", "Initiative", "Netzwerk", "Treffpunkt", "Büro",
	"Werkstatt", "Bündnis", "Forum", "Stiftung", "Projekt", "Dienst", "Beratungsstelle", "Café"}

// streets are real street names in Erfurt.
var streets = []string{"Anger", "Johannesstraße", "Juri-Gagarin-Ring", "Krämerbrücke", "Marktstraße",
	"Bahnhofstraße", "Magdeburger Allee", "Leipziger Straße", "Nordhäuser Straße", "Stauffenbergallee",
	"Schillerstraße", "Löberstraße", "Gothaer Straße", "Moskauer Straße", "Berliner Straße", "Häßlerstraße"}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func capitalise(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// corpus holds running text per language, as words in their order, and
// the words of the category keywords per language.
type corpus struct {
	words    map[string][]string
	keywords map[string]map[string]bool
}

var (
	corpusOnce sync.Once
	theCorpus  *corpus
)

func loadCorpus() *corpus {
	corpusOnce.Do(func() {
		c, err := buildCorpus()
		if err != nil {
			panic("offergen: " + err.Error()) // embedded files: a bug, not an input error
		}
		theCorpus = c
	})
	return theCorpus
}

// fragment is n consecutive words of running text in lang, from a random
// place. The bot's messages and the sample offers talk about the domain
// more than offers do, so a place whose words include a category keyword
// is mostly passed over: the domain terms of a text are the ones genOffer
// puts in.
func (c *corpus) fragment(rng *rand.Rand, lang string, n int) string {
	w := c.words[lang]
	if len(w) == 0 || n <= 0 {
		return ""
	}
	n = min(n, len(w))
	var at int
	for try := 0; try < 4; try++ {
		at = rng.Intn(len(w) - n + 1)
		domain := false
		for _, x := range w[at : at+n] {
			if c.keywords[lang][strings.ToLower(x)] {
				domain = true
				break
			}
		}
		if !domain {
			break
		}
	}
	return strings.Join(w[at:at+n], " ")
}

var (
	markupRe = regexp.MustCompile(`\{\{.*?\}\}|<[^>]*>|&[a-z]+;|&#\d+;|https?://\S+|\S+@\S+|/[a-z_]+`)
	wordRe   = regexp.MustCompile(`[\p{L}\p{M}][\p{L}\p{M}\p{N}'’\x{200c}-]*`)
)

// buildCorpus reads the message texts of every locale (not the translator
// notes) and the sample directory's texts.
func buildCorpus() (*corpus, error) {
	c := &corpus{words: map[string][]string{}, keywords: map[string]map[string]bool{}}
	for _, cat := range search.Default().CategoryKeywords {
		for lang, kws := range cat {
			if c.keywords[lang] == nil {
				c.keywords[lang] = map[string]bool{}
			}
			for _, k := range kws {
				for _, w := range strings.Fields(strings.ToLower(k)) {
					c.keywords[lang][w] = true
				}
			}
		}
	}
	add := func(lang, text string) {
		text = markupRe.ReplaceAllString(text, " ")
		for _, w := range wordRe.FindAllString(text, -1) {
			w = strings.TrimRight(w, "-'’\u200c")
			if w != "" {
				c.words[lang] = append(c.words[lang], w)
			}
		}
	}
	files, err := fs.Glob(locales.FS, "*.toml")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, name := range files {
		parts := strings.Split(strings.TrimSuffix(path.Base(name), ".toml"), ".")
		lang := parts[len(parts)-1]
		if !locale.IsSupported(lang) {
			continue
		}
		data, err := fs.ReadFile(locales.FS, name)
		if err != nil {
			return nil, err
		}
		var msgs map[string]any
		if err := toml.Unmarshal(data, &msgs); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		ids := make([]string, 0, len(msgs))
		for id := range msgs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			m, ok := msgs[id].(map[string]any)
			if !ok {
				continue
			}
			for _, form := range []string{"zero", "one", "two", "few", "many", "other"} {
				if s, ok := m[form].(string); ok {
					add(lang, s)
				}
			}
		}
	}
	f, err := sample.File()
	if err != nil {
		return nil, err
	}
	for _, o := range f.Offers {
		for _, l := range locale.Supported {
			if t, ok := o.Texts[l]; ok {
				add(l, t.Title+". "+t.Description)
			}
		}
	}
	for _, l := range locale.Supported {
		if len(c.words[l]) < 100 {
			return nil, fmt.Errorf("too little text in %s (%d words)", l, len(c.words[l]))
		}
	}
	return c, nil
}
