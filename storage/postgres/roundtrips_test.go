package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage/postgres"
	"github.com/ordersmith/oms/storage/storagetest"
)

// wireCounter is a pgx tracer that records what a connection sends: each
// Exec or Query is one round trip of one statement, each batch one round
// trip of its statements. It is meant for a pool of one connection, whose
// transactions it tells apart by their BEGIN and COMMIT or ROLLBACK.
type wireCounter struct {
	mu    sync.Mutex
	trips [][]string // the statements of each round trip, in order
}

var (
	_ pgx.QueryTracer = (*wireCounter)(nil)
	_ pgx.BatchTracer = (*wireCounter)(nil)
)

func (c *wireCounter) record(sqls []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.trips = append(c.trips, sqls)
}

// TraceQueryStart records one round trip of sql.
func (c *wireCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.record([]string{d.SQL})
	return ctx
}

// TraceQueryEnd does nothing.
func (*wireCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart records one round trip of the batch's statements.
func (c *wireCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	sqls := make([]string, len(d.Batch.QueuedQueries))
	for i, q := range d.Batch.QueuedQueries {
		sqls[i] = q.SQL
	}
	c.record(sqls)
	return ctx
}

// TraceBatchQuery does nothing.
func (*wireCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd does nothing.
func (*wireCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// txFigures are the wire figures of one transaction.
type txFigures struct {
	// statements counts the statements other than BEGIN, COMMIT and
	// ROLLBACK; trips counts every round trip, those included.
	statements, trips int
	// sqls are the statements' first words, for the log.
	sqls []string
}

// take returns the figures of each transaction recorded since the last
// take, in order, and forgets them.
func (c *wireCounter) take() []txFigures {
	c.mu.Lock()
	trips := c.trips
	c.trips = nil
	c.mu.Unlock()
	var (
		out []txFigures
		cur *txFigures
	)
	for _, trip := range trips {
		for _, sql := range trip {
			word := strings.ToLower(strings.Fields(sql)[0])
			switch word {
			case "begin":
				out = append(out, txFigures{})
				cur = &out[len(out)-1]
			case "commit", "rollback":
			default:
				if cur != nil {
					cur.statements++
					cur.sqls = append(cur.sqls, summarize(sql))
				}
			}
		}
		if cur != nil {
			cur.trips++
			last := strings.ToLower(strings.Fields(trip[len(trip)-1])[0])
			if last == "commit" || last == "rollback" {
				cur = nil
			}
		}
	}
	return out
}

// summarize returns the verb and table of a statement.
func summarize(sql string) string {
	f := strings.Fields(sql)
	for i, w := range f {
		switch strings.ToUpper(w) {
		case "FROM", "INTO", "UPDATE":
			if i+1 < len(f) {
				return strings.ToUpper(f[0]) + " " + f[i+1]
			}
		}
	}
	return strings.ToUpper(f[0])
}

// TestPlacementRoundTrips places 1-, 3- and 10-line orders through the
// engine on a pool of one traced connection, logs the statements and round
// trips of each saga step, and bounds them: neither the round trips nor the
// statements of a step grow with the number of lines (the items, stock
// levels and locations come in one round trip, the stock levels change in
// one statement, the ledger rows and reservations are set-based inserts,
// and every write rides with another statement or with the COMMIT), and
// there are at most fixedTrips round trips.
func TestPlacementRoundTrips(t *testing.T) {
	ctx := t.Context()
	pc, err := pgxpool.ParseConfig(testURL(t))
	require.NoError(t, err)
	counter := &wireCounter{}
	pc.MaxConns = 1
	pc.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	require.NoError(t, err)
	defer pool.Close()
	st, err := postgres.Open(ctx, postgres.Config{Pool: pool, Schema: newSchema(t)})
	require.NoError(t, err)
	defer st.Close()
	place := storagetest.NewPlacer(t, st, 10)
	// A warm-up placement prepares every statement on the connection.
	place(10)
	counter.take()

	figures := map[int][]txFigures{}
	for _, lines := range []int{1, 3, 10} {
		place(lines)
		steps := counter.take()
		figures[lines] = steps
		for i, s := range steps {
			t.Logf("%2d lines, step %d: %2d statements in %2d round trips: %s",
				lines, i+1, s.statements, s.trips, strings.Join(s.sqls, ", "))
		}
	}
	require.Len(t, figures[1], len(fixedTrips), "saga steps of a placement")
	for _, lines := range []int{1, 3, 10} {
		require.Len(t, figures[lines], len(fixedTrips), "saga steps of a %d-line order", lines)
		for i, s := range figures[lines] {
			require.LessOrEqual(t, s.trips, fixedTrips[i], "round trips of step %d of a %d-line order", i+1, lines)
			require.Equal(t, figures[1][i].trips, s.trips,
				"round trips of step %d of a %d-line order and of a 1-line order", i+1, lines)
			require.Equal(t, figures[1][i].statements, s.statements,
				"statements of step %d of a %d-line order and of a 1-line order", i+1, lines)
		}
	}
}

// fixedTrips bounds the round trips of each step of a placement, whatever
// its number of lines: the place step (BEGIN with what the engine
// prefetches: the idempotency lookups, the items, their stock levels,
// locked, and the locations; COMMIT with every write: the order and its
// lines, the payment, the idempotency key, the stock change, the ledger,
// the reservations and the events) and the confirm step (BEGIN, the
// payment's and the order's updates, the events and COMMIT, in one round
// trip).
var fixedTrips = []int{2, 1}
