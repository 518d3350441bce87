package search_test

import (
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/search"
)

// TestLexiconValid holds the shipped lexicon to the rules of
// docs/lexicon.md: every concept in all 12 languages with offer terms,
// known categories and parents, no term shared by unrelated concepts
// unless marked ambiguous, no generic word as a term.
func TestLexiconValid(t *testing.T) {
	src, ps := search.LoadBuiltin()
	ps = append(ps, src.Validate()...)
	for _, p := range ps {
		t.Error(p)
	}
	if len(ps) == 0 {
		if n := len(src.Concepts); n < 400 {
			t.Errorf("%d concepts; the lexicon needs at least 400", n)
		}
	}
}

// TestLexiconCategories keeps a keyword list for every category in every
// language (they were internal/offer/keywords.go).
func TestLexiconCategories(t *testing.T) {
	lx := search.Default()
	if len(lx.CategoryKeywords) != 14 {
		t.Errorf("keywords for %d categories, want 14", len(lx.CategoryKeywords))
	}
	for _, cat := range []string{"language", "counselling", "asylum", "work", "education", "family", "health", "housing", "women", "youth", "leisure", "community", "authorities", "emergency"} {
		for _, l := range search.Languages {
			if len(lx.CategoryKeywords[cat][l]) < 3 {
				t.Errorf("%s/%s: %d keywords", cat, l, len(lx.CategoryKeywords[cat][l]))
			}
		}
	}
}

func TestParseReportsUnknownFields(t *testing.T) {
	var src search.Source
	ps := search.Parse("x.yaml", []byte("concepts:\n  - id: a\n    category: health\n    trems: {de: [x]}\n"), &src)
	if len(ps) != 1 || !strings.Contains(ps[0].Error(), `x.yaml:4: unknown field "trems" (did you mean "terms"?)`) {
		t.Errorf("problems = %v", ps)
	}
	ps = search.Parse("y.yaml", []byte("concept:\n  - id: a\n"), &src)
	if len(ps) != 1 || !strings.Contains(ps[0].Error(), "y.yaml:1:") || !strings.Contains(ps[0].Error(), "concept") {
		t.Errorf("problems = %v", ps)
	}
}

// The office's additions are checked against the lexicon: a synonym for a
// known concept is fine, an unknown concept without category, an unknown
// language or a term shared with an unrelated concept are problems, a
// new concept missing languages only a warning.
func TestCheckAdditions(t *testing.T) {
	base, ps := search.LoadBuiltin()
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	parse := func(y string) *search.Source {
		var s search.Source
		if ps := search.Parse("office.yaml", []byte(y), &s); len(ps) > 0 {
			t.Fatal(ps)
		}
		return &s
	}
	probs, warns := search.CheckAdditions(base, parse("concepts:\n  - id: dentist\n    terms: {tr: [dişçi randevusu]}\n"))
	if len(probs) != 0 || len(warns) != 0 {
		t.Errorf("a synonym: problems %v, warnings %v", probs, warns)
	}
	probs, _ = search.CheckAdditions(base, parse("concepts:\n  - id: laptop_repair\n    terms: {xx: [laptop]}\n"))
	if len(probs) != 2 || !strings.Contains(probs.Error(), "office.yaml:2: laptop_repair: not a concept of the lexicon: a new concept needs a category") ||
		!strings.Contains(probs.Error(), `unknown language "xx"`) {
		t.Errorf("problems %v", probs)
	}
	probs, warns = search.CheckAdditions(base, parse("concepts:\n  - id: bike_repair_women\n    category: leisure\n    offer: [Fahrradreparatur für Frauen]\n    terms: {de: [Fahrrad reparieren Frauen]}\n"))
	if len(probs) != 0 || len(warns) != 11 {
		t.Errorf("new concept in German only: problems %v, %d warnings", probs, len(warns))
	}
	probs, _ = search.CheckAdditions(base, parse("concepts:\n  - id: dentist\n    terms: {de: [Kindergeld]}\n"))
	if len(probs) == 0 || !strings.Contains(probs.Error(), "kindergeld") {
		t.Errorf("a term of another concept: problems %v", probs)
	}
}
