package search

import (
	"slices"
	"sort"
	"unicode/utf8"
)

// hit is a term found in a text: at which content words, how well.
type hit struct {
	term      int32
	origins   []int
	q         float64
	headsOnly bool // found only in last parts of compounds
}

// match finds the terms (those ok accepts) whose every token stands at a
// position of pos, each at its own, all within a window of the term's
// length plus gap (so the words may come in any order and one other word
// may stand between them).
func (lx *Lexicon) match(pos []position, gap int, ok func(term) bool) []hit {
	var out []hit
	// Where each token stands, with how well: a term is checked against
	// these positions only.
	at := map[int32][]tokAt{}
	for i, p := range pos {
		for _, tm := range p.toks {
			at[tm.tok] = append(at[tm.tok], tokAt{i, tm.q})
		}
	}
	tried := map[int64]bool{}
	for i, p := range pos {
		for _, tm := range p.toks {
			for _, ti := range lx.byToken[tm.tok] {
				t := lx.terms[ti]
				if !ok(t) {
					continue
				}
				if len(t.toks) == 1 {
					out = append(out, hit{term: ti, origins: []int{p.origin}, q: tm.q, headsOnly: p.head})
					continue
				}
				key := int64(ti)<<20 | int64(i)
				if tried[key] {
					continue
				}
				tried[key] = true
				if h, found := lx.matchAt(pos, at, i, ti, gap); found {
					out = append(out, h)
				}
			}
		}
	}
	return out
}

// tokAt is a position a token stands at.
type tokAt struct {
	pos int
	q   float64
}

// matchAt tries term ti around position i: for each of its tokens the
// nearest unused position that holds it.
func (lx *Lexicon) matchAt(pos []position, at map[int32][]tokAt, i int, ti int32, gap int) (hit, bool) {
	t := lx.terms[ti]
	if t.lang == "vi" {
		// Vietnamese words are syllables: a word of several is those
		// syllables in a row, in order.
		return lx.matchInOrder(pos, i, ti)
	}
	span := len(t.toks) + gap
	lo, hi := max(0, i-span+1), min(len(pos), i+span)
	var usedBuf [8]int
	used := usedBuf[:0]
	h := hit{term: ti, q: 1}
	first, last := len(pos), -1
	for _, tok := range t.toks {
		best, bestQ := -1, 0.0
		for _, a := range at[tok] {
			if a.pos < lo || a.pos >= hi || slices.Contains(used, a.pos) {
				continue
			}
			if best < 0 || abs(a.pos-i) < abs(best-i) {
				best, bestQ = a.pos, a.q
			}
		}
		if best < 0 {
			return hit{}, false
		}
		used = append(used, best)
		first, last = min(first, best), max(last, best)
		h.q = min(h.q, bestQ)
	}
	if last-first+1 > span {
		return hit{}, false
	}
	h.headsOnly = true
	for _, j := range used {
		h.headsOnly = h.headsOnly && pos[j].head
	}
	for _, j := range used {
		if o := pos[j].origin; !slices.Contains(h.origins, o) {
			h.origins = append(h.origins, o)
		}
	}
	sort.Ints(h.origins)
	return h, true
}

// matchInOrder tries term ti as consecutive positions, in order, one of
// them position i.
func (lx *Lexicon) matchInOrder(pos []position, i int, ti int32) (hit, bool) {
	t := lx.terms[ti]
	holds := func(j int, tok int32) (float64, bool) {
		for _, m := range pos[j].toks {
			if m.tok == tok {
				return m.q, true
			}
		}
		return 0, false
	}
	for start := max(0, i-len(t.toks)+1); start <= i && start+len(t.toks) <= len(pos); start++ {
		h := hit{term: ti, q: 1}
		ok := true
		for k, tok := range t.toks {
			q, found := holds(start+k, tok)
			if !found {
				ok = false
				break
			}
			h.q = min(h.q, q)
			if o := pos[start+k].origin; len(h.origins) == 0 || h.origins[len(h.origins)-1] != o {
				h.origins = append(h.origins, o)
			}
		}
		if ok {
			return h, true
		}
	}
	return hit{}, false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Field is one text of an offer to tag: its language and how much a
// concept found in it says (1 title and tags, 0.5 organisation, 0.3
// description), like the word weights of the index.
type Field struct {
	Lang   string
	Text   string
	Weight float64
}

// Tag finds the concepts of an offer's texts, with the weight of the best
// place each is found at times how well it was matched: concept id ->
// weight in (0, 1]. An offer is tagged with the concepts its own words
// name (the German `offer` terms, and the terms of the text's language);
// a search for a concept then finds it in any language.
func (lx *Lexicon) Tag(fields []Field) map[string]float64 {
	out := map[string]float64{}
	for _, f := range fields {
		words, toned := wordsOf(f.Text)
		if len(words) == 0 {
			continue
		}
		langs := []string{f.Lang}
		var pos []position
		for i, w := range words {
			if lx.isFiller(w, toned[i], f.Lang) {
				continue
			}
			p := position{origin: len(pos), toks: lx.lookupTyped(toned[i], w, langs, false)}
			pos = append(pos, p)
			if utf8.RuneCountInString(w) >= 8 && latinOnly(w) && !hasExact(p.toks) {
				o := p.origin
				ps := lx.splitCompound(w)
				for j, part := range ps {
					pos = append(pos, position{origin: o, toks: lx.lookup(part, []string{"de"}, false), head: j == len(ps)-1})
				}
			}
		}
		lang := f.Lang
		for _, h := range lx.match(pos, 1, func(t term) bool {
			return !t.isCategory() && lx.concepts[t.owner].Category != Outside && (t.lang == lang || t.offer && lang == "de")
		}) {
			if h.headsOnly {
				continue
			}
			t := lx.terms[h.term]
			id := lx.concepts[t.owner].ID
			w := f.Weight * t.weight * h.q
			if w > out[id] {
				out[id] = w
			}
		}
	}
	return out
}
