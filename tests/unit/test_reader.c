/*
 * test_reader.c — the streaming reader (ingest/reader.h): lines across
 * refill boundaries, the last line without newline, overlong lines, gzip
 * (several members, truncated, corrupt) from memory and from a file, the
 * stdio stream, and the format detection of ingest/formats.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/formats.h"
#include "ingest/reader.h"
#include "testhelp.h"

/* gzip of data[0..len) into a malloc'd buffer. */
static unsigned char *gz(const void *data, size_t len, size_t *out)
{
	z_stream z;
	size_t cap = len + len / 100 + 1024;
	unsigned char *b = malloc(cap);

	memset(&z, 0, sizeof(z));
	if (b == NULL || deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY))
		abort();
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = b;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	*out = z.total_out;
	deflateEnd(&z);
	return b;
}

/* Many lines of varying length, so that refills cut lines anywhere. */
static char *make_lines(size_t nlines, size_t *len)
{
	unsigned long long seed = 42;
	size_t cap = nlines * 300 + 1, n = 0;
	char *t = malloc(cap);

	for (size_t i = 0; i < nlines; i++) {
		size_t w = th_rand(&seed) % 280;

		n += (size_t)sprintf(t + n, "%zu:", i);
		for (size_t k = 0; k < w; k++)
			t[n++] = (char)('a' + k % 26);
		t[n++] = '\n';
	}
	t[n] = '\0';
	*len = n;
	return t;
}

/* Reads all lines of r and checks them against the text they came from. */
static void check_lines(struct reader *r, const char *text, size_t len)
{
	const char *l;
	size_t n, at = 0, lines = 0;
	bool over;
	int bad = 0;

	while (reader_line(r, &l, &n, &over)) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t want = nl ? (size_t)(nl - (text + at)) : len - at;

		if (n != want || memcmp(l, text + at, n) != 0 || over)
			bad++;
		at += want + 1;
		lines++;
	}
	CHECKF(bad == 0, "%d lines differ", bad);
	CHECK(at >= len);
	CHECK(reader_offset(r) == len);
	CHECK(reader_damage(r) == NULL);
	(void)lines;
}

static void test_lines_plain(void)
{
	size_t len;
	char *t = make_lines(20000, &len);
	struct reader *r;

	CHECK(reader_open_mem(t, len, &r) == DT_OK);
	check_lines(r, t, len);
	CHECK(!reader_gzip(r));
	reader_close(r);
	/* no final newline */
	CHECK(reader_open_mem(t, len - 1, &r) == DT_OK);
	check_lines(r, t, len - 1);
	reader_close(r);
	free(t);
}

static void test_lines_gzip_members(void)
{
	size_t len, g1, g2;
	char *t = make_lines(20000, &len);
	unsigned char *a = gz(t, len / 3 + 7, &g1);
	unsigned char *b = gz(t + len / 3 + 7, len - (len / 3 + 7), &g2);
	unsigned char *both = malloc(g1 + g2);
	struct reader *r;

	memcpy(both, a, g1);
	memcpy(both + g1, b, g2);
	CHECK(reader_open_mem(both, g1 + g2, &r) == DT_OK);
	CHECK(reader_gzip(r));
	check_lines(r, t, len);
	CHECK(reader_raw_offset(r) == g1 + g2);
	reader_close(r);
	free(a);
	free(b);
	free(both);
	free(t);
}

static void test_gzip_damage(void)
{
	size_t len, g;
	char *t = make_lines(5000, &len);
	unsigned char *z = gz(t, len, &g);
	struct reader *r;
	const char *l;
	size_t n, total = 0;

	/* truncated: what came before is delivered, then the damage is told */
	CHECK(reader_open_mem(z, g / 2, &r) == DT_OK);
	while (reader_line(r, &l, &n, NULL))
		total += n + 1;
	CHECK(total > 0 && total < len);
	CHECK(reader_damage(r) && strstr(reader_damage(r), "truncated"));
	reader_close(r);
	/* corrupt in the middle */
	z[g / 2] ^= 0xff;
	z[g / 2 + 1] ^= 0x55;
	CHECK(reader_open_mem(z, g, &r) == DT_OK);
	total = 0;
	while (reader_line(r, &l, &n, NULL))
		total += n + 1;
	/* inflate may turn the flipped bytes into other text and only the
	 * trailer's CRC tells: damage is reported either way */
	CHECK(reader_damage(r) != NULL);
	reader_close(r);
	free(z);
	free(t);
}

static void test_overlong(void)
{
	size_t big = READER_MAX_WINDOW + 12345, len = big + 100;
	char *t = malloc(len);
	struct reader *r;
	const char *l;
	size_t n;
	bool over;

	memset(t, 'x', big);
	memcpy(t + big, "\nnext line\nlast", 15);
	len = big + 15;
	CHECK(reader_open_mem(t, len, &r) == DT_OK);
	CHECK(reader_line(r, &l, &n, &over) && over && n == READER_MAX_WINDOW);
	CHECK(reader_line(r, &l, &n, &over) && !over && n == 9 && memcmp(l, "next line", 9) == 0);
	CHECK(reader_line(r, &l, &n, &over) && !over && n == 4 && memcmp(l, "last", 4) == 0);
	CHECK(!reader_line(r, &l, &n, &over));
	CHECK(reader_offset(r) == len);
	reader_close(r);
	free(t);
}

static void test_peek_skip_file(void)
{
	char path[] = "/tmp/test_reader.XXXXXX";
	int fd = mkstemp(path);
	size_t len, g, avail;
	char *t = make_lines(30000, &len);
	unsigned char *z = gz(t, len, &g);
	struct reader *r;
	struct dt_diag d;
	const char *p;
	FILE *f;
	char buf[4096];
	size_t got = 0, k;
	int bad = 0;

	CHECK(fd >= 0 && write(fd, z, g) == (ssize_t)g);
	close(fd);
	CHECK(reader_open_file(path, &r, &d) == DT_OK);
	CHECK(reader_raw_size(r) == g);
	/* a window larger than the default buffer */
	p = reader_peek(r, 3u << 20, &avail);
	CHECK(avail >= (len < (3u << 20) ? len : 3u << 20) && avail <= len);
	CHECK(memcmp(p, t, avail) == 0);
	reader_skip(r, 1000);
	/* the rest through stdio */
	f = reader_stream(r);
	CHECK(f != NULL);
	got = 1000;
	while (f && (k = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (memcmp(buf, t + got, k) != 0)
			bad++;
		got += k;
	}
	CHECK(bad == 0 && got == len);
	if (f)
		fclose(f);
	reader_close(r);
	CHECK(reader_open_file("/nonexistent/x", &r, &d) == DT_EIO && strstr(d.msg, "open"));
	CHECK(reader_open_file("/tmp", &r, &d) == DT_EIO);
	unlink(path);
	free(z);
	free(t);
}

static void test_detect(void)
{
	static const struct {
		const char *head;
		size_t len;
		const char *fmt;
	} cases[] = {
	    {"#separator \\x09\n#set_separator\t,\n", 0, "zeek"},
	    {"{\"ts\":1.5,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\"}\n", 0, "zeek"},
	    {"{\"timestamp\":\"2020-01-01T00:00:00+0000\",\"event_type\":\"flow\"}\n", 0, "eve"},
	    {"\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8, "pcap"},
	    {"\x0a\x0d\x0d\x0a\x1c\x00\x00\x00", 8, "pcap"},
	    {"\x00\x05\x00\x02\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03", 16, "netflow"},
	    {"\x00\x0a\x00\x40\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03", 16, "netflow"},
	    {"Nov 27 10:00:01 gw kernel: [UFW BLOCK] IN=eth0 SRC=1.2.3.4\n", 0, "syslog"},
	    {"Nov  7 10:00:01 gw sshd[1]: Invalid user x from 1.2.3.4\n", 0, "syslog"},
	    {"<34>1 2026-11-27T10:00:01Z gw sshd 1 - - msg\n", 0, "syslog"},
	    {"2026-11-27T10:00:01.123456+00:00 gw sshd[9]: msg\n", 0, "syslog"},
	    {"203.0.113.9 - - [27/Nov/2026:10:00:01 +0100] \"GET / HTTP/1.1\" 200 5\n", 0,
	     "weblog"},
	    {"www.example.org:443 203.0.113.9 - - [27/Nov/2026:10:00:01 +0000] \"GET /\" 200 5\n",
	     0, "weblog"},
	    {"-- Logs begin at Mon 2026-11-23 00:00:01 UTC. --\n2026-11-27T10:00:01+0000 gw "
	     "sshd[9]: msg\n",
	     0, "syslog"},
	    {"hello world\n", 0, NULL},
	    {"", 0, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t n = cases[i].len ? cases[i].len : strlen(cases[i].head);
		const char *got = ingest_detect(cases[i].head, n);

		CHECKF((got == NULL && cases[i].fmt == NULL) ||
		           (got && cases[i].fmt && strcmp(got, cases[i].fmt) == 0),
		       "case %zu: got %s, want %s", i, got ? got : "NULL",
		       cases[i].fmt ? cases[i].fmt : "NULL");
	}
	CHECK(ingest_format("zeek") == ingest_zeek && ingest_format("eve") == ingest_eve);
	CHECK(ingest_format("nonsense") == NULL);
}

int main(void)
{
	RUN(test_lines_plain);
	RUN(test_lines_gzip_members);
	RUN(test_gzip_damage);
	RUN(test_overlong);
	RUN(test_peek_skip_file);
	RUN(test_detect);
	DONE();
}
