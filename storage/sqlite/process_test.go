package sqlite_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/sqlite"
)

// The helper process reserves units from the database named by these
// variables; see TestTwoProcesses.
const (
	envHelperDB  = "OMS_SQLITE_HELPER_DB"
	envHelperLoc = "OMS_SQLITE_HELPER_LOC"
	envHelperN   = "OMS_SQLITE_HELPER_N"
)

// TestMain runs the helper process when asked to, and otherwise the tests,
// failing them if any goroutine outlives them (the conformance suite runs
// concurrent transactions; every store a test opens must be closed).
func TestMain(m *testing.M) {
	if path := os.Getenv(envHelperDB); path != "" {
		os.Exit(helperProcess(path, os.Getenv(envHelperLoc), os.Getenv(envHelperN)))
	}
	goleak.VerifyTestMain(m)
}

// helperProcess reserves one unit of SKU n times, concurrently, and exits
// non-zero on any error other than a shortage.
func helperProcess(path, locID, n string) int {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 2
	}
	defer st.Close()
	loc, err := uuid.Parse(locID)
	if err != nil {
		return 2
	}
	count, _ := strconv.Atoi(n)
	var wg sync.WaitGroup
	errs := make(chan error, count)
	for range count {
		wg.Go(func() {
			m, err := inventory.NewMovement(uuid.New(), "acme", "SKU", loc, inventory.MovementReserve, 1, uuid.Nil, "child", t0)
			if err == nil {
				err = st.Tx(ctx, "acme", func(tx storage.Tx) error {
					_, _, err := tx.Inventory().ApplyMovement(ctx, m)
					return err
				})
			}
			if err != nil && !errors.Is(err, inventory.ErrInsufficientStock) {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	code := 0
	for err := range errs {
		os.Stderr.WriteString(err.Error() + "\n")
		code = 1
	}
	return code
}

// TestTwoProcesses reserves stock from this process and a child process at
// once on one database file: neither sees "database is locked", and the
// level ends exactly at what was received.
func TestTwoProcesses(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	st := openAt(t, path)
	loc := createLocation(t, st, "acme", "WH1")
	_, err := move(t, st, "acme", "SKU", loc.ID, inventory.MovementReceive, 30)
	require.NoError(t, err)

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHelperDB+"="+path, envHelperLoc+"="+loc.ID.String(), envHelperN+"=20")
	var childErr error
	var childOut []byte
	done := make(chan struct{})
	go func() {
		defer close(done)
		childOut, childErr = cmd.CombinedOutput()
	}()

	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		others []error
	)
	for range 20 {
		wg.Go(func() {
			_, err := move(t, st, "acme", "SKU", loc.ID, inventory.MovementReserve, 1)
			if err != nil && !errors.Is(err, inventory.ErrInsufficientStock) {
				mu.Lock()
				others = append(others, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	<-done
	require.NoError(t, childErr, "child process: %s", childOut)
	require.Empty(t, others)

	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		levels, err := tx.Inventory().StockLevels(ctx, []string{"SKU"})
		require.NoError(t, err)
		require.Len(t, levels, 1)
		assert.Equal(t, int64(30), levels[0].Reserved, "40 requests for 30 units")
		movs, err := storage.Movements(ctx, tx, storage.MovementFilter{SKU: "SKU"})
		require.NoError(t, err)
		child := 0
		for _, m := range movs {
			if m.Reason == "child" {
				child++
			}
		}
		assert.Positive(t, child, "the child process's reservations are visible here")
		return nil
	}))
}

// TestConcurrentOpen opens new databases, each from several goroutines at
// once: the migrations run once and every open succeeds, although the
// openers race to switch the new file to WAL mode and SQLite answers the
// losers SQLITE_BUSY at once.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	for range 5 {
		path := filepath.Join(t.TempDir(), "oms.db")
		var wg sync.WaitGroup
		errs := make([]error, 16)
		stores := make([]*sqlite.Store, 16)
		for i := range stores {
			wg.Go(func() { stores[i], errs[i] = sqlite.Open(t.Context(), path, sqlite.Options{}) })
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err)
			require.NoError(t, stores[i].Close())
		}
	}
}
