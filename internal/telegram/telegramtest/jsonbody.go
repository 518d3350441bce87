package telegramtest

import (
	"encoding/json"
	"sync"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// The JSON body path. netzbot posts its messages as JSON (a long HTML text
// and an inline keyboard), and reading such a body with encoding/json was
// most of the fake's CPU time for them: a Decoder into json.RawMessage
// values, an Unmarshal of every string, a Compact of every object, and then
// the keyboard decoded once more into a tree when validated. The fast path
// parses the body once with fastjson (no reflection, its values recycled)
// and gives both the parameters and the keyboard's tree from that one
// parse. It only takes bodies on which it is sure to agree with
// encoding/json, byte for byte; any other body goes to stdFlattenJSON, the
// code it replaced, so unusual bodies are read, or refused, as before.

// jsonParser is a fastjson parser, which keeps a copy of the last body and
// its parsed values for the next parse to reuse, and a scratch buffer.
type jsonParser struct {
	fastjson.Parser
	scratch []byte
}

var jsonParsers = sync.Pool{New: func() any { return new(jsonParser) }}

// readJSONBody turns a JSON object body into string parameters, as
// stdFlattenJSON does, and memoises the trees of object and array
// parameters (request.json) so that they are not decoded again.
func (r *request) readJSONBody(body []byte, set func(k, v string)) error {
	var buf [16]jsonBodyParam
	params, ok := fastJSONBody(body, buf[:0])
	if !ok {
		return stdFlattenJSON(body, set)
	}
	for i := range params {
		p := &params[i]
		set(p.name, p.value)
		if p.composite && r.params[p.name] == p.value {
			if r.decoded == nil {
				r.decoded = make(map[string]*jsonValue, 2)
			}
			// What decodeJSONValue makes of the compact text: the
			// tree, with nothing after it (strict), no error.
			r.decoded[p.name] = &jsonValue{src: p.value, val: p.tree, strict: true}
		}
	}
	return nil
}

// jsonBodyParam is one parameter of a JSON body.
type jsonBodyParam struct {
	name, value string
	// composite is whether the value is an object or array; tree is then
	// what decodeJSONValue gives for value.
	composite bool
	tree      any
	null      bool // JSON null: no parameter
}

// fastJSONBody is stdFlattenJSON's parameters for bodies on which fastjson
// and encoding/json agree: the parameters to set, once each, with the
// trees of objects and arrays. It reports false, for the caller to use
// stdFlattenJSON, for any other body: anything fastjson refuses (which
// includes data after the object, which a json.Decoder ignores, and
// nesting beyond fastjson.MaxDepth), anything that is not an object, and
// strings or numbers fastjson is laxer about than encoding/json (see
// plainJSONStrings and validJSONNumber).
func fastJSONBody(body []byte, params []jsonBodyParam) ([]jsonBodyParam, bool) {
	// Larger bodies would stay in the pooled parser, and none is that
	// large in practice.
	if len(body) > maxPooledBody || !plainJSONStrings(body) {
		return nil, false
	}
	jp := jsonParsers.Get().(*jsonParser)
	defer jsonParsers.Put(jp)
	v, err := jp.ParseBytes(body)
	if err != nil || v.Type() != fastjson.TypeObject {
		return nil, false
	}
	obj, _ := v.Object()
	scratch := &jp.scratch
	ok := true
	// Visit unescapes the keys of obj but leaves its values untouched, so
	// that MarshalTo writes them as they were sent, without the white
	// space: what json.Compact makes of them.
	obj.Visit(func(k []byte, v *fastjson.Value) {
		if !ok {
			return
		}
		p := jsonBodyParam{name: jsonKey(k)}
		switch v.Type() {
		case fastjson.TypeNull:
			p.null = true
		case fastjson.TypeString:
			s, _ := v.StringBytes()
			p.value = string(s)
		case fastjson.TypeTrue:
			p.value = "true"
		case fastjson.TypeFalse:
			p.value = "false"
		case fastjson.TypeNumber:
			*scratch = v.MarshalTo((*scratch)[:0])
			if !validJSONNumber(*scratch) {
				ok = false
				return
			}
			p.value = string(*scratch)
		default: // an object or array
			*scratch = v.MarshalTo((*scratch)[:0])
			p.value = string(*scratch)
			p.composite = true
			// After MarshalTo: reading the strings and keys unescapes
			// them in place, and MarshalTo would then escape them anew
			// (in its own way, not as sent).
			if p.tree, ok = fastJSONTree(v, scratch); !ok {
				return
			}
		}
		params = append(params, p)
	})
	if !ok {
		return nil, false
	}
	return dedupJSONParams(params), true
}

// dedupJSONParams keeps the last of params with the same name, as decoding
// into a map does, and drops nulls.
func dedupJSONParams(params []jsonBodyParam) []jsonBodyParam {
	var lastIndex map[string]int // only for bodies of many parameters
	if len(params) > 32 {
		lastIndex = make(map[string]int, len(params))
		for i, p := range params {
			lastIndex[p.name] = i
		}
	}
	out := params[:0]
	for i, p := range params {
		last := true
		if lastIndex != nil {
			last = lastIndex[p.name] == i
		} else {
			for _, q := range params[i+1:] {
				if q.name == p.name {
					last = false
					break
				}
			}
		}
		if last && !p.null {
			out = append(out, p)
		}
	}
	return out
}

// fastJSONTree is the tree json.Decoder with UseNumber decodes from v's
// JSON text: map[string]any, []any, string, json.Number, bool and nil.
// It reports false for a number encoding/json would refuse.
func fastJSONTree(v *fastjson.Value, scratch *[]byte) (any, bool) {
	switch v.Type() {
	case fastjson.TypeObject:
		obj, _ := v.Object()
		m := make(map[string]any, obj.Len())
		ok := true
		obj.Visit(func(k []byte, e *fastjson.Value) {
			if !ok {
				return
			}
			var x any
			if x, ok = fastJSONTree(e, scratch); ok {
				m[jsonKey(k)] = x // a duplicate replaces the earlier value, as in encoding/json
			}
		})
		return m, ok
	case fastjson.TypeArray:
		elems, _ := v.Array()
		a := make([]any, len(elems))
		for i, e := range elems {
			x, ok := fastJSONTree(e, scratch)
			if !ok {
				return nil, false
			}
			a[i] = x
		}
		return a, true
	case fastjson.TypeString:
		s, _ := v.StringBytes()
		return string(s), true
	case fastjson.TypeNumber:
		*scratch = v.MarshalTo((*scratch)[:0])
		if !validJSONNumber(*scratch) {
			return nil, false
		}
		return json.Number(*scratch), true
	case fastjson.TypeTrue:
		return true, true
	case fastjson.TypeFalse:
		return false, true
	}
	return nil, true // null
}

// jsonKey is string(k), without an allocation for the keys that netzbot's
// bodies repeat (each button has a text, callback_data and copy_text).
func jsonKey(k []byte) string {
	switch string(k) {
	case "text":
		return "text"
	case "callback_data":
		return "callback_data"
	case "copy_text":
		return "copy_text"
	case "url":
		return "url"
	case "inline_keyboard":
		return "inline_keyboard"
	case "chat_id":
		return "chat_id"
	case "message_id":
		return "message_id"
	case "parse_mode":
		return "parse_mode"
	case "reply_markup":
		return "reply_markup"
	case "link_preview_options":
		return "link_preview_options"
	case "is_disabled":
		return "is_disabled"
	case "callback_query_id":
		return "callback_query_id"
	case "offset":
		return "offset"
	case "limit":
		return "limit"
	case "timeout":
		return "timeout"
	case "allowed_updates":
		return "allowed_updates"
	}
	return string(k)
}

// plainJSONStrings is whether fastjson unescapes every string in b, a
// JSON text, as encoding/json does: whether b is valid UTF-8 (encoding/json
// replaces invalid bytes by U+FFFD, fastjson keeps them) and its strings
// hold no control characters (which encoding/json refuses) and only valid
// escapes, surrogates only in pairs (fastjson keeps invalid escapes and
// lone surrogates as they are; encoding/json refuses the one and replaces
// the other). It assumes what is outside strings is JSON; where it is not,
// fastjson refuses b.
func plainJSONStrings(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		i++
		if c != '"' {
			if c >= utf8.RuneSelf {
				return false
			}
			continue
		}
		for { // in a string
			for i < len(b) && !stringSpecial[b[i]] {
				i++
			}
			if i >= len(b) {
				return false
			}
			c = b[i]
			if c == '"' {
				i++
				break
			}
			switch {
			case c == '\\':
				n := jsonEscapeLen(b[i:])
				if n == 0 {
					return false
				}
				i += n
			case c < 0x20:
				return false
			default: // c >= utf8.RuneSelf
				r, n := utf8.DecodeRune(b[i:])
				if r == utf8.RuneError && n == 1 {
					return false
				}
				i += n
			}
		}
	}
	return true
}

// stringSpecial marks the bytes plainJSONStrings looks at in a string.
var stringSpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
	}
	return t
}()

// jsonEscapeLen is the length of the escape sequence at the start of s
// (which begins with a backslash), including the low half that must follow
// a high surrogate, or 0 if it is invalid or a lone surrogate.
func jsonEscapeLen(s []byte) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		r := hex4(s[2:])
		switch {
		case r < 0 || 0xDC00 <= r && r < 0xE000:
			return 0
		case 0xD800 <= r && r < 0xDC00:
			if len(s) < 8 || s[6] != '\\' || s[7] != 'u' {
				return 0
			}
			if r2 := hex4(s[8:]); r2 < 0xDC00 || r2 >= 0xE000 {
				return 0
			}
			return 12
		}
		return 6
	}
	return 0
}

// hex4 is the value of the four hex digits at the start of s, or -1.
func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// validJSONNumber is whether s is a number by JSON's grammar, as
// encoding/json checks it (fastjson also takes, among others, "1-2",
// "+1", "01" and "NaN").
func validJSONNumber(s []byte) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	switch {
	case len(s) == 0:
		return false
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = skipDigits(s[1:])
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = skipDigits(s[2:])
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
		}
		if len(s) == 0 || s[0] < '0' || s[0] > '9' {
			return false
		}
		s = skipDigits(s)
	}
	return len(s) == 0
}

func skipDigits(s []byte) []byte {
	for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
		s = s[1:]
	}
	return s
}
