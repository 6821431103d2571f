package postgres_test

import (
	"testing"

	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/storage"
)

// TestFaults runs the fault suite on one schema shared by its runs (each
// with tenants of its own: a schema and its migrations are slow to make),
// with a sample of five store calls per mode; every gateway and carrier
// call is still a fault point, and OMS_FAULTS_ALL=1 runs every store call.
// Without OMS_TEST_POSTGRES_URL it is skipped (see testURL).
func TestFaults(t *testing.T) {
	testURL(t)
	omstest.Run(t, omstest.Harness{NewStore: func(tb testing.TB) storage.Store { return openStore(tb, newSchema(tb)) }},
		omstest.StorePoints(5), omstest.ShareStore())
}
