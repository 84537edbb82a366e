package tui

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// screen puts frames on the terminal, writing only what changed since the
// last frame, at once and in one write. It replaces bubbletea's renderer,
// which flushes on a ticker: that ticker either wakes the process many
// times a second while idle, or delays every redraw. Drawing synchronously
// after each update costs nothing while nothing happens and shows a change
// as soon as it is known.
//
// The frame is a fixed grid of lines addressed with absolute cursor moves,
// so no newline is ever written: the terminal cannot scroll, and a lost byte
// on a serial line spoils at most one line until the next change.
type screen struct {
	out           io.Writer
	width, height int
	// shown is what the terminal shows, one entry per line; nil when
	// unknown (start, resize), which makes the next draw clear and paint
	// everything.
	shown []string
	buf   bytes.Buffer
}

func newScreen(out io.Writer, width, height int) *screen {
	return &screen{out: out, width: width, height: height}
}

// resize forgets what is shown: after a resize the terminal may have
// rewrapped or cleared it.
func (s *screen) resize(width, height int) {
	s.width, s.height = width, height
	s.shown = nil
}

// draw shows frame, whose lines are separated by "\n". Lines beyond the
// height are dropped and lines wider than the width are cut, so that the
// terminal never wraps or scrolls.
func (s *screen) draw(frame string) error {
	lines := strings.Split(frame, "\n")
	if len(lines) > s.height {
		lines = lines[:s.height]
	}
	for len(lines) < s.height {
		lines = append(lines, "")
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > s.width {
			lines[i] = ansi.Truncate(l, s.width, "")
		}
	}
	s.buf.Reset()
	if s.shown == nil {
		s.buf.WriteString(ansi.ResetStyle + ansi.EraseEntireScreen)
	}
	for i, l := range lines {
		if s.shown == nil {
			if l != "" {
				s.buf.WriteString(cursorTo(0, i))
				s.writeLine(l, l)
			}
			continue
		}
		if s.shown[i] == l {
			continue
		}
		s.writeChange(i, s.shown[i], l)
	}
	s.shown = lines
	if s.buf.Len() == 0 {
		return nil
	}
	_, err := s.out.Write(s.buf.Bytes())
	return err
}

// writeChange rewrites line row from old to new, starting at the first
// cell that differs: a changed digit costs a few bytes, which matters at
// 115200 baud.
func (s *screen) writeChange(row int, old, new string) {
	same, col, style := commonPrefix(old, new)
	s.buf.WriteString(cursorTo(col, row))
	s.buf.WriteString(style)
	s.writeLine(new[same:], new)
}

// writeLine writes the rest of line and clears whatever the old line had
// to its right, in the default style. A line that fills the width needs no
// clearing, and must not get it: with the cursor parked on the last column,
// erasing would take the last character with it.
func (s *screen) writeLine(rest, line string) {
	s.buf.WriteString(rest)
	if strings.IndexByte(rest, ansi.ESC) >= 0 {
		s.buf.WriteString(ansi.ResetStyle)
	}
	if ansi.StringWidth(line) < s.width {
		s.buf.WriteString(ansi.EraseLineRight)
	}
}

// commonPrefix finds where new first differs from old. It returns the
// byte offset into new, the cell column there, and the escape sequences
// that set the style in force at that point, so that drawing can start
// there. It only cuts between whole characters and escape sequences.
func commonPrefix(old, new string) (offset, col int, style string) {
	var styles []string
	i := 0
	for i < len(new) && i < len(old) {
		n := tokenLen(new[i:])
		if n > len(old)-i || old[i:i+n] != new[i:i+n] {
			break
		}
		tok := new[i : i+n]
		if tok[0] == ansi.ESC {
			if isStyleReset(tok) {
				styles = styles[:0]
			} else {
				styles = append(styles, tok)
			}
		} else {
			col += ansi.StringWidth(tok)
		}
		i += n
	}
	return i, col, strings.Join(styles, "")
}

// tokenLen is the length of the escape sequence or character at the start
// of s.
func tokenLen(s string) int {
	if s[0] != ansi.ESC {
		_, n := utf8.DecodeRuneInString(s)
		return n
	}
	if len(s) > 1 && s[1] == '[' {
		// CSI: parameters and intermediates, then a final byte @ to ~.
		for j := 2; j < len(s); j++ {
			if s[j] >= 0x40 && s[j] <= 0x7e {
				return j + 1
			}
		}
		return len(s)
	}
	if len(s) > 1 {
		return 2
	}
	return 1
}

// isStyleReset reports whether an SGR sequence resets all attributes.
func isStyleReset(seq string) bool {
	return seq == "\x1b[m" || seq == "\x1b[0m"
}

// cursorTo moves the cursor to a zero-based cell, in the fewest bytes.
func cursorTo(col, row int) string {
	if col == 0 {
		return "\x1b[" + strconv.Itoa(row+1) + "H"
	}
	return "\x1b[" + strconv.Itoa(row+1) + ";" + strconv.Itoa(col+1) + "H"
}
