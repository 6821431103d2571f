package storagetest_test

import (
	"testing"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
	"github.com/ordersmith/oms/storage/storagetest"
)

// ExampleRun shows an adapter's whole conformance test. newStore returns a
// fresh, empty store for each subtest; a SQL adapter would create a new
// database or schema there and drop it in t.Cleanup. Features claims the
// optional abilities the store's Tx has: memory keeps the movement ledger
// (storage.MovementLister) and lists orders through storage.ListOrders's
// fallback, so it claims Ledger only.
func ExampleRun() {
	newStore := func(t *testing.T) storage.Store { return memory.New() }

	// In the adapter's _test.go file:
	//
	//	func TestConformance(t *testing.T) {
	//		storagetest.Run(t, newStore, storagetest.Features{Ledger: true})
	//	}
	_ = func(t *testing.T) { storagetest.Run(t, newStore, storagetest.Features{Ledger: true}) }
}
