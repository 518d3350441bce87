package search

import (
	"strings"
	"unicode/utf8"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/arabic"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/romanian"
	"github.com/blevesearch/snowballstem/russian"
	"github.com/blevesearch/snowballstem/turkish"
)

// Stem is the stem of a folded word in lang, so that inflected forms meet
// ("Führerscheins", "трамваї", "zorbalığa"). The Snowball stemmers of
// PostgreSQL's text search where there is one (de en ru tr ro ar), a
// light suffix stripper for Ukrainian and Persian/Pashto, the word itself
// elsewhere. Words are folded first, the same way on both sides, so a
// stemmer that misses a form misses it for the query and the lexicon alike.
func Stem(lang, w string) string {
	if utf8.RuneCountInString(w) < 4 {
		return w
	}
	var stem func(*snowball.Env) bool
	switch lang {
	case "de":
		stem = german.Stem
	case "en":
		stem = english.Stem
	case "ru":
		stem = russian.Stem
	case "tr", "ku":
		// Kurmanji shares Turkish keyboard habits, not grammar: only the
		// Turkish stemmer's caution keeps it useful; ku words stay.
		if lang == "ku" {
			return w
		}
		stem = turkish.Stem
	case "ro":
		stem = romanian.Stem
	case "ar":
		stem = arabic.Stem
	case "uk":
		return stripSuffix(w, ukSuffixes, 3)
	case "fa", "ps":
		return stripSuffix(w, faSuffixes, 3)
	default:
		return w
	}
	if !isASCII(w) && (lang == "de" || lang == "en" || lang == "ro") && !latinOnly(w) {
		return w // a word in another script: not this stemmer's
	}
	env := snowball.NewEnv(w)
	stem(env)
	if s := env.Current(); s != "" {
		return s
	}
	return w
}

func latinOnly(w string) bool {
	for _, r := range w {
		if r >= 0x0370 {
			return false
		}
	}
	return true
}

// ukSuffixes are Ukrainian case and number endings, longest first.
var ukSuffixes = []string{
	"ами", "ями", "ові", "еві", "ого", "ому", "ими", "іми", "ому", "ою", "ею", "єю", "ій", "ої", "ий", "ів", "їв",
	"ах", "ях", "ам", "ям", "ом", "ем", "им", "ім", "ти", "ть", "ся",
	"и", "і", "ї", "а", "я", "у", "ю", "о", "е", "є", "й", "ь",
}

// faSuffixes are Persian and Pashto plural and possessive endings (also
// colloquial "‑مو", "‑رو"), longest first.
var faSuffixes = []string{
	"هايمان", "هايتان", "هايشان", "هاي", "هام", "هات", "هاش", "ها", "ان", "ات",
	"مان", "تان", "شان", "يم", "يت", "يش", "مو", "رو", "ونه", "ګان", "ګانو", "انو", "ې", "ه",
}

// stripSuffix removes the longest ending of suffixes that leaves at least
// min letters.
func stripSuffix(w string, suffixes []string, min int) string {
	n := utf8.RuneCountInString(w)
	for _, s := range suffixes {
		if strings.HasSuffix(w, s) && n-utf8.RuneCountInString(s) >= min {
			return strings.TrimSuffix(w, s)
		}
	}
	return w
}
