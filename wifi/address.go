package wifi

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// ErrNoAddress means the interface got no address in time: associated,
// but DHCP gave no address.
var ErrNoAddress = errors.New("DHCP gave no address")

// WaitForAddress waits until the interface ifname has a global address
// (IPv4, or IPv6 that passed duplicate address detection) and returns it;
// an address it already has counts. It listens to netlink address events,
// in the network namespace ns (nil: the current one). When ctx ends first
// the error wraps ErrNoAddress.
func WaitForAddress(ctx context.Context, ifname string, ns *netns.NsHandle) (netip.Prefix, error) {
	var h *netlink.Handle
	var err error
	if ns != nil {
		h, err = netlink.NewHandleAt(*ns)
	} else {
		h, err = netlink.NewHandle()
	}
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("netlink: %w", err)
	}
	defer h.Close()
	link, err := h.LinkByName(ifname)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("no network interface %s: %w", ifname, err)
	}
	index := link.Attrs().Index

	updates := make(chan netlink.AddrUpdate, 64)
	done := make(chan struct{})
	failed := make(chan error, 1)
	opts := netlink.AddrSubscribeOptions{
		Namespace:    ns,
		ListExisting: true, // addresses already there come first
		ErrorCallback: func(err error) {
			select {
			case failed <- err:
			default:
			}
		},
	}
	if err := netlink.AddrSubscribeWithOptions(updates, done, opts); err != nil {
		return netip.Prefix{}, fmt.Errorf("watch addresses of %s: %w", ifname, err)
	}
	defer func() {
		close(done)
		for range updates { // let the subscription's goroutine finish
		}
	}()
	for {
		select {
		case u, ok := <-updates:
			if !ok {
				return netip.Prefix{}, fmt.Errorf("watching addresses of %s stopped", ifname)
			}
			if p, ok := globalAddress(u, index); ok {
				return p, nil
			}
		case err := <-failed:
			return netip.Prefix{}, fmt.Errorf("watching addresses of %s: %w", ifname, err)
		case <-ctx.Done():
			return netip.Prefix{}, fmt.Errorf("%s got no IP address: %w", ifname, ErrNoAddress)
		}
	}
}

func globalAddress(u netlink.AddrUpdate, index int) (netip.Prefix, bool) {
	if !u.NewAddr || u.LinkIndex != index || u.Scope != unix.RT_SCOPE_UNIVERSE {
		return netip.Prefix{}, false
	}
	if u.Flags&(unix.IFA_F_TENTATIVE|unix.IFA_F_DADFAILED) != 0 {
		return netip.Prefix{}, false
	}
	addr, ok := netip.AddrFromSlice(u.LinkAddress.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := u.LinkAddress.Mask.Size()
	return netip.PrefixFrom(addr.Unmap(), ones), true
}
