package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/nix-community/installer-console/login"
)

func init() { register(newStatusCommand) }

type statusOptions struct {
	json   bool
	qr     bool
	qrPNG  string
	sshDir string
}

func newStatusCommand(g *globalOptions) *cobra.Command {
	var o statusOptions
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Print how to log in to this installer",
		Long: `Print the root password, the ssh commands for every global address, the
mDNS name and the Tor onion address, the Tor state and the SSH host key
fingerprints. Run by a user who may not read the password file, it says so
and shows everything else.

A state file that is missing or corrupt is reported in words; the rest is
still shown and the exit status stays 0.`,
		Example: `  installer-console status
  installer-console status --qr
  installer-console status --json | jq -r .password
  installer-console status --qr-png login.png && zbarimg --raw login.png`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			src := login.Source{State: g.state(), SSHDir: o.sshDir}
			return runStatus(cmd.OutOrStdout(), src.Gather(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print the status document as JSON (see README: status --json)")
	f.BoolVar(&o.qr, "qr", false, "also print the login QR code")
	f.StringVar(&o.qrPNG, "qr-png", "", "write the login QR code as a PNG image to `FILE`")
	f.StringVar(&o.sshDir, "ssh-dir", login.DefaultSSHDir, "directory holding ssh_host_*_key.pub")
	return cmd
}

func runStatus(w io.Writer, info login.Info, o statusOptions) error {
	if o.qrPNG != "" {
		if err := writeQRPNG(o.qrPNG, info); err != nil {
			return err
		}
	}
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(info.Document())
	}
	printStatus(w, info)
	if o.qr {
		lines, err := qrLines(info)
		if err != nil {
			return err
		}
		fmt.Fprintln(w)
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
	}
	return nil
}

func printStatus(w io.Writer, info login.Info) {
	if info.Password != "" {
		fmt.Fprintf(w, "Root password: %s\n", info.Password)
	} else {
		fmt.Fprintf(w, "Root password: (%s)\n", info.PasswordProblem())
	}
	fmt.Fprintln(w, "\nLog in with:")
	cmds := info.SSHCommands()
	if len(info.Addrs()) == 0 {
		fmt.Fprintln(w, "  (no global address yet)")
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  %s\n", c)
	}
	fmt.Fprintf(w, "\nTor: %s\n", login.TorSummary(info))
	fmt.Fprintln(w, "\nSSH host keys:")
	if len(info.HostKeys) == 0 && info.HostKeysErr == nil {
		fmt.Fprintln(w, "  (none found)")
	}
	for _, k := range info.HostKeys {
		fmt.Fprintf(w, "  %s\n", k)
	}
	if problems := info.Problems(); len(problems) > 0 {
		fmt.Fprintln(w, "\nProblems:")
		for _, p := range problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
}
