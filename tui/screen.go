package tui

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// screen puts frames on the terminal, writing only the cells that changed
// since the last frame, at once and in one write. It replaces bubbletea's
// renderer, which flushes on a ticker: that ticker either wakes the
// process many times a second while idle, or delays every redraw. Drawing
// synchronously after each update costs nothing while nothing happens and
// shows a change as soon as it is known.
//
// The frame is a fixed grid addressed with absolute cursor moves, so no
// newline is ever written: the terminal cannot scroll, and a byte lost on
// a serial line spoils at most one line until it next changes. Within a
// changed line only the run from the first to the last changed cell is
// written (a Tor progress update costs about 40 bytes), which is what a
// 115200 baud serial console needs.
type screen struct {
	out           io.Writer
	width, height int
	// shown is what the terminal shows: each line as given and as cells.
	// nil when unknown (start, resize): the next draw clears and paints
	// everything.
	shown      []string
	shownCells [][]cell
	buf        bytes.Buffer
}

// cell is one character cell: its character (0 for the second half of a
// wide character) and the escape sequences that style it ("" for none).
type cell struct {
	r     rune
	style string
}

var blank = cell{r: ' '}

func newScreen(out io.Writer, width, height int) *screen {
	return &screen{out: out, width: width, height: height}
}

// resize forgets what is shown: after a resize the terminal may have
// rewrapped or cleared it.
func (s *screen) resize(width, height int) {
	s.width, s.height = width, height
	s.shown, s.shownCells = nil, nil
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
	s.buf.Reset()
	repaint := s.shown == nil
	if repaint {
		s.buf.WriteString(ansi.ResetStyle + ansi.EraseEntireScreen)
		s.shown = make([]string, s.height)
		s.shownCells = make([][]cell, s.height)
	}
	for i, l := range lines {
		if !repaint && s.shown[i] == l {
			continue
		}
		old := s.shownCells[i]
		if old == nil {
			old = blankCells(s.width)
		}
		cells := parseCells(l, s.width)
		s.writeChange(i, old, cells)
		s.shown[i], s.shownCells[i] = l, cells
	}
	if s.buf.Len() == 0 {
		return nil
	}
	_, err := s.out.Write(s.buf.Bytes())
	return err
}

// writeChange rewrites row from old to new: from the first to the last
// cell that differs, or up to where new turns blank, which erasing the
// rest of the line does in 3 bytes.
func (s *screen) writeChange(row int, old, new []cell) {
	first, last := -1, -1
	for i := range new {
		if new[i] != old[i] {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return
	}
	// Never start or stop inside a wide character.
	for first > 0 && new[first].r == 0 {
		first--
	}
	for last+1 < len(new) && new[last+1].r == 0 {
		last++
	}
	blankFrom := len(new)
	for blankFrom > 0 && new[blankFrom-1] == blank {
		blankFrom--
	}
	end, erase := last+1, false
	if blankFrom <= last {
		// The cursor then stops short of the right margin, where
		// erasing would take the last character with it.
		end, erase = max(blankFrom, first), true
	}
	s.buf.WriteString(cursorTo(first, row))
	style := ""
	for _, c := range new[first:end] {
		if c.r == ' ' && c.style == "" && !hasBackground(style) {
			// Looks the same in the current style: no need to switch.
			s.buf.WriteByte(' ')
			continue
		}
		if c.style != style {
			if style != "" {
				s.buf.WriteString(ansi.ResetStyle)
			}
			s.buf.WriteString(c.style)
			style = c.style
		}
		if c.r != 0 {
			s.buf.WriteRune(c.r)
		}
	}
	if style != "" {
		s.buf.WriteString(ansi.ResetStyle)
	}
	if erase {
		s.buf.WriteString(ansi.EraseLineRight)
	}
}

func blankCells(width int) []cell {
	cells := make([]cell, width)
	for i := range cells {
		cells[i] = blank
	}
	return cells
}

// parseCells splits a line into exactly width cells, padded with blanks.
// A cell's style is every escape sequence since the last reset.
func parseCells(line string, width int) []cell {
	cells := make([]cell, 0, width)
	var style strings.Builder
	for line != "" && len(cells) < width {
		n := tokenLen(line)
		tok := line[:n]
		line = line[n:]
		if tok[0] == ansi.ESC {
			if isStyleReset(tok) {
				style.Reset()
			} else {
				style.WriteString(tok)
			}
			continue
		}
		r, _ := utf8.DecodeRuneInString(tok)
		w := ansi.StringWidth(tok)
		if w == 0 || r < ' ' {
			continue // combining marks and control characters take no cell here
		}
		if len(cells)+w > width {
			break
		}
		st := style.String()
		if r == ' ' && !hasBackground(st) {
			// A space looks the same in any style without a background
			// or reverse video; keeping it plain lets lines end blank.
			st = ""
		}
		cells = append(cells, cell{r, st})
		for ; w > 1; w-- {
			cells = append(cells, cell{0, st})
		}
	}
	for len(cells) < width {
		cells = append(cells, blank)
	}
	return cells
}

// hasBackground reports whether a style shows on a space: a background
// colour, reverse video or underline.
func hasBackground(style string) bool {
	for style != "" {
		n := tokenLen(style)
		seq := style[:n]
		style = style[n:]
		if !strings.HasSuffix(seq, "m") || len(seq) < 3 {
			continue
		}
		for _, p := range strings.Split(seq[2:len(seq)-1], ";") {
			switch {
			case p == "4", p == "7", len(p) == 2 && p[0] == '4', len(p) == 3 && strings.HasPrefix(p, "10"):
				return true
			}
		}
	}
	return false
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
