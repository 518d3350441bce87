package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
	"github.com/netzbot/netzbot/internal/user"
)

const (
	rolesAdmin  = 987650005001
	rolesTarget = 987650005002
)

func startWithAdmin(t *testing.T, l *logs) *apptest.Harness {
	return apptest.Start(t, apptest.Options{
		Config: func(c *config.Config) { c.AdminIDs = []int64{rolesAdmin} },
		App:    func(o *app.Options) { logTo(l, o) },
	})
}

func TestAdminGrantsAndRevokesRolesWithConfirmation(t *testing.T) {
	l := &logs{}
	h := startWithAdmin(t, l)
	a := telegramtest.User{ID: rolesAdmin, FirstName: "Ada", LanguageCode: "en"}
	en := h.L("en")
	h.Say(t, a, "/language en")
	target := fmt.Sprint(rolesTarget)

	// Grant by command, then confirm.
	confirm := apptest.Last(t, h.Say(t, a, "/admin grant "+target+" counsellor"))
	if confirm.Text != en.T("admin_confirm", "ID", target, "Role", en.T("role_counsellor")) {
		t.Errorf("confirmation: %q", confirm.Text)
	}
	if _, err := h.App.Users.Get(context.Background(), rolesTarget); err == nil {
		t.Fatal("the user exists before the admin confirmed")
	}
	done := apptest.Last(t, h.Press(t, a, confirm.MessageID, en.T("admin_button_confirm")))
	if done.Text != en.T("admin_done", "ID", target, "Role", en.T("role_counsellor")) || h.UserRow(t, rolesTarget).Role != user.RoleCounsellor {
		t.Errorf("grant: %q, role %s", done.Text, h.UserRow(t, rolesTarget).Role)
	}
	if ev := l.securityEvents(rolesAdmin); ev["role_changed"] != 1 {
		t.Errorf("role change not logged: %v", ev)
	}

	// The overview lists both, with a button each; a button leads to the
	// role picker and on to a confirmation.
	overview := apptest.Last(t, h.Say(t, a, "/admin"))
	if !strings.Contains(overview.Text, "<code>"+target+"</code> – "+en.T("role_counsellor")) || len(overview.Keyboard) != 2 {
		t.Errorf("overview: %q %+v", overview.Text, overview.Keyboard)
	}
	picker := apptest.Last(t, h.Press(t, a, overview.MessageID, "adm:user:"+target))
	if picker.Text != en.T("admin_pick_role", "ID", target) {
		t.Errorf("picker: %q", picker.Text)
	}
	confirm = apptest.Last(t, h.Press(t, a, picker.MessageID, "adm:role:"+target+":coordinator"))
	cancelled := apptest.Last(t, h.Press(t, a, confirm.MessageID, en.T("admin_button_cancel")))
	if cancelled.Text != en.T("admin_cancelled") || h.UserRow(t, rolesTarget).Role != user.RoleCounsellor {
		t.Errorf("cancel: %q, role %s", cancelled.Text, h.UserRow(t, rolesTarget).Role)
	}

	// Revoke.
	confirm = apptest.Last(t, h.Say(t, a, "/admin revoke "+target))
	h.Press(t, a, confirm.MessageID, en.T("admin_button_confirm"))
	if h.UserRow(t, rolesTarget).Role != user.RolePublic {
		t.Errorf("revoke: role %s", h.UserRow(t, rolesTarget).Role)
	}

	// The last admin cannot remove themselves; with a second admin they can.
	confirm = apptest.Last(t, h.Say(t, a, fmt.Sprintf("/admin revoke %d", rolesAdmin)))
	if got := apptest.Last(t, h.Press(t, a, confirm.MessageID, en.T("admin_button_confirm"))).Text; got != en.T("admin_last_admin") {
		t.Errorf("last admin: %q", got)
	}
	if h.UserRow(t, rolesAdmin).Role != user.RoleAdmin {
		t.Fatal("the last admin was demoted")
	}
	confirm = apptest.Last(t, h.Say(t, a, "/admin grant "+target+" admin"))
	h.Press(t, a, confirm.MessageID, en.T("admin_button_confirm"))
	confirm = apptest.Last(t, h.Say(t, a, fmt.Sprintf("/admin revoke %d", rolesAdmin)))
	h.Press(t, a, confirm.MessageID, en.T("admin_button_confirm"))
	if h.UserRow(t, rolesAdmin).Role != user.RolePublic {
		t.Errorf("an admin could not step down while another admin exists")
	}

	// Wrong usage is explained, markup in it shown as text.
	for _, bad := range []string{"/admin grant", "/admin grant 12 superuser", "/admin grant <b>&<script> admin", "/admin frob"} {
		if got := apptest.Last(t, h.Say(t, telegramtest.User{ID: rolesTarget, FirstName: "T", LanguageCode: "en"}, bad)).Text; got != en.T("admin_usage") {
			t.Errorf("%q: %q", bad, got)
		}
	}
}

// privilegedAction is one thing only some roles may do. data, if set, is
// pressed as a button (on a message of the user's chat); else text is sent.
type privilegedAction struct {
	name     string
	min      user.Role
	text     string
	data     string
	prepare  func(t *testing.T, h *apptest.Harness) // optional extra state
	featured string                                 // the feature it belongs to, for failure messages
}

// privilegedActions lists every privileged command and button. Features
// add theirs in privilegedFeatureActions (trust_features_test.go).
func privilegedActions() []privilegedAction {
	target := fmt.Sprint(rolesTarget)
	actions := []privilegedAction{
		{name: "admin overview", min: user.RoleAdmin, text: "/admin"},
		{name: "admin grant", min: user.RoleAdmin, text: "/admin grant " + target + " admin"},
		{name: "admin revoke", min: user.RoleAdmin, text: fmt.Sprintf("/admin revoke %d", rolesAdmin)},
		{name: "admin pick user", min: user.RoleAdmin, data: "adm:user:" + target},
		{name: "admin pick role", min: user.RoleAdmin, data: "adm:role:" + target + ":admin"},
		{name: "admin set role", min: user.RoleAdmin, data: "adm:set:" + target + ":admin"},
		{name: "admin demote admin", min: user.RoleAdmin, data: fmt.Sprintf("adm:set:%d:public", rolesAdmin)},
		{name: "admin cancel", min: user.RoleAdmin, data: "adm:no"},
	}
	return append(actions, privilegedFeatureActions()...)
}

// TestPrivilegedActionsAreRefusedToLesserRoles tries every privileged
// action as every role below the one it needs: refused with a localized
// message, logged as a security event, and not one row changed.
func TestPrivilegedActionsAreRefusedToLesserRoles(t *testing.T) {
	l := &logs{}
	h := startWithAdmin(t, l)
	ctx := context.Background()
	lower := []user.Role{user.RolePublic, user.RoleMember, user.RoleCounsellor, user.RoleCoordinator}
	langs := []string{"de", "ar", "uk", "ti"}
	for i, role := range lower {
		u := telegramtest.User{ID: int64(987650006000 + i), FirstName: "Eve", LanguageCode: langs[i]}
		h.Say(t, u, "/language "+langs[i])
		if _, err := h.App.Users.SetRole(ctx, u.ID, role); err != nil {
			t.Fatal(err)
		}
		msg := apptest.Last(t, h.Say(t, u, "/help"))
		// Refused actions change nothing, so one snapshot serves them all.
		before, err := pgtest.Snapshot(ctx, h.DB.Pool)
		if err != nil {
			t.Fatal(err)
		}
		for _, act := range privilegedActions() {
			if role.AtLeast(act.min) {
				continue
			}
			if act.prepare != nil {
				act.prepare(t, h)
				if before, err = pgtest.Snapshot(ctx, h.DB.Pool); err != nil {
					t.Fatal(err)
				}
			}
			events := l.securityEvents(u.ID)["role_denied"]
			var calls []telegramtest.Call
			if act.data != "" {
				calls = h.PressRaw(t, u, msg.MessageID, act.data)
			} else {
				calls = h.Say(t, u, act.text)
			}
			if got, want := toastOrText(calls), h.L(langs[i]).T("not_allowed"); got != want {
				t.Errorf("%s as %s: answered %q, want the localized refusal %q", act.name, role, got, want)
			}
			if act.data != "" && len(apptest.Messages(calls)) != 0 {
				t.Errorf("%s as %s: the refused button changed the chat: %+v", act.name, role, apptest.Messages(calls))
			}
			if l.securityEvents(u.ID)["role_denied"] != events+1 {
				t.Errorf("%s as %s: no security event logged", act.name, role)
			}
			after, err := pgtest.Snapshot(ctx, h.DB.Pool)
			if err != nil {
				t.Fatal(err)
			}
			if d := pgtest.Diff(before, after); len(d) > 0 {
				t.Errorf("%s as %s: refused, but tables changed: %v", act.name, role, d)
				before = after
			}
		}
	}
}

// TestForgedAndMalformedButtonsAreRefused presses buttons as a user whose
// role would allow the action, with data no button of ours carries:
// other people's or non-existent ids, unknown roles, garbage.
func TestForgedAndMalformedButtonsAreRefused(t *testing.T) {
	l := &logs{}
	h := startWithAdmin(t, l)
	ctx := context.Background()
	a := telegramtest.User{ID: rolesAdmin, FirstName: "Ada", LanguageCode: "fa"}
	h.Say(t, a, "/language fa")
	fa := h.L("fa")
	msg := apptest.Last(t, h.Say(t, a, "/admin"))
	type forgery struct {
		user  telegramtest.User
		data  string
		want  string // localized answer
		event string
	}
	var cases []forgery
	for _, d := range []string{"adm:set:abc:admin", "adm:set:5:superuser", "adm:set:0:admin", "adm:set:-5:admin", "adm:set:0005:admin",
		"adm:role:5:root", "adm:frob:5", "adm:set", "adm:user", "adm:set:5:admin:extra", "priv:del:", "priv:del:12ab"} {
		cases = append(cases, forgery{a, d, fa.T("not_allowed"), "forged_data"})
	}
	for _, d := range []string{"adm:set:1 2:admin", "adm:set:۵:admin", "ADM:set:5:admin", "adm:set:5:admin\x00", strings.Repeat("a", 65), "adm:\u202eset:5:admin", ":", "a:1:2:3:4:5:6:7:8:9"} {
		cases = append(cases, forgery{a, d, fa.T("button_stale"), "malformed_callback"})
	}
	for _, f := range forgedFeatureData(t, h) {
		want, event := "not_allowed", "forged_data"
		if f.want != "" {
			want, event = f.want, f.event
		}
		cases = append(cases, forgery{f.user, f.data, h.L(f.user.LanguageCode).T(want), event})
	}
	for _, c := range cases {
		before, err := pgtest.Snapshot(ctx, h.DB.Pool)
		if err != nil {
			t.Fatal(err)
		}
		events := l.securityEvents(c.user.ID)[c.event]
		target := msg.MessageID
		if c.user.ID != a.ID {
			target = apptest.Last(t, h.Say(t, c.user, "/help")).MessageID
			before, _ = pgtest.Snapshot(ctx, h.DB.Pool)
		}
		calls := h.PressRaw(t, c.user, target, c.data)
		if got := toast(calls); got != c.want {
			t.Errorf("%q: answered %q, want %q", c.data, got, c.want)
		}
		if len(apptest.Messages(calls)) != 0 {
			t.Errorf("%q: the chat changed: %+v", c.data, apptest.Messages(calls))
		}
		if l.securityEvents(c.user.ID)[c.event] != events+1 {
			t.Errorf("%q: no %s security event", c.data, c.event)
		}
		after, err := pgtest.Snapshot(ctx, h.DB.Pool)
		if err != nil {
			t.Fatal(err)
		}
		if d := pgtest.Diff(before, after); len(d) > 0 {
			t.Errorf("%q: tables changed: %v", c.data, d)
		}
	}
}

// In polling mode sessions are kept in memory between updates. A role
// granted by an admin in the chat is what the target's very next update
// sees, though the target's session was kept from before.
func TestGrantedRoleHoldsForTheNextUpdateThoughSessionsAreKept(t *testing.T) {
	h := startWithAdmin(t, &logs{})
	a := telegramtest.User{ID: rolesAdmin, FirstName: "Ada", LanguageCode: "en"}
	u := telegramtest.User{ID: rolesTarget, FirstName: "T", LanguageCode: "en"}
	en := h.L("en")
	h.Say(t, a, "/language en")
	h.Say(t, u, "/language en")
	if h.App.Sessions == nil {
		t.Fatal("polling mode keeps no sessions")
	}
	deadline := time.Now().Add(10 * time.Second)
	for { // the first updates of a user write them; then they are kept
		hits, _ := h.App.Sessions.Stats()
		if got := apptest.Last(t, h.Say(t, u, "/admin")).Text; got != en.T("not_allowed") {
			t.Fatalf("/admin before the grant: %q", got)
		}
		if now, _ := h.App.Sessions.Stats(); now > hits {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the target's session never came from memory")
		}
	}
	for _, step := range []struct {
		role  string
		admin bool
	}{{"admin", true}, {"public", false}, {"admin", true}} {
		confirm := apptest.Last(t, h.Say(t, a, fmt.Sprintf("/admin grant %d %s", rolesTarget, step.role)))
		h.Press(t, a, confirm.MessageID, en.T("admin_button_confirm"))
		got := apptest.Last(t, h.Say(t, u, "/admin")).Text
		if refused := got == en.T("not_allowed"); refused == step.admin {
			t.Errorf("after the grant of %s, the target's /admin got %q", step.role, got)
		}
	}
}
