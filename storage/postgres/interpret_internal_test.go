package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
)

// TestInterpretError checks the classification of native errors into the
// storage sentinels, for the errors a live server is hard to make give.
func TestInterpretError(t *testing.T) {
	t.Parallel()
	pg := func(code string) error { return &pgconn.PgError{Severity: "FATAL", Code: code, Message: code} }
	opErr := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	cases := []struct {
		name string
		err  error
		want error // nil: none of the sentinels
	}{
		{"no rows", pgx.ErrNoRows, storage.ErrNotFound},
		{"serialization failure", pg("40001"), storage.ErrConflict},
		{"deadlock", pg("40P01"), storage.ErrConflict},
		{"lock not available", pg("55P03"), storage.ErrConflict},
		{"unique violation", pg("23505"), storage.ErrDuplicate},
		{"admin shutdown", pg("57P01"), storage.ErrUnavailable},
		{"crash shutdown", pg("57P02"), storage.ErrUnavailable},
		{"cannot connect now", pg("57P03"), storage.ErrUnavailable},
		{"connection exception", pg("08000"), storage.ErrUnavailable},
		{"connection does not exist", pg("08003"), storage.ErrUnavailable},
		{"connection failure", pg("08006"), storage.ErrUnavailable},
		{"network error", fmt.Errorf("failed to receive message: %w", opErr), storage.ErrUnavailable},
		{"unexpected EOF", fmt.Errorf("receive message: %w", io.ErrUnexpectedEOF), storage.ErrUnavailable},
		{"NUL or invalid UTF-8", pg("22021"), storage.ErrInvalidValue},
		{"\\u0000 in jsonb", pg("22P05"), storage.ErrInvalidValue},
		{"syntax error", pg("42601"), nil},
		{"check violation", pg("23514"), nil},
		{"query cancelled", pg("57014"), nil},
		{"context cancelled", context.Canceled, nil},
		{"deadline", fmt.Errorf("timeout: %w", context.DeadlineExceeded), nil},
		{"plain", errors.New("boom"), nil},
	}
	sentinels := []error{storage.ErrNotFound, storage.ErrConflict, storage.ErrDuplicate, storage.ErrUnavailable,
		storage.ErrInvalidValue}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := interpretError("op", c.err)
			if c.want != storage.ErrNotFound {
				require.ErrorIs(t, got, c.err, "the native error stays in the chain")
			}
			for _, s := range sentinels {
				require.Equal(t, s == c.want, errors.Is(got, s), "%v matches %v", got, s)
			}
		})
	}
	require.NoError(t, interpretError("op", nil))
}
