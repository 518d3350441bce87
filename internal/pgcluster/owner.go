package pgcluster

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// DefaultDataDir is where a persistent cluster lives when DATA_DIR is not
// set: $XDG_DATA_HOME/netzbot, else ~/.local/share/netzbot. As root it is
// /var/lib/netzbot instead, because the server then runs as the postgres
// user, and that user cannot traverse /root (mode 0700) to reach a data dir
// below it.
func DefaultDataDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/netzbot"
	}
	if x := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "netzbot")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "netzbot")
	}
	// No home directory at all (e.g. a bare service account): still a
	// stable, per-user place rather than failing.
	return filepath.Join(os.TempDir(), "netzbot-"+strconv.Itoa(os.Geteuid()))
}

// owner is the OS account the server runs as. initdb and postgres refuse
// to run as root, so as root we hand them to the postgres user.
type owner struct {
	name   string
	uid    int
	gid    int
	groups []int
}

// serverOwner returns nil when we are not root: the server then simply runs
// as the current user.
func serverOwner() (*owner, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, so PostgreSQL must run as the postgres user, but it does not exist (install postgresql or run netzbot as a normal user): %w", err)
	}
	o := &owner{name: u.Username}
	if o.uid, err = strconv.Atoi(u.Uid); err != nil {
		return nil, fmt.Errorf("uid of user postgres: %w", err)
	}
	if o.gid, err = strconv.Atoi(u.Gid); err != nil {
		return nil, fmt.Errorf("gid of user postgres: %w", err)
	}
	if ids, err := u.GroupIds(); err == nil {
		for _, s := range ids {
			if g, err := strconv.Atoi(s); err == nil {
				o.groups = append(o.groups, g)
			}
		}
	}
	return o, nil
}

func (o *owner) credential() *syscall.Credential {
	if o == nil {
		return nil
	}
	return &syscall.Credential{Uid: uint32(o.uid), Gid: uint32(o.gid)}
}

// chown hands dir to the server's user; a no-op when not root.
func (o *owner) chown(dir string) error {
	if o == nil {
		return nil
	}
	if err := os.Chown(dir, o.uid, o.gid); err != nil {
		return fmt.Errorf("chown %s to %s: %w", dir, o.name, err)
	}
	return nil
}

// checkReachable fails with advice when the server's user cannot search
// (x permission) dir or one of its existing ancestors. Without this check
// initdb or postgres would fail later with a bare "Permission denied".
func (o *owner) checkReachable(dir string) error {
	if o == nil {
		return nil
	}
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if errors.Is(err, fs.ErrNotExist) && d != filepath.Dir(d) {
			continue // not created yet: its parents decide
		}
		if err != nil {
			return fmt.Errorf("check %s: %w", d, err)
		}
		if !o.canSearch(fi) {
			advice := "make its parents traversable (chmod o+x " + d + ")"
			if d == "/root" || strings.HasPrefix(dir, "/root/") {
				advice = "choose DATA_DIR outside /root (e.g. /var/lib/netzbot) or " + advice
			} else {
				advice = "choose another DATA_DIR or " + advice
			}
			return fmt.Errorf("%s user cannot reach %s (no search permission on %s, mode %04o): %s",
				o.name, dir, d, uint32(fi.Mode().Perm()), advice)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (o *owner) canSearch(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true // cannot tell; let the server report it
	}
	perm := fi.Mode().Perm()
	switch {
	case int(st.Uid) == o.uid:
		return perm&0o100 != 0
	case int(st.Gid) == o.gid || slices.Contains(o.groups, int(st.Gid)):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}
