package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// ErrLocked means another process (or another Start in this one) is
// running a cluster in the same directory. Two postmasters on one data dir
// would be refused by PostgreSQL anyway, but only after we touched it.
var ErrLocked = errors.New("lock held")

// lockDir takes an exclusive flock on dir/netzbot.lock. The kernel drops it
// when the process dies, so a crash never leaves a stale lock behind.
func lockDir(dir string) (*os.File, error) {
	path := dir + "/" + lockFile
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another netzbot is already using DATA_DIR %s (%w)", dir, ErrLocked)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The pid is only a hint for a human wondering who holds the lock.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// unlockFile releases lockDir's flock whoever else holds the file open.
func unlockFile(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
