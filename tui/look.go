package tui

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// look is how the console draws: which glyphs the terminal can show and
// which styles it gets. Only the 16 ANSI colours are used, because that is
// all the Linux VT has. NO_COLOR takes the colours away but keeps bold and
// reverse video (they are not colours); TERM=dumb takes every escape
// sequence away. Every screen stays usable with no styling at all:
// selection and the active tab are also marked with characters.
type look struct {
	utf8  bool
	color bool // ANSI colours
	attrs bool // bold and reverse video

	plain, title, tab, tabActive, heading, password, good, busy, bad, dim, key, selected, cursor, qrCaption lipgloss.Style
}

// tone is what a piece of text says about the thing it names.
type tone int

const (
	toneNormal tone = iota
	toneGood        // working: up, published
	toneBusy        // on its way: bootstrapping, waiting for a link
	toneBad         // failed
	toneDim         // absent or secondary
)

func (l look) style(t tone) lipgloss.Style {
	switch t {
	case toneGood:
		return l.good
	case toneBusy:
		return l.busy
	case toneBad:
		return l.bad
	case toneDim:
		return l.dim
	}
	return l.plain
}

func (l look) profile() termenv.Profile {
	if l.attrs {
		return termenv.ANSI
	}
	return termenv.Ascii
}

func (l look) paint(t tone, s string) string { return l.style(t).Render(s) }

// boxGlyphs are the corners and edges of a box.
type boxGlyphs struct {
	tl, tr, bl, br, h, v string
}

var (
	unicodeBox = boxGlyphs{"┌", "┐", "└", "┘", "─", "│"}
	asciiBox   = boxGlyphs{"+", "+", "+", "+", "-", "|"}
)

func (l look) box() boxGlyphs {
	if l.utf8 {
		return unicodeBox
	}
	return asciiBox
}

// bars draws a signal strength of 0 to 4 bars as iwctl does, "***-".
// Block elements would merge into one slab.
func (l look) bars(n int) string {
	n = max(0, min(4, n))
	return strings.Repeat("*", n) + l.dim.Render(strings.Repeat("-", 4-n))
}

// clean makes text from outside (network names from the air, interface
// names, file contents, error messages from the bus) safe to draw: control
// characters (an escape sequence in an SSID would drive the terminal) and
// characters that are not one cell wide become '?', and so does anything
// beyond ASCII on a terminal without UTF-8.
func (l look) clean(s string) string {
	ok := true
	for _, r := range s {
		if !l.printable(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !l.printable(r) {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (l look) printable(r rune) bool {
	switch {
	case r >= ' ' && r <= '~':
		return true
	case !l.utf8 || r == utf8.RuneError || r < 0xa0:
		return false
	}
	return ansi.StringWidth(string(r)) == 1
}

// newLook decides the glyphs and styles from the environment.
func newLook(getenv func(string) string) look {
	return makeLook(UTF8Terminal(getenv), getenv("NO_COLOR") == "", getenv("TERM") != "dumb")
}

func makeLook(utf8, color, attrs bool) look {
	l := look{utf8: utf8, color: color && attrs, attrs: attrs}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(l.profile())
	// Set explicitly so that lipgloss never queries the terminal.
	r.SetHasDarkBackground(true)
	s := r.NewStyle
	const (
		red, green, yellow, blue, cyan, white = 1, 2, 3, 4, 6, 7
		brightWhite, brightCyan               = 15, 14
	)
	fg := func(st lipgloss.Style, n int) lipgloss.Style {
		if !l.color {
			return st
		}
		return st.Foreground(lipgloss.ANSIColor(n))
	}
	l.plain = s()
	l.title = s().Bold(true)
	l.tab = s()
	l.tabActive = s().Reverse(true).Bold(true)
	l.heading = fg(s().Bold(true), brightCyan)
	l.password = fg(s().Bold(true), brightWhite)
	l.good = fg(s(), green)
	l.busy = fg(s(), yellow)
	l.bad = fg(s().Bold(true), red)
	l.dim = fg(s(), cyan)
	l.key = fg(s().Bold(true), white)
	l.selected = s().Reverse(true)
	l.cursor = s().Reverse(true)
	l.qrCaption = fg(s().Bold(true), blue)
	return l
}

// UTF8Terminal decides whether the terminal shows UTF-8, from the locale as
// C programs see it: the first non-empty of LC_ALL, LC_CTYPE and LANG. A
// locale naming UTF-8 (en_US.UTF-8, C.utf8) means yes; any other locale
// (C, POSIX, de_DE.ISO-8859-1) means no, and the console then draws with
// ASCII only (the QR code in reverse video). With no locale at all, the
// Linux VT (TERM=linux) is trusted to be in its default UTF-8 mode, which is what a
// console login on a fresh boot has; any other terminal gets ASCII, because
// a serial line without a locale may end at anything.
func UTF8Terminal(getenv func(string) string) bool {
	for _, name := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := getenv(name); v != "" {
			v = strings.ToLower(v)
			return strings.Contains(v, "utf-8") || strings.Contains(v, "utf8")
		}
	}
	return getenv("TERM") == "linux"
}
