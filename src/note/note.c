/*
 * note.c — signed notes, verifier keys, checkpoints, cosignatures.
 * Everything here is exactly the byte layout of the C2SP specifications;
 * the tests check it against the specifications' own examples and against
 * Go's golang.org/x/mod/sumdb/note.
 */
#include "note/note.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char emdash_sp[] = "\xe2\x80\x94 "; /* U+2014, space */

uint32_t note_key_id(const char *name, uint8_t type, const uint8_t pub[32])
{
	crypto_hash_sha256_state st;
	uint8_t h[32];
	const uint8_t nl = '\n';

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
	crypto_hash_sha256_update(&st, &nl, 1);
	crypto_hash_sha256_update(&st, &type, 1);
	crypto_hash_sha256_update(&st, pub, 32);
	crypto_hash_sha256_final(&st, h);
	return ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) | ((uint32_t)h[2] << 8) | h[3];
}

bool note_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= NOTE_MAX_NAME)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c == '+' || c == 0x7f)
			return false;
		/* Unicode spaces used in practice: NBSP, U+2000..U+200A, U+3000 */
		if (c == 0xc2 && i + 1 < n && (unsigned char)name[i + 1] == 0xa0)
			return false;
		if (c == 0xe2 && i + 2 < n && (unsigned char)name[i + 1] == 0x80 &&
		    (unsigned char)name[i + 2] <= 0x8a)
			return false;
		if (c == 0xe3 && i + 2 < n && (unsigned char)name[i + 1] == 0x80 &&
		    (unsigned char)name[i + 2] == 0x80)
			return false;
	}
	return true;
}

enum dt_err note_verifier_init(struct note_verifier *v, const char *name, uint8_t type,
                               const uint8_t pub[32])
{
	if (!note_name_valid(name))
		return DT_EINVAL;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->type = type;
	memcpy(v->pub, pub, 32);
	v->id = note_key_id(name, type, pub);
	return DT_OK;
}

static enum dt_err add_b64(struct strbuf *out, const uint8_t *bin, size_t len)
{
	char b[256];

	if (sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL) > sizeof(b))
		return DT_ELIMIT;
	sodium_bin2base64(b, sizeof(b), bin, len, sodium_base64_VARIANT_ORIGINAL);
	return strbuf_adds(out, b);
}

static bool b64_decode(const char *s, size_t len, uint8_t *out, size_t max, size_t *n)
{
	const char *end;

	if (len == 0)
		return false;
	if (sodium_base642bin(out, max, s, len, NULL, n, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	return end == s + len;
}

enum dt_err note_vkey_format(const struct note_verifier *v, struct strbuf *out)
{
	uint8_t k[33];
	enum dt_err err;

	k[0] = v->type;
	memcpy(k + 1, v->pub, 32);
	if ((err = strbuf_addf(out, "%s+%08x+", v->name, v->id)))
		return err;
	return add_b64(out, k, sizeof(k));
}

enum dt_err note_vkey_parse(const char *s, size_t len, struct note_verifier *out,
                            struct dt_diag *diag)
{
	const char *p1 = memchr(s, '+', len), *p2;
	uint8_t k[64];
	size_t klen;
	char name[NOTE_MAX_NAME];
	unsigned id = 0;

	if (p1 == NULL || (p2 = memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - s))) == NULL ||
	    p2 - p1 != 9) {
		dt_diag_set(diag, NULL, 0, "verifier key '%.*s' is not name+hexid+base64key",
		            (int)(len > 80 ? 80 : len), s);
		return DT_EPARSE;
	}
	if ((size_t)(p1 - s) >= sizeof(name)) {
		dt_diag_set(diag, NULL, 0, "verifier key name too long");
		return DT_EPARSE;
	}
	memcpy(name, s, (size_t)(p1 - s));
	name[p1 - s] = '\0';
	for (const char *h = p1 + 1; h < p2; h++) {
		int d = (*h >= '0' && *h <= '9')   ? *h - '0'
		        : (*h >= 'a' && *h <= 'f') ? *h - 'a' + 10
		                                   : -1;

		if (d < 0) {
			dt_diag_set(diag, NULL, 0, "verifier key ID '%.8s' is not lower-case hex",
			            p1 + 1);
			return DT_EPARSE;
		}
		id = id << 4 | (unsigned)d;
	}
	if (!b64_decode(p2 + 1, len - (size_t)(p2 + 1 - s), k, sizeof(k), &klen) || klen != 33 ||
	    (k[0] != NOTE_TYPE_ED25519 && k[0] != NOTE_TYPE_COSIG)) {
		dt_diag_set(diag, NULL, 0,
		            "verifier key '%s': not an Ed25519 key (type 0x01 or 0x04)", name);
		return DT_EPARSE;
	}
	if (note_verifier_init(out, name, k[0], k + 1)) {
		dt_diag_set(diag, NULL, 0, "verifier key name '%s' is not valid", name);
		return DT_EPARSE;
	}
	if (out->id != id) {
		dt_diag_set(diag, NULL, 0,
		            "verifier key '%s': key ID %08x does not match the key (%08x)", name,
		            id, out->id);
		return DT_EPARSE;
	}
	return DT_OK;
}

/* Valid note text: UTF-8 (well-formed), no controls but \n, ends in \n. */
static bool text_valid(const char *t, size_t len)
{
	if (len == 0 || t[len - 1] != '\n' || len > NOTE_MAX_BYTES)
		return false;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)t[i];
		size_t extra;

		if (c < 0x20 && c != '\n')
			return false;
		if (c == 0x7f)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			extra = 1;
		else if (c >= 0xe0 && c <= 0xef)
			extra = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			extra = 3;
		else
			return false;
		if (i + extra >= len)
			return false;
		for (size_t k = 1; k <= extra; k++)
			if (((unsigned char)t[i + k] & 0xc0) != 0x80)
				return false;
		i += extra + 1;
	}
	return true;
}

static enum dt_err sig_line(const char *name, uint32_t id, const uint8_t *sig, size_t siglen,
                            struct strbuf *out)
{
	uint8_t buf[4 + 80];
	enum dt_err err;

	buf[0] = (uint8_t)(id >> 24);
	buf[1] = (uint8_t)(id >> 16);
	buf[2] = (uint8_t)(id >> 8);
	buf[3] = (uint8_t)id;
	memcpy(buf + 4, sig, siglen);
	if ((err = strbuf_adds(out, emdash_sp)) || (err = strbuf_adds(out, name)) ||
	    (err = strbuf_addc(out, ' ')) || (err = add_b64(out, buf, 4 + siglen)))
		return err;
	return strbuf_addc(out, '\n');
}

enum dt_err note_sign_line(const char *text, size_t len, const char *name, const uint8_t pub[32],
                           const uint8_t sk[64], struct strbuf *out)
{
	uint8_t sig[64];

	if (!text_valid(text, len) || !note_name_valid(name))
		return DT_EINVAL;
	crypto_sign_detached(sig, NULL, (const uint8_t *)text, len, sk);
	return sig_line(name, note_key_id(name, NOTE_TYPE_ED25519, pub), sig, 64, out);
}

static enum dt_err cosig_message(const char *text, size_t len, uint64_t ts, struct strbuf *msg)
{
	enum dt_err err;

	if ((err = strbuf_addf(msg, "cosignature/v1\ntime %llu\n", (unsigned long long)ts)))
		return err;
	return strbuf_add(msg, text, len);
}

enum dt_err note_cosign_line(const char *text, size_t len, const char *name, const uint8_t pub[32],
                             const uint8_t sk[64], uint64_t ts, struct strbuf *out)
{
	struct strbuf msg;
	uint8_t sig[72];
	enum dt_err err;

	if (!text_valid(text, len) || !note_name_valid(name) || ts > INT64_MAX)
		return DT_EINVAL;
	strbuf_init(&msg, NOTE_MAX_BYTES + 64);
	if ((err = cosig_message(text, len, ts, &msg))) {
		strbuf_release(&msg);
		return err;
	}
	for (int i = 0; i < 8; i++)
		sig[i] = (uint8_t)(ts >> (56 - 8 * i));
	crypto_sign_detached(sig + 8, NULL, (const uint8_t *)msg.p, msg.len, sk);
	strbuf_release(&msg);
	return sig_line(name, note_key_id(name, NOTE_TYPE_COSIG, pub), sig, 72, out);
}

enum dt_err note_parse(const char *data, size_t len, struct note *out, struct dt_diag *diag)
{
	size_t split = 0, i;
	bool found = false;

	memset(out, 0, sizeof(*out));
	if (len > NOTE_MAX_BYTES || !text_valid(data, len)) {
		dt_diag_set(diag, NULL, 0,
		            "not a signed note: not newline-terminated UTF-8 "
		            "without control characters, or larger than %d bytes",
		            NOTE_MAX_BYTES);
		return DT_EPARSE;
	}
	for (i = 1; i + 1 < len; i++) {
		if (data[i] == '\n' && data[i + 1] == '\n') {
			split = i + 1; /* text includes the newline at i */
			found = true;
		}
	}
	if (!found) {
		dt_diag_set(diag, NULL, 0, "not a signed note: no blank line before signatures");
		return DT_EPARSE;
	}
	out->text = data;
	out->text_len = split;
	i = split + 1;
	if (i >= len) {
		dt_diag_set(diag, NULL, 0, "signed note has no signatures");
		return DT_EPARSE;
	}
	while (i < len) {
		const char *l = data + i, *eol = memchr(l, '\n', len - i), *sp;
		size_t n = (size_t)(eol - l);
		struct note_sig *s;
		uint8_t raw[4 + 80];
		size_t rawlen;

		if (n < 4 || memcmp(l, emdash_sp, 4) != 0 ||
		    (sp = memchr(l + 4, ' ', n - 4)) == NULL || sp == l + 4) {
			dt_diag_set(diag, NULL, 0,
			            "signature line '%.*s' is not '— name signature'",
			            (int)(n > 60 ? 60 : n), l);
			return DT_EPARSE;
		}
		if (out->nsigs == NOTE_MAX_SIGS) {
			dt_diag_set(diag, NULL, 0, "more than %d signatures", NOTE_MAX_SIGS);
			return DT_ELIMIT;
		}
		s = &out->sigs[out->nsigs];
		if ((size_t)(sp - (l + 4)) >= sizeof(s->name)) {
			dt_diag_set(diag, NULL, 0, "signature key name too long");
			return DT_EPARSE;
		}
		memcpy(s->name, l + 4, (size_t)(sp - (l + 4)));
		s->name[sp - (l + 4)] = '\0';
		if (!note_name_valid(s->name) ||
		    !b64_decode(sp + 1, (size_t)(eol - (sp + 1)), raw, sizeof(raw), &rawlen) ||
		    rawlen < 5) {
			dt_diag_set(diag, NULL, 0,
			            "signature by '%s' is not base64(keyid || signature)", s->name);
			return DT_EPARSE;
		}
		s->id = ((uint32_t)raw[0] << 24) | ((uint32_t)raw[1] << 16) |
		        ((uint32_t)raw[2] << 8) | raw[3];
		s->len = rawlen - 4;
		memcpy(s->sig, raw + 4, s->len);
		out->nsigs++;
		i += n + 1;
	}
	return DT_OK;
}

enum dt_err note_verify(const struct note *n, const struct note_verifier *v, size_t nv,
                        uint64_t *verified, struct dt_diag *diag)
{
	uint64_t mask = 0;
	struct strbuf msg;

	strbuf_init(&msg, NOTE_MAX_BYTES + 64);
	for (size_t i = 0; i < n->nsigs; i++) {
		const struct note_sig *s = &n->sigs[i];

		for (size_t k = 0; k < nv; k++) {
			bool ok = false;

			if (v[k].id != s->id || strcmp(v[k].name, s->name) != 0)
				continue;
			if (v[k].type == NOTE_TYPE_ED25519 && s->len == 64) {
				ok = crypto_sign_verify_detached(s->sig, (const uint8_t *)n->text,
				                                 n->text_len, v[k].pub) == 0;
			} else if (v[k].type == NOTE_TYPE_COSIG && s->len == 72) {
				uint64_t ts = 0;

				for (int b = 0; b < 8; b++)
					ts = ts << 8 | s->sig[b];
				strbuf_reset(&msg);
				ok = ts <= INT64_MAX &&
				     cosig_message(n->text, n->text_len, ts, &msg) == DT_OK &&
				     crypto_sign_verify_detached(s->sig + 8, (const uint8_t *)msg.p,
				                                 msg.len, v[k].pub) == 0;
			}
			if (!ok) {
				dt_diag_set(diag, NULL, 0,
				            "signature by '%s' (key %08x) does not verify", s->name,
				            s->id);
				strbuf_release(&msg);
				return DT_EFORMAT;
			}
			if (k < 64)
				mask |= 1ull << k;
		}
	}
	strbuf_release(&msg);
	if (verified)
		*verified = mask;
	if (mask == 0) {
		dt_diag_set(diag, NULL, 0, "no signature from a known key");
		return DT_ENOTFOUND;
	}
	return DT_OK;
}

enum dt_err checkpoint_format(const char *origin, uint64_t size, const uint8_t root[32],
                              struct strbuf *out)
{
	enum dt_err err;

	if (!note_name_valid(origin))
		return DT_EINVAL;
	if ((err = strbuf_addf(out, "%s\n%llu\n", origin, (unsigned long long)size)) ||
	    (err = add_b64(out, root, 32)))
		return err;
	return strbuf_addc(out, '\n');
}

enum dt_err checkpoint_parse(const char *text, size_t len, struct checkpoint *out,
                             struct dt_diag *diag)
{
	const char *l1 = text, *e1, *l2, *e2, *l3, *e3;
	size_t rl;
	uint64_t size = 0;

	memset(out, 0, sizeof(*out));
	if ((e1 = memchr(l1, '\n', len)) == NULL || e1 == l1 ||
	    (size_t)(e1 - l1) >= sizeof(out->origin))
		goto bad;
	l2 = e1 + 1;
	if ((e2 = memchr(l2, '\n', len - (size_t)(l2 - text))) == NULL || e2 == l2 || e2 - l2 > 20)
		goto bad;
	l3 = e2 + 1;
	if ((e3 = memchr(l3, '\n', len - (size_t)(l3 - text))) == NULL)
		goto bad;
	if (e2 - l2 > 1 && *l2 == '0')
		goto bad;
	for (const char *p = l2; p < e2; p++) {
		if (*p < '0' || *p > '9' || size > (UINT64_MAX - 9) / 10)
			goto bad;
		size = size * 10 + (uint64_t)(*p - '0');
	}
	if (!b64_decode(l3, (size_t)(e3 - l3), out->root, sizeof(out->root), &rl) || rl != 32)
		goto bad;
	memcpy(out->origin, l1, (size_t)(e1 - l1));
	out->size = size;
	return DT_OK;
bad:
	dt_diag_set(diag, NULL, 0,
	            "not a checkpoint: expected origin, tree size and base64 root hash lines");
	return DT_EPARSE;
}
