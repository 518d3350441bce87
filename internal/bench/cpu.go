package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuSample is CPU time used so far by this process (bot, fake Bot API and
// simulated users alike) and by the PostgreSQL cluster.
type cpuSample struct {
	at      time.Time
	self    time.Duration
	pg      time.Duration
	pgKnown bool
}

// cpuNow samples CPU times. PostgreSQL's is the postmaster's (with its
// exited children) plus its running backends', read from /proc.
func (e *Env) cpuNow() cpuSample {
	s := cpuSample{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if e.Cluster == nil {
		return s
	}
	data, err := os.ReadFile(filepath.Join(e.Cluster.DataDir(), "postmaster.pid"))
	if err != nil {
		return s
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(data), "\n", 2)[0]))
	if err != nil {
		return s
	}
	if _, ticks, ok := procCPU(pm, true); ok {
		s.pg, s.pgKnown = ticks, true
	}
	entries, _ := os.ReadDir("/proc")
	for _, ent := range entries {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil || pid == pm {
			continue
		}
		if ppid, ticks, ok := procCPU(pid, false); ok && ppid == pm {
			s.pg += ticks
		}
	}
	return s
}

// clockTick is USER_HZ, 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// procCPU reads a process's parent and CPU time (with its reaped
// children's if withChildren) from /proc/<pid>/stat.
func procCPU(pid int, withChildren bool) (ppid int, cpu time.Duration, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	// The command name may contain spaces; fields start after its ')'.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 15 {
		return 0, 0, false
	}
	// f[0] is state (field 3): ppid is field 4, utime..cstime fields 14-17.
	ppid, _ = strconv.Atoi(f[1])
	n := 2
	if withChildren {
		n = 4
	}
	var ticks int64
	for _, s := range f[11 : 11+n] {
		v, _ := strconv.ParseInt(s, 10, 64)
		ticks += v
	}
	return ppid, time.Duration(ticks) * clockTick, true
}

// cpuUse is what happened between two samples.
type cpuUse struct {
	wall, self, pg time.Duration
	pgKnown        bool
}

func (u cpuUse) add(v cpuUse) cpuUse {
	known := v.pgKnown && (u.pgKnown || u.wall == 0)
	return cpuUse{wall: u.wall + v.wall, self: u.self + v.self, pg: u.pg + v.pg, pgKnown: known}
}

func (a cpuSample) to(b cpuSample) cpuUse {
	return cpuUse{wall: b.at.Sub(a.at), self: b.self - a.self, pg: b.pg - a.pg, pgKnown: a.pgKnown && b.pgKnown}
}

// perOp is the CPU time per operation, e.g. "0.45 ms (+0.12 ms PostgreSQL)".
func (u cpuUse) perOp(n int) string {
	if n <= 0 {
		return "—"
	}
	s := ms(u.self / time.Duration(n))
	if u.pgKnown {
		s += " + " + ms(u.pg/time.Duration(n)) + " PostgreSQL"
	}
	return s
}

// busy is the share of the machine's CPUs the measured work kept busy.
func (u cpuUse) busy() string {
	if u.wall <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%% of %d CPUs", 100*float64(u.self+u.pg)/float64(u.wall)/float64(runtime.NumCPU()), runtime.NumCPU())
}

// quiesce waits (at most 5 s) until PostgreSQL and this process have been
// nearly idle for a tenth of a second: a round must not share the machine
// with what the previous one left behind (autovacuum after a round's
// writes, the dropped database, a finished bot still closing).
func (e *Env) quiesce() {
	const window = 100 * time.Millisecond
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		a := e.cpuNow()
		time.Sleep(window)
		u := a.to(e.cpuNow())
		if u.pg+u.self <= window/10 {
			return
		}
	}
}
