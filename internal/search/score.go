package search

import (
	"encoding/binary"
	"math"
	"slices"
	"sort"
	"strings"
)

// Scoring. An offer's score adds up per query word (group) the word's
// matches in it (each form the word is searched as counts with its best
// place in the offer, in any language: title/tags > organisation >
// description > venue), if the word is a keyword of the offer's category
// CatWeight, and for a concept of the query that the offer is tagged with
// ConceptWeight; words count by their rarity (idf).
//
// Honesty comes before ranking: an offer is a result only if it has a
// concept of the query (or a broader or narrower one), or its text
// matches every word of the query that is not generic (one may be missing
// in a query of three or more), or the query names its category and
// nothing else. A common word alone ("Beratung", "help") pulls nothing in.
const (
	CatWeight = 1.6
	// ConceptTier lifts every offer with a concept of the query above
	// those without: a concept match outranks a category match, which
	// outranks a word.
	ConceptTier   = 10.0
	ConceptWeight = 8.0
	// RankNorm scales a match's weight (search_postings: 1 title, 0.5
	// organisation, 0.3 description, 0.1 venue) like ts_rank does.
	RankNorm = 1 / 1.64493406685
	// An offer's concepts and words must explain at least this share
	// (num/den) of the query's words that are not generic: "a cheap flight
	// ticket to Kabul" is not about a tram ticket.
	conceptShareNum, conceptShareDen = 1, 3
	// ConceptPrefix starts the index term of a concept: "§driving_licence".
	ConceptPrefix = "§"
)

// Alt is one form a query word is searched as.
type Alt struct {
	Term   string
	Prefix bool // also longer words starting with Term
	Docs   int
	// Similarity is how alike (trigrams) a typo's correction is, 0 for
	// forms of the word itself. A weak correction ("Wetter" to "weiter")
	// adds to the score but does not make the offer fit.
	Similarity float64
}

// sureTypo is the similarity from which a correction counts as the word.
const sureTypo = 0.5

// Group is one query word (Analysis.Words[Index]) with its forms.
type Group struct {
	Index int
	Word  string
	Alts  []Alt
	Fix   string // the known word a typo was corrected to
	// Part is 1 or 2 for the head and the tail of an unknown compound
	// split into two known words: an offer matches the word only with both.
	Part int
}

// idf is how much a match of the group says: rare words more than common ones.
func (g Group) idf(n float64) float64 {
	df := 0
	for _, a := range g.Alts {
		df = max(df, a.Docs)
	}
	return math.Log(1 + n/float64(1+df))
}

// Posting is one row of search_postings: the offers of a category holding
// a term (8 bytes each, ascending), with the term's weight in each
// (tenths, a byte each). Concept terms start with ConceptPrefix.
type Posting struct {
	Term     string
	Category string
	Offers   []byte
	Weights  []byte
}

// Len is the number of offers.
func (p Posting) Len() int { return len(p.Weights) }

// Offer is the i-th offer's id.
func (p Posting) Offer(i int) int64 { return int64(binary.BigEndian.Uint64(p.Offers[8*i:])) }

// KeywordTerm is a word or stem of a category keyword.
type KeywordTerm struct {
	Term, Category string
	Weight         float64
}

// Expansion is what the index returns for a query: the query words'
// groups, the postings of every term they match (and of the query's
// concepts), the category keyword terms among them, and the number of
// active offers.
type Expansion struct {
	Groups   []Group
	Postings []Posting
	Keywords []KeywordTerm
	N        float64
}

// Candidate is an offer a search found, with its score.
type Candidate struct {
	ID    int64
	Score float64
}

// Before is the result order for equal "my language" and distance: best
// score first, then lowest id.
func (a Candidate) Before(b Candidate) bool {
	return a.Score > b.Score || a.Score == b.Score && a.ID < b.ID
}

// ConceptTerm is how much an index term of a concept counts for a query,
// and which of the query's content words the concept stands for.
type ConceptTerm struct {
	Weight float64
	Covers uint32 // bit i: content word i
}

// ConceptTerms are the index terms of the query's concepts and of their
// narrower, broader and (for a sure match) related concepts, with how much
// each counts.
func (lx *Lexicon) ConceptTerms(a *Analysis) map[string]ConceptTerm {
	out := map[string]ConceptTerm{}
	for _, c := range a.Concepts {
		i, ok := lx.byID[c.ID]
		if !ok || c.Category == Outside {
			continue
		}
		var covers uint32
		for _, o := range c.Covers {
			if o < 32 {
				covers |= 1 << uint(o)
			}
		}
		put := func(i int32, w float64) {
			t := ConceptPrefix + lx.concepts[i].ID
			ct := out[t]
			ct.Weight = max(ct.Weight, w)
			ct.Covers |= covers | a.supports(i)
			out[t] = ct
		}
		put(i, c.Weight)
		for _, ch := range lx.concepts[i].children {
			put(ch, 0.8*c.Weight)
		}
		if p := lx.concepts[i].parent; p >= 0 {
			put(p, 0.6*c.Weight)
		}
		if c.Weight >= 0.8 { // a related concept's postings only for a sure match
			for _, r := range lx.concepts[i].related {
				put(r, 0.5*c.Weight)
			}
		}
	}
	return out
}

// supports are the content words that support concept i (Analysis.Support).
func (a *Analysis) supports(i int32) uint32 {
	var m uint32
	for o, cs := range a.Support {
		if o < 32 && slices.Contains(cs, i) {
			m |= 1 << uint(o)
		}
	}
	return m
}

// acc is what one offer has scored so far.
type acc struct {
	text, concept float64
	covers        uint32    // content words matched by its text
	parts         [2]uint32 // content words whose compound head, tail it holds
	conceptCovers uint32    // content words its concepts stand for
	conceptSure   float64   // how sure the best of its query concepts was found
	cat           uint16    // category number + 1; 0: not found
}

// Result is what Score found: the candidates in no particular order, the
// categories whose other offers are listed with CategoryScore alone (a
// query that names a category and nothing else), and the categories
// nearest to the query for a "nothing fits" answer.
type Result struct {
	Candidates    []Candidate
	CategoryScore map[string]float64
	Nearest       []string
}

// Score scores the offers of ex for the query a (concepts: the query's
// concept terms, from ConceptTerms).
func Score(a *Analysis, concepts map[string]ConceptTerm, ex *Expansion) Result {
	// Offers are numbered densely, so the sums go into a slice indexed by
	// id (a map if the ids are too spread out).
	n, lo, hi := 0, int64(math.MaxInt64), int64(math.MinInt64)
	for _, p := range ex.Postings {
		if k := p.Len(); k > 0 {
			n += k
			lo, hi = min(lo, p.Offer(0)), max(hi, p.Offer(k-1))
		}
	}
	if n == 0 {
		lo, hi = 0, -1
	}
	dense := hi-lo < 1<<22 && hi-lo < int64(64*n+4096)
	var accs []acc
	var sparse map[int64]*acc
	if dense {
		accs = make([]acc, hi-lo+1)
	} else {
		sparse = make(map[int64]*acc, n)
	}
	get := func(id int64) *acc {
		if dense {
			return &accs[id-lo]
		}
		x := sparse[id]
		if x == nil {
			x = &acc{}
			sparse[id] = x
		}
		return x
	}
	var catNames []string
	catNum := map[string]uint16{}
	num := func(c string) uint16 {
		k, ok := catNum[c]
		if !ok {
			catNames = append(catNames, c)
			k = uint16(len(catNames))
			catNum[c] = k
		}
		return k
	}
	catScore := map[string]float64{}
	nearest := map[string]float64{}
	for _, g := range ex.Groups {
		idf := g.idf(ex.N)
		f := RankNorm / 10 * idf // weights are in tenths
		var mask uint32
		if g.Index < len(a.Origins) {
			for _, o := range a.Origins[g.Index] {
				mask |= 1 << uint(o)
			}
		}
		best := map[string]float64{} // category -> this word's best keyword weight
		for _, al := range g.Alts {
			amask := mask
			if al.Similarity > 0 && al.Similarity < sureTypo {
				amask = 0
			}
			for _, p := range ex.Postings {
				if strings.HasPrefix(p.Term, ConceptPrefix) || p.Term != al.Term && !(al.Prefix && strings.HasPrefix(p.Term, al.Term)) {
					continue
				}
				c := num(p.Category)
				nearest[p.Category] += float64(p.Len())
				for j, w := range p.Weights {
					x := get(p.Offer(j))
					x.text += float64(w) * f
					if g.Part > 0 {
						x.parts[g.Part-1] |= amask
					} else {
						x.covers |= amask
					}
					x.cat = c
				}
			}
			for _, k := range ex.Keywords {
				if k.Term == al.Term || al.Prefix && strings.HasPrefix(k.Term, al.Term) {
					best[k.Category] = max(best[k.Category], k.Weight)
				}
			}
		}
		for c, w := range best {
			catScore[c] += w * idf * CatWeight
		}
	}
	for _, p := range ex.Postings {
		ct, ok := concepts[p.Term]
		if !ok {
			continue
		}
		c := num(p.Category)
		nearest[p.Category] += 100
		for j, ow := range p.Weights {
			x := get(p.Offer(j))
			// Found in the title counts fully, in a description about half.
			x.concept = max(x.concept, ct.Weight*(0.4+0.6*float64(ow)/10))
			x.conceptCovers |= ct.Covers
			x.conceptSure = max(x.conceptSure, ct.Weight)
			x.cat = c
		}
	}
	// What names the query's categories.
	// What the query asks for beyond generic words: the words the lexicon
	// or the index knows (a word neither knows tells nothing).
	// A query of nothing but typos is judged by its corrections.
	indexKnows := make([]bool, len(a.Generic))
	corrected := make([]bool, len(a.Generic))
	for _, g := range ex.Groups {
		if g.Index < a.NWords && g.Index < len(indexKnows) {
			if g.Fix == "" {
				indexKnows[g.Index] = true
			} else {
				corrected[g.Index] = true
			}
		}
	}
	known := func(o int) bool { return len(a.Known) <= o || a.Known[o] || indexKnows[o] }
	anyKnown := false
	for o := range a.Generic {
		anyKnown = anyKnown || !a.Generic[o] && known(o)
	}
	var required uint32
	nReq := 0
	var catOnly = true
	for o := 0; o < len(a.Generic) && o < 32; o++ {
		if !a.Generic[o] && (known(o) || !anyKnown && corrected[o]) {
			required |= 1 << uint(o)
			nReq++
			if !a.CategoryCovered[o] {
				catOnly = false
			}
		}
	}
	catCovered := uint32(0)
	for o := 0; o < len(a.CategoryCovered) && o < 32; o++ {
		if a.CategoryCovered[o] {
			catCovered |= 1 << uint(o)
		}
	}
	named := map[string]bool{}
	for _, c := range a.Categories {
		named[c] = true
		nearest[c] += 50
	}
	// What the query asks for that no offer is about (a flight, the
	// weather): an offer whose concepts and words explain less of the
	// query than that is no answer.
	var outside uint32
	for _, c := range a.Concepts {
		if c.Category == Outside {
			for _, o := range c.Covers {
				if o < 32 {
					outside |= 1 << uint(o)
				}
			}
			continue
		}
		nearest[c.Category] += 200 * c.Weight
	}
	bonus := make([]float64, len(catNames)+1)
	isNamed := make([]bool, len(catNames)+1)
	for i, c := range catNames {
		bonus[i+1] = catScore[c]
		isNamed[i+1] = named[c]
	}
	keep := func(x *acc) (float64, bool) {
		if outside != 0 {
			explained := (x.covers | x.parts[0]&x.parts[1] | x.conceptCovers) &^ outside
			if popcount(outside&^explained) > popcount(explained&required) {
				return 0, false
			}
		}
		if x.concept > 0 {
			// The concept must explain a good part of what was asked, with
			// the offer's own words: "a cheap flight ticket to Kabul" is
			// not a tram ticket.
			// A concept found by a typo or a single ambiguous word must
			// explain half the query.
			num, den := conceptShareNum, conceptShareDen
			if x.conceptSure < 0.8 {
				num, den = 1, 2
			}
			covers := x.covers | x.parts[0]&x.parts[1] | x.conceptCovers
			if nReq == 0 || den*popcount(required&covers) >= num*nReq {
				return ConceptTier + ConceptWeight*x.concept + x.text + bonus[x.cat], true
			}
		}
		if nReq == 0 {
			return 0, false
		}
		covers := x.covers | x.parts[0]&x.parts[1]
		if isNamed[x.cat] {
			covers |= catCovered
		}
		missing := popcount(required &^ covers)
		if missing == 0 || nReq >= 3 && missing == 1 {
			return x.text + bonus[x.cat], true
		}
		return 0, false
	}
	var res Result
	if dense {
		for i := range accs {
			if x := &accs[i]; x.cat != 0 {
				if s, ok := keep(x); ok {
					res.Candidates = append(res.Candidates, Candidate{ID: lo + int64(i), Score: s})
				}
			}
		}
	} else {
		res.Candidates = make([]Candidate, 0, len(sparse))
		for id, x := range sparse {
			if s, ok := keep(x); ok {
				res.Candidates = append(res.Candidates, Candidate{ID: id, Score: s})
			}
		}
	}
	// A query that only names categories lists them.
	res.CategoryScore = map[string]float64{}
	// (A query of generic words alone that names a category, "Beratung",
	// lists that category; it pulls no other offer in.)
	if catOnly && (nReq > 0 || len(a.Categories) > 0) {
		for c, v := range catScore {
			if named[c] {
				res.CategoryScore[c] = v
			}
		}
	}
	for c := range nearest {
		res.Nearest = append(res.Nearest, c)
	}
	sort.Slice(res.Nearest, func(i, j int) bool {
		a, b := res.Nearest[i], res.Nearest[j]
		return nearest[a] > nearest[b] || nearest[a] == nearest[b] && a < b
	})
	res.Nearest = res.Nearest[:min(len(res.Nearest), 3)]
	return res
}

func popcount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// Best returns the n best candidates in result order (all if fewer).
func Best(cands []Candidate, n int) []Candidate {
	if len(cands) > n {
		// A heap of the n best so far, worst on top.
		h := slices.Clone(cands[:n])
		worse := func(i, j int) bool { return h[j].Before(h[i]) }
		down := func(i int) {
			for {
				c := 2*i + 1
				if c >= n {
					return
				}
				if c+1 < n && worse(c+1, c) {
					c++
				}
				if !worse(c, i) {
					return
				}
				h[i], h[c] = h[c], h[i]
				i = c
			}
		}
		for i := n/2 - 1; i >= 0; i-- {
			down(i)
		}
		for _, c := range cands[n:] {
			if c.Before(h[0]) {
				h[0] = c
				down(0)
			}
		}
		cands = h
	}
	slices.SortFunc(cands, func(a, b Candidate) int {
		if a.Before(b) {
			return -1
		}
		if b.Before(a) {
			return 1
		}
		return 0
	})
	return cands
}
