package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Führerschein":  "fuhrerschein",
		"ueber":         "uber",
		"Frauen":        "frauen",
		"İstanbul IŞIK": "istanbul isik",
		"diş doktoru":   "dis doktoru",
		"ma7ami 3ayez":  "mahami aayez",
		"B1 SGB2 2026":  "b1 sgb2 2026",
		"الإقامة":       "اقامه",
		"یادگیری":       "يادگيري",
		"Laptop-Kurs":   "laptopkurs",
		"تـــعلم":       "تعلم",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// deletionHashes are the hashes of the word and of each one-letter
// deletion, whatever the script.
func TestDeletionHashes(t *testing.T) {
	for _, w := range []string{"kurs", "führerschein", "ولادة", "ጀርመንኛ"} {
		want := []uint64{hashString(w)}
		r := []rune(w)
		for i := range r {
			want = append(want, hashString(string(r[:i])+string(r[i+1:])))
		}
		if got := deletionHashes(w); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", w, got, want)
		}
	}
}

func TestWordsAndGarbage(t *testing.T) {
	lx := Default()
	for in, want := range map[string][]string{
		"I need help with Jobcenter letter": {"help", "Jobcenter", "letter"},
		"Ich suche einen Deutschkurs":       {"Deutschkurs"},
		"шукаю курс німецької":              {"курс", "німецької"},
		"B1-Kurs!!":                         {"B1Kurs"},
	} {
		if got := lx.ContentWords(in); !slices.Equal(got, want) {
			t.Errorf("ContentWords(%q) = %q, want %q", in, got, want)
		}
	}
	if got := lx.Normalize("  Ich SUCHE   einen Deutschkurs für Frauen "); got != "deutschkurs frauen" {
		t.Errorf("Normalize: %q", got)
	}
	for _, g := range []string{"???", "👍👍", " … ", ""} {
		if !Garbage(g) {
			t.Errorf("%q should be garbage", g)
		}
	}
	if Garbage("Kita") {
		t.Error("Kita is a search")
	}
}

// concepts lists the concept ids Analyze finds.
func concepts(a *Analysis) []string {
	var ids []string
	for _, c := range a.Concepts {
		ids = append(ids, c.ID)
	}
	return ids
}

// The query understanding finds the need behind typing habits the issue
// names: dialect, Arabizi, letters left out, compounds, a need in noise.
// The queries are not from the evaluation set.
func TestAnalyzeFindsConcepts(t *testing.T) {
	lx := Default()
	for _, c := range []struct {
		lang, text, want string
	}{
		{"de", "Führerscheinumschreibung", "driving_licence_conversion"},
		{"tr", "ehliyet degistirmek istiyorum", "driving_licence_conversion"},
		{"de", "Zahnarztpraxis gesucht", "dentist"},
		{"de", "Sozialticketantrag", "social_ticket"},
		{"ar", "بدي دكتور أسنان", "dentist"},
		{"de", "guten tag, ich hätte eine frage zum kindergeld, danke", "child_benefit"},
		{"en", "need a lawer for my asylum case", "asylum_procedure"},
	} {
		a := lx.Analyze(c.text, c.lang)
		ids := concepts(a)
		if !slices.Contains(ids, c.want) {
			t.Errorf("%s %q: concepts %v, want %s", c.lang, c.text, ids, c.want)
		}
	}
	// The last part of a compound alone does not make the concept.
	if ids := concepts(lx.Analyze("Fahrschule", "de")); slices.Contains(ids, "school") {
		t.Errorf("Fahrschule is a school: %v", ids)
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"Deutschkurs", "ich suche einen Deutschkurs für Frauen", "I need help with my Aufenthaltstitel",
		"أريد دورة لغة ألمانية", "دنبال کلاس زبان می‌گردم", "زه د ژبې کورس غواړم", "шукаю курси німецької",
		"Kita-Platz in Erfurt", "ÜBER über ueber", "\u200f\u200bKita\u200c", "İstanbul IŞIK", "ኣነ ቋንቋ ይደሊ",
		"tìm lớp học tiếng Đức", "'''---", "a\x00b", "\xff\xfe", strings.Repeat("wort ", 300), "", "3ayez ma7ami",
	} {
		f.Add(s)
	}
	lx := Default()
	f.Fuzz(func(t *testing.T, text string) {
		a := lx.Analyze(text, "de")
		if a.NWords > MaxSearchWords || len(a.Words) != len(a.Origins) {
			t.Fatalf("%d words (%d origins, %d content) from %q", len(a.Words), len(a.Origins), a.NWords, text)
		}
		for _, w := range a.Words {
			if w == "" || strings.ContainsAny(w, " \t\n") {
				t.Fatalf("bad word %q from %q", w, text)
			}
			if utf8.ValidString(text) && !utf8.ValidString(w) {
				t.Fatalf("invalid UTF-8 word %q from %q", w, text)
			}
		}
		n := lx.Normalize(text)
		if strings.Contains(n, "  ") || n != strings.TrimSpace(n) {
			t.Fatalf("normalised %q is not single-spaced", n)
		}
		_ = lx.Tag([]Field{{Lang: "de", Text: text, Weight: 1}})
		_ = Garbage(text)
	})
}

// A search the lexicon does not understand is proposed to the concept its
// words are most like; noise proposes nothing.
func TestPropose(t *testing.T) {
	lx := Default()
	if p, ok := lx.Propose("Fuehrerschein umschreibn lassen", "de"); !ok || p.Concept != "driving_licence_conversion" && p.Concept != "driving_licence" {
		t.Errorf("proposal %+v %v", p, ok)
	}
	if p, ok := lx.Propose("xqzt vbnm", "de"); ok {
		t.Errorf("noise proposed %+v", p)
	}
}

func TestCompoundSplits(t *testing.T) {
	got := compoundSplits(0, "sozialticketantrag")
	want := Split{Word: 0, Head: "sozialticket", Tail: "antrag"}
	if !slices.Contains(got, want) {
		t.Errorf("splits %v lack %v", got, want)
	}
	if !slices.Contains(compoundSplits(1, "arbeitsvertrag"), Split{Word: 1, Head: "arbeit", Tail: "vertrag"}) {
		t.Error("the linking s")
	}
	for _, s := range got {
		if len([]rune(s.Head)) < 4 || len([]rune(s.Tail)) < 4 {
			t.Errorf("part too short: %v", s)
		}
	}
}
