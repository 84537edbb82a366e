package wifi

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"
)

// prop reads one property from the model.
func (c *Client) prop(path Path, iface, name string) dbus.Variant {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.objects[path][iface][name]
}

// start checks that iwd is there and gives a display name for path.
func (c *Client) start(path Path, iface, nameProp string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	name, _ := c.objects[path][iface][nameProp].Value().(string)
	if name == "" {
		name = string(path)
	}
	if c.owner == "" {
		return name, ErrNotRunning
	}
	return name, nil
}

func (c *Client) call(ctx context.Context, path Path, method string, args ...any) *dbus.Call {
	return c.conn.Object(busName, path).CallWithContext(ctx, method, 0, args...)
}

func (c *Client) setProperty(ctx context.Context, path Path, iface, name string, value any) error {
	return c.call(ctx, path, ifProperties+".Set", iface, name, dbus.MakeVariant(value)).Err
}

// Scan triggers a scan on the device's station and waits until it ends
// (Scanning goes true→false) and the new network list is in the model. If
// a scan is already running, Scan waits for that one.
func (c *Client) Scan(ctx context.Context, device Path) error {
	name, err := c.start(device, ifDevice, "Name")
	what := "scanning on " + name
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	c.mu.Lock()
	before := c.scans[device]
	c.mu.Unlock()
	if err := c.call(ctx, device, ifStation+".Scan").Err; err != nil {
		scanning, _ := c.prop(device, ifStation, "Scanning").Value().(bool)
		if ErrorName(err) != "InProgress" || !scanning {
			return describe(opScan, what, err)
		}
	}
	gone := false
	err = c.waitUntil(ctx, func() bool {
		_, live := c.objects[device][ifStation]
		gone = !live
		return gone || c.scans[device] > before
	})
	switch {
	case err != nil:
		return fmt.Errorf("%s: the scan did not finish: %w", what, err)
	case gone:
		return fmt.Errorf("%s: the device went away during the scan", what)
	}
	return nil
}

// Connect connects the station to a network in range. When iwd needs a
// passphrase it asks the client's agent, which calls ask (nil: fail with
// ErrNoPassphrase). Connect returns once iwd reports the connection made
// or failed; that can take as long as the person takes to answer (iwd
// gives up after 120 s). A wrong passphrase gives an *Error named
// "Failed" that says "wrong passphrase, or the network refused us".
func (c *Client) Connect(ctx context.Context, network Path, ask PassphraseFunc) error {
	ssid, err := c.start(network, ifNetwork, "Name")
	what := fmt.Sprintf("connecting to %q", ssid)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	e := &expectation{
		ctx: ctx, ask: ask, network: network, ssid: ssid,
		device: propPathOf(c.prop(network, ifNetwork, "Device")),
	}
	c.agent.expect(e)
	err = c.call(ctx, network, ifNetwork+".Connect").Err
	c.agent.forget(e)
	if err == nil {
		c.settle(ctx, func() bool {
			st := c.objects[e.device][ifStation]
			return propString(st, "State") == "connected" && propPath(st, "ConnectedNetwork") == network
		})
	}
	return c.connectResult(opConnect, what, e, err)
}

// ConnectHidden provisions a hidden network: iwd probes for the SSID and
// connects, asking for the passphrase like Connect. Use it once; after
// that the network is known and appears in scans, and Connect is the way.
// The SSID is checked first (at most 32 bytes).
func (c *Client) ConnectHidden(ctx context.Context, device Path, ssid string, ask PassphraseFunc) error {
	what := fmt.Sprintf("connecting to hidden network %q", ssid)
	if err := ValidateSSID(ssid); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, err := c.start(device, ifDevice, "Name"); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	e := &expectation{ctx: ctx, ask: ask, hidden: true, device: device, ssid: ssid}
	c.agent.expect(e)
	err := c.call(ctx, device, ifStation+".ConnectHiddenNetwork", ssid).Err
	c.agent.forget(e)
	if err == nil {
		c.settle(ctx, func() bool {
			st := c.objects[device][ifStation]
			n := propPath(st, "ConnectedNetwork")
			return propString(st, "State") == "connected" && propString(c.objects[n][ifNetwork], "Name") == ssid
		})
	}
	return c.connectResult(opHidden, what, e, err)
}

// connectResult explains a failed connection with what the agent saw.
func (c *Client) connectResult(kind op, what string, e *expectation, err error) error {
	if err == nil {
		return nil
	}
	asked, reason, askErr := c.agent.outcome(e)
	switch name := ErrorName(err); {
	case name == "Aborted" && reason != "":
		return &Error{Op: what, Name: name, CancelReason: reason, Sentence: cancelSentence(reason), Err: err}
	case name == "Aborted" && askErr != nil:
		return fmt.Errorf("%s: %w", what, askErr)
	case name == "Failed" && asked:
		return &Error{Op: what, Name: name, Sentence: "wrong passphrase, or the network refused us", Err: err}
	}
	return describe(kind, what, err)
}

// Disconnect ends the station's connection. iwd also stops connecting
// automatically on this device until the next Connect.
func (c *Client) Disconnect(ctx context.Context, device Path) error {
	name, err := c.start(device, ifDevice, "Name")
	what := "disconnecting " + name
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := c.call(ctx, device, ifStation+".Disconnect").Err; err != nil {
		return describe(opDisconnect, what, err)
	}
	c.settle(ctx, func() bool {
		st, live := c.objects[device][ifStation]
		return !live || propString(st, "State") == "disconnected"
	})
	return nil
}

// Forget deletes a known network's profile (and disconnects from it).
func (c *Client) Forget(ctx context.Context, known Path) error {
	ssid, err := c.start(known, ifKnownNetwork, "Name")
	what := fmt.Sprintf("forgetting %q", ssid)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := c.call(ctx, known, ifKnownNetwork+".Forget").Err; err != nil {
		return describe(opForget, what, err)
	}
	c.settle(ctx, func() bool {
		_, live := c.objects[known][ifKnownNetwork]
		return !live
	})
	return nil
}

// SetAutoConnect turns automatic connection to a known network on or off.
func (c *Client) SetAutoConnect(ctx context.Context, known Path, on bool) error {
	ssid, err := c.start(known, ifKnownNetwork, "Name")
	what := fmt.Sprintf("setting autoconnect of %q", ssid)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := c.setProperty(ctx, known, ifKnownNetwork, "AutoConnect", on); err != nil {
		return describe(opAutoConnect, what, err)
	}
	c.settle(ctx, func() bool {
		return propBool(c.objects[known][ifKnownNetwork], "AutoConnect") == on
	})
	return nil
}

// PowerOn lifts the adapter's rfkill soft block, powers the device and
// puts it in station mode, then waits for its station to appear. A radio
// blocked by a hardware switch gives an *Error named "NotAvailable".
func (c *Client) PowerOn(ctx context.Context, device Path) error {
	name, err := c.start(device, ifDevice, "Name")
	what := "switching on " + name
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	adapter := propPathOf(c.prop(device, ifDevice, "Adapter"))
	if on, ok := c.prop(adapter, ifAdapter, "Powered").Value().(bool); ok && !on {
		if err := c.setProperty(ctx, adapter, ifAdapter, "Powered", true); err != nil {
			return describe(opPower, what, err)
		}
		c.settle(ctx, func() bool { return propBool(c.objects[adapter][ifAdapter], "Powered") })
	}
	if on, _ := c.prop(device, ifDevice, "Powered").Value().(bool); !on {
		if err := c.setProperty(ctx, device, ifDevice, "Powered", true); err != nil {
			return describe(opPower, what, err)
		}
	}
	if mode, _ := c.prop(device, ifDevice, "Mode").Value().(string); mode != "station" {
		if err := c.setProperty(ctx, device, ifDevice, "Mode", "station"); err != nil {
			return describe(opPower, what, err)
		}
	}
	c.settle(ctx, func() bool {
		_, live := c.objects[device][ifStation]
		return live && propBool(c.objects[device][ifDevice], "Powered")
	})
	return nil
}

// PowerOff powers the device down.
func (c *Client) PowerOff(ctx context.Context, device Path) error {
	name, err := c.start(device, ifDevice, "Name")
	what := "switching off " + name
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := c.setProperty(ctx, device, ifDevice, "Powered", false); err != nil {
		return describe(opPower, what, err)
	}
	c.settle(ctx, func() bool {
		_, live := c.objects[device][ifStation]
		return !live && !propBool(c.objects[device][ifDevice], "Powered")
	})
	return nil
}

// HiddenAccessPoint is an access point that hides its SSID, seen in the
// last scan.
type HiddenAccessPoint struct {
	Address   string `json:"address"`
	SignalDBm int    `json:"signal_dbm"`
	Bars      int    `json:"bars"`
	Security  string `json:"security"`
}

// HiddenAccessPoints lists the hidden access points of the last scan, so a
// person knows there is something to type a name for.
func (c *Client) HiddenAccessPoints(ctx context.Context, device Path) ([]HiddenAccessPoint, error) {
	name, err := c.start(device, ifDevice, "Name")
	what := "listing hidden access points on " + name
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var raw []struct {
		Address string
		Signal  int16
		Type    string
	}
	if err := c.call(ctx, device, ifStation+".GetHiddenAccessPoints").Store(&raw); err != nil {
		return nil, describe(opScan, what, err)
	}
	out := []HiddenAccessPoint{}
	for _, r := range raw {
		out = append(out, HiddenAccessPoint{r.Address, SignalDBm(r.Signal), Bars(r.Signal), r.Type})
	}
	return out, nil
}

func propPathOf(v dbus.Variant) Path {
	p, _ := v.Value().(dbus.ObjectPath)
	return p
}
