package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ordersmith/oms/storage"
)

// interpretError is the one place that classifies SQLite's errors into the
// storage sentinels, wrapping err with the operation described by format
// and args:
//
//   - sql.ErrNoRows → storage.ErrNotFound
//   - SQLITE_BUSY, SQLITE_LOCKED (any extended code) → storage.ErrConflict
//     (transient: another process held the lock too long; retry)
//   - a UNIQUE or PRIMARY KEY constraint violation → storage.ErrDuplicate
//
// Other errors are wrapped unchanged. I/O errors (SQLITE_IOERR,
// SQLITE_FULL, SQLITE_CANTOPEN) are deliberately not storage.ErrUnavailable:
// the database is a local file, and a failing disk is not a connection
// that a retry may find restored.
func interpretError(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	op := fmt.Sprintf(format, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s: %w", op, storage.ErrNotFound)
	}
	if isLocked(err) {
		return fmt.Errorf("sqlite: %s: %w: %w", op, storage.ErrConflict, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		if code := se.Code(); code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
			return fmt.Errorf("sqlite: %s: %w: %w", op, storage.ErrDuplicate, err)
		}
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// isLocked reports whether err is, or wraps, SQLite's SQLITE_BUSY or
// SQLITE_LOCKED (any extended code): another connection held a lock.
func isLocked(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}
