package importlimit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadRefusesFilesOverTheLimit(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxBytes + 1); err != nil { // sparse: cheap to make
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadFile(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	ok := filepath.Join(dir, "ok.yaml")
	if err := os.WriteFile(ok, []byte(strings.Repeat("x", MaxBytes)), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(ok); err != nil || len(data) != MaxBytes {
		t.Errorf("at the limit: %d bytes, %v", len(data), err)
	}
	if err := CheckRows("f", MaxRows); err != nil {
		t.Errorf("at the row limit: %v", err)
	}
	if err := CheckRows("f", MaxRows+1); !errors.Is(err, ErrTooManyRows) {
		t.Errorf("over the row limit: %v", err)
	}
}
