// Package storeflag opens the store that an example program's -store flag
// names, so that every example accepts the same values:
//
//	-store memory                                   # the in-memory store (the default)
//	-store oms.db                                   # a SQLite file (an optional "sqlite:" prefix is dropped)
//	-store postgres://user@host:5432/db             # a PostgreSQL database, schema "oms"
package storeflag

import (
	"context"
	"fmt"
	"strings"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
	"github.com/ordersmith/oms/storage/postgres"
	"github.com/ordersmith/oms/storage/sqlite"
)

// Open opens the store that spec names: "memory" (or empty) for a fresh
// in-memory store, a PostgreSQL URL (postgres:// or postgresql://) for a
// PostgreSQL store with its own connection pool, or otherwise the path of a
// SQLite file (an optional "sqlite:" prefix is dropped). The SQL stores
// apply their migrations when they open. The returned function closes the
// store; call it once, when done.
//
// It returns an error when the database cannot be opened or migrated.
func Open(ctx context.Context, spec string) (storage.Store, func(), error) {
	switch {
	case spec == "" || spec == "memory":
		return memory.New(), func() {}, nil
	case IsPostgres(spec):
		s, err := postgres.Open(ctx, postgres.Config{URL: spec})
		if err != nil {
			return nil, nil, fmt.Errorf("open PostgreSQL: %w", err)
		}
		return s, s.Close, nil
	default:
		path := strings.TrimPrefix(spec, "sqlite:")
		s, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			return nil, nil, fmt.Errorf("open SQLite file %s: %w", path, err)
		}
		return s, func() { _ = s.Close() }, nil
	}
}

// IsPostgres reports whether spec names a PostgreSQL database, which Open
// opens with a connection pool of its own each time it is called.
func IsPostgres(spec string) bool {
	return strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://")
}
