package sqlite_test

import (
	"testing"

	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/storage"
)

// TestFaults runs the fault suite on a fresh database file per run, with
// a sample of five store calls per mode to keep it short (every gateway
// and carrier call is still a fault point); OMS_FAULTS_ALL=1 runs them all.
func TestFaults(t *testing.T) {
	omstest.Run(t, omstest.Harness{NewStore: func(tb testing.TB) storage.Store { return newStore(tb.(*testing.T)) }}, omstest.StorePoints(5))
}
