package postgres_test

import (
	"testing"

	"github.com/openoms/oms/omstest"
	"github.com/openoms/oms/storage"
)

// TestFaults runs the fault suite on a fresh schema per run; without
// OMS_TEST_POSTGRES_URL it is skipped (see testURL).
func TestFaults(t *testing.T) {
	testURL(t)
	omstest.Run(t, omstest.Harness{NewStore: func(tb testing.TB) storage.Store { return openStore(tb, newSchema(tb)) }})
}
