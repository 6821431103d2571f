package storage

import "errors"

var (
	// ErrNotFound means the requested row does not exist for this tenant.
	ErrNotFound = errors.New("storage: not found")
	// ErrConflict means a write lost an optimistic-concurrency race: the
	// stored version differs from the one the caller read, or the database
	// aborted the transaction for serialization. It is transient: the whole
	// transaction may be retried.
	ErrConflict = errors.New("storage: conflict")
	// ErrDuplicate means a row with the same unique key already exists (an
	// aggregate ID, an idempotency key).
	ErrDuplicate = errors.New("storage: duplicate")
	// ErrUnavailable means the store could not be reached or lost the
	// connection (a database restarting, failing over or refusing
	// connections, a network error). It is transient: retrying the whole
	// transaction may succeed. When the connection was lost during the
	// commit itself, the transaction may or may not have committed, so a
	// retried operation must be idempotent.
	ErrUnavailable = errors.New("storage: unavailable")
	// ErrInvalidCursor means OrderFilter.Cursor is not a cursor the store
	// returned in OrderPage.Next. It is an invalid-argument error: the
	// request is wrong as it is, and retrying it fails again.
	ErrInvalidCursor = errors.New("storage: invalid cursor")
	// ErrInvalidValue means a value cannot be stored as it is: text with a
	// NUL byte or invalid UTF-8, which PostgreSQL refuses. It is an
	// invalid-argument error: retrying with the same value fails again.
	// Callers should validate input before it reaches the store; this is
	// the store's defense in depth. Stores that can hold such text (memory,
	// SQLite) store it.
	ErrInvalidValue = errors.New("storage: invalid value")
)
