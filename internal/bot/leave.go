package bot

import (
	"context"
	"errors"

	"github.com/netzbot/netzbot/internal/member"
)

// Leaving the network, from the network menu: a confirmation first, as
// it ends the membership, the working groups and every reminder; an
// invite link brings the person back.

// confirmLeave answers net:leave.
func (b *Bot) confirmLeave(ctx context.Context, r *Request) ([]Reply, error) {
	m, err := b.membership(ctx, r)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return notMember(r), nil
	}
	l := r.L
	return []Reply{{
		Text: l.T("net_leave_confirm", "Organisation", m.Organisation.Name),
		Buttons: Keyboard{
			{{Text: l.T("net_btn_leave_yes"), Data: "net:leavey"}},
			{{Text: l.T("button_back"), Data: "net:menu"}},
		},
		Edit: true,
	}}, nil
}

// leaveNetwork answers net:leavey: it ends the presser's own membership.
func (b *Bot) leaveNetwork(ctx context.Context, r *Request) ([]Reply, error) {
	err := b.d.Members.Leave(ctx, r.User.ID, b.d.Now())
	if errors.Is(err, member.ErrNotMember) {
		return notMember(r), nil
	}
	if err != nil {
		return nil, err
	}
	b.log.Info("member left the network", "user_id", r.User.ID)
	return []Reply{{Text: r.L.T("net_left"), Buttons: Keyboard{backButton(r.L)}, Edit: true}}, nil
}
