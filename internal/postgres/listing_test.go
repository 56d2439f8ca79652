package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// listingEnv holds two organizations (a untrusted, b trusted), an admin and
// one imported meeting.
type listingEnv struct {
	db       *postgres.DB
	meetings *postgres.MeetingStore
	listings *postgres.ListingStore
	a, b     meeting.Principal
	admin    meeting.Principal
	imported int64
}

func newListingEnv(t *testing.T) *listingEnv {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	e := &listingEnv{db: db, meetings: postgres.NewMeetingStore(db), listings: postgres.NewListingStore(db)}
	orgs := postgres.NewOrgStore(db)
	principal := func(name string, trusted bool) meeting.Principal {
		if _, err := orgs.CreateOrg(ctx, name, trusted); err != nil {
			t.Fatal(err)
		}
		key, _, err := orgs.CreateKey(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := orgs.Authenticate(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return *p
	}
	e.a, e.b = principal("A", false), principal("B", true)
	key, _, err := orgs.CreateAdminKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := orgs.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	e.admin = *admin
	imp := mk(nyc, 2, "19:00", "America/New_York")
	if err := e.meetings.InsertMeetings(ctx, []meeting.Meeting{imp}); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE org_id IS NULL`).Scan(&e.imported); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *listingEnv) public(t *testing.T, id int64) bool {
	t.Helper()
	_, err := e.meetings.Get(context.Background(), id)
	if err != nil && !meeting.IsKind(err, meeting.KindNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func TestListingModerationAndScope(t *testing.T) {
	ctx := context.Background()
	e := newListingEnv(t)

	in := mk(nyc, 1, "18:30", "America/New_York")
	in.Source, in.ExternalID, in.GroupKey = "", "", ""
	la, err := e.listings.CreateListing(ctx, e.a, &in)
	if err != nil {
		t.Fatal(err)
	}
	if la.Status != meeting.StatusPending || la.OrgID != e.a.OrgID || la.Source != meeting.OrgSource(e.a.OrgID) || la.ExternalID == "" {
		t.Errorf("untrusted create: %+v", la.Meeting)
	}
	if e.public(t, la.ID) {
		t.Error("a pending listing is public")
	}
	lb, err := e.listings.CreateListing(ctx, e.b, &in)
	if err != nil {
		t.Fatal(err)
	}
	if lb.Status != meeting.StatusPublished || !e.public(t, lb.ID) {
		t.Errorf("trusted create: status %s, public %v", lb.Status, e.public(t, lb.ID))
	}
	if _, err := e.listings.CreateListing(ctx, e.admin, &in); !meeting.IsKind(err, meeting.KindForbidden) {
		t.Errorf("admin create: err %v, want forbidden", err)
	}
	noZone := in
	noZone.TimeZone = ""
	err = func() error { _, err := e.listings.CreateListing(ctx, e.a, &noZone); return err }()
	var me *meeting.Error
	if !meeting.IsKind(err, meeting.KindInvalid) || !asError(err, &me) || me.Fields["timezone"] == "" {
		t.Errorf("no zone: err %v, want invalid naming timezone", err)
	}

	// B never reaches A's listing nor the imported one; A never reaches B's.
	for _, c := range []struct {
		name string
		p    meeting.Principal
		id   int64
	}{{"b on a", e.b, la.ID}, {"a on b", e.a, lb.ID}, {"a on imported", e.a, e.imported}, {"b on imported", e.b, e.imported}, {"a on missing", e.a, 999999}} {
		t.Run(c.name, func(t *testing.T) {
			notFound := func(what string, err error) {
				t.Helper()
				if !meeting.IsKind(err, meeting.KindNotFound) {
					t.Errorf("%s: err %v, want not_found", what, err)
				}
			}
			_, err := e.listings.Listing(ctx, c.p, c.id)
			notFound("Listing", err)
			_, err = e.listings.ChangeListing(ctx, c.p, c.id, meeting.ActionPatch, "", func(m *meeting.Meeting) error { m.Name = "Mine now"; return nil })
			notFound("ChangeListing", err)
			notFound("DeleteListing", e.listings.DeleteListing(ctx, c.p, c.id))
			_, err = e.listings.History(ctx, c.p, c.id)
			notFound("History", err)
		})
	}
	for _, p := range []meeting.Principal{e.a, e.b} {
		ls, err := e.listings.Listings(ctx, p, "")
		if err != nil || len(ls) != 1 || ls[0].OrgID != p.OrgID {
			t.Errorf("Listings(%s): %d listings, %v", p.OrgName, len(ls), err)
		}
	}
	if ls, err := e.listings.Listings(ctx, e.admin, meeting.StatusPending); err != nil || len(ls) != 1 || ls[0].ID != la.ID {
		t.Errorf("admin pending: %+v, %v", ls, err)
	}

	// Moderation.
	if _, err := e.listings.Moderate(ctx, e.b, la.ID, meeting.StatusPublished, ""); !meeting.IsKind(err, meeting.KindForbidden) {
		t.Errorf("org approves: err %v, want forbidden", err)
	}
	if _, err := e.listings.Moderate(ctx, e.admin, la.ID, meeting.StatusRejected, ""); !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("reject without reason: err %v, want invalid", err)
	}
	rej, err := e.listings.Moderate(ctx, e.admin, la.ID, meeting.StatusRejected, "no address")
	if err != nil || rej.Status != meeting.StatusRejected || rej.StatusReason != "no address" || e.public(t, la.ID) {
		t.Fatalf("reject: %+v, %v", rej, err)
	}
	ed, err := e.listings.ChangeListing(ctx, e.a, la.ID, meeting.ActionPatch, "", func(m *meeting.Meeting) error { m.Name = "Fixed"; return nil })
	if err != nil || ed.Status != meeting.StatusPending || ed.StatusReason != "" {
		t.Fatalf("edit after rejection: %+v, %v", ed, err)
	}
	ok, err := e.listings.Moderate(ctx, e.admin, la.ID, meeting.StatusPublished, "")
	if err != nil || ok.Status != meeting.StatusPublished || !e.public(t, la.ID) {
		t.Fatalf("approve: %+v, %v", ok, err)
	}
	// An untrusted organization's edit to a published listing waits again.
	ed, err = e.listings.ChangeListing(ctx, e.a, la.ID, meeting.ActionReplace, "", func(m *meeting.Meeting) error {
		m.Source, m.OrgID, m.ID = "stolen", e.b.OrgID, 1 // identity is kept whatever change does
		m.Notes = "side door"
		return nil
	})
	if err != nil || ed.Status != meeting.StatusPending || e.public(t, la.ID) || ed.OrgID != e.a.OrgID || ed.Source != la.Source || ed.ID != la.ID {
		t.Fatalf("untrusted edit of a published listing: %+v, %v", ed, err)
	}
	// An invalid edit changes nothing and names the field.
	_, err = e.listings.ChangeListing(ctx, e.a, la.ID, meeting.ActionPatch, "", func(m *meeting.Meeting) error { m.Online.URL = "javascript:alert(1)"; return nil })
	if !asError(err, &me) || me.Fields["online.url"] == "" {
		t.Errorf("javascript join link: err %v, want invalid online.url", err)
	}
	// A trusted organization's edit stays published; an admin's keeps the state.
	if ed, err := e.listings.ChangeListing(ctx, e.b, lb.ID, meeting.ActionPatch, "", func(m *meeting.Meeting) error { m.Name = "B2"; return nil }); err != nil || ed.Status != meeting.StatusPublished {
		t.Errorf("trusted edit: %+v, %v", ed, err)
	}
	if ed, err := e.listings.ChangeListing(ctx, e.admin, la.ID, meeting.ActionPatch, "", func(m *meeting.Meeting) error { m.Name = "Admin fix"; return nil }); err != nil || ed.Status != meeting.StatusPending {
		t.Errorf("admin edit: %+v, %v", ed, err)
	}

	if err := e.listings.DeleteListing(ctx, e.a, la.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.listings.Listing(ctx, e.a, la.ID); !meeting.IsKind(err, meeting.KindNotFound) {
		t.Errorf("deleted listing: err %v, want not_found", err)
	}
	hist, err := e.listings.History(ctx, e.a, la.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hist {
		kind, _, _ := strings.Cut(h.Actor, ":")
		got = append(got, string(h.Action)+" by "+kind+" "+h.Note)
	}
	want := []string{"create by org ", "reject by admin no address", "patch by org ", "approve by admin ", "replace by org ", "patch by admin ", "delete by org "}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("history (-want +got):\n%s", d)
	}
	if hist[0].Before != nil || hist[0].After == nil || hist[len(hist)-1].After != nil || hist[4].Before.Name != "Fixed" || hist[4].After.Notes != "side door" {
		t.Errorf("history snapshots: %+v", hist)
	}
}

func asError(err error, target **meeting.Error) bool { return errors.As(err, target) }

func TestChangeRequests(t *testing.T) {
	ctx := context.Background()
	e := newListingEnv(t)
	in := mk(nyc, 1, "18:30", "America/New_York")
	lb, err := e.listings.CreateListing(ctx, e.b, &in)
	if err != nil {
		t.Fatal(err)
	}
	la, err := e.listings.CreateListing(ctx, e.a, &in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.listings.CreateChangeRequest(ctx, &meeting.ChangeRequest{MeetingID: la.ID, Proposed: json.RawMessage(`{"name":"x"}`)}); !meeting.IsKind(err, meeting.KindNotFound) {
		t.Errorf("request on a pending listing: err %v, want not_found", err)
	}
	cr, err := e.listings.CreateChangeRequest(ctx, &meeting.ChangeRequest{MeetingID: lb.ID, Proposed: json.RawMessage(`{"name":"Renamed"}`), Contact: "me@example.org"})
	if err != nil || cr.Status != meeting.ChangeRequestOpen {
		t.Fatalf("create: %+v, %v", cr, err)
	}
	onImported, err := e.listings.CreateChangeRequest(ctx, &meeting.ChangeRequest{MeetingID: e.imported, Proposed: json.RawMessage(`{"notes":"closed"}`)})
	if err != nil {
		t.Fatal(err)
	}
	list := func(p meeting.Principal) []int64 {
		crs, err := e.listings.ChangeRequests(ctx, p, meeting.ChangeRequestOpen)
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{}
		for _, c := range crs {
			ids = append(ids, c.ID)
			if c.Current == nil || c.Current.ID != c.MeetingID {
				t.Errorf("request %d without its listing", c.ID)
			}
		}
		return ids
	}
	if d := cmp.Diff([]int64{cr.ID}, list(e.b)); d != "" {
		t.Errorf("b's requests (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int64{}, list(e.a)); d != "" {
		t.Errorf("a's requests (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int64{cr.ID, onImported.ID}, list(e.admin)); d != "" {
		t.Errorf("admin's requests (-want +got):\n%s", d)
	}
	rename := func(m *meeting.Meeting, p json.RawMessage) error {
		var v struct{ Name string }
		if err := json.Unmarshal(p, &v); err != nil {
			return err
		}
		m.Name = v.Name
		return nil
	}
	if _, err := e.listings.ResolveChangeRequest(ctx, e.a, cr.ID, true, rename); !meeting.IsKind(err, meeting.KindNotFound) {
		t.Errorf("other org applies: err %v, want not_found", err)
	}
	if _, err := e.listings.ResolveChangeRequest(ctx, e.a, onImported.ID, false, rename); !meeting.IsKind(err, meeting.KindNotFound) {
		t.Errorf("org dismisses a request on an imported listing: err %v, want not_found", err)
	}
	done, err := e.listings.ResolveChangeRequest(ctx, e.b, cr.ID, true, rename)
	if err != nil || done.Status != meeting.ChangeRequestApplied || done.ResolvedBy != e.b.Actor() {
		t.Fatalf("apply: %+v, %v", done, err)
	}
	if m, err := e.meetings.Get(ctx, lb.ID); err != nil || m.Name != "Renamed" {
		t.Errorf("after apply: %+v, %v", m, err)
	}
	if _, err := e.listings.ResolveChangeRequest(ctx, e.b, cr.ID, false, rename); !meeting.IsKind(err, meeting.KindConflict) {
		t.Errorf("resolve twice: err %v, want conflict", err)
	}
	if d, err := e.listings.ResolveChangeRequest(ctx, e.admin, onImported.ID, false, rename); err != nil || d.Status != meeting.ChangeRequestDismissed {
		t.Errorf("admin dismisses: %+v, %v", d, err)
	}
	hist, err := e.listings.History(ctx, e.b, lb.ID)
	if err != nil || len(hist) != 2 || hist[1].Action != meeting.ActionChangeRequest || hist[1].Before.Name != in.Name || hist[1].After.Name != "Renamed" {
		t.Errorf("history: %+v, %v", hist, err)
	}
}

func TestUpload(t *testing.T) {
	ctx := context.Background()
	e := newListingEnv(t)
	m1, m2 := mk(nyc, 1, "18:30", "America/New_York"), mk(nyc, 2, "18:30", "America/New_York")
	out, err := e.listings.Upload(ctx, e.b, []meeting.Meeting{m1, m2})
	if err != nil || out != (meeting.UploadOutcome{Inserted: 2}) {
		t.Fatalf("first upload: %+v, %v", out, err)
	}
	m1.Name = "Changed"
	out, err = e.listings.Upload(ctx, e.b, []meeting.Meeting{m1})
	if err != nil || out != (meeting.UploadOutcome{Updated: 1}) {
		t.Fatalf("second upload: %+v, %v", out, err)
	}
	// The same external ids from another organization are its own listings.
	out, err = e.listings.Upload(ctx, e.a, []meeting.Meeting{m1})
	if err != nil || out != (meeting.UploadOutcome{Inserted: 1}) {
		t.Fatalf("other org's upload: %+v, %v", out, err)
	}
	ls, err := e.listings.Listings(ctx, e.b, "")
	if err != nil || len(ls) != 2 || ls[0].Name != "Changed" || ls[0].Status != meeting.StatusPublished {
		t.Errorf("b's listings: %+v, %v", ls, err)
	}
	ls, err = e.listings.Listings(ctx, e.a, "")
	if err != nil || len(ls) != 1 || ls[0].Status != meeting.StatusPending {
		t.Errorf("a's listings: %+v, %v", ls, err)
	}
	bad := m2
	bad.TimeZone = ""
	if _, err := e.listings.Upload(ctx, e.b, []meeting.Meeting{m2, bad}); !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("upload without zone: err %v, want invalid", err)
	}
	if _, err := e.listings.Upload(ctx, e.admin, []meeting.Meeting{m2}); !meeting.IsKind(err, meeting.KindForbidden) {
		t.Errorf("admin upload: err %v, want forbidden", err)
	}
}
