package bot

import (
	"context"
	"slices"
	"strconv"

	"github.com/netzbot/netzbot/internal/member"
)

// Reminder settings of members, shown in /settings: their own lead times
// (from a list; none chosen means each meeting's defaults), pause all.
// Muting one working group is on the group's card and under its reminders.

// reminderSettings is what /settings adds for members: a text part and
// button rows. Non-members get nothing.
func (b *Bot) reminderSettings(ctx context.Context, r *Request) (string, Keyboard, error) {
	if b.d.Members == nil {
		return "", nil, nil
	}
	m, err := b.membership(ctx, r)
	if err != nil || m == nil {
		return "", nil, err
	}
	l := r.L
	leads := l.T("rem_default")
	if len(m.LeadMinutes) > 0 {
		leads = leadsLabel(l, m.LeadMinutes)
	}
	text := "\n" + l.T("rem_settings_line", "Leads", leads)
	pause := Button{Text: l.T("rem_btn_pause"), Data: "rem:pause"}
	if m.Paused {
		text += "\n" + l.T("rem_settings_paused")
		pause = Button{Text: l.T("rem_btn_resume"), Data: "rem:resume"}
	}
	return text, Keyboard{Row(l, Button{Text: l.T("rem_btn_leads"), Data: "rem:show"}, pause)}, nil
}

// reminderButton handles rem:show|lead:<minutes>|default|pause|resume.
func (b *Bot) reminderButton(ctx context.Context, r *Request) ([]Reply, error) {
	m, err := b.membership(ctx, r)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return notMember(r), nil
	}
	l := r.L
	now := b.d.Now()
	switch arg(r.Args, 0) {
	case "show":
	case "lead":
		n, err := strconv.Atoi(arg(r.Args, 1))
		if err != nil || !slices.Contains(member.LeadOptions, n) {
			return b.malformedButton(ctx, r)
		}
		leads := slices.Clone(m.LeadMinutes)
		if i := slices.Index(leads, n); i >= 0 {
			leads = slices.Delete(leads, i, i+1)
		} else {
			leads = append(leads, n)
		}
		if err := b.d.Members.SetLeadTimes(ctx, r.User.ID, leads, now); err != nil {
			return nil, err
		}
		m.LeadMinutes = member.NormalizeLeads(leads)
	case "default":
		if err := b.d.Members.SetLeadTimes(ctx, r.User.ID, nil, now); err != nil {
			return nil, err
		}
		m.LeadMinutes = nil
	case "pause", "resume":
		paused := arg(r.Args, 0) == "pause"
		if err := b.d.Members.SetPaused(ctx, r.User.ID, paused, now); err != nil {
			return nil, err
		}
		replies, err := b.settings(ctx, r)
		if err != nil {
			return nil, err
		}
		replies[0].Edit = true
		replies[0].Toast = l.T("rem_resumed")
		if paused {
			replies[0].Toast = l.T("rem_paused")
		}
		return replies, nil
	default:
		return b.malformedButton(ctx, r)
	}
	var kb Keyboard
	for i := 0; i < len(member.LeadOptions); i += 3 {
		var row []Button
		for _, n := range member.LeadOptions[i:min(i+3, len(member.LeadOptions))] {
			label := leadLabel(l, n)
			if slices.Contains(m.LeadMinutes, n) {
				label = "✅ " + label
			}
			row = append(row, Button{Text: label, Data: "rem:lead:" + strconv.Itoa(n)})
		}
		kb = append(kb, Row(l, row...))
	}
	current := l.T("rem_default")
	if len(m.LeadMinutes) > 0 {
		current = leadsLabel(l, m.LeadMinutes)
	}
	kb = append(kb, Row(l, Button{Text: l.T("rem_btn_default"), Data: "rem:default"}), Row(l, Button{Text: l.T("button_back"), Data: "menu:settings"}))
	return []Reply{{Text: l.T("rem_pick", "Leads", current), Buttons: kb, Edit: true}}, nil
}
