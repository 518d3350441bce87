package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// specRelPath is where the trimmed reference lives, relative to the module root.
var specRelPath = filepath.Join("testdata", "telegram", "bot-api.json")

// apiSpec is the loaded Bot API reference.
type apiSpec struct {
	Version     string                `json:"version"`
	ReleaseDate string                `json:"release_date"`
	Methods     map[string]*specEntry `json:"methods"`
	Types       map[string]*specEntry `json:"types"`

	byLower map[string]*specEntry // methods by lower-case name
}

type specEntry struct {
	Name     string      `json:"name"`
	Fields   []specField `json:"fields"`
	Subtypes []string    `json:"subtypes"`

	fields map[string]*specField
}

type specField struct {
	Name        string   `json:"name"`
	Types       []string `json:"types"`
	Required    bool     `json:"required"`
	Description string   `json:"description"`

	// discriminator is the only value a union member's "type" field may take
	// ("Scope type, must be chat").
	discriminator string
}

var discriminatorRE = regexp.MustCompile(`(?:must be|always) ["“]?([a-z0-9_]+)["”]?`)

// findSpec locates testdata/telegram/bot-api.json: the repository's source
// tree is found by walking up from this file (known at build time) and from
// the working directory to the directory holding go.mod.
func findSpec() (string, error) {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				p := filepath.Join(dir, specRelPath)
				if _, err := os.Stat(p); err == nil {
					return p, nil
				}
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("telegramtest: %s not found above %s", specRelPath, strings.Join(starts, " or "))
}

func loadSpec(path string) (*apiSpec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("telegramtest: read spec: %w", err)
	}
	var s apiSpec
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("telegramtest: parse spec %s: %w", path, err)
	}
	if len(s.Methods) == 0 {
		return nil, fmt.Errorf("telegramtest: spec %s has no methods", path)
	}
	s.byLower = map[string]*specEntry{}
	index := func(e *specEntry) {
		e.fields = map[string]*specField{}
		for i := range e.Fields {
			f := &e.Fields[i]
			if f.Name == "type" {
				if m := discriminatorRE.FindStringSubmatch(f.Description); m != nil {
					f.discriminator = m[1]
				}
			}
			e.fields[f.Name] = f
		}
	}
	for name, m := range s.Methods {
		index(m)
		s.byLower[strings.ToLower(name)] = m
	}
	for _, t := range s.Types {
		index(t)
	}
	return &s, nil
}

// request is a Bot API call after transport decoding. Like Telegram's own
// server, every top-level value is a string: JSON bodies are flattened, with
// objects and arrays kept as their JSON text.
//
// A request also memoises what several stages need from the same value:
// validation, the limits in prose, the call record and the handler all
// look at reply_markup's JSON and at the text's entities, and decoding or
// parsing them once per request instead of up to five times is most of
// the fake's CPU time.
type request struct {
	params map[string]string
	files  map[string]*File

	decoded map[string]*jsonValue // by parameter name, see jsonValue
	texts   []parsedText          // see parseText
}

// jsonValue is a parameter's JSON text decoded once. The tree (numbers as
// json.Number) is shared by every reader and must not be modified.
type jsonValue struct {
	src string // the decoded text, to notice a parameter changed meanwhile
	val any    // nil unless err is nil
	err error  // what decodeJSONParam reports: a syntax error or trailing data
	// strict is whether only white space follows the value, i.e. whether
	// json.Unmarshal (stricter than a Decoder about trailing data) takes it.
	strict bool
}

// json decodes the named parameter as JSON, once per request.
func (r *request) json(name string) *jsonValue {
	v := r.params[name]
	if jv := r.decoded[name]; jv != nil && jv.src == v {
		return jv
	}
	jv := decodeJSONValue(v)
	if r.decoded == nil {
		r.decoded = map[string]*jsonValue{}
	}
	r.decoded[name] = jv
	return jv
}

// jsonParam is decodeJSONParam of the named parameter, memoised.
func (r *request) jsonParam(name string) (any, error) {
	jv := r.json(name)
	return jv.val, jv.err
}

// parsedText is one memoised parseText result.
type parsedText struct {
	text, mode string
	plain      string
	entities   []entity
	err        error
}

// parseText is the package's parseText, memoised: the prose check and the
// handler parse the same text with the same parse_mode.
func (r *request) parseText(text, mode string) (string, []entity, error) {
	for _, p := range r.texts {
		if p.text == text && p.mode == mode {
			return p.plain, p.entities, p.err
		}
	}
	plain, ents, err := parseText(text, mode)
	r.texts = append(r.texts, parsedText{text: text, mode: mode, plain: plain, entities: ents, err: err})
	return plain, ents, err
}

func (r *request) has(name string) bool {
	if _, ok := r.params[name]; ok {
		return true
	}
	_, ok := r.files[name]
	return ok
}

// fieldError is a schema mismatch deep inside a JSON value. score ranks
// competing explanations when a union matched none of its members.
type fieldError struct {
	path  string
	msg   string
	score int
}

func (e *fieldError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

// validate checks a request against the method's fields: no unknown
// parameter, every required one present, each value of an allowed type.
// It returns the Telegram-style description of the first problem.
func (s *apiSpec) validate(m *specEntry, req *request) string {
	// go-telegram/bot serialises a nil chat_id (and other nil interfaces) as
	// the form value "null"; treat that like JSON null, i.e. absent, when the
	// field could not take it as a meaningful string.
	for name, v := range req.params {
		f, ok := m.fields[name]
		if ok && v == "null" && (name == "chat_id" || !slices.Contains(f.Types, "String")) {
			delete(req.params, name)
		}
	}
	var attached map[string]bool
	for _, v := range req.params {
		// The regexp is run only where it can match: scanning every long
		// text and keyboard with it was a visible share of each request.
		if !strings.Contains(v, "attach://") {
			continue
		}
		for _, m := range attachRE.FindAllStringSubmatch(v, -1) {
			if attached == nil {
				attached = map[string]bool{}
			}
			attached[m[1]] = true
		}
	}
	names := make([]string, 0, len(req.params)+len(req.files))
	for n := range req.params {
		names = append(names, n)
	}
	for n := range req.files {
		if _, dup := req.params[n]; !dup {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		if _, ok := m.fields[n]; ok {
			continue
		}
		if _, isFile := req.files[n]; isFile && attached[n] {
			continue
		}
		return fmt.Sprintf("Bad Request: unknown parameter %q for method %s", n, m.Name)
	}
	for _, f := range m.Fields {
		if f.Required && !req.has(f.Name) {
			return missingDescription(f.Name)
		}
	}
	for _, n := range names {
		f := m.fields[n]
		if f == nil {
			continue // an attached file part
		}
		if _, ok := req.files[n]; ok {
			if !slices.Contains(f.Types, "InputFile") {
				return fmt.Sprintf("Bad Request: parameter %q can't be a file upload (%s expected)", n, typeList(f.Types))
			}
			continue
		}
		if desc := s.checkFormValue(f, req); desc != "" {
			return desc
		}
	}
	return ""
}

// missingDescription words a missing required parameter like Telegram.
func missingDescription(name string) string {
	switch name {
	case "chat_id":
		return "Bad Request: chat_id is empty"
	case "text":
		return "Bad Request: message text is empty"
	case "callback_query_id":
		return "Bad Request: query_id is empty"
	case "message_id":
		return "Bad Request: message identifier is not specified"
	}
	return fmt.Sprintf("Bad Request: parameter %q is required", name)
}

var attachRE = regexp.MustCompile(`attach://([A-Za-z0-9_\-.]+)`)

func typeList(types []string) string {
	return strings.Join(types, " or ")
}

func isJSONType(t string) bool {
	switch t {
	case "Integer", "Float", "Boolean", "String", "InputFile":
		return false
	}
	return true
}

// checkFormValue validates one top-level (string) value, the parameter f
// of req.
func (s *apiSpec) checkFormValue(f *specField, req *request) string {
	v, files := req.params[f.Name], req.files
	var best *fieldError
	for _, t := range f.Types {
		switch t {
		case "Integer":
			if _, err := strconv.ParseInt(v, 10, 64); err == nil {
				return ""
			}
		case "Float":
			if x, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
				return ""
			}
		case "Boolean":
			switch strings.ToLower(v) {
			case "true", "false", "1", "0":
				return ""
			}
		case "String":
			return ""
		case "InputFile":
			if name, ok := strings.CutPrefix(v, "attach://"); ok {
				if _, ok := files[name]; ok {
					return ""
				}
				best = pickError(best, &fieldError{msg: fmt.Sprintf("attached file %q not found in the request", name), score: 100})
				continue
			}
			if v != "" {
				return ""
			}
		default:
			x, err := req.jsonParam(f.Name)
			if err != nil {
				continue
			}
			fe := s.checkValue(t, x, nil)
			if fe == nil {
				return ""
			}
			best = pickError(best, fe)
		}
	}
	if best != nil {
		return fmt.Sprintf("Bad Request: can't parse %s: %s", f.Name, best.Error())
	}
	if slices.ContainsFunc(f.Types, isJSONType) {
		if f.Name == "reply_markup" {
			return "Bad Request: can't parse reply keyboard markup JSON object"
		}
		return fmt.Sprintf("Bad Request: can't parse %s JSON object", f.Name)
	}
	return fmt.Sprintf("Bad Request: parameter %q must be %s, got %q", f.Name, typeList(f.Types), clip(v, 40))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func pickError(best, fe *fieldError) *fieldError {
	if best == nil || fe.score > best.score {
		return fe
	}
	return best
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonPath is where checkValue is inside a value: a chain of object keys
// and array indexes from the parameter down, nil at the top. It is spelled
// out ("inline_keyboard[0][1].url") only for an error: formatting a path
// for every element checked used to cost more than the checks.
type jsonPath struct {
	parent  *jsonPath
	key     string // object key, if not isIndex
	index   int    // array index, if isIndex
	isIndex bool
}

func (p *jsonPath) String() string {
	if p == nil {
		return ""
	}
	if p.isIndex {
		return p.parent.String() + "[" + strconv.Itoa(p.index) + "]"
	}
	return joinPath(p.parent.String(), p.key)
}

// pathDepth ranks errors by how deep they are: a mismatch deep inside a
// union member explains the failure better than one at its top.
func pathDepth(path string) int {
	return strings.Count(path, ".") + strings.Count(path, "[") + 1
}

// checkJSON validates a decoded JSON value against a reference type name;
// path prefixes the location in errors ("" at the top).
func (s *apiSpec) checkJSON(t string, v any, path string) *fieldError {
	if path == "" {
		return s.checkValue(t, v, nil)
	}
	return s.checkValue(t, v, &jsonPath{key: path})
}

// checkValue is checkJSON below the top: path is where v is.
func (s *apiSpec) checkValue(t string, v any, path *jsonPath) *fieldError {
	mismatch := func() *fieldError {
		p := path.String()
		return &fieldError{path: p, msg: fmt.Sprintf("must be %s", t), score: 2*pathDepth(p) + 1}
	}
	if elem, ok := strings.CutPrefix(t, "Array of "); ok {
		arr, ok := v.([]any)
		if !ok {
			return mismatch()
		}
		for i, x := range arr {
			if fe := s.checkValue(elem, x, &jsonPath{parent: path, index: i, isIndex: true}); fe != nil {
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
		return &fieldError{path: path.String(), msg: fmt.Sprintf("unknown type %s in the reference", t), score: 0}
	}
	if len(e.Subtypes) > 0 {
		var best *fieldError
		for _, sub := range e.Subtypes {
			fe := s.checkValue(sub, v, path)
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
	// Errors name the alphabetically first offending key. Keys are only
	// sorted once there is an error to name: valid objects, nearly all of
	// them, need no order.
	for k := range obj {
		if _, ok := e.fields[k]; !ok {
			for _, k := range sortedKeys(obj) {
				if _, ok := e.fields[k]; !ok {
					p := path.String()
					return &fieldError{path: joinPath(p, k), msg: fmt.Sprintf("unknown field of %s", t), score: 2 * pathDepth(p)}
				}
			}
		}
	}
	for _, f := range e.Fields {
		x, present := obj[f.Name]
		if f.discriminator != "" && present && x != f.discriminator {
			p := path.String()
			return &fieldError{path: joinPath(p, f.Name), msg: fmt.Sprintf("must be %q for %s", f.discriminator, t), score: 2 * pathDepth(p)}
		}
		if f.Required && (!present || x == nil) {
			p := path.String()
			return &fieldError{path: joinPath(p, f.Name), msg: fmt.Sprintf("required field of %s is missing", t), score: 2*pathDepth(p) + 1}
		}
	}
	for k, x := range obj {
		if s.checkField(e, k, x, path) != nil {
			// checkField is pure, so the sorted pass fails too, and
			// reports the first key in order as it always did.
			for _, k := range sortedKeys(obj) {
				if fe := s.checkField(e, k, obj[k], path); fe != nil {
					return fe
				}
			}
		}
	}
	return nil
}

// checkField checks the value x of the known field k of an object of
// type e at path.
func (s *apiSpec) checkField(e *specEntry, k string, x any, path *jsonPath) *fieldError {
	if x == nil {
		return nil // JSON null: treated as absent
	}
	f := e.fields[k]
	sub := &jsonPath{parent: path, key: k}
	var best *fieldError
	for _, ft := range f.Types {
		fe := s.checkValue(ft, x, sub)
		if fe == nil {
			return nil
		}
		best = pickError(best, fe)
	}
	if best == nil {
		p := path.String()
		best = &fieldError{path: joinPath(p, k), msg: "has no allowed type", score: 2 * pathDepth(p)}
	}
	return best
}

func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// decodeJSONParam parses a top-level JSON-valued parameter for inspection.
// Within a request use request.jsonParam, which decodes each value once.
func decodeJSONParam(v string) (any, error) {
	jv := decodeJSONValue(v)
	return jv.val, jv.err
}

var errTrailingData = errors.New("trailing data")

// decodeJSONValue decodes v as json.Decoder with UseNumber does, and tells
// what follows the value (see jsonValue). (A faster JSON library was tried
// here: it made the fake a tenth faster but added 5 MB to the resident
// memory of every netzbot process, which links the fake for the demo.)
func decodeJSONValue(v string) *jsonValue {
	jv := &jsonValue{src: v}
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		jv.err = err
		return jv
	}
	jv.strict = strings.TrimLeft(v[dec.InputOffset():], " \t\r\n") == ""
	if dec.More() {
		jv.err = errTrailingData
		return jv
	}
	jv.val = x
	return jv
}

// plainJSON is what json.Unmarshal into an interface would have made of the
// text x was decoded from: x itself if it holds no number, else a copy with
// numbers as float64. It fails where Unmarshal fails, on a number beyond
// float64.
func plainJSON(x any) (any, bool) {
	if !hasNumber(x) {
		return x, true
	}
	return floatJSON(x)
}

func hasNumber(x any) bool {
	switch v := x.(type) {
	case map[string]any:
		for _, e := range v {
			if hasNumber(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasNumber(e) {
				return true
			}
		}
	case json.Number:
		return true
	}
	return false
}

// floatJSON is plainJSON's copy.
func floatJSON(x any) (any, bool) {
	switch v := x.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			c, ok := floatJSON(e)
			if !ok {
				return nil, false
			}
			m[k] = c
		}
		return m, true
	case []any:
		a := make([]any, len(v))
		for i, e := range v {
			c, ok := floatJSON(e)
			if !ok {
				return nil, false
			}
			a[i] = c
		}
		return a, true
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return nil, false
		}
		return f, true
	}
	return x, true
}

// appendCanonical appends compactJSON(x) for a tree the JSON decoder made
// (maps, slices, strings, json.Number, bool, nil): compact, object keys in
// order, no HTML escaping. It is hand-written because encoding/json sorts
// map keys through reflection, slowly; whatever it cannot copy verbatim
// goes through compactJSON itself, so the bytes are always compactJSON's.
func appendCanonical(b []byte, x any) []byte {
	switch v := x.(type) {
	case map[string]any:
		if v == nil {
			break
		}
		return appendCanonicalObject(b, v, nil)
	case []any:
		if v == nil {
			break
		}
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCanonical(b, e)
		}
		return append(b, ']')
	case string:
		return appendCanonicalString(b, v)
	case json.Number:
		if v != "" {
			return append(b, v...) // the decoder only makes valid numbers
		}
	case bool:
		return strconv.AppendBool(b, v)
	case nil:
		return append(b, "null"...)
	}
	return append(b, compactJSON(x)...)
}

// appendCanonicalObject appends an object as appendCanonical does, leaving
// out the fields for which skip (if not nil) is true.
func appendCanonicalObject(b []byte, obj map[string]any, skip func(k string, v any) bool) []byte {
	var buf [16]string
	keys := buf[:0]
	for k, v := range obj {
		if skip == nil || !skip(k, v) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCanonicalString(b, k)
		b = append(b, ':')
		b = appendCanonical(b, obj[k])
	}
	return append(b, '}')
}

func appendCanonicalString(b []byte, s string) []byte {
	if !verbatimJSONString(s) {
		return append(b, compactJSON(s)...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// verbatimJSONString is whether encoding/json (without HTML escaping)
// writes s between quotes unchanged: valid UTF-8 without control
// characters, quotes, backslashes, U+2028 or U+2029.
func verbatimJSONString(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == '"' || c == '\\':
			return false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s) && !strings.ContainsRune(s, '\u2028') && !strings.ContainsRune(s, '\u2029')
}

// compactJSON normalises a JSON value so two equal values compare equal.
func compactJSON(x any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return ""
	}
	return strings.TrimSpace(b.String())
}
