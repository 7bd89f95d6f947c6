/*
 * test_note.c — signed notes, vkeys, checkpoints and cosignatures against
 * the C2SP specifications' own examples (c2sp.org/signed-note: the
 * example.com/foo key and note), and the cosignature/v1 message layout
 * byte for byte.  Forgeries must fail.
 */
#include "testhelp.h"

#include <sodium.h>

#include "note/note.h"

static const char spec_vkey[] = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
static const char spec_note[] =
	"This is an example message.\n"
	"\n"
	"\xe2\x80\x94 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

static void test_spec_example(void)
{
	struct note_verifier v;
	struct note n;
	struct dt_diag d;
	struct strbuf b;
	char copy[sizeof(spec_note)];

	CHECK(note_vkey_parse(spec_vkey, strlen(spec_vkey), &v, &d) == DT_OK);
	CHECK(v.id == 0x530d903a && v.type == NOTE_TYPE_ED25519 && strcmp(v.name, "example.com/foo") == 0);
	strbuf_init(&b, 4096);
	CHECK(note_vkey_format(&v, &b) == DT_OK && strcmp(b.p, spec_vkey) == 0);
	strbuf_release(&b);
	CHECK(note_parse(spec_note, strlen(spec_note), &n, &d) == DT_OK && n.nsigs == 1);
	CHECK(n.text_len == strlen("This is an example message.\n"));
	CHECK(note_verify(&n, &v, 1, NULL, &d) == DT_OK);
	/* one changed byte of text */
	memcpy(copy, spec_note, sizeof(spec_note));
	copy[0] = 't';
	CHECK(note_parse(copy, strlen(copy), &n, &d) == DT_OK);
	CHECK(note_verify(&n, &v, 1, NULL, &d) == DT_EFORMAT);
	/* one changed byte of signature */
	memcpy(copy, spec_note, sizeof(spec_note));
	copy[strlen(copy) - 10] ^= 1;
	CHECK(note_parse(copy, strlen(copy), &n, &d) != DT_OK ||
	      note_verify(&n, &v, 1, NULL, &d) != DT_OK);
	/* a vkey whose ID does not match */
	CHECK(note_vkey_parse("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
			      strlen(spec_vkey), &v, &d) == DT_EPARSE);
}

static void test_unknown_keys_ignored(void)
{
	struct note_verifier v, other;
	struct note n;
	struct dt_diag d;
	uint8_t pk[32], sk[64];

	crypto_sign_keypair(pk, sk);
	note_vkey_parse(spec_vkey, strlen(spec_vkey), &v, &d);
	note_verifier_init(&other, "example.com/other", NOTE_TYPE_ED25519, pk);
	note_parse(spec_note, strlen(spec_note), &n, &d);
	CHECK(note_verify(&n, &other, 1, NULL, &d) == DT_ENOTFOUND);
	/* same name, other key (other ID): ignored, not failed */
	note_verifier_init(&other, "example.com/foo", NOTE_TYPE_ED25519, pk);
	CHECK(note_verify(&n, &other, 1, NULL, &d) == DT_ENOTFOUND);
	struct note_verifier both[2] = {other, v};
	uint64_t mask = 0;
	CHECK(note_verify(&n, both, 2, &mask, &d) == DT_OK && mask == 2);
}

static void test_sign_roundtrip(void)
{
	uint8_t pk[32], sk[64];
	struct strbuf b;
	struct note n;
	struct note_verifier v;
	struct dt_diag d;
	const char text[] = "detente.example/ledger\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

	crypto_sign_keypair(pk, sk);
	strbuf_init(&b, 1 << 16);
	strbuf_adds(&b, text);
	strbuf_addc(&b, '\n');
	CHECK(note_sign_line(text, strlen(text), "detente.example/ledger", pk, sk, &b) == DT_OK);
	note_verifier_init(&v, "detente.example/ledger", NOTE_TYPE_ED25519, pk);
	CHECK(note_parse(b.p, b.len, &n, &d) == DT_OK && note_verify(&n, &v, 1, NULL, &d) == DT_OK);
	struct checkpoint cp;
	CHECK(checkpoint_parse(n.text, n.text_len, &cp, &d) == DT_OK && cp.size == 7 &&
	      strcmp(cp.origin, "detente.example/ledger") == 0);
	/* invalid texts are refused for signing */
	CHECK(note_sign_line("no newline", 10, "a", pk, sk, &b) == DT_EINVAL);
	CHECK(note_sign_line("ctl\x01\n", 5, "a", pk, sk, &b) == DT_EINVAL);
	CHECK(note_sign_line("x\n", 2, "bad name", pk, sk, &b) == DT_EINVAL);
	strbuf_release(&b);
}

/* cosignature/v1: the signed message is exactly the spec's layout */
static void test_cosignature_layout(void)
{
	const char text[] = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
	const char msg[] = "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
			   "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
	uint8_t pk[32], sk[64], raw[4 + 72];
	struct strbuf b;
	size_t rawlen;
	struct note_verifier v;
	struct note n;
	struct dt_diag d;

	crypto_sign_keypair(pk, sk);
	strbuf_init(&b, 1 << 16);
	CHECK(note_cosign_line(text, strlen(text), "witness.example.com/w1", pk, sk, 1679315147, &b) == DT_OK);
	/* "— witness.example.com/w1 " then base64 */
	const char *sig = strrchr(b.p, ' ') + 1;
	CHECK(sodium_base642bin(raw, sizeof(raw), sig, strcspn(sig, "\n"), NULL, &rawlen, NULL,
				sodium_base64_VARIANT_ORIGINAL) == 0 && rawlen == 76);
	uint32_t id = note_key_id("witness.example.com/w1", NOTE_TYPE_COSIG, pk);
	CHECK(raw[0] == (id >> 24) && raw[3] == (id & 0xff));
	uint64_t ts = 0;
	for (int i = 0; i < 8; i++)
		ts = ts << 8 | raw[4 + i];
	CHECK(ts == 1679315147);
	CHECK(crypto_sign_verify_detached(raw + 12, (const uint8_t *)msg, strlen(msg), pk) == 0);
	/* and through the verifier, attached to a checkpoint */
	struct strbuf note;
	strbuf_init(&note, 1 << 16);
	strbuf_adds(&note, text);
	strbuf_addc(&note, '\n');
	strbuf_adds(&note, b.p);
	note_verifier_init(&v, "witness.example.com/w1", NOTE_TYPE_COSIG, pk);
	CHECK(note_parse(note.p, note.len, &n, &d) == DT_OK && note_verify(&n, &v, 1, NULL, &d) == DT_OK);
	/* a type-0x01 verifier with the same key does not match the cosignature's ID */
	note_verifier_init(&v, "witness.example.com/w1", NOTE_TYPE_ED25519, pk);
	CHECK(note_verify(&n, &v, 1, NULL, &d) == DT_ENOTFOUND);
	strbuf_release(&note);
	strbuf_release(&b);
}

static void test_parse_errors(void)
{
	static const char *bad[] = {
		"",
		"no signatures\n",
		"text\n\n",
		"text\n\nnot a signature line\n",
		"text\n\n\xe2\x80\x94 name !!!notbase64\n",
		"text\n\n\xe2\x80\x94 name\n",
		"text\n\n\xe2\x80\x94 name AAAA\n",       /* too short: no signature bytes */
		"bad \xff utf8\n\n\xe2\x80\x94 n AAAAAAAA\n",
		"text\n\n\xe2\x80\x94 n AAAAAAAA",         /* no final newline */
	};
	struct note n;
	struct dt_diag d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECKF(note_parse(bad[i], strlen(bad[i]), &n, &d) != DT_OK, "accepted case %zu", i);
	struct checkpoint cp;
	CHECK(checkpoint_parse("o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", 50, &cp, &d) != DT_OK);
	CHECK(checkpoint_parse("o\n1\nshort\n", 10, &cp, &d) != DT_OK);
	CHECK(checkpoint_parse("\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", 49, &cp, &d) != DT_OK);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_spec_example);
	RUN(test_unknown_keys_ignored);
	RUN(test_sign_roundtrip);
	RUN(test_cosignature_layout);
	RUN(test_parse_errors);
	DONE();
}
