/*
 * limits.h — every limit detente enforces, in one place (OpenBSD httpd.h).
 * A limit exists so that hostile or broken input costs bounded memory and
 * time; each is far above what real data needs.
 */
#ifndef DT_LIMITS_H
#define DT_LIMITS_H

/* Reference data (geo/) */
#define GEO_MAX_LINE        65536       /* one line of a range file */
#define GEO_MAX_RANGES      (64u << 20) /* ranges per build, all inputs */
#define GEO_MAX_FLAGS       32          /* distinct flag names per index */
#define GEO_MAX_FLAG_NAME   32
#define GEO_MAX_ORG         1024       /* bytes of one organisation name */
#define GEO_MAX_INPUTS      256        /* input files per build */
#define GEO_MAX_MMDB_NODES  (1u << 30) /* search-tree nodes visited */
#define GEO_MAX_INDEX_BYTES (1ull << 32)

/* CLI */
#define DT_MAX_WARNINGS_SHOWN 20 /* per input file, then a count */

#endif
