package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/tui"
)

// The console is what `installer-console` does without a subcommand.
func init() { defaultAction = runConsole }

func runConsole(g *globalOptions, cmd *cobra.Command) error {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	o := tui.Options{Source: login.Source{State: g.state()}}
	if cmd.Name() != "installer-console" {
		// Started by preview: say how to get that back, and leave a
		// stopped iwd stopped.
		o.ComeBack = "Type installer-console " + cmd.Name() + " to show this screen again."
		o.NoWiFiActivation = true
	}
	return tui.Run(ctx, o)
}
