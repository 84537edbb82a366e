// Command fake-iwd runs the fake iwd (package fakeiwd) as a process of its
// own, for end-to-end tests of the console in tmux and for trying the
// console by hand on machines without WiFi. It is a fake of iwd 2.3's
// D-Bus interface, not a WiFi daemon.
//
//	fake-iwd --bus unix:path=/tmp/bus/socket [--scenario world.json] \
//	         [--netns NAME --address 192.0.2.23/24]
//
// Without --scenario it plays fakeiwd.Demo. With --netns, each new
// connection adds --address to the station's interface inside that named
// network namespace, playing DHCP. It prints "ready" once it owns
// net.connman.iwd, and leaves the bus like iwd (Release to agents) on
// SIGTERM or SIGINT.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/nix-community/installer-console/wifi/fakeiwd"
)

func main() {
	bus := flag.String("bus", os.Getenv("DBUS_SYSTEM_BUS_ADDRESS"), "bus address (default $DBUS_SYSTEM_BUS_ADDRESS)")
	scenarioFile := flag.String("scenario", "", "JSON scenario file (default: the built-in demo)")
	nsName := flag.String("netns", "", "named network namespace in which connections get an address")
	address := flag.String("address", "192.0.2.23/24", "address a connection gets in --netns")
	agentTimeout := flag.Duration("agent-timeout", 120*time.Second, "how long to wait for an agent's answer")
	flag.Parse()
	if err := run(*bus, *scenarioFile, *nsName, *address, *agentTimeout); err != nil {
		fmt.Fprintln(os.Stderr, "fake-iwd:", err)
		os.Exit(1)
	}
}

func run(bus, scenarioFile, nsName, address string, agentTimeout time.Duration) error {
	if bus == "" {
		return fmt.Errorf("no bus address: use --bus or DBUS_SYSTEM_BUS_ADDRESS")
	}
	sc := fakeiwd.Demo()
	if scenarioFile != "" {
		data, err := os.ReadFile(scenarioFile)
		if err != nil {
			return err
		}
		sc = fakeiwd.Scenario{}
		if err := json.Unmarshal(data, &sc); err != nil {
			return fmt.Errorf("%s: %w", scenarioFile, err)
		}
	}
	sc.AgentTimeout = agentTimeout
	prefix, err := netip.ParsePrefix(address)
	if err != nil {
		return fmt.Errorf("--address: %w", err)
	}

	f, err := fakeiwd.New(bus, sc)
	if err != nil {
		return err
	}
	if nsName != "" {
		f.OnConnect(func(c fakeiwd.Connection) {
			if err := addAddress(nsName, c.Interface, prefix); err != nil {
				fmt.Fprintln(os.Stderr, "fake-iwd: address:", err)
			}
		})
	}
	fmt.Println("ready")

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	f.Close()
	return nil
}

// addAddress plays DHCP: the address appears on the interface in the
// namespace.
func addAddress(nsName, ifname string, prefix netip.Prefix) error {
	ns, err := netns.GetFromName(nsName)
	if err != nil {
		return err
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return err
	}
	defer h.Close()
	link, err := h.LinkByName(ifname)
	if err != nil {
		return fmt.Errorf("%s in %s: %w", ifname, nsName, err)
	}
	addr, err := netlink.ParseAddr(prefix.String())
	if err != nil {
		return err
	}
	return h.AddrReplace(link, addr)
}
