package netrestore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// unitPerm: .network files hold no secrets, and networkd reads them as root
// anyway.
const unitPerm = 0o644

// renameFile is os.Rename; tests replace it to fail in the middle of a set.
var renameFile = os.Rename

// staged is one unit waiting in a temp file next to its target.
type staged struct {
	tmp, target string
	backup      string // hard link to the file target replaces, if any
}

// WriteUnits writes the units into dir (created if missing) as one set:
// either all of them replace their targets, or none does. Every unit is
// first written and synced to a temp file in dir (internal/atomicfile's
// temp+fsync+rename, split in two so that no rename happens before every
// file is safely on disk); existing targets are hard-linked aside; then the
// temps are renamed over the targets. If a rename fails, the ones already
// done are undone from the links. Readers see each file either old or new,
// never half written.
func WriteUnits(dir string, units []Unit) (err error) {
	if len(units) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("network unit directory: %w", err)
	}
	var set []staged
	defer func() {
		if err != nil {
			for _, s := range set {
				os.Remove(s.tmp)
				if s.backup != "" {
					os.Remove(s.backup)
				}
			}
		}
	}()

	for _, u := range units {
		target := filepath.Join(dir, u.Name)
		if fi, err := os.Lstat(target); err == nil && !fi.Mode().IsRegular() {
			return fmt.Errorf("write %s: exists and is not a regular file", target)
		}
		tmp, err := writeTemp(dir, u)
		if tmp != "" {
			set = append(set, staged{tmp: tmp, target: target})
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", target, err)
		}
	}
	for i := range set {
		if set[i].backup, err = linkAside(set[i].target); err != nil {
			return fmt.Errorf("write %s: keep the old file: %w", set[i].target, err)
		}
	}
	for i, s := range set {
		if rerr := renameFile(s.tmp, s.target); rerr != nil {
			undo(set[:i])
			return fmt.Errorf("write %s: %w (no unit of the set was changed)", s.target, rerr)
		}
	}
	syncDir(dir)
	for _, s := range set {
		if s.backup != "" {
			os.Remove(s.backup)
		}
	}
	return nil
}

// writeTemp writes u to a fresh temp file in dir and syncs it. It returns
// the temp's name whenever one was created, so that the caller removes it.
func writeTemp(dir string, u Unit) (string, error) {
	f, err := os.CreateTemp(dir, "."+u.Name+".tmp-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	err = f.Chmod(unitPerm)
	if err == nil {
		_, err = f.Write(u.Content)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return name, err
}

// linkAside hard-links an existing target to a fresh name next to it, so
// that a failed set can put it back. It returns "" when there is no target.
func linkAside(target string) (string, error) {
	if _, err := os.Lstat(target); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".old-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	if err := os.Link(target, name); err != nil {
		return "", err
	}
	return name, nil
}

// undo puts back what the renames of done replaced: the old file where
// there was one, nothing where there was none.
func undo(done []staged) {
	for _, s := range done {
		if s.backup != "" {
			os.Rename(s.backup, s.target)
		} else {
			os.Remove(s.target)
		}
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
