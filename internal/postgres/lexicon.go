package postgres

import (
	"cmp"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/netzbot/netzbot/internal/search"
)

// The lexicon a store searches and tags with is the shipped one
// (search.Default) plus the network office's additions (lexicon_additions:
// `netzbot import lexicon`, `netzbot lexicon add`). SyncKeywords loads it,
// and loads it again after a change of the directory (Invalidate) if the
// additions changed; every process then tags offers with the same lexicon.

// lexicon is the lexicon searches and tags use: Lexicon if set, else the
// shipped one with the additions last loaded.
func (s *OfferStore) lexicon() *search.Lexicon {
	if s.Lexicon != nil {
		return s.Lexicon
	}
	if lx := s.lex.Load(); lx != nil {
		return lx
	}
	return search.Default()
}

// SearchLexicon is the lexicon the store searches with: the shipped one
// with the office's additions.
func (s *OfferStore) SearchLexicon(ctx context.Context) (*search.Lexicon, error) {
	if err := s.SyncKeywords(ctx); err != nil {
		return nil, err
	}
	return s.lexicon(), nil
}

// loadLexicon compiles the shipped lexicon with the additions if they
// changed since they were last loaded (SyncKeywords holds keywordsMu).
func (s *OfferStore) loadLexicon(ctx context.Context, q offerQuerier) error {
	if s.Lexicon != nil {
		return nil
	}
	var n int
	var last *time.Time
	if err := q.QueryRow(ctx, `SELECT count(*), max(created_at) FROM lexicon_additions`).Scan(&n, &last); err != nil {
		return fmt.Errorf("load lexicon: %w", err)
	}
	mark := fmt.Sprint(n, last)
	if s.lex.Load() != nil && mark == s.lexMark {
		return nil
	}
	lx := search.Default()
	if n > 0 {
		add, err := lexiconAdditions(ctx, q)
		if err != nil {
			return err
		}
		src, ps := search.LoadBuiltin()
		if len(ps) > 0 {
			return fmt.Errorf("load lexicon: %w", ps)
		}
		src.Merge(add)
		lx = search.Compile(src)
	}
	s.lex.Store(lx)
	s.lexMark = mark
	return nil
}

// LexiconAdditions are the office's additions, as a lexicon source: the
// concepts they extend or add, with only the added terms.
func (s *OfferStore) LexiconAdditions(ctx context.Context) (*search.Source, error) {
	return lexiconAdditions(ctx, s.Pool)
}

func lexiconAdditions(ctx context.Context, q offerQuerier) (*search.Source, error) {
	rows, err := q.Query(ctx, `
		SELECT concept, kind, lang, term, category, parent, source FROM lexicon_additions
		 ORDER BY concept, created_at, kind, lang, term`)
	if err != nil {
		return nil, fmt.Errorf("lexicon additions: %w", err)
	}
	src := &search.Source{}
	byID := map[string]int{}
	for rows.Next() {
		var id, kind, lang, t, category, parent, source string
		if err := rows.Scan(&id, &kind, &lang, &t, &category, &parent, &source); err != nil {
			rows.Close()
			return nil, fmt.Errorf("lexicon additions: %w", err)
		}
		i, ok := byID[id]
		if !ok {
			i = len(src.Concepts)
			byID[id] = i
			src.Concepts = append(src.Concepts, search.Concept{ID: id, Terms: map[string][]string{}, Source: "lexicon_additions (" + source + ")"})
		}
		c := &src.Concepts[i]
		c.Category, c.Parent = cmp.Or(c.Category, category), cmp.Or(c.Parent, parent)
		switch kind {
		case "offer":
			c.Offer = append(c.Offer, t)
		case "ambiguous":
			c.Ambiguous = append(c.Ambiguous, t)
		default:
			c.Terms[lang] = append(c.Terms[lang], t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lexicon additions: %w", err)
	}
	return src, nil
}

// AddToLexicon stores the concepts and terms of add as the office's
// additions (source: where they came from, e.g. the file name) and
// returns how many terms were new; terms already added are kept as they
// are, so importing a file twice changes nothing. The next SyncKeywords
// tags the offers with them.
func (s *OfferStore) AddToLexicon(ctx context.Context, add *search.Source, source string) (int, error) {
	var concepts, kinds, langs, terms, categories, parents []string
	row := func(c search.Concept, kind, lang, t string) {
		concepts, kinds, langs, terms = append(concepts, c.ID), append(kinds, kind), append(langs, lang), append(terms, t)
		categories, parents = append(categories, c.Category), append(parents, c.Parent)
	}
	for _, c := range add.Concepts {
		for _, t := range c.Offer {
			row(c, "offer", "de", t)
		}
		for _, t := range c.Ambiguous {
			row(c, "ambiguous", "", t)
		}
		langs := make([]string, 0, len(c.Terms))
		for l := range c.Terms {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		for _, l := range langs {
			for _, t := range c.Terms[l] {
				row(c, "term", l, t)
			}
		}
	}
	if len(concepts) == 0 {
		return 0, nil
	}
	tag, err := s.Pool.Exec(ctx, `
		INSERT INTO lexicon_additions (concept, kind, lang, term, category, parent, source)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], array_fill($7::text, ARRAY[cardinality($1::text[])]))
		ON CONFLICT (concept, kind, lang, term) DO NOTHING`, concepts, kinds, langs, terms, categories, parents, source)
	if err != nil {
		return 0, fmt.Errorf("add to lexicon: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// ConceptCounts is how many current offers each concept of the lexicon is
// tagged on, for `report searches` (a need the lexicon knows and no offer
// meets is a gap).
func (s *OfferStore) ConceptCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT c.concept, count(*) FROM offer_concepts c JOIN offers o ON o.id = c.offer_id
		 WHERE o.active GROUP BY c.concept`)
	if err != nil {
		return nil, fmt.Errorf("concept counts: %w", err)
	}
	out := map[string]int{}
	var concept string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&concept, &n}, func() error { out[concept] = n; return nil }); err != nil {
		return nil, fmt.Errorf("concept counts: %w", err)
	}
	return out, nil
}
