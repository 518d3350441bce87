package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

// The office adds a synonym from `report searches` in one step; a search
// with it finds the concept's offers at once; a bad file changes nothing
// and says where; importing the same file twice adds nothing.
func TestLexiconAdditionsFromTheOffice(t *testing.T) {
	clearEnv(t)
	db := pgtest.New(t)
	t.Setenv("DATABASE_URL", db.DSN)
	ctx := context.Background()
	dir := t.TempDir()
	offers := filepath.Join(dir, "offers.yaml")
	os.WriteFile(offers, []byte(`organisations:
  - {id: zahn, name: Zahnarztpraxis am Dom}
offers:
  - id: zahn-sprechstunde
    organisation: zahn
    category: health
    title: {de: "Zahnärztliche Sprechstunde für Menschen ohne Versicherung"}
    description: {de: "Behandlung von Zahnschmerzen, auch mit Behandlungsschein."}
    venue: {kind: phone}
`), 0o644)
	if code, _, errOut := runCmd(t, ctx, "", "import", "offers", offers); code != 0 {
		t.Fatalf("import offers: %s", errOut)
	}
	// A made-up word nobody shipped: nothing is found, the miss is counted.
	s := &postgres.OfferStore{Pool: db.Pool}
	word := "zubzubdokter"
	page, err := s.List(ctx, offer.ListQuery{Text: word, Lang: "tr", Limit: 3})
	if err != nil || len(page.Hits) != 0 {
		t.Fatalf("before: %v %v", page, err)
	}
	if err := s.RecordMiss(ctx, word, "tr"); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRequest(ctx, "Zahnarzt Kinder Samstag", "de"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, ctx, "", "report", "searches")
	if code != 0 || !strings.Contains(out, word) || !strings.Contains(out, "Asked the network office for") ||
		!strings.Contains(out, "zahnarzt kinder samstag") || !strings.Contains(out, "a known need (dentist), met by 1 current offers") {
		t.Errorf("report: %d %s %s", code, out, errOut)
	}

	code, out, errOut = runCmd(t, ctx, "", "lexicon", "add", "dentist", "tr", word)
	if code != 0 || !strings.Contains(out, "1 new terms for 1 concepts") || !strings.Contains(out, "dentist: 1 current offers") {
		t.Fatalf("lexicon add: %d %s %s", code, out, errOut)
	}
	// A new store, as a bot started now (a running one reloads after the
	// NOTIFY), finds the offer by the new word.
	page, err = (&postgres.OfferStore{Pool: db.Pool}).List(ctx, offer.ListQuery{Text: word, Lang: "tr", Limit: 3})
	if err != nil || len(page.Hits) != 1 || page.Hits[0].Offer.ExternalID != "zahn-sprechstunde" {
		t.Fatalf("after: %+v %v", page, err)
	}

	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("concepts:\n  - id: dentist\n    terms: {tr: [dişçi]}\n  - id: laptop_repair\n    terms: {de: [Laptop reparieren]}\n  - id: child_benefit\n    trems: {de: [Kindergeldantrag]}\n"), 0o644)
	code, _, errOut = runCmd(t, ctx, "", "import", "lexicon", bad)
	if code == 0 || !strings.Contains(errOut, `bad.yaml:7: unknown field "trems" (did you mean "terms"?)`) {
		t.Errorf("a misspelt field: %d %s", code, errOut)
	}
	os.WriteFile(bad, []byte("concepts:\n  - id: dentist\n    terms: {tr: [dişçi]}\n  - id: laptop_repair\n    terms: {de: [Laptop reparieren]}\n"), 0o644)
	code, _, errOut = runCmd(t, ctx, "", "import", "lexicon", bad)
	if code == 0 || !strings.Contains(errOut, "bad.yaml:4: laptop_repair: not a concept of the lexicon: a new concept needs a category") {
		t.Errorf("an unknown concept: %d %s", code, errOut)
	}
	var n int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM lexicon_additions`).Scan(&n)
	if n != 1 {
		t.Errorf("%d additions after the refused file, want 1", n)
	}

	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("concepts:\n  - id: dentist\n    terms: {tr: [dişçi randevusu], ar: [حكيم سنان]}\n"), 0o644)
	for i, want := range []string{"2 new terms for 1 concepts", "0 new terms for 1 concepts (2 already there)"} {
		code, out, errOut = runCmd(t, ctx, "", "import", "lexicon", good)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("import %d: %d %q %s, want %q", i+1, code, out, errOut, want)
		}
	}
}
