package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

func runMigrate(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	db, err := postgres.Open(ctx, getenv("DATABASE_URL"))
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "migrate: schema is current (version %d)\n", v)
	} else {
		fmt.Fprintf(stdout, "migrate: applied %v; schema is at version %d\n", applied, v)
	}
	return nil
}
