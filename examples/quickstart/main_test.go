package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/examples/internal/storeflag"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// requireLifecycle checks that the output shows the whole life of the order.
func requireLifecycle(t *testing.T, out string) {
	t.Helper()
	for _, want := range []string{
		"order delivered",
		"notify customer: order.delivered",
		"feedback recorded: 5/5",
		"received, restocked and refunded: refund",
		"notify customer: return.refunded",
		"payment partially_refunded",
	} {
		require.Contains(t, out, want)
	}
}

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, memory.New()))
	requireLifecycle(t, out.String())
}

// Running the quickstart twice on one SQLite file keeps the first run's
// order, and another process reading the file sees both.
func TestQuickstartOnSQLiteIsDurable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "oms.db")
	for i := range 2 {
		store, closeStore, err := storeflag.Open(ctx, path)
		require.NoError(t, err)
		var out bytes.Buffer
		err = run(ctx, &out, store)
		closeStore()
		require.NoError(t, err, out.String())
		requireLifecycle(t, out.String())
		require.Contains(t, out.String(), fmt.Sprintf("orders already in the store: %d", i))
		require.Contains(t, out.String(), fmt.Sprintf("(WEB-%d)", 1001+i))
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestCountOrdersProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "OMS_QUICKSTART_DB="+path)
	got, err := cmd.CombinedOutput()
	require.NoError(t, err, string(got))
	require.Contains(t, string(got), "orders in the file: 2 (WEB-1001, WEB-1002)")
}

// TestCountOrdersProcess is the second process of
// TestQuickstartOnSQLiteIsDurable: it reads the SQLite file that test wrote.
func TestCountOrdersProcess(t *testing.T) {
	path := os.Getenv("OMS_QUICKSTART_DB")
	if path == "" {
		t.Skip("run by TestQuickstartOnSQLiteIsDurable as a separate process")
	}
	ctx := context.Background()
	store, closeStore, err := storeflag.Open(ctx, path)
	require.NoError(t, err)
	defer closeStore()
	eng, err := oms.New(oms.WithStore(store))
	require.NoError(t, err)
	page, err := eng.ListOrders(ctx, "", storage.OrderFilter{})
	require.NoError(t, err)
	require.Len(t, page.Orders, 2)
	fmt.Printf("orders in the file: %d (%s, %s)\n", len(page.Orders), page.Orders[0].ExternalRef, page.Orders[1].ExternalRef)
}

func TestQuickstartOnPostgres(t *testing.T) {
	url := os.Getenv("OMS_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("OMS_TEST_POSTGRES_URL must be set under CI")
		}
		t.Skip("set OMS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to run the quickstart on PostgreSQL")
	}
	ctx := context.Background()
	store, closeStore, err := storeflag.Open(ctx, url)
	require.NoError(t, err)
	defer closeStore()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, store), out.String())
	requireLifecycle(t, out.String())
}
