package pgcluster

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFindBinaries(t *testing.T) {
	root := t.TempDir()
	fake := func(dir string, names ...string) {
		os.MkdirAll(dir, 0o755)
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	glob := filepath.Join(root, "lib", "*", "bin")
	fake(filepath.Join(root, "lib", "9.6", "bin"), "initdb", "postgres")
	fake(filepath.Join(root, "lib", "15", "bin"), "initdb", "postgres")
	fake(filepath.Join(root, "lib", "16", "bin"), "initdb") // client-only: no server
	notFound := func(string) (string, error) { return "", errors.New("not found") }

	if got, err := findBinaries(notFound, glob); err != nil || got != filepath.Join(root, "lib", "15", "bin") {
		t.Errorf("newest with a server: got %q, %v", got, err)
	}

	// A PATH entry that is a symlink leads to the real bin dir.
	os.MkdirAll(filepath.Join(root, "local"), 0o755)
	link := filepath.Join(root, "local", "initdb")
	if err := os.Symlink(filepath.Join(root, "lib", "9.6", "bin", "initdb"), link); err != nil {
		t.Fatal(err)
	}
	onPath := func(name string) (string, error) {
		if name == "initdb" {
			return link, nil
		}
		return "", errors.New("not found")
	}
	if got, err := findBinaries(onPath, glob); err != nil || got != filepath.Join(root, "lib", "9.6", "bin") {
		t.Errorf("PATH first: got %q, %v", got, err)
	}

	_, err := findBinaries(notFound, filepath.Join(root, "none", "*", "bin"))
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
	const want = "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL, e.g. apt-get install postgresql, or set DATABASE_URL"
	if err.Error() != want {
		t.Errorf("message = %q", err)
	}
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/xdg")
	got := DefaultDataDir()
	if os.Geteuid() == 0 {
		if got != "/var/lib/netzbot" {
			t.Errorf("as root: %q", got)
		}
		return
	}
	if got != "/xdg/netzbot" {
		t.Errorf("with XDG_DATA_HOME: %q", got)
	}
}

func TestQuoteDSN(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/x":   "/tmp/x",
		"":         "''",
		"a b":      "'a b'",
		`it's\`:    `'it\'s\\'`,
		"netzbot2": "netzbot2",
	} {
		if got := quoteDSN(in); got != want {
			t.Errorf("quoteDSN(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestTailBuffer(t *testing.T) {
	tb := newTailBuffer(16)
	tb.Write([]byte("first line\nsecond\n"))
	tb.Write([]byte("third\n"))
	if got := tb.String(); got != "second\nthird" {
		t.Errorf("tail = %q, want whole lines only", got)
	}
}
