package tui

import (
	"strings"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
)

// field is a one-line text entry: typing, pasting, backspace, delete,
// left/right/home/end, ctrl+u (clear) and ctrl+w (delete a word). When
// masked it shows one '*' per character. The cursor is drawn as a block
// that does not blink: nothing on the console animates.
type field struct {
	runes  []rune
	pos    int
	masked bool
}

func (f *field) value() string { return string(f.runes) }

func (f *field) reset() { f.runes, f.pos = nil, 0 }

// key applies a key press; it reports whether the key was an edit.
func (f *field) key(k tea.KeyMsg) bool {
	switch k.Type {
	case tea.KeyRunes, tea.KeySpace:
		var in []rune
		for _, r := range k.Runes {
			// Pasted text may end with a newline; control characters
			// never belong in a passphrase or a network name.
			if !unicode.IsControl(r) {
				in = append(in, r)
			}
		}
		if k.Type == tea.KeySpace && len(in) == 0 {
			in = []rune{' '}
		}
		f.runes = append(f.runes[:f.pos], append(in, f.runes[f.pos:]...)...)
		f.pos += len(in)
	case tea.KeyBackspace, tea.KeyCtrlH:
		if f.pos > 0 {
			f.runes = append(f.runes[:f.pos-1], f.runes[f.pos:]...)
			f.pos--
		}
	case tea.KeyDelete, tea.KeyCtrlD:
		if f.pos < len(f.runes) {
			f.runes = append(f.runes[:f.pos], f.runes[f.pos+1:]...)
		}
	case tea.KeyLeft, tea.KeyCtrlB:
		f.pos = max(0, f.pos-1)
	case tea.KeyRight, tea.KeyCtrlF:
		f.pos = min(len(f.runes), f.pos+1)
	case tea.KeyHome, tea.KeyCtrlA:
		f.pos = 0
	case tea.KeyEnd, tea.KeyCtrlE:
		f.pos = len(f.runes)
	case tea.KeyCtrlU:
		f.runes = append([]rune(nil), f.runes[f.pos:]...)
		f.pos = 0
	case tea.KeyCtrlW:
		start := f.pos
		for start > 0 && f.runes[start-1] == ' ' {
			start--
		}
		for start > 0 && f.runes[start-1] != ' ' {
			start--
		}
		f.runes = append(f.runes[:start], f.runes[f.pos:]...)
		f.pos = start
	default:
		return false
	}
	return true
}

// view draws the field width cells wide, scrolled so that the cursor is
// visible; cursor draws the character under the cursor.
func (f *field) view(width int, cursor func(...string) string) string {
	shown := f.runes
	if f.masked {
		shown = []rune(strings.Repeat("*", len(f.runes)))
	}
	width = max(2, width)
	start := 0
	if f.pos >= width {
		start = f.pos - width + 1
	}
	var b strings.Builder
	for i := start; i < start+width; i++ {
		c := "_"
		if i < len(shown) {
			c = string(shown[i])
		}
		if i == f.pos {
			c = cursor(c)
		}
		b.WriteString(c)
	}
	return b.String()
}
