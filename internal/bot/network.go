package bot

// The network's own area, for the member organisations: the menu, who is
// a member, how meetings are shown. The flows live in invite.go, groups.go,
// meetings.go, meetingflow.go, attendees.go, broadcast.go and reminders.go.
//
// Authorisation is always checked here on the server against the role
// read from the database for this update (r.User.Role, see auth.go) and
// against the meeting or group the data names, never against what a
// button showed.

import (
	"context"
	"errors"
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/member"
)

// Flows of the network area.
const (
	flowInvite    = "invite"
	flowMeeting   = "meeting"
	flowBroadcast = "broadcast"
)

// networkRoutes adds the network's commands, buttons, flows, deep link,
// renderers and sweepers; routes.go calls it when the stores are there.
func (b *Bot) networkRoutes() {
	if b.d.Members == nil || b.d.Meetings == nil {
		return
	}
	for name, h := range map[string]HandlerFunc{
		"network":   b.networkCommand,   // network.go
		"meetings":  b.meetingsCommand,  // meetings.go
		"groups":    b.groupsCommand,    // groups.go
		"invite":    b.inviteCommand,    // invite.go (coordinators)
		"attendees": b.attendeesCommand, // attendees.go (coordinators)
		"broadcast": b.broadcastCommand, // broadcast.go (coordinators)
	} {
		b.commands[name] = h
	}
	for prefix, h := range map[string]HandlerFunc{
		"net":  b.networkButton,     // net:menu|leave|leavey
		"mt":   b.meetingButton,     // meetings.go: mt:list|show:<occ>|ics:<occ>|edit:<m>|cancel:<occ>|cxo:<occ>|cxa:<m>|new
		"mtf":  b.meetingFlowButton, // meetingflow.go: steps of creating and editing a meeting
		"rsvp": b.rsvpButton,        // meetings.go: rsvp:<occ>:y|n|m
		"grp":  b.groupButton,       // groups.go: grp:list|show|join|leave|mute|unmute:<g>, ok|deny:<g>:<user>
		"inv":  b.inviteButton,      // invite.go: inv:start|org:<id>|role:<role>|grp:<g>|grpdone|uses:<n>
		"att":  b.attendeesButton,   // attendees.go: att:list|show:<occ>
		"bc":   b.broadcastButton,   // broadcast.go: bc:start|aud:<kind>|org:<id>|grp:<g>|send|no
		"rem":  b.reminderButton,    // settings.go: rem:show|lead:<min>|default|pause|resume
		"gnf":  b.groupFlowButton,   // groupflow.go: gnf:new|appr:<0|1>|term:<s|d>|ok|no
	} {
		b.callbacks[prefix] = h
	}
	b.flows[flowInvite] = b.inviteText
	b.flows[flowMeeting] = b.meetingText
	b.flows[flowBroadcast] = b.broadcastText
	b.flows[flowGroup] = b.groupText
	b.deepLinks[member.DeepLinkPrefix] = b.redeemInvite
	for kind, r := range map[string]Renderer{
		meeting.KindReminder: b.renderReminder, // reminders.go
		meeting.KindChange:   b.renderChange,
		meeting.KindCancel:   b.renderCancel,
		kindGroupRequest:     b.renderGroupRequest, // groups.go
		kindGroupDecision:    b.renderGroupDecision,
		kindBroadcast:        b.renderBroadcast, // broadcast.go
		kindBroadcastStatus:  b.renderBroadcastProgress,
		kindBroadcastReport:  b.renderBroadcastReport,
	} {
		b.renderers[kind] = r
	}
	b.sweepers = append(b.sweepers, func(ctx context.Context, now time.Time) (int, error) {
		_, err := b.d.Meetings.Maintain(ctx, now) // new occurrences of recurring meetings
		return 0, err
	})
	if b.d.Broadcasts != nil {
		b.sweepers = append(b.sweepers, b.d.Broadcasts.Sweep) // progress and final reports
	}
}

// membership returns the user's membership, nil if they are no member.
func (b *Bot) membership(ctx context.Context, r *Request) (*member.Member, error) {
	m, err := b.d.Members.Get(ctx, r.User.ID)
	if errors.Is(err, member.ErrNotMember) {
		return nil, nil
	}
	return m, err
}

// coordinatorOrg is the organisation a coordinator acts for (0 if none).
func (b *Bot) coordinatorOrg(ctx context.Context, r *Request) (int64, error) {
	m, err := b.membership(ctx, r)
	if err != nil || m == nil {
		return 0, err
	}
	return m.Organisation.ID, nil
}

// canManage reports whether the user may edit, cancel and see the answers
// of m: admins all meetings, coordinators those of their organisation.
func (b *Bot) canManage(ctx context.Context, r *Request, m *meeting.Meeting) (bool, error) {
	if !member.CanManageNetwork(r.User.Role) {
		return false, nil
	}
	org, err := b.coordinatorOrg(ctx, r)
	if err != nil {
		return false, err
	}
	return meeting.CanManage(r.User.Role, org, m), nil
}

// notMember answers someone who is no member of the network.
func notMember(r *Request) []Reply {
	if r.Callback != nil {
		return []Reply{{Toast: r.L.T("net_not_member_short")}, {Text: r.L.T("net_not_member"), Buttons: Keyboard{backButton(r.L)}}}
	}
	return []Reply{{Text: r.L.T("net_not_member"), Buttons: Keyboard{backButton(r.L)}}}
}

// networkCommand answers /network.
func (b *Bot) networkCommand(ctx context.Context, r *Request) ([]Reply, error) {
	return b.networkMenu(ctx, r, false)
}

// networkButton answers net:menu, net:leave and net:leavey (leave.go).
func (b *Bot) networkButton(ctx context.Context, r *Request) ([]Reply, error) {
	if len(r.Args) != 1 {
		return b.malformedButton(ctx, r)
	}
	switch r.Args[0] {
	case "menu":
		return b.networkMenu(ctx, r, true)
	case "leave":
		return b.confirmLeave(ctx, r)
	case "leavey":
		return b.leaveNetwork(ctx, r)
	}
	return b.malformedButton(ctx, r)
}

// networkMenu is the network's menu: meetings and groups for members, and
// for coordinators new meeting, answers, invites and broadcasts.
func (b *Bot) networkMenu(ctx context.Context, r *Request, edit bool) ([]Reply, error) {
	m, err := b.membership(ctx, r)
	if err != nil {
		return nil, err
	}
	coord := member.CanManageNetwork(r.User.Role)
	if m == nil && !coord {
		replies := notMember(r)
		replies[len(replies)-1].Edit = edit
		return replies, nil
	}
	l := r.L
	text := l.T("net_menu")
	var kb Keyboard
	if m != nil {
		text += "\n\n" + l.T("net_member_of", "Organisation", m.Organisation.Name)
		kb = append(kb, Row(l, Button{Text: l.T("net_btn_meetings"), Data: "mt:list"}, Button{Text: l.T("net_btn_groups"), Data: "grp:list"}))
	}
	if coord {
		text += "\n\n" + l.T("net_coordinator_help")
		kb = append(kb,
			Row(l, Button{Text: l.T("net_btn_new_meeting"), Data: "mt:new"}, Button{Text: l.T("net_btn_attendees"), Data: "att:list"}),
			Row(l, Button{Text: l.T("net_btn_invite"), Data: "inv:start"}, Button{Text: l.T("net_btn_broadcast"), Data: "bc:start"}))
	}
	if m != nil {
		kb = append(kb, []Button{{Text: l.T("net_btn_leave"), Data: "net:leave"}})
	}
	kb = append(kb, backButton(l))
	return []Reply{{Text: text, Buttons: kb, Edit: edit}}, nil
}

// networkBack leads back to the network menu.
func networkBack(l *locale.Localizer) []Button {
	return []Button{{Text: l.T("button_back"), Data: "net:menu"}}
}

// loc is the network's time zone.
func (b *Bot) netLoc() *time.Location { return b.d.Meetings.Location() }

// netWeekdayLong is the localized name of d (locale/datetime.go).
func netWeekdayLong(l *locale.Localizer, d time.Weekday) string { return l.Weekday(d) }

// netWhen writes a local date and time, e.g. "Dienstag, 24. März 2026, 14:00 Uhr".
func (b *Bot) netWhen(l *locale.Localizer, t time.Time) locale.HTML {
	return locale.HTML(html.EscapeString(l.DateTime(t.In(b.netLoc()))))
}

// netShortWhen is a compact date and time for button labels.
func (b *Bot) netShortWhen(l *locale.Localizer, t time.Time) string {
	t = t.In(b.netLoc())
	return l.DayMonth(t) + " " + locale.Clock(t)
}

// netDate writes a date without time.
func netDate(l *locale.Localizer, t time.Time) string { return l.Date(t) }

// netEsc escapes user data for Telegram HTML and isolates it in RTL text.
func netEsc(l *locale.Localizer, s string) string { return l.Isolate(html.EscapeString(s)) }

// netTruncate shortens s to n characters for a button label.
func netTruncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// answerLabel names an answer.
func answerLabel(l *locale.Localizer, r meeting.Response) string {
	switch r {
	case meeting.Yes:
		return l.T("mt_answer_yes")
	case meeting.No:
		return l.T("mt_answer_no")
	case meeting.Maybe:
		return l.T("mt_answer_maybe")
	}
	return l.T("mt_answer_none")
}

// answerMark is the answer as a symbol in lists.
func answerMark(r meeting.Response) string {
	switch r {
	case meeting.Yes:
		return "✅"
	case meeting.No:
		return "❌"
	case meeting.Maybe:
		return "❔"
	}
	return "▫️"
}

// netCardOptions say what a meeting card shows beyond the meeting itself.
type netCardOptions struct {
	answer bool // the viewer's answer
	counts bool // the answers so far (managers)
}

// card describes an occurrence of a meeting in the reader's language.
func (b *Bot) meetingCard(l *locale.Localizer, it meeting.Item, opt netCardOptions) string {
	m, o := it.Meeting, it.Occurrence
	var sb strings.Builder
	sb.WriteString("<b>" + netEsc(l, m.Title.In(l.Lang)) + "</b>")
	line := func(s string) { sb.WriteString("\n" + s) }
	if o.Cancelled || m.Cancelled {
		line(l.T("mt_cancelled_mark"))
	}
	if m.GroupID == 0 {
		line(l.T("mt_kind_network"))
	} else {
		line(l.T("mt_kind_group", "Group", m.GroupName.In(l.Lang)))
	}
	end := o.End.In(b.netLoc()).Format("15:04")
	if !netSameDay(o.Start.In(b.netLoc()), o.End.In(b.netLoc())) {
		end = string(b.netWhen(l, o.End))
	}
	line(l.T("mt_line_when", "When", b.netWhen(l, o.Start), "End", end))
	if m.Venue != "" {
		line(l.T("mt_line_venue", "Venue", m.Venue))
	}
	if m.OnlineURL != "" {
		line(l.T("mt_line_online", "URL", m.OnlineURL))
	}
	if m.Recurring() {
		line(l.T("mt_line_recurring"))
	}
	if dl := o.RegistrationDeadline(m); !dl.IsZero() {
		line(l.T("mt_line_deadline", "Deadline", b.netWhen(l, dl)))
	}
	if d := m.Description.In(l.Lang); d != "" {
		sb.WriteString("\n\n" + netEsc(l, d))
	}
	if m.Agenda != "" {
		sb.WriteString("\n\n" + l.T("mt_line_agenda") + "\n" + netEsc(l, m.Agenda))
	}
	if opt.answer {
		sb.WriteString("\n\n" + l.T("mt_line_answer", "Answer", answerLabel(l, it.Response)))
	}
	if opt.counts {
		c := it.Counts
		sb.WriteString("\n" + l.T("mt_line_counts", "Yes", c.Yes, "Maybe", c.Maybe, "No", c.No, "Invited", c.Invited))
	}
	return sb.String()
}

// netItoa writes an id for callback data.
func netItoa(n int64) string { return strconv.FormatInt(n, 10) }

func netSameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// rsvpRow is the yes / maybe / no buttons of an occurrence.
func rsvpRow(l *locale.Localizer, occ int64) []Button {
	id := netItoa(occ)
	return Row(l,
		Button{Text: l.T("mt_btn_yes"), Data: "rsvp:" + id + ":y"},
		Button{Text: l.T("mt_btn_maybe"), Data: "rsvp:" + id + ":m"},
		Button{Text: l.T("mt_btn_no"), Data: "rsvp:" + id + ":n"})
}

// leadLabel names a lead time ("7 Tage vorher").
func leadLabel(l *locale.Localizer, minutes int) string {
	switch {
	case minutes%1440 == 0:
		return l.N("net_lead_days", minutes/1440)
	case minutes%60 == 0:
		return l.N("net_lead_hours", minutes/60)
	}
	return l.N("net_lead_minutes", minutes)
}

// leadsLabel lists lead times, longest first.
func leadsLabel(l *locale.Localizer, leads []int) string {
	parts := make([]string, 0, len(leads))
	for _, m := range member.NormalizeLeads(leads) {
		parts = append(parts, leadLabel(l, m))
	}
	return strings.Join(parts, ", ")
}
