// Package locales holds the translated messages of netzbot: active.<lang>.toml
// per language, plus <feature>.<lang>.toml files a feature may keep apart,
// embedded so the binary needs no data files. German (de) is the reference
// every other locale is checked against.
package locales

import "embed"

// FS holds every locale file.
//
//go:embed *.toml
var FS embed.FS
