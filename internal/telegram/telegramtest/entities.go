package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// entity is a MessageEntity as Telegram returns it: offsets in UTF-16 code
// units of the text after markup was removed.
type entity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

// parseError is a "can't parse entities" failure; its text follows tdlib's.
type parseError string

func (e parseError) Error() string { return string(e) }

func parseErrorf(format string, args ...any) parseError {
	return parseError(fmt.Sprintf(format, args...))
}

// utf16Len counts UTF-16 code units, the unit Telegram measures entities in.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// parseText turns text in the given parse_mode into plain text and entities
// the way Telegram does, or fails like Telegram's entity parser would.
func parseText(text, mode string) (string, []entity, error) {
	switch strings.ToLower(mode) {
	case "":
		return text, nil, nil
	case "html":
		return parseHTML(text)
	case "markdownv2":
		return parseMarkdownV2(text)
	case "markdown":
		return parseMarkdown(text)
	}
	return "", nil, errUnsupportedParseMode
}

var errUnsupportedParseMode = parseError("unsupported parse_mode")

// htmlTags maps the tags Telegram accepts to the entity they produce.
var htmlTags = map[string]string{
	"b": "bold", "strong": "bold",
	"i": "italic", "em": "italic",
	"u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
	"span": "spoiler", "tg-spoiler": "spoiler",
	"a":          "text_link",
	"tg-emoji":   "custom_emoji",
	"code":       "code",
	"pre":        "pre",
	"blockquote": "blockquote",
}

type openTag struct {
	name       string
	byteOffset int
	start      int // UTF-16 offset in the output
	attrs      map[string]string
}

func isTagNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// decodeHTMLEntity decodes the entity at s[0]=='&'. Telegram supports every
// numeric entity and only the named &lt; &gt; &amp; &quot;.
func decodeHTMLEntity(s string) (rune, int, bool) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 12 {
		return 0, 0, false
	}
	name := s[1:end]
	switch name {
	case "lt":
		return '<', end + 1, true
	case "gt":
		return '>', end + 1, true
	case "amp":
		return '&', end + 1, true
	case "quot":
		return '"', end + 1, true
	}
	if name[0] != '#' {
		return 0, 0, false
	}
	var (
		v   uint64
		err error
	)
	if len(name) > 1 && (name[1] == 'x' || name[1] == 'X') {
		v, err = strconv.ParseUint(name[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(name[1:], 10, 32)
	}
	if err != nil || v == 0 || v > utf8.MaxRune || v >= 0xD800 && v <= 0xDFFF {
		return 0, 0, false
	}
	return rune(v), end + 1, true
}

func parseHTML(text string) (string, []entity, error) {
	var (
		out      strings.Builder
		pos      int // UTF-16 offset in out
		stack    []openTag
		entities []entity
	)
	// Sized up front: the plain text is never longer than the markup, and
	// every entity needs an end tag.
	out.Grow(len(text))
	if n := strings.Count(text, "</"); n > 0 {
		entities = make([]entity, 0, n)
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c == '&' {
			r, n, ok := decodeHTMLEntity(text[i:])
			if !ok {
				return "", nil, parseErrorf("Character '&' at byte offset %d must be escaped as \"&amp;\" (only &lt;, &gt;, &amp;, &quot; and numeric entities are supported)", i)
			}
			out.WriteRune(r)
			pos += utf16Len(string(r))
			i += n
			continue
		}
		if c != '<' {
			// Plain text up to the next tag or entity, in one piece.
			n := strings.IndexAny(text[i:], "<&")
			if n < 0 {
				n = len(text) - i
			}
			run := text[i : i+n]
			if !utf8.ValidString(run) {
				return "", nil, parseErrorf("Strings must be encoded in UTF-8")
			}
			out.WriteString(run)
			pos += utf16Len(run)
			i += n
			continue
		}
		begin := i
		i++
		if i < len(text) && text[i] == '/' {
			i++
			nameStart := i
			for i < len(text) && text[i] != '>' {
				i++
			}
			if i >= len(text) {
				return "", nil, parseErrorf("Unclosed end tag at byte offset %d", begin)
			}
			name := strings.ToLower(strings.TrimRight(text[nameStart:i], " \t\n\r"))
			i++
			if len(stack) == 0 {
				return "", nil, parseErrorf("Unexpected end tag at byte offset %d", begin)
			}
			top := stack[len(stack)-1]
			if name != top.name {
				return "", nil, parseErrorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.name, name)
			}
			stack = stack[:len(stack)-1]
			if e, ok := tagEntity(top, pos, stack); ok {
				entities = append(entities, e)
			}
			continue
		}
		nameStart := i
		for i < len(text) && isTagNameByte(text[i]) {
			i++
		}
		name := strings.ToLower(text[nameStart:i])
		if _, ok := htmlTags[name]; !ok {
			return "", nil, parseErrorf("Unsupported start tag \"%s\" at byte offset %d", name, begin)
		}
		var attrs map[string]string // made for the first attribute
		for {
			for i < len(text) && isSpaceByte(text[i]) {
				i++
			}
			if i >= len(text) {
				return "", nil, parseErrorf("Unclosed start tag at byte offset %d", begin)
			}
			if text[i] == '>' {
				i++
				break
			}
			attrStart := i
			for i < len(text) && isTagNameByte(text[i]) {
				i++
			}
			attr := strings.ToLower(text[attrStart:i])
			if attr == "" {
				return "", nil, parseErrorf("Empty attribute name in the tag \"%s\" at byte offset %d", name, begin)
			}
			for i < len(text) && isSpaceByte(text[i]) {
				i++
			}
			if attrs == nil {
				attrs = map[string]string{}
			}
			if i >= len(text) || text[i] != '=' {
				attrs[attr] = ""
				continue
			}
			i++
			for i < len(text) && isSpaceByte(text[i]) {
				i++
			}
			if i >= len(text) {
				return "", nil, parseErrorf("Unclosed start tag at byte offset %d", begin)
			}
			var raw string
			if q := text[i]; q == '"' || q == '\'' {
				end := strings.IndexByte(text[i+1:], q)
				if end < 0 {
					return "", nil, parseErrorf("Unclosed start tag at byte offset %d", begin)
				}
				raw = text[i+1 : i+1+end]
				i += end + 2
			} else {
				vs := i
				for i < len(text) && !isSpaceByte(text[i]) && text[i] != '>' {
					i++
				}
				raw = text[vs:i]
			}
			val, err := unescapeAttr(raw)
			if err != nil {
				return "", nil, err
			}
			attrs[attr] = val
		}
		if name == "span" && attrs["class"] != "tg-spoiler" {
			return "", nil, parseErrorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
		}
		if name == "tg-emoji" && attrs["emoji-id"] == "" {
			return "", nil, parseErrorf("Tag \"tg-emoji\" must have attribute \"emoji-id\" at byte offset %d", begin)
		}
		stack = append(stack, openTag{name: name, byteOffset: begin, start: pos, attrs: attrs})
	}
	if len(stack) > 0 {
		return "", nil, parseErrorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	if len(entities) == 0 {
		entities = nil // none is nil, not empty (see sameEntities)
	}
	return out.String(), sortEntities(entities), nil
}

func unescapeAttr(s string) (string, error) {
	if !strings.Contains(s, "&") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '&' {
			r, n, ok := decodeHTMLEntity(s[i:])
			if ok {
				b.WriteRune(r)
				i += n
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), nil
}

// preLangKey cannot collide with a parsed attribute name (those are [a-z0-9_-]).
const preLangKey = "\x00lang"

func tagEntity(t openTag, end int, outer []openTag) (entity, bool) {
	e := entity{Type: htmlTags[t.name], Offset: t.start, Length: end - t.start}
	if e.Length == 0 {
		return e, false
	}
	switch t.name {
	case "a":
		href := t.attrs["href"]
		if href == "" {
			return e, false
		}
		e.URL = href
	case "tg-emoji":
		e.CustomEmojiID = t.attrs["emoji-id"]
	case "blockquote":
		if _, ok := t.attrs["expandable"]; ok {
			e.Type = "expandable_blockquote"
		}
	case "code":
		if len(outer) > 0 && outer[len(outer)-1].name == "pre" {
			// <pre><code class="language-x"> is one pre entity with a language.
			if lang, ok := strings.CutPrefix(t.attrs["class"], "language-"); ok {
				if outer[len(outer)-1].attrs == nil {
					outer[len(outer)-1].attrs = map[string]string{}
				}
				outer[len(outer)-1].attrs[preLangKey] = lang
			}
			return e, false
		}
	case "pre":
		e.Language = t.attrs[preLangKey]
	}
	return e, true
}

func sortEntities(es []entity) []entity {
	// Telegram orders entities by offset, outer entities first.
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && (es[j].Offset < es[j-1].Offset || es[j].Offset == es[j-1].Offset && es[j].Length > es[j-1].Length); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
	return es
}

// mdOpen is an open MarkdownV2 entity; kind is spelled the way tdlib's
// error messages name it.
type mdOpen struct {
	kind       string
	byteOffset int
	start      int
	outStart   int
	lang       string
}

const mdReserved = "_*[]()~`>#+-=|{}.!"

func parseMarkdownV2(text string) (string, []entity, error) {
	var (
		out      strings.Builder
		pos      int
		stack    []mdOpen
		entities []entity
	)
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	lineStart := func(i int) bool { return i == 0 || text[i-1] == '\n' }
	inQuote := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' && at(i+1) > 0 && at(i+1) <= 126 {
			i++
			out.WriteByte(text[i])
			pos++
			continue
		}
		reserved := mdReserved
		inCode := len(stack) > 0 && (stack[len(stack)-1].kind == "Code" || stack[len(stack)-1].kind == "Pre")
		if inCode {
			reserved = "`"
		}
		if c == '\n' {
			inQuote = false
		}
		if !strings.ContainsRune(reserved, rune(c)) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if r == utf8.RuneError && n == 1 {
				return "", nil, parseErrorf("Strings must be encoded in UTF-8")
			}
			out.WriteString(text[i : i+n])
			pos += utf16Len(text[i : i+n])
			i += n - 1
			continue
		}
		if !inCode && lineStart(i) {
			if c == '>' {
				inQuote = true
				continue
			}
			if c == '*' && at(i+1) == '*' && at(i+2) == '>' {
				inQuote = true
				i += 2
				continue
			}
		}
		if inQuote && c == '|' && at(i+1) == '|' && (i+2 == len(text) || at(i+2) == '\n') {
			i++ // "||" closing an expandable block quotation
			continue
		}
		closing := false
		if len(stack) > 0 {
			switch stack[len(stack)-1].kind {
			case "Bold":
				closing = c == '*'
			case "Italic":
				closing = c == '_' && at(i+1) != '_'
			case "Underline":
				closing = c == '_' && at(i+1) == '_'
			case "Strikethrough":
				closing = c == '~'
			case "Spoiler":
				closing = c == '|' && at(i+1) == '|'
			case "Code":
				closing = c == '`'
			case "Pre":
				closing = c == '`' && at(i+1) == '`' && at(i+2) == '`'
			case "TextUrl", "CustomEmoji":
				closing = c == ']'
			}
		}
		if !closing {
			o := mdOpen{byteOffset: i, start: pos, outStart: out.Len()}
			switch c {
			case '_':
				if at(i+1) == '_' {
					o.kind = "Underline"
					i++
				} else {
					o.kind = "Italic"
				}
			case '*':
				o.kind = "Bold"
			case '~':
				o.kind = "Strikethrough"
			case '|':
				if at(i+1) != '|' {
					return "", nil, parseErrorf("Character '|' is reserved and must be escaped with the preceding '\\'")
				}
				o.kind = "Spoiler"
				i++
			case '[':
				o.kind = "TextUrl"
			case '`':
				if at(i+1) == '`' && at(i+2) == '`' {
					o.kind = "Pre"
					i += 3
					le := i
					for le < len(text) && !isSpaceByte(text[le]) && text[le] != '`' {
						le++
					}
					if le != i && le < len(text) && text[le] != '`' {
						o.lang = text[i:le]
						i = le
					}
					if at(i) == '\n' || at(i) == '\r' {
						if (at(i+1) == '\n' || at(i+1) == '\r') && at(i) != at(i+1) {
							i += 2
						} else {
							i++
						}
					}
					i--
				} else {
					o.kind = "Code"
				}
			case '!':
				if at(i+1) != '[' {
					return "", nil, parseErrorf("Character '!' is reserved and must be escaped with the preceding '\\'")
				}
				o.kind = "CustomEmoji"
				i++
			default:
				return "", nil, parseErrorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
			}
			stack = append(stack, o)
			continue
		}
		o := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		e := entity{Offset: o.start, Length: pos - o.start}
		switch o.kind {
		case "Bold":
			e.Type = "bold"
		case "Italic":
			e.Type = "italic"
		case "Underline":
			e.Type = "underline"
			i++
		case "Strikethrough":
			e.Type = "strikethrough"
		case "Spoiler":
			e.Type = "spoiler"
			i++
		case "Code":
			e.Type = "code"
		case "Pre":
			e.Type = "pre"
			e.Language = o.lang
			i += 2
		case "TextUrl", "CustomEmoji":
			var u string
			if at(i+1) != '(' {
				if o.kind == "CustomEmoji" {
					return "", nil, parseErrorf("Custom emoji entity must contain a tg://emoji URL")
				}
				u = out.String()[o.outStart:]
			} else {
				i += 2
				urlBegin := i
				var b strings.Builder
				for i < len(text) && text[i] != ')' {
					if text[i] == '\\' && at(i+1) > 0 && at(i+1) <= 126 {
						b.WriteByte(text[i+1])
						i += 2
						continue
					}
					b.WriteByte(text[i])
					i++
				}
				if at(i) != ')' {
					return "", nil, parseErrorf("Can't find end of a URL at byte offset %d", urlBegin)
				}
				u = b.String()
			}
			if o.kind == "CustomEmoji" {
				id, ok := strings.CutPrefix(u, "tg://emoji?id=")
				if !ok || id == "" {
					return "", nil, parseErrorf("Custom emoji URL must have an emoji identifier")
				}
				e.Type, e.CustomEmojiID = "custom_emoji", id
			} else {
				e.Type, e.URL = "text_link", u
			}
		}
		if e.Length > 0 {
			entities = append(entities, e)
		}
	}
	if len(stack) > 0 {
		o := stack[len(stack)-1]
		return "", nil, parseErrorf("Can't find end of %s entity at byte offset %d", o.kind, o.byteOffset)
	}
	return out.String(), sortEntities(entities), nil
}

// parseMarkdown is the legacy Markdown mode: *bold*, _italic_, `code`,
// ```pre``` and [text](url), no nesting, only those characters escapable.
func parseMarkdown(text string) (string, []entity, error) {
	var (
		out      strings.Builder
		pos      int
		entities []entity
	)
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' && strings.IndexByte("_*`[", at(i+1)) >= 0 && at(i+1) != 0 {
			i++
			out.WriteByte(text[i])
			pos++
			continue
		}
		if strings.IndexByte("_*`[", c) < 0 {
			r, n := utf8.DecodeRuneInString(text[i:])
			if r == utf8.RuneError && n == 1 {
				return "", nil, parseErrorf("Strings must be encoded in UTF-8")
			}
			out.WriteString(text[i : i+n])
			pos += utf16Len(text[i : i+n])
			i += n - 1
			continue
		}
		begin := i
		endChar := c
		if c == '[' {
			endChar = ']'
		}
		i++
		pre, lang := false, ""
		if c == '`' && at(i) == '`' && at(i+1) == '`' {
			pre = true
			i += 2
			le := i
			for le < len(text) && !isSpaceByte(text[le]) && text[le] != '`' {
				le++
			}
			if le != i && le < len(text) && text[le] != '`' {
				lang = text[i:le]
				i = le
			}
			if at(i) == '\n' {
				i++
			}
		}
		start := pos
		for i < len(text) && (text[i] != endChar || pre && !(at(i+1) == '`' && at(i+2) == '`')) {
			_, n := utf8.DecodeRuneInString(text[i:])
			out.WriteString(text[i : i+n])
			pos += utf16Len(text[i : i+n])
			i += n
		}
		if i >= len(text) {
			return "", nil, parseErrorf("Can't find end of the entity starting at byte offset %d", begin)
		}
		e := entity{Offset: start, Length: pos - start}
		switch c {
		case '*':
			e.Type = "bold"
		case '_':
			e.Type = "italic"
		case '`':
			e.Type = "code"
			if pre {
				e.Type, e.Language = "pre", lang
				i += 2
			}
		case '[':
			e.Type = "text_link"
			if at(i+1) == '(' {
				ue := strings.IndexByte(text[i+2:], ')')
				if ue < 0 {
					return "", nil, parseErrorf("Can't find end of a URL at byte offset %d", i+2)
				}
				e.URL = text[i+2 : i+2+ue]
				i += 2 + ue
			}
		}
		if e.Length > 0 && (e.Type != "text_link" || e.URL != "") {
			entities = append(entities, e)
		}
	}
	return out.String(), sortEntities(entities), nil
}
