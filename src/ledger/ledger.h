/*
 * ledger.h — the node's identity and its evidence ledger: a signed,
 * append-only RFC 6962 Merkle log in the node's SQLite database, with
 * C2SP checkpoints, inclusion receipts (tlog-proof), consistency proofs,
 * full re-verification, peers and cosignatures.
 *
 * Identity.  A node has a party name, a log origin and one Ed25519 key
 * (seed in DB.d/ed25519.key, mode 0600, created O_EXCL|O_NOFOLLOW, held
 * in locked memory and wiped on close).  The key signs entries and
 * checkpoints under the key name = origin (type 0x01); a second key derived
 * from the same seed signs cosignatures (type 0x04), so that no key signs
 * two kinds of message.
 *
 * Entries.  An entry is a signed note whose text is
 *     detente.entry/v1
 *     author <party>
 *     kind <submission|intel|refdata|assessment|peer-checkpoint>
 *     time <RFC 3339 UTC, microseconds>
 *     tlp <CLEAR|GREEN|AMBER|AMBER+STRICT|RED>
 *     payload sha256:<hex> <bytes>
 *     about <one line describing the payload>
 * followed by the author's signature line: authorship travels with the
 * bytes.  The leaf of the Merkle tree is exactly those bytes.  Payloads are
 * stored content-addressed in DB.d/payloads/<hex>.
 *
 * Every multi-row change is one SQLite transaction: an append either
 * happens whole or not at all, whatever kills the process.
 */
#ifndef DT_LEDGER_H
#define DT_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "note/note.h"

#define LEDGER_MAX_ENTRY 65536
#define LEDGER_MAX_ABOUT 1024

struct ledger;

/* Creates DB (SQLite) and DB.d/ed25519.key; DT_EEXIST if either exists. */
enum dt_err ledger_init(const char *db, const char *party, const char *origin,
                        struct dt_diag *diag);

/* Opens an initialised node.  DT_ENOTFOUND when DB has no identity. */
enum dt_err ledger_open(const char *db, struct ledger **out, struct dt_diag *diag);
void ledger_close(struct ledger *l);

const char *ledger_party(const struct ledger *l);
const char *ledger_origin(const struct ledger *l);
/* Verifier keys: signer (type 0x01) and cosigner (type 0x04). */
enum dt_err ledger_vkey(const struct ledger *l, bool cosigner, struct strbuf *out);

struct ledger_entry_in {
	const char *kind;
	const char *tlp;    /* NULL: "AMBER" */
	const char *about;  /* one line; NULL: "" */
	uint8_t sha256[32]; /* payload digest */
	uint64_t size;      /* payload bytes */
	const char *path;   /* payload file to store, or NULL (digest only) */
};

/*
 * Appends n entries in one transaction, signing each; *first is the index
 * of the first.  Entries whose payload digest and kind are already in the
 * log are not appended again when dedup is set (*first then names the
 * existing entry for n == 1).
 */
enum dt_err ledger_append(struct ledger *l, const struct ledger_entry_in *in, size_t n, bool dedup,
                          uint64_t *first, bool *existed, struct dt_diag *diag);

/* Copies src into the payload store in one pass that also hashes it, so
 * that a large file is read once: fills sha256 and size and writes the
 * stored copy's path (DB.d/payloads/<hex>) to stored.  A later
 * ledger_append of the digest with path NULL commits to it.  A payload
 * the store already holds is kept as it is. */
enum dt_err ledger_import_file(struct ledger *l, const char *src, uint8_t sha256[32],
                               uint64_t *size, char *stored, size_t stored_size,
                               struct dt_diag *diag);

/* Hashes path (SHA-256, streaming) and fills in->sha256 and in->size. */
enum dt_err ledger_hash_file(const char *path, uint8_t sha256[32], uint64_t *size,
                             struct dt_diag *diag);

/* Number of entries. */
enum dt_err ledger_size(struct ledger *l, uint64_t *size);

/* The exact leaf bytes of entry idx. */
enum dt_err ledger_entry(struct ledger *l, uint64_t idx, struct strbuf *out, struct dt_diag *diag);

/* The signed checkpoint at `size` (0: the current size), signing one if
 * this node has not yet signed that size. */
enum dt_err ledger_checkpoint(struct ledger *l, uint64_t size, struct strbuf *out,
                              struct dt_diag *diag);

/* A c2sp.org/tlog-proof@v1 receipt for entry idx in the tree of `size`
 * entries (0: current), with the signed checkpoint of that size. */
enum dt_err ledger_prove(struct ledger *l, uint64_t idx, uint64_t size, struct strbuf *out,
                         struct dt_diag *diag);

/* Consistency proof hashes from old to new, base64, one per line. */
enum dt_err ledger_consistency(struct ledger *l, uint64_t old_size, uint64_t new_size,
                               struct strbuf *out, struct dt_diag *diag);

struct ledger_verify_report {
	uint64_t entries, signatures, tree_hashes, checkpoints;
};

/*
 * Recomputes everything from the entries: leaf and interior hashes against
 * the stored ones, every entry's signature (by this node or a known peer),
 * every stored checkpoint's signature and root.  The first mismatch is
 * named precisely in diag (DT_EFORMAT).  threads: 0 = number of cores.
 */
enum dt_err ledger_verify(struct ledger *l, unsigned threads, struct ledger_verify_report *rep,
                          struct dt_diag *diag);

/* Peers: a name, a verifier key (type 0x01) and an optional URL. */
enum dt_err ledger_peer_add(struct ledger *l, const char *name, const char *vkey, const char *url,
                            struct dt_diag *diag);

/*
 * Checks a peer's signed checkpoint (note text) against the last one this
 * node accepted from that peer using the consistency proof (base64 hashes,
 * one per line; may be empty for the first or an unchanged checkpoint),
 * records it, and writes the checkpoint with this node's cosignature line
 * added to out.  Refuses (DT_EFORMAT, saying why) a checkpoint that is not
 * signed by the peer, is smaller than, or differs at equal size from, the
 * one accepted before, or whose proof does not verify.  peer may be NULL:
 * the peer whose key name equals the checkpoint's origin.
 */
enum dt_err ledger_cosign(struct ledger *l, const char *peer, const char *note, size_t note_len,
                          const char *proof, size_t proof_len, struct strbuf *out,
                          struct dt_diag *diag);

#endif
