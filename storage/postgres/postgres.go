package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ordersmith/oms/internal/gencache"
	"github.com/ordersmith/oms/storage"
)

// DefaultSchema is the PostgreSQL schema holding the tables when
// Config.Schema is empty.
const DefaultSchema = "oms"

// Config configures Open. Its zero value is not enough: set Pool or URL.
type Config struct {
	// Pool is used when set; otherwise URL is parsed with pgxpool.ParseConfig
	// and a pool is opened (and closed by Close).
	Pool *pgxpool.Pool
	// URL is a PostgreSQL connection string, used when Pool is nil.
	URL string
	// Schema is the PostgreSQL schema holding the tables; default "oms".
	// Created if missing (unless SkipMigrations is set).
	Schema string
	// SkipMigrations leaves the schema alone (the host runs Migrations()
	// with its own tool).
	SkipMigrations bool
}

// Store is a storage.Store backed by PostgreSQL. It is safe for concurrent
// use, and several processes may share one database and schema.
type Store struct {
	pool     *pgxpool.Pool
	ownsPool bool
	schema   string // the schema's sanitized identifier
	// lockSpace seeds the advisory-lock keys of this schema.
	lockSpace string
	q         *queries
	// lines remembers the order lines of committed transactions.
	lines *gencache.Cache[lineKey, storedLines]
}

var _ storage.Store = (*Store)(nil)

// Open connects to PostgreSQL and, unless cfg.SkipMigrations is set,
// creates the schema if missing and applies the migrations it has not
// applied yet. Opening from several processes at once is safe: migrations
// run under a transaction-scoped advisory lock.
//
// It returns an error when neither Pool nor URL is set, when URL does not
// parse, or when PostgreSQL cannot be reached or migrated.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	schema := cfg.Schema
	if schema == "" {
		schema = DefaultSchema
	}
	pool, owns := cfg.Pool, false
	if pool == nil {
		if cfg.URL == "" {
			return nil, errors.New("postgres: open: Config needs a Pool or a URL")
		}
		pc, err := pgxpool.ParseConfig(cfg.URL)
		if err != nil {
			return nil, fmt.Errorf("postgres: open: %w", err)
		}
		pool, err = pgxpool.NewWithConfig(ctx, pc)
		if err != nil {
			return nil, fmt.Errorf("postgres: open: %w", err)
		}
		owns = true
	}
	s := &Store{
		pool:      pool,
		ownsPool:  owns,
		schema:    pgx.Identifier{schema}.Sanitize(),
		lockSpace: "ordersmith:" + schema + ":",
		q:         newQueries(schema),
		lines:     newLineCache(),
	}
	if !cfg.SkipMigrations {
		if err := s.migrate(ctx, schema); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the pool if Open opened it; a pool passed in Config.Pool is
// left open for its owner.
func (s *Store) Close() {
	if s.ownsPool {
		s.pool.Close()
	}
}

// Tx runs fn in one PostgreSQL transaction scoped to tenant, and commits it
// when fn returns nil. When fn returns an error or panics, the transaction
// is rolled back, the Versions that fn's Creates and Updates set are
// restored, and the error is returned unchanged (or the panic resumed).
//
// Transactions run at READ COMMITTED. That is not serializable: a
// transaction that decides from rows it only read (other shipments, other
// returns) can commit beside one that changed them. The caller must make
// such decisions conflict by writing a row both sides write; the oms.Engine
// writes the order's row (bumping its version) in every step that decides
// from the order's other aggregates. Within that, the store keeps the
// invariants itself:
//   - an aggregate Update is one conditional UPDATE ... WHERE version = old;
//     PostgreSQL re-checks the condition on the newest committed row after
//     waiting for a concurrent writer, so of two writers of one version only
//     the first succeeds and the other gets storage.ErrConflict;
//   - a stock movement is one conditional UPDATE (or upsert) whose WHERE
//     re-checks the bounds against the newest row, so stock is never
//     oversold, and a CHECK constraint backs it up; on levels the
//     transaction locked (GetItems reads them ahead FOR UPDATE), the
//     bounds are checked against the locked values, and the UPDATE is
//     conditional on the versions locked;
//   - unique keys (IDs, location codes, idempotency keys, event IDs) are
//     enforced by unique indexes;
//   - events appended for one aggregate take a transaction-scoped advisory
//     lock on it, so their Sequence order is their commit order.
//
// The transaction is sent in few round trips (see pipe): BEGIN rides with
// the first statement; writes are queued and sent with the next statement
// or with the COMMIT, in one pipelined batch: aggregate Creates and
// Updates (with order lines, which an Update skips when they did not
// change), reservations, outbox events, the ledger, the Put of an
// idempotency key the transaction found absent, and the stock changes of
// levels the transaction holds locked (Prefetch and GetItems lock the
// stock levels of their SKUs, see readAheadAll). Each queued write fails on the server when
// it fails at all: an existing ID is a unique violation (ErrDuplicate), a
// stale or missing aggregate raises an error of expect_rows (ErrConflict,
// ErrNotFound), a key inserted concurrently is ErrDuplicate and
// ErrConflict. So such an error is returned by the statement the write
// rode with, or by Tx at the commit, rather than by the call that queued
// it, and so is every later statement's: nothing of the transaction is
// kept. A caller that must branch on one of those errors inside fn (the
// engine does not) sees it at its next read.
//
// A commit that fails with a serialization failure or deadlock returns an
// error wrapping storage.ErrConflict; one whose connection could not be
// made or was lost (a failover, a restart) returns an error wrapping
// storage.ErrUnavailable, as does every statement of fn that meets it. The
// caller may retry the whole fn on either; the pool replaces dead
// connections.
func (s *Store) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) (err error) {
	if tenant == "" {
		return errors.New("postgres: empty tenant")
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return interpretError("begin", err)
	}
	defer conn.Release()
	useUUIDCodec(conn.Conn().TypeMap())
	pg := &pipe{c: conn}
	t := &tx{s: s, pg: pg, tenant: tenant}
	done := false
	defer func() {
		if done {
			return
		}
		// fn panicked (undo, then resume the panic) or called
		// runtime.Goexit, as t.FailNow does (undo only).
		p := recover()
		pg.rollback(context.WithoutCancel(ctx))
		t.restore()
		if p != nil {
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		done = true
		pg.rollback(context.WithoutCancel(ctx))
		t.restore()
		return err
	}
	done = true
	if err := pg.commit(ctx); err != nil {
		pg.rollback(context.WithoutCancel(ctx))
		t.restore()
		return err
	}
	if len(t.lines) > 0 {
		for id, l := range t.lines {
			s.lines.Put(lineKey{tenant, id}, l)
		}
	}
	return nil
}

// Outbox returns the relay side of the outbox, shared by all tenants.
func (s *Store) Outbox() storage.OutboxRelay { return (*relay)(s) }

// inTx runs fn in a READ COMMITTED transaction of its own, for the relay
// and migrations.
func (s *Store) inTx(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	pg, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return interpretError(op, err)
	}
	defer func() { _ = pg.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(pg); err != nil {
		return err
	}
	return interpretError(op, pg.Commit(ctx))
}

// lockKey returns the advisory-lock key of name within this schema.
func (s *Store) lockKey(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s.lockSpace))
	_, _ = h.Write([]byte(name))
	return int64(h.Sum64())
}

// The SQLSTATEs that expect_rows (migration 0004) raises.
const (
	// sqlStateStale: a conditional write found its row changed meanwhile.
	sqlStateStale = "OMS01"
	// sqlStateAbsent: the row a write was to change does not exist.
	sqlStateAbsent = "OMS02"
)

// interpretError translates a PostgreSQL or pgx error into the storage
// sentinels, wrapped with op:
//   - no rows → storage.ErrNotFound;
//   - serialization failure (40001), deadlock (40P01) or lock timeout
//     (55P03) → storage.ErrConflict;
//   - unique violation (23505) → storage.ErrDuplicate;
//   - a failed check of a queued write (see expect_rows, migration 0004):
//     OMS01, a row changed meanwhile → storage.ErrConflict; OMS02, the
//     row is absent → storage.ErrNotFound;
//   - text PostgreSQL cannot hold, a NUL byte or invalid UTF-8 (22021
//     character_not_in_repertoire, 22P05 untranslatable_character, as
//     jsonb reports \u0000, as a host's own jsonb column may) → storage.ErrInvalidValue;
//   - a lost or refused connection → storage.ErrUnavailable: the server
//     shutting down or restarting (57P01 admin_shutdown, 57P02
//     crash_shutdown, 57P03 cannot_connect_now), a connection exception
//     (class 08), a failed connection attempt, a network error or EOF, and
//     pgconn's errors raised before anything was sent ("conn closed").
//
// A cancelled context or a passed deadline is wrapped as it is, not as
// unavailable: the caller ended the wait. Other errors are wrapped as they
// are. It returns nil for a nil err.
func interpretError(op string, err error) error {
	if err == nil {
		return nil
	}
	var lost *lostError
	if errors.As(err, &lost) {
		// A queued write's failure, classified when it came back.
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", op, storage.ErrNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "40001", pgErr.Code == "40P01", pgErr.Code == "55P03":
			// serialization_failure, deadlock_detected, lock_not_available
			return fmt.Errorf("postgres: %s: %w: %w", op, storage.ErrConflict, err)
		case pgErr.Code == "23505": // unique_violation
			return fmt.Errorf("postgres: %s: %w: %w", op, storage.ErrDuplicate, err)
		case pgErr.Code == sqlStateStale:
			return fmt.Errorf("postgres: %s: %w: %w", op, storage.ErrConflict, err)
		case pgErr.Code == sqlStateAbsent:
			return fmt.Errorf("postgres: %s: %w: %w", op, storage.ErrNotFound, err)
		case pgErr.Code == "22021", pgErr.Code == "22P05":
			// character_not_in_repertoire, untranslatable_character
			return fmt.Errorf("postgres: %s: %w: %w", op, storage.ErrInvalidValue, err)
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03",
			strings.HasPrefix(pgErr.Code, "08"):
			return fmt.Errorf("postgres: %s: %w: %w", op, storage.ErrUnavailable, err)
		}
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	if connectionLost(err) {
		return fmt.Errorf("postgres: %s: %w: %w", op, storage.ErrUnavailable, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// connectionLost reports whether err, which is not a server's error
// report, says the connection could not be made or was lost.
func connectionLost(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var (
		connectErr *pgconn.ConnectError
		netErr     net.Error
	)
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		// pgconn's own "conn closed" (and any error raised before a
		// statement was sent) says so.
		pgconn.SafeToRetry(err)
}

// tableNames are the tables and functions of the schema, in the {name}
// form the query templates use.
var tableNames = []string{
	"orders", "order_lines", "payments", "fulfillments", "shipments", "returns",
	"items", "locations", "stock_levels", "reservations", "stock_movements",
	"outbox", "idempotency_keys", "schema_migrations",
	"expect_rows",                               // migration 0004
	"order_status_group", "order_status_groups", // migration 0005
}

// tableReplacer returns a replacer of each {table} (or {function}) by its
// schema-qualified, sanitized identifier.
func tableReplacer(schema string) *strings.Replacer {
	var pairs []string
	for _, n := range tableNames {
		pairs = append(pairs, "{"+n+"}", pgx.Identifier{schema, n}.Sanitize())
	}
	return strings.NewReplacer(pairs...)
}
