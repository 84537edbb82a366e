package fakeiwd

import (
	"fmt"
	"slices"
	"time"

	"github.com/godbus/dbus/v5"
)

// This file is the fake's D-Bus surface: dispatch of method calls to the
// object tree, org.freedesktop.DBus.Properties, the ObjectManager and the
// signals that announce changes.

// export registers one handler per interface at "/" and for the subtree
// under "/net" (godbus looks for subtree handlers below "/" only), so every
// call reaches the fake, which then answers like ell does for paths and
// interfaces that do not exist.
func (f *Fake) export(conn *dbus.Conn) error {
	tables := map[string]map[string]any{
		ifObjectManager: {"GetManagedObjects": f.getManagedObjects},
		ifProperties:    {"Get": f.propGet, "GetAll": f.propGetAll, "Set": f.propSet},
		ifDaemon:        {"GetInfo": f.getInfo},
		ifAgentManager:  {"RegisterAgent": f.registerAgent, "UnregisterAgent": f.unregisterAgent},
		ifStation: {
			"Scan":                       f.stationScan,
			"Disconnect":                 f.stationDisconnect,
			"GetOrderedNetworks":         f.stationOrderedNetworks,
			"GetHiddenAccessPoints":      f.stationHiddenAccessPoints,
			"ConnectHiddenNetwork":       f.stationConnectHidden,
			"RegisterSignalLevelAgent":   f.stationRegisterSignalAgent,
			"UnregisterSignalLevelAgent": f.stationUnregisterSignalAgent,
		},
		ifDiagnostic:   {"GetDiagnostics": f.diagnostics},
		ifNetwork:      {"Connect": f.networkConnect},
		ifKnownNetwork: {"Forget": f.knownForget},
	}
	for iface, methods := range tables {
		if err := conn.ExportMethodTable(methods, "/", iface); err != nil {
			return err
		}
		if err := conn.ExportSubtreeMethodTable(methods, "/net", iface); err != nil {
			return err
		}
	}
	return nil
}

// iwd's error names have no ".Error." part.
func iwdError(name string) *dbus.Error {
	text := map[string]string{
		"Failed":             "Operation failed",
		"Aborted":            "Operation aborted",
		"NotAvailable":       "Operation not available",
		"InvalidArguments":   "Argument type is wrong",
		"InvalidFormat":      "Argument format is invalid",
		"AlreadyExists":      "Object already exists",
		"NotFound":           "Object not found",
		"NotSupported":       "Operation requires feature not supported",
		"NoAgent":            "No Agent registered",
		"NotConnected":       "Not connected",
		"NotConfigured":      "Not configured",
		"NotImplemented":     "Not implemented",
		"ServiceSetOverlap":  "Service set overlap",
		"AlreadyProvisioned": "Already provisioned",
		"NotHidden":          "Not hidden",
		"InProgress":         "Operation already in progress",
	}[name]
	return dbus.NewError("net.connman.iwd."+name, []any{text})
}

func busError(name, format string, args ...any) *dbus.Error {
	return dbus.NewError("org.freedesktop.DBus.Error."+name, []any{fmt.Sprintf(format, args...)})
}

// handle runs a method body with f.mu held, refusing calls once the fake
// is stopping. Bodies may unlock while they wait, but must lock again
// before returning.
func (f *Fake) handle(body func() *dbus.Error) *dbus.Error {
	f.mu.Lock()
	if !f.running {
		f.mu.Unlock()
		return iwdError("Failed")
	}
	f.inflight.Add(1)
	defer f.inflight.Done()
	defer f.mu.Unlock()
	return body()
}

func msgPath(msg dbus.Message) dbus.ObjectPath {
	p, _ := msg.Headers[dbus.FieldPath].Value().(dbus.ObjectPath)
	return p
}

// object finds the object at the call's path that has iface; the errors
// are what ell answers.
func (f *Fake) object(msg dbus.Message, iface string) (any, *dbus.Error) {
	path := msgPath(msg)
	obj, ok := f.paths[path]
	if !ok {
		return nil, busError("NotFound", "No matching method found")
	}
	if !slices.Contains(f.exported[path], iface) {
		return nil, busError("UnknownMethod", "Method not found on interface %s", iface)
	}
	return obj, nil
}

func (f *Fake) stationAt(msg dbus.Message) (*station, *dbus.Error) {
	obj, err := f.object(msg, ifStation)
	if err != nil {
		return nil, err
	}
	return obj.(*device).st, nil
}

// ifacesOf lists an object's interfaces as iwd 2.3 exports them.
func (f *Fake) ifacesOf(obj any) []string {
	switch o := obj.(type) {
	case rootObject:
		return []string{ifObjectManager}
	case daemonObject:
		return []string{ifDaemon, ifAgentManager, ifP2PService, ifProperties}
	case *adapter:
		return []string{ifAdapter, ifProperties}
	case *device:
		out := []string{ifDevice, ifProperties}
		if o.st != nil {
			out = append(out, ifStation, ifWSC)
			if o.st.state == "connected" {
				out = append(out, ifDiagnostic)
			}
		}
		return out
	case *network:
		return []string{ifNetwork, ifProperties}
	case *known:
		return []string{ifKnownNetwork, ifProperties}
	case *bss:
		return []string{ifBSS, ifProperties}
	}
	return nil
}

// propertyNames are every property an interface may have, set or not.
var propertyNames = map[string][]string{
	ifAdapter:      {"Powered", "Name", "Model", "Vendor", "SupportedModes"},
	ifDevice:       {"Name", "Address", "Powered", "Adapter", "Mode"},
	ifStation:      {"State", "ConnectedNetwork", "Scanning", "ConnectedAccessPoint", "Affinities"},
	ifNetwork:      {"Name", "Connected", "Device", "Type", "KnownNetwork", "ExtendedServiceSet"},
	ifKnownNetwork: {"Name", "Type", "Hidden", "LastConnectedTime", "AutoConnect"},
	ifBSS:          {"Address"},
}

// propsOf gives an interface's current properties; unset optional ones are
// left out, as ell does.
func (f *Fake) propsOf(obj any, iface string) map[string]dbus.Variant {
	p := map[string]dbus.Variant{}
	v := dbus.MakeVariant
	switch o := obj.(type) {
	case *adapter:
		if iface != ifAdapter {
			break
		}
		p["Powered"] = v(!o.soft && !o.hard)
		p["Name"] = v(o.cfg.Name)
		if o.cfg.Model != "" {
			p["Model"] = v(o.cfg.Model)
		}
		if o.cfg.Vendor != "" {
			p["Vendor"] = v(o.cfg.Vendor)
		}
		p["SupportedModes"] = v([]string{"ad-hoc", "station", "ap"})
	case *device:
		switch iface {
		case ifDevice:
			p["Name"] = v(o.name)
			p["Address"] = v(o.address)
			p["Powered"] = v(o.on())
			p["Adapter"] = v(o.adapter.path)
			p["Mode"] = v(o.mode)
		case ifStation:
			st := o.st
			if st == nil {
				break
			}
			p["State"] = v(st.state)
			p["Scanning"] = v(st.scanning)
			if st.connected != nil {
				p["ConnectedNetwork"] = v(st.connected.path)
			}
			if f.sc.NewerProperties {
				if st.connected != nil && st.connected.bss != nil {
					p["ConnectedAccessPoint"] = v(st.connected.bss.path)
				}
				p["Affinities"] = v([]dbus.ObjectPath{})
			}
		}
	case *network:
		if iface != ifNetwork {
			break
		}
		p["Name"] = v(o.cfg.SSID)
		p["Connected"] = v(o.connected)
		p["Device"] = v(o.st.dev.path)
		p["Type"] = v(o.cfg.Security)
		if k := f.knownFor(o.cfg.SSID, o.cfg.Security); k != nil {
			p["KnownNetwork"] = v(k.path)
		}
		if o.bss != nil {
			p["ExtendedServiceSet"] = v([]dbus.ObjectPath{o.bss.path})
		}
	case *known:
		if iface != ifKnownNetwork {
			break
		}
		p["Name"] = v(o.cfg.SSID)
		p["Type"] = v(o.cfg.Security)
		p["Hidden"] = v(o.cfg.Hidden)
		p["AutoConnect"] = v(o.autoConnect)
		if !o.lastConnected.IsZero() {
			p["LastConnectedTime"] = v(o.lastConnected.UTC().Format("2006-01-02T15:04:05Z"))
		}
	case *bss:
		if iface == ifBSS {
			p["Address"] = v(o.address)
		}
	}
	return p
}

// sync compares an object's interfaces with what clients were told and
// announces the difference with InterfacesAdded/InterfacesRemoved.
func (f *Fake) sync(path dbus.ObjectPath) {
	var now []string
	obj, live := f.paths[path]
	if live {
		now = f.ifacesOf(obj)
	}
	before := f.exported[path]
	var added, removed []string
	for _, i := range now {
		if !slices.Contains(before, i) {
			added = append(added, i)
		}
	}
	for _, i := range before {
		if !slices.Contains(now, i) {
			removed = append(removed, i)
		}
	}
	if len(now) == 0 {
		delete(f.exported, path)
	} else {
		f.exported[path] = now
	}
	if len(added) > 0 {
		m := map[string]map[string]dbus.Variant{}
		for _, i := range added {
			m[i] = f.propsOf(obj, i)
		}
		f.emit("/", ifObjectManager+".InterfacesAdded", path, m)
	}
	if len(removed) > 0 {
		f.emit("/", ifObjectManager+".InterfacesRemoved", path, removed)
	}
}

// emitChanged announces new values of the named properties; those now
// unset go in the invalidated list.
func (f *Fake) emitChanged(path dbus.ObjectPath, iface string, names ...string) {
	if !slices.Contains(f.exported[path], iface) {
		return
	}
	props := f.propsOf(f.paths[path], iface)
	changed := map[string]dbus.Variant{}
	invalidated := []string{}
	for _, n := range names {
		if val, ok := props[n]; ok {
			changed[n] = val
		} else {
			invalidated = append(invalidated, n)
		}
	}
	f.emit(path, ifProperties+".PropertiesChanged", iface, changed, invalidated)
}

// emit sends a signal once the fake owns its name (before that no client
// could match it anyway).
func (f *Fake) emit(path dbus.ObjectPath, name string, args ...any) {
	if f.conn == nil || !f.owned {
		return
	}
	f.conn.Emit(path, name, args...)
}

func (f *Fake) getManagedObjects(msg dbus.Message) (map[dbus.ObjectPath]map[string]map[string]dbus.Variant, *dbus.Error) {
	out := map[dbus.ObjectPath]map[string]map[string]dbus.Variant{}
	err := f.handle(func() *dbus.Error {
		if _, err := f.object(msg, ifObjectManager); err != nil {
			return err
		}
		for path, ifaces := range f.exported {
			m := map[string]map[string]dbus.Variant{}
			for _, i := range ifaces {
				m[i] = f.propsOf(f.paths[path], i)
			}
			out[path] = m
		}
		return nil
	})
	return out, err
}

func (f *Fake) propGet(msg dbus.Message, iface, name string) (dbus.Variant, *dbus.Error) {
	var val dbus.Variant
	err := f.handle(func() *dbus.Error {
		obj, err := f.propObject(msg, iface)
		if err != nil {
			return err
		}
		v, ok := f.propsOf(obj, iface)[name]
		if ok {
			val = v
			return nil
		}
		if slices.Contains(propertyNames[iface], name) {
			return busError("Failed", "Getting property value failed")
		}
		return busError("InvalidArgs", "Unknown Property %s", name)
	})
	return val, err
}

func (f *Fake) propGetAll(msg dbus.Message, iface string) (map[string]dbus.Variant, *dbus.Error) {
	var out map[string]dbus.Variant
	err := f.handle(func() *dbus.Error {
		obj, err := f.propObject(msg, iface)
		if err != nil {
			return err
		}
		out = f.propsOf(obj, iface)
		return nil
	})
	return out, err
}

func (f *Fake) propObject(msg dbus.Message, iface string) (any, *dbus.Error) {
	path := msgPath(msg)
	obj, ok := f.paths[path]
	if !ok || !slices.Contains(f.exported[path], ifProperties) {
		return nil, busError("NotFound", "No matching method found")
	}
	if !slices.Contains(f.exported[path], iface) {
		return nil, busError("InvalidArgs", "Object has no interface %s", iface)
	}
	return obj, nil
}

func (f *Fake) propSet(msg dbus.Message, iface, name string, value dbus.Variant) *dbus.Error {
	return f.handle(func() *dbus.Error {
		obj, err := f.propObject(msg, iface)
		if err != nil {
			return err
		}
		switch o := obj.(type) {
		case *adapter:
			if name == "Powered" {
				on, ok := value.Value().(bool)
				if !ok {
					return iwdError("InvalidArguments")
				}
				return f.setAdapterPowered(o, on)
			}
		case *device:
			switch {
			case iface == ifDevice && name == "Powered":
				on, ok := value.Value().(bool)
				if !ok {
					return iwdError("InvalidArguments")
				}
				return f.setDevicePowered(o, on)
			case iface == ifDevice && name == "Mode":
				mode, ok := value.Value().(string)
				if !ok {
					return iwdError("InvalidArguments")
				}
				return f.setDeviceMode(o, mode)
			}
		case *known:
			if name == "AutoConnect" {
				on, ok := value.Value().(bool)
				if !ok {
					return iwdError("InvalidArguments")
				}
				if o.autoConnect != on {
					o.autoConnect = on
					f.emitChanged(o.path, ifKnownNetwork, "AutoConnect")
				}
				return nil
			}
		}
		if slices.Contains(propertyNames[iface], name) {
			return busError("InvalidArgs", "Property %s is read-only", name)
		}
		return busError("InvalidArgs", "Unknown Property %s", name)
	})
}

func (f *Fake) setAdapterPowered(a *adapter, on bool) *dbus.Error {
	if on == (!a.soft && !a.hard) {
		return nil
	}
	if a.hard {
		return iwdError("NotAvailable")
	}
	a.soft = !on
	f.emitChanged(a.path, ifAdapter, "Powered")
	f.updateDevice(a.dev)
	f.emitChanged(a.dev.path, ifDevice, "Powered")
	return nil
}

func (f *Fake) setDevicePowered(d *device, on bool) *dbus.Error {
	if on == d.on() {
		d.powered = on
		return nil
	}
	if on && (d.adapter.soft || d.adapter.hard) {
		// The kernel refuses to bring up an rfkill-blocked interface.
		return iwdError("Failed")
	}
	d.powered = on
	f.updateDevice(d)
	f.emitChanged(d.path, ifDevice, "Powered")
	return nil
}

// setDeviceMode accepts only "station": the fake has no access point or
// ad-hoc support.
func (f *Fake) setDeviceMode(d *device, mode string) *dbus.Error {
	switch mode {
	case d.mode:
		return nil
	case "ap", "ad-hoc":
		return iwdError("NotSupported")
	case "station":
		d.mode = mode
		f.updateDevice(d)
		f.emitChanged(d.path, ifDevice, "Mode")
		return nil
	}
	return iwdError("InvalidArguments")
}

func (f *Fake) getInfo(msg dbus.Message) (map[string]dbus.Variant, *dbus.Error) {
	var out map[string]dbus.Variant
	err := f.handle(func() *dbus.Error {
		if _, err := f.object(msg, ifDaemon); err != nil {
			return err
		}
		version := f.sc.Version
		if version == "" {
			version = "2.3"
		}
		out = map[string]dbus.Variant{
			"Version":                     dbus.MakeVariant(version),
			"StateDirectory":              dbus.MakeVariant("/var/lib/iwd"),
			"NetworkConfigurationEnabled": dbus.MakeVariant(f.sc.NetworkConfigurationEnabled),
		}
		return nil
	})
	return out, err
}

func (f *Fake) diagnostics(msg dbus.Message) (map[string]dbus.Variant, *dbus.Error) {
	var out map[string]dbus.Variant
	err := f.handle(func() *dbus.Error {
		obj, err := f.object(msg, ifDiagnostic)
		if err != nil {
			return err
		}
		n := obj.(*device).st.connected
		security := "WPA2-Personal"
		if n.cfg.Security == "open" {
			security = "Open"
		}
		out = map[string]dbus.Variant{
			"ConnectedBss": dbus.MakeVariant(bssid(n.cfg)),
			"Frequency":    dbus.MakeVariant(uint32(2437)),
			"Security":     dbus.MakeVariant(security),
			"RSSI":         dbus.MakeVariant(int16(n.cfg.Signal)),
			"AverageRSSI":  dbus.MakeVariant(int16(n.cfg.Signal)),
		}
		return nil
	})
	return out, err
}

func (f *Fake) knownForget(msg dbus.Message) *dbus.Error {
	return f.handle(func() *dbus.Error {
		obj, err := f.object(msg, ifKnownNetwork)
		if err != nil {
			return err
		}
		k := obj.(*known)
		f.known = slices.DeleteFunc(f.known, func(x *known) bool { return x == k })
		delete(f.paths, k.path)
		f.sync(k.path)
		// Networks lose their KnownNetwork; a connected one is dropped.
		for _, ad := range f.adapters {
			st := ad.dev.st
			if st == nil {
				continue
			}
			for _, n := range st.sortedNetworks() {
				if n.cfg.SSID != k.cfg.SSID || n.cfg.Security != k.cfg.Security {
					continue
				}
				if st.connected == n {
					f.dropConnection(st)
				}
				f.emitChanged(n.path, ifNetwork, "KnownNetwork")
			}
		}
		return nil
	})
}

// nowFunc is the clock for LastConnectedTime.
var nowFunc = time.Now
