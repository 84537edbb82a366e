// Package netrestore owns turning the network state of the system the
// installer was started from with kexec (the `ip --json addr`,
// `ip -4 --json route` and `ip -6 --json route` dumps that kexec/run packs
// into the initrd) into systemd-networkd .network units, so that the
// installer comes back on the same addresses and routes.
//
// The rules:
//   - one unit per MAC address, matched with [Match] MACAddress= (interface
//     names change across the jump, MACs do not); loopback, interfaces
//     without a MAC (tunnels, link type none) are skipped; interfaces that
//     share a MAC (a bond and its first member, a VLAN and its parent) get
//     one merged unit, named after the first of them;
//   - static addresses (scope global or site, infinite lifetime, no dynamic
//     flag) are kept; a dynamic IPv4 address is a DHCP lease: the one with
//     the longest remaining lifetime is asked for again with
//     [DHCPv4] RequestAddress=; dynamic IPv6 addresses come back by RA/DHCPv6;
//   - routes of the main table whose protocol is not kernel, dhcp or ra are
//     kept with their gateway (also an IPv6 gateway of an IPv4 route),
//     onlink (GatewayOnLink=yes), metric and preferred source; the default
//     route is written as 0.0.0.0/0 or ::/0 so its family is explicit;
//   - every unit turns on DHCP, IPv6 router advertisements, LLDP and mDNS.
//
// Output is deterministic: units sorted by file name, addresses and routes
// in dump order (the kernel's), duplicates dropped. Bad input (unreadable,
// empty, malformed or truncated JSON, wrong types, invalid addresses) is an
// error that names the file, and then nothing is written. The units are
// written all-or-nothing: see WriteUnits.
package netrestore

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Unit is one generated .network file.
type Unit struct {
	Name    string // file name, e.g. 00-eth0.network
	Content []byte
}

// Restore reads the three dumps and writes the units into dir. It returns
// the paths written.
func Restore(addrsPath, routes4Path, routes6Path, dir string) ([]string, error) {
	var srcs [3]Source
	for i, p := range []string{addrsPath, routes4Path, routes6Path} {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read dump: %w", err)
		}
		srcs[i] = Source{Name: p, Data: data}
	}
	units, err := Generate(srcs[0], srcs[1], srcs[2])
	if err != nil {
		return nil, err
	}
	if err := WriteUnits(dir, units); err != nil {
		return nil, err
	}
	paths := make([]string, len(units))
	for i, u := range units {
		paths[i] = filepath.Join(dir, u.Name)
	}
	return paths, nil
}

// iface is what one unit will say: every interface of the dump that has
// this MAC.
type iface struct {
	mac       string
	names     []string
	addrs     []string   // rendered [Address] sections
	lease     netip.Addr // the DHCPv4 lease to ask for again
	leaseLife uint64     // its remaining valid lifetime
	routes    []string   // rendered [Route] sections
}

// Generate turns the dumps into units, or explains the first problem with
// the input.
func Generate(addrs, routes4, routes6 Source) ([]Unit, error) {
	links, err := decodeArray[link](addrs, "ip --json addr")
	if err != nil {
		return nil, err
	}
	r4, err := decodeArray[route](routes4, "ip -4 --json route")
	if err != nil {
		return nil, err
	}
	r6, err := decodeArray[route](routes6, "ip -6 --json route")
	if err != nil {
		return nil, err
	}

	var order []*iface
	byMAC := map[string]*iface{}
	byName := map[string]*iface{}
	for i := range links {
		l := &links[i]
		if l.isPlaceholder() || l.LinkType == "loopback" || l.LinkType == "none" {
			continue
		}
		mac, ok := ethernetMAC(l.PermAddr)
		if !ok {
			mac, ok = ethernetMAC(l.Address)
		}
		if !ok {
			continue // no MAC to match on after the jump
		}
		if l.IfName != "" {
			if _, dup := byName[l.IfName]; dup {
				return nil, fmt.Errorf("%s: interface %q appears twice", addrs.Name, l.IfName)
			}
		}
		ifc := byMAC[mac]
		if ifc == nil {
			ifc = &iface{mac: mac}
			byMAC[mac] = ifc
			order = append(order, ifc)
		}
		ifc.names = append(ifc.names, l.IfName)
		if l.IfName != "" {
			byName[l.IfName] = ifc
		}
		for j := range l.AddrInfo {
			if err := ifc.addAddress(&l.AddrInfo[j]); err != nil {
				return nil, fmt.Errorf("%s: interface %q, address %d: %w", addrs.Name, l.IfName, j+1, err)
			}
		}
	}
	for _, dump := range []struct {
		src    Source
		routes []route
		v6     bool
	}{{routes4, r4, false}, {routes6, r6, true}} {
		for i := range dump.routes {
			r := &dump.routes[i]
			if !keepRoute(r) {
				continue
			}
			ifc := byName[r.Dev]
			if ifc == nil {
				continue // loopback, a tunnel, or a link without a MAC
			}
			section, err := renderRoute(r, dump.v6)
			if err != nil {
				return nil, fmt.Errorf("%s: route %d (dev %s): %w", dump.src.Name, i+1, r.Dev, err)
			}
			if !slices.Contains(ifc.routes, section) {
				ifc.routes = append(ifc.routes, section)
			}
		}
	}

	units := make([]Unit, 0, len(order))
	names := map[string]bool{}
	for _, ifc := range order {
		u := ifc.unit()
		if names[u.Name] {
			return nil, fmt.Errorf("%s: two interfaces would both be written to %s", addrs.Name, u.Name)
		}
		names[u.Name] = true
		units = append(units, u)
	}
	slices.SortFunc(units, func(a, b Unit) int { return strings.Compare(a.Name, b.Name) })
	return units, nil
}

// ethernetMAC returns the canonical form of a 6-byte hardware address;
// tunnels print an IP address there, and an all-zero MAC matches nothing.
func ethernetMAC(s string) (string, bool) {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 || slices.Equal(hw, make(net.HardwareAddr, 6)) {
		return "", false
	}
	return hw.String(), true
}

func (ifc *iface) addAddress(a *addrInfo) error {
	if a.isPlaceholder() {
		return nil
	}
	var v6 bool
	switch a.Family {
	case "inet":
	case "inet6":
		v6 = true
	default:
		return nil // not IP
	}
	if a.Scope != "global" && a.Scope != "site" {
		return nil // link-local and host addresses are made by the kernel
	}
	local, err := parseAddr(a.Local, v6, "local")
	if err != nil {
		return err
	}
	if a.PrefixLen == nil {
		return fmt.Errorf("no prefixlen for %s", local)
	}
	bits := 32
	if v6 {
		bits = 128
	}
	if *a.PrefixLen < 0 || *a.PrefixLen > bits {
		return fmt.Errorf("prefixlen %d out of range for %s", *a.PrefixLen, local)
	}
	valid := uint64(forever)
	if a.ValidLifeTime != nil {
		valid = *a.ValidLifeTime
	}
	if a.Dynamic || valid != forever {
		// A lease: DHCP (or RA for IPv6) hands it out again.
		if !v6 && (!ifc.lease.IsValid() || valid > ifc.leaseLife) {
			ifc.lease, ifc.leaseLife = local, valid
		}
		return nil
	}
	section := fmt.Sprintf("[Address]\nAddress=%s/%d\n", local, *a.PrefixLen)
	if a.Peer != "" && a.Peer != a.Local {
		peer, err := parseAddr(a.Peer, v6, "peer address")
		if err != nil {
			return err
		}
		section += fmt.Sprintf("Peer=%s/%d\n", peer, *a.PrefixLen)
	}
	if !slices.Contains(ifc.addrs, section) {
		ifc.addrs = append(ifc.addrs, section)
	}
	return nil
}

func parseAddr(s string, v6 bool, what string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%s %q is not an IP address", what, s)
	}
	if a.Is6() != v6 || a.Is4In6() {
		return netip.Addr{}, fmt.Errorf("%s %s is not an %s address", what, a, family(v6))
	}
	return a, nil
}

func family(v6 bool) string {
	if v6 {
		return "IPv6"
	}
	return "IPv4"
}

// keepRoute says whether a route is static configuration worth carrying
// over: main-table unicast routes on a device, not made by the kernel (prefix
// routes), DHCP or router advertisements.
func keepRoute(r *route) bool {
	if r.isPlaceholder() || r.Dev == "" {
		return false // multipath, blackhole, unreachable: no single device
	}
	if r.Type != "" && r.Type != "unicast" {
		return false
	}
	if r.Table != "" && r.Table != "main" {
		return false
	}
	switch r.Protocol {
	case "kernel", "dhcp", "ra":
		return false
	}
	return true
}

func renderRoute(r *route, v6 bool) (string, error) {
	var dst netip.Prefix
	switch r.Dst {
	case "":
		return "", fmt.Errorf("no dst")
	case "default":
		dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		if v6 {
			dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
	default:
		p, err := netip.ParsePrefix(r.Dst)
		if err != nil {
			a, aerr := netip.ParseAddr(r.Dst)
			if aerr != nil || a.Zone() != "" {
				return "", fmt.Errorf("dst %q is not an IP prefix", r.Dst)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Is6() != v6 || p.Addr().Is4In6() {
			return "", fmt.Errorf("dst %s is not an %s prefix", p, family(v6))
		}
		dst = p.Masked()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[Route]\nDestination=%s\n", dst)

	var gw netip.Addr
	var err error
	switch {
	case r.Gateway != "":
		if gw, err = parseAddr(r.Gateway, v6, "gateway"); err != nil {
			return "", err
		}
	case r.Via != nil && r.Via.Host != "":
		// RFC 5549: an IPv4 route whose next hop is an IPv6 address.
		if gw, err = parseAddr(r.Via.Host, r.Via.Family == "inet6", "via"); err != nil {
			return "", err
		}
	}
	if gw.IsValid() {
		fmt.Fprintf(&b, "Gateway=%s\n", gw)
		if slices.Contains(r.Flags, "onlink") {
			b.WriteString("GatewayOnLink=yes\n")
		}
	}
	if r.Metric != nil && *r.Metric != 0 {
		fmt.Fprintf(&b, "Metric=%d\n", *r.Metric)
	}
	if r.PrefSrc != "" {
		src, err := parseAddr(r.PrefSrc, v6, "prefsrc")
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "PreferredSource=%s\n", src)
	}
	return b.String(), nil
}

// validIfName accepts the interface names Linux accepts that are also safe
// in a file name and a comment line: 1 to 15 printable ASCII bytes, no '/'
// or ':', not "." or "..".
func validIfName(s string) bool {
	if len(s) == 0 || len(s) > 15 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' || c == '/' || c == ':' {
			return false
		}
	}
	return true
}

func (ifc *iface) unit() Unit {
	// Named after the first interface with this MAC (the lowest ifindex:
	// the physical one, before a bond or VLAN on top of it).
	base := strings.ReplaceAll(ifc.mac, ":", "-")
	var shown []string
	for _, n := range ifc.names {
		if validIfName(n) {
			shown = append(shown, n)
		}
	}
	if len(ifc.names) > 0 && validIfName(ifc.names[0]) {
		base = ifc.names[0]
	}
	var b strings.Builder
	b.WriteString("# Restored by installer-console restore-network from the network state of\n")
	b.WriteString("# the system this installer was started from with kexec.\n")
	if len(shown) > 0 {
		fmt.Fprintf(&b, "# Interface on that system: %s\n", strings.Join(shown, ", "))
	}
	fmt.Fprintf(&b, "\n[Match]\nMACAddress=%s\n\n", ifc.mac)
	b.WriteString("[Network]\nDHCP=yes\nIPv6AcceptRA=yes\nLLDP=yes\nMulticastDNS=yes\n")
	for _, s := range ifc.addrs {
		b.WriteString("\n" + s)
	}
	for _, s := range ifc.routes {
		b.WriteString("\n" + s)
	}
	if ifc.lease.IsValid() {
		fmt.Fprintf(&b, "\n[DHCPv4]\nRequestAddress=%s\n", ifc.lease)
	}
	return Unit{Name: "00-" + base + ".network", Content: []byte(b.String())}
}
