package search

import "unicode/utf8"

// A German compound the lexicon does not know ("Zauberwerkstatt") may
// still be made of two words the index knows ("Zauber", "Werkstatt").
// Analyze lists the ways each such word splits; the index is asked for
// all the parts at once (as exact terms) and ApplySplits keeps the first
// split, the longest head, of which both parts are known: an offer must
// hold both to match the word.

// Split is one way content word Word splits into Head and Tail (folded).
type Split struct {
	Word       int
	Head, Tail string
}

// maxSplits bounds the splits tried per word.
const maxSplits = 24

// compoundSplits are the splits of folded word w: head and tail of four
// letters or more, with the linking s, es or n between them allowed.
func compoundSplits(word int, w string) []Split {
	r := []rune(w)
	var out []Split
	for n := len(r) - 4; n >= 4 && len(out) < maxSplits; n-- {
		for _, link := range []string{"", "s", "es", "n"} {
			rest := string(r[n:])
			if len(rest) < len(link) || rest[:len(link)] != link {
				continue
			}
			tail := rest[len(link):]
			if utf8.RuneCountInString(tail) < 4 {
				continue
			}
			out = append(out, Split{Word: word, Head: string(r[:n]), Tail: tail})
		}
	}
	return out
}

// SplitTerms are the index terms of every part of a.Splits.
func (a *Analysis) SplitTerms() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range a.Splits {
		for _, t := range []string{s.Head, s.Tail} {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// ApplySplits is ex with, for each word of a that the index does not know
// as it is, the first of its splits whose parts it knows, as two groups
// (Part 1 and 2) instead of the word's typo corrections. ex is not
// changed (it may be shared).
func ApplySplits(ex *Expansion, a *Analysis) *Expansion {
	if len(a.Splits) == 0 {
		return ex
	}
	docs := map[string]int{}
	for _, p := range ex.Postings {
		docs[p.Term] += p.Len()
	}
	known := map[int]bool{}
	for _, g := range ex.Groups {
		if g.Fix == "" && g.Part == 0 {
			known[g.Index] = true
		}
	}
	done := map[int]bool{}
	var add []Group
	for _, s := range a.Splits {
		if known[s.Word] || done[s.Word] || docs[s.Head] == 0 || docs[s.Tail] == 0 {
			continue
		}
		done[s.Word] = true
		add = append(add,
			Group{Index: s.Word, Word: s.Head, Alts: []Alt{{Term: s.Head, Docs: docs[s.Head]}}, Part: 1},
			Group{Index: s.Word, Word: s.Tail, Alts: []Alt{{Term: s.Tail, Docs: docs[s.Tail]}}, Part: 2})
	}
	if len(add) == 0 {
		return ex
	}
	out := *ex
	out.Groups = nil
	for _, g := range ex.Groups {
		if !done[g.Index] || g.Part > 0 { // both parts rather than guesses at a typo
			out.Groups = append(out.Groups, g)
		}
	}
	out.Groups = append(out.Groups, add...)
	return &out
}
