package search

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxWords bounds the words of a query that are read; a longer message is
// mostly not a search, and the rest is ignored.
const MaxWords = 24

// maxSupport is the number of concepts a word may support; a word in the
// terms of more is too common to say which one is meant.
const maxSupport = 24

// A word standing in two or more terms of at most weakSupport concepts,
// and in no term the query holds whole, stands for them with weight
// weakConcept.
const (
	weakSupport = 1
	weakConcept = 0.45
)

// MaxSearchWords bounds the words searched in the index.
const MaxSearchWords = 8

// Analysis is what a query asks for: the concepts it names, the
// categories it names as a whole, and the words left to search in the
// offers' texts.
type Analysis struct {
	// Words are the words to search in the index (at most MaxSearchWords
	// content words, then compounds of adjacent ones and compound parts);
	// Origins[i] are the content words Words[i] stands for; the first
	// NWords are content words themselves (typo-corrected in the index).
	Words   []string
	Origins [][]int
	NWords  int
	// Generic marks the content words that alone pull no offer in.
	Generic []bool
	// Known marks the content words the lexicon knows as they are typed
	// (not as a typo of a known word; the index may know others): a word
	// nothing knows, a name or a filler of a dialect, says nothing about
	// which offer fits.
	Known []bool
	// Splits are the ways the content words the lexicon does not know may
	// split into two words the index knows (split.go).
	Splits []Split
	// Support are, per content word, the concepts one of whose terms holds
	// the word (nil for a word of too many): "كوابيس" (nightmares) supports
	// trauma therapy even where the term it is part of is not typed whole.
	Support [][]int32
	// Concepts are the concepts found, best first.
	Concepts []ConceptMatch
	// Categories are the categories named as a whole ("Deutschkurs").
	Categories []string
	// CategoryCovered marks content words that are part of a category term.
	CategoryCovered []bool
}

// ConceptMatch is a concept found in a query with how sure the match is
// (1 a phrase of it, less for a single or ambiguous word, a typo) and the
// content words it covers.
type ConceptMatch struct {
	ID       string
	Category string
	Weight   float64
	Covers   []int
}

// position is one word of a text being matched: its folded form and the
// lexicon tokens it may stand for, with how well (1 exact or stem, less
// for a prefix or typo). origin is the content word it came from (parts
// of a compound share their word's).
type position struct {
	toks   []tokMatch
	origin int
	// head marks the last part of a split compound: "Schule" in
	// "Fahrschule" does not make it a school, so a term found in heads
	// alone does not count.
	head bool
}

type tokMatch struct {
	tok int32
	q   float64
}

// Analyze reads a query typed by a reader of lang.
func (lx *Lexicon) Analyze(text, lang string) *Analysis {
	a := &Analysis{}
	raw := splitWords(text)
	if len(raw) > MaxWords {
		raw = raw[:MaxWords]
	}
	folded := make([]string, len(raw))
	for i, w := range raw {
		folded[i] = foldWord(w)
	}
	langs := queryLangs(lang)
	toned := make([]string, len(raw))
	for i, w := range raw {
		toned[i] = strings.ToLower(norm.NFC.String(w))
	}
	keep := lx.contentWords(folded, toned, langs)
	for i, w := range raw {
		if abbreviation(w) {
			keep[i] = true // "BuT" is Bildung und Teilhabe, not "but"
		}
	}
	var content []string
	var contentRaw []string
	for i, k := range keep {
		if k {
			content = append(content, folded[i])
			contentRaw = append(contentRaw, raw[i])
		}
	}
	if len(content) > MaxSearchWords*2 {
		content, contentRaw = content[:MaxSearchWords*2], contentRaw[:MaxSearchWords*2]
	}
	var pos []position
	for i, w := range content {
		p := position{origin: i}
		p.toks = lx.lookupTyped(contentRaw[i], w, langs, true)
		pos = append(pos, p)
		if utf8.RuneCountInString(w) >= 8 && latinOnly(w) && !hasExact(p.toks) {
			ps := lx.splitCompound(w)
			for j, part := range ps {
				pp := position{origin: i, toks: lx.lookup(part, []string{"de"}, false), head: j == len(ps)-1}
				pos = append(pos, pp)
			}
		}
	}
	a.Generic = make([]bool, len(content))
	a.CategoryCovered = make([]bool, len(content))
	a.Known = make([]bool, len(content))
	for i, w := range content {
		a.Generic[i] = lx.generic[w]
	}
	a.Support = make([][]int32, len(content))
	crowded := make([]bool, len(content))
	inTerms := map[int64]int{} // content word, concept -> terms of it holding the word
	for _, p := range pos {
		for _, t := range p.toks {
			if t.q < 0.9 { // a typo's guess
				continue
			}
			a.Known[p.origin] = true
			for _, ti := range lx.byToken[t.tok] {
				tm := lx.terms[ti]
				o := p.origin
				if tm.isCategory() || !readable(tm.lang, lang) || crowded[o] {
					continue
				}
				inTerms[int64(o)<<32|int64(tm.owner)]++
				if slices.Contains(a.Support[o], tm.owner) {
					continue
				}
				if len(a.Support[o]) == maxSupport {
					a.Support[o], crowded[o] = nil, true // a word of everything supports nothing
					continue
				}
				a.Support[o] = append(a.Support[o], tm.owner)
			}
		}
	}
	// Concepts and categories.
	type agg struct {
		w      float64
		covers uint64
	}
	concepts := map[int32]*agg{}
	cats := map[int32]bool{}
	for _, h := range lx.match(pos, 1, func(t term) bool { return readable(t.lang, lang) }) {
		if h.headsOnly {
			continue
		}
		t := lx.terms[h.term]
		if t.isCategory() {
			if h.q < 0.9 && shortest(content, h.origins) < 8 {
				continue // a typo of a short word names no category ("Wetter" is not "Letter")
			}
			ci := -1 - t.owner
			cats[ci] = true
			for _, o := range h.origins {
				a.CategoryCovered[o] = true
			}
			continue
		}
		g := concepts[t.owner]
		if g == nil {
			g = &agg{}
			concepts[t.owner] = g
		}
		g.w = max(g.w, t.weight*h.q)
		for _, o := range h.origins {
			if o < 64 {
				g.covers |= 1 << o
			}
		}
	}
	// A specific word that no term of the query explains stands for the
	// few concepts whose terms hold it, weakly ("квартиру" of "пошук
	// квартири"): better than nothing, less than a term.
	var explained uint64
	for _, g := range concepts {
		explained |= g.covers
	}
	for o, cs := range a.Support {
		if o >= 64 || explained&(1<<o) != 0 || a.Generic[o] || len(cs) == 0 || len(cs) > weakSupport {
			continue
		}
		for _, c := range cs {
			if inTerms[int64(o)<<32|int64(c)] < 2 {
				continue // in one term only: not what the concept is about ("вживаний велосипед")
			}
			g := concepts[c]
			if g == nil {
				g = &agg{}
				concepts[c] = g
			}
			g.w = max(g.w, weakConcept)
			g.covers |= 1 << o
		}
	}
	// A concept found only by words that also found a more specific one
	// ("Führerschein" inside "Führerschein umschreiben") counts for less.
	// (Whatever the order of the map: every pair is looked at.)
	factor := map[int32]float64{}
	for i, gi := range concepts {
		f := 1.0
		for j, gj := range concepts {
			switch {
			case i == j:
			case gi.covers&gj.covers == gi.covers && gi.covers != gj.covers:
				f = min(f, 0.5)
			case gi.covers == gj.covers && lx.isAncestor(i, j):
				f = min(f, 0.7)
			}
		}
		factor[i] = f
	}
	for i, gi := range concepts {
		gi.w *= factor[i]
	}
	for c, g := range concepts {
		cm := ConceptMatch{ID: lx.concepts[c].ID, Category: lx.concepts[c].Category, Weight: g.w}
		for o := 0; o < 64; o++ {
			if g.covers&(1<<o) != 0 {
				cm.Covers = append(cm.Covers, o)
			}
		}
		a.Concepts = append(a.Concepts, cm)
	}
	sort.Slice(a.Concepts, func(i, j int) bool {
		if a.Concepts[i].Weight != a.Concepts[j].Weight {
			return a.Concepts[i].Weight > a.Concepts[j].Weight
		}
		return a.Concepts[i].ID < a.Concepts[j].ID
	})
	for ci := range cats {
		a.Categories = append(a.Categories, lx.categories[ci])
	}
	sort.Strings(a.Categories)
	// Words for the index: the content words, then compounds of adjacent ones.
	n := min(len(contentRaw), MaxSearchWords)
	for i := 0; i < n; i++ {
		a.Words = append(a.Words, contentRaw[i])
		a.Origins = append(a.Origins, []int{i})
	}
	a.NWords = n
	for i := 0; i+1 < n; i++ {
		a.Words = append(a.Words, contentRaw[i]+contentRaw[i+1])
		a.Origins = append(a.Origins, []int{i, i + 1})
	}
	for i := 0; i < n; i++ {
		if w := content[i]; !a.Known[i] && utf8.RuneCountInString(w) >= 8 && latinOnly(w) {
			a.Splits = append(a.Splits, compoundSplits(i, w)...)
		}
	}
	// Compound parts are not searched as words: "fahr" of "Fahrschule"
	// would find "Fahrradwerkstatt". They find concepts above.
	return a
}

// shortest is the length of the shortest of the words at origins.
func shortest(words []string, origins []int) int {
	n := 1 << 30
	for _, o := range origins {
		n = min(n, utf8.RuneCountInString(words[o]))
	}
	return n
}

// latinScript are the languages other than German and English written in
// Latin letters.
var latinScript = map[string]bool{"tr": true, "ku": true, "ro": true, "vi": true}

// readable reports whether a term written in termLang counts for a query
// of a reader of lang: terms of the reader's language, German (offers and
// authorities) and English; for a reader of German or English, of every
// language (a bot left in German is typed to in anything). So Pashto
// "kor" (house) does not meet Turkish "kör" (blind).
func readable(termLang, lang string) bool {
	return termLang == lang || termLang == "de" || termLang == "en" || lang == "de" || lang == "en"
}

// abbreviation reports whether w is typed like one: a capital letter after
// the first ("BuT", "JMD", "SGBII").
func abbreviation(w string) bool {
	for i, r := range w {
		if i > 0 && unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// queryLangs are the languages a query's words are stemmed in: the
// reader's, German (words borrowed from offers and authorities) and
// English.
func queryLangs(lang string) []string {
	out := []string{lang}
	for _, l := range []string{"de", "en"} {
		if l != lang {
			out = append(out, l)
		}
	}
	return out
}

func hasExact(ts []tokMatch) bool {
	for _, t := range ts {
		if t.q >= 1 {
			return true
		}
	}
	return false
}

// contentWords marks the words that are not need phrases ("where can I
// find", "بدي") or stop words of langs (nil: need phrases of every
// language, no stop words); toned are the words in lower case as typed.
func (lx *Lexicon) contentWords(folded, toned, langs []string) []bool {
	keep := make([]bool, len(folded))
	for i := range keep {
		keep[i] = true
	}
	for i := 0; i < len(folded); i++ {
		for _, ph := range lx.need {
			if langs != nil && !slices.Contains(langs, ph.lang) {
				continue
			}
			words, want := folded, ph.words
			if ph.lang == "vi" {
				words = toned
				if n := i + len(ph.words); n <= len(words) && slices.Equal(toned[i:n], folded[i:n]) {
					words, want = folded, ph.folded // typed without tones
				}
			}
			if i+len(want) <= len(words) && slices.Equal(words[i:i+len(want)], want) {
				for j := i; j < i+len(want); j++ {
					keep[j] = false
				}
				break
			}
		}
	}
	for i, w := range folded {
		if len(langs) > 0 && lx.isFiller(w, toned[i], langs[0]) {
			keep[i] = false
		}
	}
	return keep
}

// isFiller reports whether the folded word w (toned: as typed, in lower
// case) is a stop word for text in
// lang: one of lang's, or a German or English one (people mix them in)
// of three letters or more (two-letter ones are words of other languages
// too: Turkish "iş" folds to "is"; and none for languages in Latin
// letters). Queries and lexicon terms drop the same words, so a term can
// always be typed.
func (lx *Lexicon) isFiller(w, toned, lang string) bool {
	if lang == "vi" {
		if toned == w { // typed without tones
			return lx.stop[viToneless][w]
		}
		return lx.stop["vi"][toned]
	}
	if lx.stop[lang][w] {
		return true
	}
	if latinScript[lang] {
		// Their words look like German and English ones ("mal" is a
		// Kurdish house, "thẻ" folds to "the"): only their own count.
		return false
	}
	return utf8.RuneCountInString(w) > 2 && (lx.stop["de"][w] || lx.stop["en"][w])
}

// lookup finds the tokens a folded word may stand for, in the languages
// langs: the word or its stem exactly; else a known word it starts with
// (an ending the stemmer does not know); else, if typos are tolerated, a
// known word one letter away (two in long words).
func (lx *Lexicon) lookup(w string, langs []string, typos bool) []tokMatch {
	var out []tokMatch
	add := func(ts []int32, q float64) {
		for _, t := range ts {
			found := false
			for i := range out {
				if out[i].tok == t {
					out[i].q = max(out[i].q, q)
					found = true
				}
			}
			if !found {
				out = append(out, tokMatch{t, q})
			}
		}
	}
	add(lx.forms[w], 1)
	for _, l := range langs {
		if s := Stem(l, w); s != w {
			add(lx.forms[s], 1)
		}
	}
	// A known word plus an ending the stemmer does not know
	// ("degistirmek" for "değiştirme"): also when the word itself is known
	// as another word.
	r := []rune(w)
	if len(r) >= 5 {
		for n := len(r) - 1; n >= max(4, len(r)-3); n-- {
			add(lx.forms[string(r[:n])], 0.9)
		}
	}
	if len(out) > 0 {
		return out
	}
	if !typos || len(r) < 5 {
		return out
	}
	maxD := 1
	if len(r) >= 9 {
		maxD = 2
	}
	seen := map[int32]bool{}
	try := func(h uint64) {
		for _, d := range lx.deleted(h) {
			t := d.tok
			if seen[t] {
				continue
			}
			seen[t] = true
			if editDistance(w, lx.tokens[t], maxD) <= maxD || editDistance(Stem(langs[0], w), lx.tokens[t], 1) <= 1 {
				add([]int32{t}, 0.75)
			}
		}
	}
	for _, h := range deletionHashes(w) {
		try(h)
	}
	return out
}

// lookupTyped is lookup for a word as typed (raw) and folded: Vietnamese
// typed with its tones finds the syllables of those tones only.
func (lx *Lexicon) lookupTyped(raw, folded string, langs []string, typos bool) []tokMatch {
	if langs[0] == "vi" {
		toned := strings.ToLower(norm.NFC.String(joiners.Replace(raw)))
		if toned != folded {
			if ts := lx.forms[toned]; len(ts) > 0 {
				out := make([]tokMatch, len(ts))
				for i, t := range ts {
					out[i] = tokMatch{t, 1}
				}
				return out
			}
		}
	}
	return lx.lookup(folded, langs, typos)
}

// isAncestor reports whether concept a is a parent (or further up) of b.
func (lx *Lexicon) isAncestor(a, b int32) bool {
	for p, n := lx.concepts[b].parent, 0; p >= 0 && n < 16; p, n = lx.concepts[p].parent, n+1 {
		if p == a {
			return true
		}
	}
	return false
}

// splitCompound splits a German compound into known words
// ("sozialticketantrag" -> "sozialticket", "antrag"), allowing the
// linking s/es/n/en; nil if it does not split into known words.
func (lx *Lexicon) splitCompound(w string) []string {
	r := []rune(w)
	return lx.split(r, 3)
}

func (lx *Lexicon) split(r []rune, depth int) []string {
	if depth == 0 || len(r) < 7 {
		return nil
	}
	known := func(s string) bool { return len(lx.forms[s]) > 0 || len(lx.forms[Stem("de", s)]) > 0 }
	// The longest known first part wins.
	for i := len(r) - 4; i >= 3; i-- {
		left := string(r[:i])
		if !known(left) {
			continue
		}
		rest := r[i:]
		for _, link := range []string{"", "s", "es", "n", "en"} {
			lr := []rune(link)
			if len(rest)-len(lr) < 4 || string(rest[:len(lr)]) != link {
				continue
			}
			right := rest[len(lr):]
			if known(string(right)) {
				return []string{left, string(right)}
			}
			if more := lx.split(right, depth-1); more != nil {
				return append([]string{left}, more...)
			}
		}
	}
	return nil
}
