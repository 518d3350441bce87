package bot

import (
	"context"
	"errors"
	"html"
	"strconv"
	"strings"

	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/user"
)

// Broadcasts: a coordinator picks the audience (all members, one
// organisation, one working group), writes the text, sees a preview and
// confirms. The handler only queues one notification per recipient; the
// worker sends them through the rate-limited sender and reports progress
// and the result (delivered, blocked, failed, who blocked the bot).

// Notification kinds of broadcasts (the store queues them).
const (
	kindBroadcast       = member.KindBroadcast
	kindBroadcastStatus = member.KindBroadcastProgress
	kindBroadcastReport = member.KindBroadcastReport
)

// broadcastCommand answers /broadcast.
func (b *Bot) broadcastCommand(ctx context.Context, r *Request) ([]Reply, error) {
	return b.broadcastStart(ctx, r)
}

func (b *Bot) broadcastStart(ctx context.Context, r *Request) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "broadcast"); !ok {
		return deny, nil
	}
	if b.d.Broadcasts == nil {
		return []Reply{Text(r.L.T("error_internal"))}, nil
	}
	if err := b.setBroadcast(ctx, r, "audience", map[string]string{}); err != nil {
		return nil, err
	}
	l := r.L
	return []Reply{{Text: l.T("bc_audience"), Buttons: Keyboard{
		Row(l, Button{Text: l.T("bc_btn_all"), Data: "bc:aud:all"}),
		Row(l, Button{Text: l.T("bc_btn_org"), Data: "bc:aud:org"}, Button{Text: l.T("bc_btn_group"), Data: "bc:aud:grp"}),
		Row(l, Button{Text: l.T("mtf_btn_abort"), Data: "bc:no"}),
	}, Edit: r.Callback != nil}}, nil
}

func (b *Bot) setBroadcast(ctx context.Context, r *Request, step string, data map[string]string) error {
	r.State = conversation.State{Flow: flowBroadcast, Step: step, Data: data}
	return b.d.Conversations.Set(ctx, r.User.ID, r.State)
}

// broadcastButton handles bc:… buttons; each checks the role again.
func (b *Bot) broadcastButton(ctx context.Context, r *Request) ([]Reply, error) {
	action := arg(r.Args, 0)
	if action == "start" {
		return b.broadcastStart(ctx, r)
	}
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "broadcast"); !ok {
		return deny, nil
	}
	l := r.L
	if action == "no" {
		if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
			return nil, err
		}
		return []Reply{{Text: l.T("mtf_aborted"), Buttons: Keyboard{networkBack(l)}, Edit: true}}, nil
	}
	if r.State.Flow != flowBroadcast || b.d.Broadcasts == nil {
		return b.staleButton(ctx, r)
	}
	data := r.State.Data
	if data == nil {
		data = map[string]string{}
	}
	switch action {
	case "aud":
		switch arg(r.Args, 1) {
		case "all":
			return b.broadcastCompose(ctx, r, data, member.Audience{Kind: member.AudienceAll})
		case "org":
			if err := b.setBroadcast(ctx, r, "org", data); err != nil {
				return nil, err
			}
			return []Reply{{Text: l.T("inv_pick_org"), Buttons: Keyboard{Row(l, Button{Text: l.T("mtf_btn_abort"), Data: "bc:no"})}, Edit: true}}, nil
		case "grp":
			groups, err := b.d.Members.AllGroups(ctx, b.d.Now())
			if err != nil {
				return nil, err
			}
			var kb Keyboard
			for _, g := range groups {
				kb = append(kb, Row(l, Button{Text: netTruncate(g.Name.In(l.Lang), 50), Data: "bc:grp:" + netItoa(g.ID)}))
			}
			kb = append(kb, Row(l, Button{Text: l.T("mtf_btn_abort"), Data: "bc:no"}))
			return []Reply{{Text: l.T("bc_pick_group"), Buttons: kb, Edit: true}}, nil
		}
		return b.malformedButton(ctx, r)
	case "org", "grp":
		id, ok := argID(r.Args, 1)
		if !ok {
			return b.malformedButton(ctx, r)
		}
		a := member.Audience{Kind: member.AudienceOrganisation, ID: id}
		var err error
		if action == "grp" {
			a.Kind = member.AudienceGroup
			_, err = b.d.Members.Group(ctx, id)
		} else {
			_, err = b.d.Members.Organisation(ctx, id)
		}
		if errors.Is(err, member.ErrNotFound) {
			return b.forged(r, "broadcast"), nil
		}
		if err != nil {
			return nil, err
		}
		return b.broadcastCompose(ctx, r, data, a)
	case "send":
		if r.State.Step != "preview" {
			return b.staleButton(ctx, r)
		}
		return b.broadcastSend(ctx, r, data)
	}
	return b.malformedButton(ctx, r)
}

// broadcastCompose asks for the text.
func (b *Bot) broadcastCompose(ctx context.Context, r *Request, data map[string]string, a member.Audience) ([]Reply, error) {
	data["kind"], data["id"] = a.Kind, netItoa(a.ID)
	if err := b.setBroadcast(ctx, r, "text", data); err != nil {
		return nil, err
	}
	label, err := b.audienceLabel(ctx, r.L, a)
	if err != nil {
		return nil, err
	}
	return []Reply{{Text: r.L.T("bc_compose", "Audience", label), Buttons: Keyboard{Row(r.L, Button{Text: r.L.T("mtf_btn_abort"), Data: "bc:no"})}, Edit: true}}, nil
}

func (b *Bot) audienceLabel(ctx context.Context, l *locale.Localizer, a member.Audience) (string, error) {
	switch a.Kind {
	case member.AudienceOrganisation:
		o, err := b.d.Members.Organisation(ctx, a.ID)
		if err != nil {
			return "", err
		}
		return l.T("bc_audience_org", "Name", o.Name), nil
	case member.AudienceGroup:
		g, err := b.d.Members.Group(ctx, a.ID)
		if err != nil {
			return "", err
		}
		return l.T("bc_audience_group", "Name", g.Name.In(l.Lang)), nil
	}
	return l.T("bc_audience_all"), nil
}

func audienceOf(data map[string]string) member.Audience {
	id, _ := strconv.ParseInt(data["id"], 10, 64)
	return member.Audience{Kind: data["kind"], ID: id}
}

// broadcastText takes the organisation search or the announcement's text.
func (b *Bot) broadcastText(ctx context.Context, r *Request) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "broadcast"); !ok {
		_ = b.d.Conversations.Clear(ctx, r.User.ID)
		return deny, nil
	}
	l := r.L
	data := r.State.Data
	if data == nil {
		data = map[string]string{}
	}
	text := strings.TrimSpace(r.Text)
	switch r.State.Step {
	case "org":
		orgs, err := b.d.Members.Organisations(ctx, text, 8)
		if err != nil {
			return nil, err
		}
		if len(orgs) == 0 {
			return []Reply{Text(l.T("inv_no_org", "Query", text))}, nil
		}
		var kb Keyboard
		for _, o := range orgs {
			kb = append(kb, Row(l, Button{Text: netTruncate(o.Name, 50), Data: "bc:org:" + netItoa(o.ID)}))
		}
		kb = append(kb, Row(l, Button{Text: l.T("mtf_btn_abort"), Data: "bc:no"}))
		return []Reply{{Text: l.T("inv_pick_org_list"), Buttons: kb}}, nil
	case "text", "preview":
		if text == "" {
			return []Reply{Text(l.T("bc_compose_again"))}, nil
		}
		a := audienceOf(data)
		n, err := b.d.Broadcasts.Recipients(ctx, a)
		if err != nil {
			return nil, err
		}
		label, err := b.audienceLabel(ctx, l, a)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return []Reply{Text(l.T("bc_nobody", "Audience", label))}, nil
		}
		data["text"] = text
		if err := b.setBroadcast(ctx, r, "preview", data); err != nil {
			return nil, err
		}
		return []Reply{{
			Text: l.T("bc_preview", "Audience", label, "Count", n) + "\n\n" + broadcastBody(l, "", text),
			Buttons: Keyboard{
				Row(l, Button{Text: l.T("bc_btn_send"), Data: "bc:send"}, Button{Text: l.T("mtf_btn_abort"), Data: "bc:no"}),
			},
		}}, nil
	}
	return []Reply{Text(l.T("mtf_use_buttons"))}, nil
}

// broadcastSend queues the broadcast: one notification per recipient.
func (b *Bot) broadcastSend(ctx context.Context, r *Request, data map[string]string) ([]Reply, error) {
	a := audienceOf(data)
	if err := a.Validate(); err != nil || data["text"] == "" {
		return b.staleButton(ctx, r)
	}
	bc, err := b.d.Broadcasts.Create(ctx, r.User.ID, a, data["text"], b.d.Now())
	if err != nil {
		return nil, err
	}
	if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
		return nil, err
	}
	b.kick()
	b.log.Info("broadcast queued", "broadcast_id", bc.ID, "by", r.User.ID, "audience", a.Kind, "recipients", bc.Total)
	return []Reply{{Text: r.L.T("bc_queued", "Count", bc.Total), Buttons: Keyboard{networkBack(r.L)}, Edit: true}}, nil
}

// broadcastBody is the announcement as members read it: a localized
// header, then the coordinator's text as written (escaped).
func broadcastBody(l *locale.Localizer, sender, text string) string {
	head := l.T("bc_header")
	if sender != "" {
		head = l.T("bc_header_from", "Sender", sender)
	}
	return head + "\n\n" + html.EscapeString(text)
}

// renderBroadcast renders one recipient's copy.
func (b *Bot) renderBroadcast(ctx context.Context, n notify.Notification, _ *user.User, l *locale.Localizer) ([]Reply, error) {
	id, _ := strconv.ParseInt(n.Data["broadcast"], 10, 64)
	bc, err := b.d.Broadcasts.Get(ctx, id)
	if errors.Is(err, member.ErrNotFound) {
		return nil, notify.ErrObsolete
	}
	if err != nil {
		return nil, err
	}
	sender := bc.SenderName
	if bc.SenderOrg != "" {
		sender = strings.TrimSpace(sender + " (" + bc.SenderOrg + ")")
	}
	return []Reply{Text(broadcastBody(l, sender, bc.Body))}, nil
}

// renderBroadcastProgress tells the sender how far it got.
func (b *Bot) renderBroadcastProgress(_ context.Context, n notify.Notification, _ *user.User, l *locale.Localizer) ([]Reply, error) {
	return []Reply{Text(l.T("bc_progress", "Done", n.Data["done"], "Total", n.Data["total"]))}, nil
}

// renderBroadcastReport is the final report: delivered, blocked, failed,
// and who blocked the bot (they were marked inactive).
func (b *Bot) renderBroadcastReport(ctx context.Context, n notify.Notification, _ *user.User, l *locale.Localizer) ([]Reply, error) {
	id, _ := strconv.ParseInt(n.Data["broadcast"], 10, 64)
	rep, err := b.d.Broadcasts.Report(ctx, id)
	if errors.Is(err, member.ErrNotFound) {
		return nil, notify.ErrObsolete
	}
	if err != nil {
		return nil, err
	}
	text := l.T("bc_report", "Delivered", rep.Delivered, "Blocked", rep.Blocked, "Failed", rep.Failed, "Total", rep.Total)
	if len(rep.BlockedNames) > 0 {
		text += "\n\n" + l.T("bc_report_blocked") + "\n" + netEsc(l, strings.Join(rep.BlockedNames, "\n"))
	}
	return []Reply{Text(text)}, nil
}
