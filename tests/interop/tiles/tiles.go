// tiles.go — checks a directory written by 'detente log export' with an
// independent implementation of C2SP tlog-tiles: Go's
// golang.org/x/mod/sumdb/tlog (tile hashes, TileHashReader, record proofs)
// and sumdb/note, as Debian packages them (golang-golang-x-mod-dev).
// Nothing here shares code with detente.
//
// Build offline (GOPATH mode against Debian's source tree):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o tiles tests/interop/tiles/tiles.go
//
// Usage:
//
//	tiles VKEY DIR
//
// Verifies DIR/checkpoint with VKEY, then for every entry N < size: reads
// the entry bundle holding it (tile/entries/..., big-endian uint16 lengths),
// checks the entry note's signature with VKEY, proves its inclusion from the
// hash tiles alone (tlog.TileHashReader authenticates each tile against the
// checkpoint's root; tlog.ProveRecord, tlog.CheckRecord), and checks that
// every shared payload/sha256/<hex> file hashes to its name.  Prints
// "ok ..." lines, or "FAIL ..." on stderr and exits 1; exit 2 is a usage error.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

// c2spPath maps x/mod's tile (whose path names the height: tile/8/L/N,
// tile/8/data/N) to the C2SP layout (tile/L/N, tile/entries/N).
func c2spPath(t tlog.Tile) string {
	p := t.Path()
	prefix := "tile/" + strconv.Itoa(height) + "/"
	if !strings.HasPrefix(p, prefix) {
		panic("unexpected tile path " + p)
	}
	p = strings.TrimPrefix(p, prefix)
	if strings.HasPrefix(p, "data/") {
		p = "entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

type dirReader struct{ dir string }

func (r dirReader) Height() int { return height }

func (r dirReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := os.ReadFile(filepath.Join(r.dir, c2spPath(t)))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (r dirReader) SaveTiles([]tlog.Tile, [][]byte) {}

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tiles VKEY DIR")
		os.Exit(2)
	}
	vkey, dir := os.Args[1], os.Args[2]
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		die("verifier key: %v", err)
	}
	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		die("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		die("checkpoint does not verify: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != v.Name() {
		die("checkpoint origin is not %s", v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		die("checkpoint size %q", lines[1])
	}
	rb, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rb) != tlog.HashSize {
		die("checkpoint root %q", lines[2])
	}
	var tree tlog.Tree
	tree.N = size
	copy(tree.Hash[:], rb)
	fmt.Printf("ok   checkpoint %s size %d\n", lines[0], size)

	hr := tlog.TileHashReader(tree, dirReader{dir})
	// the root from the tiles alone
	th, err := tlog.TreeHash(size, hr)
	if err != nil {
		die("tree hash from the tiles: %v", err)
	}
	if th != tree.Hash {
		die("tiles give root %v, checkpoint says %v", th, tree.Hash)
	}
	payloads := map[string]bool{}
	var bundle [][]byte
	for i := int64(0); i < size; i++ {
		if i%256 == 0 {
			w := size - i
			if w > 256 {
				w = 256
			}
			t := tlog.Tile{H: height, L: -1, N: i / 256, W: int(w)}
			data, err := os.ReadFile(filepath.Join(dir, c2spPath(t)))
			if err != nil {
				die("entry bundle: %v", err)
			}
			bundle = bundle[:0]
			for len(data) > 0 {
				if len(data) < 2 {
					die("entry bundle %s: truncated length", c2spPath(t))
				}
				l := int(binary.BigEndian.Uint16(data))
				if len(data) < 2+l {
					die("entry bundle %s: truncated entry", c2spPath(t))
				}
				bundle = append(bundle, data[2:2+l])
				data = data[2+l:]
			}
			if int64(len(bundle)) != w {
				die("entry bundle %s: %d entries, want %d", c2spPath(t), len(bundle), w)
			}
		}
		e := bundle[i%256]
		en, err := note.Open(e, note.VerifierList(v))
		if err != nil {
			die("entry %d: %v", i, err)
		}
		for _, l := range strings.Split(en.Text, "\n") {
			if strings.HasPrefix(l, "payload sha256:") {
				payloads[strings.Fields(l)[1][7:]] = true
			}
		}
		p, err := tlog.ProveRecord(size, i, hr)
		if err != nil {
			die("entry %d: proof from the tiles: %v", i, err)
		}
		if err := tlog.CheckRecord(p, size, tree.Hash, i, tlog.RecordHash(e)); err != nil {
			die("entry %d: inclusion: %v", i, err)
		}
	}
	fmt.Printf("ok   %d entries: signed, included (tlog.CheckRecord via the tiles)\n", size)
	files, _ := filepath.Glob(filepath.Join(dir, "payload", "sha256", "*"))
	for _, f := range files {
		name := filepath.Base(f)
		b, err := os.ReadFile(f)
		if err != nil {
			die("%v", err)
		}
		sum := sha256.Sum256(b)
		if !bytes.Equal([]byte(hex.EncodeToString(sum[:])), []byte(name)) {
			die("payload %s hashes to %x", name, sum)
		}
		if !payloads[name] {
			die("payload %s is named by no entry", name)
		}
	}
	fmt.Printf("ok   %d payloads: each hashes to its name, each named by an entry\n", len(files))
}
