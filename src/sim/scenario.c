/*
 * scenario.c — the exercise the simulator writes, as tables: who the
 * victims are, which campaigns hit whom, from which networks, when, with
 * which names, signatures and TLS fingerprints.
 *
 * Facts used:
 * - APT1: Mandiant, "APT1: Exposing One of China's Cyber Espionage Units"
 *   (2013-02-19): the four China Unicom Shanghai /15s (AS17621) most
 *   operator sessions came from, the C2 zones hugesoft.org,
 *   arrowservice.net and msnhome.org (host names below from the report's
 *   appendix D FQDN list), and the operators' working hours (Beijing time,
 *   UTC+8, Monday to Friday, office hours).
 * - Hosting, cloud, Tor and VPN networks are named by ASN and resolved to
 *   real ranges through the installed ASN data (pool.c): Selectel
 *   AS49505, Timeweb AS9123, JSC IOT AS29182 (Russia); Amazon AS16509,
 *   Microsoft AS8075, DigitalOcean AS14061, Vultr/The Constant Company
 *   AS20473 (US cloud); Tor exit operators Stiftung Erneuerbare Freiheit
 *   AS60729, F3 Netze AS205100, DFRI AS198093; VPN hosting M247 AS9009
 *   and Datacamp AS60068.
 * - "ET SCAN Potential SSH Scan" is Emerging Threats sid 2001219; every
 *   other signature here is a made-up local rule (sids 1000000-1999999,
 *   the range Snort and Suricata leave to local rules).
 * - The c03 campaign's domain is under .example (RFC 2606) so that the
 *   exercise never names a real, innocent domain as hostile; its JA3,
 *   JA3S and certificate hashes are synthetic (SHA-256 of a label), as
 *   are the APT1 implant's.
 */
#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/sha256.h"
#include "sim/sim_int.h"

const char *const sim_label_names[SIM_NLABELS] = {
    [SIM_C01_APT1] = "c01-apt1-shanghai", [SIM_C02_EASTEU] = "c02-hosting-easteu",
    [SIM_C03_USCLOUD] = "c03-uscloud",    [SIM_NOISE_SCAN] = "noise-scan",
    [SIM_NOISE_ANON] = "noise-anon",      [SIM_BENIGN] = "benign",
};

const char *const sim_file_names[SF_N] = {"conn.log", "dns.log", "ssl.log", "eve.json"};

const struct sim_victim sim_victims[SIM_NVICTIMS] = {
    {"party-a", "daily-herald", "Daily Herald", "media", 11, -5},
    {"party-a", "harbour-bank", "Harbour Bank", "finance", 12, -5},
    {"party-a", "northwind-software", "Northwind Software", "technology", 13, -5},
    {"party-b", "ministry-of-trade", "Ministry of Trade", "government", 21, 1},
    {"party-b", "grid-energy", "Grid Energy", "energy", 22, 1},
    {"party-b", "state-university", "State University", "education", 23, 1},
};

const struct sim_sig sim_sigs[] = {
    /* 0 */ {1000001, 1, 1, "LOCAL TROJAN APT1 WEBC2 beacon to a known C2 zone",
             "A Network Trojan was detected"},
    /* 1 */
    {1000002, 1, 1, "LOCAL TROJAN APT1 self-signed C2 certificate",
     "A Network Trojan was detected"},
    /* 2 */ {2001219, 20, 2, "ET SCAN Potential SSH Scan", "Attempted Information Leak"},
    /* 3 */
    {1000010, 1, 1, "LOCAL WEB_SERVER Possible webshell upload", "Web Application Attack"},
    /* 4 */
    {1000011, 1, 2, "LOCAL WEB_SERVER SQL injection attempt in URI", "Web Application Attack"},
    /* 5 */
    {1000012, 1, 1, "LOCAL EXPLOIT VPN appliance path traversal",
     "Attempted Administrator Privilege Gain"},
    /* 6 */
    {1000020, 1, 1, "LOCAL TROJAN beacon with the c03 JA3 to cloud-hosted C2",
     "A Network Trojan was detected"},
    /* 7 */
    {1000030, 1, 3, "LOCAL POLICY inbound connection from a Tor exit",
     "Potential Corporate Privacy Violation"},
    /* 8 */
    {1000031, 1, 3, "LOCAL POLICY inbound connection from a commercial VPN",
     "Potential Corporate Privacy Violation"},
    /* 9 */
    {1000032, 1, 2, "LOCAL SCAN login page brute force", "Attempted Administrator Privilege Gain"},
};

static char hashes[6][3][65];
char sim_webshell_md5[33], sim_webshell_sha256[65];

struct sim_tls sim_tls[] = {
    {"TLSv10", "TLS_RSA_WITH_RC4_128_SHA", NULL, NULL, NULL},                /* c01 implant */
    {"TLSv12", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", NULL, NULL, NULL},   /* c03 implant */
    {"TLSv12", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", NULL, NULL, NULL},   /* browsers */
    {"TLSv12", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", NULL, NULL, NULL}, /* ... */
    {"TLSv11", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", NULL, NULL, NULL},
    {"TLSv12", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", NULL, NULL, NULL},
};
const size_t sim_ntls = sizeof(sim_tls) / sizeof(*sim_tls);

/* The first n hex digits of SHA-256("detente-sim <what> <i>"). */
static void derive(char *out, const char *what, size_t i, size_t n)
{
	char name[64];
	uint8_t d[32];
	char hex[65];

	snprintf(name, sizeof(name), "detente-sim %s %zu", what, i);
	dt_sha256(d, name, strlen(name));
	dt_hex_encode(d, 32, hex);
	memcpy(out, hex, n);
	out[n] = '\0';
}

void sim_tls_init(void)
{
	derive(sim_webshell_md5, "webshell-md5", 2, 32);
	derive(sim_webshell_sha256, "webshell-sha256", 2, 64);
	for (size_t i = 0; i < sim_ntls; i++) {
		derive(hashes[i][0], "ja3", i, 32);
		derive(hashes[i][1], "ja3s", i, 32);
		sim_tls[i].ja3 = hashes[i][0];
		sim_tls[i].ja3s = hashes[i][1];
		if (i < 2) { /* the implants' own certificates; browsers see the site's */
			derive(hashes[i][2], "cert", i, 64);
			sim_tls[i].cert = hashes[i][2];
		}
	}
}

static const char *const apt1_nets[] = {"58.246.0.0/15", "112.64.0.0/15", "139.226.0.0/15",
                                        "223.166.0.0/15", NULL};
static const char *const apt1_names[] = {"hugesoft.org",
                                         "7cback.hugesoft.org",
                                         "adt001.hugesoft.org",
                                         "bbb.hugesoft.org",
                                         "arrowservice.net",
                                         "a-ad.arrowservice.net",
                                         "admin.arrowservice.net",
                                         "blog.arrowservice.net",
                                         "alarm.arrowservice.net",
                                         "msnhome.org",
                                         "ak47.msnhome.org",
                                         "backup.msnhome.org",
                                         "black.msnhome.org",
                                         "zone.msnhome.org",
                                         "buy.msnhome.org",
                                         "af.arrowservice.net",
                                         NULL};
static const uint32_t easteu_asns[] = {49505, 9123, 29182, 0};
static const uint32_t uscloud_asns[] = {16509, 8075, 14061, 20473, 0};
static const char *const uscloud_names[] = {"api.telemetry-update.example",
                                            "eu1.telemetry-update.example",
                                            "cdn.telemetry-update.example", NULL};
static const uint32_t anon_asns[] = {60729, 205100, 198093, 9009, 60068, 0};

static const uint8_t apt1_sigs[] = {0, 1, 0xff};
static const uint8_t easteu_sigs[] = {3, 4, 5, 0xff};
static const uint8_t uscloud_sigs[] = {6, 0xff};
static const uint8_t scan_sigs[] = {2, 0xff};
static const uint8_t anon_sigs[] = {7, 8, 9, 0xff};

static const uint16_t c2_ports[] = {443, 443, 443, 80, 0};
static const uint16_t web_ports[] = {443, 80, 8443, 0};
static const uint16_t tls_port[] = {443, 0};
static const uint16_t ssh_port[] = {22, 0};
static const uint16_t anon_ports[] = {443, 22, 3389, 0};

const struct sim_campaign sim_campaigns[SIM_NLABELS] = {
    [SIM_C01_APT1] = {SIM_C01_APT1,
                      K_C2,
                      "APT1-style espionage: implants beacon to C2 names in hugesoft.org, "
                      "arrowservice.net, msnhome.org on hosts in the four China Unicom Shanghai "
                      "/15s; operators work Mon-Fri 08-18 UTC+8",
                      3000,
                      0x0f,
                      8,
                      0,
                      8,
                      18,
                      1,
                      0.04,
                      0,
                      28,
                      apt1_nets,
                      NULL,
                      12,
                      apt1_names,
                      apt1_sigs,
                      0,
                      c2_ports},
    [SIM_C02_EASTEU] = {SIM_C02_EASTEU,
                        K_EXPLOIT,
                        "web and VPN-appliance exploitation from Eastern-European hosting "
                        "(Selectel, Timeweb, JSC IOT); Mon-Fri 09-19 UTC+2",
                        1200,
                        0x1a,
                        2,
                        0,
                        9,
                        19,
                        1,
                        0.1,
                        4,
                        14,
                        NULL,
                        easteu_asns,
                        9,
                        NULL,
                        easteu_sigs,
                        0,
                        web_ports},
    [SIM_C03_USCLOUD] = {SIM_C03_USCLOUD,
                         K_C2,
                         "implants beacon over TLS (one JA3, one certificate) to "
                         "telemetry-update.example on US cloud hosts (Amazon, Microsoft, "
                         "DigitalOcean, Vultr); operators work Mon-Fri 09-18 UTC+3",
                         1500,
                         0x3c,
                         3,
                         0,
                         9,
                         18,
                         1,
                         0.08,
                         7,
                         18,
                         NULL,
                         uscloud_asns,
                         8,
                         uscloud_names,
                         uscloud_sigs,
                         1,
                         tls_port},
    [SIM_NOISE_SCAN] = {SIM_NOISE_SCAN,
                        K_SCAN,
                        "SSH scanning from all over the Internet: many sources, one signature "
                        "(noise, not a campaign)",
                        7000,
                        0x3f,
                        0,
                        0,
                        0,
                        24,
                        0,
                        0,
                        0,
                        28,
                        NULL,
                        NULL,
                        0,
                        NULL,
                        scan_sigs,
                        0,
                        ssh_port},
    [SIM_NOISE_ANON] = {SIM_NOISE_ANON,
                        K_ANON,
                        "probing from Tor exits and VPN hosting (M247, Datacamp) at any hour",
                        1500,
                        0x3f,
                        0,
                        0,
                        0,
                        24,
                        0,
                        0,
                        0,
                        28,
                        NULL,
                        anon_asns,
                        40,
                        NULL,
                        anon_sigs,
                        0,
                        anon_ports},
    [SIM_BENIGN] = {SIM_BENIGN,
                    K_BENIGN,
                    "background: DNS to public resolvers, HTTPS to popular CDN and cloud "
                    "sites in each victim's office hours",
                    7000,
                    0x3f,
                    0,
                    1,
                    7,
                    20,
                    1,
                    0.15,
                    0,
                    28,
                    NULL,
                    NULL,
                    0,
                    NULL,
                    NULL,
                    2,
                    tls_port},
};

const struct sim_site sim_sites[] = {
    {"www.google.com", 15169},
    {"fonts.gstatic.com", 15169},
    {"www.youtube.com", 15169},
    {"cdnjs.cloudflare.com", 13335},
    {"www.cloudflare.com", 13335},
    {"www.microsoft.com", 20940},
    {"login.microsoftonline.com", 8075},
    {"outlook.office365.com", 8075},
    {"s3.amazonaws.com", 16509},
    {"www.amazon.com", 16509},
    {"github.com", 36459},
    {"www.wikipedia.org", 14907},
    {"pypi.org", 54113},
    {"www.nytimes.com", 54113},
    {NULL, 0},
};

/* 8.8.8.8, 8.8.4.4 (Google); 1.1.1.1, 1.0.0.1 (Cloudflare) */
const uint32_t sim_resolvers[4] = {0x08080808, 0x08080404, 0x01010101, 0x01000001};
