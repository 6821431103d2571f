package sqlite_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/sqlite"
	"github.com/ordersmith/oms/storage/storagetest"
)

// FuzzDecodeCursor checks that any string either decodes to a cursor that
// re-encodes to itself or fails with storage.ErrInvalidCursor.
func FuzzDecodeCursor(f *testing.F) {
	for _, c := range storagetest.BadCursors() {
		f.Add(c)
	}
	id := "0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	for _, at := range []string{"2025-03-01T12:00:00.000000000Z", "0001-01-01T00:00:00.000000000Z",
		"9999-12-31T23:59:59.999999999Z"} {
		f.Add(sqlite.EncodeCursor(at, id))
	}
	f.Fuzz(func(t *testing.T, c string) {
		at, id, err := sqlite.DecodeCursor(c)
		if err != nil {
			require.ErrorIs(t, err, storage.ErrInvalidCursor)
			return
		}
		require.Equal(t, c, sqlite.EncodeCursor(at, id), "a cursor that decodes re-encodes identically")
	})
}
