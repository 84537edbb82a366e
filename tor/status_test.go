package tor

import (
	"strings"
	"testing"

	"github.com/cretz/bine/control"

	"github.com/nix-community/installer-console/state"
)

const testServiceID = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd"

// The status document through a whole life: start, bootstrap, publication,
// a failed upload, a crash, the restart and the stop. Events are parsed by
// bine from the raw lines tor sends.
func TestStatusTransitions(t *testing.T) {
	d := state.New(t.TempDir())
	var logs []string
	k := &statusKeeper{dir: d, logf: func(f string, a ...any) { logs = append(logs, f) }}
	read := func() state.TorStatus {
		t.Helper()
		s, err := d.ReadTorStatus()
		if err != nil {
			t.Fatal(err)
		}
		s.Updated = state.TorStatus{}.Updated
		return s
	}
	expect := func(step string, want state.TorStatus) {
		t.Helper()
		if got := read(); got != want {
			t.Fatalf("%s:\n got %+v\nwant %+v", step, got, want)
		}
	}
	ev := func(code control.EventCode, raw string) {
		k.event(testServiceID, control.ParseEvent(code, raw, nil))
	}

	k.starting()
	expect("start", state.TorStatus{State: state.TorStarting})

	k.running(parseBootstrap(`NOTICE BOOTSTRAP PROGRESS=0 TAG=starting SUMMARY="Starting"`))
	expect("running", state.TorStatus{State: state.TorBootstrapping, Summary: "Starting"})

	ev(control.EventCodeStatusClient, `NOTICE BOOTSTRAP PROGRESS=45 TAG=requesting_descriptors SUMMARY="Asking for relay descriptors"`)
	expect("bootstrap 45", state.TorStatus{State: state.TorBootstrapping, Bootstrap: 45, Summary: "Asking for relay descriptors"})

	// A routine failure tor recommends to ignore is no error.
	ev(control.EventCodeStatusClient, `WARN BOOTSTRAP PROGRESS=45 TAG=requesting_descriptors SUMMARY="Asking for relay descriptors" WARNING="DONE" REASON=DONE COUNT=1 RECOMMENDATION=ignore HOSTADDR=127.0.0.1:5000`)
	expect("ignored warning", state.TorStatus{State: state.TorBootstrapping, Bootstrap: 45, Summary: "Asking for relay descriptors"})

	ev(control.EventCodeStatusClient, `WARN BOOTSTRAP PROGRESS=50 TAG=loading_descriptors SUMMARY="Loading relay descriptors" WARNING="Connection refused" REASON=CONNECTREFUSED COUNT=3 RECOMMENDATION=warn HOSTID="ABCD" HOSTADDR=127.0.0.1:5000`)
	problem := "Connection refused (connectrefused) with 127.0.0.1:5000"
	expect("bootstrap problem", state.TorStatus{State: state.TorBootstrapping, Bootstrap: 50, Summary: "Loading relay descriptors", LastError: problem})

	ev(control.EventCodeStatusClient, `NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"`)
	expect("bootstrapped", state.TorStatus{State: state.TorBootstrapping, Bootstrap: 100, Summary: "Done", LastError: problem})

	// Another service's descriptor says nothing about ours.
	ev(control.EventCodeHSDesc, `UPLOADED aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa UNKNOWN $0123456789ABCDEF0123456789ABCDEF01234567~relay1`)
	expect("other service uploaded", state.TorStatus{State: state.TorBootstrapping, Bootstrap: 100, Summary: "Done", LastError: problem})

	ev(control.EventCodeHSDesc, `UPLOAD `+testServiceID+` UNKNOWN $0123456789ABCDEF0123456789ABCDEF01234567~relay1 DESCID HSDIR_INDEX=00`)
	expect("upload started", state.TorStatus{State: state.TorBootstrapping, Bootstrap: 100, Summary: "Done", LastError: problem})

	ev(control.EventCodeHSDesc, `UPLOADED `+testServiceID+` UNKNOWN $0123456789ABCDEF0123456789ABCDEF01234567~relay1`)
	published := state.TorStatus{State: state.TorPublished, Bootstrap: 100, Summary: "Done", Published: true, LastError: problem}
	expect("published", published)

	// A failed upload to one HSDir is reported, and the service stays
	// published: the others have the descriptor.
	ev(control.EventCodeHSDesc, `FAILED `+testServiceID+` UNKNOWN $89ABCDEF0123456789ABCDEF0123456789ABCDEF~relay2 REASON=UPLOAD_REJECTED`)
	published.LastError = "descriptor upload to HSDir relay2 failed: UPLOAD_REJECTED"
	expect("upload failed", published)

	// Bootstrap news after publication keeps the state.
	ev(control.EventCodeStatusClient, `NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"`)
	expect("bootstrap after publication", published)

	k.died("tor exited unexpectedly (signal: killed)")
	restarting := state.TorStatus{State: state.TorRestarting, LastError: "tor exited unexpectedly (signal: killed)", Restarts: 1}
	expect("died", restarting)

	// Starting again keeps saying "restarting" until tor runs.
	k.starting()
	expect("starting again", restarting)

	k.running(parseBootstrap(`NOTICE BOOTSTRAP PROGRESS=0 TAG=starting SUMMARY="Starting"`))
	expect("running again", state.TorStatus{State: state.TorBootstrapping, Summary: "Starting", LastError: "tor exited unexpectedly (signal: killed)", Restarts: 1})

	k.stopped()
	expect("stopped", state.TorStatus{State: state.TorStopped, LastError: "tor exited unexpectedly (signal: killed)", Restarts: 1})

	k.failed("tor binary \"tor\" not found")
	expect("failed", state.TorStatus{State: state.TorError, LastError: "tor binary \"tor\" not found", Restarts: 1})

	joined := strings.Join(logs, "\n")
	for _, want := range []string{"tor bootstrap %d%%: %s", "tor bootstrap problem", "descriptor uploaded"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no log line like %q in:\n%s", want, joined)
		}
	}
}

// Unchanged documents are not rewritten: a viewer is woken by real changes
// only.
func TestStatusSkipsIdenticalWrites(t *testing.T) {
	d := state.New(t.TempDir())
	k := &statusKeeper{dir: d, logf: t.Logf}
	k.running(bootstrap{progress: 10, summary: "x"})
	st1, err := d.ReadTorStatus()
	if err != nil {
		t.Fatal(err)
	}
	k.bootstrapped(bootstrap{progress: 10, summary: "x"})
	st2, _ := d.ReadTorStatus()
	if !st1.Updated.Equal(st2.Updated) {
		t.Fatalf("an identical document was written again: %v then %v", st1.Updated, st2.Updated)
	}
}

func TestParseKeywordsQuotedStrings(t *testing.T) {
	got := parseKeywords(`BOOTSTRAP PROGRESS=14 TAG=handshake SUMMARY="Handshaking with a \"relay\"" WARNING="No route to host" REASON=NOROUTE`)
	want := map[string]string{
		"PROGRESS": "14", "TAG": "handshake", "SUMMARY": `Handshaking with a "relay"`,
		"WARNING": "No route to host", "REASON": "NOROUTE",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %q", got)
	}
}
