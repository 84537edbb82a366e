// Package qrtest reads QR codes back the way a user's camera would, for tests
// of anything that shows the login QR code: it finds a code drawn as text on
// a rendered screen (half blocks, or ASCII), turns it into a picture as a
// console with light text on a dark background shows it (a lit glyph is a
// light pixel), either as ideal square modules or as a screenshot of the
// Linux text console, and decodes pictures with two independent decoders,
// gozxing and Debian's zbarimg.
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
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/nix-community/installer-console/internal/testtool"
)

// minQuiet is the narrowest quiet zone, in modules, of a code this package
// finds: the console may trim the standard 4 to 2 on a small screen.
const minQuiet = 2

// minModules is the width of the smallest QR code (version 1, 21 modules)
// with the narrowest quiet zone.
const minModules = 21 + 2*minQuiet

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

// DecodeASCII finds the ASCII QR code ("##" or two spaces in reverse
// video light, two plain spaces dark; see qr.Code.ASCII and
// qr.Code.ASCIIReverse) in a rendered screen and decodes it with gozxing.
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
	code, err := findTerminal(cells(screen))
	if err != nil {
		return nil, err
	}
	return draw(code.light, scale), nil
}

// ASCIIImage finds the ASCII QR code in a rendered screen and draws it,
// quiet zone included, scale pixels per module: "##", or two spaces in
// reverse video, is a white module, two plain spaces a black one.
func ASCIIImage(screen []string, scale int) (image.Image, error) {
	code, err := findASCII(cells(screen))
	if err != nil {
		return nil, err
	}
	return draw(code.light, scale), nil
}

// The Linux text console with its built-in 8×16 font and default colours.
const (
	vtCellW, vtCellH = 8, 16
	vtUpperRows      = 7    // the font's ▀ lights rows 0-6, its ▄ rows 7-15
	vtForeground     = 0xaa // colour 7, light grey
	vtMargin         = 2    // cells of black screen around the code
)

// VTScreenshot finds the QR code on a rendered screen (half blocks, else
// ASCII) and draws its cells as a screenshot of the Linux text console
// shows them: light grey glyphs on black in 8×16-pixel cells, with the
// console font's half blocks (▀ over the top 7 pixel rows, ▄ over the
// bottom 9, so the two modules of a cell differ in height), a hash glyph
// of thin strokes for '#', a space in reverse video as a full cell, and
// some black screen around the code.
func VTScreenshot(screen []string) (image.Image, error) {
	grid := cells(screen)
	code, err := findTerminal(grid)
	if err != nil {
		if code, err = findASCII(grid); err != nil {
			return nil, errors.New("qrtest: no half-block or ASCII QR code with a quiet zone on the screen")
		}
	}
	w, h := len(code.cells[0]), len(code.cells)
	img := image.NewGray(image.Rect(0, 0, (w+2*vtMargin)*vtCellW, (h+2*vtMargin)*vtCellH))
	for cy, row := range code.cells {
		for cx, r := range row {
			x0, y0 := (cx+vtMargin)*vtCellW, (cy+vtMargin)*vtCellH
			for py := 0; py < vtCellH; py++ {
				for px := 0; px < vtCellW; px++ {
					if vtGlyphLit(r, px, py) {
						img.SetGray(x0+px, y0+py, color.Gray{Y: vtForeground})
					}
				}
			}
		}
	}
	return img, nil
}

// vtGlyphLit reports whether pixel (x, y) of a console font cell showing
// r is lit.
func vtGlyphLit(r rune, x, y int) bool {
	switch r {
	case '█', litCell:
		return true
	case '▀':
		return y < vtUpperRows
	case '▄':
		return y >= vtUpperRows
	case '#':
		// Two 2-pixel uprights and two bars across, over rows 3-11.
		if y < 3 || y > 11 || x == 7 {
			return false
		}
		return y == 5 || y == 9 || x == 1 || x == 2 || x == 4 || x == 5
	}
	return false
}

// found is a QR code cut out of a screen: its character cells and its
// modules (true for light).
type found struct {
	cells [][]rune
	light [][]bool
}

// halfBlock tells which halves of a cell showing r are lit, and whether r
// is a half-block glyph at all.
func halfBlock(r rune) (upper, lower, ok bool) {
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

// findTerminal finds a half-block code: a run of at least minModules '█'
// (the quiet zone above a code) starts a candidate n modules wide and
// (n+1)/2 lines high, made of half blocks only, with a lit quiet zone.
func findTerminal(grid [][]rune) (found, error) {
	for row := range grid {
		for _, run := range runs(grid[row], '█') {
			col, n := run[0], run[1]
			if n < minModules || row+(n+1)/2 > len(grid) {
				continue
			}
			code := found{light: make([][]bool, n)}
			for y := range code.light {
				code.light[y] = make([]bool, n)
			}
			ok := true
			for y := 0; y < (n+1)/2 && ok; y++ {
				line := grid[row+y]
				if col+n > len(line) {
					ok = false
					break
				}
				code.cells = append(code.cells, line[col:col+n])
				for x := 0; x < n; x++ {
					upper, lower, isBlock := halfBlock(line[col+x])
					if !isBlock {
						ok = false
						break
					}
					code.light[2*y][x] = upper
					if 2*y+1 < n {
						code.light[2*y+1][x] = lower
					}
				}
			}
			if ok && quietZone(code.light) {
				return code, nil
			}
		}
	}
	return found{}, errors.New("qrtest: no half-block QR code with a quiet zone on the screen")
}

// findASCII finds an ASCII code: a run of 2n '#', or of 2n spaces in
// reverse video (n at least minModules), starts a candidate n modules
// square, two characters per module, with a lit quiet zone.
func findASCII(grid [][]rune) (found, error) {
	for row := range grid {
		for _, run := range append(runs(grid[row], '#'), runs(grid[row], litCell)...) {
			col, w := run[0], run[1]
			n := w / 2
			if w%2 != 0 || n < minModules || row+n > len(grid) {
				continue
			}
			code := found{light: make([][]bool, n)}
			ok := true
			for y := 0; y < n && ok; y++ {
				line := grid[row+y]
				if col+w > len(line) {
					ok = false
					break
				}
				code.cells = append(code.cells, line[col:col+w])
				code.light[y] = make([]bool, n)
				for x := 0; x < n; x++ {
					a, b := line[col+2*x], line[col+2*x+1]
					switch {
					case a == '#' && b == '#', a == litCell && b == litCell:
						code.light[y][x] = true
					case a == ' ' && b == ' ':
					default:
						ok = false
					}
				}
			}
			if ok && quietZone(code.light) {
				return code, nil
			}
		}
	}
	return found{}, errors.New("qrtest: no ASCII QR code with a quiet zone on the screen")
}

// litCell stands for a space drawn in reverse video: a cell filled with
// the foreground colour.
const litCell = '\uE000'

// cells turns screen lines into rows of character cells, as a terminal
// lays them out: escape sequences removed, a space in reverse video turned
// into litCell, a wide character followed by a zero cell. Reverse video
// carries over from line to line, as on a terminal.
func cells(screen []string) [][]rune {
	var grid [][]rune
	reverse := false
	for _, s := range screen {
		for _, line := range strings.Split(s, "\n") {
			line = strings.TrimSuffix(line, "\r")
			var row []rune
			for i := 0; i < len(line); {
				if line[i] == 0x1b {
					n, params, final := escape(line[i:])
					if final == 'm' {
						reverse = sgrReverse(params, reverse)
					}
					i += n
					continue
				}
				r, size := utf8.DecodeRuneInString(line[i:])
				i += size
				if r == ' ' && reverse {
					r = litCell
				}
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

// escape measures the escape sequence at the start of s: CSI (colours,
// cursor movement) with its parameters and final byte, OSC (titles,
// hyperlinks) up to BEL or ESC \, or a two-byte escape.
func escape(s string) (n int, params string, final byte) {
	if len(s) < 2 {
		return len(s), "", 0
	}
	switch s[1] {
	case '[':
		j := 2
		for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
			j++
		}
		if j == len(s) {
			return j, "", 0
		}
		return j + 1, s[2:j], s[j]
	case ']':
		j := 2
		for j < len(s) {
			if s[j] == 0x07 {
				return j + 1, "", 0
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2, "", 0
			}
			j++
		}
		return j, "", 0
	}
	return 2, "", 0
}

// sgrReverse applies the parameters of an SGR sequence to the reverse
// video state.
func sgrReverse(params string, reverse bool) bool {
	for _, p := range strings.Split(params, ";") {
		switch p {
		case "", "0":
			reverse = false
		case "7":
			reverse = true
		case "27":
			reverse = false
		}
	}
	return reverse
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

// quietZone reports whether the border of minQuiet modules is all light.
func quietZone(light [][]bool) bool {
	n := len(light)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			border := x < minQuiet || y < minQuiet || x >= n-minQuiet || y >= n-minQuiet
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
