package main

import (
	"context"
	"encoding/json"
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

func newOrgJSON(o *meeting.Organization) orgJSON {
	return orgJSON{ID: o.ID, Name: o.Name, Trusted: o.Trusted, CreatedAt: o.CreatedAt.UTC()}
}

func newKeyJSON(key string, k *meeting.APIKey) keyJSON {
	j := keyJSON{Key: key, Prefix: k.Prefix, Role: string(k.Role), OrgID: k.OrgID, OrgName: k.OrgName, CreatedAt: k.CreatedAt.UTC()}
	if !k.RevokedAt.IsZero() {
		t := k.RevokedAt.UTC()
		j.RevokedAt = &t
	}
	return j
}

// parseInterspersed parses fs's flags wherever they appear among args
// ("create NAME --trusted" as well as "create --trusted NAME") and returns
// the other arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// openOrgStore connects to DATABASE_URL and checks the schema.
func openOrgStore(ctx context.Context, getenv env) (*postgres.DB, *postgres.OrgStore, error) {
	db, err := openCurrent(ctx, getenv)
	if err != nil {
		return nil, nil, err
	}
	return db, postgres.NewOrgStore(db), nil
}

// runOrg manages organizations and their API keys.
func runOrg(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("org", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, orgUsage) }
	asJSON := fs.Bool("json", false, "print machine-readable JSON")
	trusted := fs.Bool("trusted", false, "with create: publish without moderation")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return usageError{err.Error()}
	}
	if len(rest) == 0 {
		fmt.Fprintln(stderr, orgUsage)
		return usageError{"org: no subcommand given"}
	}
	sub, operands := rest[0], rest[1:]
	need := map[string]int{"create": 1, "list": 0, "trust": 1, "untrust": 1, "create-key": 1, "keys": 0, "revoke-key": 1}
	n, ok := need[sub]
	if !ok {
		return usageError{fmt.Sprintf("org: unknown subcommand %q\n%s", sub, orgUsage)}
	}
	if len(operands) != n {
		return usageError{fmt.Sprintf("org %s takes %d argument(s), got %d", sub, n, len(operands))}
	}
	if *trusted && sub != "create" {
		return usageError{"org: --trusted goes with create (use \"org trust NAME\" later)"}
	}
	db, store, err := openOrgStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()

	switch sub {
	case "create":
		o, err := store.CreateOrg(ctx, operands[0], *trusted)
		if err != nil {
			return err
		}
		key, k, err := store.CreateKey(ctx, o.Name)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, struct {
				Org orgJSON `json:"org"`
				Key keyJSON `json:"key"`
			}{newOrgJSON(o), newKeyJSON(key, k)})
		}
		fmt.Fprintf(stdout, "organization %d %q created (%s)\n", o.ID, o.Name, trustWord(o.Trusted))
		printNewKey(stdout, key)
	case "list":
		orgs, err := store.Orgs(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]orgJSON, 0, len(orgs))
			for i := range orgs {
				out = append(out, newOrgJSON(&orgs[i]))
			}
			return writeJSON(stdout, out)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tMODERATION\tCREATED")
		for _, o := range orgs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", o.ID, o.Name, trustWord(o.Trusted), o.CreatedAt.UTC().Format(time.DateOnly))
		}
		return tw.Flush()
	case "trust", "untrust":
		o, err := store.SetTrusted(ctx, operands[0], sub == "trust")
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, newOrgJSON(o))
		}
		fmt.Fprintf(stdout, "organization %q is now %s\n", o.Name, trustWord(o.Trusted))
	case "create-key":
		key, k, err := store.CreateKey(ctx, operands[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, newKeyJSON(key, k))
		}
		fmt.Fprintf(stdout, "new key for %q\n", k.OrgName)
		printNewKey(stdout, key)
	case "keys":
		keys, err := store.Keys(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]keyJSON, 0, len(keys))
			for i := range keys {
				out = append(out, newKeyJSON("", &keys[i]))
			}
			return writeJSON(stdout, out)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PREFIX\tROLE\tORGANIZATION\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if !k.RevokedAt.IsZero() {
				revoked = k.RevokedAt.UTC().Format(time.DateOnly)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Prefix, k.Role, k.OrgName, k.CreatedAt.UTC().Format(time.DateOnly), revoked)
		}
		return tw.Flush()
	case "revoke-key":
		k, err := store.RevokeKey(ctx, operands[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, newKeyJSON("", k))
		}
		fmt.Fprintf(stdout, "key %s revoked\n", k.Prefix)
	}
	return nil
}

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
