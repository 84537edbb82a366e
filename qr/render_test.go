package qr_test

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nix-community/installer-console/qr"
	"github.com/nix-community/installer-console/qr/qrtest"
)

// TestEveryRenderingDecodes decodes each rendering of each fixture with
// gozxing and with zbarimg (as clan's CLI reads a picture). The terminal
// renderings are drawn as a console with light text on a dark background
// shows them (a lit glyph is light): with ideal square modules, and as a
// screenshot of the Linux console with its font's unequal half blocks.
// Plain ASCII is drawn with "##" as a solid cell: a camera reads '#'
// glyphs on a screen poorly, which is why consoles get ASCIIReverse.
func TestEveryRenderingDecodes(t *testing.T) {
	for _, f := range fixtures() {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			data, err := f.payload.JSON()
			if err != nil {
				t.Fatal(err)
			}
			want := string(data)
			c, err := f.payload.Code()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d bytes: version %d, level %s", len(want), c.Version(), c.Level())

			check := func(what, got string) {
				t.Helper()
				if got != want {
					t.Errorf("%s decodes to %q\nwant %q", what, got, want)
				}
			}

			pngData, err := c.PNG(4)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(pngData))
			if err != nil {
				t.Fatal(err)
			}
			got, err := qrtest.DecodeImage(img)
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			check("PNG with gozxing", got)
			check("PNG with zbarimg", qrtest.ZbarimgPNG(t, pngData))

			term, err := qrtest.TerminalImage(c.Terminal(), qrtest.Scale)
			if err != nil {
				t.Fatal(err)
			}
			got, err = qrtest.DecodeImage(term)
			if err != nil {
				t.Fatalf("terminal: %v", err)
			}
			check("terminal with gozxing", got)
			check("terminal with zbarimg", qrtest.Zbarimg(t, term))

			got, err = qrtest.DecodeTerminal(c.TerminalColor())
			if err != nil {
				t.Fatalf("terminal in colour: %v", err)
			}
			check("terminal in colour with gozxing", got)

			// As a screenshot of the Linux console shows them.
			for name, lines := range map[string][]string{
				"terminal":          c.Terminal(),
				"terminal (colour)": c.TerminalColor(),
				"ASCII in reverse":  c.ASCIIReverse(),
			} {
				shot, err := qrtest.VTScreenshot(lines)
				if err != nil {
					t.Fatal(err)
				}
				got, err := qrtest.DecodeImage(shot)
				if err != nil {
					t.Errorf("%s on the Linux console: gozxing: %v", name, err)
				} else {
					check(name+" on the Linux console with gozxing", got)
				}
				check(name+" on the Linux console with zbarimg", qrtest.Zbarimg(t, shot))
			}

			ascii, err := qrtest.ASCIIImage(c.ASCII(), qrtest.Scale)
			if err != nil {
				t.Fatal(err)
			}
			got, err = qrtest.DecodeImage(ascii)
			if err != nil {
				t.Fatalf("ASCII: %v", err)
			}
			check("ASCII with gozxing", got)
			check("ASCII with zbarimg", qrtest.Zbarimg(t, ascii))

			got, err = qrtest.DecodeASCII(c.ASCIIReverse())
			if err != nil {
				t.Fatalf("ASCII in reverse video: %v", err)
			}
			check("ASCII in reverse video with gozxing", got)
		})
	}
}

// TestTerminalHalfBlocks checks the terminal rendering cell by cell: the
// upper half of a cell is one module, the lower half the next; a light
// module is lit; the quiet zone is 4 modules; no escapes.
func TestTerminalHalfBlocks(t *testing.T) {
	for _, f := range fixtures() {
		c, err := f.payload.Code()
		if err != nil {
			t.Fatal(err)
		}
		n := c.Size()
		lines := c.Terminal()
		if len(lines) != (n+1)/2 {
			t.Fatalf("%s: %d lines, want %d for %d modules", f.name, len(lines), (n+1)/2, n)
		}
		for y, line := range lines {
			if w := utf8.RuneCountInString(line); w != n {
				t.Fatalf("%s: line %d is %d cells wide, want %d", f.name, y, w, n)
			}
			for x, r := range []rune(line) {
				upper := !c.Dark(x, 2*y)
				lower := 2*y+1 < n && !c.Dark(x, 2*y+1)
				want := map[[2]bool]rune{
					{true, true}: '█', {true, false}: '▀', {false, true}: '▄', {false, false}: ' ',
				}[[2]bool{upper, lower}]
				if r != want {
					t.Fatalf("%s: cell (%d, %d) is %q, want %q", f.name, x, y, r, want)
				}
			}
		}
		// Quiet zone: the first two lines are lit across; every line
		// starts and ends with 4 lit cells (their upper halves at least).
		for y := 0; y < 2; y++ {
			if lines[y] != strings.Repeat("█", n) {
				t.Errorf("%s: line %d is not all quiet zone: %q", f.name, y, lines[y])
			}
		}
		for y, line := range lines {
			cells := []rune(line)
			for _, x := range []int{0, 1, 2, 3, n - 4, n - 3, n - 2, n - 1} {
				if cells[x] != '█' && cells[x] != '▀' {
					t.Errorf("%s: quiet zone cell (%d, %d) is %q", f.name, x, y, cells[x])
				}
			}
		}
		// Polarity, spelled out: the finder pattern's dark corner (module
		// 4,4 and 4,5) is an unlit cell, the quiet zone left of it is lit.
		if cells := []rune(lines[2]); cells[3] != '█' || cells[4] != ' ' {
			t.Errorf("%s: line 2 starts %q, want the finder's dark corner unlit after a lit quiet zone",
				f.name, string(cells[:6]))
		}
		if strings.ContainsAny(strings.Join(lines, ""), "\x1b\n\r") {
			t.Errorf("%s: terminal lines hold escapes or line breaks", f.name)
		}
	}
}

func TestTerminalColorPinsWhiteOnBlack(t *testing.T) {
	c, err := qr.Encode([]byte(`{"pass":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	plain, colored := c.Terminal(), c.TerminalColor()
	if len(plain) != len(colored) {
		t.Fatalf("%d colour lines, %d plain", len(colored), len(plain))
	}
	for i := range plain {
		if want := "\x1b[97;40m" + plain[i] + "\x1b[0m"; colored[i] != want {
			t.Errorf("line %d = %q, want %q", i, colored[i], want)
		}
	}
}

func TestASCIIIsTwoCharactersPerModule(t *testing.T) {
	for _, f := range fixtures() {
		c, err := f.payload.Code()
		if err != nil {
			t.Fatal(err)
		}
		n := c.Size()
		lines := c.ASCII()
		if len(lines) != n {
			t.Fatalf("%s: %d lines, want %d", f.name, len(lines), n)
		}
		for y, line := range lines {
			if len(line) != 2*n {
				t.Fatalf("%s: line %d is %d characters, want %d", f.name, y, len(line), 2*n)
			}
			for x := 0; x < n; x++ {
				want := "##"
				if c.Dark(x, y) {
					want = "  "
				}
				if got := line[2*x : 2*x+2]; got != want {
					t.Fatalf("%s: module (%d, %d) is %q, want %q", f.name, x, y, got, want)
				}
			}
		}
		if lines[0] != strings.Repeat("#", 2*n) {
			t.Errorf("%s: first line is not quiet zone", f.name)
		}
	}
}

func TestASCIIReverseIsSevenBitWithReverseVideoSpaces(t *testing.T) {
	c, err := largest().Code()
	if err != nil {
		t.Fatal(err)
	}
	plain, rev := c.ASCII(), c.ASCIIReverse()
	if len(rev) != len(plain) {
		t.Fatalf("%d lines, want %d", len(rev), len(plain))
	}
	for y, line := range rev {
		for i := 0; i < len(line); i++ {
			if line[i] >= 0x80 {
				t.Fatalf("line %d holds byte %#x", y, line[i])
			}
		}
		// Dropping the escapes and writing "##" for reverse-video
		// spaces gives the plain rendering back.
		var b strings.Builder
		reverse := false
		for _, part := range strings.SplitAfter(line, "m") {
			text := part
			if i := strings.Index(part, "\x1b["); i >= 0 {
				text = part[:i]
			}
			if reverse {
				text = strings.ReplaceAll(text, " ", "#")
			}
			b.WriteString(text)
			switch {
			case strings.HasSuffix(part, "\x1b[7m"):
				reverse = true
			case strings.HasSuffix(part, "\x1b[0m"):
				reverse = false
			case strings.Contains(part, "\x1b["):
				t.Fatalf("line %d: unexpected escape in %q", y, part)
			}
		}
		if reverse {
			t.Errorf("line %d leaves reverse video on", y)
		}
		if b.String() != plain[y] {
			t.Fatalf("line %d reads %q\nwant       %q", y, b.String(), plain[y])
		}
	}
}

func TestPNGIsBlackOnWhiteWithQuietZone(t *testing.T) {
	c, err := largest().Code()
	if err != nil {
		t.Fatal(err)
	}
	const scale = 5
	var b bytes.Buffer
	if err := c.WritePNG(&b, scale); err != nil {
		t.Fatal(err)
	}
	written := bytes.Clone(b.Bytes())
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	n := c.Size()
	if got := img.Bounds(); got.Dx() != n*scale || got.Dy() != n*scale {
		t.Fatalf("image is %v, want %d×%d", got, n*scale, n*scale)
	}
	gray := func(x, y int) uint8 { return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y }
	for y := 0; y < n*scale; y++ {
		for x := 0; x < n*scale; x++ {
			want := uint8(0xff)
			if c.Dark(x/scale, y/scale) {
				want = 0
			}
			if got := gray(x, y); got != want {
				t.Fatalf("pixel (%d, %d) = %d, want %d", x, y, got, want)
			}
		}
	}
	// The quiet zone is 4 modules of white.
	for i := 0; i < qr.QuietZone*scale; i++ {
		if gray(i, n*scale/2) != 0xff || gray(n*scale/2, i) != 0xff {
			t.Fatalf("quiet zone pixel %d is not white", i)
		}
	}
	data, err := c.PNG(scale)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, written) {
		t.Error("PNG and WritePNG give different images")
	}
}

func TestImageScaleOutOfRange(t *testing.T) {
	c, err := qr.Encode([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	for _, scale := range []int{0, -3, qr.MaxScale + 1} {
		if _, err := c.PNG(scale); err == nil || !strings.Contains(err.Error(), fmt.Sprint(scale)) {
			t.Errorf("PNG(%d) error = %v, want one naming the scale", scale, err)
		}
		var b bytes.Buffer
		if err := c.WritePNG(&b, scale); err == nil || b.Len() != 0 {
			t.Errorf("WritePNG(%d) = %v after writing %d bytes, want an error and nothing written", scale, err, b.Len())
		}
	}
}

// TestSmallPNGScalesDecode finds how small a PNG zbarimg still reads, so
// that callers can pick a scale: every scale from 1 must decode.
func TestSmallPNGScalesDecode(t *testing.T) {
	c, err := largest().Code()
	if err != nil {
		t.Fatal(err)
	}
	for _, scale := range []int{1, 2, 3} {
		data, err := c.PNG(scale)
		if err != nil {
			t.Fatal(err)
		}
		if got := qrtest.ZbarimgPNG(t, data); got != c.Text() {
			t.Errorf("scale %d: zbarimg reads %q", scale, got)
		}
	}
}

func BenchmarkPayloadToTerminal(b *testing.B) {
	p := largest()
	for b.Loop() {
		c, err := qr.NewPayload(p.Pass, p.Tor, addrs(
			"2001:0db8:85a3:1234:5678:8a2e:0370:7334", "192.168.178.254",
			"2a02:8109:b6c0:1a2b:3c4d:5e6f:7a8b:9c0d", "fdc3:9a1b:77e2:4d5c:3c4d:5e6f:7a8b:9c0d",
			"2a02:8109:b6c0:1a2b:d1e2:f3a4:b5c6:d7e8", "100.100.254.254",
			"2a02:8109:b6c0:ffff:3c4d:5e6f:7a8b:9c0d", "fdc3:9a1b:77e2:ffff:d1e2:f3a4:b5c6:d7e8",
		)).Code()
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Terminal()
	}
}

func BenchmarkPNG(b *testing.B) {
	c, err := largest().Code()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.PNG(8); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNarrowerQuietZone checks WithQuietZone: the border shrinks, the code
// inside stays, and every rendering still decodes with 2 modules of light.
func TestNarrowerQuietZone(t *testing.T) {
	full, err := largest().Code()
	if err != nil {
		t.Fatal(err)
	}
	for _, quiet := range []int{qr.MinQuietZone, 3, qr.QuietZone} {
		c, err := full.WithQuietZone(quiet)
		if err != nil {
			t.Fatal(err)
		}
		trim := qr.QuietZone - quiet
		if c.Quiet() != quiet || c.Size() != full.Size()-2*trim {
			t.Fatalf("quiet %d: Quiet() = %d, Size() = %d, want %d", quiet, c.Quiet(), c.Size(), full.Size()-2*trim)
		}
		for y := -1; y <= c.Size(); y++ {
			for x := -1; x <= c.Size(); x++ {
				inside := x >= 0 && y >= 0 && x < c.Size() && y < c.Size()
				if want := inside && full.Dark(x+trim, y+trim); c.Dark(x, y) != want {
					t.Fatalf("quiet %d: module (%d, %d) dark = %v, want %v", quiet, x, y, c.Dark(x, y), want)
				}
			}
		}
		if got, err := qrtest.DecodeTerminal(c.Terminal()); err != nil || got != c.Text() {
			t.Errorf("quiet %d: terminal reads %q, %v", quiet, got, err)
		}
		if got, err := qrtest.DecodeASCII(c.ASCIIReverse()); err != nil || got != c.Text() {
			t.Errorf("quiet %d: ASCII reads %q, %v", quiet, got, err)
		}
		shot, err := qrtest.VTScreenshot(c.Terminal())
		if err != nil {
			t.Fatal(err)
		}
		if got := qrtest.Zbarimg(t, shot); got != c.Text() {
			t.Errorf("quiet %d: zbarimg reads the console as %q", quiet, got)
		}
		data, err := c.PNG(3)
		if err != nil {
			t.Fatal(err)
		}
		if got := qrtest.ZbarimgPNG(t, data); got != c.Text() {
			t.Errorf("quiet %d: zbarimg reads the PNG as %q", quiet, got)
		}
	}
	for _, quiet := range []int{1, 5} {
		if _, err := full.WithQuietZone(quiet); err == nil || !strings.Contains(err.Error(), fmt.Sprint(quiet)) {
			t.Errorf("WithQuietZone(%d) error = %v, want one naming %d", quiet, err, quiet)
		}
	}
	narrow, err := full.WithQuietZone(2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := narrow.WithQuietZone(3); err == nil {
		t.Error("widening a trimmed quiet zone: want an error")
	}
}
