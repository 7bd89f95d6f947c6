/*
 * test_ledger.c — the evidence ledger through its library API, in a
 * throw-away directory: identity and keys, appends, every receipt
 * (c2sp.org/tlog-proof@v1) and consistency proof of a 13-entry log parsed
 * and checked with the note and merkle verifiers, `verify` counts, and
 * cosignatures (type 0x04, cosignature/v1) verified with note_verify and
 * the cosigner key that `detente key show --cosigner` prints — which Go's
 * x/mod 0.7 note package cannot check (tests/cli/ledger.sh checks it
 * with crypto/ed25519 by hand).
 */
#include "testhelp.h"

#include <ftw.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "merkle/merkle.h"

static char dir[512];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static bool b64(const char *s, size_t len, uint8_t *out, size_t max, size_t *got)
{
	return sodium_base642bin(out, max, s, len, NULL, got, NULL, sodium_base64_VARIANT_ORIGINAL) == 0;
}

/* A node named party at dir/<party>.db, opened. */
static struct ledger *node(const char *party)
{
	char db[600], name[64];
	struct ledger *l = NULL;
	struct dt_diag d;

	snprintf(name, sizeof(name), "%s.db", party);
	path(db, sizeof(db), name);
	dt_diag_clear(&d);
	{
		char origin[80];

		snprintf(origin, sizeof(origin), "detente/%s", party);
		if (ledger_init(db, party, origin, &d) == DT_OK)
			ledger_open(db, &l, &d);
	}
	if (l == NULL)
		fprintf(stderr, "node %s: %s\n", party, d.msg);
	return l;
}

static void vkey(struct ledger *l, bool cosigner, struct note_verifier *v)
{
	struct strbuf b;
	struct dt_diag d;

	strbuf_init(&b, 4096);
	ledger_vkey(l, cosigner, &b);
	if (note_vkey_parse(b.p, b.len, v, &d) != DT_OK)
		memset(v, 0, sizeof(*v));
	strbuf_release(&b);
}

/* Appends n digest-only entries numbered from k. */
static enum dt_err append_n(struct ledger *l, int k, int n, const char *kind)
{
	for (int i = 0; i < n; i++) {
		struct ledger_entry_in e = {.kind = kind, .about = "test entry"};
		char data[64];
		struct dt_diag d;
		uint64_t idx;
		enum dt_err err;

		snprintf(data, sizeof(data), "%s payload %d", kind, k + i);
		crypto_hash_sha256(e.sha256, (const uint8_t *)data, strlen(data));
		e.size = strlen(data);
		if ((err = ledger_append(l, &e, 1, true, &idx, NULL, &d)))
			return err;
	}
	return DT_OK;
}

static void test_identity(void)
{
	struct ledger *a = node("alice");
	struct note_verifier s, c;
	char db[600], key[700];
	struct stat sb;
	struct dt_diag d;

	CHECK(a != NULL);
	if (a == NULL)
		return;
	CHECK(strcmp(ledger_party(a), "alice") == 0 && strcmp(ledger_origin(a), "detente/alice") == 0);
	vkey(a, false, &s);
	vkey(a, true, &c);
	CHECK(s.type == NOTE_TYPE_ED25519 && c.type == NOTE_TYPE_COSIG);
	CHECK(strcmp(s.name, "detente/alice") == 0 && strcmp(c.name, "detente/alice") == 0);
	CHECK(memcmp(s.pub, c.pub, 32) != 0 && s.id != c.id);
	path(db, sizeof(db), "alice.db");
	snprintf(key, sizeof(key), "%s.d/ed25519.key", db);
	CHECK(stat(key, &sb) == 0 && (sb.st_mode & 0777) == 0600 && sb.st_size == 32);
	CHECK(ledger_init(db, "alice", "detente/alice", &d) == DT_EEXIST);
	CHECK(ledger_init(db, "mallory", "detente/mallory", &d) == DT_EEXIST);
	ledger_close(a);
}

/* Parses a tlog-proof receipt and checks it completely. */
static bool check_receipt(const char *r, size_t len, const struct note_verifier *v,
			  uint64_t want_idx, uint64_t want_size, const char *entry, size_t entry_len,
			  bool tamper)
{
	uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_LEN], leaf[MERKLE_HASH_LEN];
	static uint8_t extra[LEDGER_MAX_ENTRY];
	const char *p = r, *end = r + len, *eol;
	size_t n = 0, xlen = 0, got;
	unsigned long long idx;
	struct checkpoint cp;
	struct note note;
	struct dt_diag d;

	if (len < 23 || memcmp(p, "c2sp.org/tlog-proof@v1\n", 23) != 0)
		return false;
	p += 23;
	if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL || strncmp(p, "extra ", 6) != 0 ||
	    !b64(p + 6, (size_t)(eol - p - 6), extra, sizeof(extra), &xlen))
		return false;
	p = eol + 1;
	if (sscanf(p, "index %llu\n", &idx) != 1 || idx != want_idx)
		return false;
	if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
		return false;
	p = eol + 1;
	while (p < end && *p != '\n') {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL || n == MERKLE_MAX_PROOF ||
		    !b64(p, (size_t)(eol - p), proof[n], MERKLE_HASH_LEN, &got) || got != MERKLE_HASH_LEN)
			return false;
		n++;
		p = eol + 1;
	}
	if (p >= end)
		return false;
	p++;
	if (note_parse(p, (size_t)(end - p), &note, &d) || note_verify(&note, v, 1, NULL, &d) ||
	    checkpoint_parse(note.text, note.text_len, &cp, &d) || cp.size != want_size ||
	    strcmp(cp.origin, v->name) != 0)
		return false;
	if (xlen != entry_len || memcmp(extra, entry, xlen) != 0)
		return false;
	merkle_leaf_hash(extra, xlen, leaf);
	if (tamper && n > 0)
		proof[n / 2][5] ^= 0x10;
	return merkle_verify_inclusion(leaf, idx, cp.size, (const uint8_t(*)[MERKLE_HASH_LEN])proof, n,
				       cp.root);
}

static bool root_at(struct ledger *l, const struct note_verifier *v, uint64_t size,
		    uint8_t root[MERKLE_HASH_LEN])
{
	struct strbuf b;
	struct checkpoint cp;
	struct note n;
	struct dt_diag d;
	bool ok;

	strbuf_init(&b, NOTE_MAX_BYTES);
	ok = ledger_checkpoint(l, size, &b, &d) == DT_OK && note_parse(b.p, b.len, &n, &d) == DT_OK &&
	     note_verify(&n, v, 1, NULL, &d) == DT_OK &&
	     checkpoint_parse(n.text, n.text_len, &cp, &d) == DT_OK && cp.size == size;
	if (ok)
		memcpy(root, cp.root, MERKLE_HASH_LEN);
	strbuf_release(&b);
	return ok;
}

static void test_receipts_and_consistency(void)
{
	enum { N = 13 };
	struct ledger *l = node("rita");
	struct note_verifier v;
	struct strbuf r, e, c;
	struct dt_diag d;
	uint8_t roots[N + 1][MERKLE_HASH_LEN];
	uint64_t size;
	int bad = 0, tampered_ok = 0, cbad = 0;

	CHECK(l != NULL);
	if (l == NULL)
		return;
	vkey(l, false, &v);
	CHECK(append_n(l, 0, N, "intel") == DT_OK);
	CHECK(ledger_size(l, &size) == DT_OK && size == N);
	strbuf_init(&r, 1u << 20);
	strbuf_init(&e, LEDGER_MAX_ENTRY);
	strbuf_init(&c, 1u << 16);
	for (uint64_t s = 1; s <= N; s++) {
		CHECK(root_at(l, &v, s, roots[s]));
		for (uint64_t i = 0; i < s; i++) {
			strbuf_reset(&r);
			strbuf_reset(&e);
			if (ledger_prove(l, i, s, &r, &d) || ledger_entry(l, i, &e, &d) ||
			    !check_receipt(r.p, r.len, &v, i, s, e.p, e.len, false)) {
				if (bad++ < 5)
					fprintf(stderr, "receipt %llu/%llu does not check\n",
						(unsigned long long)i, (unsigned long long)s);
			}
			if (s > 1 && check_receipt(r.p, r.len, &v, i, s, e.p, e.len, true))
				tampered_ok++;
		}
	}
	CHECKF(bad == 0, "%d of %d receipts failed", bad, N * (N + 1) / 2);
	CHECKF(tampered_ok == 0, "%d tampered receipts accepted", tampered_ok);
	for (uint64_t m = 1; m <= N; m++) {
		for (uint64_t s = m; s <= N; s++) {
			uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_LEN];
			size_t n = 0, got;
			const char *p, *end;

			strbuf_reset(&c);
			if (ledger_consistency(l, m, s, &c, &d)) {
				cbad++;
				continue;
			}
			for (p = c.p, end = c.p + c.len; p < end;) {
				const char *eol = memchr(p, '\n', (size_t)(end - p));

				if (eol == NULL || n == MERKLE_MAX_PROOF ||
				    !b64(p, (size_t)(eol - p), proof[n], MERKLE_HASH_LEN, &got))
					break;
				n++;
				p = eol + 1;
			}
			if (p != end || !merkle_verify_consistency(m, s, roots[m], roots[s],
								   (const uint8_t(*)[MERKLE_HASH_LEN])proof, n))
				cbad++;
			/* and not between other roots */
			if (m < s && merkle_verify_consistency(m, s, roots[s], roots[m],
							       (const uint8_t(*)[MERKLE_HASH_LEN])proof, n))
				cbad++;
		}
	}
	CHECKF(cbad == 0, "%d consistency proofs failed", cbad);
	CHECK(ledger_prove(l, N, 0, &r, &d) == DT_EINVAL && strstr(d.msg, "entry 13 is not in a tree") != NULL);
	CHECK(ledger_entry(l, N, &e, &d) == DT_ENOTFOUND && strstr(d.msg, "no entry 13") != NULL);
	CHECK(ledger_consistency(l, 0, 3, &c, &d) == DT_EINVAL);
	CHECK(ledger_consistency(l, 4, 3, &c, &d) == DT_EINVAL);
	CHECK(ledger_checkpoint(l, N + 1, &c, &d) == DT_EINVAL);
	strbuf_release(&r);
	strbuf_release(&e);
	strbuf_release(&c);
	{
		struct ledger_verify_report rep1, rep4;

		CHECK(ledger_verify(l, 1, &rep1, &d) == DT_OK);
		CHECK(ledger_verify(l, 4, &rep4, &d) == DT_OK);
		/* 13 leaves + 6 + 3 + 1 complete subtrees; checkpoints at every size */
		CHECKF(rep1.entries == N && rep1.signatures == N && rep1.tree_hashes == 23 &&
		       rep1.checkpoints == N,
		       "report %llu %llu %llu %llu", (unsigned long long)rep1.entries,
		       (unsigned long long)rep1.signatures, (unsigned long long)rep1.tree_hashes,
		       (unsigned long long)rep1.checkpoints);
		CHECK(memcmp(&rep1, &rep4, sizeof(rep1)) == 0);
	}
	ledger_close(l);
}

static void test_append(void)
{
	struct ledger *l = node("anna");
	struct ledger_entry_in in[3];
	struct dt_diag d;
	uint64_t first = 99, size;
	bool existed = true;

	CHECK(l != NULL);
	if (l == NULL)
		return;
	memset(in, 0, sizeof(in));
	for (int i = 0; i < 3; i++) {
		in[i].kind = "submission";
		in[i].sha256[0] = (uint8_t)i;
		in[i].size = (uint64_t)i;
	}
	in[2].sha256[0] = 0; /* a duplicate of in[0] in the same batch */
	CHECK(ledger_append(l, in, 3, true, &first, &existed, &d) == DT_OK && first == 0 && !existed);
	CHECK(ledger_size(l, &size) == DT_OK && size == 2);
	CHECK(ledger_append(l, &in[1], 1, true, &first, &existed, &d) == DT_OK && first == 1 && existed);
	CHECK(ledger_append(l, &in[1], 1, false, &first, &existed, &d) == DT_OK && first == 2 && !existed);
	in[0].kind = "gossip";
	dt_diag_clear(&d);
	CHECK(ledger_append(l, &in[0], 1, true, &first, NULL, &d) == DT_EINVAL &&
	      strstr(d.msg, "entry kind 'gossip'") != NULL);
	in[0].kind = "intel";
	in[0].about = "two\nlines";
	CHECK(ledger_append(l, &in[0], 1, true, &first, NULL, &d) == DT_EINVAL);
	CHECK(ledger_size(l, &size) == DT_OK && size == 3);
	ledger_close(l);
}

/* A description that is one line but not valid note text (a control
 * character) must be refused with a message, not an empty one. */
static void test_about_control_character(void)
{
	struct ledger *l = node("ctrl");
	struct ledger_entry_in e = {.kind = "intel", .about = "tab\there"};
	struct dt_diag d;
	uint64_t first, size;
	enum dt_err err;

	CHECK(l != NULL);
	if (l == NULL)
		return;
	dt_diag_clear(&d);
	err = ledger_append(l, &e, 1, true, &first, NULL, &d);
	CHECK(ledger_size(l, &size) == DT_OK);
	ledger_close(l);
	if (err == DT_OK) {
		CHECKF(false, "an entry with a control character in its description was signed");
		return;
	}
	CHECK(size == 0);
	CHECKF(strstr(d.msg, "control character") != NULL, "error %d, message '%s'", (int)err, d.msg);
}

static void test_cosignature(void)
{
	struct ledger *a = node("ada"), *b = node("bo");
	struct note_verifier va, vac, vb, vbc, both[2];
	struct strbuf cp, out, proof;
	struct note n;
	struct dt_diag d;
	uint64_t mask = 0, size;
	char *copy;

	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		goto out0;
	vkey(a, false, &va);
	vkey(a, true, &vac);
	vkey(b, false, &vb);
	vkey(b, true, &vbc);
	strbuf_init(&cp, NOTE_MAX_BYTES);
	strbuf_init(&out, NOTE_MAX_BYTES);
	strbuf_init(&proof, 1u << 16);
	{
		struct strbuf vk;

		strbuf_init(&vk, 4096);
		ledger_vkey(a, false, &vk);
		CHECK(ledger_peer_add(b, "ada", vk.p, NULL, &d) == DT_OK);
		CHECK(ledger_peer_add(b, "ada", vk.p, NULL, &d) == DT_EEXIST);
		strbuf_release(&vk);
	}
	CHECK(append_n(a, 0, 5, "submission") == DT_OK);
	CHECK(ledger_checkpoint(a, 3, &cp, &d) == DT_OK);
	CHECK(ledger_cosign(b, NULL, cp.p, cp.len, NULL, 0, &out, &d) == DT_OK);
	/* the output is the checkpoint plus one cosignature line */
	CHECK(out.len > cp.len && memcmp(out.p, cp.p, cp.len) == 0);
	CHECK(note_parse(out.p, out.len, &n, &d) == DT_OK && n.nsigs == 2);
	CHECK(strcmp(n.sigs[1].name, "detente/bo") == 0 && n.sigs[1].id == vbc.id && n.sigs[1].len == 72);
	{
		uint64_t ts = 0;
		time_t now = time(NULL);

		for (int k = 0; k < 8; k++)
			ts = ts << 8 | n.sigs[1].sig[k];
		CHECKF(ts + 300 >= (uint64_t)now && ts <= (uint64_t)now + 5, "cosignature time %llu, now %lld",
		       (unsigned long long)ts, (long long)now);
	}
	both[0] = va;
	both[1] = vbc;
	CHECK(note_verify(&n, both, 2, &mask, &d) == DT_OK && mask == 3);
	CHECK(note_verify(&n, &vbc, 1, NULL, &d) == DT_OK);
	/* the cosignature is no signature of the log key, of bob's log key,
	 * or of alice's cosigner key */
	CHECK(note_verify(&n, &vb, 1, NULL, &d) == DT_ENOTFOUND);
	CHECK(note_verify(&n, &vac, 1, NULL, &d) == DT_ENOTFOUND);
	/* a type 0x01 key under the cosigner's name and ID would not verify it */
	{
		struct note_verifier fake = vbc;

		fake.type = NOTE_TYPE_ED25519;
		CHECK(note_verify(&n, &fake, 1, NULL, &d) == DT_EFORMAT);
	}
	/* one changed byte of the checkpoint breaks the cosignature */
	copy = malloc(out.len + 1);
	memcpy(copy, out.p, out.len + 1);
	copy[n.text_len - 3] = copy[n.text_len - 3] == 'A' ? 'B' : 'A';
	CHECK(note_parse(copy, out.len, &n, &d) == DT_OK && note_verify(&n, &vbc, 1, NULL, &d) == DT_EFORMAT);
	free(copy);
	/* a progression with its proof: accepted and cosigned */
	strbuf_reset(&cp);
	CHECK(ledger_checkpoint(a, 5, &cp, &d) == DT_OK);
	strbuf_reset(&out);
	CHECK(ledger_cosign(b, "ada", cp.p, cp.len, NULL, 0, &out, &d) == DT_EFORMAT &&
	      strstr(d.msg, "does not verify") != NULL);
	CHECK(ledger_consistency(a, 3, 5, &proof, &d) == DT_OK);
	strbuf_reset(&out);
	CHECK(ledger_cosign(b, "ada", cp.p, cp.len, proof.p, proof.len, &out, &d) == DT_OK);
	CHECK(note_parse(out.p, out.len, &n, &d) == DT_OK && note_verify(&n, &vbc, 1, NULL, &d) == DT_OK);
	/* a smaller one: refused */
	strbuf_reset(&cp);
	CHECK(ledger_checkpoint(a, 4, &cp, &d) == DT_OK);
	CHECK(ledger_cosign(b, NULL, cp.p, cp.len, NULL, 0, &out, &d) == DT_EFORMAT &&
	      strstr(d.msg, "smaller") != NULL);
	/* a's own checkpoint is not one of a's peers */
	CHECK(ledger_cosign(a, NULL, cp.p, cp.len, NULL, 0, &out, &d) == DT_ENOTFOUND);
	/* bob's ledger: the two accepted checkpoints, as verifiable entries */
	{
		struct ledger_verify_report rep;

		CHECK(ledger_size(b, &size) == DT_OK && size == 2);
		CHECK(ledger_verify(b, 0, &rep, &d) == DT_OK && rep.entries == 2);
	}
	strbuf_release(&cp);
	strbuf_release(&out);
	strbuf_release(&proof);
out0:
	ledger_close(a);
	ledger_close(b);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	if (sodium_init() < 0) {
		printf("FAIL sodium_init\n# 0 passed, 1 failed, 0 skipped\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/detente-test-ledger-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("FAIL mkdtemp %s\n# 0 passed, 1 failed, 0 skipped\n", dir);
		return 1;
	}
	RUN(test_identity);
	RUN(test_append);
	RUN(test_about_control_character);
	RUN(test_receipts_and_consistency);
	RUN(test_cosignature);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	DONE();
}
