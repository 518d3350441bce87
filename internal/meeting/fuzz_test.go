package meeting_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/meeting"
)

// FuzzParseImport: the meetings import must refuse, never panic on,
// whatever file it is given.
func FuzzParseImport(f *testing.F) {
	for _, s := range []string{
		"organisations:\n  - id: a\n    name: A\ngroups:\n  - id: g\n    name: {de: AG, en: WG}\nmeetings:\n  - id: m\n    group: g\n    title: Treffen\n    start: 2026-05-04 18:00\n    duration: 90m\n    repeat: \"0 18 * * 1\"\n",
		"meetings:\n  - id: m\n    start: 2026-03-29 02:30\n", // a local time that does not exist (DST)
		"meetings:\n  - id: m\n    start: 2026-10-25 02:30\n    reminders: [7d, -1h, 0]\n",
		"meetings:\n  - id: \"\\u202e\"\n    title: {xx: \"<script>\"}\n", "meetings: [[[[]]]]", "unknown: 1", "", "\xff",
	} {
		f.Add([]byte(s))
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = meeting.ParseImport(bytes.NewReader(data), loc)
	})
}
