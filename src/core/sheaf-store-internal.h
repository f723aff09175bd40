/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * What the store's files share: the SQL they all use, the plain data of a
 * write, a connection, and the store itself. sheaf-store-db.c opens and
 * moves the file and prepares statements, sheaf-store-write.c queues
 * writes and commits them on the writer thread, sheaf-store.c reads,
 * follows runs and is the GObject.
 */

#include <sqlite3.h>

#include "sheaf-store.h"
#include "sheaf-store-private.h"

G_BEGIN_DECLS

/* Rows of a run that never got an outcome because Sheaf ended first. */
#define MARK_INTERRUPTED_SQL                                                                       \
  "UPDATE runs SET state = 'interrupted',"                                                         \
  " n_done = (SELECT count(*) FROM results r WHERE r.run_id = runs.id AND r.state = 'done'),"      \
  " n_failed = (SELECT count(*) FROM results r WHERE r.run_id = runs.id AND r.state = "            \
  "'failed'),"                                                                                     \
  " finished = max(started, (SELECT ifnull(max(arrived), 0) FROM results r WHERE r.run_id = "      \
  "runs.id))"                                                                                      \
  " WHERE state = 'running';"                                                                      \
  "UPDATE runs SET n_cancelled = n_total - n_done - n_failed,"                                     \
  " elapsed = (finished - started) / 1e6 WHERE state = 'interrupted' AND elapsed = 0;"

#define PURGE_SQL                                                                                  \
  "DELETE FROM results WHERE run_id IN (SELECT id FROM runs WHERE deleted)"                        \
  " AND NOT EXISTS (SELECT 1 FROM items i WHERE i.run_id = results.run_id"                         \
  " AND i.id = results.item_id);"                                                                  \
  "DELETE FROM run_items WHERE run_id IN (SELECT id FROM runs WHERE deleted);"                     \
  "DELETE FROM runs WHERE deleted;"

/* The columns item_from_row() reads, after id, title and text. */
#define OUTCOME_COLUMNS                                                                            \
  "r.state, r.response, r.error, r.http_status, r.attempts, r.seconds, r.input_tokens,"            \
  " r.output_tokens, r.model, r.stop_reason, ru.state, r.sent_key"

#define RUN_COLUMNS                                                                                \
  "id, started, finished, template, model, provider, concurrency, max_tokens, n_total,"            \
  " n_done, n_failed, n_cancelled, elapsed, sum_seconds, state"

/* What the file holds of one workspace item, to write only what changed. */
typedef struct
{
  gint64 id;
  guint position;
  guint title_hash;
  guint text_hash;
  gsize text_length;
  guint generation;
} Saved;

typedef struct
{
  gint64 item_id;
  const char *state; /* a nick: the writer thread cannot look it up */
  char *response;
  char *error;
  char *model;
  char *stop_reason;
  char *sent_key;
  guint http_status;
  guint attempts;
  double seconds;
  gint64 input_tokens;
  gint64 output_tokens;
  gint64 arrived;
} Result;

typedef enum
{
  OP_BEGIN_RUN,
  OP_RESULT,
  OP_FINISH_RUN,
  OP_SETTING,
  OP_DELETE_RUN,
  OP_PURGE,
  OP_ITEMS,
} OpKind;

/* One workspace item as it was when the person left it. */
typedef struct
{
  gint64 id;
  guint position;
  char *title;
  char *text;
} Row;

/* One write, as plain data: the writer thread never touches a GObject. */
typedef struct
{
  OpKind kind;
  gint64 run_id;
  SheafRunInfo *run;
  Result result;
  GArray *rows;    /* Row: the workspace's changes, or a run's items */
  GArray *deleted; /* gint64 */
  char *key;
  char *value;
  gboolean flag;
} Op;

/* A connection and its prepared statements, used by one thread at a time. */
typedef struct
{
  sqlite3 *db;
  GHashTable *statements; /* SQL text → sqlite3_stmt */
} Conn;

typedef struct _Writer Writer;

struct _SheafStore
{
  GObject parent_instance;

  char *path;
  Conn conn; /* the main thread's: reading, and writing while in memory */
  Writer *writer;
  int lock_fd;
  gboolean persistent;
  GError *error;

  GQueue ops;
  guint flush_id;
  GHashTable *saved; /* &Saved.id → Saved: the workspace as queued */
  guint generation;
  gint64 next_item_id;
  gint64 next_run_id;
  SheafStoreTiming timing;
};

/* sheaf-store.c */
const char *_sheaf_store_run_state_name (SheafRunState state);
void _sheaf_store_set_error (SheafStore *self, GError *error);
void _sheaf_store_set_persistent (SheafStore *self, gboolean persistent);

/* sheaf-store-db.c */
gboolean _sheaf_store_exec_sql (Conn *conn, const char *sql, GError **error);
sqlite3_stmt *_sheaf_store_statement (Conn *conn, const char *sql);
gboolean _sheaf_store_step_done (Conn *conn, sqlite3_stmt *stmt, GError **error);
void _sheaf_store_bind_text (sqlite3_stmt *stmt, int column, const char *text);
char *_sheaf_store_column_dup (sqlite3_stmt *stmt, int column);
void _sheaf_store_conn_init (Conn *conn);
void _sheaf_store_close_db (Conn *conn);
void _sheaf_store_conn_clear (Conn *conn);
gboolean _sheaf_store_connect (Conn *conn, const char *path, int flags, GError **error);
void _sheaf_store_load_counters (SheafStore *self);
void _sheaf_store_open_file (SheafStore *self);
void _sheaf_store_switch_to_memory (SheafStore *self, const GError *reason);

/* sheaf-store-write.c */
void _sheaf_store_op_free (Op *op);
Op *_sheaf_store_op_new (OpKind kind, gint64 run_id);
void _sheaf_store_assign_ids (SheafStore *self, GListModel *items);
void _sheaf_store_load_saved (SheafStore *self);
GArray *_sheaf_store_rows_new (guint reserved);
Row _sheaf_store_row_from_item (SheafItem *item, guint position);
void _sheaf_store_diff_items (SheafStore *self, GListModel *items, Op *op);
gboolean _sheaf_store_open_writer_db (Conn *conn, const char *path, GError **error);
GError *_sheaf_store_writer_stop (Writer *w, GQueue *failed);
void _sheaf_store_start_writer (SheafStore *self);
void _sheaf_store_queue_op (SheafStore *self, Op *op);
Op *_sheaf_store_push_op (SheafStore *self, OpKind kind, gint64 run_id);
void _sheaf_store_note_call (gint64 *max_us, gint64 start);

G_END_DECLS
