package telegram

import (
	"sync"
	"time"
)

// workers run the per-chat work of the poller on goroutines that are kept
// for a while after they finish. Handling an update goes deep (database,
// HTTP, JSON): a fresh goroutine grows its stack several times, copying it
// each time, for every update, which cost a tenth of the bot's CPU; a
// parked goroutine has its stack grown already.
type workers struct {
	idle     chan func() // unbuffered: a send succeeds only to a parked goroutine
	keep     time.Duration
	stopOnce sync.Once
	stopped  chan struct{}
}

func newWorkers(keep time.Duration) *workers {
	return &workers{idle: make(chan func()), keep: keep, stopped: make(chan struct{})}
}

// run starts f on a parked goroutine, or on a new one if none is idle.
func (w *workers) run(f func()) {
	select {
	case w.idle <- f:
	default:
		go w.loop(f)
	}
}

func (w *workers) loop(f func()) {
	t := time.NewTimer(w.keep)
	defer t.Stop()
	for {
		f()
		t.Reset(w.keep)
		select {
		case f = <-w.idle:
		case <-t.C:
			return
		case <-w.stopped:
			return
		}
	}
}

// stop lets the parked goroutines end; work already handed over finishes.
func (w *workers) stop() { w.stopOnce.Do(func() { close(w.stopped) }) }
