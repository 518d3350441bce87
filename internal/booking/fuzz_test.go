package booking_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/netzbot/netzbot/internal/booking"
)

// FuzzParseCatalog: the consultation catalogue import must refuse, never
// panic on, whatever file it is given.
func FuzzParseCatalog(f *testing.F) {
	if data, err := os.ReadFile("testdata/booking.yaml"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"services:\n  - id: s\n    duration: 45m\n    languages: [de]\n",
		"counsellors:\n  - id: c\n    hours: {mon: [\"09:00-12:00\", \"25:00-26:00\"]}\n",
		"services:\n  - id: s\n    duration: -5m\n", "services: [[[[[[]]]]]]",
		"a: &a [x, x]\nb: [*a, *a, *a]\n", "---", "", "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = booking.ParseCatalog(bytes.NewReader(data))
	})
}
