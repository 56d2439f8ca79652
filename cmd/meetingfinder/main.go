// Command meetingfinder is the meetingfinder service and its tools in one
// binary: serve the API, apply migrations, load demo data, import listings
// and run benchmarks. DATABASE_URL selects the database.
//
// Usage:
//
//	meetingfinder migrate
//	meetingfinder reindex [--batch 1000] [--in-flight 4] [--keep] [--resume]
//	meetingfinder serve [--addr 127.0.0.1:8080]
//	meetingfinder demo [--meetings 20000] [--seed 1] [--if-empty] [--replace]
//	meetingfinder import --source NAME --format FORMAT PATH_OR_URL
//	meetingfinder bench [flags]
//	meetingfinder org create NAME [--trusted] [--json]   (and list, trust, untrust, create-key, keys, revoke-key)
//	meetingfinder admin create-key [--json]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "meetingfinder:", err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "meetingfinder:", err)
		os.Exit(1)
	}
}

// usageError marks a mistake in the command line (exit status 2).
type usageError struct{ msg string }

// Error returns the message.
func (e usageError) Error() string { return e.msg }

// env is how commands read the environment (os.Getenv in production).
type env func(string) string

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "serve the HTTP API", runServe},
		{"migrate", "apply the database migrations", runMigrate},
		{"reindex", "rebuild the search index (Meilisearch) and the places", runReindex},
		{"demo", "load a synthetic demo dataset", runDemo},
		{"import", "import listings from a feed or file", runImport},
		{"bench", "benchmark the public reads (API with its read model vs. the SQL baseline)", runBench},
		{"org", "manage organizations and their API keys", runOrg},
		{"admin", "make admin API keys (moderation)", runAdmin},
	}
}

// run dispatches to the subcommand named by args[0].
func run(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, "usage: meetingfinder COMMAND [flags]\n\ncommands:")
		for _, c := range commands() {
			fmt.Fprintf(stdout, "  %-8s %s\n", c.name, c.summary)
		}
		fmt.Fprintln(stdout, "\nDATABASE_URL selects the database; \"meetingfinder COMMAND -h\" lists a command's flags.")
		if len(args) == 0 {
			return usageError{"no command given"}
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	return usageError{fmt.Sprintf("unknown command %q (try \"meetingfinder help\")", args[0])}
}

// newLogger returns the process logger: JSON lines on stderr unless
// MF_LOG_FORMAT=text.
func newLogger(getenv env, stderr io.Writer) *slog.Logger {
	if getenv("MF_LOG_FORMAT") == "text" {
		return slog.New(slog.NewTextHandler(stderr, nil))
	}
	return slog.New(slog.NewJSONHandler(stderr, nil))
}

// openCurrent opens the database of DATABASE_URL and checks that its schema
// is the one this binary carries (KindUnavailable with "run meetingfinder
// migrate" when it is behind); the caller closes it.
func openCurrent(ctx context.Context, getenv env) (*postgres.DB, error) {
	db, err := postgres.Open(ctx, getenv("DATABASE_URL"))
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
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
