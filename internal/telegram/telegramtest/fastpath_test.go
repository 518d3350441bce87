package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// The request path decodes, parses and encodes with fast paths (multipart
// forms, JSON validation and canonical JSON). These tests hold them to the code
// they replaced (encoding/json, mime/multipart, and the oracles in
// reference_test.go): each must agree on every input it accepts, and leave
// the rest to the old code.

var jsonSeeds = []string{
	`{"inline_keyboard":[[{"text":"Linie 1","callback_data":"line:1","copy_text":{"text":""}},{"text":"Mehr","url":"https://example.org/p?a=1&b=<2>"}]]}`,
	`{"inline_keyboard":[[{"text":"a","callback_game":{"x":1.50,"y":[1e400]}}],"row?",[]]}`,
	`{"inline_keyboard":[["plain",{"text":"","pay":true,"web_app":{"url":"https://x.org"}}]],"keyboard":[[{"text":"k"}]]}`,
	`{"keyboard":[[{"text":"Standort","request_location":true}]],"resize_keyboard":true}`,
	`{"remove_keyboard":true}`,
	`{"type":"chat","chat_id":-1001234567890}`,
	`{"message_id":5,"allow_sending_without_reply":true}`,
	`["message","callback_query"]`,
	`[{"command":"start","description":"Los geht's"}]`,
	`{"a":"\u00e4\u2028\ud83d\ude00","b":"tab\tnl\nq\"bs\\sl\/"}`,
	`{"a":"Störung 🚋 \u2028 <b>&amp;</b>"}`,
	"{\"a\":\"\xff\"}",
	"{\"a\":\"\u2029\"}",
	`{"a":1} }`, `{"a":1} x`, `{"a":1}   `, `[1,2]]`, `  {"a" : [ ] , "b" : { } }  `,
	`{"a":1,"a":2}`, `{"":null}`, `-0.5e-3`, `01`, `1.`, `.5`, `-`, `tru`, `true false`, `nullx`,
	`"str"`, `""`, ``, `   `, `{`, `[`, `{"a"}`, `{"a":}`, `[1,]`, `{,}`, `[[[[[[[[[[]]]]]]]]]]`,
	`{"a":[1,{"b":[true,false,null,"x"]}]}`, `123456789012345678901234567890`, `1e999`, `-1e-999`,
	"{\"a\":\"ctl\x01\"}", `{"a":"\x"}`, `{"a":"\u12"}`,
}

func TestFastDecodeJSONSeeds(t *testing.T) {
	for _, s := range jsonSeeds {
		checkDecode(t, s)
	}
	deep := strings.Repeat("[", 3000) + strings.Repeat("]", 3000)
	checkDecode(t, deep)
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s)
	}
	f.Fuzz(checkDecode)
}

// checkDecode compares, for one input, everything the request path
// derives from a decoded JSON parameter with what it derived before.
func checkDecode(t *testing.T, v string) {
	t.Helper()
	got := decodeJSONValue(v)
	if x, err := refDecodeJSONParam(v); (err == nil) != (got.err == nil) || !reflect.DeepEqual(x, got.val) {
		t.Fatalf("%q: decodeJSONParam was %#v, %v", v, x, err)
	}

	// Call.Params: what json.Unmarshal made of it.
	var plain any
	uerr := json.Unmarshal([]byte(v), &plain)
	p, ok := any(nil), false
	if got.err == nil && got.strict {
		p, ok = plainJSON(got.val)
	}
	if ok != (uerr == nil) || ok && !reflect.DeepEqual(p, plain) {
		t.Fatalf("%q: plainJSON %#v (%v), json.Unmarshal %#v (%v)", v, p, ok, plain, uerr)
	}

	if got.err != nil {
		return
	}
	// Canonical JSON, and its use as a RawMessage inside a wire message.
	canon := string(appendCanonical(nil, got.val))
	if want := compactJSON(got.val); canon != want {
		t.Fatalf("%q: appendCanonical %s, compactJSON %s", v, canon, want)
	}
	direct, err1 := json.Marshal(got.val)
	viaRaw, err2 := json.Marshal(json.RawMessage(canon))
	if err1 != nil || err2 != nil || !bytes.Equal(direct, viaRaw) {
		t.Fatalf("%q: Marshal %s (%v), as RawMessage %s (%v)", v, direct, err1, viaRaw, err2)
	}

	// The stored inline keyboard.
	req := &request{params: map[string]string{"reply_markup": v}}
	kb, key := normalizeInlineMarkup(req)
	refMarkup, refKey := refNormalizeInlineMarkup(v)
	var refKB [][]Button
	if refMarkup != nil {
		refKB = buttonsOf(refMarkup.(map[string]any)["inline_keyboard"])
	}
	if key != refKey || !reflect.DeepEqual(kb, refKB) {
		t.Fatalf("%q: normalised %s %v, before %s %v", v, key, kb, refKey, refKB)
	}

	// allowed_updates as a list.
	var list []string
	_ = json.Unmarshal([]byte(v), &list)
	if got := allowedList(&request{params: map[string]string{"allowed_updates": v}}); !reflect.DeepEqual(got, list) {
		t.Fatalf("%q: allowed %#v, json.Unmarshal %#v", v, got, list)
	}
}

func TestMarkupKeyMarshalsLikeMap(t *testing.T) {
	for _, s := range []string{"<b>&amp;</b>", "\u2028\u2029", "ä€😀", "\x7f", "a\"b\\c\n"} {
		m := map[string]any{"inline_keyboard": []any{[]any{map[string]any{"text": s, "callback_data": s + "<>&"}}}}
		want, _ := json.Marshal(&wireMessage{ReplyMarkup: m})
		got, _ := json.Marshal(&wireMessage{ReplyMarkup: json.RawMessage(compactJSON(m))})
		if !bytes.Equal(got, want) {
			t.Errorf("%q: %s, want %s", s, got, want)
		}
	}
}

func TestSameEntitiesIsJSONEquality(t *testing.T) {
	lists := [][]entity{nil, {}, {{Type: "bold", Length: 3}}, {{Type: "bold", Length: 3, URL: "x"}}, {{Type: "bold", Length: 3}, {Type: "code", Offset: 1, Length: 1}}}
	for _, a := range lists {
		for _, b := range lists {
			if got, want := sameEntities(a, b), compactJSON(a) == compactJSON(b); got != want {
				t.Errorf("sameEntities(%#v, %#v) = %v", a, b, got)
			}
		}
	}
}

// checkJSONSeeds pairs reference types with values, for FuzzCheckJSON.
var checkJSONSeeds = []struct{ typ, json string }{
	{"InlineKeyboardMarkup", jsonSeeds[0]},
	{"InlineKeyboardMarkup", `{"inline_keyboard":[[{"text":"a","callback_data":5}]]}`},
	{"InlineKeyboardMarkup", `{"inline_keyboard":[{"text":"a"}]}`},
	{"InlineKeyboardMarkup", `{"inline_keyboard":[[{"text":"a","callback_data":"x","colour":"red","zz":1,"aa":2}]]}`},
	{"ReplyKeyboardMarkup", `{"keyboard":[[{"text":"k","request_location":"yes"}]],"resize_keyboard":1}`},
	{"BotCommandScope", `{"type":"chat","chat_id":5}`},
	{"BotCommandScope", `{"type":"chat"}`},
	{"BotCommandScope", `{"type":"galaxy"}`},
	{"MenuButton", `{"type":"web_app","text":"App","web_app":{"url":"https://x.org"}}`},
	{"MenuButton", `{"type":"commands","text":"x"}`},
	{"Array of Array of InlineKeyboardButton", `[[{"text":"a","callback_game":{}}]]`},
	{"ReplyParameters", `{"message_id":"5"}`},
	{"LinkPreviewOptions", `{"is_disabled":true,"url":null}`},
	{"Array of MessageEntity", `[{"type":"bold","offset":0,"length":"3"},{"type":"x"}]`},
	{"Array of BotCommand", `[{"command":"a"},{"command":"b","description":2}]`},
	{"Integer", `1.5`}, {"Float", `"x"`}, {"Array of String", `["a",1]`},
}

func FuzzCheckJSON(f *testing.F) {
	s, err := New(Options{RequireSpec: true})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	sp := s.spec
	types := []string{"Integer", "Float", "Boolean", "String", "InputFile", "Array of String", "Array of Array of InlineKeyboardButton"}
	for name := range sp.Types {
		types = append(types, name, "Array of "+name)
	}
	slices.Sort(types)
	for _, c := range checkJSONSeeds {
		f.Add(uint16(slices.Index(types, c.typ)), c.json)
	}
	for i, v := range jsonSeeds {
		f.Add(uint16(i*7), v)
	}
	f.Fuzz(func(t *testing.T, ti uint16, v string) {
		typ := types[int(ti)%len(types)]
		x, err := refDecodeJSONParam(v)
		if err != nil {
			return
		}
		got, want := sp.checkJSON(typ, x, ""), refCheckJSON(sp, typ, x, "")
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s %q: %+v, before %+v", typ, v, got, want)
		}
		got, want = sp.checkJSON(typ, x, "top.x[1]"), refCheckJSON(sp, typ, x, "top.x[1]")
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s %q under a path: %+v, before %+v", typ, v, got, want)
		}
	})
}

func FuzzParseHTML(f *testing.F) {
	for _, s := range []string{
		benchText("A"), "<b>Störung</b> auf Linie 4 &amp; 7", "<b> </b>", "<pre><code class=\"language-go\">x</code></pre>",
		"<a href='https://x.org/?a=1&amp;b=2'>l</a>", "<span class=\"tg-spoiler\">s</span>", "<tg-emoji emoji-id=\"5\">👍</tg-emoji>",
		"<blockquote expandable>q</blockquote>", "a &lt; b &#60; &#x3C; &bogus;", "x\xffy<b>", "<b>\xe2</b>", "<i>a</b>", "</b>", "<b", "<b x=\"1", "<u>😀</u>",
		"<b></b><i></i>", "plain", "", "&", "<b><i>x</i></b>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain, ents, err := parseHTML(s)
		wantPlain, wantEnts, wantErr := refParseHTML(s)
		if plain != wantPlain || !reflect.DeepEqual(ents, wantEnts) || !reflect.DeepEqual(err, wantErr) {
			t.Fatalf("%q: %q %#v %v, before %q %#v %v", s, plain, ents, err, wantPlain, wantEnts, wantErr)
		}
	})
}

// stdForm reads a multipart/form-data body as parseHTTPRequest does
// without its fast path.
func stdForm(body []byte, boundary string) (fields [][2]string, files bool, err error) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return fields, files, nil
		}
		if err != nil {
			return nil, false, err
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, false, err
		}
		if part.FileName() != "" {
			files = true
			continue
		}
		fields = append(fields, [2]string{part.FormName(), string(data)})
	}
}

func FuzzParseSimpleForm(f *testing.F) {
	form := func(boundary string, kv ...string) []byte {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		if err := w.SetBoundary(boundary); err != nil {
			f.Fatal(err)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			_ = w.WriteField(kv[i], kv[i+1])
		}
		_ = w.Close()
		return b.Bytes()
	}
	const bnd = "5f1c9b0e3a7d4c2e8b6a1f0d9c8e7b6a"
	f.Add(form(bnd, "chat_id", "1001", "text", benchText("A"), "reply_markup", jsonSeeds[0]), bnd)
	f.Add(form(bnd, "a", "", "a", "dup", "b", "x\r\n--"+bnd+"x", "c", "--"+bnd), bnd)
	f.Add(form(bnd, "we\"ird", "1", "name with space", "2"), bnd)
	f.Add(form("b", "x", "\r\n--b", "y", "b"), "b")
	f.Add([]byte("--"+bnd+"\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--"+bnd+"--"), bnd)
	f.Add([]byte("preamble\r\n--"+bnd+"\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--"+bnd+"--\r\n"), bnd)
	f.Add([]byte("--"+bnd+"\nContent-Disposition: form-data; name=\"a\"\n\n1\n--"+bnd+"--\n"), bnd)
	f.Add([]byte("--"+bnd+"\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--"+bnd+"-- epilogue"), bnd)
	f.Add([]byte("--"+bnd+"\r\nContent-Disposition: form-data; name=\"a\"; filename=\"f.txt\"\r\n\r\n1\r\n--"+bnd+"--\r\n"), bnd)
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		var got [][2]string
		if !parseSimpleForm(body, boundary, func(k, v string) { got = append(got, [2]string{k, v}) }) {
			if got != nil {
				t.Fatalf("declined after setting %q", got)
			}
			return
		}
		want, files, err := stdForm(body, boundary)
		if err != nil || files || !slices.Equal(got, want) {
			t.Fatalf("%q (boundary %q): %q, multipart.Reader %q (files %v, err %v)", body, boundary, got, want, files, err)
		}
	})
}

func TestMediaType(t *testing.T) {
	for _, h := range []string{"application/json", "multipart/form-data; boundary=abc-DEF_1.2", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"a b\"", "Application/JSON", "text/plain; charset=utf-8", "multipart/form-data; boundary=a;b"} {
		typ, boundary, err := mediaType(h)
		wantTyp, params, wantErr := mime.ParseMediaType(h)
		if typ != wantTyp || boundary != params["boundary"] || (err == nil) != (wantErr == nil) {
			t.Errorf("%q: %q %q %v, mime %q %q %v", h, typ, boundary, err, wantTyp, params["boundary"], wantErr)
		}
	}
}

func TestFlattenJSONLikeDecoder(t *testing.T) {
	for _, body := range []string{`{"offset":5,"allowed_updates":["message"],"x":null,"b":true,"o":{"z":1,"a":"<"}}`, `{"o": { "z" : [1, 2] }}`, `{"a":1} trailing`, `[1]`, `null`, `{"a":"\u00e4"}`, `{`} {
		got := map[string]string{}
		gotErr := (&request{params: map[string]string{}}).readJSONBody([]byte(body), func(k, v string) { got[k] = v })
		want := map[string]string{}
		var obj map[string]any
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		wantErr := dec.Decode(&obj)
		if wantErr == nil && obj == nil {
			wantErr = errors.New("not an object")
		}
		for k, v := range obj {
			switch x := v.(type) {
			case nil:
			case string:
				want[k] = x
			case json.Number:
				want[k] = x.String()
			case bool:
				want[k] = map[bool]string{true: "true", false: "false"}[x]
			default:
				want[k] = compactJSON(x)
			}
		}
		// Objects and arrays keep the sender's key order, as in a form:
		// the same JSON, not the same text.
		same := len(got) == len(want)
		for k, w := range want {
			g, ok := got[k]
			switch {
			case !ok:
				same = false
			case strings.HasPrefix(w, "{") || strings.HasPrefix(w, "["):
				var gv, wv any
				same = same && json.Unmarshal([]byte(g), &gv) == nil && json.Unmarshal([]byte(w), &wv) == nil &&
					reflect.DeepEqual(gv, wv) && !strings.ContainsAny(g, " \n")
			default:
				same = same && g == w
			}
		}
		if (gotErr == nil) != (wantErr == nil) || gotErr == nil && !same {
			t.Errorf("%s: %v %v, want %v %v", body, got, gotErr, want, wantErr)
		}
	}
}

// FuzzParseSimpleFormShaped builds bodies in the shape parseSimpleForm
// accepts, with arbitrary names, values and boundary, so the fuzzer mostly
// explores accepted input.
func FuzzParseSimpleFormShaped(f *testing.F) {
	f.Add("chat_id", "1001", "text", "x\r\n--b", "b", true)
	f.Add("a", "--b\r\n", "b", "", "b", false)
	f.Add("a", "1", "a", "2", "5f1c9b0e3a7d", true)
	f.Add("0", "", "0", "0", "\n", false)
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2, boundary string, crlfEnd bool) {
		var b strings.Builder
		for _, kv := range [][2]string{{n1, v1}, {n2, v2}} {
			b.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + kv[0] + "\"\r\n\r\n" + kv[1] + "\r\n")
		}
		b.WriteString("--" + boundary + "--")
		if crlfEnd {
			b.WriteString("\r\n")
		}
		body := []byte(b.String())
		var got [][2]string
		if !parseSimpleForm(body, boundary, func(k, v string) { got = append(got, [2]string{k, v}) }) {
			return
		}
		want, files, err := stdForm(body, boundary)
		if err != nil || files || !slices.Equal(got, want) {
			t.Fatalf("%q (boundary %q): %q, multipart.Reader %q (files %v, err %v)", body, boundary, got, want, files, err)
		}
	})
}

// TestGoTelegramFormTakesFastPath keeps the fast paths in use: requests as
// go-telegram/bot sends them must not fall back to mime/multipart.
func TestGoTelegramFormTakesFastPath(t *testing.T) {
	req := capture(t, "sendMessage", func(ctx context.Context, c *bot.Bot) {
		_, _ = c.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: benchText("A"), ParseMode: models.ParseModeHTML, ReplyMarkup: benchKeyboard()})
	})
	typ, boundary, err := mediaType(req.contentType)
	if typ != "multipart/form-data" || err != nil {
		t.Fatalf("Content-Type %q: %q %v", req.contentType, typ, err)
	}
	n := 0
	if !parseSimpleForm(req.body, boundary, func(k, v string) { n++ }) || n != 4 {
		t.Fatalf("body not read by parseSimpleForm (%d fields):\n%s", n, req.body)
	}
	var markup string
	for _, line := range strings.Split(string(req.body), "\r\n") {
		if strings.HasPrefix(line, `{"inline_keyboard"`) {
			markup = line
		}
	}
	if jv := decodeJSONValue(markup); jv.err != nil || !jv.strict {
		t.Fatalf("reply_markup %q not decoded: %v", markup, jv.err)
	}
}
