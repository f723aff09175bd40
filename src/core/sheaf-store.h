/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sheaf-batch.h"
#include "sheaf-item.h"

G_BEGIN_DECLS

/* The schema version this build writes; a file with a higher one is left
 * untouched. */
#define SHEAF_STORE_SCHEMA_VERSION 2

typedef enum
{
  SHEAF_RUN_STATE_RUNNING,     /* started, not finished yet */
  SHEAF_RUN_STATE_FINISHED,    /* every item has an outcome */
  SHEAF_RUN_STATE_STOPPED,     /* the person stopped it */
  SHEAF_RUN_STATE_INTERRUPTED, /* Sheaf ended (crash, kill, power cut) while it ran */
} SheafRunState;

/* One run as the history lists it. Times are g_get_real_time() values. */
typedef struct
{
  gint64 id;
  gint64 started;
  gint64 finished; /* 0 while running */
  char *template_;
  char *model;
  char *provider; /* "anthropic" / "openai": never the key */
  guint concurrency;
  guint max_tokens;
  guint n_total;
  guint n_done;
  guint n_failed;
  guint n_cancelled;
  double elapsed;
  double sum_seconds;
  SheafRunState state;
} SheafRunInfo;

void sheaf_run_info_free (SheafRunInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SheafRunInfo, sheaf_run_info_free)

#define SHEAF_TYPE_STORE (sheaf_store_get_type ())
G_DECLARE_FINAL_TYPE (SheafStore, sheaf_store, SHEAF, STORE, GObject)

/*
 * Keeps the workspace (items, template, run settings), every run and every
 * result in an SQLite database in WAL mode with synchronous=FULL, so a
 * committed result survives a crash and a power cut. Writes are queued in
 * memory and committed together, in one transaction, at most
 * SHEAF_STORE_FLUSH_MS after the first of them, and when the store is
 * flushed or disposed. The commits (INSERTs and fsync) run on a writer
 * thread of the store's own, with its own connection, so the main loop only
 * hands them over; reads stay on the calling thread and flush first. A
 * store is used from one thread only (the one that made it), and its
 * default main context must run for a failed commit to be noticed before
 * the next flush.
 *
 * Opening never fails. When the file cannot be used — a folder that cannot
 * be made or written, a file from a newer Sheaf, another Sheaf holding it —
 * the store keeps everything in memory: "persistent" is FALSE and "error"
 * says why in plain words. A corrupt file is moved aside (never deleted) to
 * "sheaf.db.corrupt-<time>", a fresh one is started, and "error" says so
 * while "persistent" stays TRUE. A write that fails later (full or
 * read-only disk) switches to memory, keeping everything saved so far.
 *
 * Properties (read-only, notified on change): path, persistent, error
 * (GError, SHEAF_ERROR_STORE_*).
 */
#define SHEAF_STORE_FLUSH_MS 300

/* @path: the database file; its folder is made when missing. */
SheafStore *sheaf_store_new (const char *path);
/* $XDG_DATA_HOME/sheaf/sheaf.db (the app's own data folder in a Flatpak). */
SheafStore *sheaf_store_new_default (void);

const char *sheaf_store_get_path (SheafStore *self);
gboolean sheaf_store_get_persistent (SheafStore *self);
const GError *sheaf_store_get_error (SheafStore *self);

/* The workspace. Loaded items carry their id and last outcome; a row whose
 * run was interrupted is CANCELLED with an "Interrupted…" error message. */
GPtrArray *sheaf_store_load_items (SheafStore *self);
/* Queues the items as they are now (ids are given to new items at once);
 * only what changed since the last save is written. */
void sheaf_store_save_items (SheafStore *self, GListModel *items);
char *sheaf_store_dup_setting (SheafStore *self, const char *key);
void sheaf_store_set_setting (SheafStore *self, const char *key, const char *value);
/* TRUE for an item restored as interrupted (and not run since). */
gboolean sheaf_store_item_is_interrupted (SheafItem *item);

/* Runs. @items are the batch's items (ids are given to new ones). Returns
 * the new run's id. */
gint64 sheaf_store_begin_run (SheafStore *self, SheafBatch *batch, GListModel *items);
/* Queues @item's outcome as it is now. */
void sheaf_store_record_result (SheafStore *self, gint64 run_id, SheafItem *item);
/* Reads the counts and times of @batch's run that just ended: STOPPED
 * when some of it was cancelled, FINISHED otherwise. */
void sheaf_store_finish_run (SheafStore *self, gint64 run_id, SheafBatch *batch);

/*
 * Records the run that sheaf_batch_run_async() has just started on @items:
 * begins it, records each item's outcome as it arrives and finishes it when
 * the batch stops running. Returns its id, or 0 when the batch is not
 * running. Call it right after sheaf_batch_run_async(), before the main
 * loop runs again.
 */
gint64 sheaf_store_track_run (SheafStore *self, SheafBatch *batch, GListModel *items);

/* Newest first; runs marked deleted are left out. SheafRunInfo. */
GPtrArray *sheaf_store_list_runs (SheafStore *self);
SheafRunInfo *sheaf_store_get_run (SheafStore *self, gint64 run_id);
/* The run's items as they were sent, with their outcomes. */
GPtrArray *sheaf_store_load_run_items (SheafStore *self, gint64 run_id);
/* Hides or shows a run again (undo); hidden runs are removed for good by
 * sheaf_store_purge_deleted() and when the store opens next. */
void sheaf_store_set_run_deleted (SheafStore *self, gint64 run_id, gboolean deleted);
void sheaf_store_purge_deleted (SheafStore *self);

/* Commits what is queued now and waits until everything handed to the
 * writer thread is on disk. FALSE when it went to memory instead. */
gboolean sheaf_store_flush (SheafStore *self);
/* Whether writes are waiting to be committed. */
gboolean sheaf_store_get_pending (SheafStore *self);

G_END_DECLS
