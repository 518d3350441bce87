package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
	"github.com/netzbot/netzbot/internal/user"
)

// The features' side of the trust tests: data in their tables for the
// erasure, retention and authorisation tests. Rows are inserted with SQL
// so that the tests depend on the schema only, not on the stores' APIs.

// world is what seedWorld created.
type world struct {
	orgA, orgB         int64
	offer, deleted     int64 // an active offer of A, and one that was deleted
	service            int64
	counsellor         telegramtest.User // linked to the counsellor of the service
	counsellorID       int64
	coordinatorA       telegramtest.User // coordinator member of A
	meetingA, meetingB int64             // meetings hosted by A and by B
	occA, occB         int64             // an upcoming occurrence of each
	group              int64             // a working group with a meeting
	bookings           map[string]int64  // by "<user>:future|past"
}

func exec(t *testing.T, h *apptest.Harness, sql string, args ...any) {
	t.Helper()
	if _, err := h.DB.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
}

func id(t *testing.T, h *apptest.Harness, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := h.DB.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	return n
}

func touch(t *testing.T, h *apptest.Harness, u telegramtest.User, role user.Role) {
	t.Helper()
	h.Fake.AddUser(u)
	if _, err := h.App.Users.Touch(context.Background(), u.ID, u.LanguageCode); err != nil {
		t.Fatal(err)
	}
	if err := h.App.Users.SetLanguage(context.Background(), u.ID, u.LanguageCode); err != nil {
		t.Fatal(err)
	}
	if role != user.RolePublic {
		if _, err := h.App.Users.SetRole(context.Background(), u.ID, role); err != nil {
			t.Fatal(err)
		}
	}
}

// seedWorld makes two organisations with an offer, a consultation service
// with a counsellor, working groups and meetings.
func seedWorld(t *testing.T, h *apptest.Harness) *world {
	t.Helper()
	w := &world{bookings: map[string]int64{},
		counsellor:   telegramtest.User{ID: 987650040001, FirstName: "Clara", LanguageCode: "de"},
		coordinatorA: telegramtest.User{ID: 987650040002, FirstName: "Cora", LanguageCode: "de"},
	}
	touch(t, h, w.counsellor, user.RoleCounsellor)
	touch(t, h, w.coordinatorA, user.RoleCoordinator)
	w.orgA = id(t, h, `INSERT INTO organisations (external_id, name) VALUES ('trust-a', 'Verein A') RETURNING id`)
	w.orgB = id(t, h, `INSERT INTO organisations (external_id, name) VALUES ('trust-b', 'Verein B') RETURNING id`)
	w.offer = id(t, h, `INSERT INTO offers (external_id, organisation_id, category) VALUES ('trust-offer', $1, 'language') RETURNING id`, w.orgA)
	exec(t, h, `INSERT INTO offer_texts (offer_id, lang, title) VALUES ($1, 'de', 'Sprachcafé')`, w.offer)
	w.deleted = id(t, h, `INSERT INTO offers (external_id, organisation_id, category) VALUES ('trust-gone', $1, 'language') RETURNING id`, w.orgA)
	exec(t, h, `DELETE FROM offers WHERE id = $1`, w.deleted)

	w.service = id(t, h, `INSERT INTO booking_services (external_id, organisation_id, name, duration_minutes, languages)
		VALUES ('trust-svc', $1, '{"de": "Migrationsberatung"}', 30, '{de,ar}') RETURNING id`, w.orgA)
	w.counsellorID = id(t, h, `INSERT INTO counsellors (external_id, display_name, user_id, languages) VALUES ('trust-c', 'Frau Berg', $1, '{de,ar}') RETURNING id`, w.counsellor.ID)
	exec(t, h, `INSERT INTO counsellor_services (counsellor_id, service_id) VALUES ($1, $2)`, w.counsellorID, w.service)
	exec(t, h, `INSERT INTO counsellor_invites (token_hash, counsellor_id, expires_at, used_at, used_by) VALUES (sha256('trust'), $1, now(), now(), $2)`, w.counsellorID, w.counsellor.ID)

	exec(t, h, `INSERT INTO members (user_id, organisation_id, display_name) VALUES ($1, $2, 'Cora')`, w.coordinatorA.ID, w.orgA)
	w.group = id(t, h, `INSERT INTO working_groups (name) VALUES ('{"de": "AG Wohnen"}') RETURNING id`)
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	w.meetingA = id(t, h, `INSERT INTO meetings (group_id, organisation_id, title, starts_at, duration_minutes, expanded_until)
		VALUES ($1, $2, '{"de": "Treffen A"}', $3, 60, $3) RETURNING id`, w.group, w.orgA, start)
	w.occA = id(t, h, `INSERT INTO meeting_occurrences (meeting_id, starts_at, ends_at) VALUES ($1, $2, $3) RETURNING id`, w.meetingA, start, start.Add(time.Hour))
	w.meetingB = id(t, h, `INSERT INTO meetings (organisation_id, title, starts_at, duration_minutes, expanded_until)
		VALUES ($1, '{"de": "Treffen B"}', $2, 60, $2) RETURNING id`, w.orgB, start)
	w.occB = id(t, h, `INSERT INTO meeting_occurrences (meeting_id, starts_at, ends_at) VALUES ($1, $2, $3) RETURNING id`, w.meetingB, start, start.Add(time.Hour))
	return w
}

// book gives u a future and a past appointment and a waitlist place.
func book(t *testing.T, h *apptest.Harness, w *world, u telegramtest.User, day int) {
	t.Helper()
	future := time.Now().Add(time.Duration(48+day) * time.Hour).Truncate(time.Hour)
	past := time.Now().Add(-time.Duration(240+day) * time.Hour).Truncate(time.Hour)
	for _, b := range []struct {
		key    string
		start  time.Time
		status string
	}{{"future", future, "booked"}, {"past", past, "attended"}} {
		w.bookings[fmt.Sprint(u.ID)+":"+b.key] = id(t, h, `
			INSERT INTO bookings (service_id, counsellor_id, client_id, client_name, language, topic, slot, busy, status, created_at)
			VALUES ($1, $2, $3, $4, 'de', $5, tstzrange($6, $7), tstzrange($6, $7), $8, now()) RETURNING id`,
			w.service, w.counsellorID, u.ID, u.FirstName, "Aufenthalt von "+u.FirstName, b.start, b.start.Add(30*time.Minute), b.status)
	}
	exec(t, h, `INSERT INTO booking_waitlist (service_id, client_id, client_name, language, first_day, last_day, created_at)
		VALUES ($1, $2, $3, 'de', current_date + 1, current_date + 14, now())`, w.service, u.ID, u.FirstName)
}

// seedFeatures gives u (and other, who must keep theirs) data in every
// feature's tables, so that the erasure test covers them.
func seedFeatures(t *testing.T, h *apptest.Harness, u, other telegramtest.User) {
	t.Helper()
	w := seedWorld(t, h)
	for i, x := range []telegramtest.User{u, other} {
		// Consultation booking.
		book(t, h, w, x, i)
		// Offers: filters with a location, a report of an outdated offer.
		exec(t, h, `INSERT INTO offer_filters (user_id, free_only, latitude, longitude, located_at) VALUES ($1, true, 50.98, 11.03, now())`, x.ID)
		if x.ID == other.ID { // u reports through the bot, below
			exec(t, h, `INSERT INTO offer_reports (offer_id, user_id) VALUES ($1, $2)`, w.offer, x.ID)
		}
		// The network: a member of A in a working group, replied to a
		// meeting, used an invite, created one, a meeting and a broadcast.
		exec(t, h, `INSERT INTO members (user_id, organisation_id, display_name) VALUES ($1, $2, $3)`, x.ID, w.orgA, x.FirstName)
		exec(t, h, `INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)`, w.group, x.ID)
		exec(t, h, `INSERT INTO rsvps (occurrence_id, user_id, response, responded_at) VALUES ($1, $2, 'yes', now())`, w.occA, x.ID)
		inv := id(t, h, `INSERT INTO invites (token_hash, organisation_id, role, expires_at, created_by)
			VALUES (sha256($1::bytea), $2, 'member', now() + interval '1 day', $3) RETURNING id`, []byte(fmt.Sprint(x.ID)), w.orgA, x.ID)
		exec(t, h, `INSERT INTO invite_uses (invite_id, user_id, used_at) VALUES ($1, $2, now())`, inv, x.ID)
		exec(t, h, `INSERT INTO meetings (organisation_id, title, starts_at, duration_minutes, created_by) VALUES ($1, '{"de": "Sitzung"}', now(), 60, $2)`, w.orgA, x.ID)
		exec(t, h, `INSERT INTO broadcasts (sender_id, audience, body, total, created_at) VALUES ($1, 'all', 'Hallo alle', 1, now())`, x.ID)
		// A join request about them, sent to the coordinator.
		exec(t, h, `INSERT INTO notifications (kind, user_id, key, data, due_at) VALUES ('group_request', $1, $2, $3, now())`,
			w.coordinatorA.ID, fmt.Sprintf("grp:%d:req:%d", w.group, x.ID), map[string]string{"group": fmt.Sprint(w.group), "member": fmt.Sprint(x.ID)})
	}
	// Through the bot: u reports the offer as outdated, which notifies the
	// coordinators.
	msg := apptest.Last(t, h.Say(t, u, "/help"))
	if got := toastOrText(h.PressRaw(t, u, msg.MessageID, fmt.Sprintf("of:repy:%d", w.offer))); got != h.L(u.LanguageCode).T("offers_report_thanks") {
		t.Fatalf("reporting the offer: %q", got)
	}
	var reports int
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM notifications WHERE user_id = $1`, w.coordinatorA.ID).Scan(&reports); err != nil || reports < 3 {
		t.Fatalf("the coordinator got %d notifications (%v), want the report and two join requests", reports, err)
	}
	seeded = w
}

var seeded *world

// checkFeaturesErased checks what the features did on erasure beyond
// leaving no trace (that is checked generically): future appointments
// cancelled with a notice to the counsellor, past ones anonymised, the
// user told, and the other user's data untouched.
func checkFeaturesErased(t *testing.T, h *apptest.Harness, u, other telegramtest.User, done string) {
	t.Helper()
	w := seeded
	ctx := context.Background()
	status := func(key string) (st string, client *int64) {
		if err := h.DB.Pool.QueryRow(ctx, `SELECT status, client_id FROM bookings WHERE id = $1`, w.bookings[key]).Scan(&st, &client); err != nil {
			t.Fatal(err)
		}
		return st, client
	}
	if st, client := status(fmt.Sprint(u.ID) + ":future"); st != "cancelled" || client != nil {
		t.Errorf("future booking: %s, client %v; want cancelled and anonymised", st, client)
	}
	if st, client := status(fmt.Sprint(u.ID) + ":past"); st != "attended" || client != nil {
		t.Errorf("past booking: %s, client %v; want kept, anonymised", st, client)
	}
	if st, client := status(fmt.Sprint(other.ID) + ":future"); st != "booked" || client == nil || *client != other.ID {
		t.Errorf("the other user's booking changed: %s %v", st, client)
	}
	var notices int
	if err := h.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND data->>'booking' = $2`,
		w.counsellor.ID, fmt.Sprint(w.bookings[fmt.Sprint(u.ID)+":future"])).Scan(&notices); err != nil || notices != 1 {
		t.Errorf("the counsellor got %d notices of the cancellation (%v), want 1", notices, err)
	}
	// The counsellor erases their data too: the account is unlinked, their
	// appointments stay with the service.
	c := w.counsellor
	confirm := apptest.Last(t, h.Say(t, c, "/deletemydata"))
	h.Press(t, c, confirm.MessageID, confirm.Keyboard[0][0].CallbackData)
	if hits, err := pgtest.Traces(ctx, h.DB.Pool, fmt.Sprint(c.ID), c.FirstName); err != nil || len(hits) > 0 {
		t.Errorf("left after the counsellor's /deletemydata (%v):\n%s", err, strings.Join(hits, "\n"))
	}
	ar := h.L(u.LanguageCode)
	for _, id := range []string{"privacy_erased_bookings_cancelled", "privacy_erased_bookings_anonymised", "privacy_erased_waitlist", "privacy_erased_rsvps", "privacy_erased_member"} {
		want := ar.N(id, 1)
		if id == "privacy_erased_bookings_anonymised" {
			want = ar.N(id, 2)
		}
		if !strings.Contains(done, want) {
			t.Errorf("the user is not told %q", want)
		}
	}
}

// privilegedFeatureActions are the features' privileged commands and
// buttons, tried by TestPrivilegedActionsAreRefusedToLesserRoles.
func privilegedFeatureActions() []privilegedAction {
	return []privilegedAction{
		// Consultation booking: counsellors.
		{name: "agenda", min: user.RoleCounsellor, text: "/agenda"},
		{name: "agenda week", min: user.RoleCounsellor, data: "ag:v:7"},
		{name: "agenda outcome", min: user.RoleCounsellor, data: "ag:ok:1"},
		{name: "agenda block", min: user.RoleCounsellor, data: "ag:bl"},
		{name: "agenda waitlist", min: user.RoleCounsellor, data: "ag:wl"},
		// The network: coordinators.
		{name: "invite", min: user.RoleCoordinator, text: "/invite"},
		{name: "attendees", min: user.RoleCoordinator, text: "/attendees"},
		{name: "broadcast", min: user.RoleCoordinator, text: "/broadcast"},
		{name: "broadcast send", min: user.RoleCoordinator, data: "bc:send"},
		{name: "meeting new", min: user.RoleCoordinator, data: "mt:new"},
		{name: "meeting edit", min: user.RoleCoordinator, data: "mt:edit:1"},
		{name: "meeting cancel ask", min: user.RoleCoordinator, data: "mt:cancel:1"},
		{name: "meeting cancel one", min: user.RoleCoordinator, data: "mt:cxo:1"},
		{name: "meeting cancel all", min: user.RoleCoordinator, data: "mt:cxa:1"},
		{name: "attendee list", min: user.RoleCoordinator, data: "att:list"},
		{name: "group approve", min: user.RoleCoordinator, data: "grp:ok:1:1"},
		{name: "group deny", min: user.RoleCoordinator, data: "grp:deny:1:1"},
		{name: "invite start", min: user.RoleCoordinator, data: "inv:start"},
		{name: "group new", min: user.RoleCoordinator, data: "gnf:new"},
		{name: "group approval step", min: user.RoleCoordinator, data: "gnf:appr:1"},
		{name: "group create", min: user.RoleCoordinator, data: "gnf:ok"},
	}
}

// forgedButton is callback data that names something the user may not
// act on: someone else's booking, another organisation's meeting, a
// deleted offer.
type forgedButton struct {
	user  telegramtest.User
	data  string
	want  string // message id of the localized refusal; "not_allowed" if empty
	event string // security event; "forged_data" if empty
}

// forgedFeatureData prepares the features' forgery cases.
func forgedFeatureData(t *testing.T, h *apptest.Harness) []forgedButton {
	t.Helper()
	w := seedWorld(t, h)
	client := telegramtest.User{ID: 987650041001, FirstName: "Ines", LanguageCode: "tr"}
	victim := telegramtest.User{ID: 987650041002, FirstName: "Vera", LanguageCode: "de"}
	otherCounsellor := telegramtest.User{ID: 987650041003, FirstName: "Otto", LanguageCode: "de"}
	touch(t, h, client, user.RolePublic)
	touch(t, h, victim, user.RolePublic)
	touch(t, h, otherCounsellor, user.RoleCounsellor)
	exec(t, h, `INSERT INTO counsellors (external_id, display_name, user_id, languages) VALUES ('trust-c2', 'Herr Ost', $1, '{de}')`, otherCounsellor.ID)
	book(t, h, w, victim, 0)
	theirs := w.bookings[fmt.Sprint(victim.ID)+":future"]
	return []forgedButton{
		// Someone else's booking: cancel it, move it, mark its outcome.
		{user: client, data: fmt.Sprintf("mb:x:%d", theirs)},
		{user: client, data: fmt.Sprintf("mb:rs:%d", theirs)},
		{user: otherCounsellor, data: fmt.Sprintf("ag:ok:%d", w.bookings[fmt.Sprint(victim.ID)+":past"])},
		// Another organisation's meeting, as A's coordinator.
		{user: w.coordinatorA, data: fmt.Sprintf("mt:cxo:%d", w.occB)},
		{user: w.coordinatorA, data: fmt.Sprintf("mt:cxa:%d", w.meetingB)},
		{user: w.coordinatorA, data: fmt.Sprintf("mt:edit:%d", w.meetingB)},
		// A meeting one is not invited to.
		{user: client, data: fmt.Sprintf("rsvp:%d:y", w.occB)},
		// A deleted offer.
		{user: client, data: fmt.Sprintf("of:repy:%d", w.deleted), want: "offers_gone", event: "stale_offer"},
	}
}

// adminTextFlows puts evil where admins and coordinators write their own
// text into messages: a broadcast to every member. The text must reach
// the members escaped (the fake refuses broken HTML as Telegram does).
func adminTextFlows(t *testing.T, h *apptest.Harness, admin telegramtest.User, evil string) {
	t.Helper()
	org := id(t, h, `INSERT INTO organisations (external_id, name) VALUES ('trust-bc', 'Verein <b>&') RETURNING id`)
	m := telegramtest.User{ID: 987650043001, FirstName: evil, LanguageCode: "uk"}
	touch(t, h, m, user.RoleMember)
	exec(t, h, `INSERT INTO members (user_id, organisation_id, display_name) VALUES ($1, $2, $3)`, m.ID, org, evil)
	msg := apptest.Last(t, h.Say(t, admin, "/broadcast"))
	h.Press(t, admin, msg.MessageID, "bc:aud:all")
	preview := apptest.Last(t, h.Say(t, admin, evil))
	if !strings.Contains(preview.Text, "&lt;script&gt;") {
		t.Errorf("broadcast preview does not show the text escaped: %q", preview.Text)
	}
	mark := h.Fake.Mark()
	h.Press(t, admin, preview.MessageID, "bc:send")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := h.Fake.WaitCall(ctx, mark, func(c telegramtest.Call) bool { return c.ChatID == m.ID && c.Method == "sendMessage" })
	if err != nil {
		t.Fatalf("the broadcast did not reach the member: %v", err)
	}
	if !got.OK() || !strings.Contains(got.Text, "&lt;b&gt;&amp;&lt;script&gt;") {
		t.Errorf("broadcast as delivered: %q (status %d)", got.Text, got.Status)
	}
}

// seedRetention puts old and recent rows into the features' tables that
// the retention job covers (bookings, search logs).
func seedRetention(t *testing.T, h *apptest.Harness, now time.Time) {
	t.Helper()
	w := seedWorld(t, h)
	old := telegramtest.User{ID: 987650042001, FirstName: "Alt", LanguageCode: "de"}
	touch(t, h, old, user.RolePublic)
	for _, b := range []struct {
		key string
		age time.Duration
	}{{"old", 181 * 24 * time.Hour}, {"recent", 179 * 24 * time.Hour}} {
		start := now.Add(-b.age)
		w.bookings[b.key] = id(t, h, `
			INSERT INTO bookings (service_id, counsellor_id, client_id, client_name, language, topic, slot, busy, status, created_at)
			VALUES ($1, $2, $3, 'Alt', 'de', 'Thema', tstzrange($4, $5), tstzrange($4, $5), 'attended', $4) RETURNING id`,
			w.service, w.counsellorID, old.ID, start, start.Add(30*time.Minute))
	}
	q := id(t, h, `INSERT INTO search_queries (query, created_at) VALUES ('deutschkurs', $1) RETURNING id`, now.Add(-31*24*time.Hour))
	exec(t, h, `INSERT INTO search_feedback (query_id, lang, helpful, created_at) VALUES ($1, 'de', true, $2)`, q, now.Add(-31*24*time.Hour))
	exec(t, h, `INSERT INTO search_queries (query, created_at) VALUES ('kita', $1)`, now.Add(-29*24*time.Hour))
	exec(t, h, `INSERT INTO search_misses (query, lang, first_seen, last_seen) VALUES ('xyz', 'de', $1, $1)`, now.Add(-31*24*time.Hour))
	seeded = w
}

// checkRetention checks what the features' retention tasks did; done has
// the logged counts by task.
func checkRetention(t *testing.T, h *apptest.Harness, now time.Time, done map[string]float64) {
	t.Helper()
	ctx := context.Background()
	anonymised := func(key string) bool {
		var client *int64
		var name, topic string
		if err := h.DB.Pool.QueryRow(ctx, `SELECT client_id, client_name, topic FROM bookings WHERE id = $1`, seeded.bookings[key]).Scan(&client, &name, &topic); err != nil {
			t.Fatal(err)
		}
		return client == nil && name == "" && topic == ""
	}
	if !anonymised("old") || anonymised("recent") {
		t.Errorf("bookings: old anonymised %v, recent anonymised %v; want only the old one", anonymised("old"), anonymised("recent"))
	}
	if done["bookings"] != 1 {
		t.Errorf("bookings task logged %v, want 1", done["bookings"])
	}
	var queries []string
	rows, _ := h.DB.Pool.Query(ctx, `SELECT query FROM search_queries UNION ALL SELECT query FROM search_misses ORDER BY 1`)
	for rows.Next() {
		var q string
		rows.Scan(&q)
		queries = append(queries, q)
	}
	if fmt.Sprint(queries) != "[kita]" {
		t.Errorf("search logs left: %v, want only the recent one", queries)
	}
	if done["search_log"] < 2 {
		t.Errorf("search log task logged %v", done["search_log"])
	}
}

// inputLimit is a feature's limit on typed input: text is one character
// too long and must be answered with want, nothing stored.
type inputLimit struct{ name, text, want string }

// inputLimitCases puts u where a feature waits for typed input.
func inputLimitCases(t *testing.T, h *apptest.Harness, u telegramtest.User) []inputLimit {
	t.Helper()
	w := seedWorld(t, h)
	// The booking flow waiting for the optional topic (200 characters).
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	if err := (&postgres.ConversationStore{Pool: h.DB.Pool}).Set(context.Background(), u.ID, conversation.State{Flow: "booking", Step: "topic", Data: map[string]string{
		"svc": fmt.Sprint(w.service), "lang": "de", "c": fmt.Sprint(w.counsellorID), "start": fmt.Sprint(start.Unix()), "topic": "",
	}}); err != nil {
		t.Fatal(err)
	}
	max := h.App.Bookings.Policy.WithDefaults().TopicMax
	return []inputLimit{{"booking topic", strings.Repeat("т", max+1), h.L(u.LanguageCode).T("book_topic_too_long", "Max", max)}}
}
