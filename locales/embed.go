// Package locales holds the translated messages of netzbot, one TOML file per
// language (active.<lang>.toml), embedded so the binary needs no data files.
// active.de.toml is the reference every other locale is checked against.
package locales

import "embed"

// FS holds every active.<lang>.toml file.
//
//go:embed active.*.toml
var FS embed.FS
