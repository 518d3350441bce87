package search

import "sort"

// Proposal is the concept a search that found nothing probably meant, for
// `report searches`: the office adds the search's words to it in one step
// (`netzbot lexicon add`).
type Proposal struct {
	Concept string
	Score   float64 // share of the search's words that point to it, about
}

// Propose guesses the concept of a search the lexicon did not understand,
// more loosely than Analyze: each content word votes for the concepts of
// the lexicon words it is like (the same, a known word plus an ending, up
// to two letters apart), a vote counting for the share of the term it
// makes up. ok is false when no concept gets half a word's vote.
func (lx *Lexicon) Propose(text, lang string) (Proposal, bool) {
	words := lx.ContentWords(text)
	if len(words) == 0 {
		return Proposal{}, false
	}
	langs := queryLangs(lang)
	votes := map[int32]float64{}
	for _, raw := range words {
		w := foldWord(raw)
		if lx.generic[w] {
			continue
		}
		toks := lx.lookup(w, langs, true)
		if len(toks) == 0 && len([]rune(w)) >= 5 {
			toks = lx.alike(w, 2)
		}
		best := map[int32]float64{}
		for _, tm := range toks {
			for _, ti := range lx.byToken[tm.tok] {
				t := lx.terms[ti]
				if t.isCategory() {
					continue
				}
				best[t.owner] = max(best[t.owner], tm.q*t.weight/float64(len(t.toks)))
			}
		}
		for c, v := range best {
			votes[c] += v
		}
	}
	ids := make([]int32, 0, len(votes))
	for c := range votes {
		ids = append(ids, c)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := ids[i], ids[j]
		return votes[a] > votes[b] || votes[a] == votes[b] && lx.concepts[a].ID < lx.concepts[b].ID
	})
	if len(ids) == 0 || votes[ids[0]] < 0.5 {
		return Proposal{}, false
	}
	return Proposal{Concept: lx.concepts[ids[0]].ID, Score: votes[ids[0]] / float64(len(words))}, true
}

// alike are the tokens up to maxD letters from w that the typo index can
// find (all at one letter, many at two), counted as half a match.
func (lx *Lexicon) alike(w string, maxD int) []tokMatch {
	var out []tokMatch
	seen := map[int32]bool{}
	for _, h := range deletionHashes(w) {
		for _, d := range lx.deleted(h) {
			if !seen[d.tok] && editDistance(w, lx.tokens[d.tok], maxD) <= maxD {
				seen[d.tok] = true
				out = append(out, tokMatch{d.tok, 0.5})
			}
		}
	}
	return out
}
