package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/netzbot/netzbot/internal/search"
)

// stemConfigs are the stemmers a query word is stemmed with: its language
// is not known, and the offers' stems come from their own language's.
const stemConfigs = `{german,english,russian,turkish,romanian,arabic}`

// expand loads what a search reads of the index for the words and
// concept terms of a query, in one round trip: each word's folded form,
// its stems in every stemming language, longer words it is a prefix of,
// and, for one of the first nwords the index does not know at all, the
// most similar known words (typo tolerance); the postings of every term
// these match and of the concept terms (exact); the category keyword
// terms among them; the number of active offers. Scoring is
// internal/search's.
func (s *OfferStore) expand(ctx context.Context, words []string, nwords int, exact []string) (*search.Expansion, error) {
	ex := &search.Expansion{N: 1}
	if len(words) == 0 && len(exact) == 0 {
		return ex, nil
	}
	if words == nil {
		words = []string{}
	}
	if exact == nil {
		exact = []string{}
	}
	// The statement is the function offer_search_expand (migration 00009):
	// a function keeps its plan, which costs as much as running it.
	rows, err := s.Pool.Query(ctx, `SELECT * FROM offer_search_expand($1, $2, $3, $4)`, words, nwords, stemConfigs, exact)
	if err != nil {
		return nil, fmt.Errorf("expand query: %w", err)
	}
	groups := make([]search.Group, len(words))
	for i := range words {
		groups[i].Word, groups[i].Index = words[i], i
	}
	type fix struct {
		token, term string
		docs, ord   int
		sim         float64
	}
	fixes := make([][]fix, len(words))

	for rows.Next() {
		var (
			kind            string
			i, docs, ord    *int32
			t, category     *string
			stem, hasPrefix *bool
			sim             *float32
			offers, weights []byte
		)
		if err := rows.Scan(&kind, &i, &t, &stem, &docs, &hasPrefix, &sim, &ord, &category, &offers, &weights); err != nil {
			rows.Close()
			return nil, fmt.Errorf("expand query: %w", err)
		}
		switch kind {
		case "k": // a form of word i
			g := &groups[*i-1]
			d := -1
			if docs != nil {
				d = int(*docs)
				g.Alts = append(g.Alts, search.Alt{Term: *t, Docs: d})
			}
			if *hasPrefix {
				g.Alts = append(g.Alts, search.Alt{Term: *t, Prefix: true, Docs: max(d, 1)})
			}
		case "t": // a known word like token t of word i
			fixes[*i-1] = append(fixes[*i-1], fix{token: *t, term: *category, docs: int(*docs), ord: int(*ord), sim: float64(*sim)})
		case "p":
			ex.Postings = append(ex.Postings, search.Posting{Term: *t, Category: *category, Offers: offers, Weights: weights})
		case "w":
			ex.Keywords = append(ex.Keywords, search.KeywordTerm{Term: *t, Category: *category, Weight: float64(*sim)})
		case "n":
			ex.N = max(float64(*docs), 1)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("expand query: %w", err)
	}
	// A word known in no form is searched as the known words most like its
	// tokens (within 0.1 of each token's best); it is shown as corrected
	// to the best match of its last token that has one.
	for i, fs := range fixes {
		slices.SortFunc(fs, func(a, b fix) int {
			return cmp.Or(strings.Compare(a.token, b.token), cmp.Compare(a.ord, b.ord))
		})
		for _, f := range fs {
			groups[i].Alts = append(groups[i].Alts, search.Alt{Term: f.term, Docs: f.docs, Similarity: f.sim})
			if f.ord == 1 {
				groups[i].Fix = f.term
			}
		}
	}
	for _, g := range groups {
		if len(g.Alts) > 0 {
			ex.Groups = append(ex.Groups, g)
		}
	}
	return ex, nil
}
