/*
 * sync.c — exchanging ledgers between parties that do not trust each
 * other: `log export` writes this node's log as static C2SP tlog-tiles
 * files, `sync` mirrors a peer's from such files, and cosignatures travel
 * back the same way.
 *
 * The mirror trusts nothing it reads.  Every entry must carry the peer's
 * signature; the Merkle tree is recomputed from the leaves (those mirrored
 * before, from the database, and the new ones, from the bundles) and its
 * root must be the one the peer signed; the hash tiles the peer publishes
 * must agree with that tree, so a third party reading only tiles sees the
 * same log; and the new tree must extend the one accepted from the peer
 * before, proved with a consistency proof computed from the recomputed
 * tree and checked by the same code as `log cosign` (ledger_peer_accept_locked).
 * Only then is anything written, in one transaction.  A peer caught
 * showing two histories leaves both signed checkpoints in peer_evidence.
 *
 * Memory: the recomputed tree is held whole (about 64 bytes per entry),
 * which bounds a sync at LEDGER_SYNC_MAX_ENTRIES.
 */
#include "ledger/ledger_int.h"
#include "ledger/tiles.h"

#include "core/hex.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LEDGER_SYNC_MAX_ENTRIES (1ull << 24)
#define COPY_CHUNK              (1u << 20)

static const char *const tlp_names[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
#define TLP_RED      4
#define SYNC_FETCHES 6 /* tries of a checkpoint older than one witnessed */

int ledger_tlp_rank(const char *tlp)
{
	for (int i = 0; tlp && i < 5; i++)
		if (strcmp(tlp, tlp_names[i]) == 0)
			return i;
	return -1;
}

enum dt_err ledger_payload_path(struct ledger *l, const uint8_t sha256[32], char *out, size_t size)
{
	char hex[65];

	dt_hex_encode(sha256, 32, hex);
	snprintf(out, size, "%s/payloads/%s", l->dir, hex);
	return access(out, R_OK) == 0 ? DT_OK : DT_ENOTFOUND;
}

/* ---- entries ------------------------------------------------------------ */

/* The line at *off of t[0..len) without its newline; advances *off. */
static bool next_line(const char *t, size_t len, size_t *off, const char **line, size_t *ll)
{
	const char *nl;

	if (*off >= len)
		return false;
	nl = memchr(t + *off, '\n', len - *off);
	if (nl == NULL)
		return false;
	*line = t + *off;
	*ll = (size_t)(nl - *line);
	*off += *ll + 1;
	return true;
}

/* 64 lower-case hex digits into 32 bytes. */
static bool hex32(const char *h, uint8_t out[32])
{
	for (int i = 0; i < 32; i++) {
		int a = dt_hex_digit(h[2 * i]), b = dt_hex_digit(h[2 * i + 1]);

		if (a < 0 || b < 0 || (h[2 * i] >= 'A' && h[2 * i] <= 'F') ||
		    (h[2 * i + 1] >= 'A' && h[2 * i + 1] <= 'F'))
			return false;
		out[i] = (uint8_t)(a << 4 | b);
	}
	return true;
}

/* "key value" with value copied into out (size bytes, no control bytes). */
static bool field(const char *line, size_t ll, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);

	if (ll < kl + 1 || memcmp(line, key, kl) != 0 || line[kl] != ' ' || ll - kl - 1 >= size)
		return false;
	for (size_t i = kl + 1; i < ll; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			return false;
	memcpy(out, line + kl + 1, ll - kl - 1);
	out[ll - kl - 1] = '\0';
	return true;
}

enum dt_err ledger_entry_parse(const char *leaf, size_t len, struct ledger_entry_info *out,
                               struct dt_diag *diag)
{
	static const char *const kinds[] = {"submission", "intel",           "refdata",
	                                    "assessment", "peer-checkpoint", "sanitized"};
	struct note n;
	const char *line;
	size_t ll, off = 0;
	char pay[128];
	bool kind_ok = false;
	int line_no = 1;

	memset(out, 0, sizeof(*out));
	if (note_parse(leaf, len, &n, diag))
		return DT_EPARSE;
	if (!next_line(n.text, n.text_len, &off, &line, &ll) || ll != 16 ||
	    memcmp(line, "detente.entry/v1", 16) != 0)
		goto bad;
	line_no++;
	if (!next_line(n.text, n.text_len, &off, &line, &ll) ||
	    !field(line, ll, "author", out->author, sizeof(out->author)) ||
	    !note_name_valid(out->author))
		goto bad;
	line_no++;
	if (!next_line(n.text, n.text_len, &off, &line, &ll) ||
	    !field(line, ll, "kind", out->kind, sizeof(out->kind)))
		goto bad;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		kind_ok |= strcmp(out->kind, kinds[i]) == 0;
	if (!kind_ok)
		goto bad;
	line_no++;
	if (!next_line(n.text, n.text_len, &off, &line, &ll) ||
	    !field(line, ll, "time", out->time, sizeof(out->time)))
		goto bad;
	line_no++;
	if (!next_line(n.text, n.text_len, &off, &line, &ll) ||
	    !field(line, ll, "tlp", out->tlp, sizeof(out->tlp)) || ledger_tlp_rank(out->tlp) < 0)
		goto bad;
	line_no++;
	if (!next_line(n.text, n.text_len, &off, &line, &ll) ||
	    !field(line, ll, "payload", pay, sizeof(pay)))
		goto bad;
	{
		char *sp = strchr(pay, ' '), *end;

		if (strncmp(pay, "sha256:", 7) != 0 || sp == NULL || sp - pay != 7 + 64 ||
		    !hex32(pay + 7, out->sha256) || sp[1] < '0' || sp[1] > '9' ||
		    (sp[1] == '0' && sp[2] != '\0'))
			goto bad;
		errno = 0;
		out->size = strtoull(sp + 1, &end, 10);
		if (errno || *end != '\0')
			goto bad;
	}
	line_no++;
	if (!next_line(n.text, n.text_len, &off, &line, &ll))
		goto bad;
	if (ll == 5 && memcmp(line, "about", 5) == 0) {
		out->about[0] = '\0'; /* an empty description has no space */
	} else if (!field(line, ll, "about", out->about, sizeof(out->about))) {
		goto bad;
	}
	if (off != n.text_len) {
		line_no++;
		goto bad;
	}
	return DT_OK;
bad:
	dt_diag_set(diag, NULL, 0, "entry line %d is not what detente.entry/v1 has there", line_no);
	return DT_EPARSE;
}

/* ---- files -------------------------------------------------------------- */

/* Creates the directories of path's parents below base (which exists). */
static enum dt_err mkparents(const char *base, const char *path, struct dt_diag *diag)
{
	char buf[2048];
	size_t bl = strlen(base);

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return DT_ELIMIT;
	for (char *p = buf + bl + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			dt_diag_set(diag, buf, 0, "cannot create directory: %s", strerror(errno));
			return DT_EIO;
		}
		*p = '/';
	}
	return DT_OK;
}

/* Writes data to dir/rel through a temporary file and rename. */
static enum dt_err write_atomic(const char *dir, const char *rel, const void *data, size_t len,
                                struct dt_diag *diag)
{
	char path[2048], tmp[2100];
	int fd;
	enum dt_err err;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((err = mkparents(dir, path, diag)))
		return err;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) < 0) {
		dt_diag_set(diag, path, 0, "cannot write: %s", strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		return DT_EIO;
	}
	if (rename(tmp, path) < 0) {
		dt_diag_set(diag, path, 0, "rename failed: %s", strerror(errno));
		unlink(tmp);
		return DT_EIO;
	}
	return DT_OK;
}

/* Copies the file src to dir/rel through a temporary file and rename. */
static enum dt_err copy_atomic(const char *src, const char *dir, const char *rel,
                               struct dt_diag *diag)
{
	char path[2048], tmp[2100];
	char *buf = malloc(COPY_CHUNK);
	int in = -1, out = -1;
	ssize_t n = 0;
	enum dt_err err = DT_EIO;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (buf == NULL) {
		err = DT_ENOMEM;
		goto out;
	}
	if ((err = mkparents(dir, path, diag)))
		goto out;
	err = DT_EIO;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
		dt_diag_set(diag, in < 0 ? src : tmp, 0, "cannot open: %s", strerror(errno));
		goto out;
	}
	for (;;) {
		n = read(in, buf, COPY_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (write(out, buf, (size_t)n) != n) {
			dt_diag_set(diag, tmp, 0, "write failed: %s", strerror(errno));
			goto out;
		}
	}
	if (n < 0 || close(out) < 0) {
		out = -1;
		dt_diag_set(diag, path, 0, "copy failed: %s", strerror(errno));
		goto out;
	}
	out = -1;
	if (rename(tmp, path) < 0) {
		dt_diag_set(diag, path, 0, "rename failed: %s", strerror(errno));
		goto out;
	}
	err = DT_OK;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (err)
		unlink(tmp);
	free(buf);
	return err;
}

static bool file_has_size(const char *dir, const char *rel, off_t size)
{
	char path[2048];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == size;
}

static enum dt_err dir_get(void *ctx, const char *rel, struct strbuf *out, struct dt_diag *diag)
{
	char path[2048], buf[65536];
	int fd;
	ssize_t n;
	enum dt_err err = DT_OK;

	snprintf(path, sizeof(path), "%s/%s", (const char *)ctx, rel);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		dt_diag_set(diag, path, 0, "cannot open: %s", strerror(errno));
		return errno == ENOENT ? DT_ENOTFOUND : DT_EIO;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			dt_diag_set(diag, path, 0, "read failed: %s", strerror(errno));
			err = DT_EIO;
			break;
		}
		if ((err = strbuf_add(out, buf, (size_t)n))) {
			dt_diag_set(diag, path, 0, "larger than %zu bytes", out->max);
			break;
		}
	}
	close(fd);
	return err;
}

static enum dt_err dir_get_file(void *ctx, const char *rel, char *local, size_t size,
                                struct dt_diag *diag)
{
	struct stat sb;

	snprintf(local, size, "%s/%s", (const char *)ctx, rel);
	if (stat(local, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		dt_diag_set(diag, local, 0, "no such file");
		return DT_ENOTFOUND;
	}
	return DT_OK;
}

void ledger_source_dir(struct ledger_source *src, const char *dir)
{
	src->get = dir_get;
	src->get_file = dir_get_file;
	src->ctx = (void *)(uintptr_t)dir;
}

/* ---- export ------------------------------------------------------------- */

static enum dt_err export_bundle(struct ledger *l, const char *dir, uint64_t n, unsigned w,
                                 uint64_t size, struct strbuf *b, struct dt_diag *diag)
{
	char rel[TILE_MAX_PATH];
	enum dt_err err;

	tile_path(TILE_ENTRIES, n, w, rel, sizeof(rel));
	strbuf_reset(b);
	if ((err = ledger_tile(l, TILE_ENTRIES, n, w, size, b, diag)))
		return err;
	return write_atomic(dir, rel, b->p, b->len, diag);
}

enum dt_err ledger_export(struct ledger *l, const char *dir, const char *max_tlp,
                          struct ledger_export_report *rep, struct dt_diag *diag)
{
	struct strbuf cp, b;
	struct note n;
	struct checkpoint body;
	sqlite3_stmt *st = NULL;
	char rel[TILE_MAX_PATH + 80];
	int rank = ledger_tlp_rank(max_tlp ? max_tlp : "AMBER");
	bool in_tx = false;
	enum dt_err err;

	memset(rep, 0, sizeof(*rep));
	if (rank < 0) {
		dt_diag_set(diag, NULL, 0,
		            "TLP '%s' is not one of CLEAR, GREEN, AMBER, AMBER+STRICT", max_tlp);
		return DT_EINVAL;
	}
	if (rank >= TLP_RED) {
		dt_diag_set(diag, NULL, 0,
		            "TLP:RED payloads never leave this node; the highest level an "
		            "export shares is AMBER+STRICT (the entries, with their digests, "
		            "are always exported)");
		return DT_EINVAL;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		dt_diag_set(diag, dir, 0, "cannot create directory: %s", strerror(errno));
		return DT_EIO;
	}
	strbuf_init(&cp, NOTE_MAX_BYTES);
	strbuf_init(&b, (size_t)TILE_WIDTH * (TILE_MAX_ENTRY + 2));
	/* a directory holding another log is not overwritten */
	if (dir_get((void *)(uintptr_t)dir, "checkpoint", &cp, NULL) == DT_OK) {
		if (note_parse(cp.p, cp.len, &n, NULL) == DT_OK &&
		    checkpoint_parse(n.text, n.text_len, &body, NULL) == DT_OK &&
		    strcmp(body.origin, l->origin) != 0) {
			dt_diag_set(diag, dir, 0, "holds an export of log '%s', not '%s'",
			            body.origin, l->origin);
			err = DT_EEXIST;
			goto out;
		}
	}
	strbuf_reset(&cp);
	/* with the cosignatures peers made on it */
	if ((err = ledger_checkpoint_cosigned(l, &cp, NULL, diag)))
		goto out;
	if ((err = note_parse(cp.p, cp.len, &n, diag)) ||
	    (err = checkpoint_parse(n.text, n.text_len, &body, diag)))
		goto out;
	rep->size = body.size;
	/* one read snapshot for everything below */
	if ((err = ledger_exec(l, "BEGIN", diag)))
		goto out;
	in_tx = true;
	for (int level = 0; level <= TILE_MAX_LEVEL; level++) {
		uint64_t count = tile_count(level, body.size);

		if (count == 0)
			break;
		for (uint64_t t = 0; t < count; t++) {
			unsigned w = tile_width(level, t, body.size);

			tile_path(level, t, w, rel, sizeof(rel));
			if (w == TILE_WIDTH && file_has_size(dir, rel, TILE_BYTES))
				continue;
			strbuf_reset(&b);
			if ((err = tile_build(ledger_read_hash, l, level, t, w, &b))) {
				dt_diag_set(diag, l->path, 0, "tree hashes missing for tile %s",
				            rel);
				goto out;
			}
			if ((err = write_atomic(dir, rel, b.p, b.len, diag)))
				goto out;
			rep->tiles++;
		}
	}
	for (uint64_t t = 0, count = tile_count(TILE_ENTRIES, body.size); t < count; t++) {
		unsigned w = tile_width(TILE_ENTRIES, t, body.size);
		struct stat sb;
		char path[2048];

		tile_path(TILE_ENTRIES, t, w, rel, sizeof(rel));
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
		if (w == TILE_WIDTH && stat(path, &sb) == 0)
			continue;
		if ((err = export_bundle(l, dir, t, w, body.size, &b, diag)))
			goto out;
		rep->bundles++;
	}
	/* payloads, as TLP allows: a payload recorded at several levels is
	 * shared only if the strictest of its entries allows it; a
	 * submission's original never (peers get its sanitized derivative) */
	if (sqlite3_prepare_v2(l->db,
	                       "SELECT payload, MAX(CASE WHEN kind = 'submission' THEN 5 ELSE"
	                       " CASE tlp WHEN 'CLEAR' THEN 0 WHEN 'GREEN' THEN 1 WHEN 'AMBER'"
	                       " THEN 2 WHEN 'AMBER+STRICT' THEN 3 ELSE 4 END END)"
	                       " FROM entries WHERE idx < ?1 GROUP BY payload ORDER BY payload",
	                       -1, &st, NULL) != SQLITE_OK) {
		err = ledger_exec(l, "SELECT 1 FROM entries LIMIT 0", diag);
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)body.size);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char hex[65], src[1300], dst[2048];
		const uint8_t *sha = sqlite3_column_blob(st, 0);
		int r = sqlite3_column_int(st, 1);
		struct stat sb;

		if (sqlite3_column_bytes(st, 0) != 32)
			continue;
		dt_hex_encode(sha, 32, hex);
		snprintf(rel, sizeof(rel), "payload/sha256/%s", hex);
		snprintf(dst, sizeof(dst), "%s/%s", dir, rel);
		if (r > rank) {
			unlink(dst); /* left by an export at a higher level */
			rep->withheld++;
			continue;
		}
		if (ledger_payload_path(l, sha, src, sizeof(src)) != DT_OK) {
			rep->absent++;
			continue;
		}
		if (stat(dst, &sb) == 0) {
			rep->payloads++;
			continue;
		}
		if ((err = copy_atomic(src, dir, rel, diag)))
			goto out;
		rep->payloads++;
	}
	sqlite3_finalize(st);
	st = NULL;
	{
		struct strbuf vk;

		strbuf_init(&vk, 4096);
		if ((err = ledger_vkey(l, false, &vk)) || (err = strbuf_addc(&vk, '\n')) ||
		    (err = write_atomic(dir, "vkey", vk.p, vk.len, diag))) {
			strbuf_release(&vk);
			goto out;
		}
		strbuf_reset(&vk);
		if ((err = ledger_vkey(l, true, &vk)) || (err = strbuf_addc(&vk, '\n')) ||
		    (err = write_atomic(dir, "cosigner-vkey", vk.p, vk.len, diag))) {
			strbuf_release(&vk);
			goto out;
		}
		strbuf_release(&vk);
	}
	err = write_atomic(dir, "checkpoint", cp.p, cp.len, diag);
out:
	sqlite3_finalize(st);
	if (in_tx)
		sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
	strbuf_release(&cp);
	strbuf_release(&b);
	return err;
}

/* ---- sync --------------------------------------------------------------- */

/* The peer's tree, recomputed: every complete subtree hash by level. */
struct mtree {
	uint8_t (*lv[64])[MERKLE_HASH_LEN];
	uint64_t n[64];
};

static void mtree_free(struct mtree *t)
{
	for (int i = 0; i < 64; i++)
		free(t->lv[i]);
	memset(t, 0, sizeof(*t));
}

/* Builds the levels above t->lv[0] (t->n[0] leaves). */
static enum dt_err mtree_build(struct mtree *t)
{
	for (int k = 1; k < 64 && t->n[k - 1] >= 2; k++) {
		t->n[k] = t->n[k - 1] / 2;
		if ((t->lv[k] = malloc(t->n[k] * MERKLE_HASH_LEN)) == NULL)
			return DT_ENOMEM;
		for (uint64_t i = 0; i < t->n[k]; i++)
			merkle_node_hash(t->lv[k - 1][2 * i], t->lv[k - 1][2 * i + 1], t->lv[k][i]);
	}
	return DT_OK;
}

static enum dt_err mtree_read(void *ctx, unsigned level, uint64_t index,
                              uint8_t out[MERKLE_HASH_LEN])
{
	struct mtree *t = ctx;

	if (level >= 64 || index >= t->n[level])
		return DT_ENOTFOUND;
	memcpy(out, t->lv[level][index], MERKLE_HASH_LEN);
	return DT_OK;
}

/* A new entry read from the peer. */
struct newent {
	uint8_t *leaf;
	size_t len;
	struct ledger_entry_info e;
};

struct syncer {
	struct ledger *l;
	const struct ledger_source *src;
	char pname[NOTE_MAX_NAME];
	struct note_verifier pv;
	uint64_t m, size; /* mirrored before; the checkpoint's size */
	struct mtree t;
	struct newent *ne; /* entries m .. size - 1 */
	struct strbuf buf;
	/* the first mirrored entry the peer now shows differently */
	bool differs;
	uint64_t differ_at;
};

/* Reads bundles covering [from, to) into t.lv[0]: entries below s->m are
 * compared with the mirrored ones (into s->differs), the others verified
 * and kept when keep is set. */
static enum dt_err read_bundles(struct syncer *s, uint64_t from, uint64_t to, bool keep,
                                struct dt_diag *diag)
{
	struct tile_entry ents[TILE_WIDTH];
	char rel[TILE_MAX_PATH];
	enum dt_err err;

	for (uint64_t b = from / TILE_WIDTH; from < to && b <= (to - 1) / TILE_WIDTH; b++) {
		unsigned w = tile_width(TILE_ENTRIES, b, s->size);
		struct dt_diag d;

		tile_path(TILE_ENTRIES, b, w, rel, sizeof(rel));
		strbuf_reset(&s->buf);
		dt_diag_clear(&d);
		if ((err = s->src->get(s->src->ctx, rel, &s->buf, &d)) ||
		    (err = tile_bundle_parse((const uint8_t *)s->buf.p, s->buf.len, w, ents, &d))) {
			dt_diag_set(diag, NULL, 0, "refused: peer '%s' entry bundle %s: %s",
			            s->pname, rel, d.msg);
			return DT_EFORMAT;
		}
		for (unsigned k = 0; k < w; k++) {
			uint64_t idx = b * TILE_WIDTH + k;
			uint8_t h[MERKLE_HASH_LEN];

			if (idx < from || idx >= to)
				continue;
			merkle_leaf_hash(ents[k].p, ents[k].len, h);
			if (idx < s->m) {
				if (!s->differs &&
				    sodium_memcmp(h, s->t.lv[0][idx], MERKLE_HASH_LEN) != 0) {
					s->differs = true;
					s->differ_at = idx;
				}
				if (!keep)
					continue;
			}
			memcpy(s->t.lv[0][idx], h, MERKLE_HASH_LEN);
			if (keep && idx >= s->m) {
				struct newent *e = &s->ne[idx - s->m];
				struct note n;

				dt_diag_clear(&d);
				if (ledger_entry_parse((const char *)ents[k].p, ents[k].len, &e->e,
				                       &d) ||
				    note_parse((const char *)ents[k].p, ents[k].len, &n, &d) ||
				    note_verify(&n, &s->pv, 1, NULL, &d)) {
					dt_diag_set(diag, NULL, 0,
					            "refused: peer '%s' entry %llu (bundle %s): %s",
					            s->pname, (unsigned long long)idx, rel, d.msg);
					return DT_EFORMAT;
				}
				if ((e->leaf = malloc(ents[k].len + 1)) == NULL)
					return DT_ENOMEM;
				memcpy(e->leaf, ents[k].p, ents[k].len);
				e->len = ents[k].len;
			}
		}
	}
	return DT_OK;
}

/* Compares every hash tile covering entries s->m .. s->size - 1. */
static enum dt_err check_tiles(struct syncer *s, uint64_t *checked, struct dt_diag *diag)
{
	char rel[TILE_MAX_PATH];

	for (int level = 0; level <= TILE_MAX_LEVEL; level++) {
		unsigned ml = (unsigned)level * TILE_HEIGHT;
		uint64_t count = tile_count(level, s->size);
		uint64_t first = ml >= 64 ? 0 : (s->m >> ml) / TILE_WIDTH;

		if (count == 0)
			break;
		for (uint64_t t = first; t < count; t++) {
			unsigned w = tile_width(level, t, s->size);
			struct dt_diag d;
			enum dt_err err;

			tile_path(level, t, w, rel, sizeof(rel));
			strbuf_reset(&s->buf);
			dt_diag_clear(&d);
			if ((err = s->src->get(s->src->ctx, rel, &s->buf, &d)) ||
			    (err = tile_hashes_check(s->buf.len, w, &d))) {
				dt_diag_set(diag, NULL, 0, "refused: peer '%s' hash tile %s: %s",
				            s->pname, rel, d.msg);
				return DT_EFORMAT;
			}
			for (unsigned i = 0; i < w; i++) {
				uint64_t idx = t * TILE_WIDTH + i;

				if (idx >= s->t.n[ml] ||
				    sodium_memcmp(s->buf.p + (size_t)i * MERKLE_HASH_LEN,
				                  s->t.lv[ml][idx], MERKLE_HASH_LEN) != 0) {
					dt_diag_set(
					    diag, NULL, 0,
					    "refused: peer '%s' hash tile %s: hash %u differs "
					    "from the one recomputed from the entries",
					    s->pname, rel, i);
					return DT_EFORMAT;
				}
			}
			(*checked)++;
		}
	}
	return DT_OK;
}

enum dt_err ledger_record_evidence(struct ledger *l, const char *pname, const char *kind,
                                   const char *accepted, const char *offered, size_t offered_len,
                                   const char *detail, int64_t *id)
{
	sqlite3_stmt *st;
	char now[40];
	int rc;

	*id = -1;
	ledger_now(now, sizeof(now));
	if (sqlite3_prepare_v2(l->db,
	                       "INSERT INTO peer_evidence(peer, kind, detected, accepted, offered,"
	                       " detail) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	                       -1, &st, NULL) != SQLITE_OK)
		return DT_EIO;
	sqlite3_bind_text(st, 1, pname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	if (accepted && *accepted)
		sqlite3_bind_text(st, 4, accepted, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, offered, (int)offered_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return DT_EIO;
	*id = sqlite3_last_insert_rowid(l->db);
	return DT_OK;
}

/* The mirrored leaf hashes of the peer into t->lv[0][0 .. m). */
static enum dt_err load_mirrored(struct syncer *s, struct dt_diag *diag)
{
	sqlite3_stmt *st;
	uint64_t k = 0;
	enum dt_err err = DT_OK;

	if (sqlite3_prepare_v2(
	        s->l->db, "SELECT idx, leaf_hash FROM peer_entries WHERE peer = ?1 ORDER BY idx",
	        -1, &st, NULL) != SQLITE_OK)
		return ledger_exec(s->l, "SELECT 1 FROM peer_entries LIMIT 0", diag);
	sqlite3_bind_text(st, 1, s->pname, -1, SQLITE_STATIC);
	while (k < s->m && sqlite3_step(st) == SQLITE_ROW) {
		if ((uint64_t)sqlite3_column_int64(st, 0) != k ||
		    sqlite3_column_bytes(st, 1) != MERKLE_HASH_LEN) {
			dt_diag_set(diag, s->l->path, 0,
			            "mirrored entry %llu of peer '%s' is missing",
			            (unsigned long long)k, s->pname);
			err = DT_EFORMAT;
			break;
		}
		memcpy(s->t.lv[0][k++], sqlite3_column_blob(st, 1), MERKLE_HASH_LEN);
	}
	sqlite3_finalize(st);
	if (!err && k != s->m) {
		dt_diag_set(diag, s->l->path, 0, "mirrored entries of peer '%s' are incomplete",
		            s->pname);
		err = DT_EFORMAT;
	}
	return err;
}

static enum dt_err count_mirrored(struct ledger *l, const char *pname, uint64_t *m)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(l->db, "SELECT COUNT(*) FROM peer_entries WHERE peer = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		return DT_EIO;
	sqlite3_bind_text(st, 1, pname, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*m = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? DT_OK : DT_EIO;
}

static enum dt_err insert_entries(struct syncer *s, struct dt_diag *diag)
{
	sqlite3_stmt *st;
	enum dt_err err = DT_OK;

	if (sqlite3_prepare_v2(s->l->db,
	                       "INSERT INTO peer_entries(peer, idx, leaf, leaf_hash, author, kind,"
	                       " tlp, payload, size, time, about)"
	                       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	                       -1, &st, NULL) != SQLITE_OK)
		return ledger_exec(s->l, "SELECT 1 FROM peer_entries LIMIT 0", diag);
	for (uint64_t i = s->m; i < s->size && !err; i++) {
		const struct newent *e = &s->ne[i - s->m];

		sqlite3_bind_text(st, 1, s->pname, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_blob(st, 3, e->leaf, (int)e->len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, s->t.lv[0][i], MERKLE_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, e->e.author, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, e->e.kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, e->e.tlp, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 8, e->e.sha256, 32, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, (sqlite3_int64)e->e.size);
		sqlite3_bind_text(st, 10, e->e.time, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, e->e.about, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			dt_diag_set(diag, s->l->path, 0, "database: %s", sqlite3_errmsg(s->l->db));
			err = DT_EIO;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return err;
}

/* Copies the payloads the peer shares for the new entries. */
static void fetch_payloads(struct syncer *s, struct ledger_sync_report *rep)
{
	for (uint64_t i = s->m; i < s->size; i++) {
		const struct newent *e = &s->ne[i - s->m];
		char hex[65], rel[128], local[2048], have[1300];
		struct dt_diag d;

		dt_hex_encode(e->e.sha256, 32, hex);
		snprintf(rel, sizeof(rel), "payload/sha256/%s", hex);
		dt_diag_clear(&d);
		if (ledger_payload_path(s->l, e->e.sha256, have, sizeof(have)) == DT_OK) {
			rep->payloads++;
			continue;
		}
		if (s->src->get_file(s->src->ctx, rel, local, sizeof(local), &d) != DT_OK) {
			rep->withheld++;
			continue;
		}
		if (ledger_store_file(s->l, e->e.sha256, local, &d) != DT_OK)
			rep->payloads_bad++;
		else
			rep->payloads++;
	}
}

enum dt_err ledger_sync(struct ledger *l, const char *peer, const struct ledger_source *src,
                        struct strbuf *cosigned, struct ledger_sync_report *rep,
                        struct dt_diag *diag)
{
	struct syncer s = {.l = l, .src = src};
	struct strbuf cpb, prev;
	struct checkpoint cp;
	struct note n;
	uint8_t root[MERKLE_HASH_LEN], digest[32];
	uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_LEN];
	size_t np = 0;
	uint64_t old_size = 0;
	unsigned fetches = 0;
	bool have_old = false, in_tx = false, same, anchor = false;
	const char *kind = NULL;
	char detail[600];
	enum dt_err err;

	memset(rep, 0, sizeof(*rep));
	rep->evidence = -1;
	strbuf_init(&cpb, NOTE_MAX_BYTES);
	strbuf_init(&prev, NOTE_MAX_BYTES);
	strbuf_init(&s.buf, (size_t)TILE_WIDTH * (TILE_MAX_ENTRY + 2));
fetch : {
	struct dt_diag d;

	dt_diag_clear(&d);
	strbuf_reset(&cpb);
	strbuf_reset(&prev);
	have_old = false;
	if ((err = src->get(src->ctx, "checkpoint", &cpb, &d))) {
		*diag = d;
		goto out;
	}
}
	if ((err = note_parse(cpb.p, cpb.len, &n, diag)) ||
	    (err = checkpoint_parse(n.text, n.text_len, &cp, diag))) {
		err = DT_EFORMAT;
		goto out;
	}
	if ((err = ledger_find_peer(l, peer, cp.origin, s.pname, sizeof(s.pname), &s.pv, diag)))
		goto out;
	snprintf(rep->peer, sizeof(rep->peer), "%s", s.pname);
	if (note_verify(&n, &s.pv, 1, NULL, diag) || strcmp(cp.origin, s.pv.name) != 0) {
		char why[sizeof(diag->msg)];

		snprintf(why, sizeof(why), "%s",
		         strcmp(cp.origin, s.pv.name) ? "another origin" : diag->msg);
		dt_diag_set(diag, NULL, 0, "refused: checkpoint is not signed by peer '%s': %s",
		            s.pname, why);
		err = DT_EFORMAT;
		goto out;
	}
	s.size = rep->size = cp.size;
	if (cp.size > LEDGER_SYNC_MAX_ENTRIES) {
		dt_diag_set(diag, NULL, 0, "peer '%s' log has %llu entries; a sync handles %llu",
		            s.pname, (unsigned long long)cp.size,
		            (unsigned long long)LEDGER_SYNC_MAX_ENTRIES);
		err = DT_ELIMIT;
		goto out;
	}
	if ((err = count_mirrored(l, s.pname, &s.m)))
		goto out;
	rep->old_size = s.m;
	{
		sqlite3_stmt *st;

		sqlite3_prepare_v2(l->db,
		                   "SELECT size, note FROM peer_checkpoints WHERE peer = ?1 "
		                   "ORDER BY size DESC LIMIT 1",
		                   -1, &st, NULL);
		sqlite3_bind_text(st, 1, s.pname, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			have_old = true;
			old_size = (uint64_t)sqlite3_column_int64(st, 0);
			strbuf_adds(&prev, (const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_finalize(st);
	}
	/* smaller than a checkpoint the peer itself submitted to this node's
	 * witness, but not than what is mirrored: a server that has not yet
	 * caught up with its own database (or a cache in front of it) looks
	 * like this for a moment; ask again before calling it a rollback */
	if (have_old && cp.size < old_size && cp.size >= s.m && ++fetches < SYNC_FETCHES) {
		struct timespec ts = {0, 250 * 1000 * 1000};

		nanosleep(&ts, NULL);
		goto fetch;
	}
	/* smaller than what was seen before: nothing to read */
	if ((have_old && cp.size < old_size) || cp.size < s.m) {
		kind = "rollback";
		snprintf(detail, sizeof(detail),
		         "refused: peer '%s' checkpoint size %llu is smaller than size %llu "
		         "accepted before (history rewritten or rolled back)",
		         s.pname, (unsigned long long)cp.size,
		         (unsigned long long)(have_old && old_size > s.m ? old_size : s.m));
		goto refuse;
	}
	/* the tree: mirrored leaf hashes, then the new entries */
	s.t.n[0] = cp.size;
	if ((cp.size && (s.t.lv[0] = malloc(cp.size * MERKLE_HASH_LEN)) == NULL) ||
	    (cp.size > s.m && (s.ne = calloc(cp.size - s.m, sizeof(*s.ne))) == NULL)) {
		err = DT_ENOMEM;
		goto out;
	}
	if ((err = load_mirrored(&s, diag)))
		goto out;
	if ((err = read_bundles(&s, s.m, cp.size, true, diag))) {
		kind = "bad-data";
		snprintf(detail, sizeof(detail), "%s", diag->msg);
		if (err == DT_EFORMAT)
			goto refuse;
		goto out;
	}
	if ((err = mtree_build(&s.t)) || (err = merkle_root(mtree_read, &s.t, cp.size, root)))
		goto out;
	if (sodium_memcmp(root, cp.root, MERKLE_HASH_LEN) != 0) {
		/* Either the peer signed another history than the one mirrored
		 * (a fork: its own entries hash to its root) or the files do not
		 * match its checkpoint (bad data).  Its bundles from 0 decide. */
		struct dt_diag d;

		dt_diag_clear(&d);
		s.differs = false;
		if (s.m > 0 && read_bundles(&s, 0, s.m, false, &d) == DT_OK && s.differs) {
			kind = "fork";
			snprintf(detail, sizeof(detail),
			         "refused: peer '%s' shows another history: its entry %llu "
			         "differs from the one mirrored before (split view; both "
			         "checkpoints kept)",
			         s.pname, (unsigned long long)s.differ_at);
		} else {
			kind = "bad-data";
			snprintf(detail, sizeof(detail),
			         "refused: peer '%s' entries do not hash to the root of its "
			         "checkpoint at size %llu (tampered or incomplete entry bundle)",
			         s.pname, (unsigned long long)cp.size);
		}
		goto refuse;
	}
	if ((err = check_tiles(&s, &rep->tiles, diag))) {
		kind = "bad-data";
		snprintf(detail, sizeof(detail), "%s", diag->msg);
		goto refuse;
	}
	if (have_old && old_size > 0 && cp.size > old_size &&
	    (err = merkle_prove_consistency(mtree_read, &s.t, old_size, cp.size, proof, &np)))
		goto out;
	fetch_payloads(&s, rep);
	crypto_hash_sha256(digest, (const uint8_t *)cpb.p, cpb.len);
	if ((err = ledger_store_bytes(l, digest, cpb.p, cpb.len, diag)))
		goto out;
	if ((err = ledger_exec(l, "BEGIN IMMEDIATE", diag)))
		goto out;
	in_tx = true;
	{
		uint64_t m2;

		if ((err = count_mirrored(l, s.pname, &m2)))
			goto out;
		if (m2 != s.m) {
			dt_diag_set(diag, NULL, 0,
			            "another sync of peer '%s' ran meanwhile; run this one again",
			            s.pname);
			err = DT_EEXIST;
			goto out;
		}
	}
	if ((err = insert_entries(&s, diag)))
		goto out;
	/* anchored in this node's log unless the peer's tree grew by nothing
	 * but its records of other checkpoints (see ledger_peer_accept_locked) */
	for (uint64_t i = s.m; i < cp.size && !anchor; i++)
		anchor = strcmp(s.ne[i - s.m].e.kind, "peer-checkpoint") != 0;
	err = ledger_peer_accept_locked(l, s.pname, &cp, cpb.p, cpb.len,
	                                (const uint8_t(*)[MERKLE_HASH_LEN])proof, np, anchor, &same,
	                                &kind, NULL, diag);
	if (err == DT_EFORMAT) {
		snprintf(detail, sizeof(detail), "%s", diag->msg);
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		ledger_cache_clear(l);
		in_tx = false;
		goto refuse;
	}
	if (err || (err = ledger_exec(l, "COMMIT", diag)))
		goto out;
	in_tx = false;
	rep->new_entries = cp.size - s.m;
	if ((err = strbuf_add(cosigned, cpb.p, cpb.len)) ||
	    (err = note_cosign_line(n.text, n.text_len, l->origin, l->cpub, l->csk,
	                            (uint64_t)time(NULL), cosigned)))
		goto out;
	goto out;
refuse:
	err = DT_EFORMAT;
	snprintf(rep->evidence_kind, sizeof(rep->evidence_kind), "%s", kind ? kind : "bad-data");
	if (ledger_record_evidence(l, s.pname, rep->evidence_kind, prev.p, cpb.p, cpb.len, detail,
	                           &rep->evidence) != DT_OK)
		rep->evidence = -1;
	dt_diag_set(diag, NULL, 0, "%s", detail);
out:
	if (in_tx) {
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		ledger_cache_clear(l);
	}
	if (s.ne)
		for (uint64_t i = 0; i + s.m < s.size; i++)
			free(s.ne[i].leaf);
	free(s.ne);
	mtree_free(&s.t);
	strbuf_release(&s.buf);
	strbuf_release(&cpb);
	strbuf_release(&prev);
	return err;
}

enum dt_err ledger_peer_entries(struct ledger *l, const char *peer, const char *kind,
                                struct ledger_peer_entry **out, size_t *n, struct dt_diag *diag)
{
	sqlite3_stmt *st;
	struct ledger_peer_entry *v = NULL;
	size_t k = 0, cap = 0;
	enum dt_err err = DT_OK;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(l->db,
	                       "SELECT peer, idx, leaf FROM peer_entries"
	                       " WHERE (?1 IS NULL OR peer = ?1) AND (?2 IS NULL OR kind = ?2)"
	                       " ORDER BY peer, idx",
	                       -1, &st, NULL) != SQLITE_OK)
		return ledger_exec(l, "SELECT 1 FROM peer_entries LIMIT 0", diag);
	if (peer)
		sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	if (kind)
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct dt_diag d;

		if (k == cap) {
			struct ledger_peer_entry *p;

			cap = cap ? cap * 2 : 16;
			if ((p = realloc(v, cap * sizeof(*v))) == NULL) {
				err = DT_ENOMEM;
				break;
			}
			v = p;
		}
		snprintf(v[k].peer, sizeof(v[k].peer), "%s",
		         (const char *)sqlite3_column_text(st, 0));
		v[k].idx = (uint64_t)sqlite3_column_int64(st, 1);
		merkle_leaf_hash(sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2),
		                 v[k].leaf_hash);
		if (ledger_entry_parse(sqlite3_column_blob(st, 2),
		                       (size_t)sqlite3_column_bytes(st, 2), &v[k].e, &d) == DT_OK)
			k++;
	}
	sqlite3_finalize(st);
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	*n = k;
	return DT_OK;
}

/* ---- cosignatures on this node's checkpoints ------------------------------ */

enum dt_err ledger_peer_cosigner(struct ledger *l, const char *name, const char *cvkey,
                                 struct dt_diag *diag)
{
	struct note_verifier v;
	sqlite3_stmt *st;
	int rc;

	if (note_vkey_parse(cvkey, strlen(cvkey), &v, diag))
		return DT_EPARSE;
	if (v.type != NOTE_TYPE_COSIG) {
		dt_diag_set(diag, NULL, 0,
		            "cosigner key must be of type 0x04, as 'detente key show --cosigner' "
		            "prints it");
		return DT_EINVAL;
	}
	if (sqlite3_prepare_v2(l->db, "UPDATE peers SET cvkey = ?2 WHERE name = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		return ledger_exec(l, "SELECT cvkey FROM peers LIMIT 0", diag);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cvkey, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
		return DT_EIO;
	}
	if (sqlite3_changes(l->db) == 0) {
		dt_diag_set(diag, NULL, 0, "no peer named '%s'; add it with 'detente peer add'",
		            name);
		return DT_ENOTFOUND;
	}
	return DT_OK;
}

enum dt_err ledger_cosignature_add(struct ledger *l, const char *note, size_t len, size_t *added,
                                   struct dt_diag *diag)
{
	struct note n, mine;
	struct checkpoint cp;
	struct note_verifier *v = NULL;
	char **names = NULL;
	size_t nv = 0;
	uint64_t mask = 0;
	sqlite3_stmt *st = NULL;
	struct strbuf stored;
	char now[40];
	enum dt_err err;

	*added = 0;
	strbuf_init(&stored, NOTE_MAX_BYTES);
	if ((err = note_parse(note, len, &n, diag)) ||
	    (err = checkpoint_parse(n.text, n.text_len, &cp, diag)))
		goto out;
	if (strcmp(cp.origin, l->origin) != 0) {
		dt_diag_set(diag, NULL, 0, "checkpoint of log '%s', not this node's '%s'",
		            cp.origin, l->origin);
		err = DT_EINVAL;
		goto out;
	}
	sqlite3_prepare_v2(l->db, "SELECT note FROM checkpoints WHERE size = ?1", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)cp.size);
	if (sqlite3_step(st) == SQLITE_ROW)
		strbuf_adds(&stored, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	st = NULL;
	if (stored.len == 0 || note_parse(stored.p, stored.len, &mine, NULL) ||
	    mine.text_len != n.text_len || memcmp(mine.text, n.text, n.text_len) != 0) {
		dt_diag_set(diag, NULL, 0, "not a checkpoint this node signed (size %llu)",
		            (unsigned long long)cp.size);
		err = DT_EFORMAT;
		goto out;
	}
	if (sqlite3_prepare_v2(
	        l->db, "SELECT name, cvkey FROM peers WHERE cvkey IS NOT NULL ORDER BY name", -1,
	        &st, NULL) != SQLITE_OK) {
		err = ledger_exec(l, "SELECT cvkey FROM peers LIMIT 0", diag);
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW && nv < 64) {
		const char *k = (const char *)sqlite3_column_text(st, 1);
		struct note_verifier *p = realloc(v, (nv + 1) * sizeof(*v));
		char **q = realloc(names, (nv + 1) * sizeof(*names));

		if (p)
			v = p;
		if (q)
			names = q;
		if (!p || !q) {
			err = DT_ENOMEM;
			goto out;
		}
		if (note_vkey_parse(k, strlen(k), &v[nv], NULL) == DT_OK &&
		    (names[nv] = strdup((const char *)sqlite3_column_text(st, 0))) != NULL)
			nv++;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (nv == 0) {
		dt_diag_set(diag, NULL, 0,
		            "no peer's cosigner key is known; add it with 'detente peer add NAME "
		            "VKEY --cosigner CVKEY'");
		err = DT_ENOTFOUND;
		goto out;
	}
	if ((err = note_verify(&n, v, nv, &mask, diag)))
		goto out;
	if ((err = ledger_exec(l, "BEGIN IMMEDIATE", diag)))
		goto out;
	ledger_now(now, sizeof(now));
	sqlite3_prepare_v2(l->db,
	                   "INSERT OR REPLACE INTO cosignatures(size, peer, line, added)"
	                   " VALUES(?1, ?2, ?3, ?4)",
	                   -1, &st, NULL);
	for (size_t k = 0; k < nv && !err; k++) {
		if (!(mask & (1ull << k)))
			continue;
		for (size_t i = 0; i < n.nsigs; i++) {
			const struct note_sig *g = &n.sigs[i];
			uint8_t raw[84];
			char b64[160], line[NOTE_MAX_NAME + 200];

			if (strcmp(g->name, v[k].name) != 0 || g->id != v[k].id)
				continue;
			raw[0] = (uint8_t)(g->id >> 24);
			raw[1] = (uint8_t)(g->id >> 16);
			raw[2] = (uint8_t)(g->id >> 8);
			raw[3] = (uint8_t)g->id;
			memcpy(raw + 4, g->sig, g->len);
			sodium_bin2base64(b64, sizeof(b64), raw, 4 + g->len,
			                  sodium_base64_VARIANT_ORIGINAL);
			snprintf(line, sizeof(line), "\xe2\x80\x94 %s %s", g->name, b64);
			sqlite3_bind_int64(st, 1, (sqlite3_int64)cp.size);
			sqlite3_bind_text(st, 2, names[k], -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, line, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE) {
				dt_diag_set(diag, l->path, 0, "database: %s",
				            sqlite3_errmsg(l->db));
				err = DT_EIO;
			}
			sqlite3_reset(st);
			(*added)++;
			break;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (err)
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	else
		err = ledger_exec(l, "COMMIT", diag);
out:
	sqlite3_finalize(st);
	for (size_t i = 0; i < nv; i++)
		free(names[i]);
	free(names);
	free(v);
	strbuf_release(&stored);
	return err;
}
