package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/user"
)

// A meeting at 09:00 local on the Monday after a daylight-saving change:
// every reminder comes at its instant (day-based ones at 09:00 local, the
// 2-hour one two real hours before), not a second early, exactly once.
func TestRemindersDueAtTheRightInstantAcrossDST(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct {
		name  string
		start time.Time
		dues  []time.Time // UTC instants of the 7d, 1d and 2h reminders
	}{
		{"march", time.Date(2026, 3, 30, 9, 0, 0, 0, loc), []time.Time{
			time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC), // 09:00 CET
			time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC), // 09:00 CEST, the day of the change
			time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC), // 07:00 CEST
		}},
		{"october", time.Date(2026, 10, 26, 9, 0, 0, 0, loc), []time.Time{
			time.Date(2026, 10, 19, 7, 0, 0, 0, time.UTC), // 09:00 CEST
			time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC), // 09:00 CET, the day of the change
			time.Date(2026, 10, 26, 6, 0, 0, 0, time.UTC), // 07:00 CET
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startNetwork(t, tc.start.AddDate(0, 0, -10), apptest.Options{})
			org := e.org(t, "buero", "Netzwerkbüro")
			u := e.member(t, 50001, "de", "Aylin Demir", org, user.RoleMember)
			m := e.create(t, e.meetingAt("Netzwerktreffen", tc.start, 0, org))
			occ := e.next(t, m)
			if n := e.pending(t, u.ID); n != 3 {
				t.Fatalf("%d reminders queued, want 3", n)
			}
			for i, due := range tc.dues {
				mark := e.h.Fake.Mark()
				e.at(due.Add(-time.Second))
				if s := e.deliver(t); s.Sent != 0 {
					t.Fatalf("reminder %d sent a second early (%s): %+v", i, due.Add(-time.Second), s)
				}
				e.at(due)
				if s := e.deliver(t); s.Sent != 1 {
					t.Fatalf("reminder %d not sent at %s: %+v", i, due, s)
				}
				got := e.messages(mark, u.ID)
				if len(got) != 1 || !strings.Contains(got[0].Text, "Netzwerktreffen") || !hasButton(got[0], fmt.Sprintf("rsvp:%d:y", occ.ID)) {
					t.Fatalf("reminder %d: %+v", i, got)
				}
				if e.deliver(t).Sent != 0 {
					t.Fatalf("reminder %d sent twice", i)
				}
			}
		})
	}
}

// Members choose their own lead times, mute a group, pause everything; the
// reminders follow, and running the generation again changes nothing.
func TestPerMemberLeadTimesMutingAndPause(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 6, 10, 14, 0, 0, 0, loc)
	e := startNetwork(t, start.AddDate(0, 0, -20), apptest.Options{})
	org := e.org(t, "buero", "Netzwerkbüro")
	ag := e.group(t, "ag-sprache", "AG Sprache", false)
	def := e.member(t, 51001, "de", "Standard", org, user.RoleMember)
	own := e.member(t, 51002, "de", "Eigene Zeiten", org, user.RoleMember)
	mute := e.member(t, 51003, "de", "Stumm", org, user.RoleMember)
	pause := e.member(t, 51004, "de", "Pause", org, user.RoleMember)
	e.join(t, ag, def, own, mute, pause)

	network := e.create(t, e.meetingAt("Netzwerktreffen", start, 0, org))
	session := e.create(t, e.meetingAt("AG Sprache", start.Add(3*time.Hour), ag, org))
	for _, u := range []int64{def.ID, own.ID, mute.ID, pause.ID} {
		if n := e.pending(t, u); n != 6 {
			t.Fatalf("user %d: %d reminders, want 3 per meeting", u, n)
		}
	}

	// Through the chat: /settings → reminders → 3 days, 1 hour.
	settings := apptest.Last(t, e.h.Say(t, own, "/settings"))
	if !hasButton(settings, "rem:show") || !hasButton(settings, "rem:pause") {
		t.Fatalf("settings without reminder buttons: %+v", settings.Keyboard)
	}
	e.h.Press(t, own, settings.MessageID, "rem:show")
	e.h.Press(t, own, settings.MessageID, "rem:lead:4320")
	last := apptest.Last(t, e.h.Press(t, own, settings.MessageID, "rem:lead:60"))
	if !strings.Contains(last.Text, "3 Tage vorher") || !strings.Contains(last.Text, "1 Stunde vorher") {
		t.Errorf("lead times not shown: %q", last.Text)
	}
	// The group card's mute button, and pause in /settings.
	card := apptest.Last(t, e.h.Say(t, mute, "/groups"))
	e.h.Press(t, mute, card.MessageID, fmt.Sprintf("grp:show:%d", ag))
	e.h.Press(t, mute, card.MessageID, fmt.Sprintf("grp:mute:%d", ag))
	ps := apptest.Last(t, e.h.Say(t, pause, "/settings"))
	e.h.Press(t, pause, ps.MessageID, "rem:pause")

	keys := func(u int64) []string {
		rows, err := e.h.DB.Pool.Query(context.Background(), `SELECT (data->>'meeting') || '/' || (data->>'lead') FROM notifications WHERE kind = $1 AND status = 'pending' AND user_id = $2 ORDER BY 1`, meeting.KindReminder, u)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	n, s := network.ID, session.ID
	want := map[int64][]string{
		def.ID:   {fmt.Sprintf("%d/10080", n), fmt.Sprintf("%d/120", n), fmt.Sprintf("%d/1440", n), fmt.Sprintf("%d/10080", s), fmt.Sprintf("%d/120", s), fmt.Sprintf("%d/1440", s)},
		own.ID:   {fmt.Sprintf("%d/4320", n), fmt.Sprintf("%d/60", n), fmt.Sprintf("%d/4320", s), fmt.Sprintf("%d/60", s)},
		mute.ID:  {fmt.Sprintf("%d/10080", n), fmt.Sprintf("%d/120", n), fmt.Sprintf("%d/1440", n)},
		pause.ID: nil,
	}
	for u, w := range want {
		if got := keys(u); strings.Join(got, " ") != strings.Join(sortStrings(w), " ") {
			t.Errorf("user %d: pending %v, want %v", u, got, sortStrings(w))
		}
	}
	// Idempotent: regenerating (e.g. on an unrelated edit) changes nothing.
	before := e.count(t, `SELECT count(*) FROM notifications`)
	if _, err := e.meetings.Update(context.Background(), network, e.c.Now()); err != nil {
		t.Fatal(err)
	}
	if after := e.count(t, `SELECT count(*) FROM notifications`); after != before {
		t.Errorf("regeneration changed the queue: %d → %d rows", before, after)
	}

	// Run through to the end: each gets exactly what they chose.
	mark := e.h.Fake.Mark()
	for {
		// On to the next due reminder, as the worker would get to it.
		var next *time.Time
		if err := e.h.DB.Pool.QueryRow(context.Background(), `SELECT min(due_at) FROM notifications WHERE status = 'pending'`).Scan(&next); err != nil {
			t.Fatal(err)
		}
		if next == nil {
			break
		}
		e.at(*next)
		e.deliver(t)
	}
	counts := map[int64]int{}
	for _, u := range []int64{def.ID, own.ID, mute.ID, pause.ID} {
		counts[u] = len(e.messages(mark, u))
	}
	if counts[def.ID] != 6 || counts[own.ID] != 4 || counts[mute.ID] != 3 || counts[pause.ID] != 0 {
		t.Errorf("reminders received: %v, want default 6, own 4, muted 3, paused 0", counts)
	}
}

func sortStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// After downtime a reminder is still sent if the meeting has not started
// (only the most recent of several overdue ones), and dropped and logged
// once it has.
func TestLateStartAfterDowntime(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 5, 12, 14, 0, 0, 0, loc)
	e := startNetwork(t, start.AddDate(0, 0, -10), apptest.Options{})
	org := e.org(t, "buero", "Netzwerkbüro")
	u := e.member(t, 52001, "uk", "Oksana", org, user.RoleMember)
	early := e.create(t, e.meetingAt("Frühes Treffen", start.Add(-3*time.Hour), 0, org))
	late := e.create(t, e.meetingAt("Spätes Treffen", start, 0, org))

	// The bot was down from 10 days before until 30 minutes before the later
	// meeting: 6 reminders are overdue.
	mark := e.h.Fake.Mark()
	e.at(start.Add(-30 * time.Minute))
	s := e.deliver(t)
	got := e.messages(mark, u.ID)
	if s.Sent != 1 || len(got) != 1 || !strings.Contains(got[0].Text, "Spätes Treffen") {
		t.Fatalf("after downtime: %+v, messages %d; want the latest reminder of the meeting that has not started", s, len(got))
	}
	if !strings.Contains(got[0].Text, e.h.L("uk").N("mt_in_minutes", 30)) {
		t.Errorf("reminder does not say how soon, in Ukrainian: %q", got[0].Text)
	}
	if s.Dropped != 5 {
		t.Errorf("dropped %d, want 3 expired (started) + 2 superseded", s.Dropped)
	}
	if n := e.count(t, `SELECT count(*) FROM notifications WHERE status = 'dropped' AND last_error = 'expired' AND data->>'meeting' = $1`, fmt.Sprint(early.ID)); n != 3 {
		t.Errorf("%d reminders of the started meeting dropped as expired, want 3", n)
	}
	if !strings.Contains(e.logs.String(), "notification expired before it could be sent") {
		t.Error("dropping expired reminders was not logged")
	}
	_ = late
}

// Moving a meeting sends a change notice to everyone invited and
// regenerates the reminders for the new time; cancelling sends a notice
// and removes the pending reminders.
func TestChangeAndCancellationNotices(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 9, 15, 14, 0, 0, 0, loc)
	e := startNetwork(t, start.AddDate(0, 0, -3), apptest.Options{})
	org := e.org(t, "buero", "Netzwerkbüro")
	a := e.member(t, 53001, "de", "Anna", org, user.RoleMember)
	b := e.member(t, 53002, "fa", "Reza", org, user.RoleMember)
	m := e.create(t, e.meetingAt("Netzwerktreffen", start, 0, org))
	occ := e.next(t, m)
	if e.pending(t, a.ID) != 2 { // the 7-day one was already due when it was created
		t.Fatalf("pending %d", e.pending(t, a.ID))
	}

	m.Start = start.AddDate(0, 0, 7)
	m.Venue = "Bürgerhaus, Saal 2"
	ch, err := e.meetings.Update(context.Background(), m, e.c.Now())
	if err != nil || !ch.Time || !ch.Place || ch.Notified != 2 {
		t.Fatalf("update: %+v %v", ch, err)
	}
	moved := e.next(t, m)
	if moved.ID != occ.ID || moved.Revision != 2 {
		t.Errorf("occurrence %+v, want the same one at revision 2", moved)
	}
	// Reminders of the old time are gone, the new ones are due relative to the new start.
	if n := e.count(t, `SELECT count(*) FROM notifications WHERE kind = $1 AND status = 'pending' AND data->>'revision' = '1'`, meeting.KindReminder); n != 0 {
		t.Errorf("%d reminders of the old time left", n)
	}
	if n := e.count(t, `SELECT count(*) FROM notifications WHERE kind = $1 AND status = 'pending' AND user_id = $2 AND due_at = $3`, meeting.KindReminder, a.ID, moved.Start.Add(-2*time.Hour)); n != 1 {
		t.Errorf("no 2-hour reminder for the new time")
	}
	mark := e.h.Fake.Mark()
	e.deliver(t)
	for _, u := range []struct {
		id   int64
		lang string
	}{{a.ID, "de"}, {b.ID, "fa"}} {
		got := e.messages(mark, u.id)
		l := e.h.L(u.lang)
		if len(got) != 1 || !strings.Contains(got[0].Text, l.T("mt_change_head", "Title", "Netzwerktreffen")) || !strings.Contains(got[0].Text, "Bürgerhaus") {
			t.Errorf("%s change notice: %+v", u.lang, got)
		}
	}

	n, err := e.meetings.Cancel(context.Background(), m.ID, 0, e.c.Now())
	if err != nil || n != 2 {
		t.Fatalf("cancel: %d %v", n, err)
	}
	if e.pending(t, a.ID)+e.pending(t, b.ID) != 0 {
		t.Error("pending reminders left after the cancellation")
	}
	mark = e.h.Fake.Mark()
	e.deliver(t)
	if got := e.messages(mark, a.ID); len(got) != 1 || !strings.Contains(got[0].Text, "Netzwerktreffen") || !strings.Contains(got[0].Text, "🚫") {
		t.Errorf("cancellation notice: %+v", got)
	}
	// Nothing more for the cancelled meeting.
	e.at(moved.Start.Add(-time.Hour))
	mark = e.h.Fake.Mark()
	if s := e.deliver(t); s.Sent != 0 || len(e.messages(mark, a.ID)) != 0 {
		t.Errorf("something was sent for a cancelled meeting: %+v", s)
	}
}

// The answer buttons under a reminder record the answer; "no" removes the
// member's further reminders, "yes" brings them back.
func TestRSVPFromAReminder(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 7, 7, 18, 0, 0, 0, loc)
	e := startNetwork(t, start.AddDate(0, 0, -8), apptest.Options{})
	org := e.org(t, "buero", "Netzwerkbüro")
	u := e.member(t, 54001, "de", "Jonas", org, user.RoleMember)
	m := e.create(t, e.meetingAt("Sommertreffen", start, 0, org))
	occ := e.next(t, m)

	e.at(start.AddDate(0, 0, -7))
	mark := e.h.Fake.Mark()
	e.deliver(t)
	got := e.messages(mark, u.ID)
	if len(got) != 1 {
		t.Fatalf("reminders %+v", got)
	}
	reminder := got[0]
	calls := e.h.Press(t, u, reminder.MessageID, fmt.Sprintf("rsvp:%d:n", occ.ID))
	if !answered(calls) || !strings.Contains(apptest.Last(t, calls).Text, e.h.L("de").T("mt_answer_no")) {
		t.Fatalf("answer not confirmed: %+v", calls)
	}
	if r, _ := e.meetings.Response(context.Background(), occ.ID, u.ID); r != meeting.No {
		t.Errorf("stored answer %q", r)
	}
	if n := e.pending(t, u.ID); n != 0 {
		t.Errorf("%d reminders left after answering no", n)
	}
	e.h.Press(t, u, reminder.MessageID, fmt.Sprintf("rsvp:%d:y", occ.ID))
	if n := e.pending(t, u.ID); n != 2 {
		t.Errorf("%d reminders after answering yes, want the 1-day and 2-hour ones", n)
	}
	c, _ := e.meetings.Counts(context.Background(), occ.ID)
	if c.Yes != 1 || c.Invited != 1 {
		t.Errorf("counts %+v", c)
	}
}

// A recurring working-group session ("every second Tuesday, 14:00") is
// expanded into occurrences with reminders; the sweeper extends it as time
// goes on.
func TestRecurringSessionIsExpandedAndExtended(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, loc)
	e := startNetwork(t, now, apptest.Options{})
	org := e.org(t, "buero", "Netzwerkbüro")
	ag := e.group(t, "ag-wohnen", "AG Wohnen", false)
	u := e.member(t, 55001, "de", "Mara", org, user.RoleMember)
	e.join(t, ag, u)
	m := e.meetingAt("AG Wohnen", time.Date(2026, 1, 13, 14, 0, 0, 0, loc), ag, org)
	m.Recurrence = "0 14 * * TUE#2"
	m.LeadMinutes = []int{1440}
	m = e.create(t, m)
	occ := e.count(t, `SELECT count(*) FROM meeting_occurrences`)
	if occ != 6 { // Jan to Jun within the 180-day horizon
		t.Errorf("%d occurrences, want 6", occ)
	}
	if n := e.pending(t, u.ID); n != occ {
		t.Errorf("%d reminders for %d occurrences", n, occ)
	}
	// Three months later the horizon moves on.
	e.at(now.AddDate(0, 3, 0))
	e.deliver(t)
	if n := e.count(t, `SELECT count(*) FROM meeting_occurrences`); n <= occ {
		t.Errorf("not extended: %d occurrences", n)
	}
	var bad int
	_ = e.h.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM meeting_occurrences WHERE extract(dow FROM starts_at AT TIME ZONE 'Europe/Berlin') <> 2 OR extract(day FROM starts_at AT TIME ZONE 'Europe/Berlin') NOT BETWEEN 8 AND 14 OR (starts_at AT TIME ZONE 'Europe/Berlin')::time <> '14:00'`).Scan(&bad)
	if bad != 0 {
		t.Errorf("%d occurrences not on a second Tuesday at 14:00 local", bad)
	}

	// The rule moves to 15:00: future dates are replaced, the member is
	// told once, and the reminders follow the new dates.
	m.Recurrence = "0 15 * * TUE#2"
	ch, err := e.meetings.Update(context.Background(), m, e.c.Now())
	if err != nil || !ch.Time || ch.Notified != 1 {
		t.Fatalf("update: %+v %v", ch, err)
	}
	if n := e.count(t, `SELECT count(*) FROM meeting_occurrences WHERE cancelled_at IS NULL AND starts_at > $1 AND (starts_at AT TIME ZONE 'Europe/Berlin')::time <> '15:00'`, e.c.Now()); n != 0 {
		t.Errorf("%d future dates not moved to 15:00", n)
	}
	if n := e.count(t, `SELECT count(*) FROM notifications n JOIN meeting_occurrences o ON o.id = (n.data->>'occurrence')::bigint
		WHERE n.kind = $1 AND n.status = 'pending' AND (o.cancelled_at IS NOT NULL OR n.due_at <> o.starts_at - interval '1 day')`, meeting.KindReminder); n != 0 {
		t.Errorf("%d reminders of cancelled or moved dates left", n)
	}
	if n := e.pending(t, u.ID); n != e.count(t, `SELECT count(*) FROM meeting_occurrences WHERE cancelled_at IS NULL AND starts_at > $1`, e.c.Now()) {
		t.Errorf("%d reminders for the new dates", n)
	}
}

// Leaving a working group or the network removes the pending reminders;
// joining a group adds those of its sessions.
func TestJoiningAndLeavingRegeneratesReminders(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 8, 4, 10, 0, 0, 0, loc)
	e := startNetwork(t, start.AddDate(0, 0, -10), apptest.Options{})
	ctx := context.Background()
	org := e.org(t, "buero", "Netzwerkbüro")
	ag := e.group(t, "ag", "AG Wohnen", false)
	u := e.member(t, 56001, "tr", "Emre", org, user.RoleMember)
	e.create(t, e.meetingAt("Netzwerktreffen", start, 0, org))
	e.create(t, e.meetingAt("AG Wohnen", start.Add(time.Hour), ag, org))
	if n := e.pending(t, u.ID); n != 3 {
		t.Fatalf("%d reminders before joining the group, want 3", n)
	}
	// Through the chat: /groups → the group → join.
	list := apptest.Last(t, e.h.Say(t, u, "/groups"))
	card := apptest.Last(t, e.h.Press(t, u, list.MessageID, fmt.Sprintf("grp:show:%d", ag)))
	joined := e.h.Press(t, u, card.MessageID, fmt.Sprintf("grp:join:%d", ag))
	if !toasted(joined, e.h.L("tr").T("grp_joined", "Group", "AG Wohnen")) {
		t.Errorf("join: %+v", joined)
	}
	if n := e.pending(t, u.ID); n != 6 {
		t.Errorf("%d reminders after joining, want 6", n)
	}
	e.h.Press(t, u, card.MessageID, fmt.Sprintf("grp:leave:%d", ag))
	if n := e.pending(t, u.ID); n != 3 {
		t.Errorf("%d reminders after leaving the group, want 3", n)
	}
	if err := e.members.Leave(ctx, u.ID, e.c.Now()); err != nil {
		t.Fatal(err)
	}
	if n := e.pending(t, u.ID); n != 0 {
		t.Errorf("%d reminders after leaving the network", n)
	}
	if got := apptest.Last(t, e.h.Say(t, u, "/meetings")).Text; got != e.h.L("tr").T("net_not_member") {
		t.Errorf("former member sees %q", got)
	}
}

// A member leaves the network from the chat: the network menu offers it,
// asks first (back keeps everything), and then the membership, the
// working groups, the member role and every pending reminder are gone.
func TestMemberLeavesTheNetworkFromTheChat(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 8, 4, 10, 0, 0, 0, loc)
	e := startNetwork(t, start.AddDate(0, 0, -10), apptest.Options{})
	org := e.org(t, "buero", "Netzwerkbüro")
	ag := e.group(t, "ag", "AG Wohnen", false)
	u := e.member(t, 56101, "ar", "Amal", org, user.RoleMember)
	e.join(t, ag, u)
	e.create(t, e.meetingAt("Netzwerktreffen", start, 0, org))
	e.create(t, e.meetingAt("AG Wohnen", start.Add(time.Hour), ag, org))
	before := e.pending(t, u.ID)
	if before == 0 {
		t.Fatal("no reminders to begin with")
	}
	ar := e.h.L("ar")

	menu := apptest.Last(t, e.h.Say(t, u, "/network"))
	if !hasButton(menu, "net:leave") {
		t.Fatalf("the member's network menu offers no way to leave: %+v", menu.Keyboard)
	}
	confirm := apptest.Last(t, e.h.Press(t, u, menu.MessageID, "net:leave"))
	if confirm.Text != ar.T("net_leave_confirm", "Organisation", "Netzwerkbüro") || !hasButton(confirm, "net:leavey") || !hasButton(confirm, "net:menu") {
		t.Fatalf("confirmation: %q %+v", confirm.Text, confirm.Keyboard)
	}
	// Back: nothing changed.
	e.h.Press(t, u, confirm.MessageID, "net:menu")
	if n := e.pending(t, u.ID); n != before || e.count(t, `SELECT count(*) FROM members WHERE user_id = $1 AND active`, u.ID) != 1 {
		t.Fatalf("going back changed something: %d reminders (was %d)", n, before)
	}

	confirm = apptest.Last(t, e.h.Press(t, u, confirm.MessageID, "net:leave"))
	done := apptest.Last(t, e.h.Press(t, u, confirm.MessageID, "net:leavey"))
	if done.Text != ar.T("net_left") {
		t.Errorf("after leaving: %q", done.Text)
	}
	if n := e.pending(t, u.ID); n != 0 {
		t.Errorf("%d reminders left after leaving the network", n)
	}
	if n := e.count(t, `SELECT count(*) FROM members WHERE user_id = $1 AND active`, u.ID) + e.count(t, `SELECT count(*) FROM group_members WHERE user_id = $1`, u.ID); n != 0 {
		t.Errorf("still a member (%d rows)", n)
	}
	if role := e.h.UserRow(t, u.ID).Role; role != user.RolePublic {
		t.Errorf("role %s after leaving, want public", role)
	}
	// The very next update sees it: the network is for members only, and
	// pressing the old button again changes nothing.
	if got := apptest.Last(t, e.h.Say(t, u, "/meetings")).Text; got != ar.T("net_not_member") {
		t.Errorf("former member sees %q", got)
	}
	if got := apptest.Last(t, e.h.PressRaw(t, u, confirm.MessageID, "net:leavey")).Text; got != ar.T("net_not_member") {
		t.Errorf("leaving twice: %q", got)
	}
	if calls := e.h.PressRaw(t, u, confirm.MessageID, "net:leave:x"); !answered(calls) || len(calls) != 1 {
		t.Errorf("a malformed button: %+v, want a toast only", calls)
	}
}

// A coordinator creates a working group in the chat (in Ukrainian): a name
// that is too long and a date in the past are explained, the summary
// shows what was chosen, and members find the group under /groups, where
// joining it needs approval. Members have no button to create one.
func TestCoordinatorCreatesAWorkingGroupInTheChat(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	e := startNetwork(t, time.Date(2026, 8, 4, 10, 0, 0, 0, loc), apptest.Options{})
	org := e.org(t, "buero", "Netzwerkbüro")
	c := e.member(t, 56201, "uk", "Olena", org, user.RoleCoordinator)
	m := e.member(t, 56202, "de", "Mia", org, user.RoleMember)
	uk, de := e.h.L("uk"), e.h.L("de")

	if hasButton(apptest.Last(t, e.h.Say(t, m, "/groups")), "gnf:new") {
		t.Error("a member is offered to create a working group")
	}
	list := apptest.Last(t, e.h.Say(t, c, "/groups"))
	ask := apptest.Last(t, e.h.Press(t, c, list.MessageID, "gnf:new"))
	if ask.Text != uk.T("gnf_ask_name", "Max", member.MaxGroupName) {
		t.Fatalf("ask name: %q", ask.Text)
	}
	if got := apptest.Last(t, e.h.Say(t, c, strings.Repeat("Ж", member.MaxGroupName+1))).Text; got != uk.T("gnf_name_invalid", "Max", member.MaxGroupName) {
		t.Errorf("too long a name: %q", got)
	}
	appr := apptest.Last(t, e.h.Say(t, c, "AG Wohnen <2027>"))
	if appr.Text != uk.T("gnf_ask_approval", "Name", "AG Wohnen <2027>") {
		t.Fatalf("ask approval: %q", appr.Text)
	}
	term := apptest.Last(t, e.h.Press(t, c, appr.MessageID, "gnf:appr:1"))
	until := apptest.Last(t, e.h.Press(t, c, term.MessageID, "gnf:term:d"))
	if !strings.Contains(until.Text, "01.09.2026") {
		t.Errorf("ask the end date, with an example four weeks ahead: %q", until.Text)
	}
	for _, bad := range []string{"03.08.2026", "31.02.2027", "soon"} {
		if got := apptest.Last(t, e.h.Say(t, c, bad)).Text; got != uk.T("gnf_until_invalid", "Example", "01.09.2026") {
			t.Errorf("%q: %q", bad, got)
		}
	}
	summary := apptest.Last(t, e.h.Say(t, c, "31.3.2027"))
	want := uk.T("gnf_summary", "Name", "AG Wohnen <2027>", "Access", uk.T("gnf_btn_approval"),
		"Term", "📅 "+uk.T("grp_until", "Date", uk.Date(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC))))
	if summary.Text != want {
		t.Errorf("summary:\n got %q\nwant %q", summary.Text, want)
	}
	// A button of an earlier step is stale now.
	if calls := e.h.PressRaw(t, c, summary.MessageID, "gnf:appr:0"); !answered(calls) || e.count(t, `SELECT count(*) FROM working_groups`) != 0 {
		t.Errorf("stale step button: %+v", calls)
	}
	done := apptest.Last(t, e.h.Press(t, c, summary.MessageID, "gnf:ok"))
	if done.Text != uk.T("gnf_created", "Name", "AG Wohnen <2027>") {
		t.Errorf("created: %q", done.Text)
	}
	var (
		id       int64
		name     string
		approval bool
		ends     time.Time
	)
	if err := e.h.DB.Pool.QueryRow(t.Context(), `SELECT id, name->>'uk', needs_approval, ends_on FROM working_groups`).Scan(&id, &name, &approval, &ends); err != nil {
		t.Fatal(err)
	}
	if name != "AG Wohnen <2027>" || !approval || ends.Format(time.DateOnly) != "2027-03-31" {
		t.Errorf("stored: %q approval %v ends %s", name, approval, ends)
	}
	if !hasButton(done, fmt.Sprintf("grp:show:%d", id)) {
		t.Errorf("no way to the new group: %+v", done.Keyboard)
	}
	// Pressing "create" again does not make a second group.
	e.h.PressRaw(t, c, summary.MessageID, "gnf:ok")
	if n := e.count(t, `SELECT count(*) FROM working_groups`); n != 1 {
		t.Errorf("%d groups after pressing create twice", n)
	}

	// A member finds it (its name in the creator's language) and asks to join.
	groups := apptest.Last(t, e.h.Say(t, m, "/groups"))
	if !strings.Contains(groups.Text, "AG Wohnen &lt;2027&gt;") || !hasButton(groups, fmt.Sprintf("grp:show:%d", id)) {
		t.Fatalf("member's list: %q", groups.Text)
	}
	card := apptest.Last(t, e.h.Press(t, m, groups.MessageID, fmt.Sprintf("grp:show:%d", id)))
	if calls := e.h.Press(t, m, card.MessageID, fmt.Sprintf("grp:join:%d", id)); !toasted(calls, de.T("grp_requested", "Group", "AG Wohnen <2027>")) {
		t.Errorf("join: %+v", calls)
	}

	// Cancelling on the way stores nothing.
	list = apptest.Last(t, e.h.Say(t, c, "/groups"))
	ask = apptest.Last(t, e.h.Press(t, c, list.MessageID, "gnf:new"))
	if got := apptest.Last(t, e.h.Press(t, c, ask.MessageID, "gnf:no")).Text; got != uk.T("mtf_aborted") {
		t.Errorf("abort: %q", got)
	}
	if got := apptest.Last(t, e.h.Say(t, c, "AG Nichts")).Text; got == uk.T("gnf_ask_approval", "Name", "AG Nichts") {
		t.Error("the flow went on after cancel")
	}
	if n := e.count(t, `SELECT count(*) FROM working_groups`); n != 1 {
		t.Errorf("%d groups after cancelling", n)
	}
}
