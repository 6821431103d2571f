package storeflag_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/examples/internal/storeflag"
	"github.com/ordersmith/oms/storage/memory"
	"github.com/ordersmith/oms/storage/sqlite"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	for _, tt := range []struct {
		spec string
		want any
	}{
		{"", &memory.Store{}},
		{"memory", &memory.Store{}},
		{filepath.Join(dir, "a.db"), &sqlite.Store{}},
		{"sqlite:" + filepath.Join(dir, "b.db"), &sqlite.Store{}},
	} {
		s, closeStore, err := storeflag.Open(ctx, tt.spec)
		require.NoError(t, err, tt.spec)
		assert.IsType(t, tt.want, s, tt.spec)
		closeStore()
	}
	assert.FileExists(t, filepath.Join(dir, "b.db"))

	_, _, err := storeflag.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	assert.ErrorContains(t, err, "open PostgreSQL")
}

func TestIsPostgres(t *testing.T) {
	t.Parallel()
	for spec, want := range map[string]bool{
		"postgres://u@h/db": true, "postgresql://u@h/db": true,
		"memory": false, "oms.db": false, "sqlite:postgres.db": false,
	} {
		assert.Equal(t, want, storeflag.IsPostgres(spec), spec)
	}
}
