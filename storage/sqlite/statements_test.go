package sqlite_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage/sqlite"
	"github.com/ordersmith/oms/storage/storagetest"
)

// statementLog collects the statements a Store's trace reports, split
// into the SQLite transactions they ran in.
type statementLog struct {
	mu    sync.Mutex
	steps [][]string
	cur   []string
}

func (l *statementLog) trace(query string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cur = append(l.cur, summarize(query))
	if query == "COMMIT" {
		l.steps, l.cur = append(l.steps, l.cur), nil
	}
}

// take returns the transactions committed since the last call.
func (l *statementLog) take() [][]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.steps
	l.steps = nil
	return out
}

// summarize returns the verb and table of a statement, and the number
// of rows a multi-row VALUES list holds.
func summarize(query string) string {
	f := strings.Fields(query)
	out := strings.ToUpper(f[0])
	for i, w := range f {
		switch strings.ToUpper(w) {
		case "FROM", "INTO", "UPDATE":
			if i+1 < len(f) && out == strings.ToUpper(f[0]) {
				out += " " + f[i+1]
			}
		}
	}
	if n := strings.Count(query, "(?"); n > 1 {
		out += fmt.Sprintf(" x%d", n)
	}
	return out
}

// TestPlacementStatements places 1-, 3- and 10-line orders through the
// engine on a database file, one at a time, logs the statements of each
// saga step and bounds them: a step's statements do not grow with the
// number of lines (lines, reservations, stock levels and ledger entries
// are multi-row statements), and there are at most placementStatements.
func TestPlacementStatements(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "stmts.db"), sqlite.Options{})
	require.NoError(t, err)
	defer st.Close()
	log := &statementLog{}
	sqlite.SetTrace(st, log.trace)
	place := storagetest.NewPlacer(t, st, 10)
	place(10)
	log.take()

	figures := map[int][][]string{}
	for _, lines := range []int{1, 3, 10} {
		place(lines)
		steps := log.take()
		figures[lines] = steps
		for i, s := range steps {
			t.Logf("%2d lines, step %d: %2d statements: %s", lines, i+1, len(s), strings.Join(s, ", "))
		}
	}
	for _, lines := range []int{1, 3, 10} {
		require.Len(t, figures[lines], len(placementStatements), "saga steps of a %d-line order", lines)
		for i, s := range figures[lines] {
			require.LessOrEqual(t, len(s), placementStatements[i], "statements of step %d of a %d-line order", i+1, lines)
			require.Len(t, s, len(figures[1][i]), "statements of step %d of a %d-line order and of a 1-line order", i+1, lines)
		}
	}
}

// placementStatements bounds the statements of each step of a placement,
// BEGIN and COMMIT included, whatever its number of lines: the place step
// (on a read transaction: the idempotency lookup, the items, their stock
// levels and the locations; then on the write transaction: the order,
// its lines, the payment, the idempotency key, the reservations, the
// order's event, the stock change and the ledger) and the confirm step
// (the payment's and the order's updates and their events).
var placementStatements = []int{15, 5}
