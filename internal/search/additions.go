package search

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/netzbot/netzbot/internal/offer"
)

// The network office extends the lexicon with files of the same format
// (`netzbot import lexicon FILE`) or a synonym at a time (`netzbot lexicon
// add`). An addition may extend a shipped concept with a few terms, or add
// a concept; either must keep the lexicon's rules.

// Clone is a deep copy of src, so that additions can be tried on it.
func (src *Source) Clone() *Source {
	out := &Source{Categories: slices.Clone(src.Categories), Phrases: src.Phrases}
	for _, c := range src.Concepts {
		c.Offer = slices.Clone(c.Offer)
		c.Related = slices.Clone(c.Related)
		c.Ambiguous = slices.Clone(c.Ambiguous)
		terms := make(map[string][]string, len(c.Terms))
		for l, ts := range c.Terms {
			terms[l] = slices.Clone(ts)
		}
		c.Terms = terms
		c.termSource = maps.Clone(c.termSource)
		out.Concepts = append(out.Concepts, c)
	}
	return out
}

// CheckAdditions checks additions against the lexicon base they extend
// (the shipped one with the additions stored so far). problems keep the
// additions out (an unknown category or language, a generic word, a term
// that now means two unrelated things); warnings do not (a new concept
// without terms in some language: people typing it will not find it yet).
func CheckAdditions(base, add *Source) (problems, warnings Problems) {
	known := map[string]Concept{}
	for _, c := range base.Concepts {
		known[c.ID] = c
	}
	at := func(c Concept, msg string, args ...any) offer.Problem {
		file, line := c.Source, 0
		if i := strings.LastIndexByte(c.Source, ':'); i > 0 {
			file = c.Source[:i]
			fmt.Sscan(c.Source[i+1:], &line)
		}
		return offer.Problem{File: file, Row: line, Field: c.ID, Message: fmt.Sprintf(msg, args...)}
	}
	for _, c := range add.Concepts {
		old, ok := known[c.ID]
		switch {
		case c.ID == "":
			problems = append(problems, at(c, "a concept needs an id"))
		case !ok && c.Category == "":
			problems = append(problems, at(c, "not a concept of the lexicon: a new concept needs a category (%s)", categoryIDs()))
		case ok && c.Category != "" && c.Category != old.Category:
			problems = append(problems, at(c, "category %q: the concept is in %q, which an addition cannot change", c.Category, old.Category))
		case !ok && len(c.Offer) == 0:
			problems = append(problems, at(c, "a new concept needs offer terms (the German words offers use)"))
		}
		for l := range c.Terms {
			if !slices.Contains(Languages, l) {
				problems = append(problems, at(c, "unknown language %q (expected one of %s)", l, strings.Join(Languages, ", ")))
			}
		}
	}
	bad := map[string]bool{}
	for _, p := range problems {
		bad[p.Field] = true
	}
	merged := base.Clone()
	merged.Merge(add)
	before := map[string]bool{}
	for _, p := range base.Validate() {
		before[p.Error()] = true
	}
	for _, p := range merged.Validate() {
		if before[p.Error()] || bad[p.Field] {
			continue
		}
		if strings.HasPrefix(p.Message, "no terms in ") || strings.HasPrefix(p.Message, "unknown language") {
			if strings.HasPrefix(p.Message, "no terms in ") {
				warnings = append(warnings, p)
			}
			continue
		}
		problems = append(problems, p)
	}
	return problems, warnings
}

func categoryIDs() string {
	var ids []string
	for _, c := range offer.Categories {
		ids = append(ids, c.ID)
	}
	return strings.Join(ids, ", ")
}

// Terms counts the terms of the source's concepts.
func (src *Source) Terms() int {
	n := 0
	for _, c := range src.Concepts {
		n += len(c.Offer) + len(c.Ambiguous)
		for ts := range maps.Values(c.Terms) {
			n += len(ts)
		}
	}
	return n
}
