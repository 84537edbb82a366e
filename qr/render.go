package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
)

// The terminal renderings draw light modules as lit glyphs and leave dark
// modules to the background. On a console that draws light text on a dark
// background (the Linux VT, serial consoles, most terminal emulators) the
// code then appears dark on light, as a camera expects, and it needs no
// colour support at all, so it survives serial lines and copied text.
// TerminalColor pins the colours for terminals with a light theme.

// Half blocks: the upper half of a cell is one module, the lower half the
// module below it. Lit = light module.
const (
	glyphNone  = ' '
	glyphUpper = '▀'
	glyphLower = '▄'
	glyphFull  = '█'
)

// Terminal returns the code drawn with half blocks, two modules per
// character cell, quiet zone included, for a console with light text on a
// dark background. Every line is Size() cells wide; there are
// (Size()+1)/2 lines. The lines hold no escape sequences and no newline, so
// a caller can place them beside other text.
func (c *Code) Terminal() []string {
	n := c.Size()
	lines := make([]string, 0, (n+1)/2)
	var b strings.Builder
	for y := 0; y < n; y += 2 {
		b.Reset()
		for x := 0; x < n; x++ {
			// Below the last row (odd size) is the dark background.
			upper, lower := !c.Dark(x, y), y+1 < n && !c.Dark(x, y+1)
			switch {
			case upper && lower:
				b.WriteRune(glyphFull)
			case upper:
				b.WriteRune(glyphUpper)
			case lower:
				b.WriteRune(glyphLower)
			default:
				b.WriteRune(glyphNone)
			}
		}
		lines = append(lines, b.String())
	}
	return lines
}

// Colours that TerminalColor pins: bright white glyphs on black.
const (
	sgrLitOnDark = "\x1b[97;40m"
	sgrReset     = "\x1b[0m"
)

// TerminalColor returns Terminal's lines, each wrapped in escape sequences
// that draw bright white on black and then reset the colours, so the code
// keeps its polarity on a terminal with a light theme too. A terminal
// without bright colours (an old Linux VT) keeps its default light
// foreground, which is still right.
func (c *Code) TerminalColor() []string {
	lines := c.Terminal()
	for i, l := range lines {
		lines[i] = sgrLitOnDark + l + sgrReset
	}
	return lines
}

// ASCII returns the code as plain text for output that cannot carry UTF-8
// or escape sequences (a log, a pipe): "##" for a light module and two
// spaces for a dark one, one line per module row. Every line is 2*Size()
// characters wide; there are Size() lines. On a screen, a camera reads
// ASCIIReverse far better: a '#' glyph lights only part of its cell.
func (c *Code) ASCII() []string {
	return c.asciiLines("##", "")
}

// Reverse video on and off (SGR 7 and 27): every terminal since the VT100
// has them, whatever its character set.
const (
	sgrReverse    = "\x1b[7m"
	sgrReverseOff = "\x1b[0m"
)

// ASCIIReverse returns the code for terminals that cannot show UTF-8:
// light modules are spaces in reverse video, so they fill their cells
// with the foreground colour, one line per module row, two cells per
// module. The bytes are 7-bit ASCII. As with Terminal, the console is
// taken to draw light text on a dark background. Every line is 2*Size()
// cells wide; there are Size() lines.
func (c *Code) ASCIIReverse() []string {
	return c.asciiLines("  ", sgrReverse)
}

// asciiLines writes light modules as light, inside reverse video when
// reverse is set, dark modules as two spaces.
func (c *Code) asciiLines(light, reverse string) []string {
	n := c.Size()
	lines := make([]string, 0, n)
	var b strings.Builder
	for y := 0; y < n; y++ {
		b.Reset()
		on := false
		for x := 0; x < n; x++ {
			lit := !c.Dark(x, y)
			if reverse != "" && lit != on {
				if lit {
					b.WriteString(reverse)
				} else {
					b.WriteString(sgrReverseOff)
				}
				on = lit
			}
			if lit {
				b.WriteString(light)
			} else {
				b.WriteString("  ")
			}
		}
		if on {
			b.WriteString(sgrReverseOff)
		}
		lines = append(lines, b.String())
	}
	return lines
}

// MaxScale bounds the pixels per module of Image and PNG, so that a typo
// cannot ask for gigabytes.
const MaxScale = 64

// Image returns the code black on white, quiet zone included, each module
// scale×scale pixels.
func (c *Code) Image(scale int) (*image.Paletted, error) {
	if scale < 1 || scale > MaxScale {
		return nil, fmt.Errorf("qr: image scale %d pixels per module is outside 1..%d", scale, MaxScale)
	}
	n := c.Size()
	img := image.NewPaletted(image.Rect(0, 0, n*scale, n*scale),
		color.Palette{color.White, color.Black})
	for y := 0; y < n*scale; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+n*scale]
		for x := range row {
			if c.Dark(x/scale, y/scale) {
				row[x] = 1
			}
		}
	}
	return img, nil
}

// WritePNG writes the code as a PNG image, black on white, quiet zone
// included, each module scale×scale pixels.
func (c *Code) WritePNG(w io.Writer, scale int) error {
	img, err := c.Image(scale)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("qr: writing PNG: %w", err)
	}
	return nil
}

// PNG returns the code as a PNG image, as WritePNG writes it.
func (c *Code) PNG(scale int) ([]byte, error) {
	var b bytes.Buffer
	if err := c.WritePNG(&b, scale); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
