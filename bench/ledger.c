/*
 * bench/ledger.c — the evidence ledger against its physical bounds.
 *
 * There is no other C transparency log to run side by side here, so each
 * figure is printed next to the bound that limits it, measured in the same
 * run on the same machine: libsodium's Ed25519 signing rate for signed
 * appends, its verification rate (times the threads used) for `log verify`,
 * and its SHA-256 rate.  Issue targets: >= 25 k signed appends/s per core,
 * >= 100 k inclusion proofs/s from storage, verify of 1 M entries <= 60 s.
 *
 * usage: build/rel/bench/ledger DIR [ENTRIES]
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ledger/ledger.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double sign_rate(void)
{
	uint8_t pk[32], sk[64], sig[64], msg[300];
	double t0 = now();
	int n = 20000;

	crypto_sign_keypair(pk, sk);
	memset(msg, 'x', sizeof(msg));
	for (int i = 0; i < n; i++) {
		msg[0] = (uint8_t)i;
		crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	}
	return n / (now() - t0);
}

static double verify_rate(void)
{
	uint8_t pk[32], sk[64], sig[64], msg[300];
	double t0;
	int n = 10000, ok = 0;

	crypto_sign_keypair(pk, sk);
	memset(msg, 'x', sizeof(msg));
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	t0 = now();
	for (int i = 0; i < n; i++)
		ok += crypto_sign_verify_detached(sig, msg, sizeof(msg), pk) == 0;
	return ok / (now() - t0);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "bench/out";
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	char db[1024], cmd[4200];
	struct ledger *l;
	struct dt_diag d;
	struct ledger_entry_in *batch;
	struct strbuf out;
	struct ledger_verify_report rep;
	double t0, t_append, t_prove, t_verify, sr, vr;
	const long chunk = 10000;
	long proofs = 100000;

	if (sodium_init() < 0)
		return 1;
	snprintf(db, sizeof(db), "%s/ledger-bench.db", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s-wal' '%s-shm' '%s.d'", db, db, db, db);
	if (system(cmd) != 0)
		return 1;
	if (ledger_init(db, "bench", "detente/bench", &d) || ledger_open(db, &l, &d)) {
		fprintf(stderr, "ledger: %s\n", d.msg);
		return 1;
	}
	sr = sign_rate();
	vr = verify_rate();
	batch = calloc((size_t)chunk, sizeof(*batch));
	t0 = now();
	for (long i = 0; i < n; i += chunk) {
		long m = n - i < chunk ? n - i : chunk;
		uint64_t first;

		for (long k = 0; k < m; k++) {
			uint64_t v = (uint64_t)(i + k);

			batch[k].kind = "submission";
			batch[k].tlp = "GREEN";
			batch[k].about = "bench entry";
			crypto_hash_sha256(batch[k].sha256, (const uint8_t *)&v, sizeof(v));
			batch[k].size = 100;
		}
		if (ledger_append(l, batch, (size_t)m, false, &first, NULL, &d)) {
			fprintf(stderr, "append: %s\n", d.msg);
			return 1;
		}
	}
	strbuf_init(&out, 1 << 20);
	if (ledger_checkpoint(l, 0, &out, &d)) {
		fprintf(stderr, "checkpoint: %s\n", d.msg);
		return 1;
	}
	t_append = now() - t0;
	if (proofs > n)
		proofs = n;
	t0 = now();
	for (long i = 0; i < proofs; i++) {
		strbuf_reset(&out);
		if (ledger_prove(l, (uint64_t)((i * 7919) % n), (uint64_t)n, &out, &d)) {
			fprintf(stderr, "prove: %s\n", d.msg);
			return 1;
		}
	}
	t_prove = now() - t0;
	t0 = now();
	if (ledger_verify(l, 0, &rep, &d)) {
		fprintf(stderr, "verify: %s\n", d.msg);
		return 1;
	}
	t_verify = now() - t0;
	printf("%-44s %12s %14s %8s\n", "ledger", "detente", "bound", "of bound");
	printf("%-44s %10.0f/s %12.0f/s %7.0f%%\n", "signed appends (+checkpoint), 1 core",
	       n / t_append, sr, 100.0 * (n / t_append) / sr);
	printf("%-44s %10.0f/s %14s %8s\n", "inclusion receipts (tlog-proof) from SQLite", proofs / t_prove,
	       "-", "-");
	printf("%-44s %10.1f s %12.1f s %7.0f%%\n", "log verify, all cores", t_verify,
	       n / (vr * (double)sysconf(_SC_NPROCESSORS_ONLN)),
	       100.0 * (n / (vr * (double)sysconf(_SC_NPROCESSORS_ONLN))) / t_verify);
	printf("(%ld entries; libsodium Ed25519: %.0f signs/s, %.0f verifies/s per core; targets: >= 25000 "
	       "appends/s, >= 100000 proofs/s, verify of 1M <= 60 s)\n", n, sr, vr);
	strbuf_release(&out);
	free(batch);
	ledger_close(l);
	return 0;
}
