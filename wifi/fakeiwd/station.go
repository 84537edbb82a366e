package fakeiwd

import (
	"cmp"
	"slices"

	"github.com/godbus/dbus/v5"
)

// The Station and Network methods: scans, connections, hidden networks.

func (f *Fake) stationLive(st *station) bool {
	return f.running && st.dev.st == st
}

func (f *Fake) stationScan(msg dbus.Message) *dbus.Error {
	return f.handle(func() *dbus.Error {
		st, err := f.stationAt(msg)
		if err != nil {
			return err
		}
		if st.scanPending || st.state == "connecting" {
			return iwdError("InProgress")
		}
		st.scanPending = true
		go f.runScan(st, f.stop)
		return nil
	})
}

// runScan plays a scan: Scanning goes true, the results replace the
// station's networks, Scanning goes false. Like iwd, the Scan call has
// already been answered when the scan is under way.
func (f *Fake) runScan(st *station, stop <-chan struct{}) {
	f.mu.Lock()
	if !f.stationLive(st) {
		f.mu.Unlock()
		return
	}
	st.scanning = true
	f.emitChanged(st.dev.path, ifStation, "Scanning")
	hold := f.scanHold
	f.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-stop:
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.stationLive(st) {
		return
	}
	f.applyScan(st)
	st.scanning, st.scanPending = false, false
	f.emitChanged(st.dev.path, ifStation, "Scanning")
}

// orderedNetwork is one a(on) entry: the path and the signal in 100·dBm.
type orderedNetwork struct {
	Path   dbus.ObjectPath
	Signal int16
}

// stationOrderedNetworks orders as iwd does: the connected network first,
// then known networks, then the rest, by signal within each group.
func (f *Fake) stationOrderedNetworks(msg dbus.Message) ([]orderedNetwork, *dbus.Error) {
	var out []orderedNetwork
	err := f.handle(func() *dbus.Error {
		st, err := f.stationAt(msg)
		if err != nil {
			return err
		}
		group := func(n *network) int {
			switch {
			case st.connected == n && n.connected:
				return 0
			case f.knownFor(n.cfg.SSID, n.cfg.Security) != nil:
				return 1
			}
			return 2
		}
		nets := st.sortedNetworks()
		slices.SortStableFunc(nets, func(a, b *network) int {
			if c := cmp.Compare(group(a), group(b)); c != 0 {
				return c
			}
			return cmp.Compare(b.cfg.Signal, a.cfg.Signal)
		})
		out = []orderedNetwork{}
		for _, n := range nets {
			out = append(out, orderedNetwork{n.path, int16(n.cfg.Signal * 100)})
		}
		return nil
	})
	return out, err
}

// hiddenAccessPoint is one a(sns) entry: BSSID, signal in 100·dBm, type.
type hiddenAccessPoint struct {
	Address string
	Signal  int16
	Type    string
}

func (f *Fake) stationHiddenAccessPoints(msg dbus.Message) ([]hiddenAccessPoint, *dbus.Error) {
	out := []hiddenAccessPoint{}
	err := f.handle(func() *dbus.Error {
		st, err := f.stationAt(msg)
		if err != nil {
			return err
		}
		if !st.scanned {
			return nil
		}
		var hidden []Network
		for _, cfg := range f.air {
			if k := f.knownFor(cfg.SSID, cfg.Security); cfg.Hidden && (k == nil || !k.cfg.Hidden) {
				hidden = append(hidden, cfg)
			}
		}
		slices.SortStableFunc(hidden, func(a, b Network) int { return cmp.Compare(b.Signal, a.Signal) })
		for _, cfg := range hidden {
			out = append(out, hiddenAccessPoint{bssid(cfg), int16(cfg.Signal * 100), cfg.Security})
		}
		return nil
	})
	return out, err
}

func (f *Fake) stationDisconnect(msg dbus.Message) *dbus.Error {
	return f.handle(func() *dbus.Error {
		st, err := f.stationAt(msg)
		if err != nil {
			return err
		}
		// A user's Disconnect also stops autoconnect until the next Connect.
		st.autoconnect = false
		f.dropConnection(st)
		return nil
	})
}

func (f *Fake) stationConnectHidden(msg dbus.Message, sender dbus.Sender, ssid string) *dbus.Error {
	return f.handle(func() *dbus.Error {
		st, err := f.stationAt(msg)
		if err != nil {
			return err
		}
		if st.hiddenPending {
			return iwdError("InProgress")
		}
		if len(ssid) > 32 {
			return iwdError("InvalidArguments")
		}
		if f.knownFor(ssid, "psk") != nil || f.knownFor(ssid, "open") != nil {
			return iwdError("AlreadyProvisioned")
		}
		for _, n := range st.networks {
			if n.cfg.SSID == ssid && (n.cfg.Security == "psk" || n.cfg.Security == "open") {
				return iwdError("NotHidden")
			}
		}
		// The active scan for the SSID.
		var psk, open *Network
		for i := range f.air {
			cfg := &f.air[i]
			if cfg.SSID != ssid {
				continue
			}
			switch cfg.Security {
			case "psk":
				if psk == nil || cfg.Signal > psk.Signal {
					psk = cfg
				}
			case "open":
				if open == nil || cfg.Signal > open.Signal {
					open = cfg
				}
			}
		}
		var found Network
		switch {
		case psk == nil && open == nil:
			return iwdError("NotFound")
		case psk != nil && open != nil:
			return iwdError("ServiceSetOverlap")
		case psk != nil:
			found = *psk
		default:
			found = *open
		}
		st.hiddenPending = true
		defer func() { st.hiddenPending = false }()
		n := f.addNetwork(st, found)
		err = f.connect(n, string(sender), true)
		if err != nil && f.stationLive(st) && st.networks[n.path] == n && st.connected != n {
			// iwd hides the network again when provisioning fails.
			f.removeNetwork(n)
		}
		return err
	})
}

func (f *Fake) networkConnect(msg dbus.Message, sender dbus.Sender) *dbus.Error {
	return f.handle(func() *dbus.Error {
		obj, err := f.object(msg, ifNetwork)
		if err != nil {
			return err
		}
		n := obj.(*network)
		if n.st.connected == n && n.st.state == "connected" {
			return nil
		}
		if n.agentPending {
			return iwdError("InProgress")
		}
		return f.connect(n, string(sender), false)
	})
}

// connect runs one connection attempt with f.mu held; the lock is let go
// while the agent is asked for a passphrase.
func (f *Fake) connect(n *network, sender string, provisioningHidden bool) *dbus.Error {
	st := n.st
	var pass string
	switch n.cfg.Security {
	case "open":
	case "psk":
		if k := f.knownFor(n.cfg.SSID, "psk"); k != nil && k.cfg.Passphrase != "" && !n.askNext {
			pass = k.cfg.Passphrase
			break
		}
		a := f.pickAgent(sender)
		if a == nil {
			return iwdError("NoAgent")
		}
		p, err := f.askPassphrase(a, n)
		if err != nil {
			return err
		}
		if !f.stationLive(st) || st.networks[n.path] != n {
			return iwdError("Failed")
		}
		if !passphraseValid(p) {
			return iwdError("InvalidFormat")
		}
		pass = p
	case "8021x":
		return iwdError("NotConfigured")
	default:
		return iwdError("NotSupported")
	}
	return f.associate(n, pass, provisioningHidden)
}

// associate plays the association and handshake: a wrong passphrase fails
// with Failed (and iwd asks again next time); success stores the profile.
func (f *Fake) associate(n *network, pass string, hidden bool) *dbus.Error {
	st := n.st
	if st.connected != nil && st.connected != n {
		f.dropConnection(st)
	}
	st.state, st.connected = "connecting", n
	f.emitChanged(st.dev.path, ifStation, "State", "ConnectedNetwork")
	if n.cfg.Security == "psk" && pass != n.cfg.Passphrase {
		n.askNext = true
		f.dropConnection(st)
		return iwdError("Failed")
	}
	k := f.knownFor(n.cfg.SSID, n.cfg.Security)
	if k == nil {
		k = &known{
			path:        knownPath(n.cfg.SSID, n.cfg.Security),
			cfg:         Known{SSID: n.cfg.SSID, Security: n.cfg.Security, Hidden: hidden},
			autoConnect: true,
		}
		f.known = append(f.known, k)
		f.paths[k.path] = k
		f.sync(k.path)
		f.emitChanged(n.path, ifNetwork, "KnownNetwork")
	}
	if pass != "" {
		k.cfg.Passphrase = pass
	}
	n.askNext = false
	k.lastConnected = nowFunc()
	f.emitChanged(k.path, ifKnownNetwork, "LastConnectedTime")
	n.connected = true
	st.state = "connected"
	st.autoconnect = true
	f.sync(st.dev.path) // StationDiagnostic appears
	f.emitChanged(n.path, ifNetwork, "Connected")
	names := []string{"State"}
	if f.sc.NewerProperties {
		names = append(names, "ConnectedAccessPoint")
	}
	f.emitChanged(st.dev.path, ifStation, names...)
	if st.levelAgent != nil {
		f.notifyLevel(st)
	}
	if hook := f.onConnect; hook != nil {
		go hook(Connection{Interface: st.dev.name, SSID: n.cfg.SSID, Security: n.cfg.Security})
	}
	return nil
}

func (f *Fake) stationRegisterSignalAgent(msg dbus.Message, sender dbus.Sender, path dbus.ObjectPath, levels []int16) *dbus.Error {
	return f.handle(func() *dbus.Error {
		st, err := f.stationAt(msg)
		if err != nil {
			return err
		}
		if st.levelAgent != nil {
			return iwdError("AlreadyExists")
		}
		if len(levels) == 0 || len(levels) > 16 {
			return iwdError("InvalidArguments")
		}
		for i, l := range levels {
			if l < -127 || l > 127 || (i > 0 && l >= levels[i-1]) {
				return iwdError("InvalidArguments")
			}
		}
		st.levelAgent = &signalAgent{owner: string(sender), path: path, levels: levels}
		if st.state == "connected" {
			f.notifyLevel(st)
		}
		return nil
	})
}

func (f *Fake) stationUnregisterSignalAgent(msg dbus.Message, sender dbus.Sender, path dbus.ObjectPath) *dbus.Error {
	return f.handle(func() *dbus.Error {
		st, err := f.stationAt(msg)
		if err != nil {
			return err
		}
		a := st.levelAgent
		if a == nil || a.owner != string(sender) || a.path != path {
			return iwdError("NotFound")
		}
		st.levelAgent = nil
		return nil
	})
}

// notifyLevel calls SignalLevelAgent.Changed; level 0 is the strongest.
func (f *Fake) notifyLevel(st *station) {
	a := st.levelAgent
	level := len(a.levels)
	for i, l := range a.levels {
		if st.connected.cfg.Signal >= int(l) {
			level = i
			break
		}
	}
	if f.conn != nil {
		f.conn.Object(a.owner, a.path).Go(ifSignalAgent+".Changed", dbus.FlagNoReplyExpected, nil, st.dev.path, byte(level))
	}
}
