package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ordersmith/oms/storage"
)

// maxGroup bounds how many transactions of a Store share one SQLite write
// transaction: each waits for the commit of the group it joined, so the
// bound is also the most transactions whose work a member waits for.
const maxGroup = 16

// group is one SQLite write transaction that transactions of a Store run
// in one after another, each in a savepoint of its own but the first, and
// that one COMMIT ends (group commit): a commit writes each page it
// changed to the log once, whether one transaction changed it or many, so
// that concurrent writers pay for one commit between them.
//
// The writer holding the Store's write slot (sem) owns the group. When it
// ends and other writers wait for the slot, it leaves the group open for
// them (Store.open) rather than committing; the last one commits. A
// transaction whose work is in the group returns once the group commits
// (or fails to: then with the commit's error, its work undone).
type group struct {
	sql *sql.Tx
	// size is how many transactions' work the group holds.
	size int
	// done is closed when the group has committed or rolled back; err is
	// then the outcome.
	done chan struct{}
	err  error
}

// commit commits the group and tells its members the outcome.
func (g *group) commit() {
	if err := g.sql.Commit(); err != nil {
		g.err = interpretError(err, "tx: commit")
	}
	close(g.done)
}

// commit commits g, which the caller holds the write slot for, and asks
// for a checkpoint every checkpointEvery commits.
func (s *Store) commit(g *group) {
	s.traced("COMMIT")
	g.commit()
	s.commits++
	if s.commits%checkpointEvery == 0 {
		select {
		case s.checkpoints <- struct{}{}:
		default: // one is asked for already
		}
	}
}

// rollback rolls the group back and tells its members err.
func (g *group) rollback(err error) {
	_ = g.sql.Rollback()
	g.err = err
	close(g.done)
}

// takeOpen returns the group left open for the next writer, if any, and
// clears it; the caller holds the write slot.
func (s *Store) takeOpen() *group {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.open
	s.open = nil
	return g
}

// flushOpen commits the group left open, if any, for a caller that holds
// the write slot and runs a transaction of its own (the outbox relay).
func (s *Store) flushOpen() {
	if g := s.takeOpen(); g != nil {
		s.commit(g)
	}
}

// handOn ends the turn in g of member, whose work is in g: when other
// writers wait for the slot and g has room, it leaves g open for them and
// releases the slot; otherwise it commits g and releases the slot. The
// member then waits for g's outcome and returns it, its undo run on
// failure.
func (s *Store) handOn(g *group, member *tx) error {
	s.mu.Lock()
	if s.waiting > 0 && g.size < maxGroup {
		s.open = g
		s.mu.Unlock()
		s.unlock()
	} else {
		s.mu.Unlock()
		s.commit(g)
		s.unlock()
	}
	<-g.done
	if g.err != nil {
		member.undo.run()
	}
	return g.err
}

// join begins t's turn in a group once t holds the write slot: the group
// left open, which t enters in a savepoint of its own, or else a new
// one. The SQLite transaction is begun with a context that is never
// done, as it outlives t; statements on it are run likewise (see exec),
// so that a cancelled caller cannot interrupt a statement, which would
// roll back the whole group.
func (t *tx) join() error {
	s := t.store
	t.wctx = context.WithoutCancel(t.ctx)
	g := s.takeOpen()
	if g == nil {
		s.traced("BEGIN")
		sqlTx, err := s.begin(t.wctx)
		if err != nil {
			s.unlock()
			return interpretError(err, "tx: begin")
		}
		t.group, t.sql = &group{sql: sqlTx, done: make(chan struct{})}, sqlTx
		return nil
	}
	t.group, t.sql, t.joined = g, g.sql, true
	if _, err := t.control("SAVEPOINT tx"); err != nil {
		t.lost = interpretError(err, "tx: savepoint")
	}
	return nil
}

// end ends t: with ok, t's work stays in its group, which t hands on and
// whose commit it waits for; without, t's work is rolled back (its
// savepoint, or the whole group when t began it) and its undo run. It
// returns the error that keeps t from committing.
func (t *tx) end(ok bool) error {
	t.endRead()
	g := t.group
	if g == nil { // nothing written
		if !ok {
			t.undo.run()
		}
		return nil
	}
	s := t.store
	lost := t.lost
	if ok && t.joined && lost == nil {
		if _, err := t.control("RELEASE tx"); err != nil {
			lost = interpretError(err, "tx: release savepoint")
		}
	}
	if ok && lost == nil {
		g.size++
		return s.handOn(g, t)
	}
	t.undo.run()
	if !t.joined {
		// t began the group, so nothing else is in it.
		g.rollback(lost)
		s.unlock()
		return lost
	}
	if lost == nil {
		if _, err := t.control("ROLLBACK TO tx"); err != nil {
			lost = interpretError(err, "tx: roll back savepoint")
		} else if _, err := t.control("RELEASE tx"); err != nil {
			lost = interpretError(err, "tx: release savepoint")
		}
	}
	if lost != nil {
		// The SQLite transaction cannot go on: the work of the group's
		// members is lost with it, and they may retry.
		g.rollback(fmt.Errorf("sqlite: tx: the write transaction shared with other transactions was lost (%w): %w", lost, storage.ErrConflict))
		s.unlock()
		return lost
	}
	// The others' work is committed now rather than handed on: a caller
	// retrying t (its failure may be a conflict or a lost stock race with
	// that work) then reads it.
	s.commit(g)
	s.unlock()
	return nil
}

// control runs a savepoint statement of t's turn in its group, prepared
// once through the cache.
func (t *tx) control(query string) (sql.Result, error) {
	t.store.traced(query)
	if st := t.stmts.get(t.wctx, query); st != nil {
		return t.sql.StmtContext(t.wctx, st).ExecContext(t.wctx)
	}
	return t.sql.ExecContext(t.wctx, query)
}
