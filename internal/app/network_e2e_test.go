package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
	"github.com/netzbot/netzbot/internal/user"
)

// End to end through the fake Bot API: a German coordinator invites a
// Ukrainian and a Persian member, creates a meeting in the guided flow,
// the reminders come in each member's language (right to left in Persian),
// the Persian member answers from the reminder, the coordinator moves the
// venue and the Ukrainian member gets the change notice, and the answers
// show up for the coordinator.
func TestNetworkEndToEndInGermanUkrainianAndPersian(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	e := startNetwork(t, time.Date(2026, 3, 1, 10, 0, 0, 0, loc), apptest.Options{})
	de, uk, fa := e.h.L("de"), e.h.L("uk"), e.h.L("fa")
	buero := e.org(t, "buero", "Netzwerkbüro")
	anker := e.org(t, "anker", "Sprachschule Anker")
	coord := e.member(t, 70001, "de", "Kai", buero, user.RoleCoordinator)

	// The network button in the main menu leads coordinators to their tools.
	menu := apptest.Last(t, e.h.Say(t, coord, "/menu"))
	net := apptest.Last(t, e.h.Press(t, coord, menu.MessageID, "net:menu"))
	for _, data := range []string{"mt:list", "grp:list", "mt:new", "att:list", "inv:start", "bc:start"} {
		if !hasButton(net, data) {
			t.Errorf("network menu lacks %s: %+v", data, net.Keyboard)
		}
	}

	// Invite link for Sprachschule Anker, five uses.
	msg := apptest.Last(t, e.h.Press(t, coord, net.MessageID, "inv:start"))
	msg = apptest.Last(t, e.h.Press(t, coord, msg.MessageID, fmt.Sprintf("inv:org:%d", anker)))
	msg = apptest.Last(t, e.h.Press(t, coord, msg.MessageID, "inv:grpdone"))
	msg = apptest.Last(t, e.h.Press(t, coord, msg.MessageID, "inv:uses:5"))
	link := inviteLinkRe.FindStringSubmatch(msg.Text)
	if link == nil {
		t.Fatalf("no link: %q", msg.Text)
	}
	oksana := telegramtest.User{ID: 70002, FirstName: "Oksana", LanguageCode: "uk"}
	reza := telegramtest.User{ID: 70003, FirstName: "Reza", LanguageCode: "fa"}
	for _, u := range []struct {
		u telegramtest.User
		l *locale.Localizer
	}{{oksana, uk}, {reza, fa}} {
		w := apptest.Last(t, e.h.Say(t, u.u, "/start "+link[1]))
		if want := u.l.T("inv_welcome", "Role", u.l.T("net_role_member"), "Organisation", "Sprachschule Anker"); w.Text != want {
			t.Errorf("%s welcome:\n got %q\nwant %q", u.l.Lang, w.Text, want)
		}
	}
	if !strings.Contains(apptest.Last(t, e.h.Say(t, reza, "/start "+link[1])).Text, "/meetings") {
		t.Error("the Persian member could use the link twice")
	}

	// The guided flow: who → title → time → duration → repetition → place →
	// agenda → deadline → summary → confirm.
	msg = apptest.Last(t, e.h.Say(t, coord, "/meetings"))
	msg = apptest.Last(t, e.h.Press(t, coord, msg.MessageID, "mt:new"))
	if msg.Text != de.T("mtf_kind") {
		t.Fatalf("flow start: %q", msg.Text)
	}
	e.h.Press(t, coord, msg.MessageID, "mtf:kind:0")
	if got := apptest.Last(t, e.h.Say(t, coord, "Netzwerktreffen Frühjahr")).Text; !strings.HasPrefix(got, strings.Split(de.T("mtf_start", "Example", "x"), "x")[0]) {
		t.Errorf("asked %q after the title", got)
	}
	if got := apptest.Last(t, e.h.Say(t, coord, "gestern")).Text; !strings.HasPrefix(got, strings.Split(de.T("mtf_start_invalid", "Example", "x"), "x")[0]) {
		t.Errorf("bad date answered %q", got)
	}
	msg = apptest.Last(t, e.h.Say(t, coord, "24.03.2026 14:00"))
	msg = apptest.Last(t, e.h.Press(t, coord, msg.MessageID, "mtf:dur:120"))
	if !hasButton(msg, "mtf:rep:monthly") || !strings.Contains(fmt.Sprint(msg.Keyboard), "Dienstag") {
		t.Errorf("repetition offers: %+v", msg.Keyboard)
	}
	e.h.Press(t, coord, msg.MessageID, "mtf:rep:once")
	e.h.Say(t, coord, "Rathaus, Raum 101, Fischmarkt 1")
	msg = apptest.Last(t, e.h.Say(t, coord, "1. Begrüßung\n2. Berichte aus den AGs"))
	summary := apptest.Last(t, e.h.Press(t, coord, msg.MessageID, "mtf:dl:1440"))
	for _, want := range []string{"Netzwerktreffen Frühjahr", "Rathaus, Raum 101", "Dienstag, 24. März 2026, 14:00 Uhr", "Berichte aus den AGs", de.T("mt_repeat_once")} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.Text)
		}
	}
	done := apptest.Last(t, e.h.Press(t, coord, summary.MessageID, "mtf:ok"))
	if done.Text != de.T("mtf_created", "Title", "Netzwerktreffen Frühjahr", "Count", 3) {
		t.Fatalf("created: %q", done.Text)
	}
	var occID, meetingID int64
	if err := e.h.DB.Pool.QueryRow(t.Context(), `SELECT o.id, m.id FROM meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id WHERE m.title->>'de' = 'Netzwerktreffen Frühjahr'`).Scan(&occID, &meetingID); err != nil {
		t.Fatal(err)
	}

	// A week before: reminders in Ukrainian and Persian.
	e.at(time.Date(2026, 3, 17, 14, 0, 0, 0, loc))
	mark := e.h.Fake.Mark()
	e.deliver(t)
	ukR, faR := e.messages(mark, oksana.ID), e.messages(mark, reza.ID)
	if len(ukR) != 1 || len(faR) != 1 {
		t.Fatalf("reminders: uk %d, fa %d", len(ukR), len(faR))
	}
	if !strings.HasPrefix(ukR[0].Text, uk.T("mt_reminder_head", "In", uk.N("mt_in_days", 7))) || !strings.Contains(ukR[0].Text, uk.T("mt_kind_network")) {
		t.Errorf("Ukrainian reminder: %q", ukR[0].Text)
	}
	if !strings.HasPrefix(faR[0].Text, fa.T("mt_reminder_head", "In", fa.N("mt_in_days", 7))) || !strings.Contains(faR[0].Text, locale.FSI+"Netzwerktreffen Frühjahr"+locale.PDI) {
		t.Errorf("Persian reminder (title isolated): %q", faR[0].Text)
	}
	row := faR[0].Keyboard[0]
	if len(row) != 3 || row[0].CallbackData != fmt.Sprintf("rsvp:%d:n", occID) || row[2].CallbackData != fmt.Sprintf("rsvp:%d:y", occID) {
		t.Errorf("answer buttons not mirrored right to left: %+v", row)
	}
	if ukR[0].Keyboard[0][0].Text != uk.T("mt_btn_yes") {
		t.Errorf("Ukrainian buttons: %+v", ukR[0].Keyboard[0])
	}

	// Reza answers yes from the reminder.
	calls := e.h.Press(t, reza, faR[0].MessageID, fmt.Sprintf("rsvp:%d:y", occID))
	if !toasted(calls, fa.T("mt_answer_saved", "Answer", fa.T("mt_answer_yes"))) {
		t.Errorf("no Persian confirmation: %+v", calls)
	}

	// The coordinator moves the venue in the chat; everyone invited is told.
	msg = apptest.Last(t, e.h.Say(t, coord, "/meetings"))
	msg = apptest.Last(t, e.h.Press(t, coord, msg.MessageID, fmt.Sprintf("mt:show:%d", occID)))
	if !strings.Contains(msg.Text, de.T("mt_line_counts", "Yes", 1, "Maybe", 0, "No", 0, "Invited", 3)) {
		t.Errorf("coordinator's card lacks the counts: %q", msg.Text)
	}
	msg = apptest.Last(t, e.h.Press(t, coord, msg.MessageID, fmt.Sprintf("mt:edit:%d", meetingID)))
	e.h.Press(t, coord, msg.MessageID, "mtf:ed:place")
	msg = apptest.Last(t, e.h.Say(t, coord, "Bürgerhaus Mitte, Saal 2"))
	saved := apptest.Last(t, e.h.Press(t, coord, msg.MessageID, "mtf:ok"))
	if saved.Text != de.T("mtf_saved", "Title", "Netzwerktreffen Frühjahr", "Count", 3) {
		t.Errorf("saved: %q", saved.Text)
	}
	mark = e.h.Fake.Mark()
	e.deliver(t)
	notice := e.messages(mark, oksana.ID)
	if len(notice) != 1 || !strings.HasPrefix(notice[0].Text, uk.T("mt_change_head", "Title", "Netzwerktreffen Frühjahr")) ||
		!strings.Contains(notice[0].Text, uk.T("mt_change_place", "Old", "Rathaus, Raum 101, Fischmarkt 1")) || !strings.Contains(notice[0].Text, "Bürgerhaus Mitte") {
		t.Errorf("Ukrainian change notice: %+v", notice)
	}

	// /meetings in Persian shows the answer; the coordinator sees the name.
	list := apptest.Last(t, e.h.Say(t, reza, "/meetings"))
	if !strings.HasPrefix(list.Text, fa.T("mt_list_head")) || !strings.Contains(list.Text, "✅") {
		t.Errorf("Persian list: %q", list.Text)
	}
	att := apptest.Last(t, e.h.Say(t, coord, "/attendees"))
	att = apptest.Last(t, e.h.Press(t, coord, att.MessageID, fmt.Sprintf("att:show:%d", occID)))
	if !strings.Contains(att.Text, de.T("att_yes", "Count", 1)+"\nReza (Sprachschule Anker)") {
		t.Errorf("attendees: %q", att.Text)
	}
	ics := e.h.PressRaw(t, reza, list.MessageID, fmt.Sprintf("mt:ics:%d", occID))
	var doc *telegramtest.File
	for _, c := range ics {
		if c.Method == "sendDocument" && c.OK() {
			doc = c.Document
		}
	}
	if doc == nil || !strings.Contains(string(doc.Data), "BEGIN:VEVENT") || !strings.Contains(string(doc.Data), "Bürgerhaus Mitte") {
		t.Errorf("no .ics: %+v", ics)
	}
	// After the registration deadline (a day before) only "no" is taken.
	e.at(time.Date(2026, 3, 23, 14, 1, 0, 0, loc))
	if calls := e.h.PressRaw(t, oksana, ukR[0].MessageID, fmt.Sprintf("rsvp:%d:y", occID)); !toasted(calls, uk.T("mt_registration_closed")) {
		t.Errorf("yes after the deadline: %+v", calls)
	}
	if calls := e.h.PressRaw(t, reza, faR[0].MessageID, fmt.Sprintf("rsvp:%d:n", occID)); !toasted(calls, fa.T("mt_answer_saved", "Answer", fa.T("mt_answer_no"))) {
		t.Errorf("no after the deadline: %+v", calls)
	}
	if r, _ := e.meetings.Response(t.Context(), occID, oksana.ID); r != meeting.None {
		t.Errorf("answer stored after the deadline: %q", r)
	}
}
