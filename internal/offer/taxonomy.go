package offer

import "slices"

// Category is one area of the fixed taxonomy. Its name is the message
// "category_<ID>" in every locale; its search keywords are in Keywords.
type Category struct {
	ID    string
	Emoji string
}

// Categories in the order the bot shows them.
var Categories = []Category{
	{"language", "🗣"},
	{"counselling", "🤝"},
	{"asylum", "⚖️"},
	{"work", "💼"},
	{"education", "🎓"},
	{"family", "👨‍👩‍👧"},
	{"health", "🩺"},
	{"housing", "🏠"},
	{"women", "👩"},
	{"youth", "🧑"},
	{"leisure", "⚽"},
	{"community", "☕"},
	{"authorities", "🏛"},
	{"emergency", "🆘"},
}

// CategoryByID finds a category.
func CategoryByID(id string) (Category, bool) {
	for _, c := range Categories {
		if c.ID == id {
			return c, true
		}
	}
	return Category{}, false
}

// TargetGroups an offer may address; each is the message "target_<id>".
var TargetGroups = []string{
	"everyone", "women", "families", "children", "youth", "seniors",
	"refugees", "eu_citizens", "students", "lgbtq",
}

// IsTargetGroup reports whether g is a known target group.
func IsTargetGroup(g string) bool { return slices.Contains(TargetGroups, g) }

// Districts are the city's districts (Erfurt's Stadtteile) an offer's venue
// may be in. Proper names: shown as they are in every language.
var Districts = []string{
	"Altstadt", "Andreasvorstadt", "Brühlervorstadt", "Johannesvorstadt",
	"Krämpfervorstadt", "Löbervorstadt", "Daberstedt", "Ilversgehofen",
	"Johannesplatz", "Berliner Platz", "Roter Berg", "Rieth", "Moskauer Platz",
	"Herrenberg", "Wiesenhügel", "Melchendorf", "Hochheim", "Gispersleben",
	"Marbach", "Bischleben-Stedten", "Dittelstedt", "Windischholzhausen",
	"Hohenwinden", "Sulzer Siedlung",
}

// IsDistrict reports whether d is one of Districts.
func IsDistrict(d string) bool { return slices.Contains(Districts, d) }

// SpokenLanguages are the ISO 639 codes an offer may list as spoken there;
// each is the message "langname_<code>" in every locale.
var SpokenLanguages = []string{
	"de", "en", "ar", "fa", "prs", "ps", "uk", "ru", "tr", "ku", "ti", "ro", "vi",
	"fr", "es", "pl", "bg", "sq", "so", "am",
}

// IsSpokenLanguage reports whether code is one of SpokenLanguages.
func IsSpokenLanguage(code string) bool { return slices.Contains(SpokenLanguages, code) }
