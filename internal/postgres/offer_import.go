package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/netzbot/netzbot/internal/offer"
)

// ---------------------------------------------------------------------------
// Import and export

// ImportOptions control Import.
type ImportOptions struct {
	DryRun bool // do everything, report it, change nothing
	Prune  bool // deactivate offers that are not in the file
	// Progress is called after each offer with the number done and the total.
	Progress func(done, total int)
}

// ImportResult counts what an import did (or would do, with DryRun).
type ImportResult struct {
	Created, Updated, Unchanged, Deactivated int
	OrgsCreated, OrgsUpdated, OrgsUnchanged  int
}

// Import applies an import file: organisations and offers are created or
// updated by external id (never duplicated); an offer whose content did not
// change is left alone. Offers of organisations that are neither in the
// file nor in the database are reported as offer.Problems before anything
// changes. Everything happens in one transaction.
func (s *OfferStore) Import(ctx context.Context, f *offer.File, name string, opt ImportOptions) (ImportResult, error) {
	var res ImportResult
	if err := s.SyncKeywords(ctx); err != nil {
		return res, err
	}
	// Organisations referred to but not in the file must exist.
	var missing []string
	for _, o := range f.Offers {
		if o.Organisation.ID == -1 {
			missing = append(missing, o.Organisation.ExternalID)
		}
	}
	if len(missing) > 0 {
		rows, err := s.Pool.Query(ctx, `SELECT external_id FROM organisations WHERE external_id = ANY($1)`, missing)
		if err != nil {
			return res, err
		}
		have, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return res, err
		}
		var probs offer.Problems
		for _, o := range f.Offers {
			if o.Organisation.ID == -1 && !offerContains(have, o.Organisation.ExternalID) {
				probs = append(probs, offer.Problem{File: name, Row: f.Rows["o:"+o.ExternalID], Field: "organisation",
					Message: fmt.Sprintf("unknown organisation %q (neither in the file nor in the database)", o.Organisation.ExternalID)})
			}
		}
		if len(probs) > 0 {
			return res, probs
		}
	}

	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("import: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('netzbot offer import'))`); err != nil {
		return res, fmt.Errorf("import lock: %w", err)
	}
	orgIDs := map[string]int64{}
	for i := range f.Organisations {
		g := &f.Organisations[i]
		what, err := upsertOrganisation(ctx, tx, g)
		if err != nil {
			return res, err
		}
		orgIDs[g.ExternalID] = g.ID
		switch what {
		case "created":
			res.OrgsCreated++
		case "updated":
			res.OrgsUpdated++
		default:
			res.OrgsUnchanged++
		}
	}
	var changed []int64
	seen := make([]string, 0, len(f.Offers))
	for i := range f.Offers {
		o := &f.Offers[i]
		seen = append(seen, o.ExternalID)
		orgID, ok := orgIDs[o.Organisation.ExternalID]
		if !ok {
			if err := tx.QueryRow(ctx, `SELECT id FROM organisations WHERE external_id = $1`, o.Organisation.ExternalID).Scan(&orgID); err != nil {
				return res, fmt.Errorf("offer %s: organisation %s: %w", o.ExternalID, o.Organisation.ExternalID, err)
			}
			orgIDs[o.Organisation.ExternalID] = orgID
		}
		id, what, err := upsertOffer(ctx, tx, o, orgID)
		if err != nil {
			return res, err
		}
		switch what {
		case "created":
			res.Created++
			changed = append(changed, id)
		case "updated":
			res.Updated++
			changed = append(changed, id)
		default:
			res.Unchanged++
		}
		if opt.Progress != nil {
			opt.Progress(i+1, len(f.Offers))
		}
	}
	if opt.Prune {
		rows, err := tx.Query(ctx, `
			UPDATE offers SET active = false, content_hash = '', updated_at = now()
			 WHERE active AND NOT (external_id = ANY($1)) RETURNING id`, seen)
		if err != nil {
			return res, fmt.Errorf("prune: %w", err)
		}
		pruned, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return res, fmt.Errorf("prune: %w", err)
		}
		res.Deactivated = len(pruned)
		changed = append(changed, pruned...)
	}
	if len(changed) > 0 {
		if err := indexOffers(ctx, tx, s.lexicon(), changed); err != nil {
			return res, err
		}
		if err := rebuildLexicon(ctx, tx); err != nil {
			return res, err
		}
	}
	if opt.DryRun {
		return res, nil // rolled back by the deferred Rollback
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("import: %w", err)
	}
	return res, nil
}

func offerContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// offerValues are the column values of an offer that need converting,
// shared by the upsert and the bulk load.
func offerValues(o *offer.Offer) (costNote, hoursNote []byte, from, until *time.Time, lat, lon *float64) {
	costNote, _ = json.Marshal(offerMap(o.CostNote))
	hoursNote, _ = json.Marshal(offerMap(o.HoursNote))
	if o.ValidFrom != nil {
		t := o.ValidFrom.Time(time.UTC)
		from = &t
	}
	if o.ValidUntil != nil {
		t := o.ValidUntil.Time(time.UTC)
		until = &t
	}
	if o.Venue.HasCoords {
		lat, lon = &o.Venue.Lat, &o.Venue.Lon
	}
	return
}

func upsertOffer(ctx context.Context, tx pgx.Tx, o *offer.Offer, orgID int64) (int64, string, error) {
	costNote, hoursNote, from, until, lat, lon := offerValues(o)
	hash := o.Hash()
	var id int64
	var inserted bool
	err := tx.QueryRow(ctx, `
		INSERT INTO offers (external_id, organisation_id, category, tags, source_language, cost, cost_note,
		    target_groups, languages, valid_from, valid_until, active, venue_kind, venue_name, street, postcode,
		    district, latitude, longitude, wheelchair, by_appointment, hours_note, phone, email, website,
		    booking_url, contact_person, content_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
		    $21, $22, $23, $24, $25, $26, $27, $28)
		ON CONFLICT (external_id) DO UPDATE SET
		    organisation_id = EXCLUDED.organisation_id, category = EXCLUDED.category, tags = EXCLUDED.tags,
		    source_language = EXCLUDED.source_language, cost = EXCLUDED.cost, cost_note = EXCLUDED.cost_note,
		    target_groups = EXCLUDED.target_groups, languages = EXCLUDED.languages, valid_from = EXCLUDED.valid_from,
		    valid_until = EXCLUDED.valid_until, active = EXCLUDED.active, venue_kind = EXCLUDED.venue_kind,
		    venue_name = EXCLUDED.venue_name, street = EXCLUDED.street, postcode = EXCLUDED.postcode,
		    district = EXCLUDED.district, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
		    wheelchair = EXCLUDED.wheelchair, by_appointment = EXCLUDED.by_appointment, hours_note = EXCLUDED.hours_note,
		    phone = EXCLUDED.phone, email = EXCLUDED.email, website = EXCLUDED.website,
		    booking_url = EXCLUDED.booking_url, contact_person = EXCLUDED.contact_person,
		    content_hash = EXCLUDED.content_hash, updated_at = now()
		  WHERE offers.content_hash IS DISTINCT FROM EXCLUDED.content_hash
		     OR offers.organisation_id IS DISTINCT FROM EXCLUDED.organisation_id
		RETURNING id, xmax = 0`,
		o.ExternalID, orgID, o.Category, offerSlice(o.Tags), o.SourceLanguage, o.Cost, costNote,
		offerSlice(o.TargetGroups), offerSlice(o.Languages), from, until, o.Active, o.Venue.Kind, o.Venue.Name,
		o.Venue.Street, o.Venue.Postcode, o.Venue.District, lat, lon, o.Venue.Wheelchair, o.ByAppointment,
		hoursNote, o.Contact.Phone, o.Contact.Email, o.Contact.Website, o.Contact.Booking, o.Contact.Person, hash,
	).Scan(&id, &inserted)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "unchanged", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("upsert offer %s: %w", o.ExternalID, err)
	}
	o.ID = id
	if _, err := tx.Exec(ctx, `DELETE FROM offer_texts WHERE offer_id = $1`, id); err != nil {
		return 0, "", err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM offer_hours WHERE offer_id = $1`, id); err != nil {
		return 0, "", err
	}
	var langs, titles, descs, stats []string
	for l, t := range o.Texts {
		langs, titles, descs, stats = append(langs, l), append(titles, t.Title), append(descs, t.Description), append(stats, t.Status)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO offer_texts (offer_id, lang, title, description, status)
		SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])`, id, langs, titles, descs, stats); err != nil {
		return 0, "", fmt.Errorf("offer %s texts: %w", o.ExternalID, err)
	}
	var days, opens, closes []int32
	for _, r := range o.Hours {
		days, opens, closes = append(days, int32(r.Weekday)), append(opens, int32(r.Open)), append(closes, int32(r.Close))
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO offer_hours (offer_id, weekday, opens, closes)
		SELECT $1, d, make_interval(mins => o)::time,
		       CASE WHEN c = 1440 THEN '23:59:59'::time ELSE make_interval(mins => c)::time END
		  FROM unnest($2::int[], $3::int[], $4::int[]) AS h(d, o, c)`, id, days, opens, closes); err != nil {
		return 0, "", fmt.Errorf("offer %s hours: %w", o.ExternalID, err)
	}
	if inserted {
		return id, "created", nil
	}
	return id, "updated", nil
}

func offerSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Export returns every offer (inactive ones too) and their organisations,
// sorted by external id, in the form Import reads.
func (s *OfferStore) Export(ctx context.Context) (*offer.File, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id FROM offers ORDER BY external_id`)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	list, err := s.getMany(ctx, s.Pool, ids)
	if err != nil {
		return nil, err
	}
	f := &offer.File{}
	orgs := map[string]bool{}
	for _, o := range list {
		o.ID = 0
		if !orgs[o.Organisation.ExternalID] {
			orgs[o.Organisation.ExternalID] = true
			g := o.Organisation
			g.ID = 0
			f.Organisations = append(f.Organisations, g)
		}
		f.Offers = append(f.Offers, *o)
	}
	offer.SortFile(f)
	return f, nil
}

// BulkLoad writes the organisations and offers of f with COPY (setting
// the offers' IDs) and then rebuilds the search index with Reindex: for
// benchmarks (internal/offer/offergen) and large first loads, where
// Import's offer-by-offer upserts take minutes. Every external id must be
// new (a duplicate fails the whole load) and offers must refer to
// organisations of f; f is not validated beyond what the tables check.
func (s *OfferStore) BulkLoad(ctx context.Context, f *offer.File) error {
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('netzbot offer import'))`); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	var orgRows [][]any
	for _, g := range f.Organisations {
		desc, _ := json.Marshal(offerMap(g.Description))
		orgRows = append(orgRows, []any{g.ExternalID, g.Name, string(desc), g.Website, g.Email, g.Phone, g.ContactPerson})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"organisations"},
		[]string{"external_id", "name", "description", "website", "email", "phone", "contact_person"},
		pgx.CopyFromRows(orgRows)); err != nil {
		return fmt.Errorf("bulk load organisations: %w", err)
	}
	orgIDs := map[string]int64{}
	rows, err := tx.Query(ctx, `SELECT external_id, id FROM organisations`)
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	for rows.Next() {
		var ext string
		var id int64
		if err := rows.Scan(&ext, &id); err != nil {
			rows.Close()
			return err
		}
		orgIDs[ext] = id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('offers', 'id')) FROM generate_series(1, $1::int)`, len(f.Offers))
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	var offerRows, textRows, hourRows [][]any
	for i := range f.Offers {
		o := &f.Offers[i]
		o.ID = ids[i]
		orgID, ok := orgIDs[o.Organisation.ExternalID]
		if !ok {
			return fmt.Errorf("bulk load: offer %s: unknown organisation %q", o.ExternalID, o.Organisation.ExternalID)
		}
		costNote, hoursNote, from, until, lat, lon := offerValues(o)
		offerRows = append(offerRows, []any{o.ID, o.ExternalID, orgID, o.Category, offerSlice(o.Tags), o.SourceLanguage,
			o.Cost, string(costNote), offerSlice(o.TargetGroups), offerSlice(o.Languages), from, until, o.Active,
			o.Venue.Kind, o.Venue.Name, o.Venue.Street, o.Venue.Postcode, o.Venue.District, lat, lon, o.Venue.Wheelchair,
			o.ByAppointment, string(hoursNote), o.Contact.Phone, o.Contact.Email, o.Contact.Website, o.Contact.Booking,
			o.Contact.Person, o.Hash()})
		for l, t := range o.Texts {
			textRows = append(textRows, []any{o.ID, l, t.Title, t.Description, t.Status})
		}
		for _, r := range o.Hours {
			closes := time.Duration(r.Close) * time.Minute
			if r.Close >= 1440 {
				closes = 24*time.Hour - time.Second
			}
			hourRows = append(hourRows, []any{o.ID, int16(r.Weekday),
				pgtype.Time{Microseconds: int64(r.Open) * 60e6, Valid: true},
				pgtype.Time{Microseconds: closes.Microseconds(), Valid: true}})
		}
	}
	for _, c := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"offers", []string{"id", "external_id", "organisation_id", "category", "tags", "source_language", "cost", "cost_note",
			"target_groups", "languages", "valid_from", "valid_until", "active", "venue_kind", "venue_name", "street",
			"postcode", "district", "latitude", "longitude", "wheelchair", "by_appointment", "hours_note",
			"phone", "email", "website", "booking_url", "contact_person", "content_hash"}, offerRows},
		{"offer_texts", []string{"offer_id", "lang", "title", "description", "status"}, textRows},
		{"offer_hours", []string{"offer_id", "weekday", "opens", "closes"}, hourRows},
	} {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("bulk load %s: %w", c.table, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	return s.Reindex(ctx)
}
