package readmodel

import (
	"context"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Store is what Reads falls back on: a meeting.Store with the feeds' whole
// reads (httpapi.FeedStore), such as postgres.MeetingStore.
type Store interface {
	meeting.Store
	All(ctx context.Context, f meeting.Filter) ([]meeting.Result, error)
	Each(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error
	Areas(ctx context.Context) ([][]string, error)
}

// Reads answers public reads from the Model once it is loaded, and from
// Fallback until then. Text queries (words in Filter.Q) always go to
// Fallback, which holds the text index. It implements meeting.Store and
// httpapi.FeedStore.
type Reads struct {
	Model    *Model
	Fallback Store
}

var _ Store = Reads{}

// from returns the store that answers f.
func (r Reads) from(f *meeting.Filter) Store {
	if (f != nil && meeting.HasWords(f.Q)) || !r.Model.Ready() {
		return r.Fallback
	}
	return r.Model
}

// Find answers f from the model, or from Fallback (text, or not loaded).
func (r Reads) Find(ctx context.Context, f meeting.Filter) (meeting.Page, error) {
	return r.from(&f).Find(ctx, f)
}

// Get returns the public meeting with the given id.
func (r Reads) Get(ctx context.Context, id int64) (*meeting.Meeting, error) {
	return r.from(nil).Get(ctx, id)
}

// All returns every public meeting matching f, in Find's order.
func (r Reads) All(ctx context.Context, f meeting.Filter) ([]meeting.Result, error) {
	return r.from(&f).All(ctx, f)
}

// Each calls fn with every public meeting matching f, in the order the
// answering store streams them.
func (r Reads) Each(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error {
	return r.from(&f).Each(ctx, f, fn)
}

// resultsLoader is what Results asks of Fallback (postgres.MeetingStore
// has it).
type resultsLoader interface {
	Results(ctx context.Context, ids []int64, f meeting.Filter) ([]meeting.Result, error)
}

// Results returns the public meetings with the given ids, in that order,
// with their distances and occurrences (search.Store's Loader): from the
// model once it is loaded, else from Fallback when it loads by id, else
// KindUnavailable.
func (r Reads) Results(ctx context.Context, ids []int64, f meeting.Filter) ([]meeting.Result, error) {
	if r.Model.Ready() {
		return r.Model.Results(ctx, ids, f)
	}
	if l, ok := r.Fallback.(resultsLoader); ok {
		return l.Results(ctx, ids, f)
	}
	return nil, meeting.Errorf(meeting.KindUnavailable, "readmodel.Results", "the read model is not loaded yet")
}

// Areas returns the distinct source-and-regions lists of the public
// meetings.
func (r Reads) Areas(ctx context.Context) ([][]string, error) {
	return r.from(nil).Areas(ctx)
}
