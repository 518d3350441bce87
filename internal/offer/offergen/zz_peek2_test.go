//go:build offexp

package offergen

import (
	"fmt"
	"strings"
	"testing"
)

func TestPeek2(t *testing.T) {
	c := loadCorpus()
	for _, l := range []string{"de", "ru", "uk", "en", "ar", "ti", "ku"} {
		n := 0
		for _, w := range c.words[l] {
			lw := strings.ToLower(w)
			if lw == "beratung" || lw == "курс" || lw == "termin" || lw == "help" || lw == "hilfe" {
				n++
			}
		}
		fmt.Println(l, len(c.words[l]), n)
	}
}
