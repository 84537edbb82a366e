package tui

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// psfFont is a Linux console font (PSF1 or PSF2, as setfont loads them):
// glyph bitmaps and the Unicode characters each glyph draws. Tests use it
// to check that the console only uses characters the console font has,
// and to draw screenshots as the Linux VT shows them.
type psfFont struct {
	width, height int
	glyphs        [][]byte     // one bitmap per glyph, rows of (width+7)/8 bytes
	unicode       map[rune]int // character -> glyph
}

// consoleFont is NixOS's default console font (console.font), which
// Debian's console-setup-linux ships.
const consoleFont = "/usr/share/consolefonts/Lat2-Terminus16.psf.gz"

func loadPSF(path string) (*psfFont, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if bytes.HasSuffix([]byte(path), []byte(".gz")) {
		if r, err = gzip.NewReader(f); err != nil {
			return nil, err
		}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	switch {
	case len(data) >= 4 && data[0] == 0x36 && data[1] == 0x04:
		return parsePSF1(data)
	case len(data) >= 32 && binary.LittleEndian.Uint32(data) == 0x864ab572:
		return parsePSF2(data)
	}
	return nil, fmt.Errorf("%s: not a PSF font", path)
}

func parsePSF1(data []byte) (*psfFont, error) {
	mode, charSize := data[2], int(data[3])
	n := 256
	if mode&0x01 != 0 {
		n = 512
	}
	font := &psfFont{width: 8, height: charSize, unicode: map[rune]int{}}
	off := 4
	if len(data) < off+n*charSize {
		return nil, errors.New("PSF1: truncated glyphs")
	}
	for i := range n {
		font.glyphs = append(font.glyphs, data[off+i*charSize:off+(i+1)*charSize])
	}
	off += n * charSize
	if mode&0x02 == 0 {
		for i := range n {
			font.unicode[rune(i)] = i
		}
		return font, nil
	}
	// UCS-2 entries per glyph, 0xFFFE starts sequences, 0xFFFF ends.
	for g := 0; g < n && off+1 < len(data); {
		v := binary.LittleEndian.Uint16(data[off:])
		off += 2
		switch {
		case v == 0xFFFF:
			g++
		case v == 0xFFFE:
			// Skip sequences up to the end of this glyph's entry.
			for off+1 < len(data) && binary.LittleEndian.Uint16(data[off:]) != 0xFFFF {
				off += 2
			}
		default:
			if _, ok := font.unicode[rune(v)]; !ok {
				font.unicode[rune(v)] = g
			}
		}
	}
	return font, nil
}

func parsePSF2(data []byte) (*psfFont, error) {
	le := binary.LittleEndian
	headerSize, flags := int(le.Uint32(data[8:])), le.Uint32(data[12:])
	n, charSize := int(le.Uint32(data[16:])), int(le.Uint32(data[20:]))
	height, width := int(le.Uint32(data[24:])), int(le.Uint32(data[28:]))
	font := &psfFont{width: width, height: height, unicode: map[rune]int{}}
	off := headerSize
	if len(data) < off+n*charSize {
		return nil, errors.New("PSF2: truncated glyphs")
	}
	for i := range n {
		font.glyphs = append(font.glyphs, data[off+i*charSize:off+(i+1)*charSize])
	}
	off += n * charSize
	if flags&1 == 0 {
		for i := range n {
			font.unicode[rune(i)] = i
		}
		return font, nil
	}
	// UTF-8 entries per glyph, 0xFE starts sequences, 0xFF ends.
	for g := 0; g < n && off < len(data); {
		switch data[off] {
		case 0xFF:
			g++
			off++
		case 0xFE:
			for off < len(data) && data[off] != 0xFF {
				off++
			}
		default:
			r, size := utf8.DecodeRune(data[off:])
			if _, ok := font.unicode[r]; !ok {
				font.unicode[r] = g
			}
			off += size
		}
	}
	return font, nil
}

// glyph returns the bitmap for r, or the font's glyph for '?' when it has
// none.
func (f *psfFont) glyph(r rune) []byte {
	if g, ok := f.unicode[r]; ok {
		return f.glyphs[g]
	}
	return f.glyphs[f.unicode['?']]
}

// lit reports whether pixel x, y of a glyph is set.
func (f *psfFont) lit(glyph []byte, x, y int) bool {
	stride := (f.width + 7) / 8
	return glyph[y*stride+x/8]&(0x80>>(x%8)) != 0
}
