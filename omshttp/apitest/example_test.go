package apitest_test

import (
	"fmt"
	"net/http"

	"github.com/ordersmith/oms/omshttp/apitest"
)

// A response whose body lacks a required property fails the check.
func Example() {
	d, err := apitest.Parse([]byte(`{"openapi":"3.1.0","paths":{"/ping":{"get":{"responses":{"200":{
		"content":{"application/json":{"schema":{"type":"object","required":["ok"],"properties":{"ok":{"type":"boolean"}}}}}}}}}}}`))
	if err != nil {
		panic(err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	fmt.Println(d.Check(http.MethodGet, "/ping", 200, h, []byte(`{"ok":true}`)))
	fmt.Println(d.Check(http.MethodGet, "/ping", 200, h, []byte(`{}`)) != nil)
	// Output:
	// <nil>
	// true
}
