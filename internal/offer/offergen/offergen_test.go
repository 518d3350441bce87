package offergen_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/offergen"
	"github.com/netzbot/netzbot/internal/offer/sample"
	"github.com/netzbot/netzbot/internal/search"
)

// Generated offers are deterministic, complete in every language, and
// realistic: a common word of the domain is in many offers but far from
// all, a whole keyword phrase in fewer, and most words of a text are not
// keywords at all.
func TestGenerateIsDeterministicRealisticAndComplete(t *testing.T) {
	f := offergen.Generate(offergen.Options{Offers: 2000, Seed: 7})
	if g := offergen.Generate(offergen.Options{Offers: 2000, Seed: 7}); !reflect.DeepEqual(f.Offers[:50], g.Offers[:50]) {
		t.Fatal("same seed, different offers")
	}
	if len(f.Offers) != 2000 || len(f.Organisations) == 0 {
		t.Fatalf("%d offers, %d organisations", len(f.Offers), len(f.Organisations))
	}
	orgs := map[string]bool{}
	for _, g := range f.Organisations {
		orgs[g.ExternalID] = true
	}
	keywordWords := map[string]bool{}
	for _, c := range search.Default().CategoryKeywords {
		for _, kws := range c {
			for _, k := range kws {
				for _, w := range strings.Fields(strings.ToLower(k)) {
					keywordWords[w] = true
				}
			}
		}
	}
	contains := func(lang, word string) int {
		n := 0
		for _, o := range f.Offers {
			t := o.Texts[lang]
			if strings.Contains(strings.ToLower(t.Title+" "+t.Description), word) {
				n++
			}
		}
		return n
	}
	words, domain := 0, 0
	inactive, titles := 0, map[string]bool{}
	for _, o := range f.Offers {
		if !orgs[o.Organisation.ExternalID] {
			t.Fatalf("%s: unknown organisation %s", o.ExternalID, o.Organisation.ExternalID)
		}
		if _, ok := offer.CategoryByID(o.Category); !ok {
			t.Fatalf("%s: category %q", o.ExternalID, o.Category)
		}
		if !o.Active {
			inactive++
		}
		for _, l := range locale.Supported {
			tx := o.Texts[l]
			if tx.Title == "" || len(strings.Fields(tx.Description)) < 5 {
				t.Fatalf("%s %s: %+v", o.ExternalID, l, tx)
			}
		}
		titles[o.Texts["de"].Title] = true
		for _, w := range strings.Fields(strings.ToLower(o.Texts["de"].Description)) {
			words++
			if keywordWords[strings.Trim(w, ".")] {
				domain++
			}
		}
	}
	if inactive == 0 || inactive > len(f.Offers)/10 {
		t.Errorf("%d inactive offers", inactive)
	}
	if len(titles) < len(f.Offers)/4 {
		t.Errorf("only %d different German titles", len(titles))
	}
	if share := float64(domain) / float64(words); share > 0.3 {
		t.Errorf("%.0f%% of the words of descriptions are keyword words; want mostly ordinary prose", 100*share)
	}
	for _, c := range []struct {
		lang, word string
	}{{"de", "beratung"}, {"ru", "курс"}, {"uk", "курс"}, {"en", "help"}} {
		// In 2000 offers: many (hundreds in 10 000), far from all.
		if n := contains(c.lang, c.word); n < 40 || n > len(f.Offers)/2 {
			t.Errorf("%q is in %d of %d offers", c.word, n, len(f.Offers))
		}
	}
}

// Queries are the quality set and typos of it, shuffled.
func TestQueriesAreTheQualitySetAndTypos(t *testing.T) {
	qs := offergen.Queries(2000, 1)
	if len(qs) != 2000 {
		t.Fatalf("%d queries", len(qs))
	}
	quality := map[string]bool{}
	for _, q := range sample.Queries {
		quality[q.Lang+" "+q.Text] = true
	}
	seen, typos, langs := map[string]bool{}, 0, map[string]bool{}
	for _, q := range qs {
		langs[q.Lang] = true
		if q.Typo {
			typos++
			if quality[q.Lang+" "+q.Text] {
				t.Errorf("typo %q is a quality query", q.Text)
			}
		} else {
			seen[q.Lang+" "+q.Text] = true
		}
	}
	if len(seen) != len(quality) || typos != 2000-len(sample.Queries) || len(langs) != 12 {
		t.Errorf("%d of %d quality queries, %d typos, %d languages", len(seen), len(quality), typos, len(langs))
	}
	if !reflect.DeepEqual(qs, offergen.Queries(2000, 1)) {
		t.Error("same seed, different queries")
	}
	if few := offergen.Queries(20, 1); len(few) != 20 {
		t.Errorf("%d queries, want 20", len(few))
	}
}
