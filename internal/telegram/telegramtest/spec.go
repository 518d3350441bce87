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
type request struct {
	params map[string]string
	files  map[string]*File
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
	attached := map[string]bool{}
	for _, v := range req.params {
		for _, m := range attachRE.FindAllStringSubmatch(v, -1) {
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
		if desc := s.checkFormValue(f, req.params[n], req.files); desc != "" {
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

// checkFormValue validates one top-level (string) value.
func (s *apiSpec) checkFormValue(f *specField, v string, files map[string]*File) string {
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
			var x any
			dec := json.NewDecoder(strings.NewReader(v))
			dec.UseNumber()
			if err := dec.Decode(&x); err != nil || dec.More() {
				continue
			}
			fe := s.checkJSON(t, x, "")
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

// checkJSON validates a decoded JSON value against a reference type name.
func (s *apiSpec) checkJSON(t string, v any, path string) *fieldError {
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
			if fe := s.checkJSON(elem, x, fmt.Sprintf("%s[%d]", path, i)); fe != nil {
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
			fe := s.checkJSON(sub, v, path)
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
			fe := s.checkJSON(ft, x, joinPath(path, k))
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

// decodeJSONParam parses a top-level JSON-valued parameter for inspection.
func decodeJSONParam(v string) (any, error) {
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
