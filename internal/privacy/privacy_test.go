package privacy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

type fake struct {
	name string
	log  *[]string
	fail bool
	data map[string]any
}

func (f fake) Export(context.Context, int64) (map[string]any, error) {
	if f.fail {
		return nil, errors.New("down")
	}
	return f.data, nil
}

func (f fake) Erase(context.Context, int64) (Counts, error) {
	*f.log = append(*f.log, f.name)
	if f.fail {
		return nil, errors.New("down")
	}
	return Counts{f.name: 1}, nil
}

func TestRegistryErasesLastRegisteredFirstAndStopsAtAnError(t *testing.T) {
	var log []string
	r := NewRegistry()
	r.Register("profile", fake{name: "profile", log: &log, data: map[string]any{"id": 1}})
	r.Register("bookings", fake{name: "bookings", log: &log})
	r.Register("offers", fake{name: "offers", log: &log, data: map[string]any{"f": true}})
	counts, err := r.Erase(context.Background(), 1)
	if err != nil || strings.Join(log, ",") != "offers,bookings,profile" || counts["profile"] != 1 {
		t.Errorf("erase: %v %v %v", log, counts, err)
	}
	exp, err := r.Export(context.Background(), 1, time.Unix(0, 0))
	if err != nil || len(exp.Sections) != 2 || exp.Sections["bookings"] != nil {
		t.Errorf("export keeps non-empty sections only: %+v %v", exp, err)
	}
	log = nil
	r.Register("bookings", fake{name: "bookings", log: &log, fail: true}) // replaces
	if _, err := r.Erase(context.Background(), 1); err == nil || strings.Join(log, ",") != "offers,bookings" {
		t.Errorf("a failing section must stop the erasure before the profile: %v %v", log, err)
	}
	if _, err := r.Export(context.Background(), 1, time.Now()); err == nil {
		t.Error("a failing export was not reported")
	}
}

func TestRetentionRunsEveryTaskDespiteFailures(t *testing.T) {
	var r Retention
	now := time.Date(2026, 1, 10, 3, 30, 0, 0, time.UTC)
	var got []string
	task := func(name string, keep time.Duration, err error, panics bool) RetentionTask {
		return RetentionTask{Name: name, Keep: keep, Run: func(_ context.Context, cutoff time.Time) (int, error) {
			got = append(got, fmt.Sprintf("%s<%s", name, cutoff.Format("01-02")))
			if panics {
				panic("boom")
			}
			return 3, err
		}}
	}
	r.Register(task("b", 24*time.Hour, nil, true))
	r.Register(task("a", 48*time.Hour, errors.New("full"), false))
	r.Register(task("c", 9*24*time.Hour, nil, false))
	r.Register(task("off", 0, nil, false)) // disabled
	res, err := r.Run(context.Background(), now)
	if strings.Join(got, " ") != "a<01-08 b<01-09 c<01-01" || len(res) != 3 {
		t.Errorf("ran %v, results %+v", got, res)
	}
	if err == nil || !strings.Contains(err.Error(), "full") || !strings.Contains(err.Error(), "panic: boom") {
		t.Errorf("errors not joined: %v", err)
	}
	if res[2].Count != 3 || res[2].Err != nil {
		t.Errorf("c: %+v", res[2])
	}
}
