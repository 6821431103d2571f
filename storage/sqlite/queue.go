package sqlite

import (
	"context"
	"strings"
)

// queueChunk bounds the rows of one INSERT of queued rows, well under
// SQLite's limit of bound parameters.
const queueChunk = 500

// queuedRows are rows of one table, waiting to be inserted by one
// multi-row INSERT: an aggregate that is created many at a time (an
// order's reservations) costs one statement for all of them.
type queuedRows struct {
	table string
	// names is the column list; args holds len(names) values a row.
	names []string
	args  []any
	rows  int
	// what describes the rows in errors.
	what string
}

// queue queues a row of table for insertion with the transaction's next
// statement, or at its end, taking the write lock first. A failure of the
// insert is reported then, by that statement's call or by Store.Tx, and
// by every later call: the transaction is lost.
func (t *tx) queue(ctx context.Context, table, what string, names []string, args []any) error {
	if _, err := t.writer(ctx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.queued != nil && (t.queued.table != table || t.queued.rows == queueChunk) {
		if err := t.flush(); err != nil {
			return err
		}
	}
	if t.queued == nil {
		t.queued = &queuedRows{table: table, names: names, what: what}
	}
	t.queued.args = append(t.queued.args, args...)
	t.queued.rows++
	return nil
}

// flush inserts the queued rows, if any, on the write transaction. Once
// it failed, it returns that failure again.
func (t *tx) flush() error {
	if t.queueErr != nil {
		return t.queueErr
	}
	q := t.queued
	if q == nil {
		return nil
	}
	t.queued = nil
	var b strings.Builder
	b.WriteString("INSERT INTO " + q.table + " (" + strings.Join(q.names, ", ") + ") VALUES ")
	row := "(" + placeholders(len(q.names)) + ")"
	for i := range q.rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	if _, err := t.run(t.sql, b.String(), q.args...); err != nil {
		t.queueErr = interpretError(err, "create %d %s", q.rows, q.what)
		return t.queueErr
	}
	return nil
}
