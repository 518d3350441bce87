// Package migrations holds the numbered SQL migrations of the netzbot schema.
// They are plain .sql files in goose format, embedded so the binary migrates
// any database it is pointed at without needing the source tree.
package migrations

import "embed"

// FS holds every migration file, applied in the order of its number.
//
//go:embed *.sql
var FS embed.FS
