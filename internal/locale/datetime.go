package locale

import (
	"strconv"
	"strings"
	"time"
)

// Dates and times in the user's language. golang.org/x/text formats
// numbers but not dates, so every shipped locale has its weekday and month
// names and its patterns here; TestDateNamesAreComplete checks that each
// has all of them. Times are 24-hour "15:04" everywhere, the way they are
// read in Germany, and digits are ASCII like in the rest of the bot.
//
// Pass times already in the zone to show (t.In(loc)); the values these
// functions return go into messages through Localizer.T, which isolates
// them in right-to-left languages.

// dateNames are one locale's words and patterns. In patterns, {W} is the
// weekday, {w} its short form, {d} the day, {M} the month name, {y} the
// year and {t} the time.
type dateNames struct {
	weekdays [7]string  // Sunday first, like time.Weekday
	short    [7]string  // short weekdays for buttons
	months   [12]string // the form used after a day number (genitive where the language has one)
	date     string     // long date: "{W}, {d}. {M} {y}"
	dayMonth string     // compact date for buttons and lists: "{w} {d}. {M}"
	dateTime string     // long date with time
	// dateTimeRange is the long date with a time range, {e} the end.
	dateTimeRange string
}

var dates = map[string]dateNames{
	"de": {
		weekdays: [7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
		short:    [7]string{"So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"},
		months:   [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		date:     "{W}, {d}. {M} {y}", dayMonth: "{w} {d}. {M}", dateTime: "{W}, {d}. {M} {y}, {t} Uhr", dateTimeRange: "{W}, {d}. {M} {y}, {t}–{e} Uhr",
	},
	"en": {
		weekdays: [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		short:    [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
		months:   [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		date:     "{W} {d} {M} {y}", dayMonth: "{w} {d} {M}", dateTime: "{W} {d} {M} {y}, {t}", dateTimeRange: "{W} {d} {M} {y}, {t}–{e}",
	},
	"ar": {
		weekdays: [7]string{"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"},
		short:    [7]string{"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"},
		months:   [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"},
		date:     "{W}، {d} {M} {y}", dayMonth: "{w} {d} {M}", dateTime: "{W}، {d} {M} {y}، الساعة {t}", dateTimeRange: "{W}، {d} {M} {y}، الساعة {t}–{e}",
	},
	"fa": {
		weekdays: [7]string{"یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه"},
		short:    [7]string{"یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه"},
		months:   [12]string{"ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن", "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر", "دسامبر"},
		date:     "{W} {d} {M} {y}", dayMonth: "{w} {d} {M}", dateTime: "{W} {d} {M} {y}، ساعت {t}", dateTimeRange: "{W} {d} {M} {y}، ساعت {t} تا {e}",
	},
	"ps": {
		weekdays: [7]string{"یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه"},
		short:    [7]string{"یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه"},
		months:   [12]string{"جنوري", "فبروري", "مارچ", "اپریل", "مۍ", "جون", "جولای", "اګست", "سپتمبر", "اکتوبر", "نومبر", "دسمبر"},
		date:     "{W}، {d} {M} {y}", dayMonth: "{w} {d} {M}", dateTime: "{W}، {d} {M} {y}، ساعت {t}", dateTimeRange: "{W}، {d} {M} {y}، له {t} بجو تر {e} بجو",
	},
	"uk": {
		weekdays: [7]string{"неділя", "понеділок", "вівторок", "середа", "четвер", "пʼятниця", "субота"},
		short:    [7]string{"нд", "пн", "вт", "ср", "чт", "пт", "сб"},
		months:   [12]string{"січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"},
		date:     "{W}, {d} {M} {y} р.", dayMonth: "{w}, {d} {M}", dateTime: "{W}, {d} {M} {y} р., о {t}", dateTimeRange: "{W}, {d} {M} {y} р., з {t} до {e}",
	},
	"ru": {
		weekdays: [7]string{"воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"},
		short:    [7]string{"вс", "пн", "вт", "ср", "чт", "пт", "сб"},
		months:   [12]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
		date:     "{W}, {d} {M} {y} г.", dayMonth: "{w}, {d} {M}", dateTime: "{W}, {d} {M} {y} г., в {t}", dateTimeRange: "{W}, {d} {M} {y} г., с {t} до {e}",
	},
	"tr": {
		weekdays: [7]string{"Pazar", "Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi"},
		short:    [7]string{"Paz", "Pzt", "Sal", "Çar", "Per", "Cum", "Cmt"},
		months:   [12]string{"Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"},
		date:     "{d} {M} {y} {W}", dayMonth: "{d} {M} {w}", dateTime: "{d} {M} {y} {W}, saat {t}", dateTimeRange: "{d} {M} {y} {W}, saat {t}–{e}",
	},
	"ku": {
		weekdays: [7]string{"Yekşem", "Duşem", "Sêşem", "Çarşem", "Pêncşem", "În", "Şemî"},
		short:    [7]string{"Yek", "Duş", "Sêş", "Çar", "Pên", "În", "Şem"},
		months:   [12]string{"Çile", "Sibat", "Adar", "Nîsan", "Gulan", "Hezîran", "Tîrmeh", "Tebax", "Îlon", "Cotmeh", "Mijdar", "Berfanbar"},
		date:     "{W}, {d} {M} {y}", dayMonth: "{w} {d} {M}", dateTime: "{W}, {d} {M} {y}, saet {t}", dateTimeRange: "{W}, {d} {M} {y}, saet {t}–{e}",
	},
	"ti": {
		weekdays: [7]string{"ሰንበት", "ሰኑይ", "ሰሉስ", "ረቡዕ", "ሓሙስ", "ዓርቢ", "ቀዳም"},
		short:    [7]string{"ሰን", "ሰኑ", "ሰሉ", "ረቡ", "ሓሙ", "ዓር", "ቀዳ"},
		months:   [12]string{"ጥሪ", "ለካቲት", "መጋቢት", "ሚያዝያ", "ግንቦት", "ሰነ", "ሓምለ", "ነሓሰ", "መስከረም", "ጥቅምቲ", "ሕዳር", "ታሕሳስ"},
		date:     "{W}፣ {d} {M} {y}", dayMonth: "{w} {d} {M}", dateTime: "{W}፣ {d} {M} {y}፣ ሰዓት {t}", dateTimeRange: "{W}፣ {d} {M} {y}፣ ካብ ሰዓት {t} ክሳብ {e}",
	},
	"ro": {
		weekdays: [7]string{"duminică", "luni", "marți", "miercuri", "joi", "vineri", "sâmbătă"},
		short:    [7]string{"dum.", "lun.", "mar.", "mie.", "joi", "vin.", "sâm."},
		months:   [12]string{"ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie", "octombrie", "noiembrie", "decembrie"},
		date:     "{W}, {d} {M} {y}", dayMonth: "{w} {d} {M}", dateTime: "{W}, {d} {M} {y}, ora {t}", dateTimeRange: "{W}, {d} {M} {y}, între orele {t} și {e}",
	},
	"vi": {
		weekdays: [7]string{"Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"},
		short:    [7]string{"CN", "T2", "T3", "T4", "T5", "T6", "T7"},
		months:   [12]string{"tháng 1", "tháng 2", "tháng 3", "tháng 4", "tháng 5", "tháng 6", "tháng 7", "tháng 8", "tháng 9", "tháng 10", "tháng 11", "tháng 12"},
		date:     "{W}, ngày {d} {M} năm {y}", dayMonth: "{w} {d} {M}", dateTime: "{W}, ngày {d} {M} năm {y}, lúc {t}", dateTimeRange: "{W}, ngày {d} {M} năm {y}, từ {t} đến {e}",
	},
}

func (l *Localizer) dateNames() dateNames {
	if n, ok := dates[l.Lang]; ok {
		return n
	}
	return dates[Reference]
}

func (n dateNames) format(pattern string, t time.Time) string { return n.formatRange(pattern, t, t) }

func (n dateNames) formatRange(pattern string, t, end time.Time) string {
	return strings.NewReplacer(
		"{W}", n.weekdays[t.Weekday()],
		"{w}", n.short[t.Weekday()],
		"{d}", strconv.Itoa(t.Day()),
		"{M}", n.months[t.Month()-1],
		"{y}", strconv.Itoa(t.Year()),
		"{t}", t.Format("15:04"),
		"{e}", end.Format("15:04"),
	).Replace(pattern)
}

// Date is the long date: "Dienstag, 1. Dezember 2026", "вівторок, 1 грудня 2026 р.".
func (l *Localizer) Date(t time.Time) string { n := l.dateNames(); return n.format(n.date, t) }

// DayMonth is the compact date for buttons: "Di 1. Dezember", "الثلاثاء 1 ديسمبر".
func (l *Localizer) DayMonth(t time.Time) string { n := l.dateNames(); return n.format(n.dayMonth, t) }

// DateTime is the long date with the time: "Dienstag, 1. Dezember 2026, 10:00 Uhr".
func (l *Localizer) DateTime(t time.Time) string { n := l.dateNames(); return n.format(n.dateTime, t) }

// DateTimeRange is the long date with a time range: "Dienstag, 1. Dezember
// 2026, 10:00–10:45 Uhr"; end must be on the same day.
func (l *Localizer) DateTimeRange(start, end time.Time) string {
	n := l.dateNames()
	return n.formatRange(n.dateTimeRange, start, end)
}

// Weekday is the weekday's name: "Dienstag".
func (l *Localizer) Weekday(d time.Weekday) string { return l.dateNames().weekdays[d] }

// Clock is the time of day: "10:00".
func Clock(t time.Time) string { return t.Format("15:04") }
