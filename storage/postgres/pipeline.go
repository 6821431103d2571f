package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ordersmith/oms/storage"
)

// beginSQL starts a transaction of the store.
const beginSQL = "begin isolation level read committed"

// pipe is the connection of one transaction, which it sends in as few round
// trips as it can:
//   - BEGIN is not sent alone: it goes ahead of the transaction's first
//     statement (or its COMMIT), and a transaction that sent nothing is not
//     begun at all;
//   - a write whose outcome the caller does not branch on (an aggregate's
//     insert or conditional update, a ledger row, a reservation, outbox
//     rows, the lines of an order, a stock change worked out from locked
//     levels) is queued by later and sent, in order, in one pipelined
//     batch with the next statement or with the COMMIT; rows of the same
//     set-based insert queued one after another join one statement
//     (laterRows).
//
// The batch is inside the transaction: when one of its writes fails, the
// statements after it are not run, the failure (classified by
// interpretError) is returned by the statement it rode with and by every
// later one, and the transaction can only roll back. Nothing of a batch is
// ever kept without the rest.
//
// A pipe is not safe for concurrent use, like the transaction it serves.
type pipe struct {
	c *pgxpool.Conn
	// begun reports that BEGIN was sent.
	begun bool
	// queue holds the writes not sent yet, in order.
	queue []deferredWrite
	// lost is the failure of a queued write: the transaction is lost.
	lost error
	// sent counts the statements sent or queued, so that a read made
	// ahead can tell whether anything happened since.
	sent int
}

// stmt is one statement of a batch.
type stmt struct {
	sql  string
	args []any
}

// deferredWrite is a write queued on a pipe. It must fail on the server
// when it fails at all (a unique violation, not ON CONFLICT DO NOTHING):
// the batch may end with the COMMIT, which PostgreSQL skips only after an
// error of its own.
//
// A set-based write (rows of unnest arrays) may be a batch: rows queued
// for the same kind of write right after it join it (see laterRows), so
// that a write per line costs one statement, not one per line.
type deferredWrite struct {
	op   string // for errors, as interpretError takes it
	sql  string
	args []any
	// rows, when set, holds the rows of a batch (for an insert, of its
	// companion); its args are built when the batch is sent.
	rows rowBatch
	// insert, when set, is the statement of the rows in values, sent as
	// few multi-row statements (see laterInsert).
	insert *multiInsert
	values [][]any
	// concurrent, when set, says that a unique violation of the write
	// can only come from a concurrent transaction (the transaction saw
	// the key absent): it is reported as storage.ErrConflict too.
	concurrent bool
}

// queue queues w's statements on b and returns how many it queued.
func (w *deferredWrite) queue(b *pgx.Batch) int {
	switch {
	case w.insert != nil:
		n := len(b.QueuedQueries)
		var companion []any
		if w.rows != nil {
			companion = w.rows.args()
		}
		for _, s := range w.insert.statements(w.values, companion) {
			b.Queue(s.sql, s.args...)
		}
		return len(b.QueuedQueries) - n
	case w.rows != nil:
		if f, ok := w.rows.(fewRowBatch); ok {
			if sql, args, ok := f.few(); ok {
				b.Queue(sql, args...)
				return 1
			}
		}
		b.Queue(w.sql, w.rows.args()...)
	default:
		b.Queue(w.sql, w.args...)
	}
	return 1
}

// rowBatch is the rows of a set-based write queued on a pipe.
type rowBatch interface {
	// args returns the statement's arguments for the rows.
	args() []any
}

// fail classifies the failure of w.
func (w deferredWrite) fail(err error) error {
	err = interpretError(w.op, err)
	if w.concurrent && errors.Is(err, storage.ErrDuplicate) {
		return fmt.Errorf("%w: taken by a concurrent transaction: %w", err, storage.ErrConflict)
	}
	return err
}

// lostError is a queued write's failure reported by a later statement of
// its transaction: it is already classified and wrapped (interpretError
// returns it unchanged).
type lostError struct{ err error }

func (e *lostError) Error() string { return e.err.Error() }
func (e *lostError) Unwrap() error { return e.err }

// later queues a write, to be sent with the next statement or the commit;
// op names it in errors.
func (p *pipe) later(op, sql string, args ...any) {
	p.sent++
	p.queue = append(p.queue, deferredWrite{op: op, sql: sql, args: args})
}

// laterRows queues the rows of a set-based write of kind sql: when the
// last write queued is a batch of the same statement, rows are added to it
// by add, nothing is queued, and the batch is named opMany in errors;
// otherwise a new batch named op is made by start, given the rows by add,
// and queued.
func laterRows[B rowBatch](p *pipe, op, opMany, sql string, start func() B, add func(B)) {
	p.sent++
	if n := len(p.queue); n > 0 && p.queue[n-1].rows != nil && p.queue[n-1].sql == sql {
		if b, ok := p.queue[n-1].rows.(B); ok {
			add(b)
			p.queue[n-1].op = opMany
			return
		}
	}
	b := start()
	add(b)
	p.queue = append(p.queue, deferredWrite{op: op, sql: sql, rows: b})
}

// attachRows adds rows, by add, to the companion batch of the last write
// queued (made by start) when that write is an insert of m, which then
// sends them with its last statement (see multiInsert); it reports whether
// it did.
func attachRows[B rowBatch](p *pipe, m *multiInsert, start func() B, add func(B)) bool {
	n := len(p.queue)
	if n == 0 || p.queue[n-1].insert != m {
		return false
	}
	w := &p.queue[n-1]
	if w.rows == nil {
		w.rows = start()
	}
	b, ok := w.rows.(B)
	if ok {
		add(b)
	}
	return ok
}

// laterInsert queues a one-row insert of m, args being its arguments:
// when the last write queued is an insert of m that is as concurrent (see
// deferredWrite.concurrent: a unique violation can only come from a
// concurrent transaction), the row joins it, and the rows are named
// opMany in errors; otherwise a new write named op is queued.
func (p *pipe) laterInsert(op, opMany string, m *multiInsert, concurrent bool, args ...any) {
	p.sent++
	if n := len(p.queue); n > 0 {
		if w := &p.queue[n-1]; w.insert == m && w.concurrent == concurrent {
			w.values = append(w.values, args)
			w.op = opMany
			return
		}
	}
	p.queue = append(p.queue, deferredWrite{op: op, insert: m, values: [][]any{args}, concurrent: concurrent})
}

// direct reports whether a statement can be sent on its own: BEGIN was sent
// and no write is queued.
func (p *pipe) direct() bool { return p.begun && len(p.queue) == 0 }

// send sends BEGIN if not sent yet, the queued writes and then sql, in one
// batch, and reads the results of all but sql: it returns the batch's
// results positioned on sql's, for the caller to read and close.
func (p *pipe) send(ctx context.Context, sql string, args ...any) (pgx.BatchResults, error) {
	return p.sendAll(ctx, stmt{sql, args})
}

// sendAll is send for several statements: it returns the batch's results
// positioned on the first of stmts, for the caller to read in order and
// close.
func (p *pipe) sendAll(ctx context.Context, stmts ...stmt) (pgx.BatchResults, error) {
	p.sent += len(stmts)
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(p.queue)+1+len(stmts))}
	begin := !p.begun
	if begin {
		b.Queue(beginSQL)
	}
	counts := make([]int, len(p.queue))
	for i := range p.queue {
		counts[i] = p.queue[i].queue(b)
	}
	for _, s := range stmts {
		b.Queue(s.sql, s.args...)
	}
	queue := p.queue
	p.queue, p.begun = nil, true
	br := p.c.SendBatch(ctx, b)
	if begin {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			p.lost = &lostError{interpretError("begin", err)}
			return nil, p.lost
		}
	}
	for i, w := range queue {
		for range counts[i] {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				p.lost = &lostError{w.fail(err)}
				return nil, p.lost
			}
		}
	}
	return br, nil
}

// Exec runs a statement, after the queued writes.
func (p *pipe) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if p.lost != nil {
		return pgconn.CommandTag{}, p.lost
	}
	if p.direct() {
		p.sent++
		return p.c.Exec(ctx, sql, args...)
	}
	br, err := p.send(ctx, sql, args...)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// Query runs a query, after the queued writes.
func (p *pipe) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if p.lost != nil {
		return nil, p.lost
	}
	if p.direct() {
		p.sent++
		return p.c.Query(ctx, sql, args...)
	}
	br, err := p.send(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

// QueryRow runs a query of at most one row, after the queued writes. Its
// errors are reported by Scan, as pgx's are.
func (p *pipe) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if p.direct() && p.lost == nil {
		p.sent++
		return p.c.QueryRow(ctx, sql, args...)
	}
	rows, err := p.Query(ctx, sql, args...)
	return &oneRow{rows: rows, err: err}
}

// commit sends BEGIN if not sent yet, the queued writes and COMMIT, in one
// batch. A transaction that sent and queued nothing has nothing to commit.
func (p *pipe) commit(ctx context.Context) error {
	if p.lost != nil {
		return p.lost
	}
	if !p.begun && len(p.queue) == 0 {
		return nil
	}
	tag, err := p.Exec(ctx, "commit")
	if p.lost != nil {
		return p.lost
	}
	if err != nil {
		return interpretError("commit", err)
	}
	if tag.String() == "ROLLBACK" {
		// A statement of the transaction failed: PostgreSQL rolled it back.
		return interpretError("commit", pgx.ErrTxCommitRollback)
	}
	return nil
}

// rollback ends a transaction that will not commit: the queued writes are
// dropped, and ROLLBACK is sent if BEGIN was. A connection left in a
// transaction (the ROLLBACK failed) is closed, so that the pool drops it.
func (p *pipe) rollback(ctx context.Context) {
	p.queue = nil
	if !p.begun {
		return
	}
	if _, err := p.c.Exec(ctx, "rollback"); err != nil || p.c.Conn().PgConn().TxStatus() != 'I' {
		_ = p.c.Conn().Close(ctx)
	}
}

// batchRows are the rows of a batch's last statement: closing them closes
// the batch.
type batchRows struct {
	pgx.Rows
	br     pgx.BatchResults
	closed bool
}

// Close closes the rows and the batch.
func (r *batchRows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.Rows.Close()
	_ = r.br.Close()
}

// oneRow is the pgx.Row of a query sent in a batch.
type oneRow struct {
	rows pgx.Rows
	err  error
}

// Scan reads the row into dest, as pgx's Row does: pgx.ErrNoRows if there
// is none.
func (r *oneRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}
