package postgres_test

import (
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

// A German compound the index does not know is searched as the two known
// words it is made of, and an offer must hold both: "Zauberwerkstatt"
// finds the magic workshop, not every workshop.
func TestSearchSplitsUnknownCompoundsAgainstTheIndex(t *testing.T) {
	db := pgtest.New(t)
	s := &postgres.OfferStore{Pool: db.Pool}
	f, err := offer.ParseYAML("compound.yaml", []byte(`organisations:
  - {id: kunst, name: Kunstverein}
offers:
  - id: zauber
    organisation: kunst
    category: leisure
    title: {de: "Werkstatt für kleine Zauberer: Zauber und Tricks"}
    venue: {kind: phone}
  - id: holz
    organisation: kunst
    category: leisure
    title: {de: "Offene Werkstatt: Holz und Metall"}
    venue: {kind: phone}
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(t.Context(), f, "compound.yaml", postgres.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"Zauberwerkstatt", "Zauberwerkstatt am Samstag"} {
		p, err := s.List(t.Context(), offer.ListQuery{Text: q, Lang: "de", Today: time.Now(), Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Hits) != 1 || p.Hits[0].Offer.ExternalID != "zauber" {
			var got []string
			for _, h := range p.Hits {
				got = append(got, h.Offer.ExternalID)
			}
			t.Errorf("%q: %v, want [zauber]", q, got)
		}
	}
}
