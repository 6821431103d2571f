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
)
