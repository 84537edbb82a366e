package tor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/cretz/bine/control"
	"github.com/fsnotify/fsnotify"
)

// torProcess is one run of the tor binary.
type torProcess struct {
	cmd     *exec.Cmd
	out     *torOutput
	exited  chan struct{} // closed when the process is reaped
	waitErr error         // valid after exited
}

// exitReason says in plain words how tor ended.
func (p *torProcess) exitReason() string { return p.describeExit("tor exited unexpectedly") }

// describeExit is what, then how tor ended and tor's last complaints.
func (p *torProcess) describeExit(what string) string {
	msg := what
	if p.waitErr != nil {
		msg += " (" + p.waitErr.Error() + ")"
	}
	// tor's own last words explain its own exits, not a kill from outside.
	if st := p.cmd.ProcessState; st != nil && st.Exited() && st.ExitCode() != 0 {
		if text := p.out.problemText(); text != "" {
			msg += ": " + text
		}
	}
	return msg
}

// kill ends tor's whole process group and reaps it.
func (p *torProcess) kill() {
	select {
	case <-p.exited:
		return // reaped: its group ID may belong to someone else by now
	default:
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.exited
}

func (s *Service) startProcess(torPath string) (*torProcess, error) {
	out := &torOutput{logf: s.logf}
	cmd := exec.Command(torPath, s.torArgs()...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Its own process group, so that a terminal's Ctrl-C reaches the
		// service (which stops tor in order) and not tor directly.
		Setpgid: true,
		// Should the service die without cleaning up, tor dies with it
		// (besides __OwningControllerProcess and TAKEOWNERSHIP).
		Pdeathsig: syscall.SIGTERM,
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting tor: %w", err)
	}
	p := &torProcess{cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		out.flush()
		close(p.exited)
	}()
	return p, nil
}

// runTor runs tor once: start it, connect to its control socket, add the
// onion service, then follow its events until tor dies (an error saying
// why) or ctx is done (nil, after stopping tor).
func (s *Service) runTor(ctx context.Context, torPath string) error {
	sock := s.ControlSocketPath()
	// A socket left by a killed tor would look like a live one.
	if err := os.Remove(sock); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the old control socket: %w", err)
	}
	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching for tor's control socket: %w", err)
	}
	defer watcher.Close()
	if err := watcher.Add(filepath.Dir(sock)); err != nil {
		return fmt.Errorf("watching for tor's control socket: %w", err)
	}

	p, err := s.startProcess(torPath)
	if err != nil {
		return err
	}
	s.setPID(p.cmd.Process.Pid)
	defer s.setPID(0)

	netConn, err := s.dialControl(ctx, watcher, p)
	if err != nil {
		p.kill()
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	watcher.Close()

	sess, err := s.openSession(netConn)
	if err != nil {
		netConn.Close()
		select {
		case <-p.exited: // tor's own exit explains more
			return errors.New(p.exitReason())
		default:
			p.kill()
			return err
		}
	}
	s.logf("tor is running (pid %d) with the onion service %s", p.cmd.Process.Pid, s.key.hostname())

	select {
	case <-ctx.Done():
		// tor took ownership: closing the connection makes it exit.
		sess.close()
		select {
		case <-p.exited:
		case <-time.After(stopTimeout):
			s.logf("tor did not exit within %v of being told to; killing it", stopTimeout)
			p.kill()
		}
		return nil
	case <-p.exited:
		sess.close()
		return errors.New(p.exitReason())
	case err := <-sess.readErr:
		sess.close()
		select {
		case <-p.exited:
			return errors.New(p.exitReason())
		case <-time.After(stopTimeout):
			p.kill()
			return fmt.Errorf("lost the control connection to tor: %v", err)
		}
	}
}

func (s *Service) setPID(pid int) {
	s.mu.Lock()
	s.pid = pid
	s.mu.Unlock()
}

// dialControl waits for tor to create its control socket (an inotify
// event) and connects to it.
func (s *Service) dialControl(ctx context.Context, watcher *fsnotify.Watcher, p *torProcess) (net.Conn, error) {
	sock := s.ControlSocketPath()
	deadline := time.NewTimer(controlSocketTimeout)
	defer deadline.Stop()
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-p.exited:
			return nil, errors.New(p.describeExit("tor could not start"))
		case <-deadline.C:
			return nil, fmt.Errorf("tor did not open its control socket %s within %v", sock, controlSocketTimeout)
		case err := <-watcher.Errors:
			return nil, fmt.Errorf("watching for tor's control socket: %w", err)
		case <-watcher.Events:
		}
	}
	// The socket file exists from bind(); connecting can fail for the
	// moment until listen(). No event marks that, so retry briefly.
	var lastErr error
	for i := 0; i < 50; i++ {
		c, err := net.Dial("unix", sock)
		if err == nil {
			return c, nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-p.exited:
			return nil, errors.New(p.describeExit("tor could not start"))
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("connecting to tor's control socket: %w", lastErr)
}

// session is the service's control connection to one tor.
type session struct {
	netConn  net.Conn
	conn     *control.Conn
	readErr  chan error    // the event reader's end
	stop     chan struct{} // closed when no more events will come
	stopOnce sync.Once
	reading  bool
	consumed chan struct{} // closed when all events are applied
}

func (sess *session) stopEvents() { sess.stopOnce.Do(func() { close(sess.stop) }) }

// close hangs up and waits until every event read is applied.
func (sess *session) close() {
	sess.netConn.Close()
	if sess.reading {
		<-sess.stop // the reader stops on the hang-up
	} else {
		sess.stopEvents()
	}
	<-sess.consumed
}

// snapshot carries the answer to GETINFO status/bootstrap-phase through the
// event channel, so that it is applied in order with the events around it.
type snapshot struct{ b bootstrap }

func (snapshot) Code() control.EventCode { return "snapshot" }

// openSession authenticates, takes ownership of tor, subscribes to the
// events the status document needs, adds the onion service and starts
// following events.
func (s *Service) openSession(netConn net.Conn) (*session, error) {
	conn := control.NewConn(textproto.NewConn(netConn))
	if err := conn.Authenticate(""); err != nil {
		return nil, fmt.Errorf("authenticating to tor's control socket: %w", err)
	}
	if err := conn.TakeOwnership(); err != nil {
		return nil, fmt.Errorf("taking ownership of tor: %w", err)
	}
	sess := &session{
		netConn:  netConn,
		conn:     conn,
		readErr:  make(chan error, 1),
		consumed: make(chan struct{}),
		stop:     make(chan struct{}),
	}
	// bine delivers events with blocking sends, also from inside
	// synchronous requests; a consumer that never sends requests itself
	// keeps that from ever deadlocking.
	events := make(chan control.Event, 256)
	go s.consume(sess, events)
	if err := conn.AddEventListener(events, control.EventCodeStatusClient, control.EventCodeHSDesc); err != nil {
		sess.close()
		return nil, fmt.Errorf("subscribing to tor's events: %w", err)
	}
	if err := s.addOnion(conn); err != nil {
		sess.close()
		return nil, err
	}
	info, err := conn.GetInfo("status/bootstrap-phase")
	if err != nil || len(info) == 0 {
		sess.close()
		return nil, fmt.Errorf("asking tor for its bootstrap phase: %v", err)
	}
	events <- snapshot{parseBootstrap(info[0].Val)}
	sess.reading = true
	go func() {
		for {
			if err := conn.HandleNextEvent(); err != nil {
				sess.readErr <- err
				sess.stopEvents()
				return
			}
		}
	}()
	return sess, nil
}

// consume applies events to the status document until the session stops,
// then applies what is left in the channel.
func (s *Service) consume(sess *session, events chan control.Event) {
	defer close(sess.consumed)
	seenSnapshot := false
	apply := func(ev control.Event) {
		if snap, ok := ev.(snapshot); ok {
			seenSnapshot = true
			s.status.running(snap.b)
			return
		}
		// Bootstrap events older than the snapshot are in it already.
		if _, ok := ev.(*control.StatusEvent); ok && !seenSnapshot {
			return
		}
		s.status.event(s.key.serviceID, ev)
	}
	for {
		select {
		case ev := <-events:
			apply(ev)
		case <-sess.stop:
			for {
				select {
				case ev := <-events:
					apply(ev)
				default:
					return
				}
			}
		}
	}
}

// addOnion adds the onion service with the stored key. Detach keeps it
// (and lets other controllers see it in onions/detached) should this
// connection ever be replaced; TAKEOWNERSHIP already ends tor with it.
func (s *Service) addOnion(conn *control.Conn) error {
	resp, err := conn.AddOnion(&control.AddOnionRequest{
		Key:   &control.ED25519Key{KeyPair: s.key.pair},
		Flags: []string{"Detach"},
		Ports: []*control.KeyVal{{Key: strconv.Itoa(s.cfg.VirtualPort), Val: s.cfg.Target}},
	})
	if err != nil {
		return fmt.Errorf("adding the onion service: %w", err)
	}
	if resp.ServiceID != s.key.serviceID {
		return fmt.Errorf("tor made the onion service %s.onion, but the key is for %s", resp.ServiceID, s.key.hostname())
	}
	return nil
}
