/*
 * gen_pcap.c — the input of the pcap benchmark: a reproducible Ethernet
 * capture (pcap, microsecond timestamps, full payloads) of N packets
 * (default 2,000,000) from many interleaved connections.
 *
 *   gen_pcap OUT [N [SNAPLEN]]
 *
 * 4096 connections are open at any time; each packet comes from one of
 * them picked at random, and a connection that ends is replaced by a new
 * one.  A TCP connection (95%) is a handshake, 1 to 4 request/response
 * rounds (a request of 80..900 bytes, a response of 1..8 segments of up to
 * 1448 bytes, every second one acknowledged), and a FIN exchange; the
 * other 5% are DNS-like UDP query/answer pairs.  Clients are in 10/8,
 * servers among 2048 addresses of 198.18/15 on ports 443, 80, 22 and 53,
 * client ports unique for the life of the capture's connections.  Packets
 * are 2 microseconds apart.  With SNAPLEN, at most that many bytes of each
 * frame are written (as tcpdump -s SNAPLEN captures them; the headers
 * fit in 54).  Written to OUT.tmp and renamed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64, as bench.h (which needs libmaxminddb headers this does not). */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((unsigned __int128)rnd(s) * n) >> 64);
}

#define LIVE 4096

struct gconn {
	uint32_t client, server;
	uint16_t cport, sport;
	uint32_t cseq, sseq;
	int udp;
	int step;      /* position in the script */
	int rounds;    /* request/response rounds left */
	int segs, seg; /* response segments of this round, sent */
	uint16_t reqlen;
};

static uint8_t frame[1600];
static unsigned snaplen = 65535;

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Writes one frame; from_client picks the direction. */
static void emit(FILE *f, uint64_t t_us, const struct gconn *c, int from_client, unsigned flags,
                 unsigned plen)
{
	uint32_t src = from_client ? c->client : c->server;
	uint32_t dst = from_client ? c->server : c->client;
	unsigned l4 = c->udp ? 8 : 20, n = 14 + 20 + l4 + plen;
	uint32_t hdr[4];
	uint8_t *ip = frame + 14, *t = ip + 20;

	memset(frame, 0, 14 + 20 + l4);
	frame[0] = 0x02;
	frame[6] = 0x04;
	put16(frame + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, 20 + l4 + plen);
	ip[8] = 64;
	ip[9] = c->udp ? 17 : 6;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(t, from_client ? c->cport : c->sport);
	put16(t + 2, from_client ? c->sport : c->cport);
	if (c->udp) {
		put16(t + 4, 8 + plen);
	} else {
		put32(t + 4, from_client ? c->cseq : c->sseq);
		put32(t + 8, (flags & 0x10) ? (from_client ? c->sseq : c->cseq) : 0);
		t[12] = 5 << 4;
		t[13] = (uint8_t)flags;
		put16(t + 14, 65535);
	}
	hdr[0] = (uint32_t)(t_us / 1000000);
	hdr[1] = (uint32_t)(t_us % 1000000);
	hdr[2] = n < snaplen ? n : snaplen;
	hdr[3] = n;
	fwrite(hdr, sizeof(hdr), 1, f);
	fwrite(frame, 1, hdr[2], f);
}

static void fresh(struct gconn *c, uint64_t *s, uint32_t *next_port, uint32_t *next_client)
{
	static const uint16_t ports[] = {443, 443, 443, 80, 80, 22, 8080};

	memset(c, 0, sizeof(*c));
	c->udp = below(s, 100) < 5;
	c->client = 0x0a000000u | (*next_client)++ % 0xfffffe;
	c->server = 0xc6120000u | below(s, 2048);
	c->cport = (uint16_t)(1024 + (*next_port)++ % 64000);
	c->sport = c->udp ? 53 : ports[below(s, 7)];
	c->cseq = (uint32_t)rnd(s);
	c->sseq = (uint32_t)rnd(s);
	c->rounds = 1 + (int)below(s, 4);
}

/* The connection's next packet; returns 1 when the connection is over. */
static int step(FILE *f, uint64_t t, struct gconn *c, uint64_t *s)
{
	enum { SYN = 2, ACK = 16, FIN = 1 };

	if (c->udp) {
		if (c->step++ == 0) {
			emit(f, t, c, 1, 0, 20 + below(s, 40));
			return 0;
		}
		emit(f, t, c, 0, 0, 40 + below(s, 400));
		return 1;
	}
	switch (c->step) {
	case 0:
		emit(f, t, c, 1, SYN, 0);
		c->cseq++;
		c->step = 1;
		return 0;
	case 1:
		emit(f, t, c, 0, SYN | ACK, 0);
		c->sseq++;
		c->step = 2;
		return 0;
	case 2:
		emit(f, t, c, 1, ACK, 0);
		c->step = 3;
		return 0;
	case 3: /* a request */
		c->reqlen = (uint16_t)(80 + below(s, 820));
		emit(f, t, c, 1, ACK, c->reqlen);
		c->cseq += c->reqlen;
		c->segs = 1 + (int)below(s, 8);
		c->seg = 0;
		c->step = 4;
		return 0;
	case 4: { /* the response, acknowledged every second segment */
		unsigned len = c->seg + 1 == c->segs ? 100 + below(s, 1348) : 1448;

		emit(f, t, c, 0, ACK, len);
		c->sseq += len;
		c->seg++;
		if (c->seg % 2 == 0 || c->seg == c->segs)
			c->step = 5;
		return 0;
	}
	case 5:
		emit(f, t, c, 1, ACK, 0);
		if (c->seg < c->segs)
			c->step = 4;
		else
			c->step = --c->rounds > 0 ? 3 : 6;
		return 0;
	case 6:
		emit(f, t, c, 1, FIN | ACK, 0);
		c->cseq++;
		c->step = 7;
		return 0;
	case 7:
		emit(f, t, c, 0, FIN | ACK, 0);
		c->sseq++;
		c->step = 8;
		return 0;
	default: emit(f, t, c, 1, ACK, 0); return 1;
	}
}

int main(int argc, char **argv)
{
	static struct gconn live[LIVE];
	uint64_t seed = 0x6465746e74657063ull, t = 1700000000ull * 1000000;
	unsigned long long n = 2000000, conns = 0;
	uint32_t next_port = 0, next_client = 1;
	uint32_t ghdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
	char tmp[4096];
	FILE *f;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: gen_pcap OUT [N [SNAPLEN]]\n");
		return 2;
	}
	if (argc >= 3 && (n = strtoull(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "gen_pcap: bad N '%s'\n", argv[2]);
		return 2;
	}
	if (argc == 4 &&
	    ((snaplen = (unsigned)strtoul(argv[3], NULL, 10)) < 54 || snaplen > 65535)) {
		fprintf(stderr, "gen_pcap: bad SNAPLEN '%s' (54..65535)\n", argv[3]);
		return 2;
	}
	ghdr[4] = snaplen;
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	if ((f = fopen(tmp, "wb")) == NULL) {
		perror(tmp);
		return 2;
	}
	setvbuf(f, NULL, _IOFBF, 1u << 20);
	fwrite(ghdr, sizeof(ghdr), 1, f);
	for (int i = 0; i < LIVE; i++) {
		fresh(&live[i], &seed, &next_port, &next_client);
		conns++;
	}
	for (unsigned long long i = 0; i < n; i++) {
		struct gconn *c = &live[below(&seed, LIVE)];

		t += 2;
		if (step(f, t, c, &seed)) {
			fresh(c, &seed, &next_port, &next_client);
			conns++;
		}
	}
	if (fclose(f) != 0 || rename(tmp, argv[1]) != 0) {
		perror(argv[1]);
		return 2;
	}
	fprintf(stderr, "gen_pcap: %llu packets, about %llu connections started, in %s\n", n, conns,
	        argv[1]);
	return 0;
}
