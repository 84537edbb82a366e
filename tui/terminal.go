package tui

import (
	"errors"
	"fmt"
	"os"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/term"
)

// Serial consoles do not know their size (the kernel reports 0x0 unless
// someone ran stty), so the console assumes the classic terminal then.
const (
	fallbackWidth  = 80
	fallbackHeight = 24
)

// terminal is the console's terminal while it runs: raw input, the
// alternate screen, no cursor, bracketed paste for pasted passphrases.
type terminal struct {
	in, out *os.File
	saved   *term.State
}

func openTerminal(in, out *os.File) (*terminal, error) {
	if !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) {
		return nil, errors.New("the console needs a terminal for its input and output; for plain text, run installer-console status")
	}
	saved, err := term.MakeRaw(int(in.Fd()))
	if err != nil {
		return nil, fmt.Errorf("terminal raw mode: %w", err)
	}
	t := &terminal{in: in, out: out, saved: saved}
	_, err = out.WriteString(ansi.SetAltScreenSaveCursorMode + ansi.HideCursor + ansi.SetBracketedPasteMode)
	if err != nil {
		t.restore()
		return nil, fmt.Errorf("terminal: %w", err)
	}
	return t, nil
}

// size returns the terminal's size, or 80x24 when it does not know it.
func (t *terminal) size() (width, height int) {
	return terminalSize(t.out)
}

func terminalSize(f *os.File) (width, height int) {
	w, h, err := term.GetSize(int(f.Fd()))
	if err != nil || w <= 0 || h <= 0 {
		return fallbackWidth, fallbackHeight
	}
	return w, h
}

// restore leaves the terminal as it was, with an empty screen: on the Linux
// VT, which has no alternate screen, the shell prompt then starts at the
// top instead of below a stale frame.
func (t *terminal) restore() {
	_, _ = t.out.WriteString(ansi.ResetStyle + ansi.EraseEntireScreen + ansi.CursorHomePosition +
		ansi.ResetBracketedPasteMode + ansi.ShowCursor + ansi.ResetAltScreenSaveCursorMode)
	_ = term.Restore(int(t.in.Fd()), t.saved)
}
