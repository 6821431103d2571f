package omshttp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/omshttp"
)

// A host mounts the handler under /api and says which tenant a request
// belongs to; an unknown order is a 404 problem.
func Example() {
	eng, err := oms.New()
	if err != nil {
		panic(err)
	}
	h, err := omshttp.New(eng, omshttp.Options{
		BasePath: "/api",
		Tenant:   func(r *http.Request) (string, error) { return "shop-1", nil },
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", h)

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/orders/0190d6a2-7c4e-7b7c-9d4f-3a1e2b4c5d6e", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Println(strings.Contains(rec.Body.String(), `"code":"not_found"`))
	// Output:
	// 404 application/problem+json
	// true
}
