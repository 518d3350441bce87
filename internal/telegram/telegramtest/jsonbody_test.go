package telegramtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// The JSON body path (readJSONBody) is held to the code it replaced: the
// old flattenJSON (refFlattenJSON) for the parameters, and decodeJSONValue
// of each object or array parameter for the trees it memoises.

// jsonBodySeeds are bodies for FuzzJSONBody besides netzbot's own.
var jsonBodySeeds = []string{
	`{"chat_id":1001,"text":"\u003cb\u003eä\u003c/b\u003e \u0026amp; →","parse_mode":"HTML","reply_markup":{"inline_keyboard":[[{"text":"Linie 1","callback_data":"line:1","copy_text":{"text":""}}]]}}`,
	`{"callback_query_id":"1234567890123456789","text":"Gespeichert"}`,
	`{"allowed_updates":["message","callback_query"],"limit":100,"offset":5,"timeout":50}`,
	`{"chat_id":1,"message_id":2,"text":"x","reply_markup":{"inline_keyboard":[]},"link_preview_options":{"is_disabled":true}}`,
	`{"method":"sendMessage","chat_id":"@chan","text":"hi"}`,
	// Escapes, in values and in keys.
	`{"text":"tab\tnl\nq\"bs\\sl\/ \b\f\r","k\u0065y":1,"u":"https://x.org/?a=1\u0026b=\u003c2\u003e"}`,
	`{"te\"xt":"1","a\\b":{"c\/d":"e","\u00e4":["\u2028\u2029"]}}`,
	// Surrogates: pairs, and lone halves (U+FFFD in encoding/json).
	`{"a":"\ud83d\ude00","b":{"c":["\uD83D\uDE00"]}}`,
	`{"a":"\ud800"}`, `{"a":"\udc00"}`, `{"a":"\ud800\u0041"}`, `{"a":"\ud800\ud800\udc00"}`, `{"a":"\ud800x"}`,
	`{"\ud800":1}`, `{"a":{"\ud83d\ude00":"\ud800x"}}`, `{"a":["\udbff\udfff","\ud800\\udc00"]}`,
	// Invalid UTF-8 (U+FFFD in encoding/json) and raw non-ASCII.
	"{\"a\":\"\xff\"}", "{\"\xff\":1}", "{\"a\":{\"b\":\"\xe2\x82\"}}", "{\"a\":[\"\xed\xa0\x80\"]}",
	"{\"a\":\"\u2028\",\"b\":\"ä€😀\",\"c\":{\"😀\":\"\u2029\"}}", "{\"a\":1,\xff}",
	// Duplicate keys: the last wins, null included.
	`{"a":1,"a":2}`, `{"a":1,"a":null}`, `{"a":null,"a":"x"}`, `{"a":{"b":1,"b":2},"a":[1]}`,
	`{"r":{"k":[1],"k":{"x":1,"x":"y"}}}`, `{"a":1,"\u0061":2}`, `{"a":[1],"a":{"b":null}}`,
	// After the object: a json.Decoder reads the first value only.
	`{"a":1} x`, `{"a":1}{"b":2}`, `{"a":1}]`, "{\"a\":1}   \n", `{"a":{"b":1}} {`, `{"a":1}}`,
	// Not an object.
	`[1]`, `null`, `"s"`, `1`, `true`, `[{"a":1}]`,
	// Numbers.
	`{"a":1e400,"b":-0,"c":123456789012345678901234567890,"d":1.5E+3,"e":[-0.0e-0,0,1E5,2e-5]}`,
	`{"a":{"n":-1e-999,"m":9223372036854775808}}`,
	`{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":+1}`, `{"a":NaN}`, `{"a":nan}`, `{"a":Infinity}`, `{"a":inf}`,
	`{"a":-inf}`, `{"a":1-2}`, `{"a":[1e5e5]}`, `{"a":.5}`, `{"a":[1e]}`, `{"a":[1e+]}`, `{"a":{"b":-01}}`, `{"a":[0x1]}`,
	// White space.
	`  {"a" : [ 1 , { "b" : "c d" } ] ,"t":true , "f" : false }  `, "{\t\"a\"\r\n:\n{ }\n}", "\n{\"a\":[ ]}",
	// Control characters and invalid escapes.
	"{\"a\":\"x\ty\"}", "{\"a\":\"\x00\"}", "{\"a\":{\"b\":\"\x1f\"}}", "{\"a\x01\":1}",
	`{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12g4"}`, `{"a":"\'"}`, `{"a":["\U0041"]}`, `{"a\q":1}`,
	// Literals and truncation.
	`{"a":tru}`, `{"a":truex}`, `{"a":nul}`, `{"a":[true,false,null]}`, `{"a":nan}`, `{"a":[null]}`,
	`{"a":`, `{"a":"x`, `{"a":[1,`, `{"a":[1,]}`, `{"a":{"b":1,}}`, `{,}`, `{"a"}`, `{"a" 1}`, `{"a":1,}`,
	`{}`, `{"":""}`, `{"a":[]}`, `{"a":{}}`, `{"":null}`, "\xef\xbb\xbf{\"a\":1}",
}

func FuzzJSONBody(f *testing.F) {
	for _, v := range []string{"A", "Störung <b>&amp;</b> \u2028"} {
		f.Add(string(netzbotSendMessage(f, v).body))
	}
	for _, p := range []any{
		&bot.EditMessageTextParams{ChatID: alice.ID, MessageID: 7, Text: benchText("B"), ParseMode: models.ParseModeHTML, ReplyMarkup: netzbotKeyboard()},
		&bot.AnswerCallbackQueryParams{CallbackQueryID: "9999999999999999999", Text: "Gespeichert"},
		&bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "start", Description: "Los geht's"}}, Scope: &models.BotCommandScopeChat{ChatID: -1001234567890}},
	} {
		b, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range jsonBodySeeds {
		f.Add(s)
	}
	for _, s := range jsonSeeds {
		f.Add(`{"reply_markup":` + s + `}`)
	}
	var many strings.Builder // enough parameters for dedupJSONParams's map
	many.WriteString(`{"k":{"a":1}`)
	for i := range 40 {
		fmt.Fprintf(&many, `,"k%d":%d,"k%d":null`, i%30, i, i%7)
	}
	many.WriteString(`,"k":"last","k3":[3]}`)
	f.Add(many.String())
	for _, depth := range []int{fastMaxDepth - 2, fastMaxDepth - 1, fastMaxDepth, fastMaxDepth + 1} {
		f.Add(`{"a":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`)
	}
	f.Fuzz(func(t *testing.T, body string) { checkJSONBody(t, []byte(body)) })
}

// fastMaxDepth is the nesting fastjson takes, the body's object included.
const fastMaxDepth = 300

// checkJSONBody compares, for one body, the parameters and memoised trees
// of readJSONBody with refFlattenJSON's parameters, decoded by
// decodeJSONValue.
func checkJSONBody(t *testing.T, body []byte) {
	t.Helper()
	want := map[string]string{}
	wantErr := refFlattenJSON(body, func(k, v string) { want[k] = v })

	req := &request{params: map[string]string{}}
	err := req.readJSONBody(body, func(k, v string) {
		if _, dup := req.params[k]; dup {
			t.Fatalf("%q: %q set twice", body, k)
		}
		req.params[k] = v
	})
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("%q: error %v, before %v", body, err, wantErr)
	}
	if err != nil {
		return
	}
	if !maps.Equal(req.params, want) {
		t.Fatalf("%q: params\n%q\nbefore\n%q", body, req.params, want)
	}
	_, fast := fastJSONBody(body, nil)
	for k, v := range req.params {
		jv := req.decoded[k]
		composite := strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[")
		if jv == nil {
			// Only values the fast path read as strings (not objects) may
			// look like JSON and not be memoised.
			if fast && composite && !isJSONStringValue(body, k) {
				t.Fatalf("%q: %s not memoised", body, k)
			}
			continue
		}
		if !fast || !composite {
			t.Fatalf("%q: %s memoised (fast path %v)", body, k, fast)
		}
		ref := decodeJSONValue(v)
		if jv.src != v || (jv.err == nil) != (ref.err == nil) || jv.strict != ref.strict || !reflect.DeepEqual(jv.val, ref.val) {
			t.Fatalf("%q: %s memoised as %q %#v (err %v, strict %v), decodeJSONValue %#v (err %v, strict %v)",
				body, k, jv.src, jv.val, jv.err, jv.strict, ref.val, ref.err, ref.strict)
		}
	}
	for k := range req.decoded {
		if _, ok := req.params[k]; !ok {
			t.Fatalf("%q: %s memoised but not a parameter", body, k)
		}
	}
}

// isJSONStringValue is whether the body's (last) value for key is a JSON
// string.
func isJSONStringValue(body []byte, key string) bool {
	var obj map[string]json.RawMessage
	_ = json.Unmarshal(body, &obj)
	raw := obj[key]
	return len(raw) > 0 && raw[0] == '"'
}

// TestNetzbotJSONTakesFastPath keeps the fast path in use: the bodies
// netzbot posts must not fall back to encoding/json.
func TestNetzbotJSONTakesFastPath(t *testing.T) {
	bodies := [][]byte{netzbotSendMessage(t, "A").body, []byte(jsonBodySeeds[2])}
	for _, p := range []any{
		&bot.EditMessageTextParams{ChatID: alice.ID, MessageID: 7, Text: benchText("B"), ParseMode: models.ParseModeHTML, ReplyMarkup: netzbotKeyboard(),
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()}},
		&bot.AnswerCallbackQueryParams{CallbackQueryID: "9999999999999999999", Text: "Gespeichert"},
	} {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	for _, b := range bodies {
		params, ok := fastJSONBody(b, nil)
		if !ok {
			t.Fatalf("fast path declined %s", b)
		}
		for _, p := range params {
			if strings.Contains(p.name, "markup") && !p.composite {
				t.Fatalf("%s not read as an object: %q", p.name, p.value)
			}
		}
	}
}

// FuzzJSONBodyShaped puts arbitrary bytes where a netzbot body has a key,
// strings and a number, so that the fuzzer mostly explores bodies the
// fast path reads (escapes, surrogates, UTF-8, numbers) rather than
// broken structure.
func FuzzJSONBodyShaped(f *testing.F) {
	f.Add("text", `\u003cb\u003eä\u003c/b\u003e`, "Linie 1 → Hbf", "line:1", "1001")
	f.Add(`k\u0065y`, `\ud83d\ude00`, `\ud800`, `\udc00\ud800`, "-0")
	f.Add("text", "\xff", `\u12`, "\t", "1e400")
	f.Add("a", `\"`, `\\`, `\/\b\f\n\r\t`, "01")
	f.Add("text", "", "", "", "123456789012345678901234567890")
	f.Add("", "\u2028", "😀", `\uD83D\uDE00`, "1.5E+3")
	f.Fuzz(func(t *testing.T, key, s1, s2, s3, num string) {
		body := `{"` + key + `":"` + s1 + `","chat_id":` + num +
			`,"reply_markup":{"inline_keyboard":[[{"text":"` + s2 + `","callback_data":"` + s3 + `","` + key + `":` + num + `}]],"` + s3 + `":["` + key + `"]}}`
		checkJSONBody(t, []byte(body))
	})
}
