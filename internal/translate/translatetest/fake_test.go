package translatetest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/translate/translatetest"
)

// call sends a raw request, as any client of the published API would.
func call(t *testing.T, method, url, auth, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestLibreTranslateFakeSpeaksItsAPI(t *testing.T) {
	s := translatetest.NewLibreTranslate(t, translatetest.Options{Key: "k"})
	cases := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/translate", `{"q":"Wohnung","source":"de","target":"ar","format":"text","api_key":"k"}`, 200, `{"translatedText":"شقة"}`},
		{"POST", "/translate", `{"q":["Wohnung","Hallo"],"source":"de","target":"en","api_key":"k"}`, 200, `{"translatedText":["flat","[en] Hallo"]}`},
		{"POST", "/translate", `{"q":"Wohnung","source":"de","target":"ar"}`, 400, "to get an API key"},
		{"POST", "/translate", `{"q":"Wohnung","source":"de","target":"ar","api_key":"x"}`, 403, `{"error":"Invalid API key"}`},
		{"POST", "/translate", `{"q":"Wohnung","source":"de","target":"ps","api_key":"k"}`, 400, `{"error":"ps is not supported"}`},
		{"POST", "/translate", `{"source":"de","target":"ar","api_key":"k"}`, 400, "missing q parameter"},
		{"GET", "/translate", "", 405, ""},
	}
	for _, c := range cases {
		status, body := call(t, c.method, s.URL+c.path, "", c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s %s %s: %d %s; want %d %s", c.method, c.path, c.body, status, body, c.status, c.want)
		}
	}
	status, body := call(t, "GET", s.URL+"/languages", "", "") // no key needed
	var langs []struct {
		Code    string   `json:"code"`
		Name    string   `json:"name"`
		Targets []string `json:"targets"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &langs) != nil || len(langs) != len(translatetest.LibreTranslateLanguages) ||
		langs[0].Name == "" || !slices.Contains(langs[0].Targets, "de") {
		t.Errorf("languages: %d %s", status, body)
	}
}

func TestDeepLFakeSpeaksItsAPI(t *testing.T) {
	s := translatetest.NewDeepL(t, translatetest.Options{Key: "k:fx"})
	auth := "DeepL-Auth-Key k:fx"
	cases := []struct {
		path, auth, body string
		status           int
		want             string
	}{
		{"/v2/translate", auth, `{"text":["Wohnung","Hallo"],"source_lang":"DE","target_lang":"KMR"}`, 200,
			`{"translations":[{"detected_source_language":"DE","text":"xanî"},{"detected_source_language":"DE","text":"[kmr] Hallo"}]}`},
		{"/v2/translate", "", `{"text":["Wohnung"],"target_lang":"AR"}`, 403, "Authorization failure"},
		{"/v2/translate", "DeepL-Auth-Key wrong", `{"text":["Wohnung"],"target_lang":"AR"}`, 403, "Authorization failure"},
		{"/v2/translate", auth, `{"text":["Wohnung"],"target_lang":"TI"}`, 400, "Value for 'target_lang' not supported."},
		{"/v2/translate", auth, `{"text":["Wohnung"],"source_lang":"EN-GB","target_lang":"AR"}`, 400, "Value for 'source_lang' not supported."},
		{"/v2/translate", auth, `{"target_lang":"AR"}`, 400, "Parameter 'text' not specified."},
	}
	for _, c := range cases {
		status, body := call(t, "POST", s.URL+c.path, c.auth, c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s %s: %d %s; want %d %s", c.path, c.body, status, body, c.status, c.want)
		}
	}
	for typ, want := range map[string][]string{"target": {"EN-GB", "KMR", "FA", "PS", "VI"}, "source": {"EN", "KMR", "DE"}} {
		status, body := call(t, "GET", s.URL+"/v2/languages?type="+typ, auth, "")
		var langs []struct{ Language, Name string }
		json.Unmarshal([]byte(body), &langs)
		var codes []string
		for _, l := range langs {
			codes = append(codes, l.Language)
		}
		for _, w := range want {
			if status != 200 || !slices.Contains(codes, w) || slices.Contains(codes, "TI") {
				t.Errorf("%s languages lack %s or have TI: %d %v", typ, w, status, codes)
			}
		}
		if typ == "source" && slices.Contains(codes, "EN-GB") {
			t.Errorf("EN-GB as a source language")
		}
	}
}

func TestFaultsLastAsLongAsAsked(t *testing.T) {
	s := translatetest.NewDeepL(t, translatetest.Options{Key: "k"})
	s.Fail(translatetest.Fault{Status: 503, Times: 2})
	var got []int
	for range 3 {
		status, _ := call(t, "GET", s.URL+"/v2/languages", "DeepL-Auth-Key k", "")
		got = append(got, status)
	}
	s.Fail(translatetest.Fault{Status: 456, Body: `{"message":"custom"}`})
	status, body := call(t, "POST", s.URL+"/v2/translate", "DeepL-Auth-Key k", `{"text":["x"],"target_lang":"AR"}`)
	if !slices.Equal(got, []int{503, 503, 200}) || status != 456 || body != `{"message":"custom"}` || s.Requests() != 4 {
		t.Errorf("faults: %v, then %d %s, %d requests", got, status, body, s.Requests())
	}
	s.Clear()
	if status, _ := call(t, "POST", s.URL+"/v2/translate", "DeepL-Auth-Key k", `{"text":["x"],"target_lang":"AR"}`); status != 200 {
		t.Errorf("after Clear: %d", status)
	}
}
