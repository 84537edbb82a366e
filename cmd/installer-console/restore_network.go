package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/nix-community/installer-console/netrestore"
)

func init() { register(newRestoreNetworkCommand) }

func newRestoreNetworkCommand(_ *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "restore-network ADDRS.json ROUTES4.json ROUTES6.json DIR",
		Short: "Turn the network dumps taken before kexec into systemd-networkd units",
		Long: `restore-network reads the output of "ip --json addr", "ip -4 --json route"
and "ip -6 --json route" that kexec/run saved on the system this installer
was started from, and writes one systemd-networkd .network unit per MAC
address into DIR (00-<interface>.network), so that the installer comes back
on the same static addresses and routes.

Units match interfaces by MAC address and keep static addresses and static
routes (gateway, onlink, IPv4 via an IPv6 gateway, the default route); a DHCP
lease is asked for again. DHCP, IPv6 router advertisements, LLDP and mDNS are
on. On bad input nothing is written and the command fails naming the file
and the problem; the units are replaced all together or not at all.`,
		Example: `  installer-console restore-network /root/network/iproute2/addrs.json \
    /root/network/iproute2/routes-v4.json /root/network/iproute2/routes-v6.json \
    /etc/systemd/network`,
		Args: cobra.ExactArgs(4),
		RunE: func(cmd *cobra.Command, args []string) error {
			paths, err := netrestore.Restore(args[0], args[1], args[2], args[3])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(paths) == 0 {
				fmt.Fprintln(out, "no interface with a MAC address in the dump; nothing written")
			}
			for _, p := range paths {
				fmt.Fprintln(out, "wrote", p)
			}
			return nil
		},
	}
}
