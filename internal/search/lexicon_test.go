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
