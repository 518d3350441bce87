package search

import (
	"strings"
	"unicode"
)

// SplitWords splits a text into its words as typed (apostrophes and
// hyphens inside a word join it): the words Analysis.Words holds and
// Page.Corrections is keyed by.
func SplitWords(text string) []string { return splitWords(text) }

// ContentWords are the words of a text that are neither need phrases nor
// stop words of any shipped language, as typed, at most MaxSearchWords:
// what "did you mean" compares and the bench's naive scan looks for.
func (lx *Lexicon) ContentWords(text string) []string {
	raw := splitWords(text)
	if len(raw) > MaxWords {
		raw = raw[:MaxWords]
	}
	folded := make([]string, len(raw))
	toned := make([]string, len(raw))
	for i, w := range raw {
		folded[i], toned[i] = foldWord(w), strings.ToLower(w)
	}
	keep := lx.contentWords(folded, toned, nil)
	var out []string
	for i, k := range keep {
		if k && folded[i] != "" && !lx.anyStop(folded[i]) {
			out = append(out, raw[i])
			if len(out) == MaxSearchWords {
				break
			}
		}
	}
	return out
}

// Normalize is a search text as stored for `report searches`: its content
// words folded, single spaces. Only the words are kept, never who typed them.
func (lx *Lexicon) Normalize(text string) string {
	words := lx.ContentWords(text)
	for i, w := range words {
		words[i] = foldWord(w)
	}
	return strings.Join(strings.Fields(strings.Join(words, " ")), " ")
}

// Garbage reports whether text has nothing to search for: not a single
// letter or digit.
func Garbage(text string) bool {
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// anyStop reports whether w is a stop word of any language.
func (lx *Lexicon) anyStop(w string) bool {
	for _, m := range lx.stop {
		if m[w] {
			return true
		}
	}
	return false
}
