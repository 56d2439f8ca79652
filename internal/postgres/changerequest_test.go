package postgres_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// TestChangeRequestUnstorableText files change requests whose text
// PostgreSQL cannot store (a \u0000 escape in the proposal, which jsonb
// refuses with 22P05; a NUL byte or bytes that are not UTF-8, which any
// text refuses with 22021): each is invalid input, not an internal error,
// and nothing is filed.
func TestChangeRequestUnstorableText(t *testing.T) {
	ctx := context.Background()
	e := newListingEnv(t)
	in := mk(nyc, 1, "18:30", "America/New_York")
	lb, err := e.listings.CreateListing(ctx, e.b, &in)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		proposed string
		contact  string
		code     string // the SQLSTATE the database answers
	}{
		{"a \\u0000 escape in the proposal", `{"notes": "side door\u0000"}`, "", "22P05"},
		{"a \\u0000 escape in a key of the proposal", `{"notes\u0000": "x"}`, "", "22P05"},
		{"bytes that are not UTF-8 in the proposal", "{\"notes\": \"caf\xe9\"}", "", "22021"},
		{"a NUL byte in the contact", `{"notes": "x"}`, "sam\x00@example.org", "22021"},
		{"bytes that are not UTF-8 in the contact", `{"notes": "x"}`, "sam\xff@example.org", "22021"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.listings.CreateChangeRequest(ctx, &meeting.ChangeRequest{MeetingID: lb.ID, Proposed: json.RawMessage(tc.proposed), Contact: tc.contact})
			if !meeting.IsKind(err, meeting.KindInvalid) {
				t.Fatalf("err %v (kind %q), want kind invalid", err, meeting.ErrorKind(err))
			}
			var me *meeting.Error
			if !errors.As(err, &me) || !strings.Contains(me.Message, "PostgreSQL cannot store") || me.Op != "postgres.CreateChangeRequest" {
				t.Errorf("err %#v: want the store's op and a message for the client that names what is wrong", err)
			}
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != tc.code {
				t.Errorf("err %v: want the database's SQLSTATE %s underneath", err, tc.code)
			}
		})
	}
	crs, err := e.listings.ChangeRequests(ctx, e.admin, "")
	if err != nil || len(crs) != 0 {
		t.Errorf("after the refused requests: %+v, %v; want none filed", crs, err)
	}
	cr, err := e.listings.CreateChangeRequest(ctx, &meeting.ChangeRequest{MeetingID: lb.ID, Proposed: json.RawMessage(`{"notes": "side door \u00e9"}`), Contact: "sam@example.org"})
	if err != nil || cr.Status != meeting.ChangeRequestOpen {
		t.Fatalf("a request with other escapes: %+v, %v", cr, err)
	}
}

// TestListingUnstorableText checks that a listing whose text holds a NUL
// byte, which PostgreSQL's text refuses with 22021, is invalid input that
// names the field (Validate refuses it before the database sees it), not
// an internal error.
func TestListingUnstorableText(t *testing.T) {
	ctx := context.Background()
	e := newListingEnv(t)
	in := mk(nyc, 1, "18:30", "America/New_York")
	in.Name = "Hill\x00Meeting"
	_, err := e.listings.CreateListing(ctx, e.b, &in)
	var me *meeting.Error
	if !meeting.IsKind(err, meeting.KindInvalid) || !errors.As(err, &me) || me.Fields["name"] == "" {
		t.Errorf("CreateListing with a NUL in the name: err %v (kind %q), want kind invalid naming the name", err, meeting.ErrorKind(err))
	}
}

// TestValueTooLongToIndex checks that a value PostgreSQL cannot index (an
// external id of 3,000 characters that do not compress: the unique
// index's entries must stay under 2,704 bytes, SQLSTATE 54000) is invalid
// input, not an internal error, for the callers that skip Validate.
func TestValueTooLongToIndex(t *testing.T) {
	db := pgtest.New(t)
	m := mk(nyc, 1, "18:30", "America/New_York")
	var b strings.Builder
	for i := 0; b.Len() < 3000; i++ {
		fmt.Fprintf(&b, "%x", sha256.Sum256([]byte{byte(i), byte(i >> 8)}))
	}
	m.ExternalID = b.String()[:3000]
	err := postgres.NewMeetingStore(db).InsertMeetings(context.Background(), []meeting.Meeting{m})
	var pgErr *pgconn.PgError
	if !meeting.IsKind(err, meeting.KindInvalid) || !errors.As(err, &pgErr) || pgErr.Code != "54000" {
		t.Errorf("InsertMeetings with an external id of 3,000 characters: err %v (kind %q), want kind invalid over SQLSTATE 54000", err, meeting.ErrorKind(err))
	}
}
