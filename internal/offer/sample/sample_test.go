package sample_test

import (
	"os"
	"testing"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/sample"
)

// The sample data is valid and covers what the issue asks of it.
func TestSampleDataIsValidAndRich(t *testing.T) {
	f, err := sample.File()
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Organisations) < 30 || len(f.Offers) < 80 {
		t.Errorf("%d organisations, %d offers; want at least 30 and 80", len(f.Organisations), len(f.Offers))
	}
	cats, districts := map[string]int{}, map[string]bool{}
	onlyDE, many := 0, 0
	for _, o := range f.Offers {
		cats[o.Category]++
		districts[o.Venue.District] = true
		if _, ok := o.Texts["de"]; !ok {
			t.Errorf("%s: no German text", o.ExternalID)
		}
		if len(o.Texts) == 1 {
			onlyDE++
		} else if _, ok := o.Texts["en"]; !ok {
			t.Errorf("%s: no English text", o.ExternalID)
		}
		if len(o.Texts) >= 5 {
			many++
		}
	}
	for _, c := range offer.Categories {
		if cats[c.ID] < 3 {
			t.Errorf("category %s has %d offers, want at least 3", c.ID, cats[c.ID])
		}
	}
	if len(districts) < 12 {
		t.Errorf("offers in %d districts, want many", len(districts))
	}
	if onlyDE < 3 || many < len(f.Offers)/2 {
		t.Errorf("%d offers only in German, %d in 5+ languages", onlyDE, many)
	}
}

// The example files in testdata/ (README) are valid and say the same.
func TestExampleFilesParse(t *testing.T) {
	y, err := os.ReadFile("../../../testdata/offers.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := os.ReadFile("../../../testdata/offers.csv")
	if err != nil {
		t.Fatal(err)
	}
	fy, err := offer.ParseYAML("offers.yaml", y)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := offer.ParseCSV("offers.csv", c)
	if err != nil {
		t.Fatal(err)
	}
	if len(fy.Offers) != len(fc.Offers) || len(fy.Offers) == 0 {
		t.Fatalf("yaml %d offers, csv %d", len(fy.Offers), len(fc.Offers))
	}
	for i := range fy.Offers {
		if fy.Offers[i].Hash() != fc.Offers[i].Hash() {
			t.Errorf("%s differs between YAML and CSV", fy.Offers[i].ExternalID)
		}
	}
}
