package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/user"
)

// meetingsCommand answers /meetings: the member's next meetings.
func (b *Bot) meetingsCommand(ctx context.Context, r *Request) ([]Reply, error) {
	return b.meetingList(ctx, r, false)
}

// meetingButton handles mt:… buttons.
func (b *Bot) meetingButton(ctx context.Context, r *Request) ([]Reply, error) {
	action := arg(r.Args, 0)
	switch action {
	case "list":
		return b.meetingList(ctx, r, true)
	case "new":
		return b.meetingFlowStart(ctx, r)
	}
	id, ok := argID(r.Args, 1)
	if !ok || len(r.Args) != 2 {
		return b.malformedButton(ctx, r)
	}
	switch action {
	case "show":
		return b.meetingShow(ctx, r, id, true)
	case "ics":
		return b.meetingICS(ctx, r, id)
	case "edit":
		return b.meetingEditMenu(ctx, r, id)
	case "cancel":
		return b.meetingCancelAsk(ctx, r, id)
	case "cxo":
		return b.meetingCancel(ctx, r, id, false)
	case "cxa":
		return b.meetingCancel(ctx, r, id, true)
	}
	return b.malformedButton(ctx, r)
}

// meetingList shows the next meetings the user is invited to, each with
// their answer and a button for the details.
func (b *Bot) meetingList(ctx context.Context, r *Request, edit bool) ([]Reply, error) {
	m, err := b.membership(ctx, r)
	if err != nil {
		return nil, err
	}
	coord := member.CanManageNetwork(r.User.Role)
	if m == nil && !coord {
		return notMember(r), nil
	}
	l := r.L
	items, err := b.d.Meetings.Upcoming(ctx, r.User.ID, b.d.Now(), 8)
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	sb.WriteString(l.T("mt_list_head"))
	var kb Keyboard
	if len(items) == 0 {
		sb.WriteString("\n\n" + l.T("mt_list_empty"))
	}
	for _, it := range items {
		sb.WriteString(fmt.Sprintf("\n\n%s <b>%s</b>\n%s", answerMark(it.Response), netEsc(l, it.Meeting.Title.In(l.Lang)), b.netWhen(l, it.Occurrence.Start)))
		kb = append(kb, Row(l, Button{
			Text: netTruncate(b.netShortWhen(l, it.Occurrence.Start)+" · "+it.Meeting.Title.In(l.Lang), 48),
			Data: "mt:show:" + netItoa(it.Occurrence.ID),
		}))
	}
	if len(items) > 0 {
		sb.WriteString("\n\n" + l.T("mt_list_legend"))
	}
	if coord {
		kb = append(kb, Row(l, Button{Text: l.T("net_btn_new_meeting"), Data: "mt:new"}))
	}
	kb = append(kb, networkBack(l))
	return []Reply{{Text: sb.String(), Buttons: kb, Edit: edit}}, nil
}

// access is what a user may do with an occurrence.
type access struct{ invited, manage bool }

// occurrenceFor loads an occurrence the user may see: invited, or
// managing it. Anything else (unknown, deleted, someone else's) is forged
// data: refused and logged, nothing changed.
func (b *Bot) occurrenceFor(ctx context.Context, r *Request, occID int64, action string) (*meeting.Item, access, []Reply, error) {
	var acc access
	o, m, err := b.d.Meetings.Occurrence(ctx, occID)
	if errors.Is(err, meeting.ErrNotFound) {
		return nil, acc, b.forged(r, action), nil
	}
	if err != nil {
		return nil, acc, nil, err
	}
	if acc.manage, err = b.canManage(ctx, r, m); err != nil {
		return nil, acc, nil, err
	}
	if acc.invited, err = b.d.Meetings.Invited(ctx, occID, r.User.ID); err != nil {
		return nil, acc, nil, err
	}
	if !acc.invited && !acc.manage {
		return nil, acc, b.forged(r, action), nil
	}
	it := &meeting.Item{Occurrence: *o, Meeting: m}
	if acc.invited {
		if it.Response, err = b.d.Meetings.Response(ctx, occID, r.User.ID); err != nil {
			return nil, acc, nil, err
		}
	}
	if acc.manage {
		if it.Counts, err = b.d.Meetings.Counts(ctx, occID); err != nil {
			return nil, acc, nil, err
		}
	}
	return it, acc, nil, nil
}

// meetingShow shows one occurrence with the buttons the user may press.
func (b *Bot) meetingShow(ctx context.Context, r *Request, occID int64, edit bool) ([]Reply, error) {
	it, acc, deny, err := b.occurrenceFor(ctx, r, occID, "meeting_show")
	if deny != nil || err != nil {
		return deny, err
	}
	return []Reply{b.meetingDetail(r, it, acc, edit)}, nil
}

// meetingDetail is the card of an occurrence with its buttons.
func (b *Bot) meetingDetail(r *Request, it *meeting.Item, acc access, edit bool) Reply {
	l := r.L
	manage := acc.manage
	upcoming := it.Occurrence.Start.After(b.d.Now()) && !it.Occurrence.Cancelled && !it.Meeting.Cancelled
	text := b.meetingCard(l, *it, netCardOptions{answer: acc.invited, counts: manage})
	var kb Keyboard
	if upcoming && acc.invited {
		kb = append(kb, rsvpRow(l, it.Occurrence.ID))
	}
	id := netItoa(it.Occurrence.ID)
	kb = append(kb, Row(l, Button{Text: l.T("mt_btn_ics"), Data: "mt:ics:" + id}))
	if manage && upcoming {
		kb = append(kb,
			Row(l, Button{Text: l.T("mt_btn_edit"), Data: "mt:edit:" + netItoa(it.Meeting.ID)}, Button{Text: l.T("mt_btn_cancel"), Data: "mt:cancel:" + id}),
			Row(l, Button{Text: l.T("net_btn_attendees"), Data: "att:show:" + id}))
	}
	kb = append(kb, Row(l, Button{Text: l.T("button_back"), Data: "mt:list"}))
	return Reply{Text: text, Buttons: kb, Edit: edit}
}

// meetingICS sends the occurrence as a calendar file.
func (b *Bot) meetingICS(ctx context.Context, r *Request, occID int64) ([]Reply, error) {
	it, _, deny, err := b.occurrenceFor(ctx, r, occID, "meeting_ics")
	if deny != nil || err != nil {
		return deny, err
	}
	return []Reply{{Document: &Document{
		Name:    fmt.Sprintf("meeting-%d.ics", occID),
		Data:    meeting.ICS([]meeting.Item{*it}, r.L.Lang, b.netLoc(), b.d.Now()),
		Caption: r.L.T("mt_ics_caption", "Title", it.Meeting.Title.In(r.L.Lang)),
	}}}, nil
}

// rsvpButton records an answer from a reminder, a notice or the details:
// rsvp:<occurrence>:y|n|m.
func (b *Bot) rsvpButton(ctx context.Context, r *Request) ([]Reply, error) {
	occID, ok := argID(r.Args, 0)
	answers := map[string]meeting.Response{"y": meeting.Yes, "n": meeting.No, "m": meeting.Maybe}
	answer, known := answers[arg(r.Args, 1)]
	if !ok || !known || len(r.Args) != 2 {
		return b.malformedButton(ctx, r)
	}
	err := b.d.Meetings.Respond(ctx, occID, r.User.ID, answer, b.d.Now())
	switch {
	case errors.Is(err, meeting.ErrNotFound), errors.Is(err, meeting.ErrNotInvited):
		return b.forged(r, "rsvp"), nil
	case errors.Is(err, meeting.ErrCancelled):
		return []Reply{{Toast: r.L.T("mt_gone")}}, nil
	case errors.Is(err, meeting.ErrStarted):
		return []Reply{{Toast: r.L.T("mt_started")}}, nil
	case errors.Is(err, meeting.ErrRegistrationClosed):
		return []Reply{{Toast: r.L.T("mt_registration_closed")}}, nil
	case err != nil:
		return nil, err
	}
	it, acc, deny, err := b.occurrenceFor(ctx, r, occID, "rsvp")
	if deny != nil || err != nil {
		return deny, err
	}
	detail := b.meetingDetail(r, it, acc, true)
	if it.Meeting.GroupID != 0 && len(detail.Buttons) > 1 {
		detail.Buttons = append(Keyboard{detail.Buttons[0], Row(r.L, Button{Text: r.L.T("mt_btn_mute"), Data: "grp:mute:" + netItoa(it.Meeting.GroupID) + ":r"})}, detail.Buttons[1:]...)
	}
	detail.Toast = r.L.T("mt_answer_saved", "Answer", answerLabel(r.L, answer))
	return []Reply{detail}, nil
}

// meetingCancelAsk asks a manager to confirm a cancellation.
func (b *Bot) meetingCancelAsk(ctx context.Context, r *Request, occID int64) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "meeting_cancel"); !ok {
		return deny, nil
	}
	it, acc, deny, err := b.occurrenceFor(ctx, r, occID, "meeting_cancel")
	if deny != nil || err != nil {
		return deny, err
	}
	if !acc.manage {
		return b.forged(r, "meeting_cancel"), nil
	}
	l := r.L
	id := netItoa(occID)
	text := l.T("mt_cancel_ask", "Title", it.Meeting.Title.In(l.Lang), "When", b.netWhen(l, it.Occurrence.Start))
	var kb Keyboard
	if it.Meeting.Recurring() {
		kb = Keyboard{
			Row(l, Button{Text: l.T("mt_btn_cancel_one"), Data: "mt:cxo:" + id}),
			Row(l, Button{Text: l.T("mt_btn_cancel_all"), Data: "mt:cxa:" + netItoa(it.Meeting.ID)}),
		}
	} else {
		kb = Keyboard{Row(l, Button{Text: l.T("mt_btn_cancel_yes"), Data: "mt:cxo:" + id})}
	}
	kb = append(kb, Row(l, Button{Text: l.T("button_back"), Data: "mt:show:" + id}))
	return []Reply{{Text: text, Buttons: kb, Edit: true}}, nil
}

// meetingCancel cancels one occurrence or (all) the whole meeting: notices
// to everyone invited, pending reminders removed.
func (b *Bot) meetingCancel(ctx context.Context, r *Request, id int64, all bool) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "meeting_cancel"); !ok {
		return deny, nil
	}
	var m *meeting.Meeting
	var occID int64
	if all {
		var err error
		if m, err = b.d.Meetings.Get(ctx, id); errors.Is(err, meeting.ErrNotFound) {
			return b.forged(r, "meeting_cancel"), nil
		} else if err != nil {
			return nil, err
		}
	} else {
		o, mt, err := b.d.Meetings.Occurrence(ctx, id)
		if errors.Is(err, meeting.ErrNotFound) {
			return b.forged(r, "meeting_cancel"), nil
		}
		if err != nil {
			return nil, err
		}
		m, occID = mt, o.ID
	}
	manage, err := b.canManage(ctx, r, m)
	if err != nil {
		return nil, err
	}
	if !manage {
		return b.forged(r, "meeting_cancel"), nil
	}
	n, err := b.d.Meetings.Cancel(ctx, m.ID, occID, b.d.Now())
	switch {
	case errors.Is(err, meeting.ErrCancelled), errors.Is(err, meeting.ErrNotFound):
		return []Reply{{Toast: r.L.T("mt_gone")}}, nil
	case errors.Is(err, meeting.ErrStarted):
		return []Reply{{Toast: r.L.T("mt_started")}}, nil
	case err != nil:
		return nil, err
	}
	b.kick()
	b.log.Info("meeting cancelled", "meeting_id", m.ID, "occurrence_id", occID, "by", r.User.ID, "notices", n)
	return []Reply{{Text: r.L.T("mt_cancelled_done", "Title", m.Title.In(r.L.Lang), "Count", n), Buttons: Keyboard{networkBack(r.L)}, Edit: true}}, nil
}
