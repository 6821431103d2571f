package opspage_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/omshttp/opspage"
)

// The page mounted under /ops, with a dead-letter recorder shared with the
// relay. The tenant function stands for the host's authentication.
func Example() {
	eng, err := oms.New()
	if err != nil {
		panic(err)
	}
	dead := opspage.NewDeadLetters(0, nil)
	relay := eng.NewRelay(oms.RelayOptions{MaxAttempts: 10, DeadLetter: dead.Record})
	_ = relay // a host runs relay.Run(ctx) in the background

	page, err := opspage.New(eng, func(r *http.Request) (string, error) {
		return oms.DefaultTenant, nil // the authenticated operator's tenant
	}, opspage.Options{BasePath: "/ops", DeadLetters: dead})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ops/", page)

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ops/outbox", nil))
	body := rec.Body.String()
	fmt.Println(rec.Code, strings.Contains(body, `id="undelivered">0<`), strings.Contains(body, "No dead letters"))
	// Output: 200 true true
}
