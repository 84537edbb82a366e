package main

import (
	"github.com/spf13/cobra"

	"github.com/nix-community/installer-console/state"
)

// globalOptions are the flags every subcommand shares.
type globalOptions struct {
	stateDir string
}

func (g *globalOptions) state() state.Dir { return state.New(g.stateDir) }

// subcommands is filled by each subcommand's file through register, so that
// adding a subcommand never touches this file.
var subcommands []func(*globalOptions) *cobra.Command

func register(newCommand func(*globalOptions) *cobra.Command) {
	subcommands = append(subcommands, newCommand)
}

// defaultAction runs when no subcommand is given (the console TUI, once it
// is registered); nil means print help.
var defaultAction func(g *globalOptions, cmd *cobra.Command) error

func newRootCommand() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "installer-console",
		Short: "Console and boot services of the NixOS installer images",
		Long: `installer-console shows how to reach this installer (root password,
addresses, Tor onion address, SSH host keys, QR code) and runs the boot
services that produce that data. Without a subcommand it starts the console.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if defaultAction == nil {
				return cmd.Help()
			}
			return defaultAction(g, cmd)
		},
	}
	root.PersistentFlags().StringVar(&g.stateDir, "state-dir", state.DefaultDir,
		"runtime state directory shared by the services and the console")
	root.CompletionOptions.HiddenDefaultCmd = true
	for _, newCommand := range subcommands {
		root.AddCommand(newCommand(g))
	}
	return root
}
