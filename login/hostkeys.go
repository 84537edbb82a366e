package login

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/crypto/ssh"
)

// HostKey is one SSH host public key, described the way `ssh-keygen -l`
// prints it: "256 SHA256:... comment (ED25519)".
type HostKey struct {
	Type        string // ED25519, RSA, ECDSA, DSA
	Bits        int
	Fingerprint string // SHA256:<base64, no padding>
	Comment     string
	Path        string
}

// String is the ssh-keygen -l line.
func (k HostKey) String() string {
	comment := k.Comment
	if comment == "" {
		comment = "no comment"
	}
	return fmt.Sprintf("%d %s %s (%s)", k.Bits, k.Fingerprint, comment, k.Type)
}

// ReadHostKeys reads dir/ssh_host_*_key.pub, sorted by file name. A file
// that does not parse is an error naming it; the others are still returned.
func ReadHostKeys(dir string) ([]HostKey, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "ssh_host_*_key.pub"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var keys []HostKey
	var problems []string
	for _, p := range paths {
		k, err := readHostKey(p)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		keys = append(keys, k)
	}
	if len(problems) > 0 {
		return keys, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return keys, nil
}

func readHostKey(path string) (HostKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return HostKey{}, fmt.Errorf("host key %s: %w", path, err)
	}
	pub, comment, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return HostKey{}, fmt.Errorf("host key %s: %w", path, err)
	}
	typ, bits := describeKey(pub)
	return HostKey{
		Type:        typ,
		Bits:        bits,
		Fingerprint: ssh.FingerprintSHA256(pub),
		Comment:     comment,
		Path:        path,
	}, nil
}

// describeKey returns the type name and size as ssh-keygen shows them.
func describeKey(pub ssh.PublicKey) (string, int) {
	cpk, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return strings.ToUpper(pub.Type()), 0
	}
	switch k := cpk.CryptoPublicKey().(type) {
	case ed25519.PublicKey:
		return "ED25519", 256
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	}
	if strings.Contains(pub.Type(), "dss") {
		return "DSA", 1024
	}
	return strings.ToUpper(pub.Type()), 0
}
