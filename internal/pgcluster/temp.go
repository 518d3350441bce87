package pgcluster

import (
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

const (
	tempPrefix = "netzbot-pg-"
	// tempMarker marks a temp Dir as removable. Stop removes the whole dir;
	// with Keep it removes just the marker, so the sweep spares it.
	tempMarker = "netzbot.temp"
	// sweepAge keeps the sweep away from a dir another process has just
	// created but not yet locked.
	sweepAge = time.Minute

	// shmDir is memory-backed on Linux. Creating a database there takes
	// ~10 ms instead of 200+ ms on a VM disk, where each of the ~300 files
	// of a new database costs a slow create; it adds up over a test suite.
	shmDir = "/dev/shm"
	// shmMinFree keeps us off a small /dev/shm (Docker's default is 64 MB),
	// where a cluster and a few test databases would not fit.
	shmMinFree = 1 << 30
)

// tempBase picks where a temp Dir goes: for a throwaway cluster the
// memory-backed /dev/shm when it is roomy and TMPDIR was not set on purpose,
// else the usual temp dir.
func tempBase(throwaway bool) string {
	if !throwaway || os.Getenv("TMPDIR") != "" {
		return os.TempDir()
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(shmDir, &st); err != nil || st.Bavail*uint64(st.Bsize) < shmMinFree {
		return os.TempDir()
	}
	if err := syscall.Access(shmDir, 0o2); err != nil { // W_OK
		return os.TempDir()
	}
	return shmDir
}

// sweepTempDirs removes temp clusters whose owner died without Stop (a test
// binary killed by -timeout, say). The server itself is gone already (it
// got Pdeathsig); this only reclaims the disk space. A dir is taken only if
// it is marked temporary, old enough and its lock is free.
func sweepTempDirs(base string, logger *slog.Logger) {
	dirs, _ := filepath.Glob(filepath.Join(base, tempPrefix+"*"))
	for _, dir := range dirs {
		fi, err := os.Stat(filepath.Join(dir, tempMarker))
		if err != nil || time.Since(fi.ModTime()) < sweepAge {
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			if err := os.RemoveAll(dir); err == nil {
				logger.Debug("removed stale temp cluster", "dir", dir)
			}
		}
		f.Close()
	}
}
