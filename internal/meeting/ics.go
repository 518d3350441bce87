package meeting

import (
	"fmt"
	"strings"
	"time"

	"github.com/netzbot/netzbot/internal/calendar"
)

// ICS renders occurrences as an iCalendar file (one VEVENT each, local
// times with the zone, through internal/calendar), titles in lang. The UID
// stays the same for an occurrence and SEQUENCE grows with its revision, so
// a calendar app updates a moved meeting instead of adding it twice; a
// cancelled one is marked CANCELLED.
func ICS(items []Item, lang string, loc *time.Location, now time.Time) []byte {
	events := make([]calendar.Event, 0, len(items))
	for _, it := range items {
		m, o := it.Meeting, it.Occurrence
		var desc []string
		if d := m.Description.In(lang); d != "" {
			desc = append(desc, d)
		}
		if m.Agenda != "" {
			desc = append(desc, m.Agenda)
		}
		if m.OnlineURL != "" {
			desc = append(desc, m.OnlineURL)
		}
		where := m.Venue
		if where == "" {
			where = m.OnlineURL
		}
		events = append(events, calendar.Event{
			UID:         fmt.Sprintf("meeting-occurrence-%d@netzbot", o.ID),
			Summary:     m.Title.In(lang),
			Description: strings.Join(desc, "\n\n"),
			Location:    where,
			URL:         m.OnlineURL,
			Start:       o.Start,
			End:         o.End,
			Created:     now,
			Cancelled:   o.Cancelled || m.Cancelled,
			Sequence:    max(o.Revision-1, 0),
		})
	}
	return calendar.ICS(loc, events...)
}
