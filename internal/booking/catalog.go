package booking

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/netzbot/netzbot/internal/locale"
)

// Catalog is the content of an import file (netzbot import booking FILE):
// services, counsellors with their services, weekly hours and exceptions,
// and holidays. Importing it again changes nothing.
type Catalog struct {
	Organisations []Organisation
	Services      []ServiceSpec
	Counsellors   []CounsellorSpec
	Holidays      []Exception // CounsellorID 0
}

// Organisation is an organisation of the network, by its external id.
type Organisation struct {
	ExternalID, Name, Website, Email, Phone string
}

// ServiceSpec is a service as imported.
type ServiceSpec struct {
	Service
	Organisation string // external id of its organisation, "" if none
	Position     int
}

// CounsellorSpec is a counsellor as imported, with the external ids of
// their services and their exceptions.
type CounsellorSpec struct {
	Counsellor
	Services   []string
	Exceptions []Exception
}

// ImportStats says what an import wrote.
type ImportStats struct {
	Organisations, Services, Counsellors, Rules, Exceptions int
}

// SampleYAML is the example import file; the demo loads it.
//
//go:embed testdata/booking.yaml
var SampleYAML []byte

type fileCatalog struct {
	Organisations []struct {
		ID      string `yaml:"id"`
		Name    string `yaml:"name"`
		Website string `yaml:"website"`
		Email   string `yaml:"email"`
		Phone   string `yaml:"phone"`
	} `yaml:"organisations"`
	Services []struct {
		ID           string            `yaml:"id"`
		Organisation string            `yaml:"organisation"`
		Offer        string            `yaml:"offer"`
		Name         map[string]string `yaml:"name"`
		Description  map[string]string `yaml:"description"`
		Duration     string            `yaml:"duration"`
		Languages    []string          `yaml:"languages"`
		Venue        *struct {
			Name    string   `yaml:"name"`
			Address string   `yaml:"address"`
			Lat     *float64 `yaml:"lat"`
			Lon     *float64 `yaml:"lon"`
		} `yaml:"venue"`
		Phone string `yaml:"phone"`
		Video string `yaml:"video"`
	} `yaml:"services"`
	Counsellors []struct {
		ID         string          `yaml:"id"`
		Name       string          `yaml:"name"`
		Languages  []string        `yaml:"languages"`
		Services   []string        `yaml:"services"`
		Buffer     string          `yaml:"buffer"`
		Phone      string          `yaml:"phone"`
		Hours      []fileHours     `yaml:"hours"`
		Exceptions []fileException `yaml:"exceptions"`
	} `yaml:"counsellors"`
	Holidays []fileException `yaml:"holidays"`
}

type fileHours struct {
	Days     []string `yaml:"days"`
	From     string   `yaml:"from"`
	To       string   `yaml:"to"`
	Location string   `yaml:"location"`
}

type fileException struct {
	Date     string `yaml:"date"`
	Kind     string `yaml:"kind"` // absent (default) or extra
	From     string `yaml:"from"`
	To       string `yaml:"to"`
	Location string `yaml:"location"`
}

// UnmarshalYAML lets a holiday be a bare date.
func (e *fileException) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		e.Date = n.Value
		return nil
	}
	type plain fileException
	return n.Decode((*plain)(e))
}

// ParseCatalog reads and checks an import file. Every problem is reported
// with where it is.
func ParseCatalog(r io.Reader) (Catalog, error) {
	var f fileCatalog
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Catalog{}, fmt.Errorf("read booking file: %w", err)
	}
	var c Catalog
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	seen := map[string]bool{}
	for i, o := range f.Organisations {
		where := fmt.Sprintf("organisations[%d]", i)
		if o.ID == "" || o.Name == "" {
			bad("%s: id and name are required", where)
			continue
		}
		c.Organisations = append(c.Organisations, Organisation{ExternalID: o.ID, Name: o.Name, Website: o.Website, Email: o.Email, Phone: o.Phone})
	}
	for i, s := range f.Services {
		where := fmt.Sprintf("services[%d] (%s)", i, s.ID)
		if s.ID == "" {
			bad("%s: id is required", where)
		}
		if seen["s:"+s.ID] {
			bad("%s: id used twice", where)
		}
		seen["s:"+s.ID] = true
		d, err := time.ParseDuration(s.Duration)
		if err != nil || d < 5*time.Minute || d > 8*time.Hour || d%time.Minute != 0 {
			bad("%s: duration %q: expected whole minutes between 5m and 8h, like 45m", where, s.Duration)
		}
		if len(s.Name) == 0 || strings.TrimSpace(pick(s.Name, "de")) == "" {
			bad("%s: a name is required (name: {de: ...})", where)
		}
		for lang := range s.Name {
			if !locale.IsSupported(lang) {
				bad("%s: name in unknown language %q", where, lang)
			}
		}
		if err := checkLanguages(s.Languages); err != nil {
			bad("%s: %v", where, err)
		}
		spec := ServiceSpec{
			Service: Service{
				ExternalID: s.ID, OfferExternalID: s.Offer, Names: s.Name, Descriptions: s.Description,
				Duration: d, Languages: s.Languages, Phone: s.Phone, VideoURL: s.Video,
			},
			Organisation: s.Organisation,
			Position:     i,
		}
		if v := s.Venue; v != nil {
			spec.Venue = Venue{Name: v.Name, Address: v.Address}
			if (v.Lat == nil) != (v.Lon == nil) {
				bad("%s: venue needs both lat and lon, or neither", where)
			} else if v.Lat != nil {
				if *v.Lat < -90 || *v.Lat > 90 || *v.Lon < -180 || *v.Lon > 180 {
					bad("%s: venue coordinates out of range", where)
				}
				spec.Venue.Latitude, spec.Venue.Longitude, spec.Venue.HasLocation = *v.Lat, *v.Lon, true
			}
		}
		if spec.Descriptions == nil {
			spec.Descriptions = map[string]string{}
		}
		c.Services = append(c.Services, spec)
	}
	for i, k := range f.Counsellors {
		where := fmt.Sprintf("counsellors[%d] (%s)", i, k.ID)
		if k.ID == "" || strings.TrimSpace(k.Name) == "" {
			bad("%s: id and name are required", where)
		}
		if seen["c:"+k.ID] {
			bad("%s: id used twice", where)
		}
		seen["c:"+k.ID] = true
		if err := checkLanguages(k.Languages); err != nil {
			bad("%s: %v", where, err)
		}
		var buffer time.Duration
		if k.Buffer != "" {
			var err error
			if buffer, err = time.ParseDuration(k.Buffer); err != nil || buffer < 0 || buffer > 4*time.Hour || buffer%time.Minute != 0 {
				bad("%s: buffer %q: expected whole minutes up to 4h, like 15m", where, k.Buffer)
			}
		}
		if len(k.Services) == 0 {
			bad("%s: services: at least one service id is required", where)
		}
		spec := CounsellorSpec{
			Counsellor: Counsellor{ExternalID: k.ID, Name: strings.TrimSpace(k.Name), Languages: k.Languages, Buffer: buffer, Phone: k.Phone},
			Services:   k.Services,
		}
		for j, h := range k.Hours {
			hw := fmt.Sprintf("%s hours[%d]", where, j)
			from, err1 := ParseClock(h.From)
			to, err2 := ParseClock(h.To)
			if err1 != nil || err2 != nil || to <= from {
				bad("%s: from %q to %q: expected HH:MM with to after from", hw, h.From, h.To)
				continue
			}
			if len(h.Days) == 0 {
				bad("%s: days: expected weekdays like [mon, tue]", hw)
			}
			for _, day := range h.Days {
				wd, ok := ParseWeekday(day)
				if !ok {
					bad("%s: %q is not a weekday (mon … sun)", hw, day)
					continue
				}
				spec.Rules = append(spec.Rules, Rule{Weekday: wd, From: from, To: to, Location: h.Location})
			}
		}
		for j, e := range k.Exceptions {
			ex, err := e.exception(fmt.Sprintf("%s exceptions[%d]", where, j))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			spec.Exceptions = append(spec.Exceptions, ex)
		}
		c.Counsellors = append(c.Counsellors, spec)
	}
	for j, e := range f.Holidays {
		ex, err := e.exception(fmt.Sprintf("holidays[%d]", j))
		if err == nil && ex.Kind != Absent {
			err = fmt.Errorf("holidays[%d]: a holiday cannot add hours", j)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.Holidays = append(c.Holidays, ex)
	}
	if err := errors.Join(errs...); err != nil {
		return Catalog{}, err
	}
	return c, nil
}

func (e fileException) exception(where string) (Exception, error) {
	day, err := ParseDate(e.Date)
	if err != nil {
		return Exception{}, fmt.Errorf("%s: %v", where, err)
	}
	ex := Exception{Day: day, Kind: Absent, Location: e.Location}
	switch e.Kind {
	case "", "absent":
	case "extra":
		ex.Kind = Extra
	default:
		return Exception{}, fmt.Errorf("%s: kind %q: expected absent or extra", where, e.Kind)
	}
	if e.From == "" && e.To == "" {
		if ex.Kind == Extra {
			return Exception{}, fmt.Errorf("%s: extra hours need from and to", where)
		}
		ex.AllDay = true
		return ex, nil
	}
	from, err1 := ParseClock(e.From)
	to, err2 := ParseClock(e.To)
	if err1 != nil || err2 != nil || to <= from {
		return Exception{}, fmt.Errorf("%s: from %q to %q: expected HH:MM with to after from", where, e.From, e.To)
	}
	ex.From, ex.To = from, to
	return ex, nil
}

func checkLanguages(langs []string) error {
	if len(langs) == 0 {
		return errors.New("languages: at least one is required")
	}
	for _, l := range langs {
		if !locale.IsSupported(l) {
			return fmt.Errorf("languages: %q is not one of %s", l, strings.Join(locale.Supported, ", "))
		}
	}
	return nil
}

var weekdays = map[string]time.Weekday{
	"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday,
	"fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday,
}

// ParseWeekday reads mon … sun (or monday … sunday).
func ParseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 3 {
		s = s[:3]
	}
	wd, ok := weekdays[s]
	return wd, ok
}
