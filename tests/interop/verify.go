// verify.go — checks detente's ledger artefacts with an independent
// implementation: Go's golang.org/x/mod/sumdb/note (signed notes) and
// golang.org/x/mod/sumdb/tlog (RFC 6962 hashing, inclusion and consistency
// proofs), as Debian packages them (golang-golang-x-mod-dev, x/mod 0.7).
// Nothing here shares code with detente.
//
// Build offline (GOPATH mode against Debian's source tree):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o verify tests/interop/verify.go
//
// Usage (VKEY is the node's 'detente key show'; every command prints one
// "ok ..." line per artefact checked, or "FAIL ..." on stderr and exits 1;
// exit 2 is a usage error):
//
//	verify note VKEY FILE               a signed note (e.g. 'log entry N') signed by VKEY
//	verify entry VKEY FILE [PAYLOAD]    a detente.entry/v1 note; with PAYLOAD, its digest and size
//	verify checkpoint VKEY FILE         a C2SP checkpoint signed by VKEY, origin = key name
//	verify proof VKEY FILE [INDEX]      a c2sp.org/tlog-proof@v1 receipt ('log prove N'):
//	                                    checkpoint signature, leaf = RecordHash(extra),
//	                                    tlog.CheckRecord, and the extra as an entry note
//	verify consistency VKEY OLD NEW PROOF
//	                                    two checkpoints and 'log consistency' between them
//	                                    (tlog.CheckTree)
//	verify cosig COSIGNER_VKEY FILE     a cosignature/v1 (type 0x04) line on a checkpoint,
//	                                    checked by hand with crypto/ed25519, since x/mod
//	                                    0.7's note package knows only type 0x01 keys
//	verify batch                        one of the commands above per line of standard
//	                                    input, fields separated by tabs; exit 1 if any fails
package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type failure struct{ msg string }

func (f failure) Error() string { return f.msg }

func fail(format string, args ...interface{}) error {
	return failure{fmt.Sprintf(format, args...)}
}

func readFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fail("%s: %v", path, err)
	}
	return b, nil
}

// openNote verifies msg with the single verifier key vkey.
func openNote(vkey string, msg []byte) (*note.Note, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fail("verifier key %q: %v", vkey, err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return nil, fail("note does not verify with %s: %v", v.Name(), err)
	}
	return n, nil
}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
	text   string
}

// parseCheckpoint reads the c2sp.org/tlog-checkpoint body: origin, size
// (decimal, no leading zeroes), base64 root; extension lines are allowed.
func parseCheckpoint(text string) (checkpoint, error) {
	var c checkpoint
	lines := strings.Split(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return c, fail("checkpoint body has fewer than three lines")
	}
	c.origin = lines[0]
	if c.origin == "" {
		return c, fail("checkpoint origin is empty")
	}
	if lines[1] == "" || (len(lines[1]) > 1 && lines[1][0] == '0') {
		return c, fail("checkpoint size %q is not canonical decimal", lines[1])
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return c, fail("checkpoint size %q is not a number", lines[1])
	}
	c.size = size
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return c, fail("checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	copy(c.root[:], root)
	c.text = text
	return c, nil
}

// openCheckpoint verifies the signature and the origin.
func openCheckpoint(vkey string, msg []byte) (checkpoint, error) {
	n, err := openNote(vkey, msg)
	if err != nil {
		return checkpoint{}, err
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return c, err
	}
	if name := n.Sigs[0].Name; c.origin != name {
		return c, fail("checkpoint origin %q is not the signer's key name %q", c.origin, name)
	}
	return c, nil
}

type entry struct {
	fields map[string]string
	sha256 string
	size   int64
}

var entryKeys = []string{"author", "kind", "time", "tlp", "payload", "about"}

// checkEntry verifies an entry note and its grammar.
func checkEntry(vkey string, msg []byte) (entry, error) {
	var e entry
	n, err := openNote(vkey, msg)
	if err != nil {
		return e, err
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) != 1+len(entryKeys) || lines[0] != "detente.entry/v1" {
		return e, fail("entry text is not a detente.entry/v1 note of %d lines", 1+len(entryKeys))
	}
	e.fields = map[string]string{}
	for i, k := range entryKeys {
		l := lines[i+1]
		if !strings.HasPrefix(l, k+" ") {
			return e, fail("entry line %d is not %q", i+2, k)
		}
		e.fields[k] = strings.TrimPrefix(l, k+" ")
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000000Z", e.fields["time"]); err != nil {
		return e, fail("entry time %q is not RFC 3339 UTC with microseconds", e.fields["time"])
	}
	p := strings.Fields(e.fields["payload"])
	if len(p) != 2 || !strings.HasPrefix(p[0], "sha256:") || len(p[0]) != 7+64 {
		return e, fail("entry payload %q is not 'sha256:<hex> <bytes>'", e.fields["payload"])
	}
	if _, err := hex.DecodeString(p[0][7:]); err != nil {
		return e, fail("entry payload digest is not hex")
	}
	e.sha256 = p[0][7:]
	if e.size, err = strconv.ParseInt(p[1], 10, 64); err != nil {
		return e, fail("entry payload size %q is not a number", p[1])
	}
	return e, nil
}

func cmdNote(args []string) error {
	msg, err := readFile(args[1])
	if err != nil {
		return err
	}
	n, err := openNote(args[0], msg)
	if err != nil {
		return err
	}
	fmt.Printf("ok   note %s: signed by %s (%d bytes of text)\n", args[1], n.Sigs[0].Name, len(n.Text))
	return nil
}

func cmdEntry(args []string) error {
	msg, err := readFile(args[1])
	if err != nil {
		return err
	}
	e, err := checkEntry(args[0], msg)
	if err != nil {
		return err
	}
	if len(args) > 2 {
		data, err := readFile(args[2])
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != e.sha256 || int64(len(data)) != e.size {
			return fail("entry payload sha256:%s %d is not %s (sha256:%x %d)", e.sha256, e.size,
				args[2], sum, len(data))
		}
	}
	fmt.Printf("ok   entry %s: signed, kind %s, author %s, payload sha256:%s\n", args[1],
		e.fields["kind"], e.fields["author"], e.sha256)
	return nil
}

func cmdCheckpoint(args []string) error {
	msg, err := readFile(args[1])
	if err != nil {
		return err
	}
	c, err := openCheckpoint(args[0], msg)
	if err != nil {
		return err
	}
	fmt.Printf("ok   checkpoint %s: %s size %d root %s\n", args[1], c.origin, c.size, c.root)
	return nil
}

func cmdProof(args []string) error {
	data, err := readFile(args[1])
	if err != nil {
		return err
	}
	off := 0 // bytes consumed
	line := func() (string, error) {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return "", fail("tlog-proof ends early (no newline-terminated line)")
		}
		s := string(data[off : off+i])
		off += i + 1
		return s, nil
	}
	l, err := line()
	if err != nil {
		return err
	}
	if l != "c2sp.org/tlog-proof@v1" {
		return fail("first line %q is not c2sp.org/tlog-proof@v1", l)
	}
	if l, err = line(); err != nil {
		return err
	}
	var extra []byte
	if strings.HasPrefix(l, "extra ") {
		if extra, err = base64.StdEncoding.DecodeString(l[6:]); err != nil {
			return fail("extra line is not base64: %v", err)
		}
		if l, err = line(); err != nil {
			return err
		}
	}
	if !strings.HasPrefix(l, "index ") {
		return fail("line %q is not 'index N'", l)
	}
	is := l[6:]
	if is == "" || (len(is) > 1 && is[0] == '0') {
		return fail("index %q is not canonical decimal", is)
	}
	index, err := strconv.ParseInt(is, 10, 64)
	if err != nil || index < 0 {
		return fail("index %q is not a number", is)
	}
	var proof tlog.RecordProof
	for {
		if l, err = line(); err != nil {
			return err
		}
		if l == "" {
			break
		}
		h, err := base64.StdEncoding.DecodeString(l)
		if err != nil || len(h) != tlog.HashSize {
			return fail("proof line %d %q is not a base64 SHA-256 hash", len(proof)+1, l)
		}
		var hh tlog.Hash
		copy(hh[:], h)
		proof = append(proof, hh)
	}
	rest := data[off:]
	c, err := openCheckpoint(args[0], rest)
	if err != nil {
		return fail("receipt's checkpoint: %v", err)
	}
	if len(args) > 2 && args[2] != is {
		return fail("receipt is for index %s, not %s", is, args[2])
	}
	if extra == nil {
		return fail("receipt has no extra data (the entry) to compute the leaf hash from")
	}
	leaf := tlog.RecordHash(extra)
	if err := tlog.CheckRecord(proof, c.size, c.root, index, leaf); err != nil {
		return fail("inclusion proof of entry %d (leaf %s) in tree %d (root %s): %v", index, leaf,
			c.size, c.root, err)
	}
	e, err := checkEntry(args[0], extra)
	if err != nil {
		return fail("receipt's extra data: %v", err)
	}
	fmt.Printf("ok   proof %s: entry %d (%s, sha256:%.16s...) is in %s tree %d, %d hashes\n", args[1],
		index, e.fields["kind"], e.sha256, c.origin, c.size, len(proof))
	return nil
}

func cmdConsistency(args []string) error {
	var cps [2]checkpoint
	for i := 0; i < 2; i++ {
		msg, err := readFile(args[1+i])
		if err != nil {
			return err
		}
		if cps[i], err = openCheckpoint(args[0], msg); err != nil {
			return fail("%s: %v", args[1+i], err)
		}
	}
	if cps[0].origin != cps[1].origin {
		return fail("checkpoints are of two logs, %q and %q", cps[0].origin, cps[1].origin)
	}
	pdata, err := readFile(args[3])
	if err != nil {
		return err
	}
	var proof tlog.TreeProof
	for i, l := range strings.Split(string(pdata), "\n") {
		if l == "" {
			continue
		}
		h, err := base64.StdEncoding.DecodeString(l)
		if err != nil || len(h) != tlog.HashSize {
			return fail("consistency proof line %d %q is not a base64 SHA-256 hash", i+1, l)
		}
		var hh tlog.Hash
		copy(hh[:], h)
		proof = append(proof, hh)
	}
	o, n := cps[0], cps[1]
	if err := tlog.CheckTree(proof, n.size, n.root, o.size, o.root); err != nil {
		return fail("consistency proof from size %d (%s) to %d (%s): %v", o.size, o.root, n.size,
			n.root, err)
	}
	fmt.Printf("ok   consistency: %s size %d is a prefix of size %d, %d hashes\n", o.origin, o.size,
		n.size, len(proof))
	return nil
}

// cmdCosig verifies a c2sp.org/tlog-cosignature cosignature/v1 (Ed25519,
// key type 0x04) by hand.
func cmdCosig(args []string) error {
	name, rest, ok := strings.Cut(strings.TrimSpace(args[0]), "+")
	hexid, key64, ok2 := strings.Cut(rest, "+")
	if !ok || !ok2 || len(hexid) != 8 {
		return fail("cosigner key %q is not name+hexid+base64", args[0])
	}
	key, err := base64.StdEncoding.DecodeString(key64)
	if err != nil || len(key) != 33 || key[0] != 0x04 {
		return fail("cosigner key is not a type 0x04 Ed25519 key")
	}
	idb := sha256.Sum256(append([]byte(name+"\n"), key...))
	id := binary.BigEndian.Uint32(idb[:4])
	if fmt.Sprintf("%08x", id) != hexid {
		return fail("cosigner key ID %s does not match its key (%08x)", hexid, id)
	}
	pub := ed25519.PublicKey(key[1:])
	msg, err := readFile(args[1])
	if err != nil {
		return err
	}
	split := bytes.LastIndex(msg, []byte("\n\n"))
	if split < 0 {
		return fail("not a signed note")
	}
	text, sigs := msg[:split+1], msg[split+2:]
	if _, err := parseCheckpoint(string(text)); err != nil {
		return err
	}
	found := 0
	for _, l := range strings.Split(strings.TrimSuffix(string(sigs), "\n"), "\n") {
		if !strings.HasPrefix(l, "— ") {
			return fail("signature line %q does not start with an em dash", l)
		}
		sname, b64, _ := strings.Cut(strings.TrimPrefix(l, "— "), " ")
		sig, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(sig) < 4 {
			return fail("signature line %q is not base64", l)
		}
		if sname != name || binary.BigEndian.Uint32(sig[:4]) != id {
			continue
		}
		if len(sig) != 4+8+64 {
			return fail("cosignature by %s is %d bytes, not 76", name, len(sig))
		}
		ts := binary.BigEndian.Uint64(sig[4:12])
		if ts > 1<<63-1 {
			return fail("cosignature timestamp %d exceeds 2^63-1", ts)
		}
		signed := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", ts)), text...)
		if !ed25519.Verify(pub, signed, sig[12:]) {
			return fail("cosignature by %s (time %d) does not verify", name, ts)
		}
		now := time.Now().Unix()
		if int64(ts) > now+300 {
			return fail("cosignature time %d is in the future (now %d)", ts, now)
		}
		found++
		fmt.Printf("ok   cosignature %s: by %s+%s at time %d\n", args[1], name, hexid, ts)
	}
	if found == 0 {
		return fail("no cosignature by %s+%s", name, hexid)
	}
	return nil
}

type command struct {
	min, max int
	run      func([]string) error
}

var cmds = map[string]command{
	"note":        {2, 2, cmdNote},
	"entry":       {2, 3, cmdEntry},
	"checkpoint":  {2, 2, cmdCheckpoint},
	"proof":       {2, 3, cmdProof},
	"consistency": {4, 4, cmdConsistency},
	"cosig":       {2, 2, cmdCosig},
}

// run runs one command; 0 ok, 1 verification failure, 2 usage error.
func run(name string, args []string) int {
	c, ok := cmds[name]
	if !ok || len(args) < c.min || len(args) > c.max {
		fmt.Fprintf(os.Stderr, "usage: verify %s: unknown command or wrong number of arguments\n", name)
		return 2
	}
	if err := c.run(args); err != nil {
		var f failure
		if !errors.As(err, &f) {
			f.msg = err.Error()
		}
		fmt.Fprintf(os.Stderr, "FAIL %s %s: %s\n", name, strings.Join(args[1:], " "), f.msg)
		return 1
	}
	return 0
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: verify note|entry|checkpoint|proof|consistency|cosig|batch ARGS...")
		os.Exit(2)
	}
	if os.Args[1] != "batch" {
		os.Exit(run(os.Args[1], os.Args[2:]))
	}
	status, n := 0, 0
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		if sc.Text() == "" {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if rc := run(f[0], f[1:]); rc > status {
			status = rc
		}
		n++
	}
	if n == 0 {
		fmt.Fprintln(os.Stderr, "FAIL batch: no commands")
		status = 2
	}
	os.Exit(status)
}
