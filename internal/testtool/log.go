package testtool

import (
	"strings"
	"sync"
	"testing"
)

// Log collects what a process or service writes (its stderr, say) and
// echoes each line to the test log under a name, so that a failing test
// shows it and the test can search it afterwards.
type Log struct {
	t    testing.TB
	name string
	mu   sync.Mutex
	b    strings.Builder
}

// NewLog returns a Log that echoes lines as "name: line".
func NewLog(t testing.TB, name string) *Log { return &Log{t: t, name: name} }

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l.t.Logf("%s: %s", l.name, line)
	}
	return len(p), nil
}

// String is everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
