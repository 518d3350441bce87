package offer

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxQueryWords bounds the words of a search; the rest is ignored.
const MaxQueryWords = 8

// Words splits a search text into its words, without the filler words of
// the shipped languages ("ich suche einen", "I need help with", "أريد"),
// at most MaxQueryWords. Folding, stemming and typo correction happen in
// the database, the same way for queries and offers.
func Words(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) && r != '\'' && r != 'ʼ' && r != '’' && r != '\u200c' && r != '-'
	}) {
		w = strings.Trim(w, "'ʼ’-\u200c")
		if w == "" || stopwords[foldSimple(w)] {
			continue
		}
		out = append(out, w)
		if len(out) == MaxQueryWords {
			break
		}
	}
	return out
}

// Normalize is a search text as stored for "report searches": its words,
// lower case, single spaces.
func Normalize(text string) string {
	return strings.ToLower(strings.Join(Words(text), " "))
}

// foldSimple lowercases and removes diacritics, for stopword lookups.
func foldSimple(s string) string {
	s = strings.ToLower(s)
	if isASCII(s) { // nothing to decompose: most queries
		return s
	}
	t := folders.Get().(transform.Transformer)
	defer folders.Put(t)
	t.Reset()
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

// folders reuse the transformer chain of foldSimple: each holds buffers of
// a few kilobytes, too many to make for every word of every message.
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// stopwords are words that say nothing about what is searched, in the
// shipped languages, folded like foldSimple.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range []string{
		// de
		"ich du er sie es wir ihr mein meine meinen mir mich dich suche suchen brauche brauchen benötige möchte will wollen kann können bitte " +
			"ein eine einen einem einer der die das den dem des und oder für fur mit ohne in im ins an am auf aus bei beim von vom zu zum zur nach " +
			"wo wie was wer gibt es ist sind hier da etwas irgendwo jemand gerne hallo hi hey",
		// en
		"i me my we you need needs want looking look search searching find for a an the with without in on at to of and or is are " +
			"where how what who can could please some any there here hello hi",
		// ar
		"أنا انا في من على الى إلى عن مع أريد اريد ابحث أبحث هل أين اين كيف ما لي و أو او يوجد هناك ممكن من فضلك",
		// fa
		"من در به از با برای و یا میخواهم می‌خواهم میخوام دنبال کجا چطور آیا را یک هست لطفا لطفاً",
		// ps
		"زه په د له سره لپاره او یا غواړم چېرته چیرته څنګه یو",
		// uk
		"я в у на з із зі для і й та або шукаю шукати потрібен потрібна потрібно треба де як мені мене є будь ласка привіт",
		// ru
		"я в во на с со для и или ищу искать нужен нужна нужно надо где как мне меня есть пожалуйста привет",
		// tr
		"ben bir ve veya için icin ile arıyorum ariyorum lazım lazim nerede nasıl nasil var mı mi bana lütfen lutfen merhaba",
		// ku
		"ez û an ji bo li bi digerim kû çawa heye min",
		// ti
		"ኣነ ኣብ ምስ እየ ይደሊ ኣለኹ",
		// ro
		"eu și si sau pentru cu în in la de din pe caut unde cum un o am nevoie vă rog va rog",
		// vi
		"tôi và hoặc cho với ở tại cần tìm muốn đâu một có xin",
	} {
		for _, w := range strings.Fields(list) {
			m[foldSimple(w)] = true
		}
	}
	return m
}()

// Garbage reports whether text has nothing to search for: no word with a
// letter or digit left after the filler words.
func Garbage(text string) bool {
	for _, w := range Words(text) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}
