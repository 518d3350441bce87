package offer

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/netzbot/netzbot/internal/locale"
)

// File is the content of an import file: organisations and their offers.
// Offers refer to organisations by ExternalID (in the file or already in
// the database).
type File struct {
	Organisations []Organisation
	Offers        []Offer
	// Rows maps an offer's and an organisation's external id ("o:" or
	// "g:" prefixed) to where it was in the file, for error messages.
	Rows map[string]int
}

// Problem is one validation error: file:row: field: problem.
type Problem struct {
	File    string
	Row     int
	Field   string
	Message string
}

func (p Problem) Error() string {
	where := p.File
	if p.Row > 0 {
		where = fmt.Sprintf("%s:%d", p.File, p.Row)
	}
	if p.Field == "" {
		return where + ": " + p.Message
	}
	return fmt.Sprintf("%s: %s: %s", where, p.Field, p.Message)
}

// Problems are all validation errors of a file.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// --- YAML -----------------------------------------------------------------

type yamlFile struct {
	Organisations []yamlOrg   `yaml:"organisations"`
	Offers        []yamlOffer `yaml:"offers"`
}

type yamlOrg struct {
	ID            string            `yaml:"id"`
	Name          string            `yaml:"name"`
	Description   map[string]string `yaml:"description,omitempty"`
	Website       string            `yaml:"website,omitempty"`
	Email         string            `yaml:"email,omitempty"`
	Phone         string            `yaml:"phone,omitempty"`
	ContactPerson string            `yaml:"contact_person,omitempty"`
}

type yamlOffer struct {
	ID             string            `yaml:"id"`
	Organisation   string            `yaml:"organisation"`
	Category       string            `yaml:"category"`
	Tags           []string          `yaml:"tags,omitempty,flow"`
	SourceLanguage string            `yaml:"source_language,omitempty"`
	Title          map[string]string `yaml:"title"`
	Description    map[string]string `yaml:"description,omitempty"`
	Translation    map[string]string `yaml:"translation,omitempty"`
	Cost           string            `yaml:"cost,omitempty"`
	CostNote       map[string]string `yaml:"cost_note,omitempty"`
	TargetGroups   []string          `yaml:"target_groups,omitempty,flow"`
	Languages      []string          `yaml:"languages,omitempty,flow"`
	ValidFrom      string            `yaml:"valid_from,omitempty"`
	ValidUntil     string            `yaml:"valid_until,omitempty"`
	Active         *bool             `yaml:"active,omitempty"`
	Venue          yamlVenue         `yaml:"venue"`
	Hours          *yamlHours        `yaml:"hours,omitempty"`
	ByAppointment  bool              `yaml:"by_appointment,omitempty"`
	HoursNote      map[string]string `yaml:"hours_note,omitempty"`
	Contact        yamlContact       `yaml:"contact,omitempty"`
}

type yamlVenue struct {
	Kind       string   `yaml:"kind,omitempty"`
	Name       string   `yaml:"name,omitempty"`
	Street     string   `yaml:"street,omitempty"`
	Postcode   string   `yaml:"postcode,omitempty"`
	District   string   `yaml:"district,omitempty"`
	Lat        *float64 `yaml:"lat,omitempty"`
	Lon        *float64 `yaml:"lon,omitempty"`
	Wheelchair *bool    `yaml:"wheelchair,omitempty"`
}

type yamlHours struct {
	Mon []string `yaml:"mon,omitempty,flow"`
	Tue []string `yaml:"tue,omitempty,flow"`
	Wed []string `yaml:"wed,omitempty,flow"`
	Thu []string `yaml:"thu,omitempty,flow"`
	Fri []string `yaml:"fri,omitempty,flow"`
	Sat []string `yaml:"sat,omitempty,flow"`
	Sun []string `yaml:"sun,omitempty,flow"`
}

func (h *yamlHours) days() [][]string {
	return [][]string{h.Mon, h.Tue, h.Wed, h.Thu, h.Fri, h.Sat, h.Sun}
}

type yamlContact struct {
	Phone   string `yaml:"phone,omitempty"`
	Email   string `yaml:"email,omitempty"`
	Website string `yaml:"website,omitempty"`
	Booking string `yaml:"booking,omitempty"`
	Person  string `yaml:"person,omitempty"`
}

// ParseYAML reads and validates an import file in YAML. name is used in
// error messages. All problems are returned at once as Problems.
func ParseYAML(name string, data []byte) (*File, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Problems{{File: name, Row: yamlErrLine(err), Field: "file", Message: err.Error()}}
	}
	if len(root.Content) == 0 {
		return nil, Problems{{File: name, Row: 1, Field: "file", Message: "empty file"}}
	}
	doc := root.Content[0]
	v := newValidator(name)
	f := &File{Rows: map[string]int{}}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i].Value, doc.Content[i+1]
		switch key {
		case "organisations":
			for _, n := range val.Content {
				var r yamlOrg
				if err := n.Decode(&r); err != nil {
					v.add(n.Line, "organisation", err.Error())
					continue
				}
				if o, ok := v.org(n.Line, r); ok {
					f.Organisations = append(f.Organisations, o)
					f.Rows["g:"+o.ExternalID] = n.Line
				}
			}
		case "offers":
			for _, n := range val.Content {
				var r yamlOffer
				if err := n.Decode(&r); err != nil {
					v.add(n.Line, "offer", err.Error())
					continue
				}
				if o, ok := v.offer(n.Line, r); ok {
					f.Offers = append(f.Offers, o)
					f.Rows["o:"+o.ExternalID] = n.Line
				}
			}
		default:
			v.add(doc.Content[i].Line, key, "unknown section (want organisations, offers)")
		}
	}
	v.refs(f)
	if len(v.problems) > 0 {
		return nil, v.problems
	}
	return f, nil
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

func yamlErrLine(err error) int {
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 1
}

// WriteYAML writes f in the import format.
func WriteYAML(w io.Writer, f *File) error {
	var y yamlFile
	for _, o := range f.Organisations {
		y.Organisations = append(y.Organisations, yamlOrg{
			ID: o.ExternalID, Name: o.Name, Description: nonEmpty(o.Description),
			Website: o.Website, Email: o.Email, Phone: o.Phone, ContactPerson: o.ContactPerson,
		})
	}
	for _, o := range f.Offers {
		y.Offers = append(y.Offers, toYAML(&o))
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&y); err != nil {
		return err
	}
	return enc.Close()
}

func toYAML(o *Offer) yamlOffer {
	r := yamlOffer{
		ID: o.ExternalID, Organisation: o.Organisation.ExternalID, Category: o.Category,
		Tags: o.Tags, SourceLanguage: o.SourceLanguage, Title: map[string]string{},
		Description: map[string]string{}, Translation: map[string]string{},
		Cost: o.Cost, CostNote: nonEmpty(o.CostNote), TargetGroups: o.TargetGroups, Languages: o.Languages,
		ByAppointment: o.ByAppointment, HoursNote: nonEmpty(o.HoursNote),
		Contact: yamlContact{Phone: o.Contact.Phone, Email: o.Contact.Email, Website: o.Contact.Website, Booking: o.Contact.Booking, Person: o.Contact.Person},
		Venue:   yamlVenue{Kind: o.Venue.Kind, Name: o.Venue.Name, Street: o.Venue.Street, Postcode: o.Venue.Postcode, District: o.Venue.District, Wheelchair: o.Venue.Wheelchair},
	}
	for l, t := range o.Texts {
		r.Title[l] = t.Title
		if t.Description != "" {
			r.Description[l] = t.Description
		}
		if t.Status != defaultStatus(l, o.SourceLanguage) {
			r.Translation[l] = t.Status
		}
	}
	r.Description, r.Translation = nonEmpty(r.Description), nonEmpty(r.Translation)
	if !o.Active {
		r.Active = new(bool)
	}
	if o.ValidFrom != nil {
		r.ValidFrom = o.ValidFrom.String()
	}
	if o.ValidUntil != nil {
		r.ValidUntil = o.ValidUntil.String()
	}
	if o.Venue.HasCoords {
		lat, lon := o.Venue.Lat, o.Venue.Lon
		r.Venue.Lat, r.Venue.Lon = &lat, &lon
	}
	if len(o.Hours) > 0 {
		h := &yamlHours{}
		days := []*[]string{&h.Mon, &h.Tue, &h.Wed, &h.Thu, &h.Fri, &h.Sat, &h.Sun}
		for _, rg := range o.Hours {
			*days[rg.Weekday-1] = append(*days[rg.Weekday-1], rg.String())
		}
		r.Hours = h
	}
	return r
}

func nonEmpty(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v != "" {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func defaultStatus(lang, source string) string {
	if lang == source {
		return StatusOriginal
	}
	return StatusReviewed
}

// --- validation -------------------------------------------------------------

type validator struct {
	file     string
	problems Problems
	offerIDs map[string]int
	orgIDs   map[string]int
}

func newValidator(file string) *validator {
	return &validator{file: file, offerIDs: map[string]int{}, orgIDs: map[string]int{}}
}

func (v *validator) add(row int, field, msg string) {
	v.problems = append(v.problems, Problem{File: v.file, Row: row, Field: field, Message: msg})
}

var (
	idRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
	phoneRe = regexp.MustCompile(`^\+?[0-9][0-9 ()/-]{3,30}$`)
)

func validURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && !strings.ContainsAny(s, " \"<>") && len(s) > 10
}

func (v *validator) org(row int, r yamlOrg) (Organisation, bool) {
	n := len(v.problems)
	r.ID = strings.TrimSpace(r.ID)
	switch {
	case r.ID == "":
		v.add(row, "id", "missing")
	case !idRe.MatchString(r.ID):
		v.add(row, "id", fmt.Sprintf("%q: use lower-case letters, digits, . _ - (at most 63)", r.ID))
	case v.orgIDs[r.ID] != 0:
		v.add(row, "id", fmt.Sprintf("organisation %q defined twice (first in row %d)", r.ID, v.orgIDs[r.ID]))
	default:
		v.orgIDs[r.ID] = row
	}
	if strings.TrimSpace(r.Name) == "" {
		v.add(row, "name", "missing")
	}
	v.langMap(row, "description", r.Description)
	v.contact(row, "", r.Website, r.Email, r.Phone, "")
	o := Organisation{ExternalID: r.ID, Name: strings.TrimSpace(r.Name), Description: nonEmpty(r.Description),
		Website: r.Website, Email: r.Email, Phone: r.Phone, ContactPerson: r.ContactPerson}
	if o.Description == nil {
		o.Description = map[string]string{}
	}
	return o, len(v.problems) == n
}

func (v *validator) langMap(row int, field string, m map[string]string) {
	for l := range m {
		if !locale.IsSupported(l) {
			v.add(row, field+"."+l, fmt.Sprintf("unknown language %q (want one of %s)", l, strings.Join(locale.Supported, ", ")))
		}
	}
}

func (v *validator) contact(row int, prefix, website, email, phone, booking string) {
	if website != "" && !validURL(website) {
		v.add(row, prefix+"website", fmt.Sprintf("%q is not an http(s) URL", website))
	}
	if booking != "" && !validURL(booking) {
		v.add(row, prefix+"booking", fmt.Sprintf("%q is not an http(s) URL", booking))
	}
	if email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			v.add(row, prefix+"email", fmt.Sprintf("%q is not an e-mail address", email))
		}
	}
	if phone != "" && !phoneRe.MatchString(phone) {
		v.add(row, prefix+"phone", fmt.Sprintf("%q is not a phone number (digits, spaces, + ( ) / -)", phone))
	}
}

func (v *validator) offer(row int, r yamlOffer) (Offer, bool) {
	n := len(v.problems)
	o := Offer{
		ExternalID: strings.TrimSpace(r.ID), Category: r.Category, SourceLanguage: r.SourceLanguage,
		Cost: r.Cost, Active: r.Active == nil || *r.Active, ByAppointment: r.ByAppointment,
		Texts: map[string]Text{}, CostNote: nonEmpty(r.CostNote), HoursNote: nonEmpty(r.HoursNote),
		Tags: r.Tags, TargetGroups: r.TargetGroups, Languages: r.Languages,
		Contact: Contact{Phone: r.Contact.Phone, Email: r.Contact.Email, Website: r.Contact.Website, Booking: r.Contact.Booking, Person: r.Contact.Person},
	}
	o.Organisation.ExternalID = strings.TrimSpace(r.Organisation)
	switch {
	case o.ExternalID == "":
		v.add(row, "id", "missing")
	case !idRe.MatchString(o.ExternalID):
		v.add(row, "id", fmt.Sprintf("%q: use lower-case letters, digits, . _ - (at most 63)", o.ExternalID))
	case v.offerIDs[o.ExternalID] != 0:
		v.add(row, "id", fmt.Sprintf("offer %q defined twice (first in row %d)", o.ExternalID, v.offerIDs[o.ExternalID]))
	default:
		v.offerIDs[o.ExternalID] = row
	}
	if o.Organisation.ExternalID == "" {
		v.add(row, "organisation", "missing")
	}
	if _, ok := CategoryByID(o.Category); !ok {
		ids := make([]string, len(Categories))
		for i, c := range Categories {
			ids[i] = c.ID
		}
		v.add(row, "category", fmt.Sprintf("unknown category %q (want one of %s)", o.Category, strings.Join(ids, ", ")))
	}
	if o.SourceLanguage == "" {
		o.SourceLanguage = "de"
	}
	if !locale.IsSupported(o.SourceLanguage) {
		v.add(row, "source_language", fmt.Sprintf("unknown language %q", o.SourceLanguage))
	}
	v.langMap(row, "title", r.Title)
	v.langMap(row, "description", r.Description)
	v.langMap(row, "cost_note", r.CostNote)
	v.langMap(row, "hours_note", r.HoursNote)
	for l, t := range r.Title {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if len([]rune(t)) > 120 {
			v.add(row, "title."+l, "longer than 120 characters")
		}
		st := r.Translation[l]
		if st == "" {
			st = defaultStatus(l, o.SourceLanguage)
		}
		o.Texts[l] = Text{Title: t, Description: strings.TrimSpace(r.Description[l]), Status: st}
	}
	for l, st := range r.Translation {
		if st != StatusOriginal && st != StatusReviewed && st != StatusMachine {
			v.add(row, "translation."+l, fmt.Sprintf("unknown status %q (want original, reviewed, machine)", st))
		}
		if _, ok := r.Title[l]; !ok {
			v.add(row, "translation."+l, "no title in this language")
		}
	}
	for l, d := range r.Description {
		if _, ok := r.Title[l]; !ok && d != "" {
			v.add(row, "description."+l, "no title in this language")
		}
	}
	if _, ok := o.Texts[o.SourceLanguage]; !ok {
		v.add(row, "title."+o.SourceLanguage, "missing: the source language needs a title")
	}
	if o.Cost == "" {
		o.Cost = CostFree
	}
	if o.Cost != CostFree && o.Cost != CostReduced && o.Cost != CostFee {
		v.add(row, "cost", fmt.Sprintf("unknown cost %q (want free, reduced, fee)", o.Cost))
	}
	for _, g := range o.TargetGroups {
		if !IsTargetGroup(g) {
			v.add(row, "target_groups", fmt.Sprintf("unknown target group %q (want %s)", g, strings.Join(TargetGroups, ", ")))
		}
	}
	for _, l := range o.Languages {
		if !IsSpokenLanguage(l) {
			v.add(row, "languages", fmt.Sprintf("unknown language code %q (want %s)", l, strings.Join(SpokenLanguages, ", ")))
		}
	}
	for _, t := range o.Tags {
		if strings.TrimSpace(t) == "" || strings.Contains(t, ";") {
			v.add(row, "tags", fmt.Sprintf("tag %q is empty or contains ;", t))
		}
	}
	if r.ValidFrom != "" {
		if d, err := ParseDate(r.ValidFrom); err != nil {
			v.add(row, "valid_from", err.Error())
		} else {
			o.ValidFrom = &d
		}
	}
	if r.ValidUntil != "" {
		if d, err := ParseDate(r.ValidUntil); err != nil {
			v.add(row, "valid_until", err.Error())
		} else {
			o.ValidUntil = &d
		}
	}
	if o.ValidFrom != nil && o.ValidUntil != nil && o.ValidUntil.Before(*o.ValidFrom) {
		v.add(row, "valid_until", "before valid_from")
	}
	vn := r.Venue
	o.Venue = Venue{Kind: vn.Kind, Name: vn.Name, Street: vn.Street, Postcode: vn.Postcode, District: vn.District, Wheelchair: vn.Wheelchair}
	if o.Venue.Kind == "" {
		o.Venue.Kind = VenuePlace
	}
	switch o.Venue.Kind {
	case VenuePlace:
		if vn.Street == "" {
			v.add(row, "venue.street", "missing (or set venue.kind to online or phone)")
		}
	case VenueOnline, VenuePhone:
	default:
		v.add(row, "venue.kind", fmt.Sprintf("unknown kind %q (want place, online, phone)", o.Venue.Kind))
	}
	if vn.District != "" && !IsDistrict(vn.District) {
		v.add(row, "venue.district", fmt.Sprintf("unknown district %q (want one of %s)", vn.District, strings.Join(Districts, ", ")))
	}
	if vn.Postcode != "" && !regexp.MustCompile(`^[0-9]{5}$`).MatchString(vn.Postcode) {
		v.add(row, "venue.postcode", fmt.Sprintf("%q is not a 5-digit postcode", vn.Postcode))
	}
	switch {
	case (vn.Lat == nil) != (vn.Lon == nil):
		v.add(row, "venue.lat", "give both lat and lon, or neither")
	case vn.Lat != nil:
		if *vn.Lat < -90 || *vn.Lat > 90 || *vn.Lon < -180 || *vn.Lon > 180 {
			v.add(row, "venue.lat", fmt.Sprintf("%v, %v is not a coordinate", *vn.Lat, *vn.Lon))
		} else {
			o.Venue.Lat, o.Venue.Lon, o.Venue.HasCoords = *vn.Lat, *vn.Lon, true
		}
	}
	if r.Hours != nil {
		for i, day := range r.Hours.days() {
			for _, s := range day {
				rg, err := ParseRange(i+1, s)
				if err != nil {
					v.add(row, "hours."+WeekdayKey(i+1), err.Error())
					continue
				}
				o.Hours = append(o.Hours, rg)
			}
		}
		if err := o.Hours.Sort(); err != nil {
			v.add(row, "hours", err.Error())
		}
	}
	v.contact(row, "contact.", o.Contact.Website, o.Contact.Email, o.Contact.Phone, o.Contact.Booking)
	if o.Tags == nil {
		o.Tags = []string{}
	}
	if o.TargetGroups == nil {
		o.TargetGroups = []string{}
	}
	if o.Languages == nil {
		o.Languages = []string{}
	}
	if o.CostNote == nil {
		o.CostNote = map[string]string{}
	}
	if o.HoursNote == nil {
		o.HoursNote = map[string]string{}
	}
	return o, len(v.problems) == n
}

// refs checks that every offer's organisation is in the file; offers of
// organisations that are only in the database are marked for the store to
// check (Organisation.ID = -1).
func (v *validator) refs(f *File) {
	for i := range f.Offers {
		if _, ok := v.orgIDs[f.Offers[i].Organisation.ExternalID]; !ok {
			f.Offers[i].Organisation.ID = -1
		}
	}
}

// --- CSV --------------------------------------------------------------------

// csvFixed are the CSV columns before the per-language ones.
var csvFixed = []string{
	"id", "organisation", "organisation_name", "organisation_website", "organisation_email", "organisation_phone", "organisation_contact_person",
	"category", "tags", "source_language", "cost", "target_groups", "languages", "valid_from", "valid_until", "active",
	"venue", "venue_name", "street", "postcode", "district", "lat", "lon", "wheelchair",
	"hours", "by_appointment", "phone", "email", "website", "booking", "contact_person",
}

// csvPerLanguage are the columns repeated for each language as name_<lang>.
var csvPerLanguage = []string{"title", "description", "translation", "cost_note", "hours_note", "organisation_description"}

// CSVHeader is the full header WriteCSV writes; a file may have any subset
// of it in any order (id, organisation, category and a title are needed).
func CSVHeader() []string {
	h := slices.Clone(csvFixed)
	for _, l := range locale.Supported {
		for _, c := range csvPerLanguage {
			h = append(h, c+"_"+l)
		}
	}
	return h
}

// ParseCSV reads and validates an import file in CSV (comma-separated,
// UTF-8, header row). Lists are separated by ";", booleans are true/false,
// hours are "mon 09:00-12:00 13:00-16:00; wed 10:00-12:00".
func ParseCSV(name string, data []byte) (*File, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		line := 1
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line = pe.Line
		}
		return nil, Problems{{File: name, Row: line, Field: "file", Message: err.Error()}}
	}
	if len(recs) == 0 {
		return nil, Problems{{File: name, Row: 1, Field: "file", Message: "empty file"}}
	}
	v := newValidator(name)
	known := map[string]bool{}
	for _, c := range CSVHeader() {
		known[c] = true
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		h = strings.TrimSpace(h)
		if !known[h] {
			v.add(1, h, "unknown column")
		}
		col[h] = i
	}
	for _, need := range []string{"id", "organisation", "category"} {
		if _, ok := col[need]; !ok {
			v.add(1, need, "column missing")
		}
	}
	if len(v.problems) > 0 {
		return nil, v.problems
	}
	f := &File{Rows: map[string]int{}}
	orgs := map[string]yamlOrg{}
	var orgOrder []string
	for i, rec := range recs[1:] {
		row := i + 2
		get := func(c string) string {
			if j, ok := col[c]; ok && j < len(rec) {
				return strings.TrimSpace(rec[j])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		y := yamlOffer{
			ID: get("id"), Organisation: get("organisation"), Category: get("category"),
			Tags: list(get("tags")), SourceLanguage: get("source_language"), Cost: get("cost"),
			TargetGroups: list(get("target_groups")), Languages: list(get("languages")),
			ValidFrom: get("valid_from"), ValidUntil: get("valid_until"),
			Venue:   yamlVenue{Kind: get("venue"), Name: get("venue_name"), Street: get("street"), Postcode: get("postcode"), District: get("district")},
			Contact: yamlContact{Phone: get("phone"), Email: get("email"), Website: get("website"), Booking: get("booking"), Person: get("contact_person")},
			Title:   map[string]string{}, Description: map[string]string{}, Translation: map[string]string{},
			CostNote: map[string]string{}, HoursNote: map[string]string{},
		}
		if s := get("active"); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				v.add(row, "active", fmt.Sprintf("%q is not true or false", s))
			}
			y.Active = &b
		}
		if s := get("by_appointment"); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				v.add(row, "by_appointment", fmt.Sprintf("%q is not true or false", s))
			}
			y.ByAppointment = b
		}
		if s := get("wheelchair"); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				v.add(row, "wheelchair", fmt.Sprintf("%q is not true or false", s))
			}
			y.Venue.Wheelchair = &b
		}
		for _, c := range []string{"lat", "lon"} {
			if s := get(c); s != "" {
				x, err := strconv.ParseFloat(s, 64)
				if err != nil {
					v.add(row, c, fmt.Sprintf("%q is not a number", s))
					continue
				}
				if c == "lat" {
					y.Venue.Lat = &x
				} else {
					y.Venue.Lon = &x
				}
			}
		}
		if s := get("hours"); s != "" {
			h, err := ParseHours(s)
			if err != nil {
				v.add(row, "hours", err.Error())
			} else {
				y.Hours = &yamlHours{}
				days := []*[]string{&y.Hours.Mon, &y.Hours.Tue, &y.Hours.Wed, &y.Hours.Thu, &y.Hours.Fri, &y.Hours.Sat, &y.Hours.Sun}
				for _, rg := range h {
					*days[rg.Weekday-1] = append(*days[rg.Weekday-1], rg.String())
				}
			}
		}
		org := yamlOrg{ID: y.Organisation, Name: get("organisation_name"), Website: get("organisation_website"),
			Email: get("organisation_email"), Phone: get("organisation_phone"), ContactPerson: get("organisation_contact_person"),
			Description: map[string]string{}}
		for _, l := range locale.Supported {
			if s := get("title_" + l); s != "" {
				y.Title[l] = s
			}
			for c, m := range map[string]map[string]string{"description": y.Description, "translation": y.Translation, "cost_note": y.CostNote, "hours_note": y.HoursNote, "organisation_description": org.Description} {
				if s := get(c + "_" + l); s != "" {
					m[l] = s
				}
			}
		}
		if o, ok := v.offer(row, y); ok {
			f.Offers = append(f.Offers, o)
			f.Rows["o:"+o.ExternalID] = row
		}
		if org.Name == "" || org.ID == "" {
			continue // an organisation already in the database
		}
		if prev, ok := orgs[org.ID]; ok {
			a, _ := json.Marshal(prev)
			b, _ := json.Marshal(org)
			if !bytes.Equal(a, b) {
				v.add(row, "organisation", fmt.Sprintf("organisation %q differs from its first row %d", org.ID, f.Rows["g:"+org.ID]))
			}
			continue
		}
		orgs[org.ID] = org
		orgOrder = append(orgOrder, org.ID)
		if o, ok := v.org(row, org); ok {
			f.Organisations = append(f.Organisations, o)
			f.Rows["g:"+o.ExternalID] = row
		}
	}
	v.refs(f)
	if len(v.problems) > 0 {
		return nil, v.problems
	}
	return f, nil
}

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// WriteCSV writes f in the CSV import format, one offer a row with its
// organisation's columns.
func WriteCSV(w io.Writer, f *File) error {
	orgs := map[string]Organisation{}
	for _, o := range f.Organisations {
		orgs[o.ExternalID] = o
	}
	cw := csv.NewWriter(w)
	header := CSVHeader()
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, o := range f.Offers {
		org := orgs[o.Organisation.ExternalID]
		vals := map[string]string{
			"id": o.ExternalID, "organisation": o.Organisation.ExternalID, "organisation_name": org.Name,
			"organisation_website": org.Website, "organisation_email": org.Email, "organisation_phone": org.Phone,
			"organisation_contact_person": org.ContactPerson,
			"category":                    o.Category, "tags": strings.Join(o.Tags, "; "), "source_language": o.SourceLanguage,
			"cost": o.Cost, "target_groups": strings.Join(o.TargetGroups, "; "), "languages": strings.Join(o.Languages, "; "),
			"active": strconv.FormatBool(o.Active), "venue": o.Venue.Kind, "venue_name": o.Venue.Name,
			"street": o.Venue.Street, "postcode": o.Venue.Postcode, "district": o.Venue.District,
			"hours": o.Hours.String(), "by_appointment": strconv.FormatBool(o.ByAppointment),
			"phone": o.Contact.Phone, "email": o.Contact.Email, "website": o.Contact.Website,
			"booking": o.Contact.Booking, "contact_person": o.Contact.Person,
		}
		if o.ValidFrom != nil {
			vals["valid_from"] = o.ValidFrom.String()
		}
		if o.ValidUntil != nil {
			vals["valid_until"] = o.ValidUntil.String()
		}
		if o.Venue.HasCoords {
			vals["lat"] = strconv.FormatFloat(o.Venue.Lat, 'f', -1, 64)
			vals["lon"] = strconv.FormatFloat(o.Venue.Lon, 'f', -1, 64)
		}
		if o.Venue.Wheelchair != nil {
			vals["wheelchair"] = strconv.FormatBool(*o.Venue.Wheelchair)
		}
		for l, t := range o.Texts {
			vals["title_"+l] = t.Title
			vals["description_"+l] = t.Description
			if t.Status != defaultStatus(l, o.SourceLanguage) {
				vals["translation_"+l] = t.Status
			}
		}
		for l, s := range o.CostNote {
			vals["cost_note_"+l] = s
		}
		for l, s := range o.HoursNote {
			vals["hours_note_"+l] = s
		}
		for l, s := range org.Description {
			vals["organisation_description_"+l] = s
		}
		rec := make([]string, len(header))
		for i, h := range header {
			rec[i] = vals[h]
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Hash identifies an offer's content (everything an import sets), so a
// re-import can tell unchanged offers from updated ones.
func (o *Offer) Hash() string {
	c := *o
	c.ID = 0
	c.Organisation = Organisation{ExternalID: o.Organisation.ExternalID}
	return hashJSON(c)
}

// Hash identifies an organisation's content.
func (g *Organisation) Hash() string {
	c := *g
	c.ID = 0
	return hashJSON(c)
}

func hashJSON(v any) string {
	b, _ := json.Marshal(v) // maps are marshalled with sorted keys
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:12])
}

// SortFile orders organisations and offers by external id, as export writes them.
func SortFile(f *File) {
	sort.Slice(f.Organisations, func(i, j int) bool { return f.Organisations[i].ExternalID < f.Organisations[j].ExternalID })
	sort.Slice(f.Offers, func(i, j int) bool { return f.Offers[i].ExternalID < f.Offers[j].ExternalID })
}
