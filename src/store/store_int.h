/*
 * store_int.h — the store's internals, shared by its write path
 * (store.c), scans (scan.c) and output (output.c).
 */
#ifndef DT_STORE_INT_H
#define DT_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/block.h"
#include "store/store.h"

/* Builders in flight between the adding thread and the writer. */
#define STORE_NBUF 3

struct store {
	sqlite3 *db;
	sqlite3_stmt *ins_sub, *upd_sub, *ins_block, *get_sub;
	sqlite3_stmt *ins_sight, *upd_match; /* prepared by store_match_begin */
	sqlite3_int64 sub;                   /* id of the submission being written */
	char path[1024];

	/* the write path: events fill cur; full builders go to the writer
	 * thread, which attributes, compresses and inserts them */
	struct block_builder buf[STORE_NBUF];
	struct block_builder *cur;
	struct block_builder *full[STORE_NBUF], *idle[STORE_NBUF];
	size_t nfull, nidle;
	pthread_t writer;
	bool running, stop, sync; /* sync: mu and cv initialised */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	enum dt_err werr; /* the writer's first error */
	struct dt_diag wdiag;
	store_attribute_fn *attribute;
	void *actx;
};

/* DT_EIO with the database's message in diag. */
enum dt_err store_dberr(struct store *s, struct dt_diag *diag);

#endif
