// Package qrtest reads QR codes back the way a user's camera would, for tests
// of anything that shows the login QR code: it finds a code drawn as text on
// a rendered screen, turns it into a picture as a console with light text on
// a dark background shows it (a lit glyph is a light pixel), and decodes
// pictures with two independent decoders, gozxing and Debian's zbarimg.
package qrtest

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/nix-community/installer-console/internal/testtool"
)

// minModules is the width of the smallest QR code (version 1, 21 modules)
// with its 4-module quiet zone.
const minModules = 21 + 2*4

// Scale is the pixels per module of the pictures this package draws.
const Scale = 4

// DecodeTerminal finds the half-block QR code (two modules per cell, see
// qr.Code.Terminal) in a rendered screen and decodes it with gozxing.
// Lines may hold escape sequences and text beside the code; a line holding
// newlines is split.
func DecodeTerminal(screen []string) (string, error) {
	img, err := TerminalImage(screen, Scale)
	if err != nil {
		return "", err
	}
	return DecodeImage(img)
}

// DecodeASCII finds the ASCII QR code ("##" light, "  " dark, see
// qr.Code.ASCII) in a rendered screen and decodes it with gozxing.
func DecodeASCII(screen []string) (string, error) {
	img, err := ASCIIImage(screen, Scale)
	if err != nil {
		return "", err
	}
	return DecodeImage(img)
}

// DecodeImage decodes the one QR code in img with gozxing.
func DecodeImage(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", fmt.Errorf("gozxing: %w", err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", fmt.Errorf("gozxing: %w", err)
	}
	return res.GetText(), nil
}

// Zbarimg decodes img with `zbarimg --quiet --raw`, as clan's CLI does, and
// returns what it printed without the final newline. It skips the test
// (fails it under CI) when zbarimg is not installed, and fails it when
// zbarimg finds no code.
func Zbarimg(t testing.TB, img image.Image) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return ZbarimgPNG(t, b.Bytes())
}

// ZbarimgPNG is Zbarimg for an encoded PNG image.
func ZbarimgPNG(t testing.TB, pngData []byte) string {
	t.Helper()
	zbarimg := testtool.Require(t, "zbarimg", "zbar-tools")
	file := filepath.Join(t.TempDir(), "code.png")
	if err := os.WriteFile(file, pngData, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(zbarimg, "--quiet", "--raw", file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// Exit status 4: no symbol found.
		t.Fatalf("zbarimg %s: %v: %s", file, err, stderr.String())
	}
	return strings.TrimSuffix(string(out), "\n")
}

// TerminalImage finds the half-block QR code in a rendered screen and draws
// it, quiet zone included, scale pixels per module: a lit half cell is a
// white pixel block, an unlit one black.
func TerminalImage(screen []string, scale int) (image.Image, error) {
	grid := cells(screen)
	lit := func(r rune) (upper, lower, ok bool) {
		switch r {
		case '█':
			return true, true, true
		case '▀':
			return true, false, true
		case '▄':
			return false, true, true
		case ' ':
			return false, false, true
		}
		return false, false, false
	}
	for row := range grid {
		for _, run := range runs(grid[row], '█') {
			col, n := run[0], run[1]
			if n < minModules || row+(n+1)/2 > len(grid) {
				continue
			}
			// A candidate: n modules wide, (n+1)/2 lines high. Check
			// that every cell is a half block, and read the modules.
			light := make([][]bool, n)
			for y := range light {
				light[y] = make([]bool, n)
			}
			ok := true
			for y := 0; y < (n+1)/2 && ok; y++ {
				line := grid[row+y]
				if col+n > len(line) {
					ok = false
					break
				}
				for x := 0; x < n; x++ {
					upper, lower, isBlock := lit(line[col+x])
					if !isBlock {
						ok = false
						break
					}
					light[2*y][x] = upper
					if 2*y+1 < n {
						light[2*y+1][x] = lower
					}
				}
			}
			if ok && quietZone(light) {
				return draw(light, scale), nil
			}
		}
	}
	return nil, errors.New("qrtest: no half-block QR code with a quiet zone on the screen")
}

// ASCIIImage finds the ASCII QR code in a rendered screen and draws it,
// quiet zone included, scale pixels per module: "##" is a white module,
// two spaces a black one.
func ASCIIImage(screen []string, scale int) (image.Image, error) {
	grid := cells(screen)
	for row := range grid {
		for _, run := range runs(grid[row], '#') {
			col, w := run[0], run[1]
			n := w / 2
			if w%2 != 0 || n < minModules || row+n > len(grid) {
				continue
			}
			light := make([][]bool, n)
			ok := true
			for y := 0; y < n && ok; y++ {
				line := grid[row+y]
				if col+w > len(line) {
					ok = false
					break
				}
				light[y] = make([]bool, n)
				for x := 0; x < n; x++ {
					a, b := line[col+2*x], line[col+2*x+1]
					switch {
					case a == '#' && b == '#':
						light[y][x] = true
					case a == ' ' && b == ' ':
					default:
						ok = false
					}
				}
			}
			if ok && quietZone(light) {
				return draw(light, scale), nil
			}
		}
	}
	return nil, errors.New("qrtest: no ASCII QR code with a quiet zone on the screen")
}

// cells turns screen lines into rows of character cells: escape sequences
// removed, a wide character followed by a zero cell.
func cells(screen []string) [][]rune {
	var grid [][]rune
	for _, s := range screen {
		for _, line := range strings.Split(s, "\n") {
			line = strings.TrimSuffix(stripEscapes(line), "\r")
			var row []rune
			for _, r := range line {
				row = append(row, r)
				if wide(r) {
					row = append(row, 0)
				}
			}
			grid = append(grid, row)
		}
	}
	return grid
}

// runs returns the start and length of every maximal run of r in row.
func runs(row []rune, r rune) [][2]int {
	var out [][2]int
	for i := 0; i < len(row); {
		if row[i] != r {
			i++
			continue
		}
		j := i
		for j < len(row) && row[j] == r {
			j++
		}
		out = append(out, [2]int{i, j - i})
		i = j
	}
	return out
}

// quietZone reports whether the 4-module border of light is all light.
func quietZone(light [][]bool) bool {
	n := len(light)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			border := x < 4 || y < 4 || x >= n-4 || y >= n-4
			if border && !light[y][x] {
				return false
			}
		}
	}
	return true
}

// draw paints the modules, scale pixels each, white for light.
func draw(light [][]bool, scale int) image.Image {
	n := len(light)
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for y := 0; y < n*scale; y++ {
		for x := 0; x < n*scale; x++ {
			if light[y/scale][x/scale] {
				img.SetGray(x, y, color.Gray{Y: 0xff})
			}
		}
	}
	return img
}

// stripEscapes removes terminal escape sequences: CSI (colours, cursor
// movement), OSC (titles, hyperlinks) and two-byte escapes.
func stripEscapes(s string) string {
	if !strings.ContainsRune(s, 0x1b) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != 0x1b {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			break
		}
		switch s[i+1] {
		case '[': // CSI: parameters and intermediates, then a final byte.
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
		case ']': // OSC: ends with BEL or ESC \.
			j := i + 2
			for j < len(s) && s[j] != 0x07 && !(s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\') {
				j++
			}
			if j < len(s) && s[j] == 0x1b {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return b.String()
}

// wide reports whether r takes two cells in a terminal: the East Asian wide
// and fullwidth ranges that a text beside the code might use.
func wide(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115f, // Hangul Jamo
		r >= 0x2e80 && r <= 0xa4cf && r != 0x303f, // CJK ... Yi
		r >= 0xac00 && r <= 0xd7a3,                // Hangul syllables
		r >= 0xf900 && r <= 0xfaff,                // CJK compatibility ideographs
		r >= 0xfe30 && r <= 0xfe4f,                // CJK compatibility forms
		r >= 0xff00 && r <= 0xff60,                // fullwidth forms
		r >= 0xffe0 && r <= 0xffe6,
		r >= 0x1f300 && r <= 0x1f64f, // pictographs, emoticons
		r >= 0x1f900 && r <= 0x1f9ff,
		r >= 0x20000 && r <= 0x3fffd:
		return true
	}
	return false
}
