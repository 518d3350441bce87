package bot

import (
	"context"

	"github.com/netzbot/netzbot/internal/user"
)

// Authorisation is decided here, on the server, from the role stored in
// the database as read for this very update (Request.User), never from
// what a button showed or what its data claims.
//
//	func (b *Bot) removeOffer(ctx context.Context, r *Request) ([]Reply, error) {
//		if deny, ok := b.requireRole(r, user.RoleCoordinator, "offer_remove"); !ok {
//			return deny, nil
//		}
//		...
//
// A handler that finds the data itself forged (another user's booking id,
// another organisation's meeting, a deleted offer) answers with b.forged.

// requireRole lets the request through when the user's current role is at
// least role. Otherwise it logs a security event and returns the localized
// refusal to send instead: a toast on a button, a message for a command.
func (b *Bot) requireRole(r *Request, role user.Role, action string) ([]Reply, bool) {
	if r.User != nil && r.User.Role.AtLeast(role) {
		return nil, true
	}
	have := user.RolePublic
	if r.User != nil {
		have = r.User.Role
	}
	b.securityEvent(r, "role_denied", "action", action, "role", string(have), "required", string(role))
	return b.refusal(r, "not_allowed"), false
}

// forged refuses a button or command whose data names something the user
// may not act on (someone else's booking, another organisation's meeting)
// or that no longer exists, logs a security event, and changes nothing.
func (b *Bot) forged(r *Request, action string) []Reply {
	b.securityEvent(r, "forged_data", "action", action, "data_len", len(r.Data))
	return b.refusal(r, "not_allowed")
}

// refusal is a localized "no": a toast for a button, a message otherwise.
func (b *Bot) refusal(r *Request, id string) []Reply {
	if r.Callback != nil {
		return []Reply{{Toast: r.L.T(id)}}
	}
	return []Reply{Text(r.L.T(id))}
}

// securityEvent logs something the operators should look at: a refused
// privileged action, forged data, a flood. It names the user by Telegram
// id only; never message texts or names.
func (b *Bot) securityEvent(r *Request, event string, kv ...any) {
	attrs := []any{"event", event}
	if r != nil && r.From != nil {
		attrs = append(attrs, "user_id", r.From.ID)
	}
	if r != nil && r.Update != nil {
		attrs = append(attrs, "update_id", r.Update.ID)
	}
	b.log.Warn("security event", append(attrs, kv...)...)
}

// malformedButton answers callback data that none of our buttons can
// carry (see parseCallback): someone crafted it. Stale toast, security
// event, nothing changed.
func (b *Bot) malformedButton(_ context.Context, r *Request) ([]Reply, error) {
	b.securityEvent(r, "malformed_callback", "data_len", len(r.Data))
	return []Reply{{Toast: r.L.T("button_stale")}}, nil
}
