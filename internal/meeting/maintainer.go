package meeting

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// Maintainer is who keeps a listing, as its feed says: where to send a
// correction (FeedbackEmails; FeedbackURL, an http, https or mailto: URL)
// and the entity that publishes it (an intergroup, area or district: its
// name, e-mail, location, logo, phone and web site). These are the Meeting
// Guide specification's feedback_emails, feedback_url and entity* fields.
// They are public in the feed, and the API and our feeds show them as
// they came; they are never logged.
type Maintainer struct {
	FeedbackEmails []string
	FeedbackURL    string
	Entity         string
	EntityEmail    string
	EntityLocation string
	EntityLogo     string // an http(s) URL of the entity's logo
	EntityPhone    string
	EntityURL      string // the entity's web site
}

// MaxFeedbackEmails bounds Maintainer.FeedbackEmails; each address is at
// most MaxShortLen characters.
const MaxFeedbackEmails = 8

// MaxFeedbackURLLen bounds Maintainer.FeedbackURL, above MaxURLLen:
// feedback links are often forms prefilled with the whole listing (a
// real feed's are up to 2,510 characters long).
const MaxFeedbackURLLen = 8192

// Empty reports whether x says nothing.
func (x *Maintainer) Empty() bool {
	return len(x.FeedbackEmails) == 0 && x.FeedbackURL == "" && x.Entity == "" && x.EntityEmail == "" &&
		x.EntityLocation == "" && x.EntityLogo == "" && x.EntityPhone == "" && x.EntityURL == ""
}

// text returns a pointer to each text field of x with its API
// name (under "maintainer.").
func (x *Maintainer) text() []struct {
	name string
	v    *string
} {
	return []struct {
		name string
		v    *string
	}{
		{"maintainer.feedback_url", &x.FeedbackURL}, {"maintainer.entity", &x.Entity},
		{"maintainer.entity_email", &x.EntityEmail}, {"maintainer.entity_location", &x.EntityLocation},
		{"maintainer.entity_logo", &x.EntityLogo}, {"maintainer.entity_phone", &x.EntityPhone},
		{"maintainer.entity_url", &x.EntityURL},
	}
}

// IsEmailAddress reports whether s has the shape of an e-mail address:
// something, one "@", a domain with a dot, and no spaces or brackets. It
// does not say that the address works.
func IsEmailAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("<>()[],;:\"", r) })
}

// maintainerProblem says why the value of field (an API name under
// "maintainer.") cannot be kept, or "". Reasons never quote the value: it
// may be a person's address.
func maintainerProblem(field, v string) string {
	if v == "" {
		return ""
	}
	limit := MaxShortLen
	switch field {
	case "maintainer.feedback_url":
		limit = MaxFeedbackURLLen
	case "maintainer.entity_logo", "maintainer.entity_url":
		limit = MaxURLLen
	}
	if tooLong(v, limit) {
		return fmt.Sprintf("is longer than %d characters", limit)
	}
	switch field {
	case "maintainer.feedback_url":
		if strings.HasPrefix(strings.ToLower(v), "mailto:") {
			if to, _, _ := strings.Cut(v[len("mailto:"):], "?"); !IsEmailAddress(unescape(to)) {
				return "is a mailto: URL without an e-mail address"
			}
			return ""
		}
		if r := checkWebURL(v); r != "" {
			return r + " (or mailto:)"
		}
	case "maintainer.entity_logo", "maintainer.entity_url":
		return checkWebURL(v)
	case "maintainer.entity_email":
		if !IsEmailAddress(v) {
			return "is not an e-mail address"
		}
	}
	return ""
}

// unescape decodes %-escapes of a mailto: address, or returns s.
func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// Tidy makes x fit to keep: it trims every value, splits feedback e-mail
// entries that hold a list ("a@x.org, b@y.org", as spreadsheets write
// them), drops repeated ones, and leaves out each value that cannot be
// kept (an entry that is not an e-mail address, a URL that is not http(s)
// or mailto:, a logo that is not http(s), anything too long, more than
// MaxFeedbackEmails addresses). It returns the API names of the fields it
// left something out of, with why (never quoting the value), for the
// importer to flag. What Tidy keeps passes Validate.
func (x *Maintainer) Tidy() map[string]string {
	var dropped map[string]string
	drop := func(field, why string) {
		if dropped == nil {
			dropped = map[string]string{}
		}
		if _, seen := dropped[field]; !seen {
			dropped[field] = why
		}
	}
	for _, f := range x.text() {
		*f.v = strings.TrimSpace(*f.v)
		if why := maintainerProblem(f.name, *f.v); why != "" {
			*f.v = ""
			drop(f.name, why)
		}
	}
	var emails []string
	for _, e := range x.FeedbackEmails {
		for _, a := range strings.FieldsFunc(e, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
			a = strings.TrimPrefix(strings.TrimSpace(a), "mailto:")
			switch {
			case a == "":
			case !IsEmailAddress(a) || tooLong(a, MaxShortLen):
				drop("maintainer.feedback_emails", "an entry is not an e-mail address")
			case slices.ContainsFunc(emails, func(b string) bool { return strings.EqualFold(a, b) }):
			case len(emails) == MaxFeedbackEmails:
				drop("maintainer.feedback_emails", fmt.Sprintf("more than %d addresses", MaxFeedbackEmails))
			default:
				emails = append(emails, a)
			}
		}
	}
	x.FeedbackEmails = emails
	return dropped
}

// validate adds to f what is wrong with x (see Tidy).
func (x *Maintainer) validate(f *FieldErrors) {
	for _, fv := range x.text() {
		if why := maintainerProblem(fv.name, *fv.v); why != "" {
			f.Add(fv.name, why)
		}
	}
	if len(x.FeedbackEmails) > MaxFeedbackEmails {
		f.Add("maintainer.feedback_emails", fmt.Sprintf("has %d addresses, more than %d", len(x.FeedbackEmails), MaxFeedbackEmails))
		return
	}
	for _, e := range x.FeedbackEmails {
		if !IsEmailAddress(e) || tooLong(e, MaxShortLen) {
			f.Add("maintainer.feedback_emails", "an entry is not an e-mail address")
			return
		}
	}
}
