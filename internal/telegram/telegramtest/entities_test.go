package telegramtest

import (
	"reflect"
	"testing"
)

func TestParseHTMLEntities(t *testing.T) {
	text, ents, err := parseHTML(`🚋 <b>Linie <i>4</i></b> <a href="https://kvv.de/?a=1&amp;b=2">Plan</a> <pre><code class="language-go">x</code></pre>`)
	if err != nil {
		t.Fatal(err)
	}
	if text != "🚋 Linie 4 Plan x" {
		t.Fatalf("text %q", text)
	}
	want := []entity{
		{Type: "bold", Offset: 3, Length: 7},
		{Type: "italic", Offset: 9, Length: 1},
		{Type: "text_link", Offset: 11, Length: 4, URL: "https://kvv.de/?a=1&b=2"},
		{Type: "pre", Offset: 16, Length: 1, Language: "go"},
	}
	if !reflect.DeepEqual(ents, want) {
		t.Fatalf("entities %+v", ents)
	}
}

func TestParseMarkdown(t *testing.T) {
	text, ents, err := parseMarkdown("*fett* _kursiv_ `code` [link](https://x.org) 1.5")
	if err != nil {
		t.Fatal(err)
	}
	if text != "fett kursiv code link 1.5" || len(ents) != 4 || ents[3].URL != "https://x.org" {
		t.Fatalf("%q %+v", text, ents)
	}
	if _, _, err := parseMarkdown("*open"); err == nil {
		t.Fatal("unclosed entity accepted")
	}
	text, ents, err = parseMarkdownV2(">Zitat\n**>lang\n>zu||\n__u__ ~s~ ```go\ncode```")
	if err != nil {
		t.Fatal(err)
	}
	if text != "Zitat\nlang\nzu\nu s code" || len(ents) != 3 || ents[2].Language != "go" {
		t.Fatalf("%q %+v", text, ents)
	}
}

func TestCommandEntityUsesUTF16(t *testing.T) {
	if e := commandEntities("/start"); len(e) != 1 || e[0].Length != 6 {
		t.Fatal(e)
	}
	if e := commandEntities("/süß👍 x"); len(e) != 1 || e[0].Length != 6 {
		t.Fatal(e)
	}
	if e := commandEntities("hallo /start"); e != nil {
		t.Fatal(e)
	}
}
