package telegramtest

// The implementations this package had before its request path was
// optimised, kept verbatim as oracles: the fuzz tests in fastpath_test.go
// check that the faster code judges every input exactly as they did.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

func refParseHTML(text string) (string, []entity, error) {
	var (
		out      strings.Builder
		pos      int // UTF-16 offset in out
		stack    []openTag
		entities []entity
	)
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
			r, n := utf8.DecodeRuneInString(text[i:])
			if r == utf8.RuneError && n == 1 {
				return "", nil, parseErrorf("Strings must be encoded in UTF-8")
			}
			out.WriteString(text[i : i+n])
			pos += utf16Len(text[i : i+n])
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
			if e, ok := refTagEntity(top, pos, stack); ok {
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
		attrs := map[string]string{}
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
	return out.String(), refSortEntities(entities), nil
}

func refTagEntity(t openTag, end int, outer []openTag) (entity, bool) {
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
				outer[len(outer)-1].attrs[preLangKey] = lang
			}
			return e, false
		}
	case "pre":
		e.Language = t.attrs[preLangKey]
	}
	return e, true
}

func refSortEntities(es []entity) []entity {
	// Telegram orders entities by offset, outer entities first.
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && (es[j].Offset < es[j-1].Offset || es[j].Offset == es[j-1].Offset && es[j].Length > es[j-1].Length); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
	return es
}

func refCheckJSON(s *apiSpec, t string, v any, path string) *fieldError {
	depth := strings.Count(path, ".") + strings.Count(path, "[") + 1
	mismatch := func() *fieldError {
		return &fieldError{path: path, msg: fmt.Sprintf("must be %s", t), score: 2*depth + 1}
	}
	if elem, ok := strings.CutPrefix(t, "Array of "); ok {
		arr, ok := v.([]any)
		if !ok {
			return mismatch()
		}
		for i, x := range arr {
			if fe := refCheckJSON(s, elem, x, fmt.Sprintf("%s[%d]", path, i)); fe != nil {
				return fe
			}
		}
		return nil
	}
	switch t {
	case "Integer":
		if n, ok := v.(json.Number); ok {
			if _, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
				return nil
			}
		}
		return mismatch()
	case "Float":
		if _, ok := v.(json.Number); ok {
			return nil
		}
		return mismatch()
	case "Boolean":
		if _, ok := v.(bool); ok {
			return nil
		}
		return mismatch()
	case "String", "InputFile":
		if _, ok := v.(string); ok {
			return nil
		}
		return mismatch()
	}
	e := s.Types[t]
	if e == nil {
		return &fieldError{path: path, msg: fmt.Sprintf("unknown type %s in the reference", t), score: 0}
	}
	if len(e.Subtypes) > 0 {
		var best *fieldError
		for _, sub := range e.Subtypes {
			fe := refCheckJSON(s, sub, v, path)
			if fe == nil {
				return nil
			}
			best = pickError(best, fe)
		}
		return best
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return mismatch()
	}
	if len(e.Fields) == 0 {
		return nil // e.g. CallbackGame: a placeholder object
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, ok := e.fields[k]; !ok {
			return &fieldError{path: joinPath(path, k), msg: fmt.Sprintf("unknown field of %s", t), score: 2 * depth}
		}
	}
	for _, f := range e.Fields {
		x, present := obj[f.Name]
		if f.discriminator != "" && present && x != f.discriminator {
			return &fieldError{path: joinPath(path, f.Name), msg: fmt.Sprintf("must be %q for %s", f.discriminator, t), score: 2 * depth}
		}
		if f.Required && (!present || x == nil) {
			return &fieldError{path: joinPath(path, f.Name), msg: fmt.Sprintf("required field of %s is missing", t), score: 2*depth + 1}
		}
	}
	for _, k := range keys {
		x := obj[k]
		if x == nil {
			continue // JSON null: treated as absent
		}
		f := e.fields[k]
		var best *fieldError
		matched := false
		for _, ft := range f.Types {
			fe := refCheckJSON(s, ft, x, joinPath(path, k))
			if fe == nil {
				matched = true
				break
			}
			best = pickError(best, fe)
		}
		if !matched {
			if best == nil {
				best = &fieldError{path: joinPath(path, k), msg: "has no allowed type", score: 2 * depth}
			}
			return best
		}
	}
	return nil
}

func refDecodeJSONParam(v string) (any, error) {
	var x any
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data")
	}
	return x, nil
}

func refNormalizeInlineMarkup(v string) (any, string) {
	x, err := refDecodeJSONParam(v)
	if err != nil {
		return nil, ""
	}
	obj, ok := x.(map[string]any)
	if !ok {
		return nil, ""
	}
	rows, ok := obj["inline_keyboard"].([]any)
	if !ok {
		return nil, ""
	}
	outRows := make([]any, 0, len(rows))
	for _, r := range rows {
		cells, _ := r.([]any)
		outCells := make([]any, 0, len(cells))
		for _, c := range cells {
			b, ok := c.(map[string]any)
			if !ok {
				continue
			}
			nb := map[string]any{}
			for k, v := range b {
				if isEmptyButtonField(k, v) {
					continue
				}
				nb[k] = v
			}
			outCells = append(outCells, nb)
		}
		outRows = append(outRows, outCells)
	}
	m := map[string]any{"inline_keyboard": outRows}
	return m, compactJSON(m)
}

func refFlattenJSON(body []byte, set func(k, v string)) error {
	var obj map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&obj); err != nil {
		return err
	}
	if obj == nil {
		return errors.New("not an object")
	}
	var buf bytes.Buffer
	for k, raw := range obj {
		switch raw[0] {
		case 'n': // null
		case '"':
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			set(k, v)
		case '{', '[':
			buf.Reset()
			if err := json.Compact(&buf, raw); err != nil {
				return err
			}
			set(k, buf.String())
		default: // a number, true or false: its text
			set(k, string(raw))
		}
	}
	return nil
}
