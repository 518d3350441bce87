package telegram

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text     string
		wantOK   bool
		wantName string
		wantArgs string
	}{
		{"/start", true, "start", ""},
		{"/start@netzbot_bot", true, "start", ""},
		{"/start@NetzBot_Bot o_12", true, "start", "o_12"},
		{"/start@other_bot", false, "", ""},
		{"/help   me please ", true, "help", "me please"},
		{"/Language ar", true, "language", "ar"},
		{"\u200f/help", true, "help", ""},         // RLM typed by an RTL keyboard
		{"\u2068/start\u2069", true, "start", ""}, // isolates around it
		{"/start\nsecond line", true, "start", "second line"},
		{"/ノート", false, "", ""},
		{"/", false, "", ""},
		{"hello /start", false, "", ""},
		{"/" + strings.Repeat("a", 33), false, "", ""},
		{"/курс", false, "", ""},
	}
	for _, tt := range tests {
		c, ok := ParseCommand(tt.text, "netzbot_bot")
		if ok != tt.wantOK || c.Name != tt.wantName || c.Args != tt.wantArgs {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %q %q %v", tt.text, c, ok, tt.wantName, tt.wantArgs, tt.wantOK)
		}
	}
}

func TestSplitTextKeepsLimitAndMarkup(t *testing.T) {
	para := "<b>Titel</b> " + strings.Repeat("Wort ", 150) + "\n"
	text := strings.Repeat(para+"\n", 12)
	parts := SplitText(text, MaxTextLength)
	if len(parts) < 2 {
		t.Fatalf("want several parts, got %d", len(parts))
	}
	var joined int
	for i, p := range parts {
		if n := UTF16Len(p); n > MaxTextLength || n == 0 {
			t.Errorf("part %d has %d units", i, n)
		}
		if strings.Count(p, "<b>") != strings.Count(p, "</b>") {
			t.Errorf("part %d cuts a tag pair", i)
		}
		if !strings.HasPrefix(p, "<b>Titel</b>") {
			t.Errorf("part %d does not start at a paragraph: %q", i, p[:20])
		}
		joined += strings.Count(p, "Wort")
	}
	if joined != 150*12 {
		t.Errorf("lost words: %d", joined)
	}
}

func TestSplitTextWithoutBoundariesAndSurrogates(t *testing.T) {
	text := strings.Repeat("😀", 3000) // 6000 UTF-16 units, no spaces
	parts := SplitText(text, MaxTextLength)
	total := 0
	for _, p := range parts {
		if UTF16Len(p) > MaxTextLength || !utf8.ValidString(p) {
			t.Errorf("bad part of %d units", UTF16Len(p))
		}
		total += utf8.RuneCountInString(p)
	}
	if total != 3000 {
		t.Errorf("lost runes: %d", total)
	}
	amp := strings.Repeat("a&amp;", 1000)
	for _, p := range SplitText(amp, 4000) {
		if strings.HasSuffix(p, "&") || strings.HasSuffix(p, "&amp") {
			t.Errorf("cut inside an entity: …%q", p[len(p)-6:])
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/start", "/start@netzbot_bot o_1", "\u200f/help", "/курс", "/a@b@c", "/\x00", "/start\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := ParseCommand(s, "netzbot_bot")
		if ok && (c.Name == "" || len(c.Name) > 32 || c.Name != strings.ToLower(c.Name)) {
			t.Errorf("bad command %+v from %q", c, s)
		}
	})
}
