package memory_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
	"github.com/ordersmith/oms/storage/storagetest"
)

// FuzzDecodeCursor checks that any string either decodes to a cursor that
// re-encodes to itself or fails with storage.ErrInvalidCursor.
func FuzzDecodeCursor(f *testing.F) {
	for _, c := range storagetest.BadCursors() {
		f.Add(c)
	}
	id := uuid.MustParse("0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
	for _, at := range []time.Time{time.Unix(0, 0), time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC),
		time.Unix(0, -1<<63), time.Unix(0, 1<<63-1)} {
		f.Add(memory.EncodeCursor(at, id))
	}
	f.Fuzz(func(t *testing.T, c string) {
		at, id, err := memory.DecodeCursor(c)
		if err != nil {
			require.ErrorIs(t, err, storage.ErrInvalidCursor)
			return
		}
		if c == "" { // the first page
			require.True(t, at.IsZero())
			require.Equal(t, uuid.Nil, id)
			return
		}
		require.Equal(t, c, memory.EncodeCursor(at, id), "a cursor that decodes re-encodes identically")
	})
}
