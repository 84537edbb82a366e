package tornet

import (
	"fmt"
	"os/exec"
	"strings"
	"context"
	"testing"
	"time"
)

func TestTmpNetwork(t *testing.T) {
	start := time.Now()
	n := Start(t, Options{})
	t.Logf("started in %v", time.Since(start))
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	if err := n.WaitClientBootstrapped(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("client bootstrapped after %v", time.Since(start))
	AssertLoopbackOnly(t, n.PIDs()...)
	t.Log(n.JoinTorrc())
}

func TestTmpNetwork2(t *testing.T) {
	n := Start(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	if err := n.WaitClientBootstrapped(ctx); err != nil {
		t.Fatal(err)
	}
	bad, _, _ := CheckLoopbackOnly(n.PIDs()...)
	for _, b := range bad {
		var pid int
		var ino string
		fmt.Sscanf(b, "pid %d: socket inode %s", &pid, &ino)
		out, _ := exec.Command("ss", "-a", "-e", "-n", "-p", "-0", "-w", "-x", "-t", "-u", "-A", "all").CombinedOutput()
		for _, l := range strings.Split(string(out), "\n") {
			if strings.Contains(l, "ino:"+ino) || strings.Contains(l, " "+ino+" ") {
				t.Log(l)
			}
		}
		t.Log(b)
	}
}
