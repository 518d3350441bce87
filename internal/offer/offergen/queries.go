package offergen

import (
	"math/rand"
	"strings"
	"unicode"

	"github.com/netzbot/netzbot/internal/offer/sample"
	"github.com/netzbot/netzbot/internal/search"
)

// Query is one search of a benchmark.
type Query struct {
	Lang string // the searcher's language (offer.ListQuery.Lang)
	Text string
	// Typo is set for a synthetic typo of a quality query.
	Typo bool
}

// Queries returns n searches (twice the quality set if n <= 0): the search
// quality set (sample.Queries, about 180 searches in 12 languages), all of
// it if n allows, else a random n of it, and then synthetic typos of its
// searches until there are n: in one word of five or more letters one
// letter is dropped, doubled, swapped with the next or replaced by another
// letter of the word, never the first. The order is shuffled, so any
// prefix is a mix of languages, and deterministic for a seed.
func Queries(n int, seed int64) []Query {
	base := sample.Queries
	if n <= 0 {
		n = 2 * len(base)
	}
	rng := rand.New(rand.NewSource(seed))
	var out []Query
	for _, i := range rng.Perm(len(base))[:min(n, len(base))] {
		out = append(out, Query{Lang: base[i].Lang, Text: base[i].Text})
	}
	for tries := 0; len(out) < n && tries < 100*n; tries++ {
		q := base[tries%len(base)]
		if t, ok := typo(rng, q.Text); ok {
			out = append(out, Query{Lang: q.Lang, Text: t, Typo: true})
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// typo changes one letter of one word with at least five letters.
func typo(rng *rand.Rand, text string) (string, bool) {
	words := strings.Fields(text)
	var long []int
	for i, w := range words {
		if letters(w) >= 5 && len(search.Default().ContentWords(w)) > 0 {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return "", false
	}
	wi := long[rng.Intn(len(long))]
	r := []rune(words[wi])
	at := 1 + rng.Intn(len(r)-2) // neither the first nor the last letter
	switch rng.Intn(4) {
	case 0: // dropped
		r = append(r[:at], r[at+1:]...)
	case 1: // doubled
		r = append(r[:at+1], r[at:]...)
	case 2: // swapped with the next
		if r[at] == r[at+1] {
			return "", false
		}
		r[at], r[at+1] = r[at+1], r[at]
	default: // replaced by another letter of the word
		other := r[rng.Intn(len(r))]
		if other == r[at] || !unicode.IsLetter(other) {
			return "", false
		}
		r[at] = other
	}
	words[wi] = string(r)
	return strings.Join(words, " "), true
}

func letters(w string) int {
	n := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
