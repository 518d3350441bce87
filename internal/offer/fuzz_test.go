package offer_test

import (
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/sample"
)

// Fuzz targets of the offer directory's untrusted inputs: what users type
// into the search, and the import files. No input may panic or hang.

func FuzzImportYAML(f *testing.F) {
	f.Add(sample.YAML)
	for _, s := range []string{
		"organisations:\n  - id: a\n    name: A\n",
		"offers:\n  - id: x\n    organisation: a\n    category: language\n    title: {de: Kurs}\n",
		"a: &a [x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n", // aliases
		"offers: [[[[[[[[[[]]]]]]]]]]", "organisations: {", "\t- x", "offers:\n  - ~\n", "---\n---\n", "",
		"offers:\n  - id: \"\\u202e\"\n    hours: {mon: [\"25:00-26:00\", \"x\"]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := offer.ParseYAML("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, o := range file.Offers {
			if o.ExternalID == "" {
				t.Fatalf("accepted an offer without id from %q", data)
			}
		}
	})
}

func FuzzImportCSV(f *testing.F) {
	header := strings.Join(offer.CSVHeader(), ",")
	for _, s := range []string{
		header + "\n",
		"id,organisation,category,title_de\nx,a,language,Kurs\n",
		"id,organisation,category\n\"unterminated,a,b\n",
		"\ufeffid,organisation,category\nx,a,language\n",
		"id,id,id\n1,2,3\n", ",,,\n,,,\n", "", "\xff\xfe\x00",
		"id,organisation,category,hours\nx,a,language,mon 09:00-12:00 13:00-16:00; wed 10:00-12:00\n",
		"id,organisation,category,hours\nx,a,language,mon 99:99-00:00;;;\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := offer.ParseCSV("fuzz.csv", data)
		if err != nil {
			return
		}
		for _, o := range file.Offers {
			if o.ExternalID == "" {
				t.Fatalf("accepted an offer without id from %q", data)
			}
		}
	})
}
