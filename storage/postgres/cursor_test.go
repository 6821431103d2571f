package postgres_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/postgres"
	"github.com/ordersmith/oms/storage/storagetest"
)

// FuzzDecodeCursor checks that any string either decodes to a cursor that
// re-encodes to itself or fails with storage.ErrInvalidCursor.
func FuzzDecodeCursor(f *testing.F) {
	for _, c := range storagetest.BadCursors() {
		f.Add(c)
	}
	id := uuid.MustParse("0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
	for _, at := range []time.Time{time.UnixMicro(0), t0, time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.UTC),
		time.UnixMicro(1<<63 - 1), time.UnixMicro(-210866803200_000000)} {
		f.Add(postgres.EncodeCursor(at, id))
	}
	// Times before any timestamptz: no stored order has them.
	for _, us := range []string{"-210866803200000001", "-9223372036854775808"} {
		f.Add(base64.RawURLEncoding.EncodeToString([]byte(us + ":" + id.String())))
	}
	f.Fuzz(func(t *testing.T, c string) {
		at, id, err := postgres.DecodeCursor(c)
		if err != nil {
			require.ErrorIs(t, err, storage.ErrInvalidCursor)
			return
		}
		require.Equal(t, c, postgres.EncodeCursor(at, id), "a cursor that decodes re-encodes identically")
	})
}

// TestCursorBeforeAnyTimestamp lists with cursors of times PostgreSQL
// cannot hold: they are invalid cursors, not driver errors.
func TestCursorBeforeAnyTimestamp(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	for _, us := range []string{"-210866803200000001", "-9223372036854775808"} {
		c := base64.RawURLEncoding.EncodeToString([]byte(us + ":" + newID().String()))
		err := st.Tx(ctx, "acme", func(tx storage.Tx) error {
			_, err := storage.ListOrders(ctx, tx, storage.OrderFilter{Cursor: c})
			return err
		})
		require.ErrorIs(t, err, storage.ErrInvalidCursor, "cursor at %s µs", us)
	}
}
