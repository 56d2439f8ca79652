package meeting

import "context"

// ChangeCursor is how far a reader has read the change log, the record of
// writes to meetings that the database keeps in the same transaction as
// each write. Every change made by a transaction older than Xmin (the
// oldest transaction still running when the cursor was taken) has been
// read; Seen holds, sorted, the younger transactions (ids, like Xmin, as
// PostgreSQL's xid8) whose changes have been read. A transaction's changes
// become visible all at once, when it commits; the younger ones not in
// Seen may still commit later, and their changes come with a later read.
// The zero cursor is the beginning of the log.
//
// A cursor says nothing about the order in which transactions commit, so
// a reader that follows it never misses a change that commits late.
type ChangeCursor struct {
	Xmin uint64
	Seen []uint64
}

// ChangeBatch is what the change log holds after a cursor: the meetings
// whose public view may have changed (each once, ascending), and the
// cursor to read from next.
type ChangeBatch struct {
	IDs  []int64
	Next ChangeCursor
}

// ChangeLog reads the change log. It works on a primary and on a hot
// standby (it polls; it needs no notifications). Errors are *Error: a
// cursor older than what the log still keeps is KindConflict (the reader
// has fallen too far behind and must load everything again); a dead
// database is KindUnavailable.
type ChangeLog interface {
	// ChangesSince returns the changes after c.
	ChangesSince(ctx context.Context, c ChangeCursor) (ChangeBatch, error)
}

// PublicLoader reads the public meetings for an in-memory read model.
// Errors are *Error.
type PublicLoader interface {
	// LoadPublic calls fn for every public meeting, in no particular
	// order, all read from one consistent snapshot of the database, and
	// returns the change cursor of that snapshot: reading the log from it
	// yields every change the snapshot does not hold. fn's *Meeting, and
	// the strings and lists it holds, are only valid during the call: a
	// loader may reuse their memory for the next meeting. An error from fn stops the load and is
	// returned.
	LoadPublic(ctx context.Context, fn func(*Meeting) error) (ChangeCursor, error)
	// PublicByID returns the public meetings among ids; ids that are
	// unknown, deleted or not published are left out.
	PublicByID(ctx context.Context, ids []int64) ([]Meeting, error)
}
