package translatetest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// DeepLTargetLanguages are DeepL's target languages as its documentation
// lists them in mid-2026 (a selection: every one of ours it has, and
// others): FA, PS and KMR (Kurmanji) were beta languages from late 2025
// and are regular since January 2026; there is no Tigrinya.
var DeepLTargetLanguages = []string{
	"AR", "BG", "CKB", "CS", "DA", "DE", "EL", "EN-GB", "EN-US", "ES", "ES-419", "ET", "FA", "FI", "FR", "HE",
	"HU", "ID", "IT", "JA", "KMR", "KO", "LT", "LV", "NB", "NL", "PL", "PRS", "PS", "PT-BR", "PT-PT", "RO", "RU",
	"SK", "SL", "SV", "TH", "TR", "UK", "VI", "ZH-HANS", "ZH-HANT",
}

var deeplNames = map[string]string{
	"AR": "Arabic", "DE": "German", "EN-GB": "English (British)", "EN-US": "English (American)", "FA": "Persian",
	"KMR": "Kurdish (Kurmanji)", "PS": "Pashto", "RO": "Romanian", "RU": "Russian", "TR": "Turkish",
	"UK": "Ukrainian", "VI": "Vietnamese", "CKB": "Kurdish (Sorani)", "PRS": "Dari", "FR": "French",
}

// deeplBackCompat are target codes DeepL still takes though they are not
// listed (an unspecified variant).
var deeplBackCompat = []string{"EN", "PT", "ZH"}

// NewDeepL starts a fake DeepL API v2 (POST /v2/translate, GET
// /v2/languages) that t stops at its end. Every request needs
// "Authorization: DeepL-Auth-Key " + o.Key (else 403); with o.Quota, a
// translation beyond that many characters is answered 456.
func NewDeepL(t testing.TB, o Options) *Server {
	targets := o.Languages
	if targets == nil {
		targets = DeepLTargetLanguages
	}
	var sources []string // the targets without their variants, and EN, PT, ZH
	for _, l := range append(slices.Clone(targets), deeplBackCompat...) {
		base, _, _ := strings.Cut(l, "-")
		if !slices.Contains(sources, base) && (base == l || slices.Contains(deeplBackCompat, base)) {
			sources = append(sources, base)
		}
	}
	return start(t, o, func(s *Server) http.Handler {
		authorized := func(w http.ResponseWriter, r *http.Request) bool {
			if !s.begin(w, r, deeplError) {
				return false
			}
			if r.Header.Get("Authorization") != "DeepL-Auth-Key "+s.key || s.key == "" {
				writeJSON(w, http.StatusForbidden, map[string]string{"message": "Authorization failure, check auth_key"})
				return false
			}
			return true
		}
		mux := http.NewServeMux()
		mux.HandleFunc("GET /v2/languages", func(w http.ResponseWriter, r *http.Request) {
			if !authorized(w, r) {
				return
			}
			list := []map[string]any{}
			codes := sources
			if r.URL.Query().Get("type") == "target" {
				codes = targets
			}
			for _, l := range codes {
				list = append(list, map[string]any{"language": l, "name": deeplNames[l], "supports_formality": l == "DE"})
			}
			writeJSON(w, http.StatusOK, list)
		})
		mux.HandleFunc("POST /v2/translate", func(w http.ResponseWriter, r *http.Request) {
			if !authorized(w, r) {
				return
			}
			deeplTranslate(s, sources, append(slices.Clone(targets), deeplBackCompat...), w, r)
		})
		return mux
	})
}

func deeplTranslate(s *Server, sources, targets []string, w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) { writeJSON(w, status, map[string]string{"message": msg}) }
	var req struct {
		Text       []string `json:"text"`
		SourceLang string   `json:"source_lang"`
		TargetLang string   `json:"target_lang"`
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.NewDecoder(r.Body).Decode(&req) != nil {
		fail(http.StatusBadRequest, "Invalid request: expected a JSON body")
		return
	}
	src, dst := strings.ToUpper(req.SourceLang), strings.ToUpper(req.TargetLang)
	switch {
	case len(req.Text) == 0:
		fail(http.StatusBadRequest, "Parameter 'text' not specified.")
		return
	case len(req.Text) > 50:
		fail(http.StatusRequestEntityTooLarge, "Too many texts in one request.")
		return
	case dst == "":
		fail(http.StatusBadRequest, "Parameter 'target_lang' not specified.")
		return
	case src != "" && !slices.Contains(sources, src):
		fail(http.StatusBadRequest, "Value for 'source_lang' not supported.")
		return
	case !slices.Contains(targets, dst):
		fail(http.StatusBadRequest, "Value for 'target_lang' not supported.")
		return
	}
	if !s.record(req.Text) {
		fail(456, "Quota Exceeded")
		return
	}
	if src == "" {
		src = "DE" // "detected"
	}
	type translation struct {
		DetectedSourceLanguage string `json:"detected_source_language"`
		Text                   string `json:"text"`
	}
	out := make([]translation, len(req.Text))
	for i, t := range req.Text {
		out[i] = translation{DetectedSourceLanguage: src, Text: Translate(t, src, dst)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"translations": out})
}

// deeplError is DeepL's error body for an injected status.
func deeplError(status int) string {
	msg := http.StatusText(status)
	switch status {
	case 456:
		msg = "Quota Exceeded"
	case http.StatusTooManyRequests:
		msg = "Too many requests"
	case http.StatusForbidden:
		msg = "Authorization failure, check auth_key"
	}
	b, _ := json.Marshal(map[string]string{"message": msg})
	return string(b)
}
