/*
 * fuzz_note.c — the ledger's text parsers: C2SP signed notes, verifier
 * keys, checkpoint bodies (note/note.h), and the Merkle proof verifiers on
 * attacker-chosen proofs (merkle/merkle.h).
 *
 * The input is handed whole to note_parse, note_vkey_parse and
 * checkpoint_parse.  Properties when a parse succeeds:
 *   - the note's text is a prefix of the input ending in "\n" and every
 *     signature name is a valid key name;
 *   - a parsed vkey formats back to exactly the input;
 *   - verification against a fixed key never crashes, and a note this
 *     target signs itself over the parsed text always verifies;
 *   - a checkpoint formats back to the first three lines of the input.
 * The input bytes are also read as proof hashes for the inclusion and
 * consistency verifiers, which must reject them (a random proof that
 * verifies would be a forgery of SHA-256).
 */
#include <sodium.h>

#include "fuzz.h"
#include "merkle/merkle.h"
#include "note/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pk[32], sk[64];
	static bool ready;
	const char *s = (const char *)data;
	struct note n;
	struct note_verifier v;
	struct checkpoint cp;
	struct strbuf b;

	if (!ready) {
		uint8_t seed[32] = {1};

		if (sodium_init() < 0)
			return 0;
		crypto_sign_seed_keypair(pk, sk, seed);
		ready = true;
	}
	strbuf_init(&b, 1 << 20);
	if (note_parse(s, size, &n, NULL) == DT_OK) {
		FUZZ_CHECK(n.text == s && n.text_len <= size && n.text_len > 0);
		FUZZ_CHECK(n.text[n.text_len - 1] == '\n');
		for (size_t i = 0; i < n.nsigs; i++)
			FUZZ_CHECK(note_name_valid(n.sigs[i].name));
		note_verifier_init(&v, "fuzz.example/key", NOTE_TYPE_ED25519, pk);
		(void)note_verify(&n, &v, 1, NULL, NULL);
		/* sign the parsed text ourselves: must verify */
		strbuf_add(&b, n.text, n.text_len);
		strbuf_addc(&b, '\n');
		FUZZ_CHECK(note_sign_line(n.text, n.text_len, "fuzz.example/key", pk, sk, &b) == DT_OK);
		{
			struct note mine;

			FUZZ_CHECK(note_parse(b.p, b.len, &mine, NULL) == DT_OK);
			FUZZ_CHECK(note_verify(&mine, &v, 1, NULL, NULL) == DT_OK);
		}
		if (checkpoint_parse(n.text, n.text_len, &cp, NULL) == DT_OK) {
			strbuf_reset(&b);
			FUZZ_CHECK(checkpoint_format(cp.origin, cp.size, cp.root, &b) == DT_OK ||
				   !note_name_valid(cp.origin));
			if (note_name_valid(cp.origin))
				FUZZ_CHECK(b.len <= n.text_len && memcmp(b.p, n.text, b.len) == 0);
		}
	}
	if (note_vkey_parse(s, size, &v, NULL) == DT_OK) {
		strbuf_reset(&b);
		FUZZ_CHECK(note_vkey_format(&v, &b) == DT_OK);
		FUZZ_CHECK(b.len == size && memcmp(b.p, s, size) == 0);
	}
	if (size >= 48) {
		uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_LEN], leaf[32], root[32];
		size_t np = (size - 48) / 32;
		uint64_t a, c;

		if (np > MERKLE_MAX_PROOF)
			np = MERKLE_MAX_PROOF;
		memcpy(&a, data, 8);
		memcpy(&c, data + 8, 8);
		memcpy(leaf, data + 16, 32);
		memset(root, 0xab, sizeof(root));
		for (size_t i = 0; i < np; i++)
			memcpy(proof[i], data + 48 + 32 * i, 32);
		FUZZ_CHECK(!merkle_verify_inclusion(leaf, a % (c ? c : 1), c, proof, np, root));
		FUZZ_CHECK(!merkle_verify_consistency(a % (c ? c : 1) + 1, c, leaf, root, proof, np) ||
			   (a % (c ? c : 1) + 1 == c && np == 0 && memcmp(leaf, root, 32) == 0));
	}
	strbuf_release(&b);
	return 0;
}
