package tor

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/cretz/bine/torutil"
	"github.com/cretz/bine/torutil/ed25519"

	"github.com/nix-community/installer-console/internal/atomicfile"
)

// KeyFileName is the onion service's secret key inside the data directory.
// The file has tor's own format (as in a HiddenServiceDir), so a key made
// elsewhere, a vanity address for instance, can be dropped in, and ours can
// be used by a plain tor.
const KeyFileName = "hs_ed25519_secret_key"

// keyFileHeader is tor's 32-byte tag for an expanded ed25519 secret key.
var keyFileHeader = []byte("== ed25519v1-secret: type0 ==\x00\x00\x00")

const keyFileSize = 32 + ed25519.PrivateKeySize

// onionKey is the service's identity: the key tor gets in ADD_ONION and the
// address that follows from it.
type onionKey struct {
	pair      ed25519.KeyPair
	serviceID string // 56 base32 characters, without ".onion"
}

func (k onionKey) hostname() string { return k.serviceID + ".onion" }

func newOnionKey(pair ed25519.KeyPair) onionKey {
	return onionKey{pair: pair, serviceID: torutil.OnionServiceIDFromV3PublicKey(pair.PublicKey())}
}

// loadOrCreateKey returns the key stored in dir, making one when there is
// none. A file that is not a valid key is renamed aside, never deleted, and
// replaced by a new key: the address changes, which the log says plainly.
func loadOrCreateKey(dir string, logf func(string, ...any)) (onionKey, error) {
	path := filepath.Join(dir, KeyFileName)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		k, err := createKey(path)
		if err != nil {
			return onionKey{}, err
		}
		logf("made a new onion service key in %s; the onion address is %s", path, k.hostname())
		return k, nil
	case err != nil:
		return onionKey{}, fmt.Errorf("onion service key: %w", err)
	}
	pair, problem := parseKeyFile(data)
	if problem == "" {
		if err := ensureKeyMode(path, logf); err != nil {
			return onionKey{}, err
		}
		return newOnionKey(pair), nil
	}
	aside, err := moveAside(path)
	if err != nil {
		return onionKey{}, fmt.Errorf("onion service key %s is corrupt (%s) and could not be moved aside: %w", path, problem, err)
	}
	k, err := createKey(path)
	if err != nil {
		return onionKey{}, err
	}
	logf("onion service key %s is corrupt (%s): moved it to %s and made a new key; the onion address is now %s",
		path, problem, aside, k.hostname())
	return k, nil
}

// parseKeyFile checks a key file and returns its key, or a problem in plain
// words.
func parseKeyFile(data []byte) (ed25519.KeyPair, string) {
	if len(data) != keyFileSize {
		return nil, fmt.Sprintf("%d bytes, want %d", len(data), keyFileSize)
	}
	if !bytes.Equal(data[:32], keyFileHeader) {
		return nil, "not a tor ed25519v1 secret key file"
	}
	secret := data[32:]
	// An expanded ed25519 secret starts with a clamped scalar; random or
	// damaged bytes almost never are.
	if secret[0]&7 != 0 || secret[31]&0x80 != 0 || secret[31]&0x40 == 0 {
		return nil, "the secret scalar is not a valid ed25519 key"
	}
	return ed25519.PrivateKey(bytes.Clone(secret)).KeyPair(), ""
}

func createKey(path string) (onionKey, error) {
	pair, err := ed25519.GenerateKey(nil)
	if err != nil {
		return onionKey{}, fmt.Errorf("making an onion service key: %w", err)
	}
	if err := writeKeyFile(path, pair); err != nil {
		return onionKey{}, err
	}
	return newOnionKey(pair), nil
}

func writeKeyFile(path string, pair ed25519.KeyPair) error {
	data := append(bytes.Clone(keyFileHeader), pair.PrivateKey()...)
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return fmt.Errorf("saving the onion service key: %w", err)
	}
	return nil
}

// ensureKeyMode repairs a key file that others may read: the key is the
// onion address, whoever has it can impersonate the machine.
func ensureKeyMode(path string, logf func(string, ...any)) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("onion service key: %w", err)
	}
	if st.Mode().Perm() == 0o600 {
		return nil
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("onion service key %s has mode %04o and cannot be made 0600: %w", path, st.Mode().Perm(), err)
	}
	logf("onion service key %s had mode %04o; set it to 0600", path, st.Mode().Perm())
	return nil
}

// moveAside renames path to "<path>.corrupt-<UTC time>", adding a counter if
// that name is taken.
func moveAside(path string) (string, error) {
	base := path + ".corrupt-" + time.Now().UTC().Format("20060102T150405Z")
	aside := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(aside); errors.Is(err, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	return aside, nil
}

// HostnameFromKeyFile returns the onion hostname of a key file, for tools
// and tests that want the address without running tor.
func HostnameFromKeyFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	pair, problem := parseKeyFile(data)
	if problem != "" {
		return "", fmt.Errorf("%s: %s", path, problem)
	}
	return newOnionKey(pair).hostname(), nil
}
