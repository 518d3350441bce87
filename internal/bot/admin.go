package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/user"
)

// /admin lets admins grant and revoke roles in the chat:
//
//	/admin                          who has which role, with buttons to change it
//	/admin grant <id> <role>        asks to confirm, then sets the role
//	/admin revoke <id>              asks to confirm, then makes the user public
//
// Every step, buttons included, checks the presser's current role in the
// database again; the last admin cannot be demoted (user.ErrLastAdmin).
// `netzbot users grant|revoke` does the same from the command line.

// adminListMax bounds the users shown with a button in the overview.
const adminListMax = 30

func (b *Bot) admin(ctx context.Context, r *Request) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleAdmin, "admin"); !ok {
		return deny, nil
	}
	fields := strings.Fields(r.Command.Args)
	if len(fields) == 0 {
		return b.adminOverview(ctx, r)
	}
	switch strings.ToLower(fields[0]) {
	case "grant":
		if len(fields) == 3 {
			id, okID := argID(fields, 1)
			role := user.Role(strings.ToLower(fields[2]))
			if okID && role.Valid() {
				return []Reply{adminConfirm(r.L, id, role)}, nil
			}
		}
	case "revoke":
		if len(fields) == 2 {
			if id, ok := argID(fields, 1); ok {
				return []Reply{adminConfirm(r.L, id, user.RolePublic)}, nil
			}
		}
	}
	return []Reply{Text(r.L.T("admin_usage"))}, nil
}

// adminOverview lists everyone above public, with a button each.
func (b *Bot) adminOverview(ctx context.Context, r *Request) ([]Reply, error) {
	l := r.L
	users, err := b.d.Roles.Privileged(ctx)
	if err != nil {
		return nil, err
	}
	text := l.T("admin_overview")
	var kb Keyboard
	if len(users) == 0 {
		text += "\n\n" + l.T("admin_none")
	}
	for i, u := range users {
		text += fmt.Sprintf("\n• <code>%d</code> – %s", u.ID, l.Isolate(l.T("role_"+string(u.Role))))
		if i < adminListMax {
			kb = append(kb, Row(l, Button{Text: fmt.Sprintf("✏️ %d · %s", u.ID, l.T("role_"+string(u.Role))), Data: fmt.Sprintf("adm:user:%d", u.ID)}))
		}
	}
	text += "\n\n" + l.T("admin_usage")
	return []Reply{{Text: text, Buttons: kb}}, nil
}

// adminConfirm asks before a role changes.
func adminConfirm(l *locale.Localizer, id int64, role user.Role) Reply {
	return Reply{
		Text: l.T("admin_confirm", "ID", fmt.Sprint(id), "Role", l.T("role_"+string(role))),
		Buttons: Keyboard{Row(l,
			Button{Text: l.T("admin_button_confirm"), Data: fmt.Sprintf("adm:set:%d:%s", id, role)},
			Button{Text: l.T("admin_button_cancel"), Data: "adm:no"},
		)},
	}
}

// adminButton handles adm:user:<id> (pick a role), adm:role:<id>:<role>
// (confirm), adm:set:<id>:<role> (do it) and adm:no.
func (b *Bot) adminButton(ctx context.Context, r *Request) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleAdmin, "admin_button"); !ok {
		return deny, nil
	}
	l := r.L
	action := arg(r.Args, 0)
	if action == "no" && len(r.Args) == 1 {
		return []Reply{{Text: l.T("admin_cancelled"), Edit: true}}, nil
	}
	id, ok := argID(r.Args, 1)
	if !ok {
		return b.forged(r, "admin_"+action), nil
	}
	switch {
	case action == "user" && len(r.Args) == 2:
		var kb Keyboard
		for _, role := range user.Roles {
			kb = append(kb, Row(l, Button{Text: l.T("role_" + string(role)), Data: fmt.Sprintf("adm:role:%d:%s", id, role)}))
		}
		kb = append(kb, Row(l, Button{Text: l.T("admin_button_cancel"), Data: "adm:no"}))
		return []Reply{{Text: l.T("admin_pick_role", "ID", fmt.Sprint(id)), Buttons: kb, Edit: true}}, nil
	case action == "role" && len(r.Args) == 3:
		role := user.Role(r.Args[2])
		if !role.Valid() {
			return b.forged(r, "admin_role"), nil
		}
		rep := adminConfirm(l, id, role)
		rep.Edit = true
		return []Reply{rep}, nil
	case action == "set" && len(r.Args) == 3:
		role := user.Role(r.Args[2])
		if !role.Valid() {
			return b.forged(r, "admin_set"), nil
		}
		return b.setRole(ctx, r, id, role)
	}
	return b.forged(r, "admin_"+action), nil
}

// setRole changes the role, refusing to demote the last admin.
func (b *Bot) setRole(ctx context.Context, r *Request, id int64, role user.Role) ([]Reply, error) {
	l := r.L
	old, err := b.d.Roles.SetRole(ctx, id, role)
	if errors.Is(err, user.ErrLastAdmin) {
		b.securityEvent(r, "last_admin_kept", "target_user_id", id)
		return []Reply{{Text: l.T("admin_last_admin"), Edit: true}}, nil
	}
	if err != nil {
		return nil, err
	}
	b.securityEvent(r, "role_changed", "target_user_id", id, "from", string(old), "to", string(role))
	return []Reply{{Text: l.T("admin_done", "ID", fmt.Sprint(id), "Role", l.T("role_"+string(role))), Edit: true}}, nil
}
