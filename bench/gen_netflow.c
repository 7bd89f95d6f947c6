/*
 * gen_netflow.c — the input of the NetFlow benchmark: the export packets
 * of the corpus (../shared/corpus/netflow: real v5, v9 and IPFIX exporters)
 * sent over and over, as a capture of their UDP traffic and as the same
 * packets end to end.
 *
 *   gen_netflow CORPUS_DIR OUT [FLOWS]
 *
 * writes OUT.pcap (Ethernet/IPv4/UDP to port 2055, IPFIX to 4739) and
 * OUT.dat (the packets alone), rounds of the groups below until at least
 * FLOWS (default 1,000,000) flow records are in.  Each group is one
 * exporter (10.1.<group>.1) and sends its templates every round, as real
 * exporters resend theirs.  Flow records are counted here the simple way
 * (v5 count; v9/IPFIX data records of the known fixed record sizes
 * below), so FLOWS is approximate.  Files are written to *.tmp and
 * renamed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exporters: their files in order (templates first) and how many flow
 * records one round of them holds. */
static const struct {
	const char *files[4];
	unsigned flows;
} groups[] = {
    {{"netflow5.dat"}, 30},
    {{"netflow5_test_microtik.dat"}, 30},
    {{"netflow5_test_juniper_mx80.dat"}, 29},
    {{"netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat"}, 14},
    {{"netflow9_test_cisco_1941K9.dat"}, 29},
    {{"netflow9_test_softflowd_tpl_data.dat"}, 7},
    {{"netflow9_test_ubnt_edgerouter_tpl.dat", "netflow9_test_ubnt_edgerouter_data1024.dat",
      "netflow9_test_ubnt_edgerouter_data1025.dat"},
     16},
    {{"ipfix.dat"}, 12},
    {{"ipfix_test_openbsd_pflow_tpl.dat", "ipfix_test_openbsd_pflow_data.dat"}, 26},
    {{"ipfix_test_mikrotik_tpl.dat", "ipfix_test_mikrotik_data258.dat",
      "ipfix_test_mikrotik_data259.dat"},
     46},
    {{"ipfix_test_netscaler_tpl.dat", "ipfix_test_netscaler_data.dat"}, 3},
    {{"ipfix_test_yaf_tpl45841.dat", "ipfix_test_yaf_data45841.dat"}, 1},
};
#define NGROUPS (sizeof(groups) / sizeof(*groups))

struct blob {
	uint8_t *p;
	size_t n;
};

static struct blob slurp(const char *dir, const char *name)
{
	char path[4096];
	struct blob b = {0};
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		perror(path);
		exit(2);
	}
	rewind(f);
	b.n = (size_t)n;
	if ((b.p = malloc(b.n ? b.n : 1)) == NULL || fread(b.p, 1, b.n, f) != b.n) {
		perror(path);
		exit(2);
	}
	fclose(f);
	return b;
}

static void w16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* One export packet as a UDP datagram in the capture, and alone in the
 * raw file. */
static void datagram(FILE *pcap, FILE *raw, unsigned exporter, const uint8_t *p, size_t n,
                     uint32_t t)
{
	uint8_t h[42] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	                 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00, 0x45, 0x00};
	uint32_t rec[4] = {t / 1000000, t % 1000000, (uint32_t)(n + 42), (uint32_t)(n + 42)};
	uint32_t sum = 0;

	w16(h + 16, (unsigned)(n + 28));
	h[22] = 64;
	h[23] = 17;
	h[26] = 10;
	h[27] = 1;
	h[28] = (uint8_t)exporter;
	h[29] = 1;
	h[30] = 10;
	h[33] = 2;
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	w16(h + 24, ~sum & 0xffff);
	w16(h + 34, 40000);
	w16(h + 36, p[1] == 10 ? 4739 : 2055);
	w16(h + 38, (unsigned)(n + 8));
	fwrite(rec, sizeof(rec), 1, pcap);
	fwrite(h, sizeof(h), 1, pcap);
	fwrite(p, 1, n, pcap);
	fwrite(p, 1, n, raw);
}

int main(int argc, char **argv)
{
	uint32_t hdr[6] = {0xa1b2c3d4, 2 | 4u << 16, 0, 0, 65535, 1};
	struct blob files[NGROUPS][4];
	unsigned long long want = 1000000, flows = 0, packets = 0;
	char pcap_tmp[4200], raw_tmp[4200], pcap_out[4096], raw_out[4096];
	FILE *pcap, *raw;
	uint32_t t = 0;

	if (argc < 3 || argc > 4 || (argc == 4 && (want = strtoull(argv[3], NULL, 10)) == 0)) {
		fprintf(stderr, "usage: gen_netflow CORPUS_DIR OUT [FLOWS]\n");
		return 2;
	}
	for (size_t g = 0; g < NGROUPS; g++)
		for (size_t k = 0; k < 4; k++)
			files[g][k] = groups[g].files[k] ? slurp(argv[1], groups[g].files[k])
			                                 : (struct blob){0};
	snprintf(pcap_out, sizeof(pcap_out), "%s.pcap", argv[2]);
	snprintf(raw_out, sizeof(raw_out), "%s.dat", argv[2]);
	snprintf(pcap_tmp, sizeof(pcap_tmp), "%s.tmp", pcap_out);
	snprintf(raw_tmp, sizeof(raw_tmp), "%s.tmp", raw_out);
	if ((pcap = fopen(pcap_tmp, "wb")) == NULL || (raw = fopen(raw_tmp, "wb")) == NULL) {
		perror(argv[2]);
		return 2;
	}
	fwrite(hdr, sizeof(hdr), 1, pcap);
	while (flows < want) {
		for (size_t g = 0; g < NGROUPS; g++) {
			for (size_t k = 0; k < 4 && files[g][k].p; k++) {
				const uint8_t *p = files[g][k].p;
				size_t n = files[g][k].n, i = 0;

				/* v5 by its count, IPFIX by its length, v9 one a file */
				while (i + 4 <= n) {
					unsigned v = (unsigned)(p[i] << 8 | p[i + 1]);
					size_t len = n - i;

					if (v == 5)
						len = 24 + 48 * (size_t)(p[i + 2] << 8 | p[i + 3]);
					else if (v == 10)
						len = (size_t)(p[i + 2] << 8 | p[i + 3]);
					if (len < 4 || len > n - i)
						len = n - i;
					datagram(pcap, raw, (unsigned)g + 1, p + i, len, t += 50);
					packets++;
					i += len;
				}
			}
			flows += groups[g].flows;
		}
	}
	if (fclose(pcap) != 0 || fclose(raw) != 0 || rename(pcap_tmp, pcap_out) != 0 ||
	    rename(raw_tmp, raw_out) != 0) {
		perror(argv[2]);
		return 2;
	}
	printf("gen_netflow: %s, %s: %llu packets, about %llu flows\n", pcap_out, raw_out, packets,
	       flows);
	return 0;
}
