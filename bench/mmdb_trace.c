/*
 * mmdb_trace.c — the peer of `detente trace --tsv` in the end-to-end
 * benchmark: what someone with an .mmdb and libmaxminddb writes to
 * attribute a file of addresses, in the manner of mmdblookup, one address
 * at a time through the string API.
 *
 *   mmdb_trace [--no-header] MMDB < ips > out.tsv
 *
 * For each line: MMDB_lookup_string(), then MMDB_get_value() for
 * country.iso_code, autonomous_system_number and
 * autonomous_system_organization; prints the columns of detente's TSV
 * (ip, country, asn, as_org, network, flags; unknown "-"), the network
 * being the MMDB record's prefix and flags always "-" (MMDB has none).
 * Output goes through one buffer with hand-rolled number formatting, so the
 * peer is not slowed by printf.  Blank lines and '#' comments are skipped;
 * a line that is not an address is reported and skipped (exit status 1).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define OUT_SIZE (1u << 16)

struct out {
	char buf[OUT_SIZE];
	size_t len;
	bool failed;
};

static void out_flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, stdout) != o->len)
		o->failed = true;
	o->len = 0;
}

/* Appends n bytes (n < OUT_SIZE / 4: fields are short). */
static void out_add(struct out *o, const char *s, size_t n)
{
	if (n > OUT_SIZE / 4)
		n = OUT_SIZE / 4;
	if (o->len + n > OUT_SIZE)
		out_flush(o);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void out_u32(struct out *o, uint32_t v)
{
	char tmp[12];
	int k = sizeof(tmp);

	do {
		tmp[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_add(o, tmp + k, sizeof(tmp) - (size_t)k);
}

/* The MMDB record's network around the address in s, as "addr/len". */
static void out_network(struct out *o, const MMDB_s *mmdb, const char *s,
			uint16_t netmask)
{
	unsigned char a[16];
	char t[INET6_ADDRSTRLEN];
	int af = strchr(s, ':') ? AF_INET6 : AF_INET;
	unsigned len = netmask, bytes = af == AF_INET ? 4 : 16;

	if (inet_pton(af, s, a) != 1) {
		out_add(o, "-", 1);
		return;
	}
	/* an IPv4 address in an IPv6 tree: the first 96 bits are ::/96 */
	if (af == AF_INET && mmdb->metadata.ip_version == 6)
		len = len >= 96 ? len - 96 : 0;
	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;

		a[i] &= (unsigned char)(0xff00u >> keep);
	}
	inet_ntop(af, a, t, sizeof(t));
	out_add(o, t, strlen(t));
	out_add(o, "/", 1);
	out_u32(o, len);
}

static void out_clean(struct out *o, const char *s, size_t n)
{
	if (memchr(s, '\t', n) == NULL && memchr(s, '\n', n) == NULL &&
	    memchr(s, '\r', n) == NULL) {
		out_add(o, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		out_add(o, (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') ? " " : s + i, 1);
}

int main(int argc, char **argv)
{
	static struct out o;
	const char *path;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0, bad = 0;
	bool header = true;
	MMDB_s mmdb;

	if (argc == 3 && strcmp(argv[1], "--no-header") == 0) {
		header = false;
		path = argv[2];
	} else if (argc == 2) {
		path = argv[1];
	} else {
		fprintf(stderr, "usage: mmdb_trace [--no-header] MMDB < ips\n");
		return 2;
	}
	bench_open_mmdb(path, &mmdb);
	if (header)
		out_add(&o, "ip\tcountry\tasn\tas_org\tnetwork\tflags\n", 36);
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		struct bench_mmdb_fields f = {0};
		MMDB_lookup_result_s r;
		char *s = line;
		int gai, err;

		lineno++;
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
				 s[n - 1] == '\t'))
			s[--n] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		r = MMDB_lookup_string(&mmdb, s, &gai, &err);
		if (gai != 0 || err != MMDB_SUCCESS) {
			fprintf(stderr, "mmdb_trace: stdin:%lu: '%.64s': %s\n", lineno, s,
				gai ? gai_strerror(gai) : MMDB_strerror(err));
			bad++;
			continue;
		}
		if (r.found_entry)
			bench_mmdb_get(&r.entry, &f);
		out_add(&o, s, strlen(s));
		out_add(&o, "\t", 1);
		if (f.cc)
			out_add(&o, f.cc, f.cc_len);
		else
			out_add(&o, "-", 1);
		out_add(&o, "\t", 1);
		if (f.asn)
			out_u32(&o, f.asn);
		else
			out_add(&o, "-", 1);
		out_add(&o, "\t", 1);
		if (f.org)
			out_clean(&o, f.org, f.org_len);
		else
			out_add(&o, "-", 1);
		out_add(&o, "\t", 1);
		out_network(&o, &mmdb, s, r.netmask);
		out_add(&o, "\t-\n", 3);
	}
	out_flush(&o);
	free(line);
	MMDB_close(&mmdb);
	if (fflush(stdout) != 0 || o.failed) {
		perror("mmdb_trace: stdout");
		return 2;
	}
	if (bad) {
		fprintf(stderr, "mmdb_trace: %lu lines rejected\n", bad);
		return 1;
	}
	return 0;
}
