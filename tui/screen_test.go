package tui

import (
	"bytes"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// vt is a minimal terminal: it understands what screen writes (cursor
// position, erase line right, erase screen, styles) and keeps the text of
// each cell and whether it was drawn bold, so tests can check what a real
// terminal would show after a stream of frames. Strict, it rejects
// anything else, and writes that would wrap or scroll; lenient, it skips
// the modes and queries a program sends at start (alternate screen,
// cursor, bracketed paste, OSC queries).
type vt struct {
	w, h     int
	lenient  bool
	cells    [][]rune
	bold     [][]bool
	row, col int
	curBold  bool
	pending  bool   // the cursor sits past the last column (pending wrap)
	partial  string // an escape sequence cut by the end of a read
}

func newVT(w, h int) *vt {
	v := &vt{w: w, h: h}
	v.clear()
	return v
}

func (v *vt) clear() {
	v.cells, v.bold = make([][]rune, v.h), make([][]bool, v.h)
	for i := range v.cells {
		v.cells[i] = []rune(strings.Repeat(" ", v.w))
		v.bold[i] = make([]bool, v.w)
	}
}

func (v *vt) write(b []byte) error {
	s := v.partial + string(b)
	v.partial = ""
	for s != "" {
		if s[0] == ansi.ESC && len(s) > 1 && s[1] == ']' {
			// OSC, up to BEL or ST.
			end := strings.IndexAny(s, "\a")
			if st := strings.Index(s, "\x1b\\"); st >= 0 && (end < 0 || st < end) {
				end = st + 1
			}
			if end < 0 {
				v.partial = s
				return nil
			}
			s = s[end+1:]
			continue
		}
		n := tokenLen(s)
		tok := s[:n]
		if tok[0] == ansi.ESC && (len(tok) < 2 || (tok[1] == '[' && (tok[n-1] < 0x40 || tok[n-1] > 0x7e))) {
			v.partial = s // incomplete sequence
			return nil
		}
		if tok[0] != ansi.ESC && !utf8.ValidString(tok) && len(s) < 4 {
			v.partial = s // a character cut by the end of a read
			return nil
		}
		s = s[n:]
		if tok[0] != ansi.ESC {
			if tok == "\n" || tok == "\r" {
				if v.lenient {
					continue
				}
				return fmt.Errorf("the renderer wrote %q; it must only move the cursor absolutely", tok)
			}
			if v.pending {
				return fmt.Errorf("the renderer wrote %q past the right margin (the terminal would wrap)", tok)
			}
			v.cells[v.row][v.col] = []rune(tok)[0]
			v.bold[v.row][v.col] = v.curBold
			if v.col == v.w-1 {
				v.pending = true
			} else {
				v.col++
			}
			continue
		}
		if len(tok) < 3 || tok[1] != '[' {
			return fmt.Errorf("unexpected escape sequence %q", tok)
		}
		params, final := tok[2:len(tok)-1], tok[len(tok)-1]
		if strings.HasPrefix(params, "?") || final == 'n' {
			if v.lenient {
				continue // modes and queries
			}
			return fmt.Errorf("unexpected %q", tok)
		}
		switch final {
		case 'H':
			v.row, v.col, v.pending = 0, 0, false
			if params != "" {
				p := strings.Split(params, ";")
				v.row, _ = strconv.Atoi(p[0])
				v.row--
				if len(p) > 1 {
					v.col, _ = strconv.Atoi(p[1])
					v.col--
				}
			}
			if v.row < 0 || v.row >= v.h || v.col < 0 || v.col >= v.w {
				return fmt.Errorf("cursor moved off the screen: %q", tok)
			}
		case 'K':
			if params != "" {
				return fmt.Errorf("unexpected %q", tok)
			}
			if v.pending {
				return fmt.Errorf("erase line right at the right margin erases the last character")
			}
			for c := v.col; c < v.w; c++ {
				v.cells[v.row][c], v.bold[v.row][c] = ' ', false
			}
		case 'J':
			if params != "2" {
				return fmt.Errorf("unexpected %q", tok)
			}
			v.clear()
		case 'm':
			for _, p := range strings.Split(params, ";") {
				switch p {
				case "", "0":
					v.curBold = false
				case "1":
					v.curBold = true
				}
			}
		default:
			return fmt.Errorf("unexpected escape sequence %q", tok)
		}
	}
	return nil
}

func (v *vt) text() string {
	var lines []string
	for _, r := range v.cells {
		lines = append(lines, strings.TrimRight(string(r), " "))
	}
	return strings.Join(lines, "\n")
}

// plain is a frame as the terminal should show it.
func plain(frame string, w, h int) string {
	lines := strings.Split(ansi.Strip(frame), "\n")
	for len(lines) < h {
		lines = append(lines, "")
	}
	lines = lines[:h]
	for i, l := range lines {
		lines[i] = strings.TrimRight(ansi.Truncate(l, w, ""), " ")
	}
	return strings.Join(lines, "\n")
}

func TestScreenDrawsOnlyChanges(t *testing.T) {
	var out bytes.Buffer
	s := newScreen(&out, 20, 4)
	s.draw("hello\nworld\n\nend")
	if !strings.HasPrefix(out.String(), "\x1b[m\x1b[2J") {
		t.Fatalf("first frame does not clear the screen: %q", out.String())
	}
	out.Reset()
	s.draw("hello\nworld\n\nend")
	if out.Len() != 0 {
		t.Fatalf("an unchanged frame wrote %q", out.String())
	}
	s.draw("hello\nwormhole\n\nend")
	// Only line 2, from its first changed cell (column 4).
	if got, want := out.String(), "\x1b[2;4Hmhole"; got != want {
		t.Fatalf("changed line wrote %q, want %q", got, want)
	}
	out.Reset()
	s.draw("hello\nworm\n\nend")
	// A shorter line: the rest is erased, not overwritten with spaces.
	if got, want := out.String(), "\x1b[2;5H\x1b[K"; got != want {
		t.Fatalf("shortened line wrote %q, want %q", got, want)
	}
	out.Reset()
	s.resize(30, 4)
	s.draw("hello\nwormhole\n\nend")
	if !strings.Contains(out.String(), "\x1b[2J") || !strings.Contains(out.String(), "wormhole") {
		t.Fatalf("after a resize the frame is not repainted: %q", out.String())
	}
}

func TestScreenKeepsStyleWhenStartingMidLine(t *testing.T) {
	var out bytes.Buffer
	s := newScreen(&out, 40, 1)
	bold := func(x string) string { return "\x1b[1m" + x + "\x1b[m" }
	s.draw("Tor " + bold("bootstrapping 10%"))
	out.Reset()
	s.draw("Tor " + bold("bootstrapping 25%"))
	// Only the changed digits, in bold.
	if got, want := out.String(), "\x1b[1;19H\x1b[1m25\x1b[m"; got != want {
		t.Fatalf("wrote %q, want %q", got, want)
	}
}

// TestScreenMatchesFrames feeds random frame sequences (styled, of random
// widths, some filling the full width) through the renderer into the
// minimal terminal and checks that it always shows the last frame.
func TestScreenMatchesFrames(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	words := []string{"ssh", "root@192.0.2.1", "█▀▄", "published", "bootstrapping 45%", "wlan0", "", "a", "password-is-here"}
	const w, h = 30, 6
	var out bytes.Buffer
	s := newScreen(&out, w, h)
	term := newVT(w, h)
	for i := range 500 {
		var lines []string
		for range h {
			var b strings.Builder
			for n := rng.Intn(5); n > 0; n-- {
				word := words[rng.Intn(len(words))]
				if rng.Intn(3) == 0 {
					word = "\x1b[1m" + word + "\x1b[m"
				}
				b.WriteString(word + " ")
			}
			if rng.Intn(6) == 0 {
				b.WriteString(strings.Repeat("x", w)) // overflows: cut to the width
			}
			lines = append(lines, b.String())
		}
		frame := strings.Join(lines, "\n")
		out.Reset()
		if err := s.draw(frame); err != nil {
			t.Fatal(err)
		}
		if err := term.write(out.Bytes()); err != nil {
			t.Fatal(err)
		}
		if got, want := term.text(), plain(frame, w, h); got != want {
			t.Fatalf("frame %d: terminal shows\n%s\nwant\n%s\nbytes %q", i, got, want, out.String())
		}
		// Bold cells are bold, others not.
		for r, l := range strings.Split(frame, "\n") {
			col := 0
			bold := false
			for l != "" && col < w {
				n := tokenLen(l)
				tok := l[:n]
				l = l[n:]
				if tok[0] == ansi.ESC {
					bold = tok == "\x1b[1m"
					continue
				}
				// Spaces look the same either way.
				if tok != " " && term.bold[r][col] != bold {
					t.Fatalf("frame %d: cell %d,%d bold=%v, want %v", i, r, col, term.bold[r][col], bold)
				}
				col++
			}
		}
	}
}

// TestStatusChangeBytes: a status change rewrites a few dozen bytes, not
// the screen (the serial console's budget is 11 KB/s at 115200 baud).
func TestStatusChangeBytes(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		m := demoModel(size[0], size[1])
		m.look = makeLook(true, true, true)
		var out bytes.Buffer
		s := newScreen(&out, size[0], size[1])
		s.draw(m.View())
		first := out.Len()
		out.Reset()
		m.info.Tor.State, m.info.Tor.Bootstrap = "bootstrapping", 55
		s.draw(m.View())
		t.Logf("%dx%d: first frame %d bytes, Tor state change %d bytes: %q", size[0], size[1], first, out.Len(), out.String())
		if out.Len() > 60 {
			t.Errorf("%dx%d: a Tor state change wrote %d bytes", size[0], size[1], out.Len())
		}
	}
}

func TestCursorTo(t *testing.T) {
	if got := fmt.Sprintf("%q %q", cursorTo(0, 4), cursorTo(9, 0)); got != `"\x1b[5H" "\x1b[1;10H"` {
		t.Fatal(got)
	}
}
