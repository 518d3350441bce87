package demo

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// Clock is the demo bot's clock: real time plus an offset that /clock
// moves forward, so a person can watch reminders come due without waiting.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	loc    *time.Location
}

// NewClock returns a clock showing times in loc (local time if nil).
func NewClock(loc *time.Location) *Clock {
	if loc == nil {
		loc = time.Local
	}
	return &Clock{loc: loc}
}

// Now is the demo's time; pass it as the app's clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

var clockRe = regexp.MustCompile(`^\+?(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?$`)

// ParseAdvance reads "+1d", "+2h", "+1d2h", "+30m".
func ParseAdvance(s string) (time.Duration, bool) {
	m := clockRe.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil || (m[1] == "" && m[2] == "" && m[3] == "") {
		return 0, false
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] != "" {
			n, err := strconv.Atoi(m[i+1])
			if err != nil || n > 10000 {
				return 0, false
			}
			d += time.Duration(n) * unit
		}
	}
	return d, true
}

// clock handles "/clock [+1d]": move the clock, deliver what became due
// and show it.
func (s *Session) clock(ctx context.Context, arg string) error {
	if arg != "" {
		d, ok := ParseAdvance(arg)
		if !ok {
			fmt.Fprintln(s.opt.Out, s.color("(usage: /clock +1d, /clock +2h, /clock +1d2h, /clock +30m)", "2"))
			return nil
		}
		// Step through the time like the worker would (it looks every
		// 15 s), so that every reminder comes at its time and none is
		// skipped because its meeting began before the jump ended.
		for d > 0 {
			step := min(d, clockStep)
			s.opt.Clock.Advance(step)
			d -= step
			if err := s.deliver(ctx, true); err != nil {
				return err
			}
		}
	}
	fmt.Fprintln(s.opt.Out, s.color("🕒 demo time: "+s.now(), "33"))
	return s.deliver(ctx, false)
}

// clockStep is how far /clock moves between two deliveries.
const clockStep = 5 * time.Minute

func (s *Session) now() string {
	return s.opt.Clock.Now().In(s.opt.Clock.loc).Format("Mon 2006-01-02 15:04 MST")
}

// deliver sends what is due and prints it: to the demo user as usual, to
// everyone else as "→ to <name>: …".
// With stamp, a line with the demo time comes first if anything was sent.
func (s *Session) deliver(ctx context.Context, stamp bool) error {
	if s.opt.Deliver == nil {
		return nil
	}
	mark := s.opt.Server.Mark()
	if err := s.opt.Deliver(ctx); err != nil {
		return fmt.Errorf("deliver notifications: %w", err)
	}
	var mine []telegramtest.Call
	for i, c := range s.opt.Server.CallsSince(mark) {
		if i == 0 && stamp {
			fmt.Fprintln(s.opt.Out, s.color("🕒 "+s.now(), "33"))
		}
		if !c.OK() {
			continue
		}
		if c.ChatID == s.opt.User.ID {
			mine = append(mine, c)
			continue
		}
		if c.Method != "sendMessage" && c.Method != "sendDocument" {
			continue
		}
		name := s.opt.Names[c.ChatID]
		if name == "" {
			name = strconv.FormatInt(c.ChatID, 10)
		}
		text := strings.ReplaceAll(PlainText(c.Text), "\n", "\n    ")
		fmt.Fprintln(s.opt.Out, s.color("→ to "+name+": ", "35")+text)
		var labels []string
		for _, row := range c.Keyboard {
			for _, b := range row {
				labels = append(labels, b.Text)
			}
		}
		if len(labels) > 0 {
			fmt.Fprintln(s.opt.Out, s.color("    ["+strings.Join(labels, " | ")+"]", "2"))
		}
	}
	if len(mine) > 0 {
		s.print(mine)
	}
	return nil
}
