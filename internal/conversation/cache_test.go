package conversation_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/user"
)

// memStore is a SessionStore whose sessions carry a version, bumped by
// change; the real store is tested in internal/postgres.
type memStore struct {
	mu       sync.Mutex
	version  map[int64]int
	active   map[int64]bool
	opens    atomic.Int64
	gate     chan struct{} // if set, Open reads, then waits for it
	inflight chan struct{} // if set, told when Open has read
}

func newMemStore() *memStore {
	return &memStore{version: map[int64]int{}, active: map[int64]bool{}}
}

func (m *memStore) change(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.version[id]++
}

func (m *memStore) Open(_ context.Context, id int64, lang string) (*conversation.Session, error) {
	m.opens.Add(1)
	m.mu.Lock()
	v := m.version[id]
	active, known := m.active[id]
	if !known || !active {
		m.active[id] = true // touching reactivates
	}
	m.mu.Unlock()
	if m.inflight != nil {
		m.inflight <- struct{}{}
	}
	if m.gate != nil {
		<-m.gate
	}
	return &conversation.Session{
		User:  &user.User{ID: id, Language: "de", TelegramLanguage: lang, Active: true},
		State: conversation.State{Flow: "search", Step: fmt.Sprint(v), Data: map[string]string{"v": fmt.Sprint(v)}},
	}, nil
}

func version(t *testing.T, c *conversation.Cache, id int64) string {
	t.Helper()
	s, err := c.Open(t.Context(), id, "de")
	if err != nil {
		t.Fatal(err)
	}
	return s.State.Step
}

func TestCacheKeepsNothingUntilLive(t *testing.T) {
	m := newMemStore()
	c := &conversation.Cache{Store: m}
	version(t, c, 1)
	version(t, c, 1)
	if n := m.opens.Load(); n != 2 {
		t.Fatalf("store opened %d times, want 2 (not live)", n)
	}
	c.SetLive(true)
	version(t, c, 1)
	version(t, c, 1)
	if n := m.opens.Load(); n != 3 {
		t.Fatalf("store opened %d times, want 3 (live: the second from memory)", n)
	}
	if h, miss := c.Stats(); h != 1 || miss != 1 {
		t.Errorf("stats %d hits %d misses, want 1 1", h, miss)
	}
	c.SetLive(false)
	version(t, c, 1)
	if n := m.opens.Load(); n != 4 {
		t.Fatalf("store opened %d times, want 4 (no longer live: nothing kept)", n)
	}
}

func TestCacheHandsOutCopies(t *testing.T) {
	c := &conversation.Cache{Store: newMemStore()}
	c.SetLive(true)
	a, _ := c.Open(t.Context(), 1, "de")
	a.User.Language = "ar"
	a.State.Data["v"] = "changed by a handler"
	a.State.Step = "x"
	b, _ := c.Open(t.Context(), 1, "de")
	if b.User.Language != "de" || b.State.Data["v"] != "0" || b.State.Step != "0" {
		t.Errorf("a handler's changes leaked into the kept session: %+v %+v", b.User, b.State)
	}
}

func TestCacheForgetsChangedSessions(t *testing.T) {
	m := newMemStore()
	c := &conversation.Cache{Store: m}
	c.SetLive(true)
	version(t, c, 1)
	version(t, c, 2)
	m.change(1)
	m.change(2)
	c.Forget(1)
	if v := version(t, c, 1); v != "1" {
		t.Errorf("after Forget: version %s, want 1", v)
	}
	if v := version(t, c, 2); v != "0" {
		t.Errorf("user 2 was not forgotten and is kept: version %s, want the kept 0", v)
	}
	c.ForgetAll()
	if v := version(t, c, 2); v != "1" {
		t.Errorf("after ForgetAll: version %s, want 1", v)
	}
}

// A session changed by Telegram's side (another language, the user
// unblocked the bot) goes to the store, which touches the user.
func TestCacheLetsTheStoreTouch(t *testing.T) {
	m := newMemStore()
	c := &conversation.Cache{Store: m}
	c.SetLive(true)
	version(t, c, 1)
	if _, err := c.Open(t.Context(), 1, "uk"); err != nil {
		t.Fatal(err)
	}
	if n := m.opens.Load(); n != 2 {
		t.Errorf("another Telegram language was answered from memory (%d store opens)", n)
	}
}

// A load that read before a change and finishes after the change was
// announced must not keep what it read.
func TestCacheDoesNotKeepALoadOlderThanAForget(t *testing.T) {
	for _, tc := range []struct {
		name   string
		forget func(c *conversation.Cache)
	}{
		{"forget the user", func(c *conversation.Cache) { c.Forget(1) }},
		{"forget all", func(c *conversation.Cache) { c.ForgetAll() }},
		// Size 1: the mark for user 1 is evicted by the one for user 2;
		// the load cannot tell, so it must not keep.
		{"mark evicted", func(c *conversation.Cache) { c.Forget(1); c.Forget(2) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMemStore()
			m.gate, m.inflight = make(chan struct{}), make(chan struct{})
			c := &conversation.Cache{Store: m, Size: 1}
			c.SetLive(true)
			done := make(chan string)
			go func() {
				s, _ := c.Open(context.Background(), 1, "de")
				done <- s.State.Step
			}()
			<-m.inflight // the load has read version 0
			m.change(1)
			tc.forget(c)
			m.gate <- struct{}{}
			if v := <-done; v != "0" {
				t.Fatalf("the load returned %s, want what it read (0)", v)
			}
			m.gate, m.inflight = nil, nil
			if v := version(t, c, 1); v != "1" {
				t.Errorf("next open: version %s, want 1: the stale load was kept", v)
			}
		})
	}
}

func TestCacheExpires(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	m := newMemStore()
	c := &conversation.Cache{Store: m, TTL: time.Minute, Now: func() time.Time { return now }}
	c.SetLive(true)
	version(t, c, 1)
	now = now.Add(59 * time.Second)
	version(t, c, 1)
	now = now.Add(2 * time.Second)
	version(t, c, 1)
	if n := m.opens.Load(); n != 2 {
		t.Errorf("store opened %d times, want 2 (kept for a minute)", n)
	}
}

// Under concurrent opens and changes, an open that starts after Forget
// returned always sees the change (run with -race).
func TestCacheConcurrentChanges(t *testing.T) {
	m := newMemStore()
	c := &conversation.Cache{Store: m, Size: 8}
	c.SetLive(true)
	ctx := t.Context()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, _ = c.Open(ctx, int64((r+i)%12), "de")
			}
		}()
	}
	for i := range 2000 {
		id := int64(i % 12)
		m.change(id)
		c.Forget(id)
		m.mu.Lock()
		want := fmt.Sprint(m.version[id])
		m.mu.Unlock()
		if got := version(t, c, id); got != want {
			t.Fatalf("change %d of user %d: open after Forget saw version %s, want %s", i, id, got, want)
		}
	}
	close(stop)
	wg.Wait()
}
