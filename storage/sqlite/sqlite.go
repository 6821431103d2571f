package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/ordersmith/oms/internal/gencache"
	"github.com/ordersmith/oms/storage"
)

// DefaultBusyTimeout is how long a transaction waits for another process's
// write lock when Options.BusyTimeout is zero.
const DefaultBusyTimeout = 5 * time.Second

// Options configures a Store. The zero value works.
type Options struct {
	// BusyTimeout is how long a transaction waits for the write lock held by
	// another process (or another Store on the same file) before it fails
	// with storage.ErrConflict. Zero means DefaultBusyTimeout.
	BusyTimeout time.Duration
}

// Store is a storage.Store kept in one SQLite database. It is safe for
// concurrent use. On a database file, a transaction reads on a snapshot of
// its own, beside the other transactions, until its first write; it then
// takes the database's write lock (BEGIN IMMEDIATE), which writers of this
// Store take one at a time, and holds it until it ends. Other processes
// and other Stores opened on the same file wait for the lock up to
// Options.BusyTimeout. An in-memory database runs every transaction under
// the write lock from its start.
type Store struct {
	db *sql.DB
	// writer, on a database file, is the connection every write
	// transaction runs on, taken from db's pool for the Store's life: as
	// the only connection that writes, it finds its page cache current at
	// each BEGIN, where a connection of the pool found it reset by the
	// other connections' commits and read the pages again.
	writer *sql.Conn
	stmts  *stmtCache
	// rows remembers what committed transactions wrote of recent
	// aggregates, so that updating them writes only what changed.
	rows   *gencache.Cache[rowKey, storedRow]
	memory bool
	busy   time.Duration
	// sem is the write slot: it serializes the writing part of
	// transactions within the process; a buffered channel rather than a
	// sync.Mutex so that waiting honours the context.
	sem chan struct{}
	// readers holds a token for every open read transaction: they are
	// at most three fewer than the pool's connections, so that the
	// writer, the checkpointer and the statement cache, which prepares on
	// a connection of its own, always find one.
	readers chan struct{}
	// mu guards waiting and open.
	mu sync.Mutex
	// waiting counts the writers waiting for the write slot.
	waiting int
	// open is the group (shared write transaction) that the last holder
	// of the write slot left open for the writers waiting for it; the
	// next holder takes it. It is set only while waiting is positive.
	open *group
	// commits counts group commits, under the write slot; every
	// checkpointEvery-th asks the checkpointer (on a database file) for a
	// checkpoint on checkpoints, which Close closes and then waits for
	// checkpointerDone.
	commits          int
	checkpoints      chan struct{}
	checkpointerDone chan struct{}
	// trace, when set (by tests, before the first transaction), is called
	// with the text of every statement a transaction runs, and with
	// "BEGIN", "BEGIN READ" and "COMMIT" for the SQLite transactions the
	// Store begins and commits for them.
	trace func(query string)
}

var _ storage.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the schema migrations, named NNNN_name.sql and applied
// in name order. Open applies them itself; they are exposed for hosts that
// prefer to run them with their own migration tool.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// Open opens the SQLite database at path, creating it if needed, and brings
// its schema up to date. The path ":memory:" opens a private in-memory
// database that lives until Close. A path may also be a "file:" URI (one
// with mode=memory is in-memory too); a plain path may not contain '?'.
// A database file uses write-ahead logging, so several processes may open
// it at once; each sees what the others committed.
//
// Open returns an error if the database cannot be opened or a migration
// fails.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	memory := path == ":memory:" || path == "file::memory:" ||
		(strings.HasPrefix(path, "file:") && strings.Contains(path, "mode=memory"))
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if !memory {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		// Savepoints (one per transaction sharing a write transaction)
		// journal the pages they change in memory, not in a temporary
		// file.
		q.Add("_pragma", "temp_store(MEMORY)")
		// The Store checkpoints beside its writers (see checkpointer).
		q.Add("_pragma", "wal_autocheckpoint(0)")
	}
	q.Set("_txlock", "immediate")

	var dsn string
	switch {
	case strings.HasPrefix(path, "file:"):
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		dsn = path + sep + q.Encode()
	case strings.Contains(path, "?"):
		return nil, fmt.Errorf("sqlite: open %q: a plain path may not contain '?'; use a file: URI", path)
	default:
		dsn = path + "?" + q.Encode()
	}

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	// Writers are serialized by sem, so one connection serves them; a file
	// database keeps more for the reads transactions make before their
	// first write (readers of them), the statement cache's preparing, the
	// checkpointer and the outbox relay's lock-free reads.
	// ":memory:" must keep exactly one, as each connection would open its
	// own empty database.
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	conns := 3 + readers
	if memory {
		readers, conns = 0, 1
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)

	s := &Store{db: db, stmts: &stmtCache{db: db, off: memory}, memory: memory, busy: busy, sem: make(chan struct{}, 1), rows: newRowCache(),
		readers: make(chan struct{}, readers)}
	until := time.Now().Add(busy)
	if !memory {
		err := retryLocked(ctx, until, func() error {
			var err error
			s.writer, err = db.Conn(ctx)
			return err
		})
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
		}
	}
	if err := retryLocked(ctx, until, func() error { return s.migrate(ctx) }); err != nil {
		s.closeWriter()
		db.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	s.checkpoints = make(chan struct{}, 1)
	if !memory {
		s.checkpointerDone = make(chan struct{})
		go s.checkpointer(s.checkpointerDone)
	}
	return s, nil
}

// retryLocked runs do, and again while it fails for a lock, until it
// succeeds, fails otherwise or until has passed. Openers of a new database
// file race to create it and switch it to WAL mode (which every new
// connection's pragmas ask for), and SQLite then reports SQLITE_BUSY at
// once rather than waiting for the busy timeout.
func retryLocked(ctx context.Context, until time.Time, do func() error) error {
	for attempt := 1; ; attempt++ {
		err := do()
		if err == nil || !isLocked(err) || time.Now().After(until) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(min(attempt, 20)) * time.Millisecond):
		}
	}
}

// Close closes the database. Call it once the Store's last transaction has
// returned; a Store is unusable afterwards.
func (s *Store) Close() error {
	close(s.checkpoints)
	if s.checkpointerDone != nil {
		<-s.checkpointerDone
	}
	s.stmts.close()
	s.closeWriter()
	return s.db.Close()
}

// closeWriter returns the writer connection, if any, to the pool.
func (s *Store) closeWriter() {
	if s.writer != nil {
		_ = s.writer.Close()
	}
}

// begin begins a write transaction (BEGIN IMMEDIATE) on the writer
// connection, or on a connection of the pool for an in-memory database;
// the caller holds the write slot.
func (s *Store) begin(ctx context.Context) (*sql.Tx, error) {
	if s.writer != nil {
		return s.writer.BeginTx(ctx, nil)
	}
	return s.db.BeginTx(ctx, nil)
}

// lock acquires the Store's write slot, or fails when ctx ends first or,
// if wait is positive, with ErrConflict after wait. A caller that waits
// is counted in waiting, so that the slot's holder leaves its group open
// for it; one that gives up commits that group if the slot is free, as
// no other waiter may be left to take it.
func (s *Store) lock(ctx context.Context, op string, wait time.Duration) error {
	select {
	case s.sem <- struct{}{}:
		return nil
	default:
	}
	s.mu.Lock()
	s.waiting++
	s.mu.Unlock()
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	var err error
	select {
	case s.sem <- struct{}{}:
		s.mu.Lock()
		s.waiting--
		s.mu.Unlock()
		return nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-timeout:
		err = fmt.Errorf("sqlite: %s: another transaction of this store held the lock for %v: %w", op, wait, storage.ErrConflict)
	}
	s.mu.Lock()
	s.waiting--
	var g *group
	if s.open != nil {
		select {
		case s.sem <- struct{}{}:
			g, s.open = s.open, nil
		default: // the slot's holder ends the group
		}
	}
	s.mu.Unlock()
	if g != nil {
		s.commit(g)
		s.unlock()
	}
	return err
}

func (s *Store) unlock() { <-s.sem }

// withTx runs fn in one BEGIN IMMEDIATE transaction holding the Store's
// transaction slot, waiting for the slot until ctx ends or, if wait is
// positive, at most wait (then ErrConflict). fn's error is returned unchanged; errors beginning or
// committing are classified by interpretError. The undo functions
// registered on the returned value run when the transaction does not
// commit.
func (s *Store) withTx(ctx context.Context, op string, wait time.Duration, fn func(*sql.Tx, *undoLog) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.lock(ctx, op, wait); err != nil {
		return err
	}
	defer s.unlock()
	s.flushOpen()

	sqlTx, err := s.begin(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return interpretError(err, "%s: begin", op)
	}
	undo := &undoLog{}
	committed := false
	defer func() {
		if !committed {
			_ = sqlTx.Rollback()
			undo.run()
		}
	}()
	if err := fn(sqlTx, undo); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return interpretError(err, "%s: commit", op)
	}
	committed = true
	return nil
}

// undoLog restores in-memory state the caller passed in (aggregate
// versions) when a transaction does not commit.
type undoLog struct{ fns []func() }

func (u *undoLog) add(f func()) { u.fns = append(u.fns, f) }

func (u *undoLog) run() {
	for i := len(u.fns) - 1; i >= 0; i-- {
		u.fns[i]()
	}
	u.fns = nil
}

// Tx runs fn in one transaction scoped to tenant. When fn returns an error
// or panics the transaction rolls back, the Versions that repositories
// bumped on the caller's aggregates are restored, and fn's error is
// returned unchanged.
//
// On a database file the transaction is not serializable, as PostgreSQL's
// READ COMMITTED is not: until its first write it reads a snapshot on a
// connection of its own, beside other transactions, and its first write
// takes the write lock (waiting for this Store's other writers), after
// which every read sees the newest committed rows and its own writes. The
// invariants rest on the writes being conditional: an aggregate Update is
// conditional on the version the caller holds (storage.ErrConflict if
// another transaction wrote it since), a stock movement reads its level
// under the write lock before it changes it, and unique keys (IDs,
// location codes, idempotency keys, event IDs) are unique indexes. A
// transaction that only reads never takes the write lock. An in-memory
// database takes the write lock at the start of every transaction, so
// there everything fn reads stays current until it returns.
//
// Tx returns an error wrapping storage.ErrConflict when the write lock
// could not be had within Options.BusyTimeout or the commit failed for a
// lock; the caller may retry.
func (s *Store) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	if tenant == "" {
		return errors.New("sqlite: empty tenant")
	}
	if s.memory {
		var t *tx
		err := s.withTx(ctx, "tx", 0, func(sqlTx *sql.Tx, undo *undoLog) error {
			t = &tx{store: s, ctx: ctx, wctx: context.WithoutCancel(ctx), sql: sqlTx, stmts: s.stmts, tenant: tenant, undo: undo}
			if err := fn(t); err != nil {
				return err
			}
			return t.flush()
		})
		if err == nil {
			t.committed()
		}
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t := &tx{store: s, ctx: ctx, stmts: s.stmts, tenant: tenant, undo: &undoLog{}}
	ended := false
	defer func() {
		if !ended { // fn panicked
			_ = t.end(false)
		}
	}()
	err := fn(t)
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = t.flush()
	}
	ended = true
	if endErr := t.end(err == nil); err == nil {
		err = endErr
	}
	if err == nil {
		t.committed()
	}
	return err
}

// Outbox returns the relay side of the outbox, shared by all tenants.
func (s *Store) Outbox() storage.OutboxRelay { return (*relay)(s) }

// migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in order, all in one immediate transaction so that
// concurrent openers apply each migration once.
func (s *Store) migrate(ctx context.Context) error {
	files, err := fs.Glob(Migrations(), "*.sql")
	if err != nil {
		return err
	}
	type migration struct {
		version int
		name    string
	}
	var todo []migration
	for _, name := range files {
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return fmt.Errorf("migration %q: name must start with a positive number and '_'", name)
		}
		todo = append(todo, migration{version: v, name: name})
	}
	slices.SortFunc(todo, func(a, b migration) int { return a.version - b.version })

	return s.withTx(ctx, "migrate", 0, func(t *sql.Tx, _ *undoLog) error {
		if _, err := t.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at TEXT NOT NULL
		)`); err != nil {
			return interpretError(err, "migrate: schema_migrations")
		}
		applied := map[int]bool{}
		rows, err := t.QueryContext(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return interpretError(err, "migrate: read versions")
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return interpretError(err, "migrate: read versions")
			}
			applied[v] = true
		}
		if err := rows.Close(); err != nil {
			return interpretError(err, "migrate: read versions")
		}
		for _, m := range todo {
			if applied[m.version] {
				continue
			}
			body, err := fs.ReadFile(Migrations(), path.Clean(m.name))
			if err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, string(body)); err != nil {
				return interpretError(err, "migrate: apply %s", m.name)
			}
			if _, err := t.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, formatTime(time.Now())); err != nil {
				return interpretError(err, "migrate: record %s", m.name)
			}
		}
		return nil
	})
}
