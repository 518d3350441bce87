package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCallback(t *testing.T) {
	tests := []struct {
		data   string
		ok     bool
		prefix string
		args   []string
	}{
		{"lang:ar", true, "lang", []string{"ar"}},
		{"menu", true, "menu", nil},
		{"lang:", true, "lang", []string{""}},
		{"bk:slot:123:20261201T0900", true, "bk", []string{"slot", "123", "20261201T0900"}},
		{"adm:set:42:counsellor", true, "adm", []string{"set", "42", "counsellor"}},
		{"", false, "", nil},
		{":x", false, "", nil},
		{"Lang:ar", false, "", nil},             // prefixes are lower case
		{"1x:a", false, "", nil},                // and start with a letter
		{"lang:a r", false, "", nil},            // no spaces
		{"lang:\u200far", false, "", nil},       // no invisible marks
		{"lang:عربي", false, "", nil},           // no non-ASCII
		{"lang:\x00", false, "", nil},           // no control characters
		{"a:1:2:3:4:5:6:7:8:9", false, "", nil}, // too many parts
		{strings.Repeat("z", 65), false, "", nil},
		{"toolongprefix_abcd:x", false, "", nil},
		{"p:\xff", false, "", nil},
	}
	for _, tt := range tests {
		prefix, args, ok := parseCallback(tt.data)
		if ok != tt.ok || prefix != tt.prefix || strings.Join(args, "|") != strings.Join(tt.args, "|") || len(args) != len(tt.args) {
			t.Errorf("parseCallback(%q) = %q %q %v; want %q %q %v", tt.data, prefix, args, ok, tt.prefix, tt.args, tt.ok)
		}
	}
}

func TestArgID(t *testing.T) {
	for s, want := range map[string]bool{
		"1": true, "42": true, "9223372036854775807": true,
		"": false, "0": false, "007": false, "-1": false, "+1": false, "1e3": false, "9223372036854775808": false, " 1": false, "١٢": false,
	} {
		if _, ok := argID([]string{s}, 0); ok != want {
			t.Errorf("argID(%q): ok %v, want %v", s, ok, want)
		}
	}
	if _, ok := argID(nil, 0); ok {
		t.Error("argID of a missing argument")
	}
}

func TestParseDeepLink(t *testing.T) {
	tests := []struct {
		payload, prefix, value string
		ok                     bool
	}{
		{"o_12", "o", "12", true},
		{"c_AbC-9_x", "c", "AbC-9_x", true},
		{"o", "o", "", true},
		{"o_", "o", "", true},
		{"_12", "", "", false},
		{"", "", "", false},
		{"o 12", "", "", false},
		{"o_12\u200f", "", "", false},
		{"o_١٢", "", "", false},
		{"o_" + strings.Repeat("9", 63), "", "", false},
	}
	for _, tt := range tests {
		p, v, ok := parseDeepLink(tt.payload)
		if p != tt.prefix || v != tt.value || ok != tt.ok {
			t.Errorf("parseDeepLink(%q) = %q %q %v; want %q %q %v", tt.payload, p, v, ok, tt.prefix, tt.value, tt.ok)
		}
	}
}

// FuzzParseCallback: no input panics; what parses is ≤ 64 bytes of
// printable ASCII, has a valid prefix and reassembles to the input.
func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{
		"lang:ar", "menu:main", "priv:del:1767225600", "adm:set:42:admin", "adm:user:9223372036854775807",
		"bk:slot:123:20261201T0900", "lang:", ":", "::", "a:b:c:d:e:f:g:h:i", strings.Repeat("x", 64),
		"lang:\u202eRTL", "lang:a\u200bb", "\xff\xfe", "priv:del:-1", "adm:set:0:admin",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		prefix, args, ok := parseCallback(data)
		if !ok {
			return
		}
		if len(data) > MaxCallbackData || !utf8.ValidString(data) || !validPrefix(prefix) || len(args) > maxCallbackArgs {
			t.Fatalf("accepted %q", data)
		}
		joined := prefix
		if args != nil {
			joined += ":" + strings.Join(args, ":")
		}
		if joined != data {
			t.Fatalf("%q parsed as %q %q", data, prefix, args)
		}
		for i := range args {
			if id, ok := argID(args, i); ok && id <= 0 {
				t.Fatalf("argID(%q) = %d", args[i], id)
			}
		}
	})
}

// FuzzParseDeepLink: no input panics; what parses is a valid Telegram
// start parameter and reassembles to the input.
func FuzzParseDeepLink(f *testing.F) {
	for _, s := range []string{"o_12", "c_token-ABC_def", "o", "_", "o__", "\u200fo_1", "o_1 2", strings.Repeat("a", 65), "ο_12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		prefix, value, ok := parseDeepLink(payload)
		if !ok {
			return
		}
		if prefix == "" || len(payload) > MaxDeepLink || strings.Contains(prefix, "_") {
			t.Fatalf("accepted %q as %q %q", payload, prefix, value)
		}
		if got := prefix + "_" + value; got != payload && prefix != payload {
			t.Fatalf("%q parsed as %q %q", payload, prefix, value)
		}
	})
}
