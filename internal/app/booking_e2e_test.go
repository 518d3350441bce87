package app_test

// End-to-end tests of consultation booking (issue 4): the real bot talks
// to the spec-checking fake Bot API and a real PostgreSQL, with a clock
// the test moves; notifications are delivered by calling DeliverDue.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

var bkBerlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

func bkAt(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, bkBerlin)
	if err != nil {
		panic(err)
	}
	return t
}

type bkClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *bkClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *bkClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

type bkHarness struct {
	*apptest.Harness
	clock *bkClock
}

// startBooking runs the bot at now with the sample services, counsellors
// and hours, plus the catalog extra.
func startBooking(t *testing.T, now time.Time, cfg func(*config.Config), extra *booking.Catalog) *bkHarness {
	t.Helper()
	c := &bkClock{t: now}
	h := apptest.Start(t, apptest.Options{
		App:    func(o *app.Options) { o.Now = c.Now; o.NoWorker = true },
		Config: cfg,
	})
	cat, err := booking.ParseCatalog(bytes.NewReader(booking.SampleYAML))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := h.App.Bookings.Import(ctx, cat); err != nil {
		t.Fatal(err)
	}
	if extra != nil {
		if _, err := h.App.Bookings.Import(ctx, *extra); err != nil {
			t.Fatal(err)
		}
	}
	return &bkHarness{Harness: h, clock: c}
}

func (h *bkHarness) service(t *testing.T, externalID string) booking.Service {
	t.Helper()
	all, err := h.App.Bookings.Services(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.ExternalID == externalID {
			return s
		}
	}
	t.Fatalf("no service %s", externalID)
	return booking.Service{}
}

// linkCounsellor makes an invite for the counsellor and opens it as u.
func (h *bkHarness) linkCounsellor(t *testing.T, u telegramtest.User, externalID string) {
	t.Helper()
	raw := make([]byte, 16)
	_, _ = rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	c, err := h.App.Bookings.CreateInvite(context.Background(), externalID, sum[:], h.clock.Now().Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := apptest.Last(t, h.Say(t, u, "/start c_"+token)).Text
	if want := h.L(u.LanguageCode).T("invite_ok", "Name", c.Name); got != want {
		t.Fatalf("invite: %q, want %q", got, want)
	}
	// A token works once.
	if got := apptest.Last(t, h.Say(t, u, "/start c_"+token)).Text; got != h.L(u.LanguageCode).T("invite_invalid") {
		t.Errorf("second use of an invite: %q", got)
	}
}

// deliver runs the notification worker once and returns the messages it
// sent, by chat.
func (h *bkHarness) deliver(t *testing.T) map[int64][]telegramtest.Call {
	t.Helper()
	mark := h.Fake.Mark()
	if _, err := h.App.Bot.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := map[int64][]telegramtest.Call{}
	for _, c := range h.Fake.CallsSince(mark) {
		if c.Method == "sendMessage" && c.OK() {
			out[c.ChatID] = append(out[c.ChatID], c)
		}
	}
	return out
}

// button finds the callback data of the button whose data starts with
// prefix (or whose label is prefix).
func bkButton(t *testing.T, msg telegramtest.Call, prefix string) string {
	t.Helper()
	for _, row := range msg.Keyboard {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, prefix) || b.Text == prefix {
				return b.CallbackData
			}
		}
	}
	t.Fatalf("no button %q in %q: %+v", prefix, msg.Text, msg.Keyboard)
	return ""
}

func bkMethod(calls []telegramtest.Call, name string) (telegramtest.Call, bool) {
	for _, c := range calls {
		if c.Method == name && c.OK() {
			return c, true
		}
	}
	return telegramtest.Call{}, false
}

func bkToast(calls []telegramtest.Call) string {
	for _, c := range calls {
		if c.Method == "answerCallbackQuery" {
			s, _ := c.Params["text"].(string)
			return s
		}
	}
	return ""
}

func (h *bkHarness) bookingRow(t *testing.T, where string, args ...any) (id int64, status, lang, topic string, start time.Time) {
	t.Helper()
	err := h.DB.Pool.QueryRow(context.Background(),
		`SELECT id, status, language, topic, lower(slot) FROM bookings WHERE `+where+` ORDER BY id DESC LIMIT 1`, args...).
		Scan(&id, &status, &lang, &topic, &start)
	if err != nil {
		t.Fatalf("booking where %s: %v", where, err)
	}
	return
}

func TestBookingInArabicEndToEnd(t *testing.T) {
	h := startBooking(t, bkAt("2026-11-30 08:00"), nil, nil) // a Monday
	ar, de := h.L("ar"), h.L("de")
	counsellor := telegramtest.User{ID: 7001, FirstName: "Amira", LanguageCode: "de"}
	h.linkCounsellor(t, counsellor, "amira-haddad")
	client := telegramtest.User{ID: 8001, FirstName: "مريم", LanguageCode: "ar"}
	h.Say(t, client, "/language ar")
	mbe := h.service(t, "mbe")

	// /book lists the services held in Arabic, the others behind a button.
	list := apptest.Last(t, h.Say(t, client, "/book"))
	if list.Text != ar.T("book_choose_service") {
		t.Errorf("service list: %q", list.Text)
	}
	if got := list.Keyboard[0][0]; got.Text != mbe.Name("ar") || got.CallbackData != fmt.Sprintf("bk:s:%d", mbe.ID) {
		t.Errorf("first service button %+v", got)
	}
	bkButton(t, list, "bk:oth")
	for _, row := range list.Keyboard {
		for _, b := range row {
			if b.Text == h.service(t, "jmd").Name("ar") {
				t.Errorf("a service not held in Arabic is listed first: %q", b.Text)
			}
		}
	}

	// Service → days (held in Arabic: no language step).
	days := apptest.Last(t, h.Press(t, client, list.MessageID, bkButton(t, list, fmt.Sprintf("bk:s:%d", mbe.ID))))
	if !strings.Contains(days.Text, mbe.Name("ar")) || !strings.Contains(days.Text, locale.FSI+"العربية"+locale.PDI) {
		t.Errorf("days: %q", days.Text)
	}
	wed := bkAt("2026-12-02 00:00")
	dayData := fmt.Sprintf("bk:d:%d:ar:20261202", mbe.ID)
	if label := ar.DayMonth(wed); bkButton(t, days, dayData) == "" || !strings.Contains(fmt.Sprint(days.Keyboard), label) {
		t.Errorf("no Arabic day button %q: %+v", label, days.Keyboard)
	}
	times := apptest.Last(t, h.Press(t, client, days.MessageID, dayData))
	if !strings.Contains(times.Text, ar.Date(wed)) || !strings.Contains(times.Text, "الأربعاء") || !strings.Contains(times.Text, "ديسمبر") {
		t.Errorf("times: %q", times.Text)
	}
	// Amira: 9-12 with 45 min + 15 min buffer; the row is mirrored right to left.
	if row := times.Keyboard[0]; len(row) != 4 || row[3].Text != "09:00" || row[0].Text != "13:00" {
		t.Errorf("time row not mirrored or wrong: %+v", row)
	}
	topicAsk := apptest.Last(t, h.Press(t, client, times.MessageID, "10:00"))
	if topicAsk.Text != ar.T("book_ask_topic", "Max", 200) {
		t.Errorf("topic question: %q", topicAsk.Text)
	}
	summary := apptest.Last(t, h.Say(t, client, "تمديد الإقامة"))
	if !strings.HasPrefix(summary.Text, ar.T("book_summary")) || !strings.Contains(summary.Text, "تمديد الإقامة") || !strings.Contains(summary.Text, "Amira Haddad") {
		t.Errorf("summary: %q", summary.Text)
	}

	// Confirm: text, venue, .ics.
	calls := h.Press(t, client, summary.MessageID, bkButton(t, summary, "bk:ok:"))
	conf := apptest.Last(t, calls)
	start := bkAt("2026-12-02 10:00")
	when := ar.DateTimeRange(start, start.Add(45*time.Minute))
	if !strings.HasPrefix(conf.Text, ar.T("book_confirmed")) || !strings.Contains(conf.Text, locale.FSI+when+locale.PDI) {
		t.Errorf("confirmation without the isolated Arabic date %q: %q", when, conf.Text)
	}
	if when != "الأربعاء، 2 ديسمبر 2026، الساعة 10:00–10:45" {
		t.Errorf("Arabic date: %q", when)
	}
	venue, ok := bkMethod(calls, "sendVenue")
	if !ok || venue.Params["title"] != "Beratungszentrum am Anger" || venue.Params["address"] != "Anger 52, 99084 Erfurt" {
		t.Errorf("venue: %+v", venue)
	}
	doc, ok := bkMethod(calls, "sendDocument")
	if !ok || doc.Document == nil || !strings.HasSuffix(doc.Document.Name, ".ics") {
		t.Fatalf("no .ics: %+v", calls)
	}
	if !strings.Contains(string(doc.Document.Data), "DTSTART;TZID=Europe/Berlin:20261202T100000\r\n") {
		t.Errorf(".ics DTSTART:\n%s", doc.Document.Data)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(doc.Document.Data))
	if err != nil || len(cal.Events()) != 1 {
		t.Fatalf(".ics does not parse: %v", err)
	}
	ev := cal.Events()[0]
	if got, err := ev.GetStartAt(); err != nil || !got.Equal(start) {
		t.Errorf(".ics start %v %v, want %v", got, err, start)
	}
	if got, _ := ev.GetEndAt(); !got.Equal(start.Add(45 * time.Minute)) {
		t.Errorf(".ics end %v", got)
	}
	if p := ev.GetProperty(ics.ComponentPropertySummary); p == nil || p.Value != mbe.Name("ar") {
		t.Errorf(".ics summary %+v", p)
	}
	id, status, lang, topic, _ := h.bookingRow(t, "client_id = $1", client.ID)
	if status != "booked" || lang != "ar" || topic != "تمديد الإقامة" {
		t.Errorf("stored: %s %s %q", status, lang, topic)
	}

	// The counsellor hears of it at once, in German.
	got := h.deliver(t)
	if n := got[counsellor.ID]; len(n) != 1 || !strings.HasPrefix(n[0].Text, de.T("notice_new")) || !strings.Contains(n[0].Text, "مريم") || !strings.Contains(n[0].Text, "العربية") {
		t.Errorf("counsellor notice: %+v", n)
	}
	if len(got[client.ID]) != 0 {
		t.Errorf("client got %d messages before any reminder was due", len(got[client.ID]))
	}

	// The 24 h reminder: not a second early, once at its time, in Arabic.
	h.clock.Set(start.Add(-24*time.Hour - time.Second))
	if got := h.deliver(t); len(got[client.ID]) != 0 {
		t.Fatalf("reminder early: %+v", got[client.ID])
	}
	h.clock.Set(start.Add(-24 * time.Hour))
	got = h.deliver(t)
	if r := got[client.ID]; len(r) != 1 || !strings.HasPrefix(r[0].Text, ar.T("reminder_title", "When", ar.DateTime(start))) {
		t.Fatalf("reminder: %+v", got[client.ID])
	}
	reminder := got[client.ID][0]
	if got := h.deliver(t); len(got[client.ID]) != 0 {
		t.Errorf("reminder sent twice")
	}
	calls = h.Press(t, client, reminder.MessageID, bkButton(t, reminder, "mb:here:"))
	if bkToast(calls) != ar.T("mb_see_you") {
		t.Errorf("I'll be there: %+v", calls)
	}

	// Cancel with confirmation, 3 h before: the 1 h reminder is not sent.
	h.clock.Set(start.Add(-3 * time.Hour))
	mine := h.Say(t, client, "/mybookings")
	msgs := apptest.Messages(mine)
	if len(msgs) != 2 || msgs[0].Text != ar.T("mb_title") {
		t.Fatalf("/mybookings: %+v", msgs)
	}
	card := msgs[1]
	if row := card.Keyboard[0]; !strings.HasPrefix(row[0].CallbackData, "mb:x:") || !strings.HasPrefix(row[1].CallbackData, "mb:rs:") {
		t.Errorf("buttons not mirrored right to left: %+v", row)
	}
	ask := apptest.Last(t, h.Press(t, client, card.MessageID, fmt.Sprintf("mb:x:%d", id)))
	if !strings.HasPrefix(ask.Text, ar.T("mb_cancel_confirm")) {
		t.Errorf("cancel question: %q", ask.Text)
	}
	if _, st, _, _, _ := h.bookingRow(t, "id = $1", id); st != "booked" {
		t.Fatalf("cancelled before the confirmation")
	}
	done := apptest.Last(t, h.Press(t, client, ask.MessageID, fmt.Sprintf("mb:xy:%d", id)))
	if !strings.HasPrefix(done.Text, ar.T("mb_cancelled")) {
		t.Errorf("cancelled: %q", done.Text)
	}
	if _, st, _, _, _ := h.bookingRow(t, "id = $1", id); st != "cancelled" {
		t.Errorf("status after cancel: %s", st)
	}
	got = h.deliver(t)
	if n := got[counsellor.ID]; len(n) != 1 || !strings.HasPrefix(n[0].Text, de.T("notice_cancelled")) {
		t.Errorf("counsellor cancel notice: %+v", n)
	}
	h.clock.Set(start.Add(-time.Hour))
	if got := h.deliver(t); len(got[client.ID]) != 0 {
		t.Errorf("reminder sent after cancellation: %+v", got[client.ID])
	}
	if msg := apptest.Last(t, h.Say(t, client, "/mybookings")); msg.Text != ar.T("mb_none") {
		t.Errorf("/mybookings after cancel: %q", msg.Text)
	}
}

func TestBookingInUkrainianRescheduleWaitlistAndTampering(t *testing.T) {
	// One counsellor speaking Ukrainian with three slots a week: Tuesday
	// 10:00 and Thursday 10:00 and 11:00; bookable 7 days ahead.
	tue, _ := booking.ParseClock("10:00")
	eleven, _ := booking.ParseClock("11:00")
	noon, _ := booking.ParseClock("12:00")
	extra := booking.Catalog{
		Services: []booking.ServiceSpec{{Service: booking.Service{
			ExternalID: "recht-uk", Names: map[string]string{"de": "Rechtsberatung", "uk": "Юридична консультація"},
			Descriptions: map[string]string{}, Duration: time.Hour, Languages: []string{"uk", "de"}, Phone: "+49 361 5550199",
		}}},
		Counsellors: []booking.CounsellorSpec{{
			Counsellor: booking.Counsellor{ExternalID: "oksana", Name: "Oksana Melnyk", Languages: []string{"uk", "de"}, Phone: "+49 361 5550177",
				Rules: []booking.Rule{{Weekday: time.Tuesday, From: tue, To: eleven}, {Weekday: time.Thursday, From: tue, To: noon}}},
			Services: []string{"recht-uk"},
		}},
	}
	h := startBooking(t, bkAt("2026-11-30 08:00"), func(c *config.Config) { c.Booking = config.Booking{HorizonDays: 7} }, &extra)
	uk := h.L("uk")
	svc := h.service(t, "recht-uk")
	ctx := context.Background()
	users := map[string]telegramtest.User{}
	for i, name := range []string{"Oksana", "Taras", "Olha", "Petro", "Iryna", "Maksym"} {
		u := telegramtest.User{ID: int64(9000 + i), FirstName: name, LanguageCode: "uk"}
		users[name] = u
		h.Say(t, u, "/language uk")
	}
	counsellor, taras, olha, petro, iryna, maksym := users["Oksana"], users["Taras"], users["Olha"], users["Petro"], users["Iryna"], users["Maksym"]
	h.linkCounsellor(t, counsellor, "oksana")
	thu10, thu11, tue10 := bkAt("2026-12-03 10:00"), bkAt("2026-12-03 11:00"), bkAt("2026-12-01 10:00")

	// Olha books Thursday 11:00, skipping the topic.
	list := apptest.Last(t, h.Say(t, olha, "/book"))
	days := apptest.Last(t, h.Press(t, olha, list.MessageID, fmt.Sprintf("bk:s:%d", svc.ID)))
	if !strings.Contains(days.Text, "Юридична консультація") {
		t.Fatalf("days: %q", days.Text)
	}
	times := apptest.Last(t, h.Press(t, olha, days.MessageID, uk.DayMonth(thu10)))
	if !strings.Contains(times.Text, "четвер, 3 грудня 2026 р.") {
		t.Errorf("Ukrainian date: %q", times.Text)
	}
	ask := apptest.Last(t, h.Press(t, olha, times.MessageID, "11:00"))
	summary := apptest.Last(t, h.Press(t, olha, ask.MessageID, uk.T("book_button_skip")))
	conf := apptest.Last(t, h.Press(t, olha, summary.MessageID, bkButton(t, summary, "bk:ok:")))
	if !strings.HasPrefix(conf.Text, uk.T("book_confirmed")) || !strings.Contains(conf.Text, "четвер, 3 грудня 2026 р., з 11:00 до 12:00") {
		t.Errorf("Ukrainian confirmation: %q", conf.Text)
	}
	olhaOld, _, _, _, _ := h.bookingRow(t, "client_id = $1", olha.ID)
	got := h.deliver(t)
	if n := got[counsellor.ID]; len(n) != 1 || !strings.HasPrefix(n[0].Text, uk.T("notice_new")) {
		t.Errorf("counsellor notice in Ukrainian: %+v", n)
	}

	// She moves it to 10:00: one transaction, the old one released.
	cards := apptest.Messages(h.Say(t, olha, "/mybookings"))
	resDays := apptest.Last(t, h.Press(t, olha, cards[1].MessageID, fmt.Sprintf("mb:rs:%d", olhaOld)))
	if !strings.HasPrefix(resDays.Text, uk.T("mb_reschedule_choose_day", "When", uk.DateTime(thu11), "From", uk.DayMonth(bkAt("2026-11-30 00:00")), "To", uk.DayMonth(bkAt("2026-12-06 00:00")))) {
		t.Errorf("reschedule calendar: %q", resDays.Text)
	}
	resTimes := apptest.Last(t, h.Press(t, olha, resDays.MessageID, uk.DayMonth(thu10)))
	for _, row := range resTimes.Keyboard {
		for _, b := range row {
			if b.Text == "11:00" {
				t.Errorf("the booking being moved is offered as a new time")
			}
		}
	}
	resSum := apptest.Last(t, h.Press(t, olha, resTimes.MessageID, "10:00"))
	moved := apptest.Last(t, h.Press(t, olha, resSum.MessageID, bkButton(t, resSum, "rs:ok:")))
	if !strings.HasPrefix(moved.Text, uk.T("mb_rescheduled")) {
		t.Errorf("rescheduled: %q", moved.Text)
	}
	olhaID, st, _, _, start := h.bookingRow(t, "client_id = $1 AND status = 'booked'", olha.ID)
	var from int64
	_ = h.DB.Pool.QueryRow(ctx, `SELECT coalesce(rescheduled_from, 0) FROM bookings WHERE id = $1`, olhaID).Scan(&from)
	if _, oldSt, _, _, _ := h.bookingRow(t, "id = $1", olhaOld); oldSt != "cancelled" || st != "booked" || !start.Equal(thu10) || from != olhaOld {
		t.Errorf("after reschedule: old %s, new %s at %v from %d", oldSt, st, start, from)
	}
	var pendingOld int
	_ = h.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE status = 'pending' AND key LIKE $1`, fmt.Sprintf("booking:%d:reminder:%%", olhaOld)).Scan(&pendingOld)
	if pendingOld != 0 {
		t.Errorf("%d reminders of the old time still pending", pendingOld)
	}
	if n := h.deliver(t)[counsellor.ID]; len(n) != 1 || !strings.HasPrefix(n[0].Text, uk.T("notice_moved", "When", uk.DateTime(thu11))) {
		t.Errorf("counsellor move notice: %+v", n)
	}

	// "Just taken": Taras is at the summary of Thursday 11:00 when Maksym
	// gets it first.
	list = apptest.Last(t, h.Say(t, taras, "/book"))
	days = apptest.Last(t, h.Press(t, taras, list.MessageID, fmt.Sprintf("bk:s:%d", svc.ID)))
	times = apptest.Last(t, h.Press(t, taras, days.MessageID, uk.DayMonth(thu10)))
	ask = apptest.Last(t, h.Press(t, taras, times.MessageID, "11:00"))
	summary = apptest.Last(t, h.Say(t, taras, "Посвідка на проживання"))
	if _, _, err := (&booking.Booker{Store: h.App.Bookings, Policy: h.App.Bookings.Policy, Now: h.clock.Now}).Book(ctx, svc,
		booking.Request{CounsellorID: bkCounsellorID(t, h, "oksana"), ClientID: maksym.ID, ClientName: "Maksym", Language: "uk", Start: thu11}); err != nil {
		t.Fatal(err)
	}
	taken := apptest.Last(t, h.Press(t, taras, summary.MessageID, bkButton(t, summary, "bk:ok:")))
	if !strings.HasPrefix(taken.Text, uk.T("book_just_taken")) {
		t.Fatalf("just taken: %q", taken.Text)
	}
	alt := bkButton(t, taken, fmt.Sprintf("bk:t:%d:uk:", svc.ID))
	if !strings.HasSuffix(alt, fmt.Sprint(tue10.Unix())) {
		t.Errorf("alternative %q is not Tuesday 10:00", alt)
	}
	// The topic was asked already: straight to the summary.
	summary = apptest.Last(t, h.Press(t, taras, taken.MessageID, alt))
	if !strings.Contains(summary.Text, "Посвідка на проживання") || !strings.Contains(summary.Text, "вівторок, 1 грудня 2026 р.") {
		t.Errorf("summary after the alternative: %q", summary.Text)
	}
	h.Press(t, taras, summary.MessageID, bkButton(t, summary, "bk:ok:"))
	tarasID, _, _, topic, start := h.bookingRow(t, "client_id = $1 AND status = 'booked'", taras.ID)
	if !start.Equal(tue10) || topic != "Посвідка на проживання" {
		t.Errorf("Taras booked %v %q", start, topic)
	}

	// All three slots are taken: Petro, then Iryna, join the waitlist.
	for _, u := range []telegramtest.User{petro, iryna} {
		list := apptest.Last(t, h.Say(t, u, "/book"))
		none := apptest.Last(t, h.Press(t, u, list.MessageID, fmt.Sprintf("bk:s:%d", svc.ID)))
		if !strings.HasPrefix(none.Text, uk.T("book_no_slots", "Service", "Юридична консультація", "Language", "Українська")) {
			t.Fatalf("no slots: %q", none.Text)
		}
		ranges := apptest.Last(t, h.Press(t, u, none.MessageID, uk.T("book_button_waitlist")))
		joined := apptest.Last(t, h.Press(t, u, ranges.MessageID, fmt.Sprintf("wl:jr:%d:uk:7", svc.ID)))
		if !strings.HasPrefix(joined.Text, "⏳") || !strings.Contains(joined.Text, "Юридична консультація") {
			t.Errorf("joined: %q", joined.Text)
		}
		h.clock.Set(h.clock.Now().Add(time.Minute)) // Petro is first
	}
	h.deliver(t)

	// Taras cancels: the slot is held for Petro, who gets the offer.
	cards = apptest.Messages(h.Say(t, taras, "/mybookings"))
	ask = apptest.Last(t, h.Press(t, taras, cards[1].MessageID, fmt.Sprintf("mb:x:%d", tarasID)))
	h.Press(t, taras, ask.MessageID, fmt.Sprintf("mb:xy:%d", tarasID))
	cancelledAt := h.clock.Now()
	got = h.deliver(t)
	offer := got[petro.ID]
	until := locale.Clock(cancelledAt.Add(15 * time.Minute).In(bkBerlin))
	if len(offer) != 1 || !strings.HasPrefix(offer[0].Text, uk.T("wl_offer", "Until", until)) {
		t.Fatalf("offer to Petro: %+v", got)
	}
	if len(got[iryna.ID]) != 0 {
		t.Errorf("Iryna got an offer too")
	}
	// Not taken in 15 minutes: Petro is told, Iryna gets the offer.
	h.clock.Set(cancelledAt.Add(15*time.Minute - time.Second))
	if got := h.deliver(t); len(got[petro.ID])+len(got[iryna.ID]) != 0 {
		t.Errorf("hold ended early: %+v", got)
	}
	h.clock.Set(cancelledAt.Add(15 * time.Minute))
	got = h.deliver(t)
	if m := got[petro.ID]; len(m) != 1 || m[0].Text != uk.T("wl_offer_expired", "Service", "Юридична консультація") {
		t.Errorf("Petro after the hold: %+v", m)
	}
	if m := got[iryna.ID]; len(m) != 1 || !strings.HasPrefix(m[0].Text, uk.T("wl_offer", "Until", locale.Clock(h.clock.Now().Add(15*time.Minute).In(bkBerlin)))) {
		t.Fatalf("offer to Iryna: %+v", got)
	}
	late := apptest.Last(t, h.Press(t, petro, offer[0].MessageID, bkButton(t, offer[0], "wl:take:")))
	if late.Text != uk.T("wl_offer_gone") {
		t.Errorf("Petro's old offer: %q", late.Text)
	}
	calls := h.Press(t, iryna, got[iryna.ID][0].MessageID, bkButton(t, got[iryna.ID][0], "wl:take:"))
	if !strings.HasPrefix(apptest.Last(t, calls).Text, uk.T("book_confirmed")) {
		t.Errorf("Iryna takes it: %+v", calls)
	}
	if _, ok := bkMethod(calls, "sendDocument"); !ok {
		t.Errorf("no .ics for a waitlist booking")
	}
	if _, st, _, _, start := h.bookingRow(t, "client_id = $1", iryna.ID); st != "booked" || !start.Equal(tue10) {
		t.Errorf("Iryna's booking: %s %v", st, start)
	}
	if _, err := h.bookingRowCount(t, "client_id = $1 AND status IN ('booked', 'held')", petro.ID); err != 0 {
		t.Errorf("Petro holds something")
	}
	if n := h.deliver(t)[counsellor.ID]; len(n) != 1 || !strings.HasPrefix(n[0].Text, uk.T("notice_new")) {
		t.Errorf("counsellor notice of the waitlist booking: %+v", n)
	}

	// Tampered buttons are refused and change nothing.
	before := h.snapshot(t)
	petroMsg := apptest.Last(t, h.Say(t, petro, "/mybookings"))
	past := bkAt("2026-11-26 10:00").Unix()
	oksana := bkCounsellorID(t, h, "oksana")
	for _, data := range []string{
		// Another client's booking.
		fmt.Sprintf("mb:xy:%d", olhaID),
		fmt.Sprintf("mb:x:%d", olhaID),
		fmt.Sprintf("mb:rs:%d", olhaID),
		fmt.Sprintf("rs:ok:%d:%d:%d", olhaID, oksana, bkAt("2026-12-03 11:00").Unix()),
		fmt.Sprintf("wl:take:%d", olhaID),
		// A past slot.
		fmt.Sprintf("bk:ok:%d:uk:%d:%d", svc.ID, oksana, past),
		// A slot of another service, in a language the service is not held
		// in, off the service's grid.
		fmt.Sprintf("bk:ok:%d:uk:%d:%d", h.service(t, "mbe").ID, oksana, bkAt("2026-12-08 10:00").Unix()),
		fmt.Sprintf("bk:ok:%d:ar:%d:%d", svc.ID, oksana, bkAt("2026-12-08 10:00").Unix()),
		fmt.Sprintf("bk:ok:%d:uk:%d:%d", svc.ID, oksana, bkAt("2026-12-08 10:30").Unix()),
		// A counsellor's button, pressed by a client.
		fmt.Sprintf("ag:ok:%d", olhaID),
	} {
		calls := h.PressRaw(t, petro, petroMsg.MessageID, data)
		if bkToast(calls) == "" {
			t.Errorf("%s: no refusal toast: %+v", data, calls)
		}
		if len(apptest.Messages(calls)) != 0 {
			t.Errorf("%s: the chat changed: %+v", data, apptest.Messages(calls))
		}
	}
	if after := h.snapshot(t); after != before {
		t.Errorf("tampered buttons changed bookings:\n%s\n%s", before, after)
	}

	// Too late to cancel online: the counsellor's phone instead.
	h.clock.Set(thu10.Add(-90 * time.Minute))
	cards = apptest.Messages(h.Say(t, olha, "/mybookings"))
	tooLate := apptest.Last(t, h.Press(t, olha, cards[1].MessageID, fmt.Sprintf("mb:x:%d", olhaID)))
	if !strings.HasPrefix(tooLate.Text, uk.T("mb_too_late", "Deadline", uk.DateTime(thu10.Add(-2*time.Hour)), "Counsellor", "Oksana Melnyk", "Contact", "+49 361 5550177")) {
		t.Errorf("too late: %q", tooLate.Text)
	}
	if _, st, _, _, _ := h.bookingRow(t, "id = $1", olhaID); st != "booked" {
		t.Errorf("cancelled after the deadline")
	}

	// The counsellor's agenda: mark attended once it began, block a day,
	// see the waitlist.
	h.clock.Set(thu10.Add(30 * time.Minute))
	agenda := apptest.Last(t, h.Say(t, counsellor, "/agenda"))
	if !strings.HasPrefix(agenda.Text, uk.T("agenda_title_day", "Date", uk.Date(thu10))) || !strings.Contains(agenda.Text, "Olha") || !strings.Contains(agenda.Text, "Maksym") {
		t.Errorf("agenda: %q", agenda.Text)
	}
	calls = h.Press(t, counsellor, agenda.MessageID, bkButton(t, agenda, fmt.Sprintf("ag:ok:%d", olhaID)))
	if bkToast(calls) != uk.T("agenda_marked") {
		t.Errorf("mark attended: %+v", calls)
	}
	if _, st, _, _, _ := h.bookingRow(t, "id = $1", olhaID); st != "attended" {
		t.Errorf("status %s, want attended", st)
	}
	wl := apptest.Last(t, h.Press(t, counsellor, agenda.MessageID, "ag:wl"))
	if !strings.Contains(wl.Text, "Petro") || strings.Contains(wl.Text, "Iryna") {
		t.Errorf("waitlist: %q", wl.Text)
	}
	free := func() int {
		slots, err := (&booking.Booker{Store: h.App.Bookings, Policy: h.App.Bookings.Policy, Now: h.clock.Now}).FreeAll(ctx, svc, "uk")
		if err != nil {
			t.Fatal(err)
		}
		return len(slots)
	}
	if n := free(); n != 3 { // Tuesday 8 and Thursday 10 December
		t.Fatalf("%d free slots before blocking", n)
	}
	blockDay := apptest.Last(t, h.Press(t, counsellor, wl.MessageID, "ag:v:0"))
	blockDay = apptest.Last(t, h.Press(t, counsellor, blockDay.MessageID, "ag:bl"))
	prompt := apptest.Last(t, h.Press(t, counsellor, blockDay.MessageID, "ag:bd:20261208"))
	if !strings.Contains(prompt.Text, "<code>14:00-16:00</code>") {
		t.Errorf("block prompt: %q", prompt.Text)
	}
	blocked := apptest.Last(t, h.Say(t, counsellor, "9:30 - 10:30"))
	if !strings.HasPrefix(blocked.Text, uk.T("agenda_blocked", "Date", uk.Date(bkAt("2026-12-08 00:00")), "Time", "09:30–10:30")) {
		t.Errorf("blocked: %q", blocked.Text)
	}
	if n := free(); n != 2 {
		t.Errorf("%d free slots after blocking Tuesday 9:30-10:30", n)
	}
}

func bkCounsellorID(t *testing.T, h *bkHarness, externalID string) int64 {
	t.Helper()
	var id int64
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT id FROM counsellors WHERE external_id = $1`, externalID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (h *bkHarness) bookingRowCount(t *testing.T, where string, args ...any) (int, int) {
	t.Helper()
	var n int
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM bookings WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n, n
}

// snapshot is every booking as a string, to see that nothing changed.
func (h *bkHarness) snapshot(t *testing.T) string {
	t.Helper()
	var s string
	if err := h.DB.Pool.QueryRow(context.Background(), `
		SELECT coalesce(string_agg(concat_ws(',', id, client_id, status, lower(slot), counsellor_id, service_id), ';' ORDER BY id), '')
		  FROM bookings`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
