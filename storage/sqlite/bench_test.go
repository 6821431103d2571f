package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/sqlite"
	"github.com/ordersmith/oms/storage/storagetest"
)

// The benchmarks measure the engine on a SQLite file, each on a file of
// its own:
//
//	go test -run '^$' -bench . -benchmem ./storage/sqlite/

// benchStore opens a store on a new file in tb's temporary directory,
// closed when tb ends.
func benchStore(tb testing.TB) storage.Store {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

func BenchmarkPlaceOrder(b *testing.B) { storagetest.BenchmarkPlaceOrder(b, benchStore(b)) }

func BenchmarkPlaceOrderLines(b *testing.B) { storagetest.BenchmarkPlaceOrderLines(b, benchStore) }

func BenchmarkPlaceOrderSpread(b *testing.B) {
	storagetest.BenchmarkPlaceOrderSpread(b, benchStore)
}

func BenchmarkPlaceOrderLocations(b *testing.B) {
	storagetest.BenchmarkPlaceOrderLocations(b, benchStore)
}

func BenchmarkPlaceOrders(b *testing.B) { storagetest.BenchmarkPlaceOrders(b, benchStore) }

func BenchmarkReserve(b *testing.B) { storagetest.BenchmarkReserve(b, benchStore) }

func BenchmarkShip(b *testing.B) { storagetest.BenchmarkShip(b, benchStore) }

func BenchmarkReturn(b *testing.B) { storagetest.BenchmarkReturn(b, benchStore) }
