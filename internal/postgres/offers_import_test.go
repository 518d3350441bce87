package postgres_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/sample"
	"github.com/netzbot/netzbot/internal/postgres"
)

// Import is idempotent, and export → import (YAML and CSV) changes nothing.
func TestImportIsIdempotentAndExportRoundTrips(t *testing.T) {
	s := sampleStore(t)
	ctx := t.Context()
	f, _ := sample.File()
	res, err := s.Import(ctx, f, sample.Name, postgres.ImportOptions{})
	if err != nil || res.Unchanged != len(f.Offers) || res.Created+res.Updated != 0 {
		t.Fatalf("second import: %+v %v", res, err)
	}
	var n int
	s.Pool.QueryRow(ctx, `SELECT count(*) FROM offers`).Scan(&n)
	if n != len(f.Offers) {
		t.Errorf("%d offers after importing twice, want %d", n, len(f.Offers))
	}
	exp, err := s.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"yaml", "csv"} {
		var buf bytes.Buffer
		var back *offer.File
		if format == "yaml" {
			err = offer.WriteYAML(&buf, exp)
			if err == nil {
				back, err = offer.ParseYAML("export.yaml", buf.Bytes())
			}
		} else {
			err = offer.WriteCSV(&buf, exp)
			if err == nil {
				back, err = offer.ParseCSV("export.csv", buf.Bytes())
			}
		}
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		res, err := s.Import(ctx, back, "export."+format, postgres.ImportOptions{})
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if res.Created+res.Updated+res.Deactivated+res.OrgsCreated+res.OrgsUpdated != 0 || res.Unchanged != len(f.Offers) {
			t.Errorf("%s round trip changed something: %+v", format, res)
		}
	}
}

func TestImportUpdatesDryRunPruneAndReportsAllProblemsFirst(t *testing.T) {
	s := sampleStore(t)
	ctx := t.Context()
	f, _ := sample.File()
	changed := f.Offers[:3]
	changed[0].Texts["de"] = offer.Text{Title: "Neuer Titel", Status: offer.StatusOriginal}
	one := &offer.File{Organisations: f.Organisations, Offers: changed, Rows: f.Rows}
	res, err := s.Import(ctx, one, "x.yaml", postgres.ImportOptions{DryRun: true, Prune: true})
	if err != nil || res.Updated != 1 || res.Unchanged != 2 || res.Deactivated != len(f.Offers)-3-1 {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	var active int
	s.Pool.QueryRow(ctx, `SELECT count(*) FROM offers WHERE active`).Scan(&active)
	if active != len(f.Offers)-1 {
		t.Errorf("dry run changed the database: %d active", active)
	}
	res, err = s.Import(ctx, one, "x.yaml", postgres.ImportOptions{Prune: true})
	if err != nil || res.Updated != 1 {
		t.Fatalf("import: %+v %v", res, err)
	}
	var title string
	s.Pool.QueryRow(ctx, `SELECT t.title FROM offer_texts t JOIN offers o ON o.id = t.offer_id WHERE o.external_id = $1 AND t.lang = 'de'`, changed[0].ExternalID).Scan(&title)
	if title != "Neuer Titel" {
		t.Errorf("title %q not updated", title)
	}

	bad := `organisations:
  - id: ok-org
    name: Ok
offers:
  - id: Bad Id
    organisation: ok-org
    category: nosuch
    title: {de: "x"}
    venue: {kind: place, street: A 1, district: Atlantis, lat: 50.9}
    hours: {mon: ["12:00-09:00"]}
    contact: {email: not-an-email, website: ftp://x}
  - id: fine
    organisation: unknown-org
    category: work
    title: {de: "Fine"}
    venue: {kind: online}
`
	_, err = offer.ParseYAML("bad.yaml", []byte(bad))
	var probs offer.Problems
	if !errors.As(err, &probs) {
		t.Fatalf("want problems, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"bad.yaml:5: id:", "bad.yaml:5: category: unknown category \"nosuch\"", "bad.yaml:5: venue.district:",
		"bad.yaml:5: venue.lat:", "bad.yaml:5: hours.mon:", "bad.yaml:5: contact.email:", "bad.yaml:5: contact.website:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems lack %q:\n%s", want, msg)
		}
	}
	// A valid file whose offer names an unknown organisation changes nothing.
	good := strings.Replace(bad[strings.Index(bad, "  - id: fine"):], "", "", 1)
	gf, err := offer.ParseYAML("org.yaml", []byte("offers:\n"+good))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, gf, "org.yaml", postgres.ImportOptions{}); err == nil || !strings.Contains(err.Error(), "org.yaml:2: organisation: unknown organisation \"unknown-org\"") {
		t.Errorf("unknown organisation: %v", err)
	}
	csvBad := "id,organisation,category,title_de,lat\nx1,lernhaus,work,Titel,abc\nx2,lernhaus,nope,,\n"
	_, err = offer.ParseCSV("bad.csv", []byte(csvBad))
	if err == nil || !strings.Contains(err.Error(), "bad.csv:2: lat:") || !strings.Contains(err.Error(), "bad.csv:3: category:") {
		t.Errorf("csv problems: %v", err)
	}
}

// Inactive and expired offers are never found.
func TestInactiveAndExpiredOffersAreNeverListed(t *testing.T) {
	s := sampleStore(t)
	for _, q := range []offer.ListQuery{{Text: "Sommer 2021 intensiv"}, {Text: "Gemeindehaus eingestellt"}, {Category: "language", Limit: 50}, {Text: "Ferienprogramm"}} {
		q.Lang = "de"
		if q.Limit == 0 {
			q.Limit = 50
		}
		page, err := s.List(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range page.Hits {
			if id := h.Offer.ExternalID; id == "alt-sommerkurs" || id == "alt-inaktiv" || id == "wo-ferien" {
				t.Errorf("%+v listed %s", q, id)
			}
		}
	}
}
