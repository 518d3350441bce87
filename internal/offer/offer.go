// Package offer is the offer directory ("Angebotsplaner"): the offers of the
// network's member organisations, their category taxonomy with search
// keywords in every shipped language, opening hours ("open now", "next
// open" in the city's time zone), the import/export file formats and the
// store interface the bot searches through. No SQL, no Telegram.
package offer

import (
	"context"
	"errors"
	"time"
)

// Translation status of an offer text.
const (
	StatusOriginal = "original" // written in this language
	StatusReviewed = "reviewed" // translated and checked by a person
	StatusMachine  = "machine"  // machine translation, marked as such
)

// Cost kinds.
const (
	CostFree    = "free"
	CostReduced = "reduced"
	CostFee     = "fee"
)

// Venue kinds.
const (
	VenuePlace  = "place"
	VenueOnline = "online"
	VenuePhone  = "phone"
)

// Text is an offer's title and description in one language.
type Text struct {
	Title       string
	Description string
	Status      string // StatusOriginal, StatusReviewed or StatusMachine
}

// Organisation is a member actor of the network.
type Organisation struct {
	ID            int64
	ExternalID    string
	Name          string
	Description   map[string]string // per language
	Website       string
	Email         string
	Phone         string
	ContactPerson string
}

// Venue is where an offer takes place.
type Venue struct {
	Kind       string // VenuePlace, VenueOnline, VenuePhone
	Name       string
	Street     string
	Postcode   string
	District   string
	Lat, Lon   float64 // 0, 0: no coordinates
	HasCoords  bool
	Wheelchair *bool // nil: unknown
}

// Contact is how to reach the people behind an offer.
type Contact struct {
	Phone, Email, Website, Booking, Person string
}

// Offer is one entry of the directory.
type Offer struct {
	ID             int64
	ExternalID     string
	Organisation   Organisation
	Category       string
	Tags           []string
	SourceLanguage string
	Texts          map[string]Text // per language
	Cost           string
	CostNote       map[string]string
	TargetGroups   []string
	Languages      []string // spoken at the offer
	ValidFrom      *Date
	ValidUntil     *Date
	Active         bool
	Venue          Venue
	Hours          Hours
	ByAppointment  bool
	HoursNote      map[string]string
	Contact        Contact
}

// Text picks the text to show to a reader of lang: lang itself, else
// German, else English, else any. lang is what it is in.
func (o *Offer) Text(lang string) (t Text, in string) {
	for _, l := range []string{lang, "de", "en", o.SourceLanguage} {
		if t, ok := o.Texts[l]; ok && t.Title != "" {
			return t, l
		}
	}
	for l, t := range o.Texts {
		return t, l
	}
	return Text{}, ""
}

// Pick returns the value of a per-language map for lang with the same
// fallback as Text.
func Pick(m map[string]string, lang string) string {
	for _, l := range []string{lang, "de", "en"} {
		if s := m[l]; s != "" {
			return s
		}
	}
	return ""
}

// Current reports whether the offer is active and valid on day.
func (o *Offer) Current(day time.Time) bool {
	d := DateOf(day)
	return o.Active && (o.ValidFrom == nil || !d.Before(*o.ValidFrom)) && (o.ValidUntil == nil || !o.ValidUntil.Before(d))
}

// Filters narrow lists and searches; they are kept per user.
type Filters struct {
	MyLanguage  bool   // offers held in the user's language first
	FreeOnly    bool   // cost = free
	TargetGroup string // "" any
	District    string // "" any
	// The last shared location, if any.
	Lat, Lon  float64
	LocatedAt time.Time
}

// Located reports whether a location was shared within maxAge of now.
func (f Filters) Located(now time.Time, maxAge time.Duration) bool {
	return !f.LocatedAt.IsZero() && now.Sub(f.LocatedAt) <= maxAge
}

// Active reports whether any narrowing filter is set.
func (f Filters) Active() bool {
	return f.MyLanguage || f.FreeOnly || f.TargetGroup != "" || f.District != ""
}

// ListQuery asks for one page of offers: a search if Text is set, a
// category if Category is set, else the nearest to Near.
type ListQuery struct {
	Text     string
	Category string
	Near     *Point // also ranks searches and categories by distance
	OnlyNear bool   // list by distance only (Text and Category empty)
	Filters  Filters
	// Lang is the reader's language: it ranks offers held in it first
	// (Filters.MyLanguage) and orders lists without Text by title.
	Lang   string
	Today  time.Time
	Offset int
	Limit  int
}

// Point is a coordinate.
type Point struct{ Lat, Lon float64 }

// Hit is one offer of a result page.
type Hit struct {
	Offer     *Offer
	Score     float64
	DistanceM float64 // -1 if unknown
}

// Page is a result page.
type Page struct {
	Hits  []Hit
	Total int
	// Corrections maps query words that were not found to the words that
	// were searched instead (typo tolerance), for "showing results for".
	Corrections map[string]string
	// Nearest are the categories closest to what was asked, best first,
	// for the answer when nothing fits.
	Nearest []string
	// TranslatedQuery is the German the query was machine-translated to
	// when only that found offers.
	TranslatedQuery string
	// Provisional marks a page made without the translation it would have
	// tried (the provider was down or too slow): not to be kept.
	Provisional bool
}

// Suggestion is a "did you mean" for a search that found nothing: a
// category keyword that looks like the query.
type Suggestion struct {
	Category string
	Lang     string
	Index    int // into Keywords[Category][Lang]
	Keyword  string
}

// Miss is a search that found nothing, as `report searches` shows it.
type Miss struct {
	Query     string
	Lang      string
	Count     int
	FirstSeen time.Time
	LastSeen  time.Time
}

// Feedback sums "helpful / not helpful" per query.
type Feedback struct {
	Query            string
	Helpful, Useless int
}

// Recipient is a user to notify, with their language.
type Recipient struct {
	UserID   int64
	Language string
}

// ErrNotFound is returned for an unknown or deleted offer or query.
var ErrNotFound = errors.New("offer not found")

// Store is what the bot needs of the offer directory. Implemented in
// internal/postgres.
type Store interface {
	// Get returns an offer with its organisation; ErrNotFound if unknown.
	Get(ctx context.Context, id int64) (*Offer, error)
	// List returns one page of current offers for q, best first.
	List(ctx context.Context, q ListQuery) (*Page, error)
	// Suggest finds a category keyword like text, for "did you mean".
	Suggest(ctx context.Context, text string) (*Suggestion, error)
	// SaveQuery stores a search text (without any user) and returns its id,
	// which result buttons carry; Query reads it back.
	SaveQuery(ctx context.Context, text string) (int64, error)
	Query(ctx context.Context, id int64) (string, error)
	// RecordMiss counts a search that found nothing, folded and anonymous.
	RecordMiss(ctx context.Context, text, lang string) error
	// RecordRequest keeps, anonymously, what someone asked the network
	// office for when nothing fitted ("tell the office").
	RecordRequest(ctx context.Context, text, lang string) error
	RecordFeedback(ctx context.Context, queryID int64, lang string, helpful bool) error
	// SaveFilters stores the user's filters; they are read with the
	// session (conversation.SessionStore).
	SaveFilters(ctx context.Context, userID int64, f Filters) error
	// Districts lists the districts that have current offers.
	Districts(ctx context.Context) ([]string, error)
	// ReportOutdated records a report; first is false if this user already
	// reported this offer in the last day (then nobody is notified again).
	ReportOutdated(ctx context.Context, offerID, userID int64, now time.Time) (first bool, err error)
	// Coordinators are the users to notify about an organisation's offers:
	// its own coordinators, or the network's if it has none.
	Coordinators(ctx context.Context, organisationID int64) ([]Recipient, error)
}
