// Package importlimit bounds what the import commands read: files
// (offers, consultation catalogue, meetings) come from outside and are
// parsed in memory, so a huge or endless file must be refused before it
// is read, and one with absurdly many rows before it is processed.
package importlimit

import (
	"errors"
	"fmt"
	"io"
	"os"
)

const (
	// MaxBytes is the largest import file read: 10 MiB holds tens of
	// thousands of offers with texts in twelve languages.
	MaxBytes = 10 << 20
	// MaxRows is the most records (offers, organisations, services,
	// meetings…) one file may hold.
	MaxRows = 5000
)

// ErrTooLarge and ErrTooManyRows name the limit a file broke.
var (
	ErrTooLarge    = errors.New("import file too large")
	ErrTooManyRows = errors.New("import file has too many rows")
)

// ReadFile reads name, refusing a file over MaxBytes without reading it
// (also a pipe or device that never ends).
func ReadFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(name, f)
}

// Read reads r up to MaxBytes; name is for the error.
func Read(name string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("%s: %w: more than %d MiB", name, ErrTooLarge, MaxBytes>>20)
	}
	return data, nil
}

// CheckRows refuses more than MaxRows records.
func CheckRows(name string, rows int) error {
	if rows > MaxRows {
		return fmt.Errorf("%s: %w: %d, at most %d", name, ErrTooManyRows, rows, MaxRows)
	}
	return nil
}
