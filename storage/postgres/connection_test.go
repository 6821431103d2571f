package postgres_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/postgres"
)

// withAppName returns the test URL with application_name set, so that the
// test can find its store's backends in pg_stat_activity.
func withAppName(t *testing.T, name string) string {
	t.Helper()
	u, err := url.Parse(testURL(t))
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// terminateBackends kills, from a connection of its own, every backend
// whose application_name is name, as a failover or an administrator does,
// and waits for them to end.
func terminateBackends(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testURL(t))
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM (
		SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
		WHERE application_name = $1 AND pid <> pg_backend_pid()) k`, name).Scan(&n))
	require.Positive(t, n, "no backend of %s to terminate", name)
}

// TestDroppedConnectionIsUnavailable kills the backend of a transaction in
// its middle and before its commit: the error wraps storage.ErrUnavailable
// (so oms.IsTransient reports it), and retrying on the pool succeeds.
func TestDroppedConnectionIsUnavailable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// afterKill runs in the transaction once its backend is dead.
		afterKill func(t *testing.T, ctx context.Context, tx storage.Tx, rec storage.IdempotencyRecord) error
	}{
		{"next statement", func(t *testing.T, ctx context.Context, tx storage.Tx, rec storage.IdempotencyRecord) error {
			// The first statement reads the server's FATAL 57P01, the next
			// one finds the connection closed. (A Put of the key the
			// transaction found absent would be queued, not sent: this
			// one is of a key it did not look up.)
			other := rec
			other.Key += ":other"
			err := tx.Idempotency().Put(ctx, other)
			require.ErrorIs(t, err, storage.ErrUnavailable, "the statement after the kill")
			_, err2 := tx.Idempotency().Get(ctx, rec.Key)
			require.ErrorIs(t, err2, storage.ErrUnavailable, "a statement on the closed connection")
			return err
		}},
		{"commit", func(*testing.T, context.Context, storage.Tx, storage.IdempotencyRecord) error { return nil }},
		{"queued writes", func(_ *testing.T, ctx context.Context, tx storage.Tx, rec storage.IdempotencyRecord) error {
			// The events are queued, and sent with the COMMIT on the dead
			// connection.
			return tx.Outbox().Append(ctx, storage.Event{ID: newID(), Type: "x", AggregateType: "test",
				AggregateID: rec.ResourceID, OccurredAt: t0})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			app := "oms-kill-" + uuid.NewString()[:8]
			// pgxpool starts a goroutine sleeping 500 ms whenever it drops
			// a broken connection; wait it out (this cleanup runs last),
			// so that the package's leak check does not report it.
			t.Cleanup(func() { time.Sleep(600 * time.Millisecond) })
			schema := newSchema(t)
			st, err := postgres.Open(t.Context(), postgres.Config{URL: withAppName(t, app), Schema: schema})
			require.NoError(t, err)
			t.Cleanup(st.Close)
			ctx := t.Context()
			rec := storage.IdempotencyRecord{Key: "k-" + c.name, Operation: "place_order", ResourceID: newID(),
				CreatedAt: t0}

			err = st.Tx(ctx, "acme", func(tx storage.Tx) error {
				// A first statement runs on the live connection.
				if c.name == "commit" {
					if err := tx.Idempotency().Put(ctx, rec); err != nil {
						return err
					}
				} else {
					_, err := tx.Idempotency().Get(ctx, rec.Key)
					require.ErrorIs(t, err, storage.ErrNotFound)
				}
				terminateBackends(t, app)
				return c.afterKill(t, ctx, tx, rec)
			})
			require.ErrorIs(t, err, storage.ErrUnavailable)
			require.True(t, oms.IsTransient(err), "a dropped connection is transient: %v", err)

			// The pool replaces the dead connection: the retry succeeds, and
			// the killed transaction left nothing behind.
			require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
				_, err := tx.Idempotency().Get(ctx, rec.Key)
				require.ErrorIs(t, err, storage.ErrNotFound, "the killed transaction left nothing")
				return tx.Idempotency().Put(ctx, rec)
			}))
			require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
				got, err := tx.Idempotency().Get(ctx, rec.Key)
				require.NoError(t, err)
				require.Equal(t, rec.ResourceID, got.ResourceID)
				return nil
			}))
		})
	}
}

// TestUnreachableServerIsUnavailable opens a store on a port nobody
// listens on: beginning a transaction fails with storage.ErrUnavailable.
func TestUnreachableServerIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	st, err := postgres.Open(ctx, postgres.Config{
		URL:            "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5",
		SkipMigrations: true,
	})
	require.NoError(t, err)
	defer st.Close()
	err = st.Tx(ctx, "acme", func(storage.Tx) error { return nil })
	require.ErrorIs(t, err, storage.ErrUnavailable)
	require.True(t, oms.IsTransient(err))
}
