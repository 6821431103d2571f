package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the statement cache: the fixed statements of
// the adapter, and the multi-row ones for the row counts seen first. A
// statement past the bound is compiled for each execution, as without the
// cache.
const maxCachedStatements = 512

// stmtCache keeps the store's statements prepared, by their text: the
// driver otherwise compiles a statement on every execution, which was a
// fifth of a placement's time. database/sql prepares a cached statement
// once on each connection it runs on and keeps it there.
//
// A statement is first prepared on a connection of the pool other than the
// transaction's, so the cache is off for a ":memory:" store, whose pool
// has its one connection only: preparing there would wait for the
// transaction that waits for it.
type stmtCache struct {
	db     *sql.DB
	off    bool
	mu     sync.RWMutex
	prep   sync.Mutex
	byText map[string]*sql.Stmt
}

// get returns the prepared statement of query, preparing it the first
// time, or nil when the cache is full or the statement does not prepare
// (the caller then runs the text, which reports the error). The lock is
// not held while preparing: that waits for a free connection, which
// another transaction may hold while it waits for the cache.
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c.off {
		return nil
	}
	c.mu.RLock()
	st, ok := c.byText[query]
	full := len(c.byText) >= maxCachedStatements
	c.mu.RUnlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	// One statement is prepared at a time: the pool keeps one connection
	// beyond the transactions' for it (see Store.readers).
	c.prep.Lock()
	st, err := c.db.PrepareContext(ctx, query)
	c.prep.Unlock()
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.byText[query]; ok {
		_ = st.Close()
		return prev
	}
	if len(c.byText) >= maxCachedStatements {
		_ = st.Close()
		return nil
	}
	if c.byText == nil {
		c.byText = make(map[string]*sql.Stmt)
	}
	c.byText[query] = st
	return st
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.byText {
		_ = st.Close()
	}
	c.byText = nil
}

// exec runs query in the transaction's write transaction, taking the
// write lock first if the transaction does not hold it yet, prepared once
// through the cache. The statement runs with a context that is never
// done once ctx was not done when it began: the write transaction may be
// shared, and an interrupted write would roll all of it back.
func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	w, err := t.writer(ctx)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := t.flush(); err != nil {
		return nil, err
	}
	return t.run(w, query, args...)
}

// run runs query on w, the write transaction, prepared once through the
// cache, with a context that is never done (see exec).
func (t *tx) run(w *sql.Tx, query string, args ...any) (sql.Result, error) {
	t.store.traced(query)
	if st := t.stmts.get(t.wctx, query); st != nil {
		return w.StmtContext(t.wctx, st).ExecContext(t.wctx, args...)
	}
	return w.ExecContext(t.wctx, query, args...)
}

// query runs query in the transaction, prepared once through the cache:
// on the write transaction once there is one (with a context never done,
// as exec), else on the read one.
func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r, err := t.reader()
	if err != nil {
		return nil, err
	}
	if r == t.sql {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := t.flush(); err != nil {
			return nil, err
		}
		ctx = t.wctx
	}
	t.store.traced(query)
	if st := t.stmts.get(ctx, query); st != nil {
		return r.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return r.QueryContext(ctx, query, args...)
}

// queryRow runs query in the transaction as query does, for one row.
func (t *tx) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	r, err := t.reader()
	if err != nil {
		return errRow{err}
	}
	if r == t.sql {
		if err := ctx.Err(); err != nil {
			return errRow{err}
		}
		if err := t.flush(); err != nil {
			return errRow{err}
		}
		ctx = t.wctx
	}
	t.store.traced(query)
	if st := t.stmts.get(ctx, query); st != nil {
		return r.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return r.QueryRowContext(ctx, query, args...)
}

// errRow is a row whose query could not run.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// reader returns the SQLite transaction reads run on: the write
// transaction once there is one or a write is queued (see queue), else
// the read transaction, begun (as a deferred, read-only BEGIN on a
// connection of the pool) at the first read.
func (t *tx) reader() (*sql.Tx, error) {
	if t.sql == nil && len(t.queued) > 0 {
		// The read must see the queued writes.
		if _, err := t.writer(t.ctx); err != nil {
			return nil, err
		}
	}
	if t.sql != nil {
		return t.sql, nil
	}
	if t.read == nil {
		select {
		case t.store.readers <- struct{}{}:
		case <-t.ctx.Done():
			return nil, t.ctx.Err()
		}
		t.store.traced("BEGIN READ")
		r, err := t.store.db.BeginTx(t.ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			<-t.store.readers
			if t.ctx.Err() != nil {
				return nil, t.ctx.Err()
			}
			return nil, interpretError(err, "tx: begin read")
		}
		t.read = r
	}
	return t.read, nil
}

// writer returns the write transaction, entering it at the first write:
// it ends the read transaction, forgets what was read under it, waits for
// the Store's write slot (as long as ctx allows) and joins the group left
// open for it or begins an immediate transaction, which takes the
// database's write lock.
func (t *tx) writer(ctx context.Context) (*sql.Tx, error) {
	if t.sql != nil {
		return t.sql, t.lost
	}
	t.endRead()
	t.levels = nil
	if err := t.store.lock(ctx, "tx", 0); err != nil {
		return nil, err
	}
	if err := t.join(); err != nil {
		if t.ctx.Err() != nil {
			return nil, t.ctx.Err()
		}
		return nil, err
	}
	return t.sql, t.lost
}

// endRead ends the read transaction, if one is open.
func (t *tx) endRead() {
	if t.read != nil {
		_ = t.read.Rollback()
		t.read = nil
		<-t.store.readers
	}
}

// traced passes query to the Store's trace, if it has one.
func (s *Store) traced(query string) {
	if s.trace != nil {
		s.trace(query)
	}
}
