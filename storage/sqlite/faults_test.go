package sqlite_test

import (
	"testing"

	"github.com/openoms/oms/omstest"
	"github.com/openoms/oms/storage"
)

func TestFaults(t *testing.T) {
	omstest.Run(t, omstest.Harness{NewStore: func(tb testing.TB) storage.Store { return newStore(tb.(*testing.T)) }})
}
