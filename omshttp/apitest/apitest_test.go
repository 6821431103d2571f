package apitest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/omshttp/apitest"
)

const doc = `{"openapi":"3.1.0","servers":[{"url":"/api"}],"paths":{
 "/things/{id}":{"get":{"responses":{"200":{"headers":{"X-N":{"schema":{"type":"integer"}}},"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Thing"}}}}}}},
 "/things/special":{"get":{"responses":{"default":{"content":{"application/json":{"schema":{"type":"string","enum":["a"]}}}}}}}},
 "components":{"schemas":{"Thing":{"type":"object","additionalProperties":false,"required":["id","n"],"properties":{
  "id":{"type":"string","format":"uuid"},"n":{"type":"integer","minimum":1,"format":"int32"},
  "at":{"type":["string","null"],"format":"date-time"},"tags":{"type":"array","items":{"type":"string","pattern":"^[a-z]+$"}}}}}}}`

func TestCheck(t *testing.T) {
	t.Parallel()
	d, err := apitest.Parse([]byte(doc))
	require.NoError(t, err)
	js := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	for _, tt := range []struct {
		name, path string
		status     int
		header     http.Header
		body       string
		bad        string // a part of the error; empty: valid
	}{
		{"valid", "/api/things/1", 200, js, `{"id":"0190d6a2-7c4e-7b7c-9d4f-3a1e2b4c5d6e","n":2,"at":null,"tags":["x"]}`, ""},
		{"literal path wins", "/api/things/special", 500, js, `"a"`, ""},
		{"missing property", "/api/things/1", 200, js, `{"n":2}`, "required property id"},
		{"extra property", "/api/things/1", 200, js, `{"id":"0190d6a2-7c4e-7b7c-9d4f-3a1e2b4c5d6e","n":2,"x":1}`, "property x is not in the schema"},
		{"bad format", "/api/things/1", 200, js, `{"id":"nope","n":2}`, "is not a uuid"},
		{"below minimum", "/api/things/1", 200, js, `{"id":"0190d6a2-7c4e-7b7c-9d4f-3a1e2b4c5d6e","n":0}`, "below the minimum"},
		{"not an integer", "/api/things/1", 200, js, `{"id":"0190d6a2-7c4e-7b7c-9d4f-3a1e2b4c5d6e","n":1.5}`, "not of type"},
		{"pattern", "/api/things/1", 200, js, `{"id":"0190d6a2-7c4e-7b7c-9d4f-3a1e2b4c5d6e","n":1,"tags":["X"]}`, "does not match"},
		{"bad header", "/api/things/1", 200, http.Header{"Content-Type": {"application/json"}, "X-N": {"many"}}, `{"id":"0190d6a2-7c4e-7b7c-9d4f-3a1e2b4c5d6e","n":1}`, "header X-N"},
		{"undocumented status", "/api/things/1", 404, js, `{}`, "status 404 is not documented"},
		{"wrong content type", "/api/things/1", 200, http.Header{"Content-Type": {"text/plain"}}, `{}`, "text/plain is not documented"},
		{"enum", "/api/things/special", 200, js, `"b"`, "is not one of"},
		{"no operation", "/things/1", 200, js, `{}`, "no operation"},
		{"not JSON", "/api/things/1", 200, js, `{`, "not JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := d.Check(http.MethodGet, tt.path, tt.status, tt.header, []byte(tt.body))
			if tt.bad == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.bad)
		})
	}
}
