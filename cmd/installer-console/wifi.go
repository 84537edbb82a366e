package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/nix-community/installer-console/wifi"
)

func init() { register(newWiFiCommand) }

// wifiOptions are the flags every wifi subcommand shares.
type wifiOptions struct {
	bus    string
	json   bool
	device string
}

// wifiSession is one command's connection to iwd.
type wifiSession struct {
	ctx    context.Context
	client *wifi.Client
	snap   wifi.Snapshot
	out    io.Writer
	o      *wifiOptions
}

const (
	dialTimeout = 10 * time.Second
	scanTimeout = 60 * time.Second
	// actionTimeout bounds the quick actions (forget, autoconnect...).
	actionTimeout = 30 * time.Second
	powerOnHint   = "switch it on with: installer-console wifi power on"
)

func newWiFiCommand(g *globalOptions) *cobra.Command {
	o := &wifiOptions{}
	cmd := &cobra.Command{
		Use:   "wifi",
		Short: "Get online over WiFi (through iwd)",
		Long: `Scan for WiFi networks, connect to them and manage the networks iwd knows,
for people on SSH or a serial console. The console screen offers the same.

The passphrase is never taken on the command line: connect and hidden ask
for it without echo, or read it from --passphrase-file. After connecting,
the command waits until the interface has an IP address and prints it, or
says that DHCP gave none. Every subcommand prints JSON with --json.

iwd must run (it starts on demand where D-Bus activation is set up), and
the user must be root or in the netdev group.`,
		Example: `  installer-console wifi scan
  installer-console wifi connect "My Network"
  installer-console wifi connect Cafe --passphrase-file /root/cafe.psk
  installer-console wifi hidden "Lab Network"
  installer-console wifi list --json | jq -r '.networks[].ssid'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.bus, "bus", "", "reach iwd on the bus at `ADDRESS` (default $DBUS_SYSTEM_BUS_ADDRESS, or the system bus's standard socket)")
	pf.BoolVar(&o.json, "json", false, "print JSON instead of text")
	pf.StringVar(&o.device, "device", "", "the WiFi interface `NAME` (e.g. wlan0) when there are several")

	cmd.AddCommand(
		newWiFiDevicesCommand(o), newWiFiScanCommand(o), newWiFiListCommand(o),
		newWiFiConnectCommand(o), newWiFiHiddenCommand(o), newWiFiDisconnectCommand(o),
		newWiFiKnownCommand(o), newWiFiForgetCommand(o), newWiFiAutoConnectCommand(o),
		newWiFiPowerCommand(o),
	)
	return cmd
}

// open connects to iwd. The context ends on Ctrl-C or SIGTERM, which
// closes an open passphrase prompt and abandons the action.
func (o *wifiOptions) open(cmd *cobra.Command) (*wifiSession, func(), error) {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	dialCtx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	c, err := wifi.Dial(dialCtx, o.bus)
	if err != nil {
		stop()
		return nil, nil, err
	}
	s := &wifiSession{ctx: ctx, client: c, snap: c.Snapshot(), out: cmd.OutOrStdout(), o: o}
	if !s.snap.Running {
		c.Close()
		stop()
		return nil, nil, wifi.ErrNotRunning
	}
	return s, func() { c.Close(); stop() }, nil
}

// device picks the device the command works on.
func (s *wifiSession) device() (wifi.Device, error) {
	d, err := s.snap.Device(s.o.device)
	if errors.Is(err, wifi.ErrSeveralDevices) {
		return d, fmt.Errorf("%w; choose one with --device", err)
	}
	return d, err
}

// station picks the device and requires it to be on.
func (s *wifiSession) station() (wifi.Device, *wifi.Station, error) {
	d, err := s.device()
	if err != nil {
		return d, nil, err
	}
	st, err := d.Ready()
	if err != nil {
		return d, nil, fmt.Errorf("%w; %s", err, powerOnHint)
	}
	return d, st, nil
}

// refresh reads the model again after an action.
func (s *wifiSession) refresh() { s.snap = s.client.Snapshot() }

// print writes v as JSON with --json, or runs text.
func (s *wifiSession) print(v any, text func(w io.Writer)) error {
	if s.o.json {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	text(tw)
	return tw.Flush()
}

func (o *wifiOptions) run(body func(s *wifiSession, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		s, done, err := o.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		return body(s, args)
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func newWiFiDevicesCommand(o *wifiOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "devices",
		Short: "List WiFi adapters and devices, their power and state",
		Long: `List the WiFi devices (network interfaces) with their adapter, whether they
are powered, whether the radio is blocked by rfkill, and the connection
state.`,
		Args: cobra.NoArgs,
		RunE: o.run(func(s *wifiSession, _ []string) error {
			if len(s.snap.Devices) == 0 {
				return wifi.ErrNoAdapter
			}
			doc := struct {
				Daemon   wifi.DaemonInfo `json:"daemon"`
				Adapters []wifi.Adapter  `json:"adapters"`
				Devices  []wifi.Device   `json:"devices"`
			}{s.snap.Daemon, s.snap.Adapters, s.snap.Devices}
			return s.print(doc, func(w io.Writer) {
				fmt.Fprintln(w, "DEVICE\tADAPTER\tPOWER\tMODE\tSTATE\tADDRESS")
				for _, d := range s.snap.Devices {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Name, d.AdapterName, devicePower(d), d.Mode, stationState(d), d.Address)
				}
			})
		}),
	}
}

func devicePower(d wifi.Device) string {
	switch {
	case !d.AdapterPowered:
		return "off (radio blocked by rfkill)"
	case !d.Powered:
		return "off"
	}
	return "on"
}

func stationState(d wifi.Device) string {
	st := d.Station
	if st == nil {
		return "-"
	}
	state := st.State
	if n, ok := st.Connected(); ok {
		state = fmt.Sprintf("connected to %q", n.SSID)
	}
	if st.Scanning {
		state += ", scanning"
	}
	return state
}

// networkList is what scan and list print.
type networkList struct {
	Device   string                   `json:"device"`
	State    string                   `json:"state"`
	Networks []wifi.Network           `json:"networks"`
	Hidden   []wifi.HiddenAccessPoint `json:"hidden_access_points"`
}

func (s *wifiSession) printNetworks() error {
	d, st, err := s.station()
	if err != nil {
		return err
	}
	hidden, err := s.client.HiddenAccessPoints(s.ctx, d.Path)
	if err != nil {
		hidden = []wifi.HiddenAccessPoint{} // experimental in iwd; not worth failing for
	}
	doc := networkList{Device: d.Name, State: st.State, Networks: st.Networks, Hidden: hidden}
	return s.print(doc, func(w io.Writer) {
		if len(st.Networks) == 0 {
			fmt.Fprintf(w, "No networks in range of %s (scan with: installer-console wifi scan).\n", d.Name)
		} else {
			fmt.Fprintln(w, "\tNETWORK\tSECURITY\tSIGNAL\t\t")
			for _, n := range st.Networks {
				mark, note := " ", ""
				switch {
				case n.Connected:
					mark, note = ">", "connected"
				case n.Known:
					note = "known"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", mark, n.SSID, n.Security, bars(n.Bars), dBm(n), note)
			}
		}
		if len(hidden) > 0 {
			fmt.Fprintf(w, "\n%d hidden network(s) in range; connect with: installer-console wifi hidden NAME\n", len(hidden))
		}
	})
}

func bars(n int) string {
	return strings.Repeat("*", n) + strings.Repeat(" ", 4-n)
}

func dBm(n wifi.Network) string {
	if n.Bars == 0 {
		return ""
	}
	return fmt.Sprintf("%d dBm", n.SignalDBm)
}

func newWiFiScanCommand(o *wifiOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "scan",
		Short: "Scan for networks and list them",
		Long: `Ask iwd to scan, wait until the scan is done, and list the networks in
range, as "list" does.`,
		Args: cobra.NoArgs,
		RunE: o.run(func(s *wifiSession, _ []string) error {
			d, _, err := s.station()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(s.ctx, scanTimeout)
			defer cancel()
			if err := s.client.Scan(ctx, d.Path); err != nil {
				return err
			}
			s.refresh()
			return s.printNetworks()
		}),
	}
}

func newWiFiListCommand(o *wifiOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the networks in range (from the last scan)",
		Long: `List the networks in range in iwd's order: the connected network first, then
known networks, then the others, strongest first. Signal is shown in bars
(as iwctl does) and in dBm. The list is the last scan's; run "scan" for a
fresh one.`,
		Args: cobra.NoArgs,
		RunE: o.run(func(s *wifiSession, _ []string) error { return s.printNetworks() }),
	}
}

// connectOptions are the flags of connect and hidden.
type connectOptions struct {
	passphraseFile string
	addressTimeout time.Duration
	security       string
}

func (co *connectOptions) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&co.passphraseFile, "passphrase-file", "", "read the passphrase from `FILE` (\"-\": standard input) instead of asking")
	f.DurationVar(&co.addressTimeout, "address-timeout", 30*time.Second, "how long to wait for an IP address after connecting (0: do not wait)")
}

// connectResult is what connect and hidden print.
type connectResult struct {
	Device    string `json:"device"`
	SSID      string `json:"ssid"`
	Connected bool   `json:"connected"`
	Address   string `json:"address,omitempty"`
}

func newWiFiConnectCommand(o *wifiOptions) *cobra.Command {
	co := &connectOptions{}
	cmd := &cobra.Command{
		Use:   "connect SSID",
		Short: "Connect to a network in range",
		Long: `Connect to a network in range by its name. If iwd needs a passphrase, it is
asked for without echo, or read from --passphrase-file; it is never taken
as an argument. If the name is not in the list yet, a scan runs first.

After connecting, wait (--address-timeout) until the interface has an IP
address and print it, or say that DHCP gave none.`,
		Example: `  installer-console wifi connect Home
  installer-console wifi connect Home --passphrase-file /root/home.psk --json`,
		Args: wifiArgs(1, "connect takes the network name only; the passphrase is asked for, or read with --passphrase-file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Check what can be checked before talking to iwd.
			ask, err := co.passphraseFunc(cmd)
			if err != nil {
				return err
			}
			return o.run(func(s *wifiSession, args []string) error {
				d, st, err := s.station()
				if err != nil {
					return err
				}
				n, err := st.Network(args[0], co.security)
				if errors.Is(err, wifi.ErrNetworkNotFound) {
					// Maybe it was not in the last scan; look again.
					ctx, cancel := context.WithTimeout(s.ctx, scanTimeout)
					err = s.client.Scan(ctx, d.Path)
					cancel()
					if err != nil {
						return err
					}
					s.refresh()
					if d, st, err = s.station(); err != nil {
						return err
					}
					n, err = st.Network(args[0], co.security)
					if errors.Is(err, wifi.ErrNetworkNotFound) {
						return fmt.Errorf("no network named %q is in range of %s; if it is hidden, use: installer-console wifi hidden %q", args[0], d.Name, args[0])
					}
				}
				if errors.Is(err, wifi.ErrAmbiguous) {
					return fmt.Errorf("%w; choose with --security", err)
				}
				if err != nil {
					return err
				}
				if err := s.client.Connect(s.ctx, n.Path, ask); err != nil {
					return err
				}
				return s.finishConnect(d, n.SSID, co)
			})(cmd, args)
		},
	}
	co.flags(cmd)
	cmd.Flags().StringVar(&co.security, "security", "", "the network's security `TYPE` (psk, open, 8021x) when several share the name")
	return cmd
}

func newWiFiHiddenCommand(o *wifiOptions) *cobra.Command {
	co := &connectOptions{}
	cmd := &cobra.Command{
		Use:   "hidden SSID",
		Short: "Connect to a hidden network (one that does not broadcast its name)",
		Long: `Connect to a hidden network by its name, for the first time. iwd probes for
it and stores it; afterwards it appears in the list and "connect" is the
way to it. The passphrase is asked for as with connect.

iwd refuses names that are broadcast (use connect), names it already knows
(use connect, or forget first), and names nobody answers to.`,
		Example: `  installer-console wifi hidden "Lab Network"`,
		Args:    wifiArgs(1, "hidden takes the network name only; the passphrase is asked for, or read with --passphrase-file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := wifi.ValidateSSID(args[0]); err != nil {
				return err
			}
			ask, err := co.passphraseFunc(cmd)
			if err != nil {
				return err
			}
			return o.run(func(s *wifiSession, args []string) error {
				d, _, err := s.station()
				if err != nil {
					return err
				}
				if err := s.client.ConnectHidden(s.ctx, d.Path, args[0], ask); err != nil {
					return err
				}
				return s.finishConnect(d, args[0], co)
			})(cmd, args)
		},
	}
	co.flags(cmd)
	return cmd
}

// finishConnect waits for an address: being associated is not being online.
func (s *wifiSession) finishConnect(d wifi.Device, ssid string, co *connectOptions) error {
	res := connectResult{Device: d.Name, SSID: ssid, Connected: true}
	if !s.o.json {
		fmt.Fprintf(s.out, "Connected to %q on %s.\n", ssid, d.Name)
	}
	if co.addressTimeout <= 0 {
		return s.printResult(res)
	}
	ctx, cancel := context.WithTimeout(s.ctx, co.addressTimeout)
	defer cancel()
	addr, err := wifi.WaitForAddress(ctx, d.Name, nil)
	if err != nil {
		s.printResult(res)
		if errors.Is(err, wifi.ErrNoAddress) {
			return fmt.Errorf("connected to %q, but %s got no IP address within %s: DHCP gave no address", ssid, d.Name, co.addressTimeout)
		}
		return fmt.Errorf("connected to %q, but cannot watch %s for an address: %w", ssid, d.Name, err)
	}
	res.Address = addr.String()
	if !s.o.json {
		fmt.Fprintf(s.out, "%s has the address %s.\n", d.Name, addr)
		return nil
	}
	return s.printResult(res)
}

func (s *wifiSession) printResult(res connectResult) error {
	if !s.o.json {
		return nil
	}
	return s.print(res, nil)
}

// passphraseFunc reads --passphrase-file now (so a bad one fails before
// iwd is involved), or prepares a prompt on the terminal.
func (co *connectOptions) passphraseFunc(cmd *cobra.Command) (wifi.PassphraseFunc, error) {
	if co.passphraseFile != "" {
		var data []byte
		var err error
		if co.passphraseFile == "-" {
			data, err = io.ReadAll(cmd.InOrStdin())
		} else {
			data, err = os.ReadFile(co.passphraseFile)
		}
		if err != nil {
			return nil, fmt.Errorf("reading the passphrase: %w", err)
		}
		pass := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
		if err := wifi.ValidatePassphrase(pass); err != nil {
			return nil, fmt.Errorf("passphrase file %s: %w", co.passphraseFile, err)
		}
		return func(context.Context, wifi.PassphraseRequest) (string, error) { return pass, nil }, nil
	}
	return promptPassphrase(cmd.ErrOrStderr()), nil
}

// promptPassphrase asks on the terminal without echo, again after an
// invalid answer; the prompt closes when iwd withdraws the request.
func promptPassphrase(w io.Writer) wifi.PassphraseFunc {
	return func(ctx context.Context, req wifi.PassphraseRequest) (string, error) {
		fd := int(os.Stdin.Fd())
		if !term.IsTerminal(fd) {
			return "", errors.New("the network needs a passphrase, but standard input is not a terminal to ask on; use --passphrase-file FILE")
		}
		for attempt := 1; ; attempt++ {
			fmt.Fprintf(w, "Passphrase for %q: ", req.SSID)
			pass, err := readPassword(ctx, fd)
			fmt.Fprintln(w)
			if err != nil {
				if cause := context.Cause(ctx); cause != nil {
					return "", cause
				}
				return "", err
			}
			err = wifi.ValidatePassphrase(pass)
			if err == nil {
				return pass, nil
			}
			if attempt == 3 {
				return "", err
			}
			fmt.Fprintf(w, "That will not work: %v.\n", err)
		}
	}
}

// readPassword reads a line without echo and gives up when ctx ends,
// putting the terminal back as it was.
func readPassword(ctx context.Context, fd int) (string, error) {
	saved, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	type line struct {
		s   string
		err error
	}
	ch := make(chan line, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		ch <- line{string(b), err}
	}()
	select {
	case l := <-ch:
		return l.s, l.err
	case <-ctx.Done():
		term.Restore(fd, saved)
		return "", ctx.Err()
	}
}

// wifiArgs requires exactly n arguments and says why otherwise.
func wifiArgs(n int, why string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("%s (usage: %s)", why, cmd.UseLine())
		}
		return nil
	}
}

func newWiFiDisconnectCommand(o *wifiOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "disconnect",
		Short: "Disconnect from the current network",
		Long: `Disconnect the device. iwd then stops connecting to known networks by itself
on this device until the next connect.`,
		Args: cobra.NoArgs,
		RunE: o.run(func(s *wifiSession, _ []string) error {
			d, _, err := s.station()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(s.ctx, actionTimeout)
			defer cancel()
			if err := s.client.Disconnect(ctx, d.Path); err != nil {
				return err
			}
			s.refresh()
			d, _ = s.snap.Device(d.Name)
			return s.print(struct {
				Device string `json:"device"`
				State  string `json:"state"`
			}{d.Name, stationState(d)}, func(w io.Writer) {
				fmt.Fprintf(w, "Disconnected %s.\n", d.Name)
			})
		}),
	}
}

func newWiFiKnownCommand(o *wifiOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "known",
		Short: "List the networks iwd knows",
		Long: `List the network profiles iwd has stored: their security, whether they are
hidden, whether iwd connects to them by itself, and when they were last
used.`,
		Args: cobra.NoArgs,
		RunE: o.run(func(s *wifiSession, _ []string) error {
			known := s.snap.KnownNetworks
			return s.print(known, func(w io.Writer) {
				if len(known) == 0 {
					fmt.Fprintln(w, "iwd knows no networks yet.")
					return
				}
				fmt.Fprintln(w, "NETWORK\tSECURITY\tHIDDEN\tAUTOCONNECT\tLAST CONNECTED")
				for _, k := range known {
					last := "-"
					if !k.LastConnected.IsZero() {
						last = k.LastConnected.UTC().Format("2006-01-02 15:04 UTC")
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", k.SSID, k.Security, yesNo(k.Hidden), onOff(k.AutoConnect), last)
				}
			})
		}),
	}
}

// knownNetwork finds a known network for forget and autoconnect.
func (s *wifiSession) knownNetwork(ssid, security string) (wifi.KnownNetwork, error) {
	k, err := s.snap.Known(ssid, security)
	if errors.Is(err, wifi.ErrAmbiguous) {
		return k, fmt.Errorf("%w; choose with --security", err)
	}
	return k, err
}

func newWiFiForgetCommand(o *wifiOptions) *cobra.Command {
	var security string
	cmd := &cobra.Command{
		Use:   "forget SSID",
		Short: "Forget a known network (and disconnect from it)",
		Long: `Delete iwd's profile of a network, with its passphrase. If the device is
connected to it, it disconnects.`,
		Args: wifiArgs(1, "forget takes the network name"),
		RunE: o.run(func(s *wifiSession, args []string) error {
			k, err := s.knownNetwork(args[0], security)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(s.ctx, actionTimeout)
			defer cancel()
			if err := s.client.Forget(ctx, k.Path); err != nil {
				return err
			}
			return s.print(struct {
				SSID      string `json:"ssid"`
				Forgotten bool   `json:"forgotten"`
			}{k.SSID, true}, func(w io.Writer) {
				fmt.Fprintf(w, "Forgot %q.\n", k.SSID)
			})
		}),
	}
	cmd.Flags().StringVar(&security, "security", "", "the profile's security `TYPE` (psk, open...) when several share the name")
	return cmd
}

func newWiFiAutoConnectCommand(o *wifiOptions) *cobra.Command {
	var security string
	cmd := &cobra.Command{
		Use:     "autoconnect SSID on|off",
		Short:   "Let iwd connect to a known network by itself, or not",
		Long:    `Turn automatic connection to a known network on or off.`,
		Example: `  installer-console wifi autoconnect Cafe off`,
		Args:    wifiArgs(2, "autoconnect takes the network name and on or off"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var on bool
			switch args[1] {
			case "on":
				on = true
			case "off":
			default:
				return fmt.Errorf("autoconnect must be on or off, not %q", args[1])
			}
			return o.run(func(s *wifiSession, args []string) error {
				k, err := s.knownNetwork(args[0], security)
				if err != nil {
					return err
				}
				ctx, cancel := context.WithTimeout(s.ctx, actionTimeout)
				defer cancel()
				if err := s.client.SetAutoConnect(ctx, k.Path, on); err != nil {
					return err
				}
				return s.print(struct {
					SSID        string `json:"ssid"`
					AutoConnect bool   `json:"autoconnect"`
				}{k.SSID, on}, func(w io.Writer) {
					fmt.Fprintf(w, "Autoconnect of %q is %s.\n", k.SSID, onOff(on))
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&security, "security", "", "the profile's security `TYPE` (psk, open...) when several share the name")
	return cmd
}

func newWiFiPowerCommand(o *wifiOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "power on|off",
		Short: "Switch a WiFi device on or off",
		Long: `Switch a WiFi device on (lifting an rfkill soft block of its radio and
putting it in station mode) or off. A radio blocked by a hardware switch
cannot be switched on from here.`,
		Example: `  installer-console wifi power on`,
		Args:    wifiArgs(1, "power takes on or off"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "on" && args[0] != "off" {
				return fmt.Errorf("power must be on or off, not %q", args[0])
			}
			return o.run(func(s *wifiSession, args []string) error {
				d, err := s.device()
				if err != nil {
					return err
				}
				ctx, cancel := context.WithTimeout(s.ctx, actionTimeout)
				defer cancel()
				if args[0] == "on" {
					err = s.client.PowerOn(ctx, d.Path)
				} else {
					err = s.client.PowerOff(ctx, d.Path)
				}
				if err != nil {
					return err
				}
				s.refresh()
				d, _ = s.snap.Device(d.Name)
				return s.print(d, func(w io.Writer) {
					fmt.Fprintf(w, "%s is %s.\n", d.Name, devicePower(d))
				})
			})(cmd, args)
		},
	}
}
