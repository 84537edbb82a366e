package wifi

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/godbus/dbus/v5"
)

// PassphraseRequest tells a PassphraseFunc what iwd asks for.
type PassphraseRequest struct {
	Network Path   `json:"network"`
	SSID    string `json:"ssid"`
	Device  Path   `json:"device"`
	// Hidden is true when the request comes from ConnectHidden.
	Hidden bool `json:"hidden"`
}

// PassphraseFunc supplies a passphrase when iwd needs one. ctx is cancelled
// when iwd withdraws the request (context.Cause is then a *CanceledError)
// or when the Connect call's context ends; the prompt must close then, as
// Connect does not return while a PassphraseFunc runs. Returning an error
// refuses the request and Connect fails with it. The passphrase is checked
// with ValidatePassphrase before iwd sees it.
type PassphraseFunc func(ctx context.Context, req PassphraseRequest) (string, error)

// ErrNoPassphrase is the refusal when iwd needs a passphrase but Connect
// was given no PassphraseFunc.
var ErrNoPassphrase = errors.New("the network needs a passphrase, and none was given")

// agent is the client's net.connman.iwd.Agent. Its exported methods are
// exactly the D-Bus methods.
type agent struct {
	c *Client

	mu      sync.Mutex
	expects []*expectation
	active  map[*expectation]context.CancelCauseFunc
}

// expectation is a Connect or ConnectHidden waiting for iwd to ask.
type expectation struct {
	ctx     context.Context
	ask     PassphraseFunc
	hidden  bool   // ConnectHidden: matched by device and ssid
	network Path   // Connect: matched by network
	device  Path   // the station
	ssid    string // the network's name

	prompts sync.WaitGroup // running PassphraseFunc calls

	// Outcome, under agent.mu.
	asked        bool
	cancelReason string
	askErr       error
}

func (a *agent) expect(e *expectation) {
	a.mu.Lock()
	a.expects = append(a.expects, e)
	a.mu.Unlock()
}

// errAttemptOver closes a prompt still open when its Connect has ended.
var errAttemptOver = errors.New("the connection attempt is over")

// forget ends an expectation: a prompt still open is closed, and waited
// for, so that no PassphraseFunc runs once Connect has returned.
func (a *agent) forget(e *expectation) {
	a.mu.Lock()
	a.expects = slices.DeleteFunc(a.expects, func(x *expectation) bool { return x == e })
	if cancel, ok := a.active[e]; ok {
		cancel(errAttemptOver)
	}
	a.mu.Unlock()
	e.prompts.Wait()
}

// outcome reads what happened to an expectation.
func (a *agent) outcome(e *expectation) (asked bool, reason string, askErr error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return e.asked, e.cancelReason, e.askErr
}

// cancelAll closes every open prompt, as if iwd had sent Cancel(reason).
func (a *agent) cancelAll(reason string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for e, cancel := range a.active {
		e.cancelReason = reason
		cancel(&CanceledError{Reason: reason})
	}
}

var errCanceled = dbus.NewError(agentCanceled, []any{"Canceled by the user"})

// fromIwd refuses calls from anyone but the iwd we talk to: nobody else
// may fish for passphrases through our agent.
func (a *agent) fromIwd(msg dbus.Message) bool {
	sender, _ := msg.Headers[dbus.FieldSender].Value().(string)
	a.c.mu.Lock()
	defer a.c.mu.Unlock()
	return sender != "" && sender == a.c.owner
}

// Release is sent when iwd shuts down; the agent is then unregistered.
func (a *agent) Release(msg dbus.Message) *dbus.Error {
	if a.fromIwd(msg) {
		a.c.mu.Lock()
		a.c.agentOK = false
		a.c.notifyLocked()
		a.c.mu.Unlock()
	}
	return nil
}

// RequestPassphrase asks the PassphraseFunc of the Connect that is waiting
// for this network.
func (a *agent) RequestPassphrase(msg dbus.Message, network dbus.ObjectPath) (string, *dbus.Error) {
	if !a.fromIwd(msg) {
		return "", errCanceled
	}
	req := PassphraseRequest{Network: network}
	e, askCtx := a.claim(func(e *expectation) bool { return !e.hidden && e.network == network })
	if e != nil {
		req.SSID, req.Device = e.ssid, e.device
	} else {
		// A network found by ConnectHidden was unknown when the call
		// began; ask iwd for its name and station to match it.
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		var props map[string]dbus.Variant
		err := a.c.conn.Object(busName, network).CallWithContext(ctx, ifProperties+".GetAll", 0, ifNetwork).Store(&props)
		cancel()
		if err != nil {
			return "", errCanceled
		}
		req.SSID, req.Device, req.Hidden = propString(props, "Name"), propPath(props, "Device"), true
		e, askCtx = a.claim(func(e *expectation) bool { return e.hidden && e.device == req.Device && e.ssid == req.SSID })
		if e == nil {
			return "", errCanceled
		}
	}
	defer a.release(e)

	var pass string
	var err error
	if e.ask == nil {
		err = ErrNoPassphrase
	} else {
		pass, err = e.ask(askCtx, req)
	}
	if err == nil {
		err = ValidatePassphrase(pass)
	}
	if err != nil {
		a.mu.Lock()
		if e.cancelReason == "" {
			e.askErr = err
		}
		a.mu.Unlock()
		return "", errCanceled
	}
	return pass, nil
}

// claim finds the expectation a request is for and opens its prompt: the
// prompt's context is cancellable by Cancel from this moment. The caller
// must call release.
func (a *agent) claim(match func(*expectation) bool) (*expectation, context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range a.expects {
		if match(e) {
			ctx, cancel := context.WithCancelCause(e.ctx)
			e.asked = true
			e.prompts.Add(1)
			a.active[e] = cancel
			return e, ctx
		}
	}
	return nil, nil
}

// release closes the prompt claim opened.
func (a *agent) release(e *expectation) {
	a.mu.Lock()
	cancel := a.active[e]
	delete(a.active, e)
	a.mu.Unlock()
	cancel(nil)
	e.prompts.Done()
}

// RequestPrivateKeyPassphrase, RequestUserNameAndPassword and
// RequestUserPassword are for 802.1X networks, which need provisioning
// files the console does not write; they are refused.
func (a *agent) RequestPrivateKeyPassphrase(network dbus.ObjectPath) (string, *dbus.Error) {
	return "", errCanceled
}

func (a *agent) RequestUserNameAndPassword(network dbus.ObjectPath) (string, string, *dbus.Error) {
	return "", "", errCanceled
}

func (a *agent) RequestUserPassword(network dbus.ObjectPath, user string) (string, *dbus.Error) {
	return "", errCanceled
}

// Cancel is iwd withdrawing the request in progress. It is acted on in
// intercept, as it arrives.
func (a *agent) Cancel(reason string) *dbus.Error { return nil }

// intercept sees each incoming message in order, before dispatch. Method
// calls are otherwise handled on goroutines of their own, so iwd's Cancel
// could be handled after the failing Connect's reply that follows it;
// acting on Cancel here lets Connect explain the failure with its reason.
func (a *agent) intercept(msg *dbus.Message) {
	if msg.Type != dbus.TypeMethodCall {
		return
	}
	path, _ := msg.Headers[dbus.FieldPath].Value().(dbus.ObjectPath)
	iface, _ := msg.Headers[dbus.FieldInterface].Value().(string)
	member, _ := msg.Headers[dbus.FieldMember].Value().(string)
	if path != AgentPath || iface != ifAgent || member != "Cancel" || !a.fromIwd(*msg) || len(msg.Body) != 1 {
		return
	}
	if reason, ok := msg.Body[0].(string); ok {
		a.cancelAll(reason)
	}
}
