package postgres_test

import (
	"testing"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/storagetest"
)

// The benchmarks measure the engine on PostgreSQL, each on a schema of its
// own:
//
//	OMS_TEST_POSTGRES_URL=postgres://... go test -run '^$' -bench . -benchmem ./storage/postgres/

// benchStore opens a store on a fresh schema, dropped when tb ends.
func benchStore(tb testing.TB) storage.Store { return openStore(tb, newSchema(tb)) }

func BenchmarkPlaceOrder(b *testing.B) {
	storagetest.BenchmarkPlaceOrder(b, benchStore(b))
}

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
