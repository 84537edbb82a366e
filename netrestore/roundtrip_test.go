package netrestore

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/nix-community/installer-console/internal/netnstest"
)

// TestRoundTrip applies what the units say (their [Address] and [Route]
// sections, with iproute2, the way networkd would) to a fresh namespace
// whose interfaces have the same MACs but no configuration, and checks that
// its static addresses and routes equal the original's. The comparison
// reads the raw `ip --json` output on its own, not with the package's
// rules, so a rule that drops something real shows up here.
func TestRoundTrip(t *testing.T) {
	orig := capture(scenarioHost(t))
	units, err := Generate(orig.sources())
	if err != nil {
		t.Fatal(err)
	}
	fresh := withLinks(t)
	applyUnits(t, fresh, units)
	want, got := staticState(t, orig), staticState(t, capture(fresh))
	if len(want) < 15 {
		t.Fatalf("the scenario has only %d static items; it lost some:\n%s", len(want), strings.Join(want, "\n"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("restored state differs\n--- restored\n%s\n--- original\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func applyUnits(t *testing.T, ns *netnstest.NS, units []Unit) {
	t.Helper()
	var links []struct {
		IfName  string `json:"ifname"`
		Address string `json:"address"`
	}
	if err := json.Unmarshal([]byte(ns.IP("--json", "link")), &links); err != nil {
		t.Fatal(err)
	}
	var routes [][]string
	for _, u := range units {
		sections, err := parseUnit(string(u.Content))
		if err != nil {
			t.Fatalf("%s: %v", u.Name, err)
		}
		dev := ""
		for _, l := range links {
			if strings.EqualFold(l.Address, sections[0].get("MACAddress")) {
				dev = l.IfName
			}
		}
		if dev == "" {
			t.Fatalf("%s: no interface with MAC %s", u.Name, sections[0].get("MACAddress"))
		}
		for _, s := range sections {
			switch s.name {
			case "Address":
				args := []string{"addr", "add", s.get("Address")}
				if peer := s.get("Peer"); peer != "" {
					local, _, _ := strings.Cut(s.get("Address"), "/")
					args = []string{"addr", "add", local, "peer", peer}
				}
				args = append(args, "dev", dev)
				if strings.Contains(s.get("Address"), ":") {
					args = append(args, "nodad")
				}
				ns.IP(args...)
			case "Route":
				dst := s.get("Destination")
				args := []string{"-4", "route", "add", dst}
				if strings.Contains(dst, ":") {
					args[0] = "-6"
				}
				if gw := s.get("Gateway"); gw != "" {
					args = append(args, "via")
					if strings.Contains(gw, ":") && !strings.Contains(dst, ":") {
						args = append(args, "inet6")
					}
					args = append(args, gw)
				}
				args = append(args, "dev", dev)
				if s.get("GatewayOnLink") == "yes" {
					args = append(args, "onlink")
				}
				if m := s.get("Metric"); m != "" {
					args = append(args, "metric", m)
				}
				if src := s.get("PreferredSource"); src != "" {
					args = append(args, "src", src)
				}
				routes = append(routes, args)
			}
		}
	}
	// Like networkd, retry routes whose gateway needs another route first.
	for len(routes) > 0 {
		var failed [][]string
		var lastErr string
		for _, args := range routes {
			out, err := exec.Command("ip", append([]string{"-n", ns.Name}, args...)...).CombinedOutput()
			if err != nil {
				failed = append(failed, args)
				lastErr = fmt.Sprintf("ip %s: %v: %s", strings.Join(args, " "), err, out)
			}
		}
		if len(failed) == len(routes) {
			t.Fatalf("cannot apply routes: %s", lastErr)
		}
		routes = failed
	}
}

// staticState lists, one line per item and sorted, the static addresses
// and routes of a capture, keyed by MAC instead of interface name.
func staticState(t *testing.T, d dumps) []string {
	t.Helper()
	var links []map[string]any
	decode(t, d.addrs, &links)
	macOf := map[string]string{}
	var out []string
	for _, l := range links {
		mac, _ := l["address"].(string)
		if l["link_type"] != "ether" {
			continue
		}
		macOf[l["ifname"].(string)] = mac
		for _, ai := range l["addr_info"].([]any) {
			a := ai.(map[string]any)
			if a["scope"] == "link" || a["scope"] == "host" || a["dynamic"] == true || a["valid_life_time"] != float64(forever) {
				continue
			}
			out = append(out, fmt.Sprintf("%s addr %v/%v peer=%v", mac, a["local"], a["prefixlen"], a["address"]))
		}
	}
	for fam, raw := range map[string][]byte{"4": d.routes4, "6": d.routes6} {
		var routes []map[string]any
		decode(t, raw, &routes)
		for _, r := range routes {
			mac := macOf[fmt.Sprint(r["dev"])]
			if mac == "" || r["protocol"] == "kernel" || r["protocol"] == "dhcp" || r["protocol"] == "ra" {
				continue
			}
			gw := r["gateway"]
			if v, ok := r["via"].(map[string]any); ok {
				gw = v["host"]
			}
			onlink := slices.Contains(r["flags"].([]any), any("onlink"))
			out = append(out, fmt.Sprintf("%s route%s %v via=%v onlink=%v metric=%v src=%v scope=%v",
				mac, fam, r["dst"], gw, onlink, r["metric"], r["prefsrc"], r["scope"]))
		}
	}
	slices.Sort(out)
	return out
}

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%v in %s", err, data)
	}
}
