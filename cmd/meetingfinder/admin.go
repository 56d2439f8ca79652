package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// adminUsage lists the admin subcommands.
const adminUsage = `usage: meetingfinder admin SUBCOMMAND [--json]

  create-key   print a new admin API key (shown once); it moderates every listing
               (revoke it with "meetingfinder org revoke-key PREFIX")`

// runAdmin manages admin keys.
func runAdmin(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, adminUsage) }
	asJSON := fs.Bool("json", false, "print machine-readable JSON")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return usageError{err.Error()}
	}
	if len(rest) != 1 || rest[0] != "create-key" {
		fmt.Fprintln(stderr, adminUsage)
		return usageError{"admin: want the subcommand create-key"}
	}
	db, store, err := openOrgStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	key, k, err := store.CreateAdminKey(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, newKeyJSON(key, k))
	}
	fmt.Fprintln(stdout, "new admin key")
	printNewKey(stdout, key)
	return nil
}
