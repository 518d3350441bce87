package bot

import (
	"context"
	"strings"

	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/user"
)

// /attendees: for coordinators, the upcoming meetings they manage with the
// answers so far, and per occurrence who said yes, maybe or no. The CLI
// exports the same as CSV (netzbot attendees export).

// attendeesCommand answers /attendees.
func (b *Bot) attendeesCommand(ctx context.Context, r *Request) ([]Reply, error) {
	return b.attendeesList(ctx, r, false)
}

// attendeesButton handles att:list and att:show:<occurrence>.
func (b *Bot) attendeesButton(ctx context.Context, r *Request) ([]Reply, error) {
	switch arg(r.Args, 0) {
	case "list":
		return b.attendeesList(ctx, r, true)
	case "show":
		id, ok := argID(r.Args, 1)
		if !ok {
			return b.malformedButton(ctx, r)
		}
		return b.attendeesShow(ctx, r, id)
	}
	return b.malformedButton(ctx, r)
}

func (b *Bot) attendeesList(ctx context.Context, r *Request, edit bool) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "attendees"); !ok {
		return deny, nil
	}
	org, err := b.coordinatorOrg(ctx, r)
	if err != nil {
		return nil, err
	}
	if !r.User.Role.AtLeast(user.RoleAdmin) && org == 0 {
		return []Reply{{Text: r.L.T("att_none"), Buttons: Keyboard{networkBack(r.L)}, Edit: edit}}, nil
	}
	if r.User.Role.AtLeast(user.RoleAdmin) {
		org = 0 // admins see every meeting
	}
	items, err := b.d.Meetings.Managed(ctx, org, b.d.Now(), 10)
	if err != nil {
		return nil, err
	}
	l := r.L
	if len(items) == 0 {
		return []Reply{{Text: l.T("att_none"), Buttons: Keyboard{networkBack(l)}, Edit: edit}}, nil
	}
	var sb strings.Builder
	sb.WriteString(l.T("att_head"))
	var kb Keyboard
	for _, it := range items {
		c := it.Counts
		sb.WriteString("\n\n<b>" + netEsc(l, it.Meeting.Title.In(l.Lang)) + "</b>\n" + string(b.netWhen(l, it.Occurrence.Start)) + "\n" +
			l.T("mt_line_counts", "Yes", c.Yes, "Maybe", c.Maybe, "No", c.No, "Invited", c.Invited))
		kb = append(kb, Row(l, Button{
			Text: netTruncate(b.netShortWhen(l, it.Occurrence.Start)+" · "+it.Meeting.Title.In(l.Lang), 48),
			Data: "att:show:" + netItoa(it.Occurrence.ID),
		}))
	}
	kb = append(kb, networkBack(l))
	return []Reply{{Text: sb.String(), Buttons: kb, Edit: edit}}, nil
}

// attendeesShow lists the names under each answer. Forged data (another
// organisation's meeting, a deleted one) is refused and logged.
func (b *Bot) attendeesShow(ctx context.Context, r *Request, occID int64) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "attendees"); !ok {
		return deny, nil
	}
	it, acc, deny, err := b.occurrenceFor(ctx, r, occID, "attendees")
	if deny != nil || err != nil {
		return deny, err
	}
	if !acc.manage {
		return b.forged(r, "attendees"), nil
	}
	list, err := b.d.Meetings.Attendees(ctx, occID)
	if err != nil {
		return nil, err
	}
	l := r.L
	names := map[meeting.Response][]string{}
	for _, a := range list {
		names[a.Response] = append(names[a.Response], netEsc(l, a.Name+" ("+a.Organisation+")"))
	}
	join := func(r meeting.Response) string {
		if len(names[r]) == 0 {
			return "–"
		}
		return strings.Join(names[r], ", ")
	}
	text := "<b>" + netEsc(l, it.Meeting.Title.In(l.Lang)) + "</b>\n" + string(b.netWhen(l, it.Occurrence.Start)) + "\n\n" +
		l.T("att_yes", "Count", len(names[meeting.Yes])) + "\n" + join(meeting.Yes) + "\n\n" +
		l.T("att_maybe", "Count", len(names[meeting.Maybe])) + "\n" + join(meeting.Maybe) + "\n\n" +
		l.T("att_no", "Count", len(names[meeting.No])) + "\n" + join(meeting.No) + "\n\n" +
		l.T("att_open", "Count", len(names[meeting.None]))
	return []Reply{{Text: text, Buttons: Keyboard{
		Row(l, Button{Text: l.T("button_back"), Data: "att:list"}),
	}, Edit: true}}, nil
}
