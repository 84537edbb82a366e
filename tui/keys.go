package tui

import (
	"github.com/charmbracelet/bubbles/key"
)

// The key bindings, with the words the footer and the help show for them.
// Only plain keys: a serial terminal or the Linux VT may not send anything
// fancier.
var keys = struct {
	Interrupt, Quit, Help, CloseHelp                            key.Binding
	Status, WiFi, QR, Next, Prev                                key.Binding
	Up, Down, PageUp, PageDown, Top, Bottom                     key.Binding
	Connect, Scan, Hidden, Disconnect, Forget, AutoConnect      key.Binding
	Power, Device, Submit, Cancel, Reveal, Yes, No, ScreenHints key.Binding
}{
	Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
	Help:      key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?", "help")),
	CloseHelp: key.NewBinding(key.WithKeys("?", "esc", "enter", "f1", " "), key.WithHelp("esc", "close help")),

	Status:      key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "status")),
	WiFi:        key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "WiFi")),
	QR:          key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "QR code")),
	ScreenHints: key.NewBinding(key.WithKeys(), key.WithHelp("1-3", "screens")),
	Next:        key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
	Prev:        key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),

	Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("up/k", "up")),
	Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("down/j", "down")),
	PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
	PageDown: key.NewBinding(key.WithKeys("pgdown", " "), key.WithHelp("pgdn", "page down")),
	Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home", "top")),
	Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end", "bottom")),

	Connect:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "connect")),
	Scan:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "scan")),
	Hidden:      key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "hidden network")),
	Disconnect:  key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "disconnect")),
	Forget:      key.NewBinding(key.WithKeys("f", "delete"), key.WithHelp("f", "forget")),
	AutoConnect: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "autoconnect on/off")),
	Power:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "switch WiFi on")),
	Device:      key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "next WiFi device")),

	Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "OK")),
	Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	Reveal: key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "show/hide")),
	Yes:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
	No:     key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
}

// hintOf is a binding's help, for the footer and the help overlay.
func hintOf(b key.Binding) hint {
	h := b.Help()
	return hint{h.Key, h.Desc}
}
