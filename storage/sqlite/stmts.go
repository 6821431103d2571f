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
	byText map[string]*sql.Stmt
}

// get returns the prepared statement of query, preparing it the first
// time, or nil when the cache is full or the statement does not prepare
// (the caller then runs the text, which reports the error).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c.off {
		return nil
	}
	c.mu.RLock()
	st, ok := c.byText[query]
	c.mu.RUnlock()
	if ok {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.byText[query]; ok {
		return st
	}
	if len(c.byText) >= maxCachedStatements {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
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

// exec runs query in the transaction, prepared once through the cache.
func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmts.get(ctx, query); st != nil {
		return t.sql.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.sql.ExecContext(ctx, query, args...)
}

// query runs query in the transaction, prepared once through the cache.
func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmts.get(ctx, query); st != nil {
		return t.sql.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.sql.QueryContext(ctx, query, args...)
}

// queryRow runs query in the transaction, prepared once through the
// cache.
func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmts.get(ctx, query); st != nil {
		return t.sql.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.sql.QueryRowContext(ctx, query, args...)
}
