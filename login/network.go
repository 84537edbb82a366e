package login

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sort"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Network reads interfaces and addresses over netlink, in this process's
// network namespace or, when NSPath is set, in that one (tests).
type Network struct {
	NSPath string
}

// Interface is a network interface with its global addresses.
type Interface struct {
	Name  string
	MAC   string
	Up    bool   // administratively up
	State string // operational state: up, down, dormant, unknown...
	// Wireless is true for WiFi interfaces (they have a "wireless" or
	// "phy80211" entry in sysfs).
	Wireless bool
	// Addrs are the global-scope addresses, IPv4 first (see ipv4First).
	Addrs []netip.Addr
}

func (n Network) handle() (*netlink.Handle, error) {
	if n.NSPath == "" {
		return netlink.NewHandle()
	}
	ns, err := netns.GetFromPath(n.NSPath)
	if err != nil {
		return nil, fmt.Errorf("network namespace %s: %w", n.NSPath, err)
	}
	defer ns.Close()
	return netlink.NewHandleAt(ns)
}

// Interfaces lists every interface but loopback, by index, with its global
// addresses (link-local, host-scope and tentative ones left out).
func (n Network) Interfaces() ([]Interface, error) {
	h, err := n.handle()
	if err != nil {
		return nil, fmt.Errorf("netlink: %w", err)
	}
	defer h.Close()
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	addrs, err := h.AddrList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	byIndex := map[int][]netip.Addr{}
	for _, a := range addrs {
		if ip, ok := globalAddr(a); ok {
			byIndex[a.LinkIndex] = append(byIndex[a.LinkIndex], ip)
		}
	}
	sort.Slice(links, func(i, j int) bool { return links[i].Attrs().Index < links[j].Attrs().Index })
	var out []Interface
	for _, l := range links {
		at := l.Attrs()
		if at.Flags&net.FlagLoopback != 0 {
			continue
		}
		ifc := Interface{
			Name:     at.Name,
			MAC:      at.HardwareAddr.String(),
			Up:       at.Flags&net.FlagUp != 0,
			State:    at.OperState.String(),
			Wireless: l.Type() == "device" && isWireless(n, at.Name),
			Addrs:    ipv4First(byIndex[at.Index]),
		}
		out = append(out, ifc)
	}
	return out, nil
}

func globalAddr(a netlink.Addr) (netip.Addr, bool) {
	if a.Scope != unix.RT_SCOPE_UNIVERSE || a.Flags&unix.IFA_F_TENTATIVE != 0 || a.IPNet == nil {
		return netip.Addr{}, false
	}
	ip, ok := netip.AddrFromSlice(a.IP)
	if !ok {
		return netip.Addr{}, false
	}
	ip = ip.Unmap()
	// The kernel gives some addresses universe scope that nobody can
	// reach us on from outside.
	if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
		return netip.Addr{}, false
	}
	return ip, true
}

// ipv4First orders IPv4, then public IPv6, then unique-local IPv6 (fc00::/7),
// keeping the kernel's order within each group: clan's CLI tries only the
// first address, so the one most likely to be reachable goes first.
func ipv4First(addrs []netip.Addr) []netip.Addr {
	rank := func(a netip.Addr) int {
		switch {
		case a.Is4():
			return 0
		case a.IsPrivate():
			return 2
		}
		return 1
	}
	sort.SliceStable(addrs, func(i, j int) bool { return rank(addrs[i]) < rank(addrs[j]) })
	return addrs
}

// Watch sends a value whenever a link, address or route changes, until ctx
// is done. Bursts are coalesced: a receiver that is busy gets one value for
// many changes, then re-reads with Interfaces.
func (n Network) Watch(ctx context.Context) (<-chan struct{}, error) {
	var nsh *netns.NsHandle
	if n.NSPath != "" {
		h, err := netns.GetFromPath(n.NSPath)
		if err != nil {
			return nil, fmt.Errorf("network namespace %s: %w", n.NSPath, err)
		}
		nsh = &h
	}
	done := make(chan struct{})
	links := make(chan netlink.LinkUpdate, 16)
	addrs := make(chan netlink.AddrUpdate, 16)
	routes := make(chan netlink.RouteUpdate, 16)
	fail := func(err error) (<-chan struct{}, error) {
		close(done)
		if nsh != nil {
			nsh.Close()
		}
		return nil, fmt.Errorf("netlink subscribe: %w", err)
	}
	if err := netlink.LinkSubscribeWithOptions(links, done, netlink.LinkSubscribeOptions{Namespace: nsh}); err != nil {
		return fail(err)
	}
	if err := netlink.AddrSubscribeWithOptions(addrs, done, netlink.AddrSubscribeOptions{Namespace: nsh}); err != nil {
		return fail(err)
	}
	if err := netlink.RouteSubscribeWithOptions(routes, done, netlink.RouteSubscribeOptions{Namespace: nsh}); err != nil {
		return fail(err)
	}
	out := make(chan struct{}, 1)
	notify := func() {
		select {
		case out <- struct{}{}:
		default:
		}
	}
	go func() {
		defer close(out)
		defer close(done)
		if nsh != nil {
			defer nsh.Close()
		}
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-links:
				if !ok {
					return
				}
				notify()
			case _, ok := <-addrs:
				if !ok {
					return
				}
				notify()
			case _, ok := <-routes:
				if !ok {
					return
				}
				notify()
			}
		}
	}()
	return out, nil
}
