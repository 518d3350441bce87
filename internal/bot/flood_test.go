package bot

import (
	"testing"
	"time"
)

func TestFloodGateAllowsABurstThenOneNoticeThenRefills(t *testing.T) {
	g := newFloodGate(DefaultFloodLimit)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	allowed, notices := 0, 0
	for i := 0; i < 100; i++ { // 100 updates arriving at the same moment
		ok, notice := g.check(1, now)
		if ok {
			allowed++
		}
		if notice {
			notices++
		}
	}
	if allowed != 20 || notices != 1 {
		t.Errorf("burst of 100: %d allowed, %d notices; want 20 and 1", allowed, notices)
	}
	if ok, _ := g.check(2, now); !ok {
		t.Error("another user was throttled by the first one's flood")
	}
	// Tokens come back at 2/s: half a second later one more is allowed,
	// and after the next refusal the user is told again.
	if ok, _ := g.check(1, now.Add(500*time.Millisecond)); !ok {
		t.Error("no token after 500 ms")
	}
	if _, notice := g.check(1, now.Add(500*time.Millisecond)); !notice {
		t.Error("not told again after a new flood")
	}
	if ok, _ := g.check(1, now.Add(10*time.Second)); !ok {
		t.Error("still throttled after a full refill")
	}
}
