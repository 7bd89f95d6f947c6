/*
 * ledger_int.h — the ledger's private state, shared by its .c files only.
 */
#ifndef DT_LEDGER_INT_H
#define DT_LEDGER_INT_H

#include <sqlite3.h>

#include "ledger/ledger.h"
#include "merkle/merkle.h"

struct ledger {
	sqlite3 *db;
	char path[1024];
	char dir[1100]; /* DB.d */
	char party[NOTE_MAX_NAME];
	char origin[NOTE_MAX_NAME];
	uint8_t pub[32], cpub[32];
	uint8_t *sk, *csk; /* sodium_malloc'd, locked, wiped on free */
	sqlite3_stmt *get_hash, *get_entry, *get_cp, *get_size;
	/* Tree hashes read from the database, direct-mapped by (level, index).
	 * Hashes are immutable once committed; anything read inside a
	 * transaction that then rolls back is dropped (ledger_cache_clear). */
	struct ledger_cached {
		uint64_t key; /* level << 58 | index, + 1; 0 = empty */
		uint8_t hash[MERKLE_HASH_LEN];
	} * cache;
};

#define LEDGER_CACHE_SLOTS (1u << 16)

void ledger_cache_clear(struct ledger *l);
void ledger_cache_put(struct ledger *l, unsigned level, uint64_t index,
                      const uint8_t hash[MERKLE_HASH_LEN]);

/* Reads a stored tree hash from the database itself, bypassing the cache
 * (log verify compares what is stored, not what was remembered). */
enum dt_err ledger_read_hash_uncached(void *ctx, unsigned level, uint64_t index,
                                      uint8_t out[MERKLE_HASH_LEN]);

/* merkle_read_fn over the tree table; ctx is the ledger. */
enum dt_err ledger_read_hash(void *ctx, unsigned level, uint64_t index,
                             uint8_t out[MERKLE_HASH_LEN]);

/* The first 8 bytes of a payload digest as the integer key of the index
 * entries_pkey (entries.pkey). */
sqlite3_int64 ledger_payload_key(const uint8_t sha256[32]);

/* sqlite3_exec with a diagnostic. */
enum dt_err ledger_exec(struct ledger *l, const char *sql, struct dt_diag *diag);

/* Known verifiers: this node and every peer (type 0x01); malloc'd. */
enum dt_err ledger_verifiers(struct ledger *l, struct note_verifier **out, size_t *n,
                             struct dt_diag *diag);

/* Current RFC 3339 UTC time with microseconds. */
void ledger_now(char *buf, size_t size);

/* Stores bytes as payload DB.d/payloads/<hex> (atomic, idempotent). */
enum dt_err ledger_store_bytes(struct ledger *l, const uint8_t sha256[32], const void *data,
                               size_t len, struct dt_diag *diag);

/* Copies the file src into the payload store under its digest sha256,
 * verifying the digest as it copies (DT_EFORMAT when it differs; nothing
 * is stored then).  A payload already stored is kept as it is. */
enum dt_err ledger_store_file(struct ledger *l, const uint8_t sha256[32], const char *src,
                              struct dt_diag *diag);

/* ledger_append inside a transaction the caller opened (BEGIN IMMEDIATE)
 * and commits or rolls back (then calling ledger_cache_clear); payload
 * files (in->path) are not stored: use ledger_store_file first. */
enum dt_err ledger_append_locked(struct ledger *l, const struct ledger_entry_in *in, size_t n,
                                 bool dedup, uint64_t *first, bool *existed, struct dt_diag *diag);

/* The peer named `name`, or (name NULL) the one whose key name is origin:
 * its name into pname and its log verifier into v.  DT_ENOTFOUND, said in
 * diag, when there is none. */
enum dt_err ledger_find_peer(struct ledger *l, const char *name, const char *origin, char *pname,
                             size_t psize, struct note_verifier *v, struct dt_diag *diag);

/*
 * Inside a transaction: checks a checkpoint of peer pname (signature and
 * origin already verified) against the last one accepted from that peer
 * with the consistency proof, and records it (peer_checkpoints and, when
 * anchor is set, a peer-checkpoint entry of this node's log, whose payload
 * the caller has stored with ledger_store_bytes) unless it is the one
 * accepted before (*same).  A checkpoint recorded without an entry
 * (anchored = 0: one only witnessed, or one whose tree grew by nothing but
 * the peer's own peer-checkpoint entries) is not re-checked by log verify;
 * anchoring those would make two syncing nodes record each other forever.  A refusal is DT_EFORMAT
 * with the reason in diag, and *kind (may be NULL) says which: "rollback", "fork" or
 * "inconsistent"; the note accepted before is then copied into prev (may be NULL).
 */
enum dt_err ledger_peer_accept_locked(struct ledger *l, const char *pname,
                                      const struct checkpoint *cp, const char *text,
                                      size_t text_len, const uint8_t proof[][MERKLE_HASH_LEN],
                                      size_t np, bool anchor, bool *same, const char **kind,
                                      struct strbuf *prev, struct dt_diag *diag);

/* Keeps what a peer was caught doing (table peer_evidence: the checkpoint
 * accepted before, the one offered, why), in its own statement; *id is the
 * row, or -1. */
enum dt_err ledger_record_evidence(struct ledger *l, const char *pname, const char *kind,
                                   const char *accepted, const char *offered, size_t offered_len,
                                   const char *detail, int64_t *id);

/* Parses consistency proof lines (base64 hashes, one per line; blank lines
 * ignored) into proof, at most MERKLE_MAX_PROOF. */
enum dt_err ledger_parse_proof(const char *p, size_t len, uint8_t proof[][MERKLE_HASH_LEN],
                               size_t *n, struct dt_diag *diag);

#endif
