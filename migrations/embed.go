// Package migrations holds the database schema as numbered SQL files
// (NNNN_name.sql), embedded so that the binary and the tests apply exactly
// the same statements. Files are never edited once landed; a change is a
// new file.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
