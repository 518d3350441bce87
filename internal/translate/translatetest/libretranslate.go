package translatetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// LibreTranslateLanguages are the languages of a LibreTranslate that
// loaded the Argos models there are for ours (the argospm index of
// mid-2025 has none for ps, ku, ti and vi), plus two others.
var LibreTranslateLanguages = []string{"ar", "de", "en", "es", "fa", "fr", "ro", "ru", "tr", "uk"}

var libreNames = map[string]string{
	"ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fa": "Persian", "fr": "French",
	"ro": "Romanian", "ru": "Russian", "tr": "Turkish", "uk": "Ukrainian", "ps": "Pashto", "ku": "Kurdish",
	"ti": "Tigrinya", "vi": "Vietnamese",
}

// NewLibreTranslate starts a fake LibreTranslate (POST /translate, GET
// /languages) that t stops at its end. Like the real one with API keys,
// it answers a missing key with 400 and a wrong one with 403; /languages
// needs no key.
func NewLibreTranslate(t testing.TB, o Options) *Server {
	langs := o.Languages
	if langs == nil {
		langs = LibreTranslateLanguages
	}
	return start(t, o, func(s *Server) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /languages", func(w http.ResponseWriter, r *http.Request) {
			if !s.begin(w, r, libreError) {
				return
			}
			type language struct {
				Code    string   `json:"code"`
				Name    string   `json:"name"`
				Targets []string `json:"targets"`
			}
			list := []language{}
			for _, l := range langs {
				list = append(list, language{Code: l, Name: libreNames[l], Targets: langs})
			}
			writeJSON(w, http.StatusOK, list)
		})
		mux.HandleFunc("POST /translate", func(w http.ResponseWriter, r *http.Request) {
			if !s.begin(w, r, libreError) {
				return
			}
			libreTranslate(s, langs, w, r)
		})
		return mux
	})
}

func libreTranslate(s *Server, langs []string, w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) { writeJSON(w, status, map[string]string{"error": msg}) }
	var req struct {
		Q      json.RawMessage `json:"q"`
		Source string          `json:"source"`
		Target string          `json:"target"`
		Format string          `json:"format"`
		APIKey string          `json:"api_key"`
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.NewDecoder(r.Body).Decode(&req) != nil {
		fail(http.StatusBadRequest, "Invalid JSON format")
		return
	}
	switch {
	case s.key != "" && req.APIKey == "":
		fail(http.StatusBadRequest, "Visit https://portal.libretranslate.com to get an API key")
		return
	case s.key != "" && req.APIKey != s.key:
		fail(http.StatusForbidden, "Invalid API key")
		return
	}
	var one string
	var batch []string
	isBatch := json.Unmarshal(req.Q, &batch) == nil
	if !isBatch && json.Unmarshal(req.Q, &one) != nil {
		one = ""
	}
	switch {
	case (isBatch && len(batch) == 0) || (!isBatch && one == ""):
		fail(http.StatusBadRequest, "Invalid request: missing q parameter")
		return
	case req.Source == "":
		fail(http.StatusBadRequest, "Invalid request: missing source parameter")
		return
	case req.Target == "":
		fail(http.StatusBadRequest, "Invalid request: missing target parameter")
		return
	case req.Source != "auto" && !slices.Contains(langs, req.Source):
		fail(http.StatusBadRequest, fmt.Sprintf("%s is not supported", req.Source))
		return
	case !slices.Contains(langs, req.Target):
		fail(http.StatusBadRequest, fmt.Sprintf("%s is not supported", req.Target))
		return
	case req.Format != "" && req.Format != "text" && req.Format != "html":
		fail(http.StatusBadRequest, fmt.Sprintf("%s format is not supported", req.Format))
		return
	}
	texts := batch
	if !isBatch {
		texts = []string{one}
	}
	s.record(texts)
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = Translate(t, req.Source, req.Target)
	}
	if isBatch {
		writeJSON(w, http.StatusOK, map[string]any{"translatedText": out})
	} else {
		writeJSON(w, http.StatusOK, map[string]any{"translatedText": out[0]})
	}
}

// libreError is LibreTranslate's error body for an injected status; 502
// to 504 come from a reverse proxy in front of it, as an HTML page.
func libreError(status int) string {
	switch status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return fmt.Sprintf("<html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>", status, http.StatusText(status), http.StatusText(status))
	case http.StatusTooManyRequests:
		return `{"error":"Slowdown: 20 per 1 minute"}`
	case http.StatusForbidden:
		return `{"error":"Invalid API key"}`
	case http.StatusInternalServerError:
		return `{"error":"Cannot translate text: model crashed"}`
	}
	b, _ := json.Marshal(map[string]string{"error": http.StatusText(status)})
	return string(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
