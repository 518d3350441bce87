package app_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
	"github.com/netzbot/netzbot/internal/user"
)

var inviteLinkRe = regexp.MustCompile(`https://t\.me/netzbot_test_bot\?start=(i_[A-Za-z0-9_-]+)`)

// A coordinator creates an invite in the chat; the link works once, grants
// the role and the groups; used, expired and unknown links change nothing.
func TestInvitesSingleUseExpiryWrongTokenAndRole(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	e := startNetwork(t, time.Date(2026, 4, 1, 10, 0, 0, 0, loc), apptest.Options{})
	ctx := context.Background()
	buero := e.org(t, "buero", "Netzwerkbüro")
	anker := e.org(t, "anker", "Sprachschule Anker")
	ag := e.group(t, "ag-sprache", "AG Sprache", true)
	coord := e.member(t, 60001, "de", "Kai Koordinator", buero, user.RoleCoordinator)

	// /invite → organisation by name → groups → uses → link.
	calls := e.h.Say(t, coord, "/invite")
	msg := apptest.Last(t, calls)
	if !hasButton(msg, fmt.Sprintf("inv:org:%d", anker)) { // few organisations: offered as buttons
		t.Fatalf("no organisation buttons: %+v", msg.Keyboard)
	}
	msg = apptest.Last(t, e.h.Say(t, coord, "Anker"))
	msg = apptest.Last(t, e.h.Press(t, coord, msg.MessageID, fmt.Sprintf("inv:org:%d", anker)))
	if hasButton(msg, "inv:role:coordinator") {
		t.Error("a coordinator was offered to invite coordinators")
	}
	e.h.Press(t, coord, msg.MessageID, fmt.Sprintf("inv:grp:%d", ag))
	e.h.Press(t, coord, msg.MessageID, "inv:grpdone")
	msg = apptest.Last(t, e.h.Press(t, coord, msg.MessageID, "inv:uses:1"))
	link := inviteLinkRe.FindStringSubmatch(msg.Text)
	if link == nil || !strings.Contains(msg.Text, "Sprachschule Anker") || !strings.Contains(msg.Text, "AG Sprache") {
		t.Fatalf("no invite link: %q", msg.Text)
	}
	token := strings.TrimPrefix(link[1], "i_")
	if e.count(t, `SELECT count(*) FROM invites WHERE token_hash = $1`, member.HashToken(token)) != 1 ||
		e.count(t, `SELECT count(*) FROM invites WHERE position($1::bytea IN token_hash) > 0`, []byte(token)) != 0 {
		t.Error("the token is not stored as its hash only")
	}

	// A new user opens the link (in Ukrainian, before choosing a language).
	newbie := telegramtest.User{ID: 60002, FirstName: "Olena Bondar", LanguageCode: "uk"}
	welcome := apptest.Last(t, e.h.Say(t, newbie, "/start "+link[1]))
	uk := e.h.L("uk")
	if !strings.Contains(welcome.Text, "Sprachschule Anker") || !strings.HasPrefix(welcome.Text, strings.SplitN(uk.T("inv_welcome", "Role", "x", "Organisation", "y"), "!", 2)[0]) {
		t.Errorf("welcome: %q", welcome.Text)
	}
	u := e.h.UserRow(t, newbie.ID)
	if u.Role != user.RoleMember || u.Language != "uk" {
		t.Errorf("after the invite: role %s, language %q", u.Role, u.Language)
	}
	mem, err := e.members.Get(ctx, newbie.ID)
	if err != nil || mem.Organisation.ID != anker || mem.Name != "Olena Bondar" {
		t.Fatalf("member %+v %v", mem, err)
	}
	if v, _ := e.members.GroupView(ctx, ag, newbie.ID); v.Status != member.StatusActive {
		t.Errorf("not in the invite's group: %+v", v)
	}

	// The same person again; someone else with the used link; an unknown token.
	if got := apptest.Last(t, e.h.Say(t, newbie, "/start "+link[1])).Text; got != uk.T("inv_already") {
		t.Errorf("reused by the same user: %q", got)
	}
	other := telegramtest.User{ID: 60003, FirstName: "Max", LanguageCode: "de"}
	de := e.h.L("de")
	if got := apptest.Last(t, e.h.Say(t, other, "/start "+link[1])).Text; got != de.T("inv_used") {
		t.Errorf("used link: %q", got)
	}
	if got := apptest.Last(t, e.h.Say(t, other, "/start i_AAAAAAAAAAAAAAAAAAAAAAAA")).Text; got != de.T("inv_invalid") {
		t.Errorf("unknown token: %q", got)
	}
	if got := apptest.Last(t, e.h.Say(t, other, "/start i_x")).Text; got != de.T("inv_invalid") {
		t.Errorf("malformed token: %q", got)
	}
	if e.securityEvents("invite_unknown") < 2 {
		t.Error("unknown invite tokens were not logged as security events")
	}

	// Expired: created via the CLI's store with the default 14 days.
	expiring, err := e.members.CreateInvite(ctx, member.InviteSpec{OrganisationID: buero, Role: user.RoleMember, MaxUses: 5, ExpiresAt: e.c.Now().Add(member.DefaultInviteValidity)}, e.c.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.c.Add(member.DefaultInviteValidity + time.Minute)
	if got := apptest.Last(t, e.h.Say(t, other, "/start i_"+expiring)).Text; got != de.T("inv_expired") {
		t.Errorf("expired: %q", got)
	}
	if r := e.h.UserRow(t, other.ID); r.Role != user.RolePublic {
		t.Errorf("refused invites changed the role to %s", r.Role)
	}
	if _, err := e.members.Get(ctx, other.ID); err != member.ErrNotMember {
		t.Errorf("refused invites made a member: %v", err)
	}

	// An admin may invite a coordinator; the role is granted.
	admin := e.member(t, 60004, "de", "Ada Admin", buero, user.RoleAdmin)
	msg = apptest.Last(t, e.h.Say(t, admin, "/invite"))
	msg = apptest.Last(t, e.h.Press(t, admin, msg.MessageID, fmt.Sprintf("inv:org:%d", buero)))
	msg = apptest.Last(t, e.h.Press(t, admin, msg.MessageID, "inv:role:coordinator"))
	e.h.Press(t, admin, msg.MessageID, "inv:grpdone")
	msg = apptest.Last(t, e.h.Press(t, admin, msg.MessageID, "inv:uses:5"))
	link = inviteLinkRe.FindStringSubmatch(msg.Text)
	if link == nil {
		t.Fatalf("no link: %q", msg.Text)
	}
	e.h.Say(t, other, "/start "+link[1])
	if r := e.h.UserRow(t, other.ID); r.Role != user.RoleCoordinator {
		t.Errorf("coordinator invite granted %s", r.Role)
	}
}

// Members and public users cannot create invites, meetings or broadcasts,
// also not by sending the buttons' data themselves; a coordinator cannot
// touch another organisation's meeting; forged, deleted and malformed data
// is refused, logged, and changes nothing.
func TestOnlyCoordinatorsManageCheckedOnTheServer(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 5, 20, 14, 0, 0, 0, loc)
	e := startNetwork(t, start.AddDate(0, 0, -5), apptest.Options{})
	ctx := context.Background()
	orgA := e.org(t, "a", "Verein A")
	orgB := e.org(t, "b", "Verein B")
	ag := e.group(t, "ag", "AG Test", false)
	plain := e.member(t, 61001, "de", "Mitglied", orgA, user.RoleMember)
	coordA := e.member(t, 61002, "de", "Koordination A", orgA, user.RoleCoordinator)
	public := telegramtest.User{ID: 61003, FirstName: "Gast", LanguageCode: "de"}
	e.h.Say(t, public, "/language de")
	meetingB := e.create(t, e.meetingAt("Treffen von B", start, 0, orgB))
	occB := e.next(t, meetingB)
	meetingA := e.create(t, e.meetingAt("Treffen von A", start.Add(time.Hour), 0, orgA))
	occA := e.next(t, meetingA)

	state := func() string {
		return fmt.Sprint(
			e.count(t, `SELECT count(*) FROM invites`), e.count(t, `SELECT count(*) FROM meetings`),
			e.count(t, `SELECT count(*) FROM broadcasts`), e.count(t, `SELECT count(*) FROM meetings WHERE cancelled_at IS NOT NULL`),
			e.count(t, `SELECT count(*) FROM notifications WHERE kind <> 'meeting_reminder'`),
			e.count(t, `SELECT sum(revision) FROM meeting_occurrences`))
	}
	before := state()
	de := e.h.L("de")
	refused := de.T("not_allowed")

	for _, u := range []telegramtest.User{plain, public} {
		for _, cmd := range []string{"/invite", "/broadcast", "/attendees"} {
			if got := apptest.Last(t, e.h.Say(t, u, cmd)).Text; got != refused {
				t.Errorf("user %d %s: %q", u.ID, cmd, got)
			}
		}
		msg := apptest.Last(t, e.h.Say(t, u, "/menu"))
		for _, data := range []string{
			"mt:new", "mtf:ok", "mtf:kind:0", fmt.Sprintf("inv:org:%d", orgA), "inv:uses:1", "inv:start",
			"bc:start", "bc:aud:all", "bc:send", fmt.Sprintf("mt:edit:%d", meetingA.ID), fmt.Sprintf("mt:cxo:%d", occA.ID),
			fmt.Sprintf("mt:cxa:%d", meetingA.ID), fmt.Sprintf("att:show:%d", occA.ID), fmt.Sprintf("grp:ok:%d:%d", ag, plain.ID),
		} {
			calls := e.h.PressRaw(t, u, msg.MessageID, data)
			if !toasted(calls, refused) {
				t.Errorf("user %d pressing %q: %+v", u.ID, data, calls)
			}
		}
	}
	if n := e.securityEvents("role_denied"); n < 2*(3+14) {
		t.Errorf("%d refusals logged as security events, want every one", n)
	}

	// A coordinator of A forges data naming B's meeting.
	msg := apptest.Last(t, e.h.Say(t, coordA, "/menu"))
	forgedBefore := e.securityEvents("forged_data")
	for _, data := range []string{
		fmt.Sprintf("mt:edit:%d", meetingB.ID), fmt.Sprintf("mt:cxo:%d", occB.ID), fmt.Sprintf("mt:cxa:%d", meetingB.ID),
		fmt.Sprintf("att:show:%d", occB.ID), fmt.Sprintf("mt:cancel:%d", occB.ID),
	} {
		if calls := e.h.PressRaw(t, coordA, msg.MessageID, data); !toasted(calls, refused) {
			t.Errorf("coordinator A pressing %q: %+v", data, calls)
		}
	}
	if after := state(); after != before {
		t.Errorf("refused requests changed something: %s → %s", before, after)
	}
	// Its own meeting works (the cancel question is asked, nothing done yet).
	if calls := e.h.PressRaw(t, coordA, msg.MessageID, fmt.Sprintf("mt:cancel:%d", occA.ID)); !strings.Contains(apptest.Last(t, calls).Text, "Treffen von A") {
		t.Errorf("own meeting refused: %+v", calls)
	}
	// A deleted meeting, malformed data.
	e.exec(t, `DELETE FROM meetings WHERE id = $1`, meetingB.ID)
	for _, data := range []string{fmt.Sprintf("mt:show:%d", occB.ID), fmt.Sprintf("rsvp:%d:y", occB.ID)} {
		if calls := e.h.PressRaw(t, coordA, msg.MessageID, data); !toasted(calls, refused) {
			t.Errorf("deleted meeting %q: %+v", data, calls)
		}
	}
	if got := e.securityEvents("forged_data") - forgedBefore; got != 7 {
		t.Errorf("%d forged requests logged, want 7", got)
	}
	malformedBefore := e.securityEvents("malformed_callback")
	for _, data := range []string{"mt:show:abc", "rsvp:1:x", "mt:show:-1", "grp:mute", "inv:org:0"} {
		if calls := e.h.PressRaw(t, coordA, msg.MessageID, data); !answered(calls) || len(apptest.Messages(calls)) != 0 {
			t.Errorf("malformed %q: %+v", data, calls)
		}
	}
	if e.securityEvents("malformed_callback")-malformedBefore < 4 {
		t.Error("malformed data not logged")
	}
	// A member answering for a meeting of a group they are not in.
	session := e.create(t, e.meetingAt("AG-Sitzung", start, ag, orgA))
	so := e.next(t, session)
	pm := apptest.Last(t, e.h.Say(t, plain, "/menu"))
	if calls := e.h.PressRaw(t, plain, pm.MessageID, fmt.Sprintf("rsvp:%d:y", so.ID)); !toasted(calls, refused) {
		t.Errorf("answer to a session of a group the member is not in: %+v", calls)
	}
	if r, _ := e.meetings.Response(ctx, so.ID, plain.ID); r != "" {
		t.Errorf("forged answer stored: %q", r)
	}

	if e.count(t, `SELECT count(*) FROM invites`)+e.count(t, `SELECT count(*) FROM broadcasts`) != 0 {
		t.Error("an invite or broadcast was created by someone not allowed")
	}
	if c := e.count(t, `SELECT count(*) FROM meetings WHERE cancelled_at IS NOT NULL`); c != 0 {
		t.Error("a meeting was cancelled by someone not allowed")
	}
}

// toasted reports whether the button was answered with that toast.
func toasted(calls []telegramtest.Call, text string) bool {
	for _, c := range calls {
		if c.Method == "answerCallbackQuery" && c.Text == text {
			return true
		}
	}
	return false
}

// A broadcast is queued (the handler sends nothing to members), delivered
// by the worker, and reported to the sender with the members who blocked
// the bot, who are marked inactive.
func TestBroadcastThroughTheQueueWithReport(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	e := startNetwork(t, time.Date(2026, 3, 2, 9, 0, 0, 0, loc), apptest.Options{})
	buero := e.org(t, "buero", "Netzwerkbüro")
	anker := e.org(t, "anker", "Sprachschule Anker")
	coord := e.member(t, 62000, "de", "Kai", buero, user.RoleCoordinator)
	var members []telegramtest.User
	for i := 0; i < 60; i++ {
		lang := []string{"de", "uk", "fa", "ar"}[i%4]
		members = append(members, e.member(t, int64(62001+i), lang, fmt.Sprintf("Mitglied %02d", i), anker, user.RoleMember))
	}
	blocked := members[:3]
	for _, u := range blocked {
		e.h.Fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Code: 403, Times: -1})
	}

	msg := apptest.Last(t, e.h.Say(t, coord, "/broadcast"))
	msg = apptest.Last(t, e.h.Press(t, coord, msg.MessageID, "bc:aud:org"))
	msg = apptest.Last(t, e.h.Say(t, coord, "anker"))
	msg = apptest.Last(t, e.h.Press(t, coord, msg.MessageID, fmt.Sprintf("bc:org:%d", anker)))
	preview := apptest.Last(t, e.h.Say(t, coord, "Liebe Mitglieder, <bitte> lest die Einladung & kommt!"))
	if !strings.Contains(preview.Text, "60") || !strings.Contains(preview.Text, "&lt;bitte&gt;") {
		t.Errorf("preview: %q", preview.Text)
	}
	mark := e.h.Fake.Mark()
	sent := apptest.Last(t, e.h.Press(t, coord, preview.MessageID, "bc:send"))
	if sent.Text != e.h.L("de").T("bc_queued", "Count", 60) {
		t.Errorf("confirmation: %q", sent.Text)
	}
	for _, c := range e.h.Fake.CallsSince(mark) {
		if c.Method == "sendMessage" && c.ChatID != coord.ID {
			t.Fatalf("the handler sent to a member itself: %+v", c)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM notifications WHERE kind = 'broadcast' AND status = 'pending'`); n != 60 {
		t.Fatalf("%d broadcast notifications queued, want 60", n)
	}

	mark = e.h.Fake.Mark()
	e.deliver(t)
	for i, u := range members {
		got := e.messages(mark, u.ID)
		switch {
		case i < 3 && len(got) != 0:
			t.Errorf("blocked member %d got %d messages", i, len(got))
		case i >= 3 && (len(got) != 1 || !strings.Contains(got[0].Text, "lest die Einladung &amp; kommt!")):
			t.Errorf("member %d got %+v", i, got)
		}
	}
	// members[i] speaks [de uk fa ar][i%4]: 6 reads Persian.
	if got := e.messages(mark, members[6].ID); len(got) == 1 && !strings.Contains(got[0].Text, e.h.L("fa").T("bc_header_from", "Sender", "Kai (Netzwerkbüro)")) {
		t.Errorf("header not in Persian: %q", got[0].Text)
	}
	for _, u := range blocked {
		if e.h.UserRow(t, u.ID).Active {
			t.Errorf("blocked member %d still active", u.ID)
		}
	}
	reports := e.messages(mark, coord.ID)
	if len(reports) == 0 {
		t.Fatal("no report to the coordinator")
	}
	report := reports[len(reports)-1].Text
	want := e.h.L("de").T("bc_report", "Delivered", 57, "Blocked", 3, "Failed", 0, "Total", 60)
	if !strings.Contains(report, want) {
		t.Errorf("report:\n%s\nwant it to contain\n%s", report, want)
	}
	for _, u := range blocked {
		if !strings.Contains(report, u.FirstName+" (Sprachschule Anker)") {
			t.Errorf("blocked member %s not listed: %s", u.FirstName, report)
		}
	}
	// The report comes exactly once.
	mark = e.h.Fake.Mark()
	e.c.Add(time.Hour)
	e.deliver(t)
	if got := e.messages(mark, coord.ID); len(got) != 0 {
		t.Errorf("report sent again: %+v", got)
	}
}

// Joining a group that needs approval asks the coordinators; the one who
// approves adds the member, who is told; a second press changes nothing.
func TestGroupJoinWithApproval(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	e := startNetwork(t, time.Date(2026, 4, 1, 10, 0, 0, 0, loc), apptest.Options{})
	ctx := context.Background()
	org := e.org(t, "buero", "Netzwerkbüro")
	ag := e.group(t, "ag-wohnen", "AG Wohnen", true)
	coord := e.member(t, 63001, "de", "Kai", org, user.RoleCoordinator)
	u := e.member(t, 63002, "ru", "Irina", org, user.RoleMember)
	ru := e.h.L("ru")

	list := apptest.Last(t, e.h.Say(t, u, "/groups"))
	card := apptest.Last(t, e.h.Press(t, u, list.MessageID, fmt.Sprintf("grp:show:%d", ag)))
	if !strings.Contains(card.Text, ru.T("grp_needs_approval")) {
		t.Errorf("card: %q", card.Text)
	}
	calls := e.h.Press(t, u, card.MessageID, fmt.Sprintf("grp:join:%d", ag))
	if !toasted(calls, ru.T("grp_requested", "Group", "AG Wohnen")) {
		t.Errorf("join: %+v", calls)
	}
	if v, _ := e.members.GroupView(ctx, ag, u.ID); v.Status != member.StatusPending {
		t.Fatalf("status %q", v.Status)
	}
	mark := e.h.Fake.Mark()
	e.deliver(t)
	reqs := e.messages(mark, coord.ID)
	if len(reqs) != 1 || !strings.Contains(reqs[0].Text, "Irina") || !hasButton(reqs[0], fmt.Sprintf("grp:ok:%d:%d", ag, u.ID)) {
		t.Fatalf("request to the coordinator: %+v", reqs)
	}
	done := apptest.Last(t, e.h.Press(t, coord, reqs[0].MessageID, fmt.Sprintf("grp:ok:%d:%d", ag, u.ID)))
	if done.Text != e.h.L("de").T("grp_request_approved", "Member", "Irina", "Group", "AG Wohnen") {
		t.Errorf("approved: %q", done.Text)
	}
	if v, _ := e.members.GroupView(ctx, ag, u.ID); v.Status != member.StatusActive {
		t.Errorf("status after approval %q", v.Status)
	}
	mark = e.h.Fake.Mark()
	e.deliver(t)
	if got := e.messages(mark, u.ID); len(got) != 1 || got[0].Text != ru.T("grp_joined", "Group", "AG Wohnen") {
		t.Errorf("member told: %+v", got)
	}
	if calls := e.h.PressRaw(t, coord, reqs[0].MessageID, fmt.Sprintf("grp:deny:%d:%d", ag, u.ID)); !toasted(calls, e.h.L("de").T("grp_request_done")) {
		t.Errorf("second decision: %+v", calls)
	}
	if v, _ := e.members.GroupView(ctx, ag, u.ID); v.Status != member.StatusActive {
		t.Errorf("a late decline removed the member: %q", v.Status)
	}
}

// A larger broadcast reports its progress to the sender on the way (the
// sweeper after each batch), then the result, each exactly once, also
// with several workers sweeping.
func TestBroadcastProgress(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	e := startNetwork(t, time.Date(2026, 3, 2, 9, 0, 0, 0, loc), apptest.Options{})
	ctx := context.Background()
	org := e.org(t, "buero", "Netzwerkbüro")
	coord := e.member(t, 64000, "en", "Kai", org, user.RoleCoordinator)
	e.manyMembers(t, 64001, 199, org)
	bc, err := e.broadcasts.Create(ctx, coord.ID, member.Audience{Kind: member.AudienceAll}, "Hello everyone", e.c.Now())
	if err != nil || bc.Total != 200 {
		t.Fatalf("create: %+v %v", bc, err)
	}
	// A worker got through 110 of 200 (as between two batches).
	e.exec(t, `UPDATE notifications SET status = 'sent', sent_at = now() WHERE id IN (
		SELECT id FROM notifications WHERE kind = 'broadcast' AND user_id <> $1 ORDER BY id LIMIT 110)`, coord.ID)
	for i := 0; i < 3; i++ { // several workers sweep: one progress message
		if _, err := e.broadcasts.Sweep(ctx, e.c.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM notifications WHERE kind = $1`, member.KindBroadcastProgress); n != 1 {
		t.Fatalf("%d progress messages queued, want 1 (50%%)", n)
	}
	mark := e.h.Fake.Mark()
	e.deliver(t)
	en := e.h.L("en")
	var got []string
	for _, m := range e.messages(mark, coord.ID) {
		switch {
		case m.Text == en.T("bc_progress", "Done", 110, "Total", 200):
			got = append(got, "progress")
		case strings.Contains(m.Text, en.T("bc_report", "Delivered", 200, "Blocked", 0, "Failed", 0, "Total", 200)):
			got = append(got, "report")
		}
	}
	if strings.Join(got, " ") != "progress report" {
		t.Errorf("sender got %v, want the progress first and then the report", got)
	}
	e.c.Add(time.Minute)
	e.deliver(t)
	if n := e.count(t, `SELECT count(*) FROM notifications WHERE kind IN ($1, $2)`, member.KindBroadcastProgress, member.KindBroadcastReport); n != 2 {
		t.Errorf("%d progress and report messages, want 2", n)
	}
}
