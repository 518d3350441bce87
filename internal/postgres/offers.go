package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/search"
)

// OfferStore keeps the offer directory: offers, their texts and hours, the
// search index (offer_search, search_lexicon, search_keywords) and what
// searches leave behind (anonymous queries, misses, feedback).
type OfferStore struct {
	Pool *pgxpool.Pool

	keywordsMu   sync.Mutex
	keywordsDone bool

	// For the test that ranking only the best candidates gives the same
	// results as ranking all: fullRanking ranks all, never only the best;
	// bestCandidates, if set, is how many are the best.
	fullRanking    bool
	bestCandidates int

	// expansions keeps query expansions while changes are followed
	// (offer_expansions.go).
	expansions offer.Memo[string, *search.Expansion]

	// Lexicon understands queries and tags offers; nil: the shipped one
	// with the office's additions (lexicon.go).
	Lexicon *search.Lexicon
	lex     atomic.Pointer[search.Lexicon]
	lexMark string // the additions lex was made with
	// recheck is set when the directory changed: the next SyncKeywords
	// looks at the additions and the tags again.
	recheck atomic.Bool
	// Translator, if set, translates a query that named no concept and
	// found nothing to German for a second try (internal/translate).
	Translator QueryTranslator
}

// QueryTranslator translates a search text to German within its own
// timeout; ok is false when it cannot (no provider, down, too slow).
type QueryTranslator interface {
	ToGerman(ctx context.Context, text, lang string) (de string, ok bool)
}

var _ offer.Store = (*OfferStore)(nil)

type offerQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// ---------------------------------------------------------------------------
// Reading offers

const offerColumns = `o.id, o.external_id, o.organisation_id, o.category, o.tags, o.source_language, o.cost, o.cost_note,
	o.target_groups, o.languages, o.valid_from, o.valid_until, o.active, o.venue_kind, o.venue_name, o.street,
	o.postcode, o.district, o.latitude, o.longitude, o.wheelchair, o.by_appointment, o.hours_note,
	o.phone, o.email, o.website, o.booking_url, o.contact_person`

// scanOffer scans offerColumns, then extra.
func scanOffer(row pgx.Row, extra ...any) (*offer.Offer, error) {
	var o offer.Offer
	var costNote, hoursNote []byte
	var from, until *time.Time
	var lat, lon *float64
	if err := row.Scan(append([]any{&o.ID, &o.ExternalID, &o.Organisation.ID, &o.Category, &o.Tags, &o.SourceLanguage, &o.Cost, &costNote,
		&o.TargetGroups, &o.Languages, &from, &until, &o.Active, &o.Venue.Kind, &o.Venue.Name, &o.Venue.Street,
		&o.Venue.Postcode, &o.Venue.District, &lat, &lon, &o.Venue.Wheelchair, &o.ByAppointment, &hoursNote,
		&o.Contact.Phone, &o.Contact.Email, &o.Contact.Website, &o.Contact.Booking, &o.Contact.Person}, extra...)...); err != nil {
		return nil, err
	}
	if from != nil {
		d := offer.DateOf(*from)
		o.ValidFrom = &d
	}
	if until != nil {
		d := offer.DateOf(*until)
		o.ValidUntil = &d
	}
	if lat != nil && lon != nil {
		o.Venue.Lat, o.Venue.Lon, o.Venue.HasCoords = *lat, *lon, true
	}
	o.CostNote, o.HoursNote = map[string]string{}, map[string]string{}
	if err := json.Unmarshal(costNote, &o.CostNote); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(hoursNote, &o.HoursNote); err != nil {
		return nil, err
	}
	o.Texts = map[string]offer.Text{}
	return &o, nil
}

// Get returns an offer (also an inactive one) with its organisation.
func (s *OfferStore) Get(ctx context.Context, id int64) (*offer.Offer, error) {
	list, err := s.getMany(ctx, s.Pool, []int64{id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, offer.ErrNotFound
	}
	return list[0], nil
}

// loadSQL loads the offers $1 (ids) with what a card shows, in one
// statement: offerColumns, the organisation, and the texts and opening
// hours as arrays (cheaper to read than JSON); scanned by scanLoaded.
const loadSQL = `
	SELECT ` + offerColumns + `,
	       g.external_id, g.name, g.description, g.website, g.email, g.phone, g.contact_person,
	       t.langs, t.titles, t.descriptions, t.statuses, h.days, h.opens, h.closes
	  FROM offers o JOIN organisations g ON g.id = o.organisation_id,
	       LATERAL (SELECT array_agg(x.lang) AS langs, array_agg(x.title) AS titles,
	                       array_agg(x.description) AS descriptions, array_agg(x.status) AS statuses
	                  FROM offer_texts x WHERE x.offer_id = o.id) t,
	       LATERAL (SELECT array_agg(h.weekday::int ORDER BY h.weekday, h.opens) AS days,
	                       array_agg(extract(hour FROM h.opens)::int * 60 + extract(minute FROM h.opens)::int
	                                 ORDER BY h.weekday, h.opens) AS opens,
	                       array_agg(CASE WHEN h.closes = '23:59:59' THEN 1440
	                                      ELSE extract(hour FROM h.closes)::int * 60 + extract(minute FROM h.closes)::int END
	                                 ORDER BY h.weekday, h.opens) AS closes
	                  FROM offer_hours h WHERE h.offer_id = o.id) h
	 WHERE o.id = ANY ($1::bigint[])`

// scanLoaded scans a row of loadSQL.
func scanLoaded(row pgx.Row) (*offer.Offer, error) {
	var g offer.Organisation
	var desc []byte
	var langs, titles, descriptions, statuses []string
	var days, opens, closes []int32
	o, err := scanOffer(row, &g.ExternalID, &g.Name, &desc, &g.Website, &g.Email, &g.Phone, &g.ContactPerson,
		&langs, &titles, &descriptions, &statuses, &days, &opens, &closes)
	if err != nil {
		return nil, err
	}
	g.ID = o.Organisation.ID
	g.Description = map[string]string{}
	if err := json.Unmarshal(desc, &g.Description); err != nil {
		return nil, fmt.Errorf("organisation %s description: %w", g.ExternalID, err)
	}
	o.Organisation = g
	for i, l := range langs {
		o.Texts[l] = offer.Text{Title: titles[i], Description: descriptions[i], Status: statuses[i]}
	}
	for i, d := range days {
		o.Hours = append(o.Hours, offer.Range{Weekday: int(d), Open: int(opens[i]), Close: int(closes[i])})
	}
	return o, nil
}

// scanLoadedRows reads the rows of loadSQL into a map by id.
func scanLoadedRows(rows pgx.Rows, into map[int64]*offer.Offer) error {
	defer rows.Close()
	for rows.Next() {
		o, err := scanLoaded(rows)
		if err != nil {
			return fmt.Errorf("load offers: %w", err)
		}
		into[o.ID] = o
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load offers: %w", err)
	}
	return nil
}

// getMany loads offers by id, in the order of ids.
func (s *OfferStore) getMany(ctx context.Context, q offerQuerier, ids []int64) ([]*offer.Offer, error) {
	rows, err := q.Query(ctx, loadSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("load offers: %w", err)
	}
	byID := map[int64]*offer.Offer{}
	if err := scanLoadedRows(rows, byID); err != nil {
		return nil, err
	}
	out := make([]*offer.Offer, 0, len(ids))
	for _, id := range ids {
		if o, ok := byID[id]; ok {
			out = append(out, o)
		}
	}
	return out, nil
}

// NaiveScan is the baseline of the search benchmarks: the number of active
// offers whose title or description in any language contains a word of
// text, by a plain ILIKE '%word%' over every text. No index can help it.
func (s *OfferStore) NaiveScan(ctx context.Context, text string) (int, error) {
	var pats []string
	for _, w := range s.lexicon().ContentWords(text) {
		pats = append(pats, "%"+w+"%")
	}
	var n int
	err := s.Pool.QueryRow(ctx, `
		SELECT count(DISTINCT t.offer_id) FROM offer_texts t JOIN offers o ON o.id = t.offer_id
		 WHERE o.active AND (t.title ILIKE ANY($1) OR t.description ILIKE ANY($1))`, pats).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("naive scan: %w", err)
	}
	return n, nil
}

func offerHashText(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

func offerHashStrings(lists ...[]string) string {
	var b strings.Builder
	for _, l := range lists {
		for _, s := range l {
			b.WriteString(s)
			b.WriteByte(0)
		}
		b.WriteByte(1)
	}
	return offerHashText(b.String())
}
