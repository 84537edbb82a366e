package fakeiwd

import (
	"context"
	"slices"
	"time"

	"github.com/godbus/dbus/v5"
)

// AgentManager, and iwd's side of the agent protocol.

type agentReg struct {
	owner string
	path  dbus.ObjectPath
	slot  chan struct{} // iwd sends an agent one request at a time
}

type agentRequest struct {
	agent   *agentReg
	network *network
	abort   chan string // the Cancel reason
}

func (r *agentRequest) cancel(reason string) {
	select {
	case r.abort <- reason:
	default:
	}
}

func (f *Fake) registerAgent(msg dbus.Message, sender dbus.Sender, path dbus.ObjectPath) *dbus.Error {
	return f.handle(func() *dbus.Error {
		if _, err := f.object(msg, ifAgentManager); err != nil {
			return err
		}
		for _, a := range f.agents {
			if a.owner == string(sender) {
				return iwdError("AlreadyExists")
			}
		}
		f.agents = append(f.agents, &agentReg{owner: string(sender), path: path, slot: make(chan struct{}, 1)})
		f.notify()
		return nil
	})
}

func (f *Fake) unregisterAgent(msg dbus.Message, sender dbus.Sender, path dbus.ObjectPath) *dbus.Error {
	return f.handle(func() *dbus.Error {
		if _, err := f.object(msg, ifAgentManager); err != nil {
			return err
		}
		i := slices.IndexFunc(f.agents, func(a *agentReg) bool { return a.owner == string(sender) && a.path == path })
		if i < 0 {
			return iwdError("NotFound")
		}
		f.agents = slices.Delete(f.agents, i, i+1)
		f.notify()
		return nil
	})
}

// pickAgent prefers the agent of the connection that made the call, then
// the first one registered.
func (f *Fake) pickAgent(sender string) *agentReg {
	for _, a := range f.agents {
		if a.owner == sender {
			return a
		}
	}
	if len(f.agents) > 0 {
		return f.agents[0]
	}
	return nil
}

// askPassphrase calls RequestPassphrase with f.mu held on entry and on
// return; the lock is let go while the agent answers.
func (f *Fake) askPassphrase(a *agentReg, n *network) (string, *dbus.Error) {
	req := &agentRequest{agent: a, network: n, abort: make(chan string, 1)}
	f.requests = append(f.requests, req)
	n.agentPending = true
	conn, timeout := f.conn, f.agentTimeout
	f.mu.Unlock()
	pass, err := runRequest(conn, req, timeout)
	f.mu.Lock()
	n.agentPending = false
	f.requests = slices.DeleteFunc(f.requests, func(r *agentRequest) bool { return r == req })
	return pass, err
}

// runRequest waits for the agent's turn, asks, and gives up on timeout or
// cancellation with Cancel(reason). Any failure is Aborted, as in iwd.
func runRequest(conn *dbus.Conn, req *agentRequest, timeout time.Duration) (string, *dbus.Error) {
	select {
	case req.agent.slot <- struct{}{}:
	case <-req.abort:
		return "", iwdError("Aborted")
	}
	defer func() { <-req.agent.slot }()

	ctx, stopListening := context.WithCancel(context.Background())
	defer stopListening()
	obj := conn.Object(req.agent.owner, req.agent.path)
	done := obj.GoWithContext(ctx, ifAgent+".RequestPassphrase", 0, make(chan *dbus.Call, 1), req.network.path).Done
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var reason string
	select {
	case call := <-done:
		var pass string
		if call.Err != nil || call.Store(&pass) != nil {
			return "", iwdError("Aborted")
		}
		return pass, nil
	case <-timer.C:
		reason = "timed-out"
	case reason = <-req.abort:
	}
	obj.Go(ifAgent+".Cancel", dbus.FlagNoReplyExpected, nil, reason)
	return "", iwdError("Aborted")
}

// passphraseValid is iwd's check: 8 to 63 printable ASCII characters. A
// 64-digit hex key is refused when it comes from an agent.
func passphraseValid(p string) bool {
	if len(p) < 8 || len(p) > 63 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 32 || p[i] > 126 {
			return false
		}
	}
	return true
}
