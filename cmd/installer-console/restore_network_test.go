package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs installer-console with args as main does; a returned error is
// what main prints before exiting 1.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

const (
	cliAddrs = `[{"ifindex":1,"ifname":"lo","link_type":"loopback","address":"00:00:00:00:00:00","addr_info":[]},
	 {"ifindex":2,"ifname":"ens3","link_type":"ether","address":"52:54:00:00:00:01","addr_info":[
	  {"family":"inet","local":"203.0.113.5","prefixlen":32,"scope":"global","valid_life_time":4294967295}]}]`
	cliRoutes4 = `[{"dst":"default","gateway":"172.31.1.1","dev":"ens3","flags":["onlink"]}]`
)

func writeInputs(t *testing.T, addrs, routes4, routes6 string) (dir string, args []string) {
	t.Helper()
	dir = t.TempDir()
	for name, data := range map[string]string{"addrs.json": addrs, "routes-v4.json": routes4, "routes-v6.json": routes6} {
		if data == "\x00missing" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, []string{filepath.Join(dir, "addrs.json"), filepath.Join(dir, "routes-v4.json"), filepath.Join(dir, "routes-v6.json"), filepath.Join(dir, "network")}
}

func TestRestoreNetworkWritesUnits(t *testing.T) {
	dir, args := writeInputs(t, cliAddrs, cliRoutes4, "[]")
	out, err := runCLI(t, append([]string{"restore-network"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(dir, "network", "00-ens3.network")
	if out != "wrote "+unit+"\n" {
		t.Errorf("output %q", out)
	}
	b, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"MACAddress=52:54:00:00:00:01", "Address=203.0.113.5/32", "Gateway=172.31.1.1\nGatewayOnLink=yes", "DHCP=yes"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("unit lacks %q:\n%s", want, b)
		}
	}
}

// Bad input: an error naming the file and the problem, nothing written.
func TestRestoreNetworkBadInput(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		addrs, routes4, routes6 string
		want                    string
	}{
		{"missing file", cliAddrs, cliRoutes4, "\x00missing", "routes-v6.json: no such file or directory"},
		{"truncated", cliAddrs[:60], cliRoutes4, "[]", "addrs.json: truncated JSON"},
		{"malformed", cliAddrs, `[{"dst" "default"}]`, "[]", "routes-v4.json: malformed JSON"},
		{"wrong type", cliAddrs, `[{"dst":"default","metric":"low","dev":"ens3"}]`, "[]", `routes-v4.json: wrong type at byte`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, args := writeInputs(t, tc.addrs, tc.routes4, tc.routes6)
			_, err := runCLI(t, append([]string{"restore-network"}, args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
				t.Fatalf("error %v, want the path and %q", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "network")); !os.IsNotExist(err) {
				t.Errorf("output directory exists after bad input: %v", err)
			}
		})
	}
}

func TestRestoreNetworkArgs(t *testing.T) {
	_, err := runCLI(t, "restore-network", "a.json", "b.json")
	if err == nil || !strings.Contains(err.Error(), "accepts 4 arg(s), received 2") {
		t.Fatalf("error %v", err)
	}
}
