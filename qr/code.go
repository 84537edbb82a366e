package qr

import (
	"errors"
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// QuietZone is the light border, in modules, on each side of a code, as
// the standard asks. WithQuietZone makes it narrower.
const QuietZone = 4

// MinQuietZone is the narrowest border WithQuietZone allows: phone cameras
// still find a code with 2 modules of light around it.
const MinQuietZone = 2

// Level is a QR error correction level.
type Level string

// The levels a Code may have: never below M.
const (
	LevelM Level = "M" // 15% of the code words can be restored
	LevelQ Level = "Q" // 25%
	LevelH Level = "H" // 30%
)

// Code is an encoded QR code: the smallest version that holds the text at
// error correction level M, at the highest level that still fits in that
// version, with a mask that ZXing-based readers find (see findable.go).
type Code struct {
	text    string
	version int
	level   Level
	mask    int
	quiet   int      // modules of quiet zone on each side
	dark    [][]bool // [y][x], quiet zone included
}

// levels maps the levels a Code may get, best first, to go-qrcode's names.
var levels = []struct {
	level Level
	lib   qrcode.RecoveryLevel
}{
	{LevelH, qrcode.Highest},
	{LevelQ, qrcode.High},
	{LevelM, qrcode.Medium},
}

// Encode makes the QR code for data. Readers guess how bytes beyond ASCII
// are encoded (see Payload.JSON), so data should be ASCII.
func Encode(data []byte) (*Code, error) {
	c, err := encodeStandard(data)
	if err != nil {
		return nil, err
	}
	if err := c.makeFindable(); err != nil {
		return nil, err
	}
	return c, nil
}

// encodeStandard makes the QR code for data with go-qrcode: the smallest
// version at level M, the best level that fits that version, and the mask
// that the standard's penalty rules choose.
func encodeStandard(data []byte) (*Code, error) {
	if len(data) == 0 {
		return nil, errors.New("qr: nothing to encode")
	}
	// go-qrcode's New picks the smallest version for a level.
	m, err := qrcode.New(string(data), qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr: cannot encode %d bytes at error correction level M: %w", len(data), err)
	}
	q, level := m, LevelM
	for _, l := range levels {
		if l.level == LevelM {
			break
		}
		better, err := qrcode.New(string(data), l.lib)
		if err == nil && better.VersionNumber == m.VersionNumber {
			q, level = better, l.level
			break
		}
		// Otherwise that level would need a bigger code.
	}
	c := &Code{text: string(data), version: q.VersionNumber, level: level, quiet: QuietZone}
	for _, row := range q.Bitmap() {
		c.dark = append(c.dark, append([]bool(nil), row...))
	}
	if want := 17 + 4*c.version + 2*QuietZone; len(c.dark) != want || len(c.dark[0]) != want {
		return nil, fmt.Errorf("qr: version %d code is %d modules wide, want %d", c.version, len(c.dark), want)
	}
	if c.mask, err = c.readMask(); err != nil {
		return nil, err
	}
	return c, nil
}

// Text returns the encoded text.
func (c *Code) Text() string { return c.text }

// Version returns the QR version, 1 to 40 (21 to 177 modules wide).
func (c *Code) Version() int { return c.version }

// Level returns the error correction level.
func (c *Code) Level() Level { return c.level }

// Size returns the width and height in modules, quiet zone included.
func (c *Code) Size() int { return len(c.dark) }

// Quiet returns the width of the quiet zone in modules: QuietZone unless
// the code came from WithQuietZone.
func (c *Code) Quiet() int { return c.quiet }

// WithQuietZone returns the code with a quiet zone of quiet modules on each
// side, MinQuietZone to QuietZone, for a screen too small for the full
// one. Every rendering of the result has the narrower border.
func (c *Code) WithQuietZone(quiet int) (*Code, error) {
	if quiet < MinQuietZone || quiet > QuietZone {
		return nil, fmt.Errorf("qr: quiet zone of %d modules is outside %d..%d", quiet, MinQuietZone, QuietZone)
	}
	trim := c.quiet - quiet
	if trim < 0 {
		return nil, fmt.Errorf("qr: cannot widen a quiet zone of %d modules to %d", c.quiet, quiet)
	}
	out := *c
	out.quiet = quiet
	out.dark = nil
	for _, row := range c.dark[trim : len(c.dark)-trim] {
		out.dark = append(out.dark, row[trim:len(row)-trim])
	}
	return &out, nil
}

// Dark reports whether the module at column x, row y (quiet zone included)
// is dark. Everything outside the code is light.
func (c *Code) Dark(x, y int) bool {
	if y < 0 || y >= len(c.dark) || x < 0 || x >= len(c.dark[y]) {
		return false
	}
	return c.dark[y][x]
}
