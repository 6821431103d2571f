package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/sqlite"
)

// TestModel runs the engine's model-based random test on SQLite.
func TestModel(t *testing.T) {
	omstest.RunModel(t, omstest.Harness{NewStore: func(tb testing.TB) storage.Store {
		st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "model.db"), sqlite.Options{})
		require.NoError(tb, err)
		tb.Cleanup(func() { _ = st.Close() })
		return st
	}})
}
