/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sheaf-store.h"

G_BEGIN_DECLS

/* Tests only: runs @sql on the store's connection, e.g. to make the next
 * writes fail as on a full disk (PRAGMA max_page_count) or a read-only one
 * (PRAGMA query_only). Returns the SQLite result code. */
int _sheaf_store_exec (SheafStore *self, const char *sql);

/* Tests only: how long the calling (main) thread spent in the store's
 * writing since the last call, which resets it. */
typedef struct
{
  guint n_flushes;       /* timed flushes, every SHEAF_STORE_FLUSH_MS */
  gint64 flush_total_us; /* their time on the main thread */
  gint64 flush_max_us;
  gint64 result_max_us;    /* the longest sheaf_store_record_result() */
  gint64 begin_run_max_us; /* the longest sheaf_store_begin_run() */
} SheafStoreTiming;

void _sheaf_store_take_timing (SheafStore *self, SheafStoreTiming *timing);

G_END_DECLS
