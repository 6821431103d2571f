package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Document is a parsed OpenAPI 3.1 document. It is safe for concurrent use
// once built.
type Document struct {
	raw     map[string]any
	prefix  string // the path of the first server URL, without a trailing slash
	paths   []template
	schemas map[string]any
}

type template struct {
	path     string
	segments []string
	item     map[string]any
}

// Parse parses a document in JSON. It returns an error when b is not a
// JSON object with paths.
func Parse(b []byte) (*Document, error) {
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("apitest: parse document: %w", err)
	}
	paths, ok := raw["paths"].(map[string]any)
	if !ok {
		return nil, errors.New("apitest: parse document: no paths")
	}
	d := &Document{raw: raw}
	if comps, ok := raw["components"].(map[string]any); ok {
		d.schemas, _ = comps["schemas"].(map[string]any)
	}
	if servers, ok := raw["servers"].([]any); ok && len(servers) > 0 {
		if s, ok := servers[0].(map[string]any); ok {
			if u, err := url.Parse(fmt.Sprint(s["url"])); err == nil {
				d.prefix = strings.TrimSuffix(u.Path, "/")
			}
		}
	}
	for p, item := range paths {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("apitest: parse document: path %s is not an object", p)
		}
		d.paths = append(d.paths, template{path: p, segments: strings.Split(strings.Trim(p, "/"), "/"), item: m})
	}
	return d, nil
}

// Fetch reads the document at url (such as http://host/openapi.json) with
// client (nil: http.DefaultClient) and parses it.
func Fetch(ctx context.Context, client *http.Client, url string) (*Document, error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("apitest: fetch document: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("apitest: fetch document: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("apitest: fetch document: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("apitest: fetch document: status %d", resp.StatusCode)
	}
	return Parse(b)
}

// Operations returns "METHOD /path" for every operation of the document,
// sorted.
func (d *Document) Operations() []string {
	var out []string
	for _, t := range d.paths {
		for m := range t.item {
			switch m {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
				out = append(out, strings.ToUpper(m)+" "+t.path)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Match returns the path template of the document that the request path
// (as sent, with the server's base path) matches, preferring the template
// with the most literal segments, and false when none does.
func (d *Document) Match(method, path string) (string, bool) {
	t, ok := d.match(method, path)
	return t.path, ok
}

func (d *Document) match(method, path string) (template, bool) {
	if d.prefix != "" {
		if !strings.HasPrefix(path, d.prefix+"/") {
			return template{}, false
		}
		path = strings.TrimPrefix(path, d.prefix)
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	best, bestLit := template{}, -1
	for _, t := range d.paths {
		if _, ok := t.item[strings.ToLower(method)]; !ok || len(t.segments) != len(segs) {
			continue
		}
		lit := 0
		ok := true
		for i, s := range t.segments {
			switch {
			case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			case s == segs[i]:
				lit++
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok && lit > bestLit {
			best, bestLit = t, lit
		}
	}
	return best, bestLit >= 0
}

// Check validates one response: the operation of method and path (the
// path as requested, such as /orders/0190...), the response documented
// for status (or "default"), its content type, its documented headers and
// its body. It returns an error listing every difference.
func (d *Document) Check(method, path string, status int, header http.Header, body []byte) error {
	t, ok := d.match(method, path)
	if !ok {
		return fmt.Errorf("apitest: %s %s: no operation in the document", method, path)
	}
	op, _ := t.item[strings.ToLower(method)].(map[string]any)
	responses, _ := op["responses"].(map[string]any)
	resp, ok := responses[strconv.Itoa(status)].(map[string]any)
	if !ok {
		if resp, ok = responses["default"].(map[string]any); !ok {
			return fmt.Errorf("apitest: %s %s: status %d is not documented", method, t.path, status)
		}
	}
	v := &validator{d: d}
	where := fmt.Sprintf("%s %s %d", method, t.path, status)
	if hs, ok := resp["headers"].(map[string]any); ok {
		for name, h := range hs {
			hm, _ := h.(map[string]any)
			val := header.Get(name)
			if val == "" {
				if req, _ := hm["required"].(bool); req {
					v.fail("header "+name, "missing")
				}
				continue
			}
			if s, ok := hm["schema"]; ok {
				v.value("header "+name, s, headerValue(v.resolve(s), val))
			}
		}
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(bytes.TrimSpace(body)) > 0 {
			v.fail("body", "the document says no body")
		}
		return v.err(where)
	}
	ct, _, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil {
		v.fail("Content-Type", fmt.Sprintf("%q: %v", header.Get("Content-Type"), err))
		return v.err(where)
	}
	media, ok := content[ct].(map[string]any)
	if !ok {
		v.fail("Content-Type", fmt.Sprintf("%s is not documented (documented: %s)", ct, strings.Join(keys(content), ", ")))
		return v.err(where)
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		v.fail("body", "not JSON: "+err.Error())
		return v.err(where)
	}
	if dec.More() {
		v.fail("body", "more than one JSON value")
	}
	if s, ok := media["schema"]; ok {
		v.value("body", s, doc)
	}
	return v.err(where)
}

// CheckResponse is Check for resp, whose body was read into body.
func (d *Document) CheckResponse(resp *http.Response, body []byte) error {
	return d.Check(resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, resp.Header, body)
}

// headerValue converts a header's text to the JSON value its schema
// describes.
func headerValue(s map[string]any, val string) any {
	switch typeNames(s["type"]) {
	case "boolean":
		if b, err := strconv.ParseBool(val); err == nil {
			return b
		}
	case "integer", "number":
		if _, err := strconv.ParseFloat(val, 64); err == nil {
			return json.Number(val)
		}
	}
	return val
}

func typeNames(t any) string {
	switch t := t.(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x != "null" {
				return fmt.Sprint(x)
			}
		}
	}
	return ""
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

type validator struct {
	d        *Document
	problems []string
}

func (v *validator) fail(at, msg string) { v.problems = append(v.problems, at+": "+msg) }

func (v *validator) err(where string) error {
	if len(v.problems) == 0 {
		return nil
	}
	return fmt.Errorf("apitest: %s does not match the document:\n  %s", where, strings.Join(v.problems, "\n  "))
}

// resolve follows $ref to the schema it names; an unresolvable reference
// is recorded as a problem and gives an empty schema.
func (v *validator) resolve(s any) map[string]any {
	m, _ := s.(map[string]any)
	for range 32 {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		target, found := v.d.schemas[name].(map[string]any)
		if !ok || !found {
			v.fail("$ref", "cannot resolve "+ref)
			return map[string]any{}
		}
		m = target
	}
	v.fail("$ref", "reference loop")
	return map[string]any{}
}

// known reports whether k is a schema keyword the validator checks or one
// that does not constrain values.
func known(k string) bool {
	switch k {
	case "$ref", "type", "properties", "required", "additionalProperties",
		"items", "enum", "const", "format", "pattern", "minimum", "maximum",
		"exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
		"maxItems", "oneOf", "anyOf", "allOf", "description", "title",
		"examples", "example", "default", "readOnly", "writeOnly", "deprecated",
		"$schema", "contentEncoding", "contentMediaType":
		return true
	}
	return false
}

func (v *validator) value(at string, schema any, x any) {
	s := v.resolve(schema)
	for k := range s {
		if !known(k) {
			v.fail(at, "schema keyword "+k+" is not checked by apitest")
		}
	}
	if t, ok := s["type"]; ok && !v.typeOK(t, x) {
		v.fail(at, fmt.Sprintf("%s is not of type %v", short(x), t))
		return
	}
	if x == nil {
		return
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(c any) bool { return equal(c, x) }) {
		v.fail(at, fmt.Sprintf("%s is not one of %v", short(x), e))
	}
	if c, ok := s["const"]; ok && !equal(c, x) {
		v.fail(at, fmt.Sprintf("%s is not %v", short(x), c))
	}
	switch x := x.(type) {
	case string:
		v.str(at, s, x)
	case json.Number:
		v.num(at, s, x)
	case []any:
		if n, ok := num(s["minItems"]); ok && float64(len(x)) < n {
			v.fail(at, fmt.Sprintf("%d items, fewer than %v", len(x), n))
		}
		if n, ok := num(s["maxItems"]); ok && float64(len(x)) > n {
			v.fail(at, fmt.Sprintf("%d items, more than %v", len(x), n))
		}
		if it, ok := s["items"]; ok {
			for i, e := range x {
				v.value(fmt.Sprintf("%s[%d]", at, i), it, e)
			}
		}
	case map[string]any:
		v.object(at, s, x)
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			v.value(at, sub, x)
		}
	}
	if any1, ok := s["anyOf"].([]any); ok && v.matching(at, any1, x) == 0 {
		v.fail(at, "matches none of anyOf")
	}
	if one, ok := s["oneOf"].([]any); ok {
		if n := v.matching(at, one, x); n != 1 {
			v.fail(at, fmt.Sprintf("matches %d of oneOf, not 1", n))
		}
	}
}

// matching counts the schemas of subs that x matches.
func (v *validator) matching(at string, subs []any, x any) int {
	n := 0
	for _, sub := range subs {
		w := &validator{d: v.d}
		w.value(at, sub, x)
		if len(w.problems) == 0 {
			n++
		}
	}
	return n
}

func (v *validator) object(at string, s map[string]any, x map[string]any) {
	props, _ := s["properties"].(map[string]any)
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			if _, ok := x[fmt.Sprint(r)]; !ok {
				v.fail(at, fmt.Sprintf("required property %v is missing", r))
			}
		}
	}
	for _, k := range keys(x) {
		if p, ok := props[k]; ok {
			v.value(at+"."+k, p, x[k])
			continue
		}
		switch ap := s["additionalProperties"].(type) {
		case bool:
			if !ap {
				v.fail(at, "property "+k+" is not in the schema")
			}
		case map[string]any:
			v.value(at+"."+k, ap, x[k])
		}
	}
}

func (v *validator) typeOK(t any, x any) bool {
	var names []string
	switch t := t.(type) {
	case string:
		names = []string{t}
	case []any:
		for _, n := range t {
			names = append(names, fmt.Sprint(n))
		}
	}
	for _, n := range names {
		switch n {
		case "null":
			if x == nil {
				return true
			}
		case "string":
			if _, ok := x.(string); ok {
				return true
			}
		case "boolean":
			if _, ok := x.(bool); ok {
				return true
			}
		case "object":
			if _, ok := x.(map[string]any); ok {
				return true
			}
		case "array":
			if _, ok := x.([]any); ok {
				return true
			}
		case "number":
			if _, ok := x.(json.Number); ok {
				return true
			}
		case "integer":
			if n, ok := x.(json.Number); ok {
				if _, err := n.Int64(); err == nil {
					return true
				}
				if f, err := n.Float64(); err == nil && f == math.Trunc(f) && !strings.ContainsAny(string(n), ".eE") {
					return true
				}
			}
		}
	}
	return false
}

func (v *validator) str(at string, s map[string]any, x string) {
	n := float64(len([]rune(x)))
	if m, ok := num(s["minLength"]); ok && n < m {
		v.fail(at, fmt.Sprintf("%q is shorter than %v", x, m))
	}
	if m, ok := num(s["maxLength"]); ok && n > m {
		v.fail(at, fmt.Sprintf("%q is longer than %v", short(x), m))
	}
	if p, ok := s["pattern"].(string); ok {
		re, err := regexp.Compile(p)
		switch {
		case err != nil:
			v.fail(at, "bad pattern "+p)
		case !re.MatchString(x):
			v.fail(at, fmt.Sprintf("%q does not match %s", x, p))
		}
	}
	if f, ok := s["format"].(string); ok {
		if msg := badFormat(f, x); msg != "" {
			v.fail(at, fmt.Sprintf("%q is not a %s: %s", x, f, msg))
		}
	}
}

func badFormat(f, x string) string {
	var err error
	switch f {
	case "uuid":
		_, err = uuid.Parse(x)
		if err == nil && len(x) != 36 {
			err = errors.New("not in the 8-4-4-4-12 form")
		}
	case "date-time":
		_, err = time.Parse(time.RFC3339Nano, x)
	case "date":
		_, err = time.Parse(time.DateOnly, x)
	case "uri":
		var u *url.URL
		if u, err = url.Parse(x); err == nil && u.Scheme == "" {
			err = errors.New("no scheme")
		}
	case "email":
		_, err = mail.ParseAddress(x)
	default:
		return "format not checked by apitest"
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func (v *validator) num(at string, s map[string]any, x json.Number) {
	f, err := x.Float64()
	if err != nil {
		v.fail(at, "bad number "+string(x))
		return
	}
	if m, ok := num(s["minimum"]); ok && f < m {
		v.fail(at, fmt.Sprintf("%s is below the minimum %v", x, m))
	}
	if m, ok := num(s["maximum"]); ok && f > m {
		v.fail(at, fmt.Sprintf("%s is above the maximum %v", x, m))
	}
	if m, ok := num(s["exclusiveMinimum"]); ok && f <= m {
		v.fail(at, fmt.Sprintf("%s is not above %v", x, m))
	}
	if m, ok := num(s["exclusiveMaximum"]); ok && f >= m {
		v.fail(at, fmt.Sprintf("%s is not below %v", x, m))
	}
	switch s["format"] {
	case "int32":
		if f < math.MinInt32 || f > math.MaxInt32 {
			v.fail(at, string(x)+" is out of the int32 range")
		}
	case "int64":
		if _, err := x.Int64(); err != nil {
			v.fail(at, string(x)+" is not an int64")
		}
	case nil, "double", "float":
	default:
		v.fail(at, fmt.Sprintf("number format %v not checked by apitest", s["format"]))
	}
}

func num(x any) (float64, bool) {
	n, ok := x.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func equal(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func short(x any) string {
	b, _ := json.Marshal(x)
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}
