package telegram

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// Work handed over one after the other runs on the same parked goroutine,
// work at once on as many as needed, and stop ends the parked ones.
func TestWorkersReuseParkedGoroutines(t *testing.T) {
	w := newWorkers(time.Minute)
	base := runtime.NumGoroutine()
	for range 50 {
		done := make(chan struct{})
		w.run(func() { close(done) })
		<-done
		time.Sleep(time.Millisecond) // parked again
	}
	if n := runtime.NumGoroutine() - base; n > 2 {
		t.Errorf("%d goroutines for work done one after the other, want 1", n)
	}
	var wg sync.WaitGroup
	release := make(chan struct{})
	for range 10 {
		wg.Add(1)
		w.run(func() { defer wg.Done(); <-release })
	}
	close(release)
	wg.Wait()
	w.stop()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left after stop", runtime.NumGoroutine()-base)
		}
		time.Sleep(time.Millisecond)
	}
}
