package netrestore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Source is one dump: the name used in error messages (its path) and its
// bytes.
type Source struct {
	Name string
	Data []byte
}

// link is one element of `ip --json addr`. Only the fields the restore reads
// are declared; iproute2 prints many more, and they are ignored.
type link struct {
	IfIndex  int        `json:"ifindex"`
	IfName   string     `json:"ifname"`
	LinkType string     `json:"link_type"`
	Address  string     `json:"address"`
	PermAddr string     `json:"permaddr"` // a bond member's own MAC, when the bond changed it
	AddrInfo []addrInfo `json:"addr_info"`
}

// addrInfo is one address of a link.
type addrInfo struct {
	Family            string  `json:"family"`
	Local             string  `json:"local"`
	Peer              string  `json:"address"` // only on point-to-point addresses
	PrefixLen         *int    `json:"prefixlen"`
	Scope             string  `json:"scope"`
	Dynamic           bool    `json:"dynamic"`
	ValidLifeTime     *uint64 `json:"valid_life_time"`
	PreferredLifeTime *uint64 `json:"preferred_life_time"`
}

// forever is how iproute2 prints an infinite address lifetime.
const forever = 0xFFFFFFFF

// route is one element of `ip -4/-6 --json route`.
type route struct {
	Type     string   `json:"type"` // absent for unicast routes
	Dst      string   `json:"dst"`
	Gateway  string   `json:"gateway"`
	Via      *via     `json:"via"` // a gateway of the other family (IPv4 via IPv6)
	Dev      string   `json:"dev"`
	Protocol string   `json:"protocol"`
	Metric   *uint32  `json:"metric"`
	PrefSrc  string   `json:"prefsrc"`
	Table    string   `json:"table"`
	Flags    []string `json:"flags"`
}

type via struct {
	Family string `json:"family"`
	Host   string `json:"host"`
}

// isPlaceholder reports an empty object; some iproute2 releases print `{}`
// for links that a family filter left without addresses.
func (l *link) isPlaceholder() bool {
	return l.IfIndex == 0 && l.IfName == "" && l.Address == "" && len(l.AddrInfo) == 0
}

func (a *addrInfo) isPlaceholder() bool { return a.Family == "" && a.Local == "" }

func (r *route) isPlaceholder() bool { return r.Dst == "" && r.Dev == "" && r.Gateway == "" }

// decodeArray parses a whole dump as one JSON array of T and explains any
// problem in terms of the file.
func decodeArray[T any](src Source, producer string) ([]T, error) {
	if len(bytes.TrimSpace(src.Data)) == 0 {
		return nil, fmt.Errorf("%s: empty file, expected the JSON array printed by `%s`", src.Name, producer)
	}
	dec := json.NewDecoder(bytes.NewReader(src.Data))
	var items []T
	if err := dec.Decode(&items); err != nil {
		return nil, fmt.Errorf("%s: %s", src.Name, describeJSONError(err, producer))
	}
	if items == nil {
		return nil, fmt.Errorf("%s: got null, expected the JSON array printed by `%s`", src.Name, producer)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: unexpected data after the JSON array (at byte %d)", src.Name, dec.InputOffset())
	}
	return items, nil
}

func describeJSONError(err error, producer string) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON: the input ends before the array is closed"
	case errors.As(err, &syntax):
		return fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Sprintf("expected the JSON array printed by `%s`, got a JSON %s", producer, typ.Value)
		}
		return fmt.Sprintf("wrong type at byte %d: %q is a JSON %s, expected %s", typ.Offset, typ.Field, typ.Value, jsonKind(typ.Type.Kind().String()))
	default:
		return err.Error()
	}
}

// jsonKind names a Go kind the way the JSON would spell it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	default:
		return "a number"
	}
}
