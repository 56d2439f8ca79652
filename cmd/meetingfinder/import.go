package main

import (
	"context"
	"io"
)

func runImport(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	return usageError{"import: not built yet"}
}
