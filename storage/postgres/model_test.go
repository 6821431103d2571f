package postgres_test

import (
	"testing"

	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/storage"
)

// TestModel runs the engine's model-based random test on PostgreSQL (skipped
// without OMS_TEST_POSTGRES_URL, except under CI).
func TestModel(t *testing.T) {
	omstest.RunModel(t, omstest.Harness{NewStore: func(tb testing.TB) storage.Store { return openStore(tb, newSchema(tb)) }})
}
