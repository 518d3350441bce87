// Package sample holds the demo's offer directory: about 90 fictional
// offers of 30 fictional member organisations in Erfurt (offers.yaml, in
// the import format documented in README.md). The demo loads it, and the
// search quality test runs against it.
package sample

import (
	_ "embed"

	"github.com/netzbot/netzbot/internal/offer"
)

// Name is the file name used in messages about the sample data.
const Name = "sample/offers.yaml"

// YAML is the sample file as shipped.
//
//go:embed offers.yaml
var YAML []byte

// File parses the sample data.
func File() (*offer.File, error) {
	return offer.ParseYAML(Name, YAML)
}
