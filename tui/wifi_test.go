package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/nix-community/installer-console/wifi/fakeiwd"
)

// loop runs a model the way the program does, in the test's goroutine:
// messages from the sources and from commands go through Update.
type loop struct {
	t    *testing.T
	m    *model
	msgs chan tea.Msg
}

func newLoop(t *testing.T, m *model) *loop {
	return &loop{t: t, m: m, msgs: make(chan tea.Msg, 64)}
}

func (l *loop) send(msg tea.Msg) { l.msgs <- msg }

// run executes a command in the background, as bubbletea does.
func (l *loop) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				l.run(c)
			}
		default:
			l.send(msg)
		}
	}()
}

func (l *loop) key(k string) {
	_, cmd := l.m.Update(keyMsg(k))
	l.run(cmd)
}

// until processes messages until the screen satisfies ok.
func (l *loop) until(what string, ok func(view string) bool) string {
	l.t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		if v := l.m.View(); ok(v) {
			return v
		}
		select {
		case msg := <-l.msgs:
			_, cmd := l.m.Update(msg)
			l.run(cmd)
		case <-deadline:
			l.t.Fatalf("timed out waiting for %s:\n%s", what, l.m.View())
		}
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "ctrl+t":
		return tea.KeyMsg{Type: tea.KeyCtrlT}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func contains(parts ...string) func(string) bool {
	return func(v string) bool {
		for _, p := range parts {
			if !strings.Contains(v, p) {
				return false
			}
		}
		return true
	}
}

// startWiFi gives a model a real WiFi client on a private bus with the
// fake iwd (no WiFi hardware here), and shows the WiFi screen.
func startWiFi(t *testing.T, sc fakeiwd.Scenario) (*loop, *fakeiwd.Fake) {
	t.Helper()
	bus := fakeiwd.StartBus(t)
	fake := fakeiwd.Start(t, bus, sc)
	m := demoModel(100, 30)
	m.wifi = newWiFiScreen(m.look)
	l := newLoop(t, m)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m.wifi.start(ctx, bus, false, l.send)
	l.key("2")
	return l, fake
}

// TestPassphrasePromptClosesWhenIwdGivesUp: iwd withdraws its request
// (Cancel "timed-out") while the prompt is open; the prompt closes and
// says why.
func TestPassphrasePromptClosesWhenIwdGivesUp(t *testing.T) {
	sc := fakeiwd.Demo()
	sc.AgentTimeout = 300 * time.Millisecond
	l, _ := startWiFi(t, sc)
	l.until("the networks", contains("Home", "Neighbour"))
	for !strings.Contains(l.m.View(), "> Home ") {
		l.key("down")
	}
	l.key("enter")
	l.until("the prompt", contains(`WiFi passphrase for "Home"`))
	l.until("the prompt to close", func(v string) bool { return !strings.Contains(v, "WiFi passphrase for") })
	l.until("the reason", contains("timed-out"))
	if l.m.wifi.typing() {
		t.Fatal("still in the prompt")
	}
}

// TestWiFiOffCanBeSwitchedOn: an adapter blocked by rfkill (soft) is
// shown as off, p switches it on, and the networks appear.
func TestWiFiOffCanBeSwitchedOn(t *testing.T) {
	sc := fakeiwd.Demo()
	sc.Adapters[0].SoftBlocked = true
	l, _ := startWiFi(t, sc)
	l.until("the adapter off", contains("WiFi is off", "blocked (rfkill)", "Press p"))
	l.key("p")
	l.until("the networks", contains("Home", "Cafe", "Switched wlan0 on."))
}

// TestNoIwd: a bus without iwd gives a plain sentence, not an error.
func TestNoIwd(t *testing.T) {
	bus := fakeiwd.StartBus(t)
	m := demoModel(100, 30)
	m.wifi = newWiFiScreen(m.look)
	l := newLoop(t, m)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.wifi.start(ctx, bus, false, l.send)
	l.key("2")
	l.until("the sentence", contains("No WiFi (iwd not running)."))
}
