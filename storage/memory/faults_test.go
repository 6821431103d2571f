package memory_test

import (
	"testing"

	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// TestFaults runs the fault suite at every store call: on memory it is
// cheap.
func TestFaults(t *testing.T) {
	omstest.Run(t, omstest.Harness{NewStore: func(testing.TB) storage.Store { return memory.New() }}, omstest.StorePoints(0))
}
