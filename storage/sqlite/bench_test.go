package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ordersmith/oms/storage/sqlite"
	"github.com/ordersmith/oms/storage/storagetest"
)

// BenchmarkPlaceOrder measures the engine placing orders on a SQLite file:
//
//	go test -run '^$' -bench PlaceOrder ./storage/sqlite/
func BenchmarkPlaceOrder(b *testing.B) {
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	storagetest.BenchmarkPlaceOrder(b, st)
}
