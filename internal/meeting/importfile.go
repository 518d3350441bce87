package meeting

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/netzbot/netzbot/internal/member"
)

// Import is a parsed and checked meetings file (netzbot import meetings
// FILE). Everything is identified by its external id, so importing the same
// file again changes nothing, and an edited file updates what changed.
type Import struct {
	// Organisations are created if missing (never changed: the offer
	// directory owns them), so that a fresh database can take the file.
	Organisations []member.Organisation
	Groups        []member.Group
	Meetings      []ImportedMeeting
}

// ImportedMeeting is a meeting with its references by external id.
type ImportedMeeting struct {
	Meeting
	// Group is the working group's external id; "" for a network meeting.
	Group string
	// Organisation is the host organisation's external id; "" for none.
	Organisation string
}

type importFile struct {
	Organisations []importOrganisation `yaml:"organisations"`
	Groups        []importGroup        `yaml:"groups"`
	Meetings      []importMeeting      `yaml:"meetings"`
}

type importOrganisation struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
}

type importGroup struct {
	ID          string   `yaml:"id"`
	Name        yamlText `yaml:"name"`
	Description yamlText `yaml:"description"`
	EndsOn      string   `yaml:"ends_on"`
	Approval    bool     `yaml:"approval"`
	Active      *bool    `yaml:"active"`
}

type importMeeting struct {
	ID                   string   `yaml:"id"`
	Title                yamlText `yaml:"title"`
	Description          yamlText `yaml:"description"`
	Organisation         string   `yaml:"organisation"`
	Group                string   `yaml:"group"`
	Start                string   `yaml:"start"`
	Duration             string   `yaml:"duration"`
	Repeat               string   `yaml:"repeat"`
	Until                string   `yaml:"until"`
	Venue                string   `yaml:"venue"`
	Online               string   `yaml:"online"`
	Agenda               string   `yaml:"agenda"`
	RegistrationDeadline string   `yaml:"registration_deadline"`
	RegistrationCloses   string   `yaml:"registration_closes"`
	Reminders            []string `yaml:"reminders"`
	Cancelled            bool     `yaml:"cancelled"`
}

// yamlText is a text given either as a plain string (German) or as a map
// of language codes to texts.
type yamlText member.Text

func (t *yamlText) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*t = yamlText{"de": strings.TrimSpace(n.Value)}
		return nil
	case yaml.MappingNode:
		m := map[string]string{}
		if err := n.Decode(&m); err != nil {
			return err
		}
		for k, v := range m {
			m[k] = strings.TrimSpace(v)
		}
		*t = m
		return nil
	}
	return fmt.Errorf("line %d: expected a text or a map of language codes to texts", n.Line)
}

var externalIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// ParseImport reads and checks a meetings file; times are local to loc.
func ParseImport(r io.Reader, loc *time.Location) (*Import, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var f importFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("empty file")
		}
		return nil, err
	}
	out := &Import{}
	var errs []error
	seen := map[string]bool{}
	groups := map[string]bool{}
	orgs := map[string]bool{}
	for i, o := range f.Organisations {
		if !externalIDRe.MatchString(o.ID) || strings.TrimSpace(o.Name) == "" || orgs[o.ID] {
			errs = append(errs, fmt.Errorf("organisations[%d] (id %q): needs a unique id and a name", i, o.ID))
		}
		orgs[o.ID] = true
		out.Organisations = append(out.Organisations, member.Organisation{ExternalID: o.ID, Name: strings.TrimSpace(o.Name)})
	}
	for i, g := range f.Groups {
		where := fmt.Sprintf("groups[%d] (id %q)", i, g.ID)
		grp := member.Group{ExternalID: g.ID, Name: member.Text(g.Name), Description: member.Text(g.Description), NeedsApproval: g.Approval, Active: g.Active == nil || *g.Active}
		switch {
		case !externalIDRe.MatchString(g.ID):
			errs = append(errs, fmt.Errorf("%s: id must be 1-100 letters, digits, . _ -", where))
		case groups[g.ID]:
			errs = append(errs, fmt.Errorf("%s: id used twice", where))
		case grp.Name.In("de") == "":
			errs = append(errs, fmt.Errorf("%s: name required", where))
		}
		groups[g.ID] = true
		if g.EndsOn != "" {
			d, err := time.ParseInLocation("2006-01-02", g.EndsOn, loc)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: ends_on: expected YYYY-MM-DD", where))
			}
			grp.EndsOn = d
		}
		out.Groups = append(out.Groups, grp)
	}
	for i, im := range f.Meetings {
		where := fmt.Sprintf("meetings[%d] (id %q)", i, im.ID)
		fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(where+": "+format, a...)) }
		if !externalIDRe.MatchString(im.ID) {
			fail("id must be 1-100 letters, digits, . _ -")
		} else if seen[im.ID] {
			fail("id used twice")
		}
		seen[im.ID] = true
		m := ImportedMeeting{Group: im.Group, Organisation: im.Organisation}
		m.ExternalID = im.ID
		m.Title, m.Description = member.Text(im.Title), member.Text(im.Description)
		m.Venue, m.OnlineURL, m.Agenda = strings.TrimSpace(im.Venue), strings.TrimSpace(im.Online), strings.TrimSpace(im.Agenda)
		m.Recurrence, m.Cancelled = strings.TrimSpace(im.Repeat), im.Cancelled
		start, err := ParseLocal(im.Start, loc)
		if err != nil {
			fail("start: %v", err)
		}
		m.Start = start
		if m.Duration, err = ParseLead(or(im.Duration, "2h")); err != nil {
			fail("duration: %v", err)
		}
		if im.Until != "" {
			d, err := time.ParseInLocation("2006-01-02", im.Until, loc)
			if err != nil {
				fail("until: expected YYYY-MM-DD")
			}
			m.RepeatUntil = d.AddDate(0, 0, 1).Add(-time.Second)
		}
		switch {
		case im.RegistrationDeadline != "" && im.RegistrationCloses != "":
			fail("give registration_deadline or registration_closes, not both")
		case im.RegistrationDeadline != "":
			d, err := ParseLocal(im.RegistrationDeadline, loc)
			switch {
			case err != nil:
				fail("registration_deadline: %v", err)
			case m.Recurring():
				fail("registration_deadline is for single meetings; use registration_closes (e.g. 48h) for recurring ones")
			case !d.Before(start):
				fail("registration_deadline must be before the start")
			default:
				m.RegistrationBefore = start.Sub(d)
			}
		case im.RegistrationCloses != "":
			if m.RegistrationBefore, err = ParseLead(im.RegistrationCloses); err != nil {
				fail("registration_closes: %v", err)
			}
		}
		if im.Reminders == nil {
			m.LeadMinutes = append([]int(nil), member.DefaultLeadMinutes...)
		}
		for _, s := range im.Reminders {
			d, err := ParseLead(s)
			if err != nil {
				fail("reminders: %v", err)
				continue
			}
			m.LeadMinutes = append(m.LeadMinutes, int(d/time.Minute))
		}
		m.LeadMinutes = member.NormalizeLeads(m.LeadMinutes)
		if m.Group != "" && !groups[m.Group] && !externalIDRe.MatchString(m.Group) {
			fail("group: bad id %q", m.Group)
		}
		if err == nil {
			if verr := m.Validate(loc); verr != nil {
				fail("%v", strings.TrimPrefix(verr.Error(), "meeting: "))
			}
		}
		out.Meetings = append(out.Meetings, m)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// ParseLocal reads "2026-04-21 14:00" (or with a T, or "21.04.2026 14:00")
// as a time in loc.
func ParseLocal(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02T15:04:05", "02.01.2006 15:04", "2.1.2006 15:04", "02.01.2006, 15:04", "2.1.2006, 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: expected a local date and time like 2026-04-21 14:00", s)
}

var leadRe = regexp.MustCompile(`^(\d+)\s*(d|h|m|min)$`)

// ParseLead reads a duration like "7d", "2h", "90m".
func ParseLead(s string) (time.Duration, error) {
	m := leadRe.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, fmt.Errorf("%q: expected a duration like 7d, 2h or 30m", s)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q: expected a positive duration", s)
	}
	switch m[2] {
	case "d":
		return time.Duration(n) * 24 * time.Hour, nil
	case "h":
		return time.Duration(n) * time.Hour, nil
	}
	return time.Duration(n) * time.Minute, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
