package netrestore

import (
	"fmt"
	"strings"
)

// section is one [Section] of a .network unit, keys in file order.
type section struct {
	name string
	keys [][2]string
}

func (s section) get(key string) string {
	for _, kv := range s.keys {
		if kv[0] == key {
			return kv[1]
		}
	}
	return ""
}

// knownKeys are the only keys the generator may write; a parse of its
// output that finds anything else means a value leaked into the syntax.
var knownKeys = map[string][]string{
	"Match":   {"MACAddress"},
	"Network": {"DHCP", "IPv6AcceptRA", "LLDP", "MulticastDNS"},
	"Address": {"Address", "Peer"},
	"Route":   {"Destination", "Gateway", "GatewayOnLink", "Metric", "PreferredSource"},
	"DHCPv4":  {"RequestAddress"},
}

// parseUnit reads a unit the way systemd's parser sees its lines, strictly:
// comments, blank lines, [Section] headers and Key=Value of known keys.
func parseUnit(content string) ([]section, error) {
	var out []section
	for n, line := range strings.Split(strings.TrimSuffix(content, "\n"), "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			name := line[1 : len(line)-1]
			if _, ok := knownKeys[name]; !ok {
				return nil, fmt.Errorf("line %d: unknown section %q", n+1, line)
			}
			out = append(out, section{name: name})
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok || len(out) == 0 {
				return nil, fmt.Errorf("line %d: not Key=Value in a section: %q", n+1, line)
			}
			s := &out[len(out)-1]
			if !contains(knownKeys[s.name], key) {
				return nil, fmt.Errorf("line %d: unknown key %q in [%s]", n+1, key, s.name)
			}
			if value == "" || strings.TrimSpace(value) != value {
				return nil, fmt.Errorf("line %d: bad value %q", n+1, value)
			}
			s.keys = append(s.keys, [2]string{key, value})
		}
	}
	if len(out) == 0 || out[0].name != "Match" || out[0].get("MACAddress") == "" {
		return nil, fmt.Errorf("unit does not start with [Match] MACAddress=")
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
