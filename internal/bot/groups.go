package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/user"
)

// Working groups: /groups lists the member's groups and the open ones;
// a group's card joins, leaves, mutes. A group that needs approval asks the
// coordinators (a notification with approve / decline buttons).

// Notification kinds of groups.
const (
	kindGroupRequest  = "group_request"  // to coordinators: someone asks to join
	kindGroupDecision = "group_decision" // to the member: approved or declined
)

// groupsCommand answers /groups.
func (b *Bot) groupsCommand(ctx context.Context, r *Request) ([]Reply, error) {
	return b.groupList(ctx, r, false)
}

func (b *Bot) groupList(ctx context.Context, r *Request, edit bool) ([]Reply, error) {
	m, err := b.membership(ctx, r)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return notMember(r), nil
	}
	groups, err := b.d.Members.Groups(ctx, r.User.ID, b.d.Now())
	if err != nil {
		return nil, err
	}
	l := r.L
	var mine, open strings.Builder
	var kb Keyboard
	for _, g := range groups {
		line := "\n• " + netEsc(l, g.Name.In(l.Lang))
		if g.Temporary() {
			line += " " + l.T("grp_until", "Date", netDate(l, g.EndsOn))
		}
		switch {
		case g.Status == member.StatusPending:
			line += " ⏳"
		case g.Muted:
			line += " 🔕"
		}
		if g.Status != member.StatusNone {
			mine.WriteString(line)
		} else {
			open.WriteString(line)
		}
		kb = append(kb, Row(l, Button{Text: netTruncate(g.Name.In(l.Lang), 50), Data: "grp:show:" + netItoa(g.ID)}))
	}
	text := l.T("grp_mine")
	if mine.Len() == 0 {
		text += "\n" + l.T("grp_mine_empty")
	}
	text += mine.String() + "\n\n" + l.T("grp_open")
	if open.Len() == 0 {
		text += "\n" + l.T("grp_open_empty")
	}
	text += open.String()
	if member.CanManageNetwork(r.User.Role) {
		kb = append(kb, Row(l, Button{Text: l.T("grp_btn_new"), Data: "gnf:new"})) // groupflow.go
	}
	kb = append(kb, networkBack(l))
	return []Reply{{Text: text, Buttons: kb, Edit: edit}}, nil
}

// groupButton handles grp:… buttons.
func (b *Bot) groupButton(ctx context.Context, r *Request) ([]Reply, error) {
	action := arg(r.Args, 0)
	if action == "list" {
		return b.groupList(ctx, r, true)
	}
	gid, ok := argID(r.Args, 1)
	if !ok {
		return b.malformedButton(ctx, r)
	}
	if action == "ok" || action == "deny" {
		uid, ok := argID(r.Args, 2)
		if !ok {
			return b.malformedButton(ctx, r)
		}
		return b.groupDecide(ctx, r, gid, uid, action == "ok")
	}
	m, err := b.membership(ctx, r)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return notMember(r), nil
	}
	view, err := b.d.Members.GroupView(ctx, gid, r.User.ID)
	if errors.Is(err, member.ErrNotFound) {
		return b.forged(r, "group_"+action), nil
	}
	if err != nil {
		return nil, err
	}
	l := r.L
	name := view.Name.In(l.Lang)
	now := b.d.Now()
	var toast string
	switch action {
	case "show":
		if view.Status == member.StatusNone && view.Ended(now, b.netLoc()) {
			return b.forged(r, "group_show"), nil
		}
		return []Reply{b.groupCard(r, view, true)}, nil
	case "join":
		status, err := b.d.Members.JoinGroup(ctx, gid, r.User.ID, now)
		switch {
		case errors.Is(err, member.ErrGroupClosed):
			return []Reply{{Toast: l.T("grp_closed")}}, nil
		case err != nil:
			return nil, err
		case status == member.StatusPending:
			toast = l.T("grp_requested", "Group", name)
			if err := b.askCoordinators(ctx, gid, r.User.ID, now); err != nil {
				return nil, err
			}
		default:
			toast = l.T("grp_joined", "Group", name)
		}
	case "leave":
		if err := b.d.Members.LeaveGroup(ctx, gid, r.User.ID, now); err != nil && !errors.Is(err, member.ErrNotFound) {
			return nil, err
		}
		toast = l.T("grp_left", "Group", name)
	case "mute", "unmute":
		err := b.d.Members.SetGroupMuted(ctx, gid, r.User.ID, action == "mute", now)
		if errors.Is(err, member.ErrNotFound) {
			return b.forged(r, "group_mute"), nil
		}
		if err != nil {
			return nil, err
		}
		if action == "mute" {
			toast = l.T("grp_muted", "Group", name)
		} else {
			toast = l.T("grp_unmuted", "Group", name)
		}
		if arg(r.Args, 2) == "r" {
			// Pressed under a reminder: keep the reminder, confirm below it.
			return []Reply{{Toast: toast}, {Text: toast, Buttons: Keyboard{Row(l, Button{Text: l.T("grp_btn_unmute"), Data: "grp:unmute:" + netItoa(gid)})}}}, nil
		}
	default:
		return b.malformedButton(ctx, r)
	}
	if view, err = b.d.Members.GroupView(ctx, gid, r.User.ID); err != nil {
		return nil, err
	}
	card := b.groupCard(r, view, true)
	card.Toast = toast
	return []Reply{card}, nil
}

// groupCard shows a group with the member's status and what they can do.
func (b *Bot) groupCard(r *Request, g *member.GroupView, edit bool) Reply {
	l := r.L
	id := netItoa(g.ID)
	text := "<b>" + netEsc(l, g.Name.In(l.Lang)) + "</b>"
	if g.Temporary() {
		text += "\n" + l.T("grp_until", "Date", netDate(l, g.EndsOn))
	}
	if d := g.Description.In(l.Lang); d != "" {
		text += "\n\n" + netEsc(l, d)
	}
	var kb Keyboard
	switch {
	case g.Status == member.StatusPending:
		text += "\n\n" + l.T("grp_status_pending")
		kb = append(kb, Row(l, Button{Text: l.T("grp_btn_withdraw"), Data: "grp:leave:" + id}))
	case g.Status == member.StatusActive && g.Muted:
		text += "\n\n" + l.T("grp_status_muted")
		kb = append(kb, Row(l, Button{Text: l.T("grp_btn_unmute"), Data: "grp:unmute:" + id}, Button{Text: l.T("grp_btn_leave"), Data: "grp:leave:" + id}))
	case g.Status == member.StatusActive:
		text += "\n\n" + l.T("grp_status_member")
		kb = append(kb, Row(l, Button{Text: l.T("grp_btn_mute"), Data: "grp:mute:" + id}, Button{Text: l.T("grp_btn_leave"), Data: "grp:leave:" + id}))
	default:
		text += "\n\n" + l.T("grp_status_none")
		if g.NeedsApproval {
			text += " " + l.T("grp_needs_approval")
		}
		kb = append(kb, Row(l, Button{Text: l.T("grp_btn_join"), Data: "grp:join:" + id}))
	}
	kb = append(kb, Row(l, Button{Text: l.T("button_back"), Data: "grp:list"}))
	return Reply{Text: text, Buttons: kb, Edit: edit}
}

// askCoordinators queues a join request to every coordinator.
func (b *Bot) askCoordinators(ctx context.Context, gid, uid int64, now time.Time) error {
	coords, err := b.d.Members.Coordinators(ctx)
	if err != nil {
		return err
	}
	for _, c := range coords {
		if err := b.d.Notifications.Schedule(ctx, notify.Notification{
			// A request after a declined one is a new request: the time is part of the key.
			Kind: kindGroupRequest, UserID: c, Key: fmt.Sprintf("group:%d:request:%d:%d:to:%d", gid, uid, now.Unix(), c),
			Data: map[string]string{"group": netItoa(gid), "member": netItoa(uid)}, DueAt: now,
		}); err != nil {
			return err
		}
	}
	b.kick()
	return nil
}

// groupDecide approves or declines a join request (coordinators).
func (b *Bot) groupDecide(ctx context.Context, r *Request, gid, uid int64, approve bool) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "group_decide"); !ok {
		return deny, nil
	}
	g, err := b.d.Members.Group(ctx, gid)
	if errors.Is(err, member.ErrNotFound) {
		return b.forged(r, "group_decide"), nil
	}
	if err != nil {
		return nil, err
	}
	err = b.d.Members.DecideJoin(ctx, gid, uid, approve, b.d.Now())
	if errors.Is(err, member.ErrNotFound) {
		return []Reply{{Toast: r.L.T("grp_request_done")}}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := b.d.Notifications.Schedule(ctx, notify.Notification{
		Kind: kindGroupDecision, UserID: uid, Key: fmt.Sprintf("group:%d:decision:%d:%d", gid, uid, b.d.Now().UnixNano()),
		Data: map[string]string{"group": netItoa(gid), "approved": strconv.FormatBool(approve)}, DueAt: b.d.Now(),
	}); err != nil {
		return nil, err
	}
	b.kick()
	l := r.L
	name := "?"
	if m, err := b.d.Members.Get(ctx, uid); err == nil {
		name = m.Name
	}
	id := "grp_request_approved"
	if !approve {
		id = "grp_request_declined"
	}
	return []Reply{{Text: l.T(id, "Member", name, "Group", g.Name.In(l.Lang)), Edit: true}}, nil
}

// renderGroupRequest asks a coordinator to approve or decline; obsolete
// once someone decided.
func (b *Bot) renderGroupRequest(ctx context.Context, n notify.Notification, _ *user.User, l *locale.Localizer) ([]Reply, error) {
	gid, _ := strconv.ParseInt(n.Data["group"], 10, 64)
	uid, _ := strconv.ParseInt(n.Data["member"], 10, 64)
	view, err := b.d.Members.GroupView(ctx, gid, uid)
	if errors.Is(err, member.ErrNotFound) {
		return nil, notify.ErrObsolete
	}
	if err != nil {
		return nil, err
	}
	if view.Status != member.StatusPending {
		return nil, notify.ErrObsolete
	}
	m, err := b.d.Members.Get(ctx, uid)
	if errors.Is(err, member.ErrNotMember) {
		return nil, notify.ErrObsolete
	}
	if err != nil {
		return nil, err
	}
	data := func(action string) string { return "grp:" + action + ":" + netItoa(gid) + ":" + netItoa(uid) }
	return []Reply{{
		Text:    l.T("grp_request", "Member", m.Name, "Organisation", m.Organisation.Name, "Group", view.Name.In(l.Lang)),
		Buttons: Keyboard{Row(l, Button{Text: l.T("grp_btn_approve"), Data: data("ok")}, Button{Text: l.T("grp_btn_decline"), Data: data("deny")})},
	}}, nil
}

// renderGroupDecision tells the member what the coordinators decided.
func (b *Bot) renderGroupDecision(ctx context.Context, n notify.Notification, _ *user.User, l *locale.Localizer) ([]Reply, error) {
	gid, _ := strconv.ParseInt(n.Data["group"], 10, 64)
	g, err := b.d.Members.Group(ctx, gid)
	if errors.Is(err, member.ErrNotFound) {
		return nil, notify.ErrObsolete
	}
	if err != nil {
		return nil, err
	}
	if n.Data["approved"] == "true" {
		return []Reply{{Text: l.T("grp_joined", "Group", g.Name.In(l.Lang)), Buttons: Keyboard{Row(l, Button{Text: l.T("net_btn_groups"), Data: "grp:list"})}}}, nil
	}
	return []Reply{Text(l.T("grp_declined", "Group", g.Name.In(l.Lang)))}, nil
}
