package postgres

import (
	"encoding/binary"
	"math/rand"
	"reflect"
	"slices"
	"sort"
	"testing"
)

func packPosting(term, category string, ids []int64, weights []byte) posting {
	p := posting{term: term, category: category, weights: weights}
	for _, id := range ids {
		p.offers = binary.BigEndian.AppendUint64(p.offers, uint64(id))
	}
	return p
}

// Scores add up per offer the same whether the ids are dense (summed in a
// slice) or spread out (a map), and exact and prefix forms find the right
// postings.
func TestScoreDenseAndSparseAgree(t *testing.T) {
	// far is offer 9's id: 9 (ids dense), or far away (ids spread out).
	ex := func(far int64) *expansion {
		return &expansion{
			n: 1000,
			groups: []group{
				{word: "beratung", alts: []alt{{term: "beratung", docs: 40}, {term: "beratung", prefix: true, docs: 40}}},
				{word: "kurs", alts: []alt{{term: "kurs", docs: 90}}},
			},
			postings: []posting{
				packPosting("beratung", "counselling", []int64{3, 7}, []byte{10, 3}),
				packPosting("beratungsstelle", "counselling", []int64{7}, []byte{10}),
				packPosting("beratung", "language", []int64{5}, []byte{3}),
				packPosting("kurs", "language", []int64{5, far}, []byte{10, 1}),
				packPosting("kursa", "language", []int64{11}, []byte{10}), // no prefix alt for kurs: not found
			},
			keywords: []keywordTerm{{term: "beratung", category: "counselling", weight: 1}, {term: "beratungsstelle", category: "counselling", weight: 1}},
		}
	}
	const far = 1 << 40
	byID := func(c []candidate) map[int64]float64 {
		m := map[int64]float64{}
		for _, x := range c {
			if x.id == far {
				x.id = 9
			}
			m[x.id] = x.score
		}
		return m
	}
	dense, catD := ex(9).score()
	sparse, catS := ex(far).score()
	if !reflect.DeepEqual(catD, catS) || catD["counselling"] == 0 || len(catD) != 1 {
		t.Fatalf("category scores %v, %v", catD, catS)
	}
	d, s := byID(dense), byID(sparse)
	if len(d) != 4 || !reflect.DeepEqual(d, s) {
		t.Fatalf("dense %v, sparse %v", d, s)
	}
	// 7 has "beratung" (description) twice (exact and prefix) and
	// "beratungsstelle" (title) once, and the counselling bonus; 3 has
	// "beratung" in its title twice and the bonus.
	if !(d[3] > d[7] && d[7] > d[5] && d[5] > d[9]) {
		t.Errorf("order of scores: %v", d)
	}
}

// best gives the n best candidates in result order, like sorting all.
func TestBestIsTheSortedPrefix(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, size := range []int{0, 1, 5, 119, 120, 121, 1000} {
		var c []candidate
		for i := range size {
			c = append(c, candidate{id: int64(i * 7 % 1009), score: float64(rng.Intn(20))})
		}
		all := slices.Clone(c)
		sort.Slice(all, func(i, j int) bool { return all[i].before(all[j]) })
		got := best(slices.Clone(c), 120)
		if want := all[:min(120, len(all))]; !reflect.DeepEqual(got, want) && len(want) > 0 {
			t.Errorf("%d candidates: got %v\nwant %v", size, got, want)
		}
	}
}
