package pgcluster

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNoBinaries means no PostgreSQL server is installed where we look. The
// message tells an operator both ways out, since this is usually the first
// thing a new developer or CI machine runs into.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL, e.g. apt-get install postgresql, or set DATABASE_URL")

// debianBinGlob is where Debian/Ubuntu install the server binaries; they are
// not on PATH there, which is why PATH alone is not enough.
const debianBinGlob = "/usr/lib/postgresql/*/bin"

// FindBinaries returns the directory holding initdb and postgres: the one
// behind initdb on PATH (symlinks resolved, so a /usr/local/bin link leads to
// the real bin dir with postgres beside it), else the newest
// /usr/lib/postgresql/<version>/bin.
func FindBinaries() (dir string, err error) {
	return findBinaries(exec.LookPath, debianBinGlob)
}

func findBinaries(lookPath func(string) (string, error), glob string) (string, error) {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		p, err := lookPath(name)
		if err != nil {
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			continue
		}
		if d := filepath.Dir(real); isBinDir(d) {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob(glob) // the only possible error is a bad pattern
	slices.SortFunc(dirs, func(a, b string) int { return compareVersions(versionOf(b), versionOf(a)) })
	for _, d := range dirs {
		if isBinDir(d) {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

// binariesForVersion prefers the server matching an existing cluster's
// PG_VERSION, so a persistent cluster keeps working after a newer major
// version is installed beside the old one (as Debian does on upgrades).
func binariesForVersion(major string) (string, error) {
	if major != "" {
		d := strings.Replace(debianBinGlob, "*", major, 1)
		if isBinDir(d) {
			return d, nil
		}
	}
	return FindBinaries()
}

func isBinDir(dir string) bool {
	return isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres"))
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// versionOf extracts "15" from /usr/lib/postgresql/15/bin.
func versionOf(binDir string) string {
	return filepath.Base(filepath.Dir(binDir))
}

// compareVersions compares dotted numeric versions ("9.6" < "15").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return strings.Compare(a, b)
}
