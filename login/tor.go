package login

import (
	"fmt"

	"github.com/nix-community/installer-console/state"
)

// TorSummary says in a few words where the onion service stands:
// "published", "bootstrapping 45% (Loading relay descriptors)", "error: ...".
func TorSummary(i Info) string {
	t := i.Tor
	if t == nil {
		return i.TorProblem()
	}
	var s string
	switch t.State {
	case state.TorBootstrapping, state.TorStarting:
		s = fmt.Sprintf("bootstrapping %d%%", t.Bootstrap)
		if t.Summary != "" {
			s += " (" + t.Summary + ")"
		}
	case state.TorPublished:
		s = "published, reachable over Tor"
	case state.TorRestarting:
		s = "tor died, restarting"
	case state.TorError:
		s = "error"
	case state.TorStopped:
		s = "stopped"
	default:
		s = t.State
	}
	if t.LastError != "" && t.State != state.TorPublished {
		s += ": " + t.LastError
	}
	return s
}
