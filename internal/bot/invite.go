package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/user"
)

// Invites: a coordinator picks an organisation (by typing part of its
// name), the role (admins may also invite coordinators), working groups
// and how often the link may be used; the bot answers with the deep link
// t.me/<bot>?start=i_<token>. The token is shown once and stored only as
// its hash. Opening the link makes the user a member (redeemInvite).

// Uses offered for a link.
var inviteUses = []int{1, 5, 20}

// inviteCommand answers /invite.
func (b *Bot) inviteCommand(ctx context.Context, r *Request) ([]Reply, error) {
	return b.inviteStart(ctx, r)
}

func (b *Bot) inviteStart(ctx context.Context, r *Request) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "invite_create"); !ok {
		return deny, nil
	}
	if err := b.setInvite(ctx, r, "org", map[string]string{}); err != nil {
		return nil, err
	}
	orgs, err := b.d.Members.Organisations(ctx, "", 9)
	if err != nil {
		return nil, err
	}
	if len(orgs) > 0 && len(orgs) <= 8 {
		return b.inviteOrgChoice(r, orgs, r.L.T("inv_pick_org_list"))
	}
	return []Reply{{Text: r.L.T("inv_pick_org"), Buttons: Keyboard{Row(r.L, Button{Text: r.L.T("mtf_btn_abort"), Data: "inv:no"})}, Edit: r.Callback != nil}}, nil
}

func (b *Bot) setInvite(ctx context.Context, r *Request, step string, data map[string]string) error {
	r.State = conversation.State{Flow: flowInvite, Step: step, Data: data}
	return b.d.Conversations.Set(ctx, r.User.ID, r.State)
}

func (b *Bot) inviteOrgChoice(r *Request, orgs []member.Organisation, text string) ([]Reply, error) {
	var kb Keyboard
	for _, o := range orgs {
		kb = append(kb, Row(r.L, Button{Text: netTruncate(o.Name, 50), Data: "inv:org:" + netItoa(o.ID)}))
	}
	kb = append(kb, Row(r.L, Button{Text: r.L.T("mtf_btn_abort"), Data: "inv:no"}))
	return []Reply{{Text: text, Buttons: kb, Edit: r.Callback != nil}}, nil
}

// inviteText searches organisations by what the coordinator typed.
func (b *Bot) inviteText(ctx context.Context, r *Request) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "invite_create"); !ok {
		_ = b.d.Conversations.Clear(ctx, r.User.ID)
		return deny, nil
	}
	if r.State.Step != "org" {
		return []Reply{Text(r.L.T("mtf_use_buttons"))}, nil
	}
	q := strings.TrimSpace(r.Text)
	orgs, err := b.d.Members.Organisations(ctx, q, 8)
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 {
		return []Reply{Text(r.L.T("inv_no_org", "Query", q))}, nil
	}
	return b.inviteOrgChoice(r, orgs, r.L.T("inv_pick_org_list"))
}

// inviteButton handles inv:… buttons; every step checks the role again.
func (b *Bot) inviteButton(ctx context.Context, r *Request) ([]Reply, error) {
	action := arg(r.Args, 0)
	if action == "start" {
		return b.inviteStart(ctx, r)
	}
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "invite_create"); !ok {
		return deny, nil
	}
	if action == "no" {
		if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
			return nil, err
		}
		return []Reply{{Text: r.L.T("mtf_aborted"), Buttons: Keyboard{networkBack(r.L)}, Edit: true}}, nil
	}
	if r.State.Flow != flowInvite {
		return b.staleButton(ctx, r)
	}
	data := r.State.Data
	if data == nil {
		data = map[string]string{}
	}
	l := r.L
	switch action {
	case "org":
		id, ok := argID(r.Args, 1)
		if !ok {
			return b.malformedButton(ctx, r)
		}
		org, err := b.d.Members.Organisation(ctx, id)
		if errors.Is(err, member.ErrNotFound) {
			return b.forged(r, "invite_create"), nil
		}
		if err != nil {
			return nil, err
		}
		data["org"], data["org_name"] = netItoa(org.ID), org.Name
		if r.User.Role.AtLeast(user.RoleAdmin) {
			if err := b.setInvite(ctx, r, "role", data); err != nil {
				return nil, err
			}
			return []Reply{{Text: l.T("inv_pick_role", "Organisation", org.Name), Buttons: Keyboard{
				Row(l, Button{Text: l.T("net_role_member"), Data: "inv:role:member"}, Button{Text: l.T("net_role_coordinator"), Data: "inv:role:coordinator"}),
				Row(l, Button{Text: l.T("mtf_btn_abort"), Data: "inv:no"}),
			}, Edit: true}}, nil
		}
		data["role"] = string(user.RoleMember)
		return b.inviteGroups(ctx, r, data)
	case "role":
		role := user.Role(arg(r.Args, 1))
		if r.State.Step != "role" || (role != user.RoleMember && role != user.RoleCoordinator) {
			return b.staleButton(ctx, r)
		}
		if !member.CanInvite(r.User.Role, role) {
			b.securityEvent(r, "role_denied", "action", "invite_role", "role", string(r.User.Role), "invite_role", string(role))
			return b.refusal(r, "not_allowed"), nil
		}
		data["role"] = string(role)
		return b.inviteGroups(ctx, r, data)
	case "grp":
		id, ok := argID(r.Args, 1)
		if !ok || r.State.Step != "groups" {
			return b.staleButton(ctx, r)
		}
		if _, err := b.d.Members.Group(ctx, id); errors.Is(err, member.ErrNotFound) {
			return b.forged(r, "invite_create"), nil
		} else if err != nil {
			return nil, err
		}
		groups := splitIDs(data["groups"])
		if i := slices.Index(groups, id); i >= 0 {
			groups = slices.Delete(groups, i, i+1)
		} else {
			groups = append(groups, id)
		}
		data["groups"] = joinIDs(groups)
		return b.inviteGroups(ctx, r, data)
	case "grpdone":
		if r.State.Step != "groups" {
			return b.staleButton(ctx, r)
		}
		if err := b.setInvite(ctx, r, "uses", data); err != nil {
			return nil, err
		}
		var row []Button
		for _, n := range inviteUses {
			row = append(row, Button{Text: l.N("inv_uses_button", n), Data: "inv:uses:" + strconv.Itoa(n)})
		}
		return []Reply{{Text: l.T("inv_pick_uses"), Buttons: Keyboard{Row(l, row...), Row(l, Button{Text: l.T("mtf_btn_abort"), Data: "inv:no"})}, Edit: true}}, nil
	case "uses":
		n, err := strconv.Atoi(arg(r.Args, 1))
		if err != nil || r.State.Step != "uses" || !slices.Contains(inviteUses, n) {
			return b.staleButton(ctx, r)
		}
		return b.inviteCreate(ctx, r, data, n)
	}
	return b.malformedButton(ctx, r)
}

// inviteGroups lets the coordinator pick working groups (toggles).
func (b *Bot) inviteGroups(ctx context.Context, r *Request, data map[string]string) ([]Reply, error) {
	if err := b.setInvite(ctx, r, "groups", data); err != nil {
		return nil, err
	}
	groups, err := b.d.Members.AllGroups(ctx, b.d.Now())
	if err != nil {
		return nil, err
	}
	l := r.L
	chosen := splitIDs(data["groups"])
	var kb Keyboard
	for _, g := range groups {
		label := g.Name.In(l.Lang)
		if slices.Contains(chosen, g.ID) {
			label = "✅ " + label
		}
		kb = append(kb, Row(l, Button{Text: netTruncate(label, 50), Data: "inv:grp:" + netItoa(g.ID)}))
	}
	kb = append(kb, Row(l, Button{Text: l.T("mtf_btn_next"), Data: "inv:grpdone"}), Row(l, Button{Text: l.T("mtf_btn_abort"), Data: "inv:no"}))
	return []Reply{{Text: l.T("inv_pick_groups", "Organisation", data["org_name"]), Buttons: kb, Edit: true}}, nil
}

// inviteCreate stores the invite and shows the link once.
func (b *Bot) inviteCreate(ctx context.Context, r *Request, data map[string]string, uses int) ([]Reply, error) {
	role := user.Role(data["role"])
	if !member.CanInvite(r.User.Role, role) {
		b.securityEvent(r, "role_denied", "action", "invite_role", "role", string(r.User.Role), "invite_role", string(role))
		return b.refusal(r, "not_allowed"), nil
	}
	org, _ := strconv.ParseInt(data["org"], 10, 64)
	now := b.d.Now()
	spec := member.InviteSpec{
		OrganisationID: org, Role: role, GroupIDs: splitIDs(data["groups"]), MaxUses: uses,
		ExpiresAt: now.Add(member.DefaultInviteValidity), CreatedBy: r.User.ID,
	}
	token, err := b.d.Members.CreateInvite(ctx, spec, now)
	if errors.Is(err, member.ErrNotFound) {
		return b.forged(r, "invite_create"), nil
	}
	if err != nil {
		return nil, err
	}
	if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
		return nil, err
	}
	l := r.L
	var names []string
	for _, id := range spec.GroupIDs {
		if g, err := b.d.Members.Group(ctx, id); err == nil {
			names = append(names, g.Name.In(l.Lang))
		}
	}
	groups := l.T("inv_groups_none")
	if len(names) > 0 {
		groups = strings.Join(names, ", ")
	}
	b.log.Info("invite created", "by", r.User.ID, "organisation_id", org, "role", role, "uses", uses)
	link := member.InviteLink(b.d.BotUsername, token)
	return []Reply{{Text: l.T("inv_created",
		"Organisation", data["org_name"], "Role", roleLabel(r, role), "Groups", groups,
		"Until", b.netWhen(l, spec.ExpiresAt), "Uses", uses, "Link", link),
		Buttons: Keyboard{networkBack(l)}, Edit: true}}, nil
}

func roleLabel(r *Request, role user.Role) string {
	if role.AtLeast(user.RoleCoordinator) {
		return r.L.T("net_role_coordinator")
	}
	return r.L.T("net_role_member")
}

// redeemInvite handles /start i_<token>: the user becomes a member of the
// invite's organisation (and groups), with at least its role. An unknown,
// expired or used-up token changes nothing.
func (b *Bot) redeemInvite(ctx context.Context, r *Request) ([]Reply, error) {
	_, token, _ := parseDeepLink(r.Command.Args)
	name := strings.TrimSpace(r.From.FirstName + " " + r.From.LastName)
	red, err := b.d.Members.RedeemInvite(ctx, token, r.User.ID, name, b.d.Now())
	switch {
	case errors.Is(err, member.ErrInviteUnknown):
		b.securityEvent(r, "invite_unknown")
		return []Reply{Text(r.L.T("inv_invalid"))}, nil
	case errors.Is(err, member.ErrInviteExpired):
		return []Reply{Text(r.L.T("inv_expired"))}, nil
	case errors.Is(err, member.ErrInviteUsedUp):
		return []Reply{Text(r.L.T("inv_used"))}, nil
	case errors.Is(err, member.ErrInviteAlreadyUsed):
		return []Reply{Text(r.L.T("inv_already"))}, nil
	case err != nil:
		return nil, err
	}
	if r.User.Language == "" {
		// Opened from the link before choosing a language: keep the one
		// Telegram reports, so reminders come in it.
		if err := b.d.Users.SetLanguage(ctx, r.User.ID, r.L.Lang); err != nil {
			return nil, err
		}
		if r.State.Flow == flowOnboarding {
			_ = b.d.Conversations.Clear(ctx, r.User.ID)
		}
	}
	r.User.Role = red.Role
	b.log.Info("invite redeemed", "user_id", r.User.ID, "organisation_id", red.Organisation.ID, "role", red.Role)
	l := r.L
	text := l.T("inv_welcome", "Role", roleLabel(r, red.Role), "Organisation", red.Organisation.Name)
	if len(red.Groups) > 0 {
		var names []string
		for _, g := range red.Groups {
			names = append(names, g.Name.In(l.Lang))
		}
		text += "\n\n" + l.T("inv_welcome_groups", "Groups", strings.Join(names, ", "))
	}
	return []Reply{{Text: text, Buttons: Keyboard{
		Row(l, Button{Text: l.T("net_btn_meetings"), Data: "mt:list"}, Button{Text: l.T("net_btn_groups"), Data: "grp:list"}),
		Row(l, Button{Text: l.T("menu_settings"), Data: "menu:settings"}),
	}}}, nil
}

func splitIDs(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.ParseInt(p, 10, 64); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = netItoa(id)
	}
	return strings.Join(parts, ",")
}
