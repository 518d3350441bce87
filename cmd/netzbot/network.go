package main

// The network on the command line: importing meetings and working groups
// (import meetings FILE), invite links for member organisations (invite
// create), the upcoming meetings (meetings list) and the answers as CSV
// (attendees export).

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/importlimit"
	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/user"
)

const importMeetingsUsage = `usage: netzbot import meetings [--dry-run] FILE

FILE is YAML with organisations (created if missing), working groups and
meetings, each with an id (example and format: testdata/meetings.yaml).
Times are local (TZ_NAME); "repeat" is a cron-style rule such as
"0 14 * * TUE#2" (every second Tuesday, 14:00). Everything is matched by
its id: importing a file again changes nothing; a changed time or place
notifies everyone invited, "cancelled: true" cancels with a notice.
Everything is checked first; on any problem nothing is changed.
  --dry-run  check and count, change nothing`

// runImportMeetings is "import meetings FILE" (runImport dispatches here).
func runImportMeetings(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import meetings", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, importMeetingsUsage) }
	dry := fs.Bool("dry-run", false, "check and count, change nothing")
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, importMeetingsUsage)
		return fmt.Errorf("%w: import meetings: want one FILE", errUsage)
	}
	cfg, err := config.Load(os.Getenv, false)
	if err != nil {
		return err
	}
	name := fs.Arg(0)
	data, err := importlimit.ReadFile(name)
	if err != nil {
		return err
	}
	imp, err := meeting.ParseImport(bytes.NewReader(data), cfg.Location)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, name, err)
	}
	if err := importlimit.CheckRows(name, len(imp.Organisations)+len(imp.Groups)+len(imp.Meetings)); err != nil {
		return err
	}
	if *dry {
		fmt.Fprintf(stdout, "%s is valid: %d organisations, %d working groups, %d meetings (nothing changed)\n",
			name, len(imp.Organisations), len(imp.Groups), len(imp.Meetings))
		return nil
	}
	db, err := openDatabase(ctx, cfg, persistent, cfg.DataDir, newLogger(stderr, cfg.LogLevel, false))
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := (&postgres.MeetingStore{Pool: db.Pool, Loc: cfg.Location}).Import(ctx, imp, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: meetings %d created, %d updated, %d unchanged, %d cancelled; working groups %d created, %d updated; %d organisations created; %d notices queued\n",
		name, res.Created, res.Updated, res.Unchanged, res.Cancelled, res.GroupsCreated, res.GroupsUpdated, res.OrganisationsCreated, res.Notices)
	for _, id := range res.StaysCancelled {
		fmt.Fprintf(stdout, "  %s stays cancelled (a cancelled meeting is not brought back; give it a new id)\n", id)
	}
	return nil
}

const inviteUsage = `usage: netzbot invite create --org ORG --role member|coordinator [--groups G1,G2] [--uses N] [--days N] [--bot USERNAME]

Prints an invite link for a member organisation: whoever opens it becomes
a member of ORG (its id from the import, or its number) with the role,
and joins the working groups. The link works --uses times (default 1) for
--days days (default 14); only a hash of it is stored.
  --bot  the bot's username for the link (default: asked from Telegram with TELEGRAM_BOT_TOKEN)`

// runInvite is "invite create …".
func runInvite(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, inviteUsage)
		return fmt.Errorf("%w: invite: want \"invite create --org ORG --role ROLE\"", errUsage)
	}
	fs := flag.NewFlagSet("invite create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, inviteUsage) }
	org := fs.String("org", "", "organisation id")
	role := fs.String("role", "member", "member or coordinator")
	groups := fs.String("groups", "", "working group ids, comma-separated")
	uses := fs.Int("uses", 1, "how many people may use the link")
	days := fs.Int("days", 14, "how many days the link works")
	botName := fs.String("bot", "", "the bot's username")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	r := user.Role(*role)
	if *org == "" || fs.NArg() != 0 || (r != user.RoleMember && r != user.RoleCoordinator) || *uses < 1 || *uses > member.MaxInviteUses || *days < 1 {
		fmt.Fprintln(stderr, inviteUsage)
		return fmt.Errorf("%w: invite create: want --org, --role member|coordinator, --uses 1-%d, --days ≥ 1", errUsage, member.MaxInviteUses)
	}
	cfg, err := config.Load(os.Getenv, false)
	if err != nil {
		return err
	}
	username := strings.TrimPrefix(*botName, "@")
	if username == "" && cfg.Token != "" {
		if username, err = botUsername(ctx, cfg); err != nil { // booking.go
			return err
		}
	}
	db, err := openDatabase(ctx, cfg, persistent, cfg.DataDir, newLogger(stderr, cfg.LogLevel, false))
	if err != nil {
		return err
	}
	defer db.Close()
	store := &postgres.MemberStore{Pool: db.Pool, Loc: cfg.Location}
	o, err := store.OrganisationByExternalID(ctx, *org)
	if errors.Is(err, member.ErrNotFound) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err != nil {
		return err
	}
	var groupIDs []int64
	if *groups != "" {
		if groupIDs, err = store.GroupIDsByExternalID(ctx, strings.Split(*groups, ",")); err != nil {
			if errors.Is(err, member.ErrNotFound) {
				return fmt.Errorf("%w: %v", errUsage, err)
			}
			return err
		}
	}
	now := time.Now()
	spec := member.InviteSpec{OrganisationID: o.ID, Role: r, GroupIDs: groupIDs, MaxUses: *uses, ExpiresAt: now.AddDate(0, 0, *days)}
	token, err := store.CreateInvite(ctx, spec, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Invite to %s as %s, %d use(s), until %s:\n", o.Name, r, *uses, spec.ExpiresAt.In(cfg.Location).Format("2006-01-02 15:04 MST"))
	if username != "" {
		fmt.Fprintf(stdout, "  %s\n", member.InviteLink(username, token))
	} else {
		fmt.Fprintf(stdout, "  https://t.me/<your bot>?start=i_%s\n  (or send the bot: /start i_%s; give --bot USERNAME for a complete link)\n", token, token)
	}
	return nil
}

const meetingsUsage = `usage: netzbot meetings list [--days N]

Lists the meetings of the next N days (default 90) with their answers.`

// runMeetings is "meetings list".
func runMeetings(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprintln(stderr, meetingsUsage)
		return fmt.Errorf("%w: meetings: want \"meetings list\"", errUsage)
	}
	fs := flag.NewFlagSet("meetings list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, meetingsUsage) }
	days := fs.Int("days", 90, "how many days ahead")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, db, err := openCLIDatabase(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now()
	items, err := (&postgres.MeetingStore{Pool: db.Pool, Loc: cfg.Location}).UpcomingAll(ctx, now, now.AddDate(0, 0, *days))
	if err != nil {
		return err
	}
	if len(items) == 0 {
		fmt.Fprintf(stdout, "no meetings in the next %d days\n", *days)
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "MEETING\tID\tOCCURRENCE\tSTART\tTITLE\tFOR\tWHERE\tYES\tMAYBE\tNO\tINVITED")
	for _, it := range items {
		m, o, c := it.Meeting, it.Occurrence, it.Counts
		who := "all members"
		if m.GroupID != 0 {
			who = "group " + m.GroupName.In("de")
		}
		where := m.Venue
		if where == "" {
			where = m.OnlineURL
		}
		fmt.Fprintf(w, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", m.ID, orDash(m.ExternalID), o.ID,
			o.Start.In(cfg.Location).Format("Mon 2006-01-02 15:04"), m.Title.In("de"), who, where, c.Yes, c.Maybe, c.No, c.Invited)
	}
	return w.Flush()
}

const attendeesUsage = `usage: netzbot attendees export --meeting ID [-o FILE]

Writes everyone invited to the meeting (its id from the import, or its
number), per date, with their answer as CSV (to stdout or FILE).`

// runAttendees is "attendees export --meeting ID".
func runAttendees(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintln(stderr, attendeesUsage)
		return fmt.Errorf("%w: attendees: want \"attendees export --meeting ID\"", errUsage)
	}
	fs := flag.NewFlagSet("attendees export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, attendeesUsage) }
	id := fs.String("meeting", "", "meeting id")
	out := fs.String("o", "", "write to FILE instead of stdout")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *id == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, attendeesUsage)
		return fmt.Errorf("%w: attendees export: want --meeting ID", errUsage)
	}
	cfg, db, err := openCLIDatabase(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	store := &postgres.MeetingStore{Pool: db.Pool, Loc: cfg.Location}
	m, err := store.GetByExternalID(ctx, *id)
	if errors.Is(err, meeting.ErrNotFound) {
		return fmt.Errorf("%w: no meeting with id %q (see netzbot meetings list)", errUsage, *id)
	}
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"meeting_id", "meeting", "occurrence_id", "starts_at", "status", "member", "organisation", "answer", "answered_at"})
	occs, err := store.Occurrences(ctx, m.ID)
	if err != nil {
		return err
	}
	for _, o := range occs {
		list, err := store.Attendees(ctx, o.ID)
		if err != nil {
			return err
		}
		status := "scheduled"
		if o.Cancelled || m.Cancelled {
			status = "cancelled"
		}
		for _, a := range list {
			answered := ""
			if !a.RespondedAt.IsZero() {
				answered = a.RespondedAt.In(cfg.Location).Format(time.RFC3339)
			}
			if err := cw.Write([]string{
				fmt.Sprint(m.ID), m.Title.In("de"), fmt.Sprint(o.ID), o.Start.In(cfg.Location).Format(time.RFC3339), status,
				a.Name, a.Organisation, string(a.Response), answered,
			}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
