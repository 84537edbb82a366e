package login

import (
	"os"
	"path/filepath"
)

// isWireless looks for the sysfs entries that only WiFi interfaces have.
// Sysfs shows this process's namespace, so in another namespace the answer
// is false, which only costs a label.
func isWireless(n Network, name string) bool {
	if n.NSPath != "" {
		return false
	}
	for _, p := range []string{"wireless", "phy80211"} {
		if _, err := os.Stat(filepath.Join("/sys/class/net", name, p)); err == nil {
			return true
		}
	}
	return false
}
