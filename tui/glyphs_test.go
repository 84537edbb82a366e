package tui

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// consoleGlyphs are the only non-ASCII characters the console may draw.
// Each is in code page 437, so in the kernel's built-in VGA font and its
// default Unicode map, and in Terminus' ter-u16n, the font the installer
// image loads. (NixOS's default console font, Lat2-Terminus16, has no ▀
// and ▄: the image must load ter-u16n, as nixos-images did.)
var consoleGlyphs = map[rune]string{
	'┌': "CP437 0xDA", '┐': "CP437 0xBF", '└': "CP437 0xC0", '┘': "CP437 0xD9",
	'─': "CP437 0xC4", '│': "CP437 0xB3",
	'█': "CP437 0xDB", '▀': "CP437 0xDF", '▄': "CP437 0xDC", '░': "CP437 0xB0",
}

// TestOnlyConsoleGlyphs checks every golden screen for characters a
// Linux console cannot show: no emoji, no Nerd Font symbols, no glyph
// outside the set above.
func TestOnlyConsoleGlyphs(t *testing.T) {
	files, err := filepath.Glob("testdata/*.golden")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	used := map[rune]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range string(data) {
			if r == '\n' || (r >= ' ' && r <= '~') {
				continue
			}
			if _, ok := consoleGlyphs[r]; !ok {
				t.Errorf("%s: %q (U+%04X) is not a console glyph", f, r, r)
			}
			used[r] = true
		}
	}
	// Where Debian's console fonts are installed, name the fonts that
	// cannot show the console, for whoever picks the image's font.
	font, err := loadPSF(consoleFont)
	if err != nil {
		t.Logf("no %s to compare with (Debian package console-setup-linux)", consoleFont)
		return
	}
	var missing []string
	for r := range used {
		if _, ok := font.unicode[r]; !ok {
			missing = append(missing, string(r))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Logf("%s lacks %s: an image must load a font with them (ter-u16n)", filepath.Base(consoleFont), strings.Join(missing, " "))
	}
}
