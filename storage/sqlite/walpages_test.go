package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage/storagetest"
)

// walPlacements is how many placements TestPlacementPages counts the log
// pages of: two commits each, fewer than checkpointEvery, so that no
// checkpoint starts the log over while they run.
const walPlacements = 10

// walWarmup is how many placements run first, so that the B-trees have
// some depth.
const walWarmup = 200

// placementPages bounds the pages a 3-line placement writes to the log,
// both saga steps together, on average over walPlacements placed one at a
// time (about 50 at migration 0005; 59 before it).
const placementPages = 56

// TestPlacementPages places 3-line orders one at a time on a database
// file whose log was emptied, reads the log's frames (one per page a
// commit wrote) and the B-tree each page belongs to (the dbstat table),
// logs the pages of each saga step by B-tree and bounds them. Every page
// of a B-tree a commit changes goes to the log whole, so this is where a
// commit's time goes in writing, and what an index costs.
func TestPlacementPages(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "pages.db")
	st, err := Open(ctx, path, Options{})
	require.NoError(t, err)
	defer st.Close()
	place := storagetest.NewPlacer(t, st, 150)
	for range walWarmup {
		place(3)
	}
	// Idle now: copy the log into the database and empty it, once the
	// Store's checkpointer, which the last commits may have woken, is
	// done.
	var busy, frames, copied int64
	for range 100 {
		require.NoError(t, st.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied))
		if busy == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.Zero(t, busy, "the checkpoint was blocked")
	st.commits = 0
	for range walPlacements {
		place(3)
	}

	commits := walCommits(t, path+"-wal")
	require.Len(t, commits, 2*walPlacements, "commits in the log: the place and the confirm step of each placement")
	owner := pageOwners(t, path)
	steps := [2]map[string]float64{{}, {}}
	total := 0
	for i, pages := range commits {
		total += len(pages)
		for _, p := range pages {
			steps[i%2][owner[p]] += 1.0 / walPlacements
		}
	}
	for i, name := range []string{"place", "confirm"} {
		sum := 0.0
		for _, v := range steps[i] {
			sum += v
		}
		names := slices.SortedFunc(maps.Keys(steps[i]), func(a, b string) int {
			return cmp.Or(cmp.Compare(steps[i][b], steps[i][a]), strings.Compare(a, b))
		})
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, " %s %.1f", n, steps[i][n])
		}
		t.Logf("%s step: %.1f pages a placement:%s", name, sum, b.String())
	}
	perPlacement := float64(total) / walPlacements
	t.Logf("%.1f pages a placement", perPlacement)
	require.LessOrEqual(t, perPlacement, float64(placementPages), "pages a 3-line placement writes to the log")
}

// walCommits returns the pages of each commit in the write-ahead log at
// path, in order: the page numbers of its frames up to and including each
// commit frame, of the frames that carry the log header's salt.
func walCommits(t *testing.T, path string) [][]uint32 {
	t.Helper()
	wal, err := os.ReadFile(path)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(wal), 32, "log header")
	be := binary.BigEndian
	pageSize := int(be.Uint32(wal[8:]))
	salt := wal[16:24]
	var commits [][]uint32
	var cur []uint32
	for off := 32; off+24+pageSize <= len(wal); off += 24 + pageSize {
		frame := wal[off : off+24]
		if string(frame[8:16]) != string(salt) {
			break // left from before the log started over
		}
		cur = append(cur, be.Uint32(frame))
		if be.Uint32(frame[4:]) != 0 { // the commit frame: the database's size
			commits, cur = append(commits, cur), nil
		}
	}
	return commits
}

// pageOwners returns the name of the table or index each page of the
// database at path belongs to, as its log shows it now.
func pageOwners(t *testing.T, path string) map[uint32]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT pageno, name FROM dbstat`)
	require.NoError(t, err)
	defer rows.Close()
	owner := make(map[uint32]string)
	for rows.Next() {
		var p uint32
		var name string
		require.NoError(t, rows.Scan(&p, &name))
		owner[p] = name
	}
	require.NoError(t, rows.Err())
	return owner
}
