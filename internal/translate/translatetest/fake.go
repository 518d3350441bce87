// Package translatetest has fakes of the two machine translation APIs
// netzbot speaks, LibreTranslate and DeepL, as httptest servers that
// follow the published APIs (paths, bodies, codes, error bodies, key
// checks). Their "translations" are deterministic: a few German phrases
// from a small dictionary (Dictionary) in every direction, anything else
// prefixed with the target's code, "[ar] Text" (Translate). Faults are
// injected per server: a delay, or an error status (429, 500, 503, 456…)
// for the next requests or until cleared.
package translatetest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Dictionary holds the phrases the fakes really translate, by our
// language code; each row is one phrase in every language it has. Lookups
// ignore case and surrounding space.
var Dictionary = []map[string]string{
	{"de": "Deutschkurs", "en": "German course", "ar": "دورة اللغة الألمانية", "fa": "کلاس زبان آلمانی",
		"ps": "د الماني ژبې کورس", "uk": "Курс німецької мови", "ru": "Курс немецкого языка", "tr": "Almanca kursu",
		"ku": "Qursa almanî", "ro": "Curs de limba germană", "vi": "Khóa học tiếng Đức"},
	{"de": "Wohnung", "en": "flat", "ar": "شقة", "fa": "آپارتمان", "ps": "اپارتمان", "uk": "квартира",
		"ru": "квартира", "tr": "daire", "ku": "xanî", "ro": "apartament", "vi": "căn hộ"},
	{"de": "Beratung", "en": "counselling", "ar": "استشارة", "fa": "مشاوره", "ps": "مشوره", "uk": "консультація",
		"ru": "консультация", "tr": "danışmanlık", "ku": "şêwirmendî", "ro": "consiliere", "vi": "tư vấn"},
	{"de": "Kinderbetreuung", "en": "childcare", "ar": "رعاية الأطفال", "fa": "نگهداری از کودک", "ps": "د ماشومانو پاملرنه",
		"uk": "догляд за дітьми", "ru": "уход за детьми", "tr": "çocuk bakımı", "ku": "lênêrîna zarokan",
		"ro": "îngrijirea copiilor", "vi": "trông trẻ"},
}

// ourCode maps a provider's code (any case) to ours: en-gb → en, kmr → ku.
func ourCode(code string) string {
	code = strings.ToLower(code)
	switch {
	case code == "kmr":
		return "ku"
	case strings.HasPrefix(code, "en-"):
		return "en"
	}
	return code
}

// Translate is the fakes' translation of text from source to target, in
// the provider's codes (de, ar; DE, EN-GB, KMR): a dictionary phrase in
// the target language, else "[target] " + text with target in lower case
// ("[ar] Sprachcafé", "[kmr] Sprachcafé"), so tests see which code was
// sent.
func Translate(text, source, target string) string {
	src, dst := ourCode(source), ourCode(target)
	key := strings.ToLower(strings.TrimSpace(text))
	for _, row := range Dictionary {
		if strings.ToLower(row[src]) == key && row[dst] != "" {
			return row[dst]
		}
	}
	return "[" + strings.ToLower(target) + "] " + text
}

// Fault is an injected misbehaviour of a fake.
type Fault struct {
	// Status, if set, is answered instead of a translation, with the API's
	// error body (Body, if set, instead).
	Status int
	Body   string
	// Delay is waited before answering (or until the client gives up).
	Delay time.Duration
	// Times is how many requests get the fault; 0: all until Clear.
	Times int
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	URL string

	key      string
	srv      *httptest.Server
	closed   chan struct{}
	mu       sync.Mutex
	fault    *Fault
	requests int      // API requests that reached the fake (faults included)
	texts    []string // every text translated, in order
	chars    int      // characters translated (DeepL's billing unit)
	quota    int
}

// Options configure a fake.
type Options struct {
	// Key is the API key the fake accepts; "" accepts requests without
	// one (a LibreTranslate without --api-keys; DeepL always needs one).
	Key string
	// Languages are the provider's codes it serves; nil: a realistic list.
	Languages []string
	// Quota is DeepL's character limit (456 beyond it); 0: none.
	Quota int
}

func start(t testing.TB, o Options, handler func(s *Server) http.Handler) *Server {
	s := &Server{key: o.Key, quota: o.Quota, closed: make(chan struct{})}
	s.srv = httptest.NewServer(handler(s))
	s.URL = s.srv.URL
	t.Cleanup(func() {
		close(s.closed) // ends delays, or Close would wait for them
		s.srv.Close()
	})
	return s
}

// Fail injects f for the next requests (see Fault.Times).
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = &f
}

// Clear removes any fault: the fake answers normally again.
func (s *Server) Clear() { s.Fail(Fault{}) }

// Requests is the number of API requests that reached the fake.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Texts are the texts the fake translated, in order.
func (s *Server) Texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.texts...)
}

// Characters is the number of characters translated.
func (s *Server) Characters() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chars
}

// begin counts a request and applies the fault, if any: it returns false
// when it answered (an error status, or the client left during a delay).
func (s *Server) begin(w http.ResponseWriter, r *http.Request, errorBody func(status int) string) bool {
	// Reading the body first lets the server notice a client that gives
	// up (it watches the connection only once the body is read).
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	s.requests++
	var f Fault
	if s.fault != nil {
		f = *s.fault
		if s.fault.Times > 0 {
			if s.fault.Times--; s.fault.Times == 0 {
				s.fault = nil
			}
		}
	}
	s.mu.Unlock()
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return false
		case <-s.closed:
			return false
		}
	}
	if f.Status == 0 {
		return true
	}
	answer := f.Body
	if answer == "" {
		answer = errorBody(f.Status)
	}
	if strings.HasPrefix(answer, "<") {
		w.Header().Set("Content-Type", "text/html")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(f.Status)
	w.Write([]byte(answer))
	return false
}

// record counts translated texts; it returns false if they exceed the quota.
func (s *Server) record(texts []string) bool {
	n := 0
	for _, t := range texts {
		n += len([]rune(t))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.quota > 0 && s.chars+n > s.quota {
		return false
	}
	s.chars += n
	s.texts = append(s.texts, texts...)
	return true
}
