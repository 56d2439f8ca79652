package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// orgUsage lists the org subcommands.
const orgUsage = `usage: meetingfinder org SUBCOMMAND [--json]

  create NAME [--trusted]   add an organization and print its first API key (shown once)
  list                      list organizations
  trust NAME                publish the organization's listings without moderation
  untrust NAME              send its new listings and changes to moderation again
  create-key NAME           print a new API key for the organization (shown once)
  keys                      list every key by prefix (never the keys themselves)
  revoke-key PREFIX         stop the key with this prefix (mf_ and 8 characters) from working`

// orgJSON is an organization in --json output.
type orgJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Trusted   bool      `json:"trusted"`
	CreatedAt time.Time `json:"created_at"`
}

// keyJSON describes a key in --json output; Key is set only when it was
// just made.
type keyJSON struct {
	Key       string     `json:"key,omitempty"`
	Prefix    string     `json:"prefix"`
	Role      string     `json:"role"`
	OrgID     int64      `json:"org_id,omitempty"`
	OrgName   string     `json:"org_name,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// newOrgJSON returns o as --json prints it.
func newOrgJSON(o *meeting.Organization) orgJSON {
	return orgJSON{ID: o.ID, Name: o.Name, Trusted: o.Trusted, CreatedAt: o.CreatedAt.UTC()}
}

// newKeyJSON returns k as --json prints it, with key when it was just made.
func newKeyJSON(key string, k *meeting.APIKey) keyJSON {
	j := keyJSON{Key: key, Prefix: k.Prefix, Role: string(k.Role), OrgID: k.OrgID, OrgName: k.OrgName, CreatedAt: k.CreatedAt.UTC()}
	if !k.RevokedAt.IsZero() {
		t := k.RevokedAt.UTC()
		j.RevokedAt = &t
	}
	return j
}

// openOrgStore connects to DATABASE_URL and checks the schema.
func openOrgStore(ctx context.Context, getenv env) (*postgres.DB, *postgres.OrgStore, error) {
	db, err := openCurrent(ctx, getenv)
	if err != nil {
		return nil, nil, err
	}
	return db, postgres.NewOrgStore(db), nil
}

// orgArgs is an org command line: the subcommand, its operands and flags.
type orgArgs struct {
	sub      string
	operands []string
	asJSON   bool
	trusted  bool
}

// orgOperands is how many operands each org subcommand takes.
var orgOperands = map[string]int{"create": 1, "list": 0, "trust": 1, "untrust": 1, "create-key": 1, "keys": 0, "revoke-key": 1}

// runOrg manages organizations and their API keys.
func runOrg(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	a, err := parseOrgArgs(args, stderr)
	if err != nil {
		return err
	}
	db, store, err := openOrgStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	c := orgCommand{store: store, stdout: stdout, asJSON: a.asJSON}
	switch a.sub {
	case "create":
		return c.create(ctx, a.operands[0], a.trusted)
	case "list":
		return c.list(ctx)
	case "trust", "untrust":
		return c.setTrusted(ctx, a.operands[0], a.sub == "trust")
	case "create-key":
		return c.createKey(ctx, a.operands[0])
	case "keys":
		return c.keys(ctx)
	case "revoke-key":
		return c.revokeKey(ctx, a.operands[0])
	}
	return nil
}

// parseOrgArgs parses an org command line (flags may come anywhere) and
// checks the subcommand and its operands; a mistake is a usageError.
func parseOrgArgs(args []string, stderr io.Writer) (orgArgs, error) {
	fs := flag.NewFlagSet("org", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, orgUsage) }
	var a orgArgs
	fs.BoolVar(&a.asJSON, "json", false, "print machine-readable JSON")
	fs.BoolVar(&a.trusted, "trusted", false, "with create: publish without moderation")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return a, usageError{err.Error()}
	}
	if len(rest) == 0 {
		fmt.Fprintln(stderr, orgUsage)
		return a, usageError{"org: no subcommand given"}
	}
	a.sub, a.operands = rest[0], rest[1:]
	n, ok := orgOperands[a.sub]
	if !ok {
		return a, usageError{fmt.Sprintf("org: unknown subcommand %q\n%s", a.sub, orgUsage)}
	}
	if len(a.operands) != n {
		return a, usageError{fmt.Sprintf("org %s takes %d argument(s), got %d", a.sub, n, len(a.operands))}
	}
	if a.trusted && a.sub != "create" {
		return a, usageError{"org: --trusted goes with create (use \"org trust NAME\" later)"}
	}
	return a, nil
}

// orgCommand runs the org subcommands on store, printing text or, with
// asJSON, JSON to stdout.
type orgCommand struct {
	store  *postgres.OrgStore
	stdout io.Writer
	asJSON bool
}

// create adds organization name and prints it with its first API key.
func (c orgCommand) create(ctx context.Context, name string, trusted bool) error {
	o, err := c.store.CreateOrg(ctx, name, trusted)
	if err != nil {
		return err
	}
	key, k, err := c.store.CreateKey(ctx, o.Name)
	if err != nil {
		return err
	}
	if c.asJSON {
		return writeJSON(c.stdout, struct {
			Org orgJSON `json:"org"`
			Key keyJSON `json:"key"`
		}{newOrgJSON(o), newKeyJSON(key, k)})
	}
	fmt.Fprintf(c.stdout, "organization %d %q created (%s)\n", o.ID, o.Name, trustWord(o.Trusted))
	printNewKey(c.stdout, key)
	return nil
}

// list prints every organization.
func (c orgCommand) list(ctx context.Context) error {
	orgs, err := c.store.Orgs(ctx)
	if err != nil {
		return err
	}
	if c.asJSON {
		out := make([]orgJSON, 0, len(orgs))
		for i := range orgs {
			out = append(out, newOrgJSON(&orgs[i]))
		}
		return writeJSON(c.stdout, out)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tMODERATION\tCREATED")
	for _, o := range orgs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", o.ID, o.Name, trustWord(o.Trusted), o.CreatedAt.UTC().Format(time.DateOnly))
	}
	return tw.Flush()
}

// setTrusted trusts or untrusts organization name and prints it.
func (c orgCommand) setTrusted(ctx context.Context, name string, trusted bool) error {
	o, err := c.store.SetTrusted(ctx, name, trusted)
	if err != nil {
		return err
	}
	if c.asJSON {
		return writeJSON(c.stdout, newOrgJSON(o))
	}
	fmt.Fprintf(c.stdout, "organization %q is now %s\n", o.Name, trustWord(o.Trusted))
	return nil
}

// createKey prints a new API key for organization name.
func (c orgCommand) createKey(ctx context.Context, name string) error {
	key, k, err := c.store.CreateKey(ctx, name)
	if err != nil {
		return err
	}
	if c.asJSON {
		return writeJSON(c.stdout, newKeyJSON(key, k))
	}
	fmt.Fprintf(c.stdout, "new key for %q\n", k.OrgName)
	printNewKey(c.stdout, key)
	return nil
}

// keys prints every API key by prefix.
func (c orgCommand) keys(ctx context.Context) error {
	keys, err := c.store.Keys(ctx)
	if err != nil {
		return err
	}
	if c.asJSON {
		out := make([]keyJSON, 0, len(keys))
		for i := range keys {
			out = append(out, newKeyJSON("", &keys[i]))
		}
		return writeJSON(c.stdout, out)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PREFIX\tROLE\tORGANIZATION\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := "-"
		if !k.RevokedAt.IsZero() {
			revoked = k.RevokedAt.UTC().Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Prefix, k.Role, k.OrgName, k.CreatedAt.UTC().Format(time.DateOnly), revoked)
	}
	return tw.Flush()
}

// revokeKey stops the key with the given prefix from working.
func (c orgCommand) revokeKey(ctx context.Context, prefix string) error {
	k, err := c.store.RevokeKey(ctx, prefix)
	if err != nil {
		return err
	}
	if c.asJSON {
		return writeJSON(c.stdout, newKeyJSON("", k))
	}
	fmt.Fprintf(c.stdout, "key %s revoked\n", k.Prefix)
	return nil
}

// trustWord says how an organization's listings are published.
func trustWord(trusted bool) string {
	if trusted {
		return "trusted: publishes directly"
	}
	return "moderated: listings wait for an admin"
}

// printNewKey prints a key that will not be shown again.
func printNewKey(w io.Writer, key string) {
	fmt.Fprintf(w, "API key (shown only now; store it safely): %s\nsend it as the header Authorization: Bearer <key>\n", key)
}

// splitList splits a comma- or space-separated setting.
func splitList(s string) []string {
	return strings.Fields(strings.ReplaceAll(s, ",", " "))
}
