package tui

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/wifi"
)

const (
	// scanEvery is how often the WiFi screen scans while it is shown, so
	// that the list stays current without a key press. Nothing scans while
	// the screen is hidden (iwd does its own background scans).
	scanEvery = 20 * time.Second
	// addressTimeout is how long to wait for DHCP after connecting before
	// saying that it gave no address.
	addressTimeout = 30 * time.Second
)

// errPromptCancelled is the answer to iwd when the person cancels the
// passphrase prompt.
var errPromptCancelled = errors.New("you cancelled the passphrase prompt")

type wifiMode int

const (
	modeList wifiMode = iota
	modePassphrase
	modeHidden
	modeForget
)

// wifiScreen is the WiFi screen: the adapter's state with a power-on
// action, the networks in range, connecting with a masked passphrase
// prompt, a hidden network form, disconnect, forget with confirmation, and
// the outcome of each action in words. It follows iwd through the wifi
// package's events; its own timer only rescans while it is shown.
type wifiScreen struct {
	look look
	ctx  context.Context
	send func(tea.Msg)

	client  *wifi.Client
	dialing bool
	dialErr error
	snap    wifi.Snapshot
	ifs     []login.Interface // for the WiFi device's address

	shown    bool
	gen      int  // scan loop generation: a hidden screen ends its loop
	looping  bool // a scan or the wait for the next one is under way
	scanErr  string
	dev      int       // index into snap.Devices
	sel      wifi.Path // selected network
	selIndex int       // its row, kept when it leaves the list

	mode   wifiMode
	input  field
	prompt *passPrompt
	forget wifi.KnownNetwork

	msg     string
	msgTone tone
}

// passPrompt is iwd's open request for a passphrase.
type passPrompt struct {
	req     wifi.PassphraseRequest
	reply   chan passReply
	problem string
}

type passReply struct {
	pass string
	err  error
}

// Messages of the WiFi screen.
type (
	wifiDialedMsg struct {
		client *wifi.Client
		err    error
	}
	wifiChangedMsg  struct{ snap wifi.Snapshot }
	wifiGoneMsg     struct{}
	wifiScanDoneMsg struct {
		gen int
		err error
	}
	wifiRescanMsg struct{ gen int }
	wifiAskMsg    struct {
		req   wifi.PassphraseRequest
		reply chan passReply
	}
	wifiAskGoneMsg struct {
		reply chan passReply
		cause error
	}
	wifiConnectedMsg struct {
		ssid, ifname string
		err          error
	}
	wifiAddressMsg struct {
		ssid, ifname string
		addr         netip.Prefix
		err          error
	}
	wifiDoneMsg struct {
		done string // what to say when it worked
		err  error
	}
)

func newWiFiScreen(l look) *wifiScreen {
	return &wifiScreen{look: l, ctx: context.Background(), send: func(tea.Msg) {}, dialing: true}
}

// start connects to iwd in the background and forwards its events.
func (w *wifiScreen) start(ctx context.Context, bus string, noActivation bool, send func(tea.Msg)) {
	w.ctx, w.send = ctx, send
	var opts []wifi.DialOption
	if noActivation {
		opts = append(opts, wifi.WithoutActivation())
	}
	go func() {
		c, err := wifi.Dial(ctx, bus, opts...)
		send(wifiDialedMsg{c, err})
		if err != nil {
			return
		}
		go func() {
			<-ctx.Done()
			c.Close()
		}()
		for range c.Events() {
			send(wifiChangedMsg{c.Snapshot()})
		}
		send(wifiGoneMsg{})
	}()
}

// device returns the WiFi device shown, if there is one.
func (w *wifiScreen) device() (wifi.Device, bool) {
	if len(w.snap.Devices) == 0 {
		return wifi.Device{}, false
	}
	w.dev = min(w.dev, len(w.snap.Devices)-1)
	return w.snap.Devices[w.dev], true
}

func (w *wifiScreen) networks() []wifi.Network {
	if d, ok := w.device(); ok && d.Station != nil {
		return d.Station.Networks
	}
	return nil
}

// selected returns the selected network; the selection follows the network
// when the list is reordered, and stays on the same row when it goes.
func (w *wifiScreen) selected() (wifi.Network, int, bool) {
	ns := w.networks()
	if len(ns) == 0 {
		return wifi.Network{}, 0, false
	}
	for i, n := range ns {
		if n.Path == w.sel {
			w.selIndex = i
			return n, i, true
		}
	}
	i := min(w.selIndex, len(ns)-1)
	w.sel, w.selIndex = ns[i].Path, i
	return ns[i], i, true
}

func (w *wifiScreen) known(n wifi.Network) (wifi.KnownNetwork, bool) {
	for _, k := range w.snap.KnownNetworks {
		if k.Path == n.KnownNetwork {
			return k, true
		}
	}
	return wifi.KnownNetwork{}, false
}

func (w *wifiScreen) typing() bool { return w.mode != modeList }

// visible is called when the screen is shown or hidden: showing it starts
// the scan loop.
func (w *wifiScreen) visible(shown bool) tea.Cmd {
	w.shown = shown
	w.gen++
	w.looping = false
	if shown {
		return w.scanLoop()
	}
	return nil
}

// scanLoop scans now if the device can, and the loop goes on from
// wifiScanDoneMsg.
func (w *wifiScreen) scanLoop() tea.Cmd {
	d, ok := w.device()
	if !w.shown || w.looping || w.client == nil || !ok || d.Station == nil {
		return nil
	}
	w.looping = true
	return w.scanCmd(d, w.gen)
}

func (w *wifiScreen) scanCmd(d wifi.Device, gen int) tea.Cmd {
	c, ctx := w.client, w.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		return wifiScanDoneMsg{gen, c.Scan(ctx, d.Path)}
	}
}

func (w *wifiScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case wifiDialedMsg:
		w.dialing = false
		w.client, w.dialErr = msg.client, msg.err
	case wifiChangedMsg:
		w.snap = w.cleanSnapshot(msg.snap)
		return w.scanLoop()
	case wifiGoneMsg:
		w.client, w.snap = nil, wifi.Snapshot{}
		w.dialErr = errors.New("lost the connection to the system bus")
	case wifiScanDoneMsg:
		if msg.gen != w.gen {
			return nil
		}
		w.scanErr = ""
		if msg.err != nil && !errors.Is(msg.err, context.Canceled) {
			w.scanErr = msg.err.Error()
		}
		gen := w.gen
		return tea.Tick(scanEvery, func(time.Time) tea.Msg { return wifiRescanMsg{gen} })
	case wifiRescanMsg:
		if msg.gen == w.gen {
			w.looping = false
			return w.scanLoop()
		}
	case wifiAskMsg:
		if w.prompt != nil {
			// One prompt at a time; iwd asks again if it must.
			msg.reply <- passReply{err: errors.New("another passphrase prompt is open")}
			return nil
		}
		msg.req.SSID = w.look.clean(msg.req.SSID)
		w.prompt = &passPrompt{req: msg.req, reply: msg.reply}
		w.mode = modePassphrase
		w.input = field{masked: true}
		w.say("", toneNormal)
	case wifiAskGoneMsg:
		if w.prompt != nil && w.prompt.reply == msg.reply {
			w.prompt, w.mode = nil, modeList
			w.say(fmt.Sprint(msg.cause), toneBad)
		}
	case wifiConnectedMsg:
		switch {
		case errors.Is(msg.err, errPromptCancelled):
			w.say("Not connected to "+quote(msg.ssid)+": cancelled.", toneDim)
		case msg.err != nil:
			w.say(sentence(msg.err), toneBad)
		default:
			w.say("Connected to "+quote(msg.ssid)+". Waiting for an address (DHCP)...", toneBusy)
			return w.addressCmd(msg.ssid, msg.ifname)
		}
	case wifiAddressMsg:
		switch {
		case errors.Is(msg.err, wifi.ErrNoAddress):
			w.say("Connected to "+quote(msg.ssid)+", but DHCP gave "+msg.ifname+" no address within "+
				addressTimeout.String()+". Is there a DHCP server on this network?", toneBad)
		case msg.err != nil:
			w.say("Connected to "+quote(msg.ssid)+", but its address cannot be watched: "+msg.err.Error(), toneBad)
		default:
			a := msg.addr.Addr().String()
			w.say("Connected to "+quote(msg.ssid)+": "+msg.ifname+" has "+a+". Log in with ssh root@"+a, toneGood)
		}
	case wifiDoneMsg:
		if msg.err != nil {
			w.say(sentence(msg.err), toneBad)
		} else {
			w.say(msg.done, toneGood)
		}
	}
	return nil
}

func (w *wifiScreen) say(s string, t tone) { w.msg, w.msgTone = w.look.clean(s), t }

// cleanSnapshot makes the names in iwd's state safe to draw: SSIDs come
// from the air (see look.clean). Paths, which actions use, stay as they are.
func (w *wifiScreen) cleanSnapshot(s wifi.Snapshot) wifi.Snapshot {
	c := w.look.clean
	for i := range s.Adapters {
		a := &s.Adapters[i]
		a.Name, a.Model, a.Vendor = c(a.Name), c(a.Model), c(a.Vendor)
	}
	for i := range s.Devices {
		d := &s.Devices[i]
		// d.Name stays raw: WaitForAddress looks the interface up by it.
		d.AdapterName = c(d.AdapterName)
		if d.Station != nil {
			st := *d.Station
			st.Networks = append([]wifi.Network(nil), st.Networks...)
			for j := range st.Networks {
				st.Networks[j].SSID = c(st.Networks[j].SSID)
			}
			d.Station = &st
		}
	}
	for i := range s.KnownNetworks {
		s.KnownNetworks[i].SSID = c(s.KnownNetworks[i].SSID)
	}
	s.Problem = c(s.Problem)
	return s
}

func (w *wifiScreen) key(k tea.KeyMsg) tea.Cmd {
	switch w.mode {
	case modePassphrase:
		return w.passphraseKey(k)
	case modeHidden:
		return w.hiddenKey(k)
	case modeForget:
		switch {
		case key.Matches(k, keys.Yes):
			w.mode = modeList
			kn := w.forget
			return w.action("Forgot "+quote(kn.SSID)+".", func(c *wifi.Client, ctx context.Context) error {
				return c.Forget(ctx, kn.Path)
			}, "Forgetting "+quote(kn.SSID)+"...")
		case key.Matches(k, keys.No):
			w.mode = modeList
		}
		return nil
	}
	return w.listKey(k)
}

func (w *wifiScreen) listKey(k tea.KeyMsg) tea.Cmd {
	d, haveDev := w.device()
	n, i, haveNet := w.selected()
	switch {
	case key.Matches(k, keys.Up) && haveNet:
		w.selectRow(i - 1)
	case key.Matches(k, keys.Down) && haveNet:
		w.selectRow(i + 1)
	case key.Matches(k, keys.Device) && len(w.snap.Devices) > 1:
		w.dev = (w.dev + 1) % len(w.snap.Devices)
		w.looping = false
		return w.scanLoop()
	case key.Matches(k, keys.Power) && haveDev && d.Station == nil:
		return w.action("Switched "+d.Name+" on.", func(c *wifi.Client, ctx context.Context) error {
			return c.PowerOn(ctx, d.Path)
		}, "Switching "+d.Name+" on...")
	case key.Matches(k, keys.Scan) && haveDev && d.Station != nil && w.client != nil:
		if !w.looping {
			w.looping = true
			return w.scanCmd(d, w.gen)
		}
	case key.Matches(k, keys.Hidden) && haveDev && d.Station != nil:
		w.mode, w.input = modeHidden, field{}
		w.say("", toneNormal)
	case key.Matches(k, keys.Disconnect) && haveDev && d.Station != nil && d.Station.State != "disconnected":
		return w.action("Disconnected "+d.Name+".", func(c *wifi.Client, ctx context.Context) error {
			return c.Disconnect(ctx, d.Path)
		}, "Disconnecting "+d.Name+"...")
	case key.Matches(k, keys.Forget) && haveNet && n.Known:
		if kn, ok := w.known(n); ok {
			w.mode, w.forget = modeForget, kn
		}
	case key.Matches(k, keys.AutoConnect) && haveNet && n.Known:
		if kn, ok := w.known(n); ok {
			on := !kn.AutoConnect
			done := "Autoconnect to " + quote(kn.SSID) + " is " + map[bool]string{true: "on", false: "off"}[on] + "."
			return w.action(done, func(c *wifi.Client, ctx context.Context) error {
				return c.SetAutoConnect(ctx, kn.Path, on)
			}, "")
		}
	case key.Matches(k, keys.Connect) && haveNet:
		if n.Connected {
			w.say("Already connected to "+quote(n.SSID)+".", toneNormal)
			return nil
		}
		if w.client == nil {
			return nil
		}
		w.say("Connecting to "+quote(n.SSID)+"...", toneBusy)
		c, ctx, ask, ifname := w.client, w.ctx, w.asker(), d.Name
		return func() tea.Msg {
			return wifiConnectedMsg{n.SSID, ifname, c.Connect(ctx, n.Path, ask)}
		}
	}
	return nil
}

func (w *wifiScreen) selectRow(i int) {
	ns := w.networks()
	i = max(0, min(len(ns)-1, i))
	w.sel, w.selIndex = ns[i].Path, i
}

// action runs a WiFi action in the background and says how it went.
func (w *wifiScreen) action(done string, do func(*wifi.Client, context.Context) error, progress string) tea.Cmd {
	if w.client == nil {
		return nil
	}
	if progress != "" {
		w.say(progress, toneBusy)
	}
	c, ctx := w.client, w.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		return wifiDoneMsg{done, do(c, ctx)}
	}
}

// asker answers iwd's passphrase requests with the prompt: it opens the
// prompt through the program and waits for the answer, or for iwd to
// withdraw the request, which closes the prompt.
func (w *wifiScreen) asker() wifi.PassphraseFunc {
	send := w.send
	return func(ctx context.Context, req wifi.PassphraseRequest) (string, error) {
		reply := make(chan passReply, 1)
		send(wifiAskMsg{req, reply})
		select {
		case r := <-reply:
			return r.pass, r.err
		case <-ctx.Done():
			cause := context.Cause(ctx)
			send(wifiAskGoneMsg{reply, cause})
			return "", cause
		}
	}
}

func (w *wifiScreen) addressCmd(ssid, ifname string) tea.Cmd {
	ctx := w.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, addressTimeout)
		defer cancel()
		p, err := wifi.WaitForAddress(ctx, ifname, nil)
		return wifiAddressMsg{ssid, ifname, p, err}
	}
}

func (w *wifiScreen) passphraseKey(k tea.KeyMsg) tea.Cmd {
	p := w.prompt
	switch {
	case key.Matches(k, keys.Submit):
		pass := w.input.value()
		if err := wifi.ValidatePassphrase(pass); err != nil {
			p.problem = sentence(err)
			return nil
		}
		p.reply <- passReply{pass: pass}
		w.prompt, w.mode = nil, modeList
		w.say("Connecting to "+quote(p.req.SSID)+"...", toneBusy)
	case key.Matches(k, keys.Cancel):
		p.reply <- passReply{err: errPromptCancelled}
		w.prompt, w.mode = nil, modeList
	case key.Matches(k, keys.Reveal):
		w.input.masked = !w.input.masked
	default:
		if w.input.key(k) {
			p.problem = ""
		}
	}
	return nil
}

func (w *wifiScreen) hiddenKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, keys.Submit):
		ssid := w.input.value()
		if err := wifi.ValidateSSID(ssid); err != nil {
			w.say(sentence(err), toneBad)
			return nil
		}
		d, ok := w.device()
		if !ok || w.client == nil {
			return nil
		}
		w.mode = modeList
		w.say("Looking for hidden network "+quote(ssid)+"...", toneBusy)
		c, ctx, ask := w.client, w.ctx, w.asker()
		return func() tea.Msg {
			return wifiConnectedMsg{ssid, d.Name, c.ConnectHidden(ctx, d.Path, ssid, ask)}
		}
	case key.Matches(k, keys.Cancel):
		w.mode = modeList
		w.say("", toneNormal)
	default:
		w.input.key(k)
	}
	return nil
}

// view draws the screen in width x h cells.
func (w *wifiScreen) view(width, h int) []string {
	l := w.look
	var out []string
	add := func(s ...string) { out = append(out, s...) }
	d, ok := w.device()
	switch {
	case w.dialing:
		return []string{"", " " + l.dim.Render("Looking for iwd...")}
	case errors.Is(w.dialErr, wifi.ErrNotRunning):
		return []string{"", " " + l.dim.Render("No WiFi (iwd not running).")}
	case w.dialErr != nil:
		return append([]string{""}, wrapStyled(" ", "No WiFi: "+sentence(w.dialErr), width, l.bad)...)
	case !w.snap.Running:
		return []string{"", " " + l.dim.Render("No WiFi (iwd not running).")}
	case !ok:
		return []string{"", " " + l.dim.Render("No WiFi adapter found.")}
	}
	add(w.deviceLine(d, width))
	switch {
	case d.Station == nil:
		why := "off"
		if _, err := d.Ready(); err != nil {
			why = strings.TrimPrefix(err.Error(), wifi.ErrDeviceOff.Error()+": ")
		}
		add(wrapStyled(" ", "WiFi is off: "+why+". Press p to switch it on.", width, l.busy)...)
	case d.Station.Scanning:
		add(" " + l.dim.Render("Scanning..."))
	case w.scanErr != "":
		add(wrapStyled(" ", w.scanErr, width, l.dim)...)
	default:
		add("")
	}
	add("")

	// The prompt or the last message goes right under the list, where the
	// eyes are.
	bottom := w.bottomLines(width)
	listH := h - len(out) - 1 - len(bottom)
	if d.Station != nil {
		out = append(out, w.networkLines(width, listH)...)
	}
	if len(bottom) > 0 {
		out = append(out, "")
		out = append(out, bottom...)
	}
	return out
}

func (w *wifiScreen) deviceLine(d wifi.Device, width int) string {
	l := w.look
	var parts []string
	name := l.clean(d.Name)
	if d.AdapterName != "" {
		name += " (" + d.AdapterName + ")"
	}
	parts = append(parts, l.heading.Render("WiFi "+name))
	if len(w.snap.Devices) > 1 {
		parts = append(parts, l.dim.Render(fmt.Sprintf("%d of %d, i: next", w.dev+1, len(w.snap.Devices))))
	}
	if d.Station == nil {
		parts = append(parts, l.busy.Render("off"))
	} else {
		st := d.Station.State
		if n, ok := d.Station.Connected(); ok {
			st = "connected to " + n.SSID
		}
		t := toneBusy
		if d.Station.State == "connected" {
			t = toneGood
		}
		parts = append(parts, l.paint(t, st))
		for _, ifc := range w.ifs {
			if ifc.Name == d.Name && len(ifc.Addrs) > 0 {
				parts = append(parts, ifc.Addrs[0].String())
			}
		}
	}
	return ansi.Truncate(" "+strings.Join(parts, "  "), width, "")
}

// networkLines is the list of networks, scrolled to keep the selection in
// view, in at most h lines.
func (w *wifiScreen) networkLines(width, h int) []string {
	l := w.look
	ns := w.networks()
	if len(ns) == 0 {
		return []string{" " + l.dim.Render("No networks found yet.")}
	}
	_, sel, _ := w.selected()
	ssidW := 8
	for _, n := range ns {
		ssidW = max(ssidW, min(32, ansi.StringWidth(n.SSID)))
	}
	ssidW = min(ssidW, max(8, width-34))
	out := []string{l.dim.Render("   " + padRight("Network", ssidW) + "  Security  Signal      ")}
	rows := max(1, h-1)
	top := 0
	if sel >= rows {
		top = sel - rows + 1
	}
	for i := top; i < len(ns) && i < top+rows; i++ {
		n := ns[i]
		mark := "  "
		if i == sel {
			mark = "> "
		}
		var flags []string
		switch {
		case n.Connected:
			flags = append(flags, l.good.Render("connected"))
		case w.isConnecting(n):
			flags = append(flags, l.busy.Render("connecting"))
		}
		if n.Known {
			f := "known"
			if k, ok := w.known(n); ok && !k.AutoConnect {
				f += ", no autoconnect"
			}
			flags = append(flags, l.dim.Render(f))
		}
		ssid := padRight(ansi.Truncate(n.SSID, ssidW, "~"), ssidW)
		bars := l.bars(n.Bars)
		if i == sel {
			bars = ansi.Strip(bars) // one style for the whole selected row
		}
		row := " " + mark + ssid + "  " + padRight(securityName(n.Security), 8) + "  " + bars +
			fmt.Sprintf(" %4d dBm", n.SignalDBm)
		if i == sel {
			row = l.selected.Render(row)
		}
		out = append(out, row+"  "+strings.Join(flags, ", "))
	}
	if len(ns) > top+rows {
		out[len(out)-1] = " " + l.dim.Render(fmt.Sprintf("  ... %d more (up/down)", len(ns)-top-rows+1))
	}
	return out
}

func (w *wifiScreen) isConnecting(n wifi.Network) bool {
	d, ok := w.device()
	return ok && d.Station != nil && d.Station.ConnectedNetwork == n.Path &&
		(d.Station.State == "connecting" || d.Station.State == "roaming")
}

// bottomLines is the prompt or form being filled in, or the last message.
func (w *wifiScreen) bottomLines(width int) []string {
	l := w.look
	fieldW := min(40, max(10, width-34))
	switch w.mode {
	case modePassphrase:
		p := w.prompt
		what := "WiFi passphrase for " + quote(p.req.SSID)
		if p.req.Hidden {
			what += " (hidden)"
		}
		show := "ctrl+t shows it"
		if !w.input.masked {
			show = "ctrl+t hides it"
		}
		out := []string{
			" " + l.heading.Render(what+":") + " " + w.input.view(fieldW, l.cursor.Render),
			" " + l.dim.Render("enter connects, esc cancels, "+show),
		}
		if p.problem != "" {
			out = append(out, wrapStyled(" ", p.problem, width, l.bad)...)
		}
		return out
	case modeHidden:
		out := []string{
			" " + l.heading.Render("Hidden network name:") + " " + w.input.view(fieldW, l.cursor.Render),
			" " + l.dim.Render("enter looks for it (iwd then asks for its passphrase), esc cancels"),
		}
		if w.msg != "" {
			out = append(out, wrapStyled(" ", w.msg, width, l.style(w.msgTone))...)
		}
		return out
	case modeForget:
		return wrapStyled(" ", "Forget "+quote(w.forget.SSID)+"? iwd deletes its settings and passphrase. y: forget, n: keep", width, l.busy)
	}
	if w.msg == "" {
		return nil
	}
	return wrapStyled(" ", w.msg, width, l.style(w.msgTone))
}

func (w *wifiScreen) hints() []hint {
	switch w.mode {
	case modePassphrase:
		return []hint{hintOf(keys.Submit), hintOf(keys.Reveal), hintOf(keys.Cancel)}
	case modeHidden:
		return []hint{hintOf(keys.Submit), hintOf(keys.Cancel)}
	case modeForget:
		return []hint{hintOf(keys.Yes), hintOf(keys.No)}
	}
	var hs []hint
	d, ok := w.device()
	if !ok {
		return nil
	}
	if d.Station == nil {
		return []hint{hintOf(keys.Power)}
	}
	n, _, haveNet := w.selected()
	if haveNet {
		hs = append(hs, hintOf(keys.Connect))
	}
	hs = append(hs, hintOf(keys.Scan), hintOf(keys.Hidden))
	if d.Station.State != "disconnected" {
		hs = append(hs, hintOf(keys.Disconnect))
	}
	if haveNet && n.Known {
		hs = append(hs, hintOf(keys.Forget), hint{"a", "autoconnect"})
	}
	if len(w.snap.Devices) > 1 {
		hs = append(hs, hintOf(keys.Device))
	}
	return hs
}

func (w *wifiScreen) helpHints() []hint {
	return []hint{
		{"up/down", "choose a network"},
		{"enter", "connect (asks for the passphrase when needed)"},
		{"s", "scan now (it also scans by itself)"},
		{"h", "connect to a hidden network"},
		{"d", "disconnect"},
		{"f", "forget the chosen known network"},
		{"a", "autoconnect to the chosen known network on/off"},
		{"p", "switch the WiFi device on"},
		{"ctrl+t", "in the passphrase prompt: show or hide it"},
	}
}

func securityName(s string) string {
	switch s {
	case "psk":
		return "WPA"
	case "open":
		return "open"
	case "8021x":
		return "802.1X"
	case "wep":
		return "WEP"
	}
	return s
}

func quote(s string) string { return "\"" + s + "\"" }

// sentence is an error as a sentence: capital first letter, full stop.
func sentence(err error) string {
	s := err.Error()
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// wrapStyled wraps plain text to width after indent and styles each line.
func wrapStyled(indent, text string, width int, style interface{ Render(...string) string }) []string {
	var out []string
	for _, s := range strings.Split(ansi.Wrap(text, max(10, width-len(indent)), " "), "\n") {
		out = append(out, indent+style.Render(s))
	}
	return out
}
