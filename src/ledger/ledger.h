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
 *     kind <submission|intel|refdata|assessment|peer-checkpoint|sanitized>
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
/* The node's directory (DB.d): keys, payloads, tokens. */
const char *ledger_dir(const struct ledger *l);
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

/* Moves tmp, a complete file this node wrote inside DB.d (same file
 * system), into the payload store under its digest, which it fills with
 * size; tmp is gone afterwards, whatever the outcome. */
enum dt_err ledger_adopt_file(struct ledger *l, const char *tmp, uint8_t sha256[32], uint64_t *size,
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

/* DT_OK when a peer of that name was added; DT_ENOTFOUND (said) if not. */
enum dt_err ledger_peer_known(struct ledger *l, const char *name, struct dt_diag *diag);

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

/* Records the cosigner verifier key (type 0x04, as the peer's 'detente key
 * show --cosigner' prints it) of peer name, so that cosignatures it makes
 * on this node's checkpoints can be checked (ledger_cosignature_add). */
enum dt_err ledger_peer_cosigner(struct ledger *l, const char *name, const char *cvkey,
                                 struct dt_diag *diag);

/* ---- entries as data ----------------------------------------------------- */

/* The fields of a detente.entry/v1 leaf. */
struct ledger_entry_info {
	char author[NOTE_MAX_NAME];
	char kind[32];
	char time[40];
	char tlp[16];
	uint8_t sha256[32];
	uint64_t size;
	char about[LEDGER_MAX_ABOUT + 1];
};

/* Parses an entry's leaf bytes (a signed note; the signature is not
 * checked here) strictly: the seven lines in order, known kind and TLP.
 * DT_EPARSE naming the line in diag otherwise. */
enum dt_err ledger_entry_parse(const char *leaf, size_t len, struct ledger_entry_info *out,
                               struct dt_diag *diag);

/* TLP levels in order CLEAR 0, GREEN 1, AMBER 2, AMBER+STRICT 3, RED 4;
 * -1 for anything else. */
int ledger_tlp_rank(const char *tlp);

/* The path of the stored payload with this digest into out, or
 * DT_ENOTFOUND when this node does not hold it. */
enum dt_err ledger_payload_path(struct ledger *l, const uint8_t sha256[32], char *out, size_t size);

/* ---- what never leaves the node (ledger/private.c) ------------------------ */

/* The node's pseudonymization key (privacy/privacy.h, 64 bytes), derived
 * from its signing seed with a keyed BLAKE2b under its own label: never
 * stored, never shared. */
void ledger_privacy_key(const struct ledger *l, uint8_t key[64]);

/* The node's home domains: names under them are the victims' and are
 * pseudonymized in what peers receive.  add: DT_EPARSE for what is not a
 * host name; remove: DT_ENOTFOUND when absent.  list: one per line. */
enum dt_err ledger_home_domain_add(struct ledger *l, const char *domain, struct dt_diag *diag);
enum dt_err ledger_home_domain_remove(struct ledger *l, const char *domain, struct dt_diag *diag);
enum dt_err ledger_home_domains(struct ledger *l, struct strbuf *out, struct dt_diag *diag);

/* The clear ingest parameters (an about line) of an own submission whose
 * entry carries them pseudonymized; get: DT_ENOTFOUND when none kept. */
enum dt_err ledger_private_about_set(struct ledger *l, const uint8_t sha256[32], const char *about,
                                     struct dt_diag *diag);
enum dt_err ledger_private_about_get(struct ledger *l, const uint8_t sha256[32], char *out,
                                     size_t size);

/* This node's own entries of one kind, in log order (free *out). */
struct ledger_own_entry {
	uint64_t idx;
	struct ledger_entry_info e;
};
enum dt_err ledger_own_entries(struct ledger *l, const char *kind, struct ledger_own_entry **out,
                               size_t *n, struct dt_diag *diag);

/* ---- exchange: the log as C2SP tlog-tiles (ledger/tiles.h) ---------------- */

struct ledger_export_report {
	uint64_t size;           /* entries in the exported tree */
	uint64_t tiles, bundles; /* files written (unchanged ones skipped) */
	uint64_t payloads;       /* payload files in the directory */
	uint64_t withheld;       /* entries whose payload the TLP holds back */
	uint64_t absent;         /* entries whose payload this node lacks */
};

/*
 * Writes this node's log into dir as a static c2sp.org/tlog-tiles tree:
 * `checkpoint` (the current signed checkpoint with the cosignatures peers
 * made on it), `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`, `vkey`
 * and `cosigner-vkey`, and `payload/sha256/<hex>` for each entry whose TLP
 * is at or below max_tlp (NULL: AMBER).  TLP:RED payloads never leave the
 * node: max_tlp "RED" is refused (DT_EINVAL), and payloads above max_tlp
 * left by an earlier export are removed.  Every file is written to a
 * temporary name and renamed; the checkpoint last, so that a reader never
 * sees a checkpoint whose tiles are missing.  Full tiles already present
 * are kept (they are immutable); a directory holding another log's export
 * is refused (DT_EEXIST).
 */
enum dt_err ledger_export(struct ledger *l, const char *dir, const char *max_tlp,
                          struct ledger_export_report *rep, struct dt_diag *diag);

/*
 * The C2SP tlog-witness add-checkpoint call (witness.c): body is the
 * request ("old N", proof lines, empty line, signed checkpoint of a
 * peer's log).  *status is the HTTP status the spec prescribes; out gets
 * this node's cosignature line on 200, and "<latest size>\n" on 409.
 * A fork or a bad proof (422) is kept in peer_evidence.
 */
enum dt_err ledger_witness_add(struct ledger *l, const char *body, size_t len, struct strbuf *out,
                               int *status, struct dt_diag *diag);

/* ---- serving: the same resources, built on request ------------------------ */

/* The current signed checkpoint followed by the cosignature lines peers
 * made on it (as `log export` writes it); its size into *size (may be
 * NULL). */
enum dt_err ledger_checkpoint_cosigned(struct ledger *l, struct strbuf *out, uint64_t *size,
                                       struct dt_diag *diag);

/* Appends hash tile (level >= 0) or entry bundle (level TILE_ENTRIES) n of
 * `width` hashes or entries, as in a tree of `size` entries: DT_ENOTFOUND
 * when that tree has no such tile or fewer than width in it. */
enum dt_err ledger_tile(struct ledger *l, int level, uint64_t n, unsigned width, uint64_t size,
                        struct strbuf *out, struct dt_diag *diag);

/* The strictest TLP rank among the first `size` entries that commit to the
 * payload with this digest (a payload recorded at several levels is shared
 * only as the strictest allows); DT_ENOTFOUND when none does.  A payload a
 * `submission` entry commits to (the original evidence, with the victims'
 * addresses and names in clear) has rank LEDGER_RANK_ORIGINAL: peers
 * receive its `sanitized` derivative instead (privacy/sanitize.h). */
#define LEDGER_RANK_ORIGINAL 5
enum dt_err ledger_payload_tlp(struct ledger *l, const uint8_t sha256[32], uint64_t size, int *rank,
                               struct dt_diag *diag);

/*
 * Where sync reads a peer's tlog-tiles resources from: a directory here,
 * an HTTP client later.  get reads resource `path` ("checkpoint",
 * "tile/0/000", ...) into out, at most out->max bytes (DT_ELIMIT beyond);
 * get_file makes a local file hold resource `path` (payloads, possibly
 * large) and writes its name into local.  Both return DT_ENOTFOUND when
 * the resource does not exist.
 */
struct ledger_source {
	enum dt_err (*get)(void *ctx, const char *path, struct strbuf *out, struct dt_diag *diag);
	enum dt_err (*get_file)(void *ctx, const char *path, char *local, size_t size,
	                        struct dt_diag *diag);
	void *ctx;
};

/* A source reading the files of dir (which must outlive it). */
void ledger_source_dir(struct ledger_source *src, const char *dir);

struct ledger_sync_report {
	char peer[NOTE_MAX_NAME];
	uint64_t old_size;     /* entries mirrored before */
	uint64_t size;         /* the peer's checkpoint size */
	uint64_t new_entries;  /* entries mirrored now */
	uint64_t payloads;     /* payloads copied (digest verified) */
	uint64_t payloads_bad; /* payloads whose digest did not match: dropped */
	uint64_t withheld;     /* new entries whose payload the peer did not share */
	uint64_t tiles;        /* hash tiles checked */
	int64_t evidence;      /* peer_evidence row of a refusal, or -1 */
	char evidence_kind[16];
};

/*
 * Mirrors a peer's log from src: reads its checkpoint and checks it is
 * signed by peer (NULL: the peer whose key name is the checkpoint's
 * origin); reads the entry bundles of the entries not yet mirrored,
 * checks each entry's signature by the peer, recomputes the Merkle tree
 * from all leaves (the mirrored ones and the new), checks its root against
 * the checkpoint and every hash tile covering the new entries against it,
 * and checks the tree is consistent with the checkpoint accepted from the
 * peer before (ledger_cosign's rules).  Then, in one transaction, stores
 * the new entries (peer_entries), records the checkpoint (and a
 * peer-checkpoint entry of this node's log), and writes the checkpoint
 * with this node's cosignature added to cosigned.  Payloads the peer
 * shares are copied into the payload store when their digest matches.
 *
 * A refusal is DT_EFORMAT with the reason in diag: a checkpoint not signed
 * by the peer, an entry not signed by it, files that do not hash to the
 * checkpoint (a bad bundle or tile), a smaller tree than accepted before
 * (rollback), or a different history (fork, split view).  For the last
 * ones both signed checkpoints are kept in peer_evidence (rep->evidence).
 * Nothing else changes on a refusal or an error.
 */
enum dt_err ledger_sync(struct ledger *l, const char *peer, const struct ledger_source *src,
                        struct strbuf *cosigned, struct ledger_sync_report *rep,
                        struct dt_diag *diag);

/* An entry mirrored from a peer. */
struct ledger_peer_entry {
	char peer[NOTE_MAX_NAME];
	uint64_t idx;
	uint8_t leaf_hash[32]; /* RFC 6962: SHA-256(0x00 || leaf bytes) */
	struct ledger_entry_info e;
};

/* The newest checkpoint this node accepted (and cosigned) from each peer,
 * in peer-name order: its size, root and signed note text. */
typedef enum dt_err ledger_peer_checkpoint_fn(void *ctx, const char *peer, uint64_t size,
                                              const uint8_t root[32], const char *note);
enum dt_err ledger_peer_checkpoints(struct ledger *l, ledger_peer_checkpoint_fn *fn, void *ctx,
                                    struct dt_diag *diag);

/* The mirrored entries of peer (NULL: all peers) of kind (NULL: all), in
 * (peer, idx) order, as a malloc'd array the caller frees. */
enum dt_err ledger_peer_entries(struct ledger *l, const char *peer, const char *kind,
                                struct ledger_peer_entry **out, size_t *n, struct dt_diag *diag);

/*
 * Records the cosignatures in note, a checkpoint this node signed with
 * cosignature lines by peers added (what their 'sync' or 'log cosign'
 * wrote), so that exports carry them.  Lines by peers whose cosigner key
 * is known must verify (DT_EFORMAT otherwise); *added counts those
 * recorded; DT_ENOTFOUND when none is by a known cosigner.
 */
enum dt_err ledger_cosignature_add(struct ledger *l, const char *note, size_t len, size_t *added,
                                   struct dt_diag *diag);

#endif
