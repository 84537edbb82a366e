// Package tui owns the full-screen console that the installer shows on its
// consoles (tty1, serial, hvc0): the status screen with the root password,
// addresses, ssh commands, onion address, Tor state and SSH host keys; the
// QR code with the login data; the WiFi screen; help and key hints.
//
// It is built on bubbletea for input and state, but draws itself (see
// screen): bubbletea v1's renderer flushes on a ticker, so it either wakes
// the process dozens of times a second while idle or delays each redraw.
// Here every update draws at once, and nothing runs between events: the
// network, the state directory, the SSH host keys and iwd all push changes
// (netlink, inotify, D-Bus signals). The only timer rescans for WiFi
// networks while the WiFi screen is shown.
//
// One cost is bubbletea's, not ours: its package init asks the terminal for
// its background colour (through lipgloss and termenv) in every program
// that links it, when standard output is a terminal. The Linux VT and
// terminal emulators answer at once; a serial line with nothing at the
// other end delays the start by termenv's 5 s timeout.
package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/nix-community/installer-console/login"
)

// DefaultComeBack is the line printed after quitting.
const DefaultComeBack = "Type installer-console to show this screen again."

// Options configure Run.
type Options struct {
	// Source is where the login data comes from, and is watched.
	Source login.Source
	// WiFiBus is the D-Bus address of the bus iwd is on; "" is the
	// system bus.
	WiFiBus string
	// In and Out are the terminal; nil means standard input and output.
	In, Out *os.File
	// Getenv reads the environment (LC_ALL, LC_CTYPE, LANG, TERM and
	// NO_COLOR decide glyphs and colours); nil means os.Getenv.
	Getenv func(string) string
	// ComeBack is printed on the terminal after quitting; "" means
	// DefaultComeBack.
	ComeBack string
	// NoWiFiActivation keeps the console from starting iwd through D-Bus
	// activation (preview: change nothing on the host).
	NoWiFiActivation bool
}

// Run shows the console on the terminal until the person quits (q,
// Ctrl-C), the process gets SIGTERM, or ctx is done. The terminal is
// restored and cleared, and ComeBack printed, in every case.
func Run(ctx context.Context, o Options) error {
	in, out := o.In, o.Out
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stdout
	}
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	comeBack := o.ComeBack
	if comeBack == "" {
		comeBack = DefaultComeBack
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l := newLook(getenv)
	// Nothing may ask the terminal anything behind the console's back
	// (lipgloss would query the background colour).
	lipgloss.SetHasDarkBackground(true)
	lipgloss.SetColorProfile(l.profile())

	term, err := openTerminal(in, out)
	if err != nil {
		return err
	}
	width, height := term.size()
	m := newModel(o.Source.Gather(), l, nil, width, height)
	m.comeBack = comeBack
	scr := newScreen(out, width, height)
	// The first frame, before anything else starts.
	drawErr := scr.draw(m.View())

	p := tea.NewProgram(&live{m: m, scr: scr},
		tea.WithContext(ctx),
		tea.WithInput(in),
		tea.WithOutput(out),
		tea.WithoutRenderer())
	if drawErr == nil {
		startSources(ctx, o.Source, p.Send)
		m.wifi.start(ctx, o.WiFiBus, o.NoWiFiActivation, p.Send)
		go resizes(ctx, term, p.Send)
		_, err = p.Run()
	}
	term.restore()
	fmt.Fprintln(out, comeBack)
	switch {
	case drawErr != nil:
		return fmt.Errorf("terminal: %w", drawErr)
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil,
		errors.Is(err, tea.ErrInterrupted): // SIGINT from outside: Ctrl-C is a key here
		return nil
	}
	return err
}

// live draws the model after every update; bubbletea's own renderer is off.
type live struct {
	m   *model
	scr *screen
}

func (l *live) Init() tea.Cmd { return l.m.Init() }

func (l *live) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		l.scr.resize(ws.Width, ws.Height)
	}
	_, cmd := l.m.Update(msg)
	if err := l.scr.draw(l.m.View()); err != nil {
		// The terminal is gone (hangup).
		return l, tea.Quit
	}
	return l, cmd
}

func (l *live) View() string { return "" }

// resizes turns SIGWINCH into size messages (bubbletea does that only with
// its own renderer).
func resizes(ctx context.Context, t *terminal, send func(tea.Msg)) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGWINCH)
	defer signal.Stop(sig)
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			w, h := t.size()
			send(tea.WindowSizeMsg{Width: w, Height: h})
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
