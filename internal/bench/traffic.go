package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// The simulated users' traffic of scenario 1 (also replayed against the
// child process of scenario 5): every user sends a message, waits for the
// bot's reply, sends the next... (a closed loop, as people in a chat do),
// all users at once.

type actionKind int

const (
	actText  actionKind = iota // a free-text search
	actStart                   // /start
	actPress                   // a button press on the last reply
	actHelp                    // /help
)

type action struct {
	kind actionKind
	text string
}

// traffic is what each user will send, in order.
type traffic struct {
	users []telegramtest.User
	plans [][]action
	mix   [4]int // count per actionKind
}

// searchTexts are free-text searches by language, some with typos, as
// people type them into a chat.
var searchTexts = map[string][]string{
	"de": {"Deutschkurs", "deutschkurs abends", "Beratung Aufenthalt", "Kita Platz", "Wohnung suchen", "Arbeit finden", "Sprachcafe", "Hausaufgabenhilfe", "Schuldnerberatung", "Anerkennung Abschluss"},
	"en": {"german course", "language cafe", "housing help", "childcare", "job counselling", "lawyer asylum", "integration course", "doctor appointment"},
	"ar": {"دورة لغة ألمانية", "سكن", "استشارة", "روضة أطفال", "عمل", "محامي"},
	"fa": {"کلاس زبان آلمانی", "مشاوره", "خانه", "مهد کودک", "کار"},
	"ps": {"د الماني ژبې کورس", "مشوره", "کور", "کار"},
	"uk": {"курс німецької", "житло", "консультація", "дитячий садок", "робота", "курс нимецкой"},
	"ru": {"курс немецкого", "жильё", "консультация", "детский сад", "работа", "курс немецкава"},
	"tr": {"almanca kursu", "danışmanlık", "ev arıyorum", "kreş", "iş bulmak", "almanca kurs"},
	"ku": {"kursa almanî", "şêwirdarî", "xanî", "kar"},
	"ti": {"ናይ ጀርመን ቋንቋ ትምህርቲ", "ምኽሪ", "ገዛ", "ስራሕ"},
	"ro": {"curs de germana", "consiliere", "locuinta", "gradinita", "loc de munca"},
	"vi": {"khóa học tiếng Đức", "tư vấn", "nhà ở", "nhà trẻ", "việc làm"},
}

// newTraffic spreads updates over users (ids from firstID on): 70% free
// text, 20% /start and button presses (the first two messages of every
// user are /start and a press on the language picker), 10% /help.
func newTraffic(users, updates int, firstID int64, seed uint64) *traffic {
	t := &traffic{}
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := range users {
		lang := locale.Supported[i%len(locale.Supported)]
		u := telegramtest.User{ID: firstID + int64(i), FirstName: fmt.Sprintf("User%d", i), LanguageCode: lang}
		n := updates / users
		if i < updates%users {
			n++
		}
		help := int(float64(n)*0.10 + 0.5)
		startPress := int(float64(n)*0.20 + 0.5)
		starts := max(1, startPress/4)
		presses := max(startPress-starts, 0)
		if n >= 2 && presses == 0 {
			presses = 1
		}
		texts := max(n-help-starts-presses, 0)
		var rest []action
		for range starts - 1 {
			rest = append(rest, action{kind: actStart, text: "/start"})
		}
		for range presses - 1 {
			rest = append(rest, action{kind: actPress})
		}
		for range help {
			rest = append(rest, action{kind: actHelp, text: "/help"})
		}
		pool := searchTexts[lang]
		for range texts {
			rest = append(rest, action{kind: actText, text: pool[rng.IntN(len(pool))]})
		}
		rng.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
		plan := []action{{kind: actStart, text: "/start"}}
		if presses > 0 {
			plan = append(plan, action{kind: actPress})
		}
		plan = append(plan, rest...)
		plan = plan[:min(len(plan), max(n, 1))]
		for _, a := range plan {
			t.mix[a.kind]++
		}
		t.users = append(t.users, u)
		t.plans = append(t.plans, plan)
	}
	return t
}

func (t *traffic) total() int {
	return t.mix[0] + t.mix[1] + t.mix[2] + t.mix[3]
}

// describe is e.g. "20 000 updates from 500 users (70% text, 20% /start+buttons, 10% /help)".
func (t *traffic) describe() string {
	n := t.total()
	pct := func(k int) int { return (100*k + n/2) / n }
	return fmt.Sprintf("%s updates from %s users (%d%% text, %d%% /start+buttons, %d%% /help)",
		thousands(n), thousands(len(t.users)), pct(t.mix[actText]), pct(t.mix[actStart]+t.mix[actPress]), pct(t.mix[actHelp]))
}

// reply is an answer in a user's chat.
type reply struct {
	at       time.Time
	msgID    int
	keyboard [][]telegramtest.Button
	message  bool // a message sent or edited, not a callback answer
}

// replyWatch routes the fake's calls to the users waiting for them. Its
// OnCall goes into telegramtest.Options.
type replyWatch struct {
	mu       sync.RWMutex
	chans    map[int64]chan reply
	overflow atomic.Int64
}

func newReplyWatch() *replyWatch { return &replyWatch{chans: map[int64]chan reply{}} }

func (w *replyWatch) register(chatID int64) chan reply {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := w.chans[chatID]
	if ch == nil {
		ch = make(chan reply, 16)
		w.chans[chatID] = ch
	}
	return ch
}

// answers are the calls that answer a user: a message sent or edited, or
// a pressed button answered (the spinner stops, maybe with a toast).
var answers = map[string]bool{
	"sendMessage": true, "editMessageText": true, "editMessageReplyMarkup": true,
	"sendVenue": true, "sendLocation": true, "sendDocument": true, "sendPhoto": true,
	"answerCallbackQuery": true,
}

// OnCall routes an answer to the user of its chat.
func (w *replyWatch) OnCall(c telegramtest.Call) {
	if !c.OK() || !answers[c.Method] {
		return
	}
	now := time.Now()
	w.mu.RLock()
	ch := w.chans[c.ChatID]
	w.mu.RUnlock()
	if ch == nil {
		return
	}
	select {
	case ch <- reply{at: now, msgID: c.MessageID, keyboard: c.Keyboard, message: c.Method != "answerCallbackQuery"}:
	default:
		w.overflow.Add(1)
	}
}

// driveResult is what a traffic run measured.
type driveResult struct {
	updates int
	elapsed time.Duration   // first update pushed → last reply arrived
	latency []time.Duration // per update: pushed → first answer, sorted
	extra   int             // answers beyond the first per update
	cut     bool            // the time budget ended the run early
}

func (r driveResult) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.updates) / r.elapsed.Seconds()
}

func (r driveResult) latencies() string {
	return fmt.Sprintf("p50 %s, p95 %s, p99 %s", ms(percentile(r.latency, 50)), ms(percentile(r.latency, 95)), ms(percentile(r.latency, 99)))
}

// replyTimeout is how long a user waits for an answer before the run is
// declared broken.
const replyTimeout = 60 * time.Second

// drive runs the traffic against fake and the bot behind it. A user sends
// the next update once the bot answered the previous one and confirmed it
// (for a bot that answers before it confirms, as netzbot does, all its
// calls for the update are in by then).
//
// pace, if set, is the least time between two updates of one user; after
// budget, if set, users send nothing more (a slow bot must not blow the
// run's time), and the result counts what was answered.
func drive(ctx context.Context, fake *telegramtest.Server, w *replyWatch, t *traffic, pace, budget time.Duration) (driveResult, error) {
	chans := make([]chan reply, len(t.users))
	for i, u := range t.users {
		chans[i] = w.register(u.ID)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		res      driveResult
		firstErr error
		last     time.Time
	)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range t.users {
		wg.Add(1)
		go func(u telegramtest.User, plan []action, ch chan reply) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(u.ID), 11))
			lat := make([]time.Duration, 0, len(plan))
			var prev reply
			var lastAt time.Time
			extra := 0
			fail := func(err error) {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("user %d: %w", u.ID, err)
				}
				mu.Unlock()
				cancel()
			}
			var lastPush time.Time
			for _, a := range plan {
				if budget > 0 && time.Since(start) > budget {
					break
				}
				if d := time.Until(lastPush.Add(pace)); pace > 0 && d > 0 {
					select {
					case <-time.After(d):
					case <-ctx.Done():
						return
					}
				}
				t0 := time.Now()
				lastPush = t0
				var id int64
				if a.kind == actPress {
					data := pickButton(prev.keyboard, rng)
					id = fake.SendCallback(u, prev.msgID, data)
				} else {
					id = fake.SendText(u, a.text)
				}
				timer := time.NewTimer(replyTimeout)
				select {
				case r := <-ch:
					timer.Stop()
					lat = append(lat, r.at.Sub(t0))
					lastAt = r.at
					if r.message {
						prev = r
					}
				case <-timer.C:
					fail(fmt.Errorf("no reply to %q within %s", a.text, replyTimeout))
					return
				case <-ctx.Done():
					timer.Stop()
					return
				}
				wctx, wcancel := context.WithTimeout(ctx, replyTimeout)
				err := fake.WaitHandled(wctx, id)
				wcancel()
				if err != nil {
					if ctx.Err() == nil {
						fail(err)
					}
					return
				}
			drain:
				for {
					select {
					case r := <-ch:
						if r.message {
							prev = r
						}
						lastAt = r.at
						extra++
					default:
						break drain
					}
				}
			}
			mu.Lock()
			res.latency = append(res.latency, lat...)
			res.extra += extra
			if lastAt.After(last) {
				last = lastAt
			}
			mu.Unlock()
		}(t.users[i], t.plans[i], chans[i])
	}
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	res.updates = len(res.latency)
	res.elapsed = last.Sub(start)
	res.cut = res.updates < t.total()
	sortDurations(res.latency)
	return res, nil
}

// pickButton chooses a button with callback data on the last reply, or
// presses "menu:help" on a reply without buttons (the echo bot's).
func pickButton(kb [][]telegramtest.Button, rng *rand.Rand) string {
	var data []string
	for _, row := range kb {
		for _, b := range row {
			if b.CallbackData != "" {
				data = append(data, b.CallbackData)
			}
		}
	}
	if len(data) == 0 {
		return "menu:help"
	}
	return data[rng.IntN(len(data))]
}

// thousands formats n as "20 000".
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 10000 {
		return s
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return string(out)
}
