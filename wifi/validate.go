package wifi

import "fmt"

// InputError is a passphrase or network name refused before iwd saw it.
type InputError struct{ Problem string }

func (e *InputError) Error() string { return e.Problem }

// ValidatePassphrase checks a WPA passphrase before it is given to iwd: 8
// to 63 printable ASCII characters, or a key of exactly 64 hex digits.
//
// iwd 2.3 itself takes only the first form from an agent and answers
// InvalidFormat for a 64-digit key; Connect turns that into a sentence
// saying so.
func ValidatePassphrase(p string) error {
	if p == "" {
		return &InputError{"the passphrase is empty"}
	}
	if len(p) == 64 && isHex(p) {
		return nil
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 32 || p[i] > 126 {
			return &InputError{"the passphrase has a character WiFi does not allow: only printable ASCII (letters, digits, punctuation and space) may be used"}
		}
	}
	switch {
	case len(p) < 8:
		return &InputError{fmt.Sprintf("the passphrase is too short: it has %d characters and needs 8 to 63", len(p))}
	case len(p) == 64:
		return &InputError{"the passphrase is too long: 64 characters are only allowed as a key of 64 hex digits"}
	case len(p) > 63:
		return &InputError{fmt.Sprintf("the passphrase is too long: it has %d characters and may have at most 63", len(p))}
	}
	return nil
}

// ValidateSSID checks a network name: 1 to 32 bytes.
func ValidateSSID(ssid string) error {
	switch {
	case ssid == "":
		return &InputError{"the network name is empty"}
	case len(ssid) > 32:
		return &InputError{fmt.Sprintf("the network name is %d bytes long; a WiFi network name has at most 32 bytes", len(ssid))}
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
