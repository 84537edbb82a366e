package main

import (
	"context"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/nix-community/installer-console/tor"
)

func init() { register(newTorCommand) }

func newTorCommand(g *globalOptions) *cobra.Command {
	var cfg tor.Config
	cmd := &cobra.Command{
		Use:   "tor",
		Short: "Run tor with an onion service for SSH (a boot service)",
		Long: `tor runs the tor binary with a v3 onion service that maps the onion's
port 22 to the local sshd, so that the installer can be reached from anywhere,
even behind NAT, with nobody at the console. It runs until stopped (SIGTERM or
SIGINT), as a systemd service.

The onion service's key is kept in the data directory (mode 0700, key file
0600), so the onion address stays the same across restarts of tor, of this
service and of the machine when the directory is persistent. A corrupt key
file is renamed aside (<name>.corrupt-<time>), never deleted, and a new key
is made; the log says so.

The onion hostname is written into the state directory as soon as the key is
loaded, before tor runs and without any network. The Tor status document
there follows tor's bootstrap, the upload of the service descriptor
("published": the service is reachable) and the last error. If tor dies it is
restarted with the same key, waiting longer after each quick failure (at most
30 s); the document says "restarting" and why.

tor gets no torrc of the system. Extra lines (bridges, proxies, a private test
network) come from --torrc-extra; the data directory, the control socket,
--socks and RunAsDaemon are set on tor's command line and cannot be changed
there. A configuration tor rejects, a missing tor binary or an unusable data
directory end the command with an error.

tor's SOCKS port (--socks) is for local clients, such as ssh through
"nc -X 5 -x 127.0.0.1:9050"; --socks off (or 0) disables it.`,
		Example: `  installer-console tor
  installer-console tor --target 127.0.0.1:2222 --socks off
  installer-console tor --torrc-extra /etc/installer-console/torrc-bridges`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.State = g.state()
			cfg.Log = cmd.ErrOrStderr()
			svc, err := tor.New(cfg)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return svc.Run(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.TorPath, "tor", tor.DefaultTorPath, "tor binary, a path or a name looked up in PATH")
	f.StringVar(&cfg.DataDir, "data-dir", tor.DefaultDataDir,
		"persistent directory for the onion service key and tor's data (made mode 0700)")
	f.IntVar(&cfg.VirtualPort, "port", tor.DefaultVirtualPort, "the onion service's port")
	f.StringVar(&cfg.Target, "target", tor.DefaultTarget, "where the onion service's connections go, host:port")
	f.StringVar(&cfg.Socks, "socks", tor.DefaultSocks, `tor's SOCKS port for local clients, host:port, or "off"`)
	f.StringVar(&cfg.TorrcExtra, "torrc-extra", "", "torrc file with extra lines for tor")
	return cmd
}
