package tor

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cretz/bine/control"

	"github.com/nix-community/installer-console/state"
)

// statusKeeper owns the Tor status document: every change goes through it,
// is logged in plain words and written to the state directory. Writes that
// would not change the document are skipped, so watchers see real changes
// only.
type statusKeeper struct {
	dir  state.Dir
	logf func(string, ...any)

	mu        sync.Mutex
	cur       state.TorStatus
	written   bool
	writeFail bool
}

func (k *statusKeeper) get() state.TorStatus {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cur
}

// update applies change to the document and writes it if anything changed.
func (k *statusKeeper) update(change func(*state.TorStatus)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	next := k.cur
	change(&next)
	if k.written && next == k.cur {
		return
	}
	next.Updated = time.Time{} // stamped by WriteTorStatus; not compared
	k.cur = next
	k.written = true
	if err := k.dir.WriteTorStatus(next); err != nil {
		// Keep running: tor and the onion service matter more than the
		// document. Say it once, not at every event.
		if !k.writeFail {
			k.logf("cannot write the Tor status document: %v", err)
		}
		k.writeFail = true
		return
	}
	k.writeFail = false
}

// starting: tor is about to be started (the first time or again).
func (k *statusKeeper) starting() {
	k.update(func(s *state.TorStatus) {
		if s.State != state.TorRestarting {
			s.State = state.TorStarting
		}
		s.Bootstrap, s.Summary, s.Published = 0, "", false
	})
}

// running: tor runs and holds the onion service; bootstrap is what tor
// reported when asked.
func (k *statusKeeper) running(b bootstrap) {
	k.update(func(s *state.TorStatus) {
		s.State = state.TorBootstrapping
		s.Bootstrap, s.Summary, s.Published = b.progress, b.summary, false
	})
	k.logf("tor bootstrap %d%%: %s", b.progress, b.summary)
}

// died: tor stopped without being asked to; it will be restarted.
func (k *statusKeeper) died(reason string) {
	k.update(func(s *state.TorStatus) {
		s.State = state.TorRestarting
		s.Bootstrap, s.Summary, s.Published = 0, "", false
		s.LastError = reason
		s.Restarts++
	})
}

// failed: the service gives up.
func (k *statusKeeper) failed(reason string) {
	k.update(func(s *state.TorStatus) {
		s.State = state.TorError
		s.Bootstrap, s.Summary, s.Published = 0, "", false
		s.LastError = reason
	})
}

// stopped: the service was asked to stop and tor is gone.
func (k *statusKeeper) stopped() {
	k.update(func(s *state.TorStatus) {
		s.State = state.TorStopped
		s.Bootstrap, s.Summary, s.Published = 0, "", false
	})
}

// event applies one control-port event concerning the service serviceID.
func (k *statusKeeper) event(serviceID string, ev control.Event) {
	switch ev := ev.(type) {
	case *control.StatusEvent:
		if ev.Action != "BOOTSTRAP" {
			return
		}
		k.bootstrapped(parseBootstrap(ev.Raw))
	case *control.HSDescEvent:
		if ev.Address != serviceID {
			return
		}
		switch ev.Action {
		case "UPLOADED":
			k.update(func(s *state.TorStatus) {
				if !s.Published {
					k.logf("onion service descriptor uploaded to %s: %s.onion is reachable", hsdirName(ev.HSDir), serviceID)
				}
				s.Published = true
				s.State = state.TorPublished
			})
		case "FAILED":
			reason := "descriptor upload to " + hsdirName(ev.HSDir) + " failed"
			if ev.Reason != "" {
				reason += ": " + ev.Reason
			}
			k.logf("%s", reason)
			k.update(func(s *state.TorStatus) { s.LastError = reason })
		}
	}
}

func (k *statusKeeper) bootstrapped(b bootstrap) {
	prev := k.get()
	if b.problem != "" {
		k.logf("tor bootstrap problem at %d%%: %s", b.progress, b.problem)
	} else if b.progress != prev.Bootstrap {
		k.logf("tor bootstrap %d%%: %s", b.progress, b.summary)
	}
	k.update(func(s *state.TorStatus) {
		s.Bootstrap, s.Summary = b.progress, b.summary
		if b.problem != "" {
			s.LastError = b.problem
		}
		if !s.Published {
			s.State = state.TorBootstrapping
		}
	})
}

// hsdirName shortens "$FINGERPRINT~nickname" to the nickname.
func hsdirName(hsdir string) string {
	if _, nick, ok := strings.Cut(hsdir, "~"); ok && nick != "" {
		return "HSDir " + nick
	}
	return "HSDir " + hsdir
}

// bootstrap is one bootstrap report: an event or the answer to GETINFO
// status/bootstrap-phase. Both read "SEVERITY BOOTSTRAP PROGRESS=n TAG=t
// SUMMARY="..." [WARNING="..." REASON=r ...]".
type bootstrap struct {
	progress int
	summary  string
	problem  string // set for a WARN/ERR report
}

func parseBootstrap(line string) bootstrap {
	severity, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	args := parseKeywords(rest)
	b := bootstrap{summary: args["SUMMARY"]}
	b.progress, _ = strconv.Atoi(args["PROGRESS"])
	// tor reports every failed connection attempt; those it recommends to
	// ignore are routine (a relay closed the connection, one of many).
	if (severity == "WARN" || severity == "ERR") && args["RECOMMENDATION"] != "ignore" {
		b.problem = args["WARNING"]
		if b.problem == "" {
			b.problem = "bootstrap trouble"
		}
		if r := args["REASON"]; r != "" {
			b.problem = fmt.Sprintf("%s (%s)", b.problem, strings.ToLower(r))
		}
		if h := args["HOSTADDR"]; h != "" {
			b.problem += " with " + h
		}
	}
	return b
}

// parseKeywords reads KEY=VALUE pairs where VALUE may be a quoted string
// with spaces and backslash escapes (control-spec "QuotedString"). bine's
// StatusEvent splits at every space, which breaks SUMMARY="Loading relay
// descriptors", so the keeper parses the raw text itself.
func parseKeywords(s string) map[string]string {
	out := map[string]string{}
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return out
		}
		eq := strings.IndexAny(s, "= ")
		if eq < 0 || s[eq] == ' ' {
			// A bare word (action or flag): skip it.
			if eq < 0 {
				return out
			}
			s = s[eq:]
			continue
		}
		key := s[:eq]
		s = s[eq+1:]
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
					switch s[i] {
					case 'n':
						b.WriteByte('\n')
					case 'r':
						b.WriteByte('\r')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(s[i])
					}
					continue
				}
				b.WriteByte(s[i])
			}
			out[key] = b.String()
			if i < len(s) {
				i++
			}
			s = s[i:]
			continue
		}
		val, rest, _ := strings.Cut(s, " ")
		out[key] = val
		s = rest
	}
}
