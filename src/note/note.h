/*
 * note.h — C2SP signed notes (c2sp.org/signed-note), checkpoints
 * (c2sp.org/tlog-checkpoint) and Ed25519 cosignatures
 * (c2sp.org/tlog-cosignature, cosignature/v1).
 *
 * A note is UTF-8 text ending in a newline, a blank line, then signature
 * lines "— <name> base64(keyid[4] || signature)".  Keys are identified by
 * (name, key ID); the key ID is SHA-256(name || "\n" || type || pubkey)[:4]
 * with type 0x01 for Ed25519 note signatures and 0x04 for timestamped
 * cosignatures, whose signed message is "cosignature/v1\ntime <T>\n" followed
 * by the checkpoint text and whose signature is timestamp[8] || sig[64].
 *
 * Secret keys are 64-byte libsodium Ed25519 secret keys owned by the caller
 * (who keeps them in sodium_malloc'd, locked memory).
 */
#ifndef DT_NOTE_H
#define DT_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"

#define NOTE_MAX_NAME     256
#define NOTE_MAX_SIGS     32
#define NOTE_MAX_BYTES    65536
#define NOTE_TYPE_ED25519 0x01
#define NOTE_TYPE_COSIG   0x04

struct note_verifier {
	char name[NOTE_MAX_NAME];
	uint32_t id;
	uint8_t type; /* NOTE_TYPE_ED25519 or NOTE_TYPE_COSIG */
	uint8_t pub[32];
};

struct note_sig {
	char name[NOTE_MAX_NAME];
	uint32_t id;
	uint8_t sig[80]; /* after the key ID */
	size_t len;
};

/* A parsed note; text points into the caller's buffer. */
struct note {
	const char *text;
	size_t text_len;
	struct note_sig sigs[NOTE_MAX_SIGS];
	size_t nsigs;
};

/* The key ID of (name, type, pub). */
uint32_t note_key_id(const char *name, uint8_t type, const uint8_t pub[32]);

/* A verifier for name, type and pub (computes the ID). */
enum dt_err note_verifier_init(struct note_verifier *v, const char *name, uint8_t type,
                               const uint8_t pub[32]);

/* "name+hexid+base64(type||pub)" into out. */
enum dt_err note_vkey_format(const struct note_verifier *v, struct strbuf *out);

/* Parses and checks a vkey (the ID must match the key).  */
enum dt_err note_vkey_parse(const char *s, size_t len, struct note_verifier *out,
                            struct dt_diag *diag);

/* true when name is a valid key name (non-empty, no spaces, no '+'). */
bool note_name_valid(const char *name);

/*
 * Appends one Ed25519 signature line for text (which must be a valid note
 * text) to out: "— name base64(id||sig)\n".
 */
enum dt_err note_sign_line(const char *text, size_t len, const char *name, const uint8_t pub[32],
                           const uint8_t sk[64], struct strbuf *out);

/* The same for a cosignature/v1 at POSIX time ts. */
enum dt_err note_cosign_line(const char *text, size_t len, const char *name, const uint8_t pub[32],
                             const uint8_t sk[64], uint64_t ts, struct strbuf *out);

/* Splits a note into text and signature lines; checks the grammar. */
enum dt_err note_parse(const char *data, size_t len, struct note *out, struct dt_diag *diag);

/*
 * Verifies n against the known verifiers: every signature whose name and
 * ID match a known key must verify (else DT_EFORMAT naming it), and at
 * least one must (else DT_ENOTFOUND).  *verified (may be NULL) gets a bit
 * per verifier index (the first 64) that verified.
 */
enum dt_err note_verify(const struct note *n, const struct note_verifier *v, size_t nv,
                        uint64_t *verified, struct dt_diag *diag);

/* Checkpoint body: "origin\nsize\nbase64(root)\n". */
enum dt_err checkpoint_format(const char *origin, uint64_t size, const uint8_t root[32],
                              struct strbuf *out);

struct checkpoint {
	char origin[NOTE_MAX_NAME];
	uint64_t size;
	uint8_t root[32];
};

/* Parses the first three lines of a note text (extensions are ignored). */
enum dt_err checkpoint_parse(const char *text, size_t len, struct checkpoint *out,
                             struct dt_diag *diag);

#endif
