package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold is the normalisation of every text the search compares: the same
// as the database's offer_fold (migration 00003) — lower case, accents
// and umlauts folded (ae/oe/ue after a consonant too, so "ueber" = "über"),
// Arabic and Persian letter variants unified, Arabic diacritics, tatweel
// and the article removed, ZWNJ and slashes made word breaks — plus what
// people typing on a phone need: Turkish ı/İ, and Arabizi digits in a
// Latin word ("ma7ami" = "mahami").
func Fold(s string) string {
	return strings.Join(foldWords(s), " ")
}

// foldWords is Fold split into words.
func foldWords(s string) []string {
	var out []string
	for _, w := range splitWords(s) {
		if f := foldWord(w); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// wordsOf are the words of text folded, and as typed in lower case
// (toned: Vietnamese keeps its tones there), word for word.
func wordsOf(text string) (folded, toned []string) {
	for _, w := range splitWords(text) {
		if f := foldWord(w); f != "" {
			folded = append(folded, f)
			toned = append(toned, strings.ToLower(norm.NFC.String(w)))
		}
	}
	return folded, toned
}

// splitWords splits at everything that is not a letter, digit or mark;
// apostrophes and hyphens inside a word join ("driver's", "E-Mail"), ZWNJ
// and slashes separate.
func splitWords(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) && r != '\'' && r != 'ʼ' && r != '’' && r != '-'
	})
	out := fields[:0]
	for _, f := range fields {
		f = strings.Trim(f, "'ʼ’-")
		if f == "" {
			continue
		}
		// A hyphen joins the parts of a German compound ("Laptop-Kurs"):
		// one word, as the index keeps it; apostrophes go.
		f = joiners.Replace(f)
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// joiners are the marks that join a word's parts and go.
var joiners = strings.NewReplacer("'", "", "ʼ", "", "’", "", "-", "")

// latinSpecials are letters that do not decompose into a base letter and
// a mark.
var latinSpecials = strings.NewReplacer("ı", "i", "ß", "ss", "ø", "o", "ł", "l", "æ", "ae", "œ", "oe", "đ", "d", "\u200c", "")

// arabicVariant unifies Arabic and Persian letter variants (ي/ی, ك/ک,
// ة/ه, the alifs) and drops tatweel, like offer_fold.
func arabicVariant(r rune) rune {
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا'
	case 'ى', 'ئ', 'ی':
		return 'ي'
	case 'ة', 'ۀ':
		return 'ه'
	case 'ؤ':
		return 'و'
	case 'ک':
		return 'ك'
	case 'ـ':
		return -1
	}
	return r
}

// foldWord folds one word (no spaces in it).
func foldWord(w string) string {
	w = strings.ToLower(w)
	if !isASCII(w) {
		if strings.ContainsAny(w, "ıßøłæœđ\u200c") {
			w = latinSpecials.Replace(w)
		}
		if norm.NFD.QuickSpanString(w) < len(w) || hasMark(w) {
			t := folders.Get().(transform.Transformer)
			t.Reset()
			if out, _, err := transform.String(t, w); err == nil {
				w = out
			}
			folders.Put(t)
		}
		w = strings.Map(arabicVariant, w)
		w = stripArticle(w)
	}
	w = arabizi(w)
	return umlautPairs(w)
}

// folders remove marks: accents, umlaut dots and Arabic diacritics.
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// stripArticle removes the Arabic article (with و ف ب ك before it) from
// a word of at least three more letters, as offer_fold does.
func stripArticle(w string) string {
	r := []rune(w)
	i := 0
	if len(r) > 0 && strings.ContainsRune("وفبك", r[0]) && len(r) > 3 && (r[1] == 'ا' && r[2] == 'ل' || r[1] == 'ل' && r[2] == 'ل') {
		i = 1
	}
	if len(r)-i >= 5 && (r[i] == 'ا' && r[i+1] == 'ل' || r[i] == 'ل' && r[i+1] == 'ل') {
		return string(r[i+2:])
	}
	return w
}

// arabizi spells the digits that stand for Arabic letters in a Latin word
// ("3ayez", "ma7ami", "5alas") as letters: a digit followed by a letter.
// Numbers, levels and codes ("b1", "sgb2", "2026") stay.
func arabizi(w string) string {
	var b []byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if rep, ok := arabiziDigits[c]; ok && i+1 < len(w) && w[i+1] >= 'a' && w[i+1] <= 'z' {
			if b == nil {
				b = append(make([]byte, 0, len(w)+2), w[:i]...)
			}
			b = append(b, rep...)
			continue
		}
		if b != nil {
			b = append(b, c)
		}
	}
	if b == nil {
		return w
	}
	return string(b)
}

var arabiziDigits = map[byte]string{'2': "", '3': "a", '5': "kh", '6': "t", '7': "h", '8': "gh", '9': "q"}

// umlautPairs folds ae, oe, ue after a consonant (or at the start) to a,
// o, u: "ueber" = "uber", "Buero" = "Buro", but "Frauen" and "neue" stay.
func umlautPairs(w string) string {
	if !strings.Contains(w, "e") {
		return w
	}
	b := []byte(w)
	out := b[:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		out = append(out, c)
		if (c == 'a' || c == 'o' || c == 'u') && i+1 < len(b) && b[i+1] == 'e' && (i == 0 || !strings.ContainsRune("aeiou", rune(b[i-1]))) {
			i++
		}
	}
	return string(out)
}

// hasMark reports whether s holds a combining mark (an Arabic diacritic,
// a decomposed accent).
func hasMark(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
