package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `{
  "version": "Bot API 1.0", "release_date": "today", "changelog": "x",
  "methods": {
    "sendMessage": {"name": "sendMessage", "href": "h", "description": ["d"], "returns": ["Message"],
      "fields": [{"name": "reply_markup", "types": ["InlineKeyboardMarkup", "String"], "required": false, "description": "d"},
                 {"name": "scope", "types": ["Scope"], "required": false, "description": "d"}]},
    "sendInvoice": {"name": "sendInvoice", "href": "h", "description": ["d"],
      "fields": [{"name": "prices", "types": ["Array of LabeledPrice"], "required": true, "description": "d"}]}
  },
  "types": {
    "Message": {"name": "Message", "href": "h", "description": ["d"], "subtype_of": ["Maybe"]},
    "Maybe": {"name": "Maybe", "href": "h", "description": ["d"], "subtypes": ["Message"]},
    "InlineKeyboardMarkup": {"name": "InlineKeyboardMarkup", "href": "h", "description": ["d"],
      "fields": [{"name": "inline_keyboard", "types": ["Array of Array of InlineKeyboardButton"], "required": true, "description": "d"}]},
    "InlineKeyboardButton": {"name": "InlineKeyboardButton", "href": "h", "description": ["d"],
      "fields": [{"name": "text", "types": ["String"], "required": true, "description": "d"}]},
    "Scope": {"name": "Scope", "href": "h", "description": ["d"], "subtypes": ["ScopeChat", "String"]},
    "ScopeChat": {"name": "ScopeChat", "href": "h", "description": ["d"], "subtype_of": ["Scope", "Other"],
      "fields": [{"name": "user", "types": ["User"], "required": true, "description": "d"}]},
    "User": {"name": "User", "href": "h", "description": ["d"]},
    "Other": {"name": "Other", "href": "h", "description": ["d"], "subtypes": ["ScopeChat"]},
    "LabeledPrice": {"name": "LabeledPrice", "href": "h", "description": ["d"]}
  }
}`

func TestTrimKeepsReachableTypes(t *testing.T) {
	got, err := trim([]byte(sample), []string{"sendMessage"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range got.Types {
		names = append(names, n)
	}
	want := map[string]bool{"InlineKeyboardMarkup": true, "InlineKeyboardButton": true, "Scope": true, "ScopeChat": true, "User": true}
	if len(got.Types) != len(want) || got.Methods["sendInvoice"] != nil {
		t.Fatalf("types %v, methods %v", names, got.Methods)
	}
	for n := range want {
		if got.Types[n] == nil {
			t.Errorf("missing %s", n)
		}
	}
	if sc := got.Types["ScopeChat"].SubtypeOf; len(sc) != 1 || sc[0] != "Scope" {
		t.Errorf("subtype_of not filtered: %v", sc)
	}
	if _, err := trim([]byte(sample), []string{"sendTelegram"}); err == nil {
		t.Error("unknown method accepted")
	}
	if _, err := trim([]byte(strings.Replace(sample, `"changelog"`, `"surprise"`, 1)), []string{"sendMessage"}); err == nil {
		t.Error("unknown top-level key accepted")
	}
}

func TestRunWritesDeterministicFiles(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in", "bot-api.json")
	_ = os.MkdirAll(filepath.Dir(in), 0o755)
	if err := os.WriteFile(in, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "in", "LICENSE"), []byte("MIT License\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out", "bot-api.json")
	var first []byte
	for i := range 2 {
		if err := run(in, out, []string{"sendMessage"}); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(out)
		if i == 0 {
			first = b
		} else if string(b) != string(first) {
			t.Fatal("output is not deterministic")
		}
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(first, &v); err != nil || v["changelog"] != nil || v["version"] == nil {
		t.Fatalf("output %s: %v", first, err)
	}
	for _, f := range []string{"LICENSE", "README.md"} {
		if _, err := os.Stat(filepath.Join(dir, "out", f)); err != nil {
			t.Error(err)
		}
	}
}
