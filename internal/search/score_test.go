package search

import (
	"encoding/binary"
	"math/rand"
	"reflect"
	"slices"
	"sort"
	"testing"
)

func packPosting(term, category string, ids []int64, weights []byte) Posting {
	p := Posting{Term: term, Category: category, Weights: weights}
	for _, id := range ids {
		p.Offers = binary.BigEndian.AppendUint64(p.Offers, uint64(id))
	}
	return p
}

// twoWords is a query of a word and a generic one: only the first must match.
func twoWords() *Analysis {
	return &Analysis{Words: []string{"beratung", "kurs"}, Origins: [][]int{{0}, {1}}, NWords: 2,
		Generic: []bool{false, true}, CategoryCovered: []bool{false, false}}
}

// Scores add up per offer the same whether the ids are dense (summed in a
// slice) or spread out (a map), exact and prefix forms find the right
// postings, and an offer matching only the generic word is no result.
func TestScoreDenseAndSparseAgree(t *testing.T) {
	// far is offer 9's id: 9 (ids dense), or far away (ids spread out).
	ex := func(far int64) *Expansion {
		return &Expansion{
			N: 1000,
			Groups: []Group{
				{Index: 0, Word: "beratung", Alts: []Alt{{Term: "beratung", Docs: 40}, {Term: "beratung", Prefix: true, Docs: 40}}},
				{Index: 1, Word: "kurs", Alts: []Alt{{Term: "kurs", Docs: 90}}},
			},
			Postings: []Posting{
				packPosting("beratung", "counselling", []int64{3, 7}, []byte{10, 3}),
				packPosting("beratungsstelle", "counselling", []int64{7}, []byte{10}),
				packPosting("beratung", "language", []int64{5}, []byte{3}),
				packPosting("kurs", "language", []int64{5, far}, []byte{10, 1}),
				packPosting("kursa", "language", []int64{11}, []byte{10}), // no prefix alt for kurs: not found
			},
			Keywords: []KeywordTerm{{Term: "beratung", Category: "counselling", Weight: 1}, {Term: "beratungsstelle", Category: "counselling", Weight: 1}},
		}
	}
	const far = 1 << 40
	byID := func(c []Candidate) map[int64]float64 {
		m := map[int64]float64{}
		for _, x := range c {
			if x.ID == far {
				x.ID = 9
			}
			m[x.ID] = x.Score
		}
		return m
	}
	dense := Score(twoWords(), nil, ex(9))
	sparse := Score(twoWords(), nil, ex(far))
	d, s := byID(dense.Candidates), byID(sparse.Candidates)
	if len(d) != 3 || !reflect.DeepEqual(d, s) {
		t.Fatalf("dense %v, sparse %v", d, s)
	}
	if _, ok := d[9]; ok {
		t.Errorf("offer 9 matches only the generic word but is a result: %v", d)
	}
	// 7 has "beratung" (description) twice (exact and prefix) and
	// "beratungsstelle" (title) once, and the counselling bonus; 3 has
	// "beratung" in its title twice and the bonus.
	if !(d[3] > d[7] && d[7] > d[5]) {
		t.Errorf("order of scores: %v", d)
	}
	if len(dense.CategoryScore) != 0 {
		t.Errorf("a query that is not only a category lists categories: %v", dense.CategoryScore)
	}
}

// A concept of the query lifts its offers above every text match; a
// query of generic words alone finds nothing; a word of three missing
// drops the offer.
func TestScoreHonesty(t *testing.T) {
	ex := &Expansion{N: 100,
		Groups: []Group{
			{Index: 0, Word: "laptop", Alts: []Alt{{Term: "laptop", Docs: 1}}},
		},
		Postings: []Posting{
			packPosting("laptop", "education", []int64{1}, []byte{10}),
			packPosting("§driving_licence", "authorities", []int64{2}, []byte{3}),
		}}
	a := &Analysis{Words: []string{"buy", "used", "laptop"}, Origins: [][]int{{0}, {1}, {2}}, NWords: 3,
		Generic: []bool{false, false, false}, CategoryCovered: make([]bool, 3)}
	ex.Groups[0].Index = 2
	if r := Score(a, nil, ex); len(r.Candidates) != 0 {
		t.Errorf("one word of three found offers: %v", r.Candidates)
	}
	a = &Analysis{Words: []string{"laptop"}, Origins: [][]int{{0}}, NWords: 1, Generic: []bool{false}, CategoryCovered: []bool{false},
		Concepts: []ConceptMatch{{ID: "driving_licence", Weight: 1, Covers: []int{0}}}}
	ex.Groups[0].Index = 0
	r := Score(a, map[string]ConceptTerm{"§driving_licence": {Weight: 1, Covers: 1}}, ex)
	if len(r.Candidates) != 2 {
		t.Fatalf("candidates %v", r.Candidates)
	}
	m := map[int64]float64{}
	for _, c := range r.Candidates {
		m[c.ID] = c.Score
	}
	if m[2] <= m[1] || m[2] < ConceptTier {
		t.Errorf("a concept in the description scores %v, a word in the title %v", m[2], m[1])
	}
	a.Generic[0] = true
	a.Concepts = nil
	if r := Score(a, nil, ex); len(r.Candidates) != 0 {
		t.Errorf("a generic word alone found offers: %v", r.Candidates)
	}
}

// Best gives the n best candidates in result order, like sorting all.
func TestBestIsTheSortedPrefix(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, size := range []int{0, 1, 5, 119, 120, 121, 1000} {
		var c []Candidate
		for i := range size {
			c = append(c, Candidate{ID: int64(i * 7 % 1009), Score: float64(rng.Intn(20))})
		}
		all := slices.Clone(c)
		sort.Slice(all, func(i, j int) bool { return all[i].Before(all[j]) })
		got := Best(slices.Clone(c), 120)
		if want := all[:min(120, len(all))]; !reflect.DeepEqual(got, want) && len(want) > 0 {
			t.Errorf("%d candidates: got %v\nwant %v", size, got, want)
		}
	}
}

// What no offer is about outweighs a concept that explains less of the
// query: "a plane flight ticket" is not a tram ticket; at a tie the offer
// stays ("return home, flight paid" still finds voluntary return).
func TestScoreOutsideTheNetwork(t *testing.T) {
	ex := &Expansion{N: 100, Postings: []Posting{packPosting("§public_transport_ticket", "authorities", []int64{1}, []byte{10})}}
	a := &Analysis{Words: []string{"plane", "flight", "ticket"}, Origins: [][]int{{0}, {1}, {2}}, NWords: 3,
		Generic: make([]bool, 3), Known: []bool{true, true, true}, CategoryCovered: make([]bool, 3),
		Concepts: []ConceptMatch{{ID: "air_travel", Category: Outside, Weight: 1, Covers: []int{0, 1}}, {ID: "public_transport_ticket", Category: "authorities", Weight: 0.85, Covers: []int{2}}}}
	concepts := map[string]ConceptTerm{"§public_transport_ticket": {Weight: 0.85, Covers: 4}}
	if r := Score(a, concepts, ex); len(r.Candidates) != 0 {
		t.Errorf("a plane flight found the tram ticket: %v", r.Candidates)
	}
	a.Concepts[0].Covers = []int{1}
	a.Generic[0] = true
	if r := Score(a, concepts, ex); len(r.Candidates) != 1 {
		t.Errorf("at a tie: %v", r.Candidates)
	}
	// Without the outside concept the ticket offer is found.
	a.Concepts = a.Concepts[1:]
	if r := Score(a, concepts, ex); len(r.Candidates) != 1 {
		t.Errorf("the ticket alone: %v", r.Candidates)
	}
}
