package sqlite

import (
	"context"
	"database/sql"
)

// checkpointEvery is how many group commits pass between two checkpoints
// on a database file: a placement's commit adds some 30 to 60 pages to the
// log, so about as often as SQLite's own automatic checkpoint (every
// 1,000 pages of log) would run.
const checkpointEvery = 24

// checkpointForceFrames is the log size, in frames, past which the
// checkpointer takes the write slot for its checkpoint: a checkpoint run
// beside the writers never finds the log all copied, so the log would not
// start over and would grow on under steady writes.
const checkpointForceFrames = 4000

// checkpointer copies the write-ahead log into the database file, on a
// connection of the pool, whenever a commit asks for it (on checkpoints),
// until checkpoints is closed. SQLite's automatic checkpoint is off on a
// database file: it runs inside the commit that fills the log, holding the
// write slot, where this one runs beside the writers. When the log has
// grown past checkpointForceFrames anyway, it checkpoints once more
// holding the write slot, with no group open, so that the next write
// starts the log over.
func (s *Store) checkpointer(done chan<- struct{}) {
	defer close(done)
	ctx := context.Background()
	for range s.checkpoints {
		frames, err := s.checkpoint(ctx, s.db)
		if err != nil || frames < checkpointForceFrames {
			continue
		}
		if err := s.lock(ctx, "checkpoint", 0); err != nil {
			continue
		}
		s.flushOpen()
		_, _ = s.checkpoint(ctx, s.db)
		s.unlock()
	}
}

// checkpoint runs a passive checkpoint and returns the frames in the log.
// Errors are not the callers' concern: the next checkpoint, or closing the
// database, copies what this one did not.
func (s *Store) checkpoint(ctx context.Context, db *sql.DB) (int64, error) {
	var busy, frames, copied int64
	err := db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	return frames, err
}
