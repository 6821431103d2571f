package postgres_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: the
// conformance suite runs concurrent transactions, and every pool a test
// opens must be closed. One pgxpool goroutine is let through: after a
// connection is destroyed (the fault tests kill backends) the pool starts
// one that sleeps 500 ms, makes a non-blocking send and ends, even after
// Close; it is not a leak, only slower than goleak waits.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/jackc/pgx/v5/pgxpool.(*Pool).triggerHealthCheck.func1"))
}
