package search

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Lexicon is the compiled lexicon: every term as a sequence of token
// numbers, the tokens by their folded and stemmed forms, and a deletion
// index of the forms for typo tolerance. Read-only after Compile, so one
// Lexicon serves every search at once.
type Lexicon struct {
	concepts []compiledConcept
	byID     map[string]int32
	// categories are the category ids in the order of their terms' kind.
	categories []string
	catIndex   map[string]int32

	forms   map[string][]int32 // folded or stemmed form -> tokens
	tokens  []string           // token -> its canonical (stemmed) form
	terms   []term
	byToken map[int32][]int32 // token -> terms holding it
	// deletes is the typo index: for every form of five letters or more,
	// the hash of the form and of each form with one letter removed, with
	// the form's token, sorted by hash (a flat array: a few MB less than a
	// map, and built in a sort).
	deletes []deletion

	stop    map[string]map[string]bool // language -> folded stop words
	need    []needPhrase               // need phrases, longest first
	generic map[string]bool            // folded generic words

	// CategoryKeywords are the category terms as written: category ->
	// language -> keywords, most common first ("did you mean").
	CategoryKeywords map[string]map[string][]string
	version          string
}

type compiledConcept struct {
	Concept
	parent   int32 // -1 if none
	children []int32
	related  []int32
}

// term is one lexicon term: its tokens in order, whose term it is
// (concept number, or -1-category for a category term) and how much it
// says (an ambiguous single word little, a phrase most).
type term struct {
	toks   []int32
	owner  int32
	weight float64
	lang   string // the language it is written in
	offer  bool   // one of the German words offers use
}

// needPhrase is a need phrase of a language, as word keys (wordKeys).
type needPhrase struct {
	lang   string
	words  []string
	folded []string
}

// viToneless keys the Vietnamese stop words as typed without tones.
const viToneless = "vi-toneless"

// wordKeys are the words of text as the filler lists of lang compare
// them: folded, but Vietnamese with its tones ("nhà" is not the particle
// "nha", "thuế" not "thu").
func wordKeys(lang, text string) []string {
	folded, toned := wordsOf(text)
	if lang == "vi" {
		return toned
	}
	return folded
}

// isCategory reports whether the term names a whole category.
func (t term) isCategory() bool { return t.owner < 0 }

// Compile builds the matcher of a validated source.
func Compile(src *Source) *Lexicon {
	lx := &Lexicon{
		byID:             map[string]int32{},
		catIndex:         map[string]int32{},
		forms:            map[string][]int32{},
		byToken:          map[int32][]int32{},
		stop:             map[string]map[string]bool{},
		generic:          map[string]bool{},
		CategoryKeywords: map[string]map[string][]string{},
	}
	lx.stop[viToneless] = map[string]bool{}
	for l, ws := range src.Phrases.Stop {
		if lx.stop[l] == nil {
			lx.stop[l] = map[string]bool{}
		}
		for _, w := range ws {
			for _, k := range wordKeys(l, w) {
				lx.stop[l][k] = true
			}
			if l == "vi" { // as typed without tones
				for _, f := range foldWords(w) {
					lx.stop[viToneless][f] = true
				}
			}
		}
	}
	for _, ws := range src.Phrases.Generic {
		for _, w := range ws {
			for _, f := range foldWords(w) {
				lx.generic[f] = true
			}
		}
	}
	for l, ws := range src.Phrases.Need {
		for _, w := range ws {
			if k := wordKeys(l, w); len(k) > 0 {
				lx.need = append(lx.need, needPhrase{l, k, foldWords(w)})
			}
		}
	}
	// Longest need phrases first, so "where can i find" goes before "where".
	sort.SliceStable(lx.need, func(i, j int) bool {
		a, b := lx.need[i], lx.need[j]
		return len(a.words) > len(b.words) || len(a.words) == len(b.words) && a.lang < b.lang
	})

	for i, c := range src.Concepts {
		lx.byID[c.ID] = int32(i)
		// The terms are compiled below; the concept keeps what names it.
		lx.concepts = append(lx.concepts, compiledConcept{Concept: Concept{ID: c.ID, Category: c.Category, Parent: c.Parent, Related: c.Related}, parent: -1})
	}
	for i := range lx.concepts {
		c := &lx.concepts[i]
		if p, ok := lx.byID[c.Parent]; ok && c.Parent != "" {
			c.parent = p
			lx.concepts[p].children = append(lx.concepts[p].children, int32(i))
		}
		for _, r := range c.Related {
			if j, ok := lx.byID[r]; ok {
				c.related = append(c.related, j)
			}
		}
	}
	var sig strings.Builder
	for i, c := range src.Concepts {
		amb := map[string]bool{}
		for _, a := range c.Ambiguous {
			amb[Fold(a)] = true
		}
		sig.WriteString(c.ID + "\x00" + c.Category + "\x00" + c.Parent + "\x00")
		for _, t := range c.Offer {
			lx.addTerm(int32(i), "de", t, amb, true)
			sig.WriteString(t + "\x00")
		}
		for _, l := range Languages {
			for _, t := range c.Terms[l] {
				lx.addTerm(int32(i), l, t, amb, false)
				sig.WriteString(l + t + "\x00")
			}
		}
	}
	for _, ct := range src.Categories {
		ci, ok := lx.catIndex[ct.ID]
		if !ok {
			ci = int32(len(lx.categories))
			lx.categories = append(lx.categories, ct.ID)
			lx.catIndex[ct.ID] = ci
		}
		if lx.CategoryKeywords[ct.ID] == nil {
			lx.CategoryKeywords[ct.ID] = map[string][]string{}
		}
		for _, l := range Languages {
			for _, t := range ct.Terms[l] {
				lx.CategoryKeywords[ct.ID][l] = append(lx.CategoryKeywords[ct.ID][l], t)
				lx.addTerm(-1-ci, l, t, nil, false)
				sig.WriteString(ct.ID + l + t + "\x00")
			}
		}
	}
	for f, toks := range lx.forms {
		if utf8.RuneCountInString(f) < 5 {
			continue
		}
		for _, h := range deletionHashes(f) {
			for _, t := range toks {
				lx.deletes = append(lx.deletes, deletion{uint32(h), t})
			}
		}
	}
	slices.SortFunc(lx.deletes, func(a, b deletion) int {
		return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.tok, b.tok))
	})
	lx.deletes = slices.Compact(lx.deletes)
	lx.version = fmt.Sprintf("%016x", hashString(sig.String()))
	return lx
}

// Version identifies the lexicon's content: offers are tagged anew when
// it changes.
func (lx *Lexicon) Version() string { return lx.version }

// addTerm compiles one term of owner written in lang (ambiguous: the
// folded terms the owner shares knowingly).
func (lx *Lexicon) addTerm(owner int32, lang, text string, ambiguous map[string]bool, offer bool) {
	words, toned := wordsOf(text)
	var toks []int32
	for i, w := range words {
		if lx.isFiller(w, toned[i], lang) && len(words) > 1 {
			continue // "Umschreibung des Führerscheins": the words that say something
		}
		if lang == "vi" {
			toks = append(toks, lx.tonedToken(toned[i], w))
			continue
		}
		toks = append(toks, lx.token(lang, w))
	}
	if len(toks) == 0 || len(toks) == 1 && len(words) > 1 && lx.generic[lx.tokens[toks[0]]] {
		return
	}
	if len(toks) == 1 && len(words) > 1 {
		// A phrase of one word and filler ("bi zarok im"): only that word
		// is left, and it says less than the phrase did.
		weightOne := 0.6
		lx.terms = append(lx.terms, term{toks: toks, owner: owner, weight: weightOne, lang: lang, offer: offer})
		lx.byToken[toks[0]] = append(lx.byToken[toks[0]], int32(len(lx.terms)-1))
		return
	}
	weight := 1.0
	if len(toks) == 1 {
		weight = 0.85
	}
	if ambiguous[strings.Join(words, " ")] {
		weight = 0.4
	}
	ti := int32(len(lx.terms))
	lx.terms = append(lx.terms, term{toks: toks, owner: owner, weight: weight, lang: lang, offer: offer})
	seen := map[int32]bool{}
	for _, t := range toks {
		if !seen[t] {
			seen[t] = true
			lx.byToken[t] = append(lx.byToken[t], ti)
		}
	}
}

// token is the token of a folded word of lang, made if new: the word's
// stem is its canonical form, and both the word and the stem find it.
func (lx *Lexicon) token(lang, w string) int32 {
	stem := Stem(lang, w)
	for _, t := range lx.forms[stem] {
		if lx.tokens[t] == stem {
			lx.addForm(w, t)
			return t
		}
	}
	t := int32(len(lx.tokens))
	lx.tokens = append(lx.tokens, stem)
	lx.addForm(stem, t)
	lx.addForm(w, t)
	return t
}

// tonedToken is the token of a Vietnamese syllable: its toned form is
// canonical, so that "thuế" (tax), "thuê" (rent) and "thư" (letter) stay
// apart; typed without tones it finds all of them.
func (lx *Lexicon) tonedToken(toned, folded string) int32 {
	for _, t := range lx.forms[toned] {
		if lx.tokens[t] == toned {
			lx.addForm(folded, t)
			return t
		}
	}
	t := int32(len(lx.tokens))
	lx.tokens = append(lx.tokens, toned)
	lx.addForm(toned, t)
	lx.addForm(folded, t)
	return t
}

func (lx *Lexicon) addForm(f string, t int32) {
	if !slices.Contains(lx.forms[f], t) {
		lx.forms[f] = append(lx.forms[f], t)
	}
}

// deletion is one entry of the typo index.
type deletion struct {
	hash uint32 // the low half of the FNV hash: candidates are checked anyway
	tok  int32
}

// deleted are the tokens of the forms whose hash (or one of whose
// deletions' hash) is h.
func (lx *Lexicon) deleted(h64 uint64) []deletion {
	h := uint32(h64)
	i, _ := slices.BinarySearchFunc(lx.deletes, h, func(d deletion, h uint32) int { return cmp.Compare(d.hash, h) })
	j := i
	for j < len(lx.deletes) && lx.deletes[j].hash == h {
		j++
	}
	return lx.deletes[i:j]
}

// deletionHashes are the hashes of w and of w with each letter removed,
// as hashString of those strings, without making them.
func deletionHashes(w string) []uint64 {
	out := []uint64{hashString(w)}
	prefix := uint64(fnvOffset)
	for i, r := range w {
		j := i + utf8.RuneLen(r)
		h := prefix
		for k := j; k < len(w); k++ {
			h = (h ^ uint64(w[k])) * fnvPrime
		}
		out = append(out, h)
		for k := i; k < j; k++ {
			prefix = (prefix ^ uint64(w[k])) * fnvPrime
		}
	}
	return out
}

const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211

// hashString is FNV-1a of s, without allocating.
func hashString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// editDistance is the Damerau-Levenshtein distance of a and b (adjacent
// transpositions count one), or max+1 once it exceeds max.
func editDistance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
