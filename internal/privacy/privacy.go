// Package privacy is the registry of personal data: every store that keeps
// something about a user contributes a section, so that /mydata can export
// and /deletemydata can erase all of it without knowing the features, and
// the retention job that forgets old data on schedule.
//
// A feature adds its data with one line in internal/app/privacy.go:
//
//	reg.Register("bookings", &postgres.BookingPrivacy{Pool: pool, …})
//
// and its retention rule with one more:
//
//	ret.Register(privacy.RetentionTask{Name: "bookings", Keep: cfg.BookingRetention, Run: …})
package privacy

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// PersonalData is one store's share of what is kept about a user.
type PersonalData interface {
	// Export returns everything the store keeps about the user as
	// JSON-encodable values; an empty or nil map when there is nothing.
	// It must not include other people's personal data (a counsellor's
	// phone number is fine, it is meant for the client; another client's
	// name is not).
	Export(ctx context.Context, userID int64) (map[string]any, error)
	// Erase deletes or anonymises the user's data so that nothing left
	// identifies them, and says what it did as counts by item name
	// ("bookings_cancelled": 2), which the bot turns into a localized
	// summary. It must be idempotent: a failed erasure is simply run again.
	Erase(ctx context.Context, userID int64) (Counts, error)
}

// Counts says how many items of each kind an erasure touched.
type Counts map[string]int

// Add adds other to c.
func (c Counts) Add(other Counts) {
	for k, v := range other {
		c[k] += v
	}
}

// Registry holds the sections in registration order. Erase runs them in
// reverse order, so the profile (registered first) goes last: if anything
// fails before, the user still exists and can simply try again.
type Registry struct {
	mu       sync.RWMutex
	sections []section
}

type section struct {
	name string
	data PersonalData
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// Register adds a section under name, the key of its part in the export.
// Registering a name twice replaces the earlier section.
func (r *Registry) Register(name string, p PersonalData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, s := range r.sections {
		if s.name == name {
			r.sections[i].data = p
			return
		}
	}
	r.sections = append(r.sections, section{name, p})
}

// Names lists the registered sections in registration order.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.sections))
	for _, s := range r.sections {
		out = append(out, s.name)
	}
	return out
}

func (r *Registry) snapshot() []section {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]section(nil), r.sections...)
}

// Export is the document /mydata sends: when it was made, for whom, and
// every non-empty section by name.
type Export struct {
	GeneratedAt time.Time                 `json:"generated_at"`
	TelegramID  int64                     `json:"telegram_user_id"`
	Sections    map[string]map[string]any `json:"data"`
}

// Export collects every section's data about the user.
func (r *Registry) Export(ctx context.Context, userID int64, now time.Time) (*Export, error) {
	out := &Export{GeneratedAt: now.UTC(), TelegramID: userID, Sections: map[string]map[string]any{}}
	for _, s := range r.snapshot() {
		m, err := s.data.Export(ctx, userID)
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", s.name, err)
		}
		if len(m) > 0 {
			out.Sections[s.name] = m
		}
	}
	return out, nil
}

// Erase runs every section's erasure, last registered first, and returns
// the combined counts. It stops at the first error: erasure is idempotent,
// and the profile, which goes last, is still there to try again.
func (r *Registry) Erase(ctx context.Context, userID int64) (Counts, error) {
	total := Counts{}
	secs := r.snapshot()
	for i := len(secs) - 1; i >= 0; i-- {
		c, err := secs[i].data.Erase(ctx, userID)
		if err != nil {
			return total, fmt.Errorf("erase %s: %w", secs[i].name, err)
		}
		total.Add(c)
	}
	return total, nil
}

// RetentionTask forgets one kind of data once it is older than Keep.
type RetentionTask struct {
	// Name is used in logs: "bookings", "search_log".
	Name string
	// Keep is how long the data is kept; zero or negative disables the task.
	Keep time.Duration
	// Run deletes or anonymises everything older than cutoff and returns
	// how many rows it touched.
	Run func(ctx context.Context, cutoff time.Time) (int, error)
}

// Retention is the registry of retention tasks the daily job runs.
type Retention struct {
	mu    sync.Mutex
	tasks []RetentionTask
}

// Register adds a task; a task with the same name replaces the earlier one.
func (r *Retention) Register(t RetentionTask) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, old := range r.tasks {
		if old.Name == t.Name {
			r.tasks[i] = t
			return
		}
	}
	r.tasks = append(r.tasks, t)
}

// Tasks lists the registered tasks sorted by name.
func (r *Retention) Tasks() []RetentionTask {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]RetentionTask(nil), r.tasks...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Result is what one retention task did in one run.
type Result struct {
	Name   string
	Cutoff time.Time
	Count  int
	Err    error
}

// Run runs every enabled task once with cutoff now minus its Keep. A
// failing task does not stop the others; their errors are joined.
func (r *Retention) Run(ctx context.Context, now time.Time) ([]Result, error) {
	var results []Result
	var errs []error
	for _, t := range r.Tasks() {
		if t.Keep <= 0 || t.Run == nil {
			continue
		}
		res := Result{Name: t.Name, Cutoff: now.Add(-t.Keep)}
		res.Count, res.Err = runTask(ctx, t, res.Cutoff)
		if res.Err != nil {
			errs = append(errs, fmt.Errorf("retention %s: %w", t.Name, res.Err))
		}
		results = append(results, res)
	}
	return results, errors.Join(errs...)
}

// runTask runs one task, turning a panic into its error so that the other
// tasks still run.
func runTask(ctx context.Context, t RetentionTask, cutoff time.Time) (n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			n, err = 0, fmt.Errorf("panic: %v", p)
		}
	}()
	return t.Run(ctx, cutoff)
}
