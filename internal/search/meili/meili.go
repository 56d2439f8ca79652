// Package meili implements search.Index on Meilisearch through
// github.com/meilisearch/meilisearch-go: the index settings (searchable,
// filterable including _geo, sortable), the mapping of meetings to
// documents, filters as Meilisearch filter expressions, _geoRadius and
// _geoPoint sorting, waiting on tasks, and the translation of its errors
// into meeting.Error kinds: a server that cannot be reached, answers 5xx or
// lacks the index is KindUnavailable (callers fall back to PostgreSQL), a
// refused query KindInvalid.
package meili

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// DefaultIndex is the uid of the meetings index.
const DefaultIndex = "meetings"

// Index is search.Index on one Meilisearch index.
type Index struct {
	client meilisearch.ServiceManager
	uid    string
	// poll is how often a task's status is read while waiting on it.
	poll time.Duration
}

var _ search.Index = (*Index)(nil)

// New returns the index uid (DefaultIndex when empty) on the Meilisearch
// server at url, authenticated with apiKey (may be empty). It makes no
// request: call Setup to create the index and apply its settings.
func New(url, apiKey, uid string, hc *http.Client) *Index {
	if uid == "" {
		uid = DefaultIndex
	}
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	opts := []meilisearch.Option{meilisearch.WithCustomClient(hc), meilisearch.DisableRetries()}
	if apiKey != "" {
		opts = append(opts, meilisearch.WithAPIKey(apiKey))
	}
	return &Index{client: meilisearch.New(url, opts...), uid: uid, poll: 50 * time.Millisecond}
}

// document is a meeting as stored in Meilisearch. Day and Start are null
// for meetings by appointment; _geo is absent without a point.
type document struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	Group        string   `json:"group"`
	TypeNames    []string `json:"type_names"`
	LocationName string   `json:"location_name"`
	Address      string   `json:"address"`
	City         string   `json:"city"`
	Region       string   `json:"region"`
	PostalCode   string   `json:"postal_code"`
	Notes        string   `json:"notes"`
	Types        []string `json:"types"`
	Program      string   `json:"program"`
	Attendance   string   `json:"attendance"`
	Source       string   `json:"source"`
	Day          *int     `json:"day"`
	Start        *int     `json:"start"`
	Geo          *geo     `json:"_geo,omitempty"`
}

// geo is Meilisearch's _geo field.
type geo struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// newDocument maps a meeting to its document: type codes are expanded to
// their English and Spanish names so that "big book" finds type B.
func newDocument(m *meeting.Meeting) document {
	d := document{
		ID: m.ID, Name: m.Name, Group: m.Group, LocationName: m.Location.Name, Address: m.Location.Address,
		City: m.Location.City, Region: m.Location.Region, PostalCode: m.Location.PostalCode,
		Notes: strings.TrimSpace(m.Notes + " " + m.Location.Notes), Types: m.Types, Program: string(m.Program),
		Attendance: string(m.Attendance), Source: m.Source, TypeNames: []string{},
	}
	if d.Types == nil {
		d.Types = []string{}
	}
	for _, c := range m.Types {
		if ti, ok := meeting.LookupType(c); ok {
			d.TypeNames = append(d.TypeNames, ti.Name, ti.NameES)
		}
	}
	if !m.ByAppointment {
		day, start := int(m.Day), int(m.Start)
		d.Day, d.Start = &day, &start
	}
	if m.Location.HasPoint {
		d.Geo = &geo{Lat: m.Location.Lat(), Lng: m.Location.Lng()}
	}
	return d
}

// Settings are the index settings Setup applies.
func Settings() *meilisearch.Settings {
	return &meilisearch.Settings{
		// Most important first: the attribute ranking rule prefers a match
		// in the name to one in the notes.
		SearchableAttributes: []string{"name", "group", "type_names", "location_name", "city", "region", "postal_code", "address", "notes"},
		FilterableAttributes: []string{"_geo", "day", "start", "types", "program", "attendance", "source"},
		SortableAttributes:   []string{"_geo"},
		// Relevance first, then distance (the sort rule), then exactness.
		RankingRules: []string{"words", "typo", "proximity", "attribute", "sort", "exactness"},
		Pagination:   &meilisearch.Pagination{MaxTotalHits: search.MaxResults},
		// One typo from four letters, as the embedded indexes correct
		// (textdoc.MaxEdits: "grup", "bokk"), where Meilisearch's default
		// is five.
		TypoTolerance: &meilisearch.TypoTolerance{Enabled: true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: textdoc.MinTypoLen, TwoTypos: 9},
			DisableOnWords:      []string{}, DisableOnAttributes: []string{}},
	}
}

// Setup creates the index (when it does not exist) and applies Settings,
// waiting until Meilisearch has done both.
func (x *Index) Setup(ctx context.Context) error {
	const op = "meili.Setup"
	task, err := x.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: x.uid, PrimaryKey: "id"})
	if err != nil {
		return translate(op, err)
	}
	if err := x.wait(ctx, op, task.TaskUID); err != nil && !strings.Contains(err.Error(), "index_already_exists") {
		return err
	}
	task, err = x.client.Index(x.uid).UpdateSettings(ctx, Settings())
	if err != nil {
		return translate(op, err)
	}
	return x.wait(ctx, op, task.TaskUID)
}

// Health returns nil when Meilisearch answers and is available.
func (x *Index) Health(ctx context.Context) error {
	h, err := x.client.Health(ctx)
	if err != nil {
		return translate("meili.Health", err)
	}
	if h.Status != "available" {
		return meeting.Errorf(meeting.KindUnavailable, "meili.Health", "meilisearch is %s", h.Status)
	}
	return nil
}

// Upsert adds or replaces the public meetings of ms and deletes the others,
// waiting until Meilisearch has applied the change.
func (x *Index) Upsert(ctx context.Context, ms []meeting.Meeting) error {
	const op = "meili.Upsert"
	docs := make([]document, 0, len(ms))
	var gone []int64
	for i := range ms {
		if !search.Public(&ms[i]) {
			gone = append(gone, ms[i].ID)
			continue
		}
		docs = append(docs, newDocument(&ms[i]))
	}
	if len(docs) > 0 {
		pk := "id"
		task, err := x.client.Index(x.uid).AddDocuments(ctx, docs, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return translate(op, err)
		}
		if err := x.wait(ctx, op, task.TaskUID); err != nil {
			return err
		}
	}
	return x.Delete(ctx, gone)
}

// Enqueue adds or replaces the public meetings of ms without waiting for
// Meilisearch to apply them (search.BulkIndex): the ticket is the task's
// uid. Meetings that are not public are left out (a rebuild sends public
// meetings only; Upsert deletes them).
func (x *Index) Enqueue(ctx context.Context, ms []meeting.Meeting) (int64, error) {
	const op = "meili.Enqueue"
	docs := make([]document, 0, len(ms))
	for i := range ms {
		if search.Public(&ms[i]) {
			docs = append(docs, newDocument(&ms[i]))
		}
	}
	pk := "id"
	task, err := x.client.Index(x.uid).AddDocuments(ctx, docs, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	if err != nil {
		return 0, translate(op, err)
	}
	return task.TaskUID, nil
}

// Wait blocks until the task ticket has finished and returns its error
// (search.BulkIndex). Meilisearch applies an index's tasks in order, so
// every earlier batch is applied too.
func (x *Index) Wait(ctx context.Context, ticket int64) error {
	return x.wait(ctx, "meili.Wait", ticket)
}

var _ search.BulkIndex = (*Index)(nil)

// Delete removes the meetings with the given ids, waiting until
// Meilisearch has applied the change.
func (x *Index) Delete(ctx context.Context, ids []int64) error {
	const op = "meili.Delete"
	if len(ids) == 0 {
		return nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = strconv.FormatInt(id, 10)
	}
	task, err := x.client.Index(x.uid).DeleteDocuments(ctx, keys, nil)
	if err != nil {
		return translate(op, err)
	}
	return x.wait(ctx, op, task.TaskUID)
}

// Clear deletes every document (for a full rebuild), waiting until done.
func (x *Index) Clear(ctx context.Context) error {
	task, err := x.client.Index(x.uid).DeleteAllDocuments(ctx, nil)
	if err != nil {
		return translate("meili.Clear", err)
	}
	return x.wait(ctx, "meili.Clear", task.TaskUID)
}

// hit is the part of a search hit the adapter reads.
type hit struct {
	ID          int64    `json:"id"`
	GeoDistance *float64 `json:"_geoDistance"`
	Score       float64  `json:"_rankingScore"`
}

// Search returns one page of hits for f (see search.Index).
func (x *Index) Search(ctx context.Context, f meeting.Filter) (search.Hits, error) {
	const op = "meili.Search"
	if len(search.Terms(f.Q)) == 0 {
		return search.Hits{}, meeting.Errorf(meeting.KindInvalid, op, "the query has no words to search for")
	}
	req := Request(f)
	limit := int(req.Limit) - 1
	res, err := x.client.Index(x.uid).Search(ctx, f.Q, req)
	if err != nil {
		return search.Hits{}, translate(op, err)
	}
	var hs []hit
	if err := res.Hits.DecodeInto(&hs); err != nil {
		return search.Hits{}, &meeting.Error{Kind: meeting.KindInternal, Op: op, Message: "unexpected search hits", Err: err}
	}
	out := search.Hits{Hits: make([]search.Hit, 0, len(hs))}
	for _, h := range hs {
		sh := search.Hit{ID: h.ID, Score: h.Score}
		if h.GeoDistance != nil {
			sh.DistanceM, sh.HasDistance = *h.GeoDistance, true
		}
		out.Hits = append(out.Hits, sh)
	}
	more := len(out.Hits) > limit
	if more {
		out.Hits = out.Hits[:limit]
	}
	offset := int(req.Offset)
	if n := len(out.Hits); n > 0 && more && offset+limit < search.MaxResults {
		out.NextCursor = &meeting.Cursor{Offset: offset + limit, ID: out.Hits[n-1].ID}
	}
	return out, nil
}

// Request returns the search request for f: the filter expressions, the
// _geoPoint sort with a point, and offset/limit (one more than the page to
// learn whether there is a next one).
func Request(f meeting.Filter) *meilisearch.SearchRequest {
	limit := f.Limit
	if limit <= 0 {
		limit = meeting.DefaultLimit
	}
	offset := 0
	if f.Cursor != nil {
		offset = f.Cursor.Offset
	}
	if offset+limit+1 > search.MaxResults {
		limit = max(search.MaxResults-offset-1, 0)
	}
	req := &meilisearch.SearchRequest{
		Offset: int64(offset), Limit: int64(limit + 1),
		AttributesToRetrieve: []string{"id"}, ShowRankingScore: true,
		// Every word must match, as in the contract (Meilisearch's default,
		// "last", drops words from the end when few documents match).
		MatchingStrategy: meilisearch.All,
	}
	if fs := Filters(f); len(fs) > 0 {
		req.Filter = fs
	}
	if f.HasPoint {
		req.Sort = []string{fmt.Sprintf("_geoPoint(%s, %s):asc", num(f.Point.Lat()), num(f.Point.Lon()))}
		// Meilisearch sends a hit's _geoDistance only with its _geo.
		req.AttributesToRetrieve = append(req.AttributesToRetrieve, "_geo")
	}
	return req
}

// Filters returns f's constraints as Meilisearch filter expressions, all of
// which must hold.
func Filters(f meeting.Filter) []string {
	var out []string
	if f.HasPoint {
		radius := f.RadiusKM
		if radius <= 0 {
			radius = meeting.DefaultRadiusKM
		}
		out = append(out, fmt.Sprintf("_geoRadius(%s, %s, %s)", num(f.Point.Lat()), num(f.Point.Lon()), num(radius*1000)))
	}
	if len(f.Days) > 0 {
		ds := make([]string, len(f.Days))
		for i, d := range f.Days {
			ds[i] = strconv.Itoa(int(d))
		}
		out = append(out, "day IN ["+strings.Join(ds, ", ")+"]")
	}
	if f.StartAfter != nil {
		out = append(out, "start >= "+strconv.Itoa(int(*f.StartAfter)))
	}
	if f.StartBefore != nil {
		out = append(out, "start < "+strconv.Itoa(int(*f.StartBefore)))
	}
	for _, t := range f.Types {
		out = append(out, "types = "+quote(t))
	}
	in := func(field string, vs []string) {
		if len(vs) == 0 {
			return
		}
		q := make([]string, len(vs))
		for i, v := range vs {
			q[i] = quote(v)
		}
		out = append(out, field+" IN ["+strings.Join(q, ", ")+"]")
	}
	var att, prog []string
	for _, a := range f.Attendance {
		att = append(att, string(a))
	}
	for _, p := range f.Programs {
		prog = append(prog, string(p))
	}
	in("attendance", att)
	in("program", prog)
	in("source", f.Sources)
	return out
}

// quote makes s a Meilisearch filter string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// wait blocks until task uid has finished and returns its error, if any.
func (x *Index) wait(ctx context.Context, op string, uid int64) error {
	t, err := x.client.WaitForTask(ctx, uid, x.poll)
	if err != nil {
		return translate(op, err)
	}
	if t.Status != meilisearch.TaskStatusSucceeded {
		return &meeting.Error{Kind: meeting.KindInternal, Op: op,
			Message: fmt.Sprintf("meilisearch task %d %s: %s (%s)", uid, t.Status, t.Error.Message, t.Error.Code)}
	}
	return nil
}

// translate turns a meilisearch-go error into a *meeting.Error.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var me *meilisearch.Error
	if errors.As(err, &me) {
		switch {
		case me.ErrCode == meilisearch.CommunicationError || me.ErrCode == meilisearch.TimeoutError ||
			me.ErrCode == meilisearch.MaxRetriesExceeded || me.StatusCode >= 500 || me.StatusCode == http.StatusTooManyRequests:
			return &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the search index is unavailable", Err: err}
		case me.APIError.Code == "index_not_found":
			return &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the search index does not exist yet (run meetingfinder reindex)", Err: err}
		case me.StatusCode == http.StatusUnauthorized || me.StatusCode == http.StatusForbidden:
			return &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the search index refused our key (MEILI_API_KEY)", Err: err}
		case me.StatusCode == http.StatusBadRequest:
			return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the search index refused the query", Err: err}
		}
		return &meeting.Error{Kind: meeting.KindInternal, Op: op, Err: err}
	}
	return &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the search index is unavailable", Err: err}
}

// Drop deletes the whole index (tests use it to clean up).
func (x *Index) Drop(ctx context.Context) error {
	task, err := x.client.DeleteIndex(ctx, x.uid)
	if err != nil {
		return translate("meili.Drop", err)
	}
	return x.wait(ctx, "meili.Drop", task.TaskUID)
}
