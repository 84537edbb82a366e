package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/password"
	"github.com/nix-community/installer-console/state"
)

func init() { register(newPreviewCommand) }

func newPreviewCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "preview",
		Short: "Show the console with demo state; changes nothing on this machine",
		Long: `Start the console as the installer shows it, on any Linux machine: a demo
password in a temporary state directory (removed on exit), no onion address
yet, and this machine's real addresses, SSH host keys and, when iwd runs,
WiFi. Nothing on the host is changed: no password is set, no service is
started. --state-dir is ignored.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := os.MkdirTemp("", "installer-console-preview-")
			if err != nil {
				return fmt.Errorf("preview state directory: %w", err)
			}
			defer os.RemoveAll(dir)
			demo, err := password.Generate(password.DefaultWords)
			if err != nil {
				return err
			}
			if err := state.New(dir).WritePassword(demo); err != nil {
				return err
			}
			preview := *g
			preview.stateDir = dir
			if defaultAction != nil {
				return defaultAction(&preview, cmd)
			}
			src := login.Source{State: preview.state()}
			return runStatus(cmd.OutOrStdout(), src.Gather(), statusOptions{qr: true})
		},
	}
}
