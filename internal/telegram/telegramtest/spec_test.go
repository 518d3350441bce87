package telegramtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommittedSpecIsTrimmed(t *testing.T) {
	path, err := findSpec()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Version string                     `json:"version"`
		Methods map[string]json.RawMessage `json:"methods"`
		Types   map[string]json.RawMessage `json:"types"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"sendMessage", "getUpdates", "setChatMenuButton"} {
		if s.Methods[m] == nil {
			t.Errorf("method %s missing", m)
		}
	}
	for _, ty := range []string{"InlineKeyboardButton", "BotCommandScopeChat", "MenuButtonWebApp", "CopyTextButton"} {
		if s.Types[ty] == nil {
			t.Errorf("type %s missing", ty)
		}
	}
	if s.Methods["sendInvoice"] != nil || s.Types["Invoice"] != nil || len(s.Methods) != 17 {
		t.Errorf("not trimmed: %d methods", len(s.Methods))
	}
	if !strings.HasPrefix(s.Version, "Bot API ") {
		t.Errorf("version %q", s.Version)
	}
	dir := filepath.Dir(path)
	lic, err := os.ReadFile(filepath.Join(dir, "LICENSE"))
	if err != nil || !strings.Contains(string(lic), "MIT License") {
		t.Errorf("LICENSE beside the spec: %v", err)
	}
}

// TestGeneratedSpecUpToDate regenerates the trimmed reference from the
// shared full one (when present) and compares it with the committed copy.
func TestGeneratedSpecUpToDate(t *testing.T) {
	full := filepath.Join("..", "..", "..", "..", "shared", "telegram", "bot-api.json")
	if _, err := os.Stat(full); err != nil {
		t.Skip("full reference not available:", err)
	}
	if testing.Short() {
		t.Skip("builds trimspec")
	}
	out := filepath.Join(t.TempDir(), "telegram", "bot-api.json")
	cmd := exec.Command("go", "run", "./trimspec", "-in", full, "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("trimspec: %v\n%s", err, b)
	}
	committed, err := findSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bot-api.json", "LICENSE", "README.md"} {
		want, err1 := os.ReadFile(filepath.Join(filepath.Dir(committed), name))
		got, err2 := os.ReadFile(filepath.Join(filepath.Dir(out), name))
		if err1 != nil || err2 != nil || string(want) != string(got) {
			t.Errorf("%s differs from a fresh `go generate` (%v, %v)", name, err1, err2)
		}
	}
}

func TestValidateJSONUnions(t *testing.T) {
	s, err := New(Options{RequireSpec: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sp := s.spec
	cases := []struct {
		typ, json string
		ok        bool
		want      string
	}{
		{"BotCommandScope", `{"type":"chat","chat_id":5}`, true, ""},
		{"BotCommandScope", `{"type":"chat"}`, false, "chat_id: required field of BotCommandScopeChat"},
		{"BotCommandScope", `{"type":"galaxy"}`, false, `must be "`},
		{"MenuButton", `{"type":"web_app","text":"App","web_app":{"url":"https://x.org"}}`, true, ""},
		{"MenuButton", `{"type":"commands","text":"x"}`, false, "unknown field"},
		{"Array of Array of InlineKeyboardButton", `[[{"text":"a","callback_game":{}}]]`, true, ""},
		{"ReplyParameters", `{"message_id":"5"}`, false, "message_id: must be Integer"},
		{"LinkPreviewOptions", `{"is_disabled":true,"url":null}`, true, ""},
	}
	for _, tc := range cases {
		x, err := decodeJSONParam(tc.json)
		if err != nil {
			t.Fatal(err)
		}
		fe := sp.checkJSON(tc.typ, x, "")
		if (fe == nil) != tc.ok || fe != nil && !strings.Contains(fe.Error(), tc.want) {
			t.Errorf("%s %s: %v", tc.typ, tc.json, fe)
		}
	}
}
