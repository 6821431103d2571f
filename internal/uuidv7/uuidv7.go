package uuidv7

import (
	"crypto/rand"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Generator makes version 7 UUIDs: 48 bits of Unix milliseconds, a 12-bit
// counter that orders the IDs of one millisecond (RFC 9562, method 1), and
// 62 random bits from crypto/rand, read in blocks. The IDs of one Generator
// are strictly increasing, also when the clock stands still or steps back.
// The zero value is ready to use, and a Generator is safe for concurrent use.
type Generator struct {
	mu     sync.Mutex
	lastMS int64  // the millisecond of the last ID
	seq    uint16 // the counter of the last ID, below 1<<12
	random [512]byte
	used   int // bytes of random handed out; len(random) when none left
	filled bool
}

// New returns the next ID. It panics only if the system's random source
// fails, as uuid.Must(uuid.NewV7()) does.
func (g *Generator) New() uuid.UUID {
	// Read before the lock, so that callers do not queue for the clock: a
	// millisecond older than the last ID's is counted on from that one.
	ms := time.Now().UnixMilli()
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case ms > g.lastMS:
		g.lastMS, g.seq = ms, 0
	case g.seq < 1<<12-1:
		g.seq++ // the same millisecond, or the clock stepped back
	default:
		g.lastMS, g.seq = g.lastMS+1, 0 // the counter ran out: borrow the next millisecond
	}
	if !g.filled || g.used+8 > len(g.random) {
		if _, err := rand.Read(g.random[:]); err != nil {
			panic("uuidv7: reading random bytes: " + err.Error())
		}
		g.used, g.filled = 0, true
	}
	r := g.random[g.used : g.used+8]
	g.used += 8

	var u uuid.UUID
	t := uint64(g.lastMS)
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(t>>40), byte(t>>32), byte(t>>24), byte(t>>16), byte(t>>8), byte(t)
	u[6] = 0x70 | byte(g.seq>>8) // version 7
	u[7] = byte(g.seq)
	u[8] = 0x80 | r[0]&0x3f // variant 10
	copy(u[9:], r[1:])
	return u
}
