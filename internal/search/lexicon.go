package search

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/netzbot/netzbot/internal/offer"
)

// Outside is the category of the concepts of requests no member offers
// (flights, the weather, car repair: outside.yaml): a query about one of
// them is answered "nothing fits", not with an offer that shares a word.
// No offer is tagged with them.
const Outside = "outside"

// Languages are the shipped languages; every concept has terms in each.
var Languages = []string{"de", "en", "ar", "fa", "ps", "uk", "ru", "tr", "ku", "ti", "ro", "vi"}

// Concept is one need of the integration domain below the category level
// ("converting a foreign driving licence"), with the German words offers
// use for it and the words people type for it in every language. A query
// and an offer that share a concept fit each other even when they share
// no word: that is how a Tigrinya question finds a German-only offer.
type Concept struct {
	ID       string              `yaml:"id"`
	Category string              `yaml:"category"`
	Parent   string              `yaml:"parent,omitempty"`
	Related  []string            `yaml:"related,omitempty"`
	Offer    []string            `yaml:"offer"`
	Terms    map[string][]string `yaml:"terms"`
	// Ambiguous are terms knowingly shared with unrelated concepts: they
	// count for less.
	Ambiguous []string `yaml:"ambiguous,omitempty"`

	// Where the concept was defined, for problems: file:line.
	Source string `yaml:"-"`
	// termSource is where terms merged in from another file were defined
	// (folded term -> file:line), so that a problem points there.
	termSource map[string]string
}

// CategoryTerms are the words that name a whole category, per language.
type CategoryTerms struct {
	ID    string              `yaml:"id"`
	Terms map[string][]string `yaml:"terms"`
}

// Phrases are the words of a language that say nothing about the need:
// stop words and need phrases are removed from a query; generic words stay
// but never pull an offer in on their own.
type Phrases struct {
	Stop    map[string][]string `yaml:"stop"`
	Need    map[string][]string `yaml:"need"`
	Generic map[string][]string `yaml:"generic"`
}

// Source is the parsed content of lexicon files, before it is compiled.
type Source struct {
	Concepts   []Concept
	Categories []CategoryTerms
	Phrases    Phrases
}

// Problems are reported like an offer file's (offer.Problem): all of
// them together, "file:line: concept: problem", so that a file is fixed in
// one go.
type Problems = offer.Problems

//go:embed lexicon/*.yaml
var builtin embed.FS

// lexiconFile is the YAML of one lexicon file.
type lexiconFile struct {
	Concepts   []lineConcept       `yaml:"concepts"`
	Categories []CategoryTerms     `yaml:"categories"`
	Stop       map[string][]string `yaml:"stop"`
	Need       map[string][]string `yaml:"need"`
	Generic    map[string][]string `yaml:"generic"`
}

// lineConcept is a Concept that remembers its line.
type lineConcept struct {
	Concept
	line int
}

var conceptFields = []string{"id", "category", "parent", "related", "offer", "terms", "ambiguous"}

func (c *lineConcept) UnmarshalYAML(n *yaml.Node) error {
	c.line = n.Line
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !slices.Contains(conceptFields, k.Value) {
				msg := fmt.Sprintf("line %d: unknown field %q", k.Line, k.Value)
				if s := closest(k.Value, conceptFields); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				return errors.New(msg)
			}
		}
	}
	return n.Decode(&c.Concept)
}

// Parse reads one lexicon file into src. Unknown fields are problems, so
// that a misspelt "terms" does not silently drop a concept's words.
func Parse(name string, data []byte, into *Source) Problems {
	var f lexiconFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		var ps Problems
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, e := range te.Errors {
				ps = append(ps, yamlProblem(name, e))
			}
			return ps
		}
		return Problems{yamlProblem(name, err.Error())}
	}
	for _, c := range f.Concepts {
		c.Source = fmt.Sprintf("%s:%d", name, c.line)
		into.Concepts = append(into.Concepts, c.Concept)
	}
	into.Categories = append(into.Categories, f.Categories...)
	for _, m := range []struct {
		from map[string][]string
		to   *map[string][]string
	}{{f.Stop, &into.Phrases.Stop}, {f.Need, &into.Phrases.Need}, {f.Generic, &into.Phrases.Generic}} {
		if len(m.from) > 0 && *m.to == nil {
			*m.to = map[string][]string{}
		}
		for l, ws := range m.from {
			(*m.to)[l] = append((*m.to)[l], ws...)
		}
	}
	return nil
}

// yamlProblem turns "yaml: line 12: ..." or "line 12: ..." into file:12: ...
func yamlProblem(name, msg string) offer.Problem {
	msg = strings.TrimPrefix(msg, "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		msg = strings.TrimSpace(msg[strings.IndexByte(msg, ':')+1:])
	}
	if strings.HasPrefix(msg, "field ") {
		msg = "unknown " + msg
	}
	msg = strings.Replace(msg, " not found in type search.lexiconFile", "", 1)
	msg = strings.Replace(msg, " not found in type search.CategoryTerms", "", 1)
	return offer.Problem{File: name, Row: line, Message: msg}
}

// closest is the candidate most like s (edit distance at most 2), or "".
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c, 2); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// LoadBuiltin parses the lexicon files shipped in the binary.
func LoadBuiltin() (*Source, Problems) {
	src := &Source{}
	var ps Problems
	names, _ := fs.Glob(builtin, "lexicon/*.yaml")
	sort.Strings(names)
	var more []string
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "more_") {
			more = append(more, n) // after the concepts they extend
			continue
		}
		ps = append(ps, parseBuiltin(n, src)...)
	}
	for _, n := range more {
		ext := &Source{}
		ps = append(ps, parseBuiltin(n, ext)...)
		src.Merge(ext)
	}
	return src, ps
}

// parseBuiltin parses the shipped file n into src. Files named more_*.yaml
// extend the concepts of the others with terms (written per language).
func parseBuiltin(n string, src *Source) Problems {
	data, err := builtin.ReadFile(n)
	if err != nil {
		return Problems{{File: n, Message: err.Error()}}
	}
	return Parse(path.Join("internal/search", n), data, src)
}

var (
	defaultOnce sync.Once
	defaultLex  *Lexicon
)

// Default is the compiled built-in lexicon. It panics if a shipped file
// cannot be read at all; the rules of Validate are the lexicon test's to
// enforce (a shared term does not stop the matcher from working).
func Default() *Lexicon {
	defaultOnce.Do(func() {
		src, ps := LoadBuiltin()
		if len(ps) > 0 {
			panic("search: built-in lexicon: " + ps.Error())
		}
		defaultLex = Compile(src)
	})
	return defaultLex
}

// Merge adds the concepts and terms of more (the office's additions) to
// src: a concept with a known id gains terms; a new id is a new concept.
func (src *Source) Merge(more *Source) {
	byID := map[string]int{}
	for i, c := range src.Concepts {
		byID[c.ID] = i
	}
	for _, c := range more.Concepts {
		i, ok := byID[c.ID]
		if !ok {
			byID[c.ID] = len(src.Concepts)
			src.Concepts = append(src.Concepts, c)
			continue
		}
		dst := &src.Concepts[i]
		if dst.termSource == nil {
			dst.termSource = map[string]string{}
		}
		for _, t := range c.allTerms() {
			if _, ok := dst.termSource[Fold(t)]; !ok {
				dst.termSource[Fold(t)] = c.Source
			}
		}
		dst.Offer = appendNew(dst.Offer, c.Offer...)
		dst.Ambiguous = appendNew(dst.Ambiguous, c.Ambiguous...)
		dst.Related = appendNew(dst.Related, c.Related...)
		if dst.Terms == nil {
			dst.Terms = map[string][]string{}
		}
		for l, ts := range c.Terms {
			dst.Terms[l] = appendNew(dst.Terms[l], ts...)
		}
	}
}

func appendNew(list []string, more ...string) []string {
	for _, m := range more {
		if !slices.Contains(list, m) {
			list = append(list, m)
		}
	}
	return list
}

// Validate checks the rules of docs/lexicon.md for the whole lexicon.
func (src *Source) Validate() Problems {
	var ps Problems
	at := func(c Concept, msg string, args ...any) {
		file, line := c.Source, 0
		if i := strings.LastIndexByte(c.Source, ':'); i > 0 {
			file = c.Source[:i]
			fmt.Sscan(c.Source[i+1:], &line)
		}
		ps = append(ps, offer.Problem{File: file, Row: line, Field: c.ID, Message: fmt.Sprintf(msg, args...)})
	}
	byID := map[string]*Concept{}
	for i := range src.Concepts {
		c := &src.Concepts[i]
		if c.ID == "" {
			at(*c, "concept without id")
			continue
		}
		if prev, ok := byID[c.ID]; ok {
			at(*c, "id already used at %s", prev.Source)
			continue
		}
		byID[c.ID] = c
	}
	generic := map[string]bool{}
	for _, ws := range src.Phrases.Generic {
		for _, w := range ws {
			generic[Fold(w)] = true
		}
	}
	for _, ws := range src.Phrases.Stop {
		for _, w := range ws {
			generic[Fold(w)] = true
		}
	}
	for _, c := range src.Concepts {
		if _, ok := offer.CategoryByID(c.Category); !ok && c.Category != Outside {
			at(c, "unknown category %q", c.Category)
		}
		if len(c.Offer) == 0 {
			at(c, "no offer terms (the German words offers use)")
		}
		for _, l := range Languages {
			if len(c.Terms[l]) == 0 {
				at(c, "no terms in %s", l)
			}
		}
		for l := range c.Terms {
			if !slices.Contains(Languages, l) {
				at(c, "unknown language %q", l)
			}
		}
		if c.Parent != "" && byID[c.Parent] == nil {
			at(c, "parent %q is not a concept", c.Parent)
		}
		for _, r := range c.Related {
			if byID[r] == nil {
				at(c, "related %q is not a concept", r)
			}
		}
		for _, t := range c.allTerms() {
			if f := Fold(t); generic[f] {
				at(c.from(f), "term %q is only a generic or stop word: put it in a phrase", t)
			} else if strings.TrimSpace(f) == "" {
				at(c.from(f), "empty term")
			}
		}
	}
	// Cycles of parents.
	for _, c := range src.Concepts {
		seen := map[string]bool{c.ID: true}
		for p := byID[c.ID]; p != nil && p.Parent != ""; p = byID[p.Parent] {
			if seen[p.Parent] {
				at(c, "parent cycle through %q", p.Parent)
				break
			}
			seen[p.Parent] = true
		}
	}
	// Terms shared by unrelated concepts.
	owners := map[string][]string{}
	for _, c := range src.Concepts {
		seen := map[string]bool{}
		for _, t := range c.allTerms() {
			f := Fold(t)
			if !seen[f] {
				seen[f] = true
				owners[f] = append(owners[f], c.ID)
			}
		}
	}
	related := func(a, b string) bool {
		ca, cb := byID[a], byID[b]
		if ca == nil || cb == nil {
			return true
		}
		if slices.Contains(ca.Related, b) || slices.Contains(cb.Related, a) {
			return true
		}
		anc := func(c *Concept) map[string]bool {
			m := map[string]bool{c.ID: true}
			for p := c; p != nil && p.Parent != "" && !m[p.Parent]; p = byID[p.Parent] {
				m[p.Parent] = true
			}
			return m
		}
		aa, ab := anc(ca), anc(cb)
		return aa[b] || ab[a] || ca.Parent != "" && ca.Parent == cb.Parent
	}
	ambiguous := func(id, f string) bool {
		for _, a := range byID[id].Ambiguous {
			if Fold(a) == f {
				return true
			}
		}
		return false
	}
	terms := make([]string, 0, len(owners))
	for f := range owners {
		terms = append(terms, f)
	}
	sort.Strings(terms)
	for _, f := range terms {
		ids := owners[f]
		for i := 0; i < len(ids); i++ {
			for j := i + 1; j < len(ids); j++ {
				a, b := ids[i], ids[j]
				if related(a, b) {
					continue
				}
				if !ambiguous(a, f) {
					at(byID[a].from(f), "term %q is also a term of %s (%s): mark it ambiguous in both, make it more specific, or relate the concepts", f, b, byID[b].from(f).Source)
				}
				if !ambiguous(b, f) {
					at(byID[b].from(f), "term %q is also a term of %s (%s): mark it ambiguous in both, make it more specific, or relate the concepts", f, a, byID[a].from(f).Source)
				}
			}
		}
	}
	for _, ct := range src.Categories {
		if _, ok := offer.CategoryByID(ct.ID); !ok {
			ps = append(ps, offer.Problem{File: "categories", Field: ct.ID, Message: "unknown category"})
		}
	}
	return ps
}

// from is the concept as defined where its folded term f comes from: the
// file that added the term, if another file did.
func (c *Concept) from(f string) Concept {
	out := *c
	if s, ok := c.termSource[f]; ok && s != "" {
		out.Source = s
	}
	return out
}

// allTerms are the concept's offer terms and the terms of every language.
func (c Concept) allTerms() []string {
	out := append([]string(nil), c.Offer...)
	for _, l := range Languages {
		out = append(out, c.Terms[l]...)
	}
	for l, ts := range c.Terms {
		if !slices.Contains(Languages, l) {
			out = append(out, ts...)
		}
	}
	return out
}
