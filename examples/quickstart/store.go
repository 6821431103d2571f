package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/openoms/oms/storage"
	"github.com/openoms/oms/storage/memory"
	"github.com/openoms/oms/storage/postgres"
	"github.com/openoms/oms/storage/sqlite"
)

// openStore opens the store the -store flag names: "memory", a PostgreSQL
// URL (postgres://...), or otherwise the path of a SQLite file (an optional
// "sqlite:" prefix is dropped). The returned function closes it.
func openStore(ctx context.Context, spec string) (storage.Store, func(), error) {
	switch {
	case spec == "" || spec == "memory":
		return memory.New(), func() {}, nil
	case strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://"):
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
