package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ordersmith/oms/storage"
)

// queueChunk bounds the rows of one INSERT of queued rows, well under
// SQLite's limit of bound parameters.
const queueChunk = 500

// queuedWrite is a write waiting for the transaction's next statement or
// its end (see tx.queue): a statement, or rows of one table that rows
// queued right after join, so that aggregates created one after another
// (an order's reservations) are one INSERT.
type queuedWrite struct {
	// table is set for rows of table: names is the column list, args
	// holds len(names) values a row.
	table string
	names []string
	// query is the statement, when table is unset.
	query string
	args  []any
	rows  int
	// what describes the write in errors.
	what string
	// check, if set, checks the statement's result.
	check func(sql.Result) error
	// concurrent is set for a write whose duplicate key a concurrent
	// transaction inserted (an idempotency key this one found absent):
	// its error then also wraps storage.ErrConflict.
	concurrent bool
}

// queue queues w for the transaction's next statement or its end. The
// write lock is taken then, not now, so that a transaction holds it only
// while its statements run: writes that follow each other with work in
// between (an order, its payment, its reservations, its events) wait and
// go together. A failure of a queued write is reported by that next
// statement's call or by Store.Tx, and by every later call: the
// transaction is lost, as the storage.Tx contract allows.
func (t *tx) queue(w *queuedWrite) error {
	if t.queueErr != nil {
		return t.queueErr
	}
	if err := t.ctx.Err(); err != nil {
		return err
	}
	if n := len(t.queued); n > 0 && w.table != "" {
		if last := t.queued[n-1]; last.table == w.table && last.rows < queueChunk {
			last.args = append(last.args, w.args...)
			last.rows++
			return nil
		}
	}
	w.rows = 1
	t.queued = append(t.queued, w)
	return nil
}

// queueRow queues the insert of one row of table, described by what in
// errors.
func (t *tx) queueRow(table, what string, names []string, args []any) error {
	return t.queue(&queuedWrite{table: table, names: names, args: args, what: what})
}

// flush runs the queued writes in order on the write transaction, taking
// the write lock if the transaction does not hold it yet. Once a queued
// write failed, it returns that failure again.
func (t *tx) flush() error {
	if t.queueErr != nil {
		return t.queueErr
	}
	if len(t.queued) == 0 {
		return nil
	}
	w, err := t.writer(t.ctx)
	if err != nil {
		return err
	}
	todo := t.queued
	t.queued = nil
	for _, q := range todo {
		if err := t.runQueued(w, q); err != nil {
			t.queueErr = err
			return err
		}
	}
	return nil
}

// runQueued runs one queued write on w.
func (t *tx) runQueued(w *sql.Tx, q *queuedWrite) error {
	query, what := q.query, q.what
	if q.table != "" {
		var b strings.Builder
		b.WriteString("INSERT INTO " + q.table + " (" + strings.Join(q.names, ", ") + ") VALUES ")
		row := "(" + placeholders(len(q.names)) + ")"
		for i := range q.rows {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		query = b.String()
		if q.rows > 1 {
			what = fmt.Sprintf("create %d %s", q.rows, q.table)
		}
	}
	res, err := t.run(w, query, q.args...)
	if err != nil {
		err = interpretError(err, "%s", what)
		if q.concurrent && errors.Is(err, storage.ErrDuplicate) {
			err = fmt.Errorf("%w (inserted by a concurrent transaction): %w", err, storage.ErrConflict)
		}
		return err
	}
	if q.check != nil {
		return q.check(res)
	}
	return nil
}
