package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage/postgres"
)

// testURL returns the PostgreSQL URL of the tests. Without one it skips the
// test, except under CI, where the PostgreSQL tests must run.
func testURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("OMS_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("OMS_TEST_POSTGRES_URL must be set under CI")
		}
		t.Skip("set OMS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to run the PostgreSQL tests")
	}
	return url
}

// newSchema returns the name of a fresh schema, unique to this test, and
// registers its DROP SCHEMA ... CASCADE with t.Cleanup. The schema itself is
// created by the first Open.
func newSchema(t testing.TB) string {
	t.Helper()
	url := testURL(t)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "oms_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// openStore opens a store on schema with its own pool, closed at cleanup
// (before the schema is dropped).
func openStore(t testing.TB, schema string) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), postgres.Config{URL: testURL(t), Schema: schema})
	require.NoError(t, err)
	t.Cleanup(st.Close)
	return st
}

// newStore returns a store on a fresh schema of its own, dropped with its
// tables when t ends.
func newStore(t *testing.T) *postgres.Store {
	t.Helper()
	return openStore(t, newSchema(t))
}
