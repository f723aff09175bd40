/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-store"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-store-internal.h"

#include "sheaf-error.h"
#include "sheaf-provider.h"

/* Writing */

void
_sheaf_store_op_free (Op *op)
{
  g_clear_pointer (&op->run, sheaf_run_info_free);
  g_clear_pointer (&op->rows, g_array_unref);
  g_clear_pointer (&op->deleted, g_array_unref);
  g_free (op->result.response);
  g_free (op->result.error);
  g_free (op->result.model);
  g_free (op->result.stop_reason);
  g_free (op->result.sent_key);
  g_free (op->key);
  g_free (op->value);
  g_free (op);
}

static void
ops_free (GQueue *ops)
{
  g_queue_free_full (ops, (GDestroyNotify) _sheaf_store_op_free);
}

Op *
_sheaf_store_op_new (OpKind kind, gint64 run_id)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->run_id = run_id;
  return op;
}

void
_sheaf_store_assign_ids (SheafStore *self, GListModel *items)
{
  guint n = g_list_model_get_n_items (items);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);

      if (sheaf_item_get_id (item) == 0)
        sheaf_item_set_id (item, self->next_item_id++);
    }
}

/* The workspace, written as the difference to what was queued before */

static Saved
fingerprint (gint64 id, guint position, const char *title, const char *text)
{
  Saved saved = {
    .id = id,
    .position = position,
    .title_hash = g_str_hash (title != NULL ? title : ""),
    .text_hash = g_str_hash (text != NULL ? text : ""),
    .text_length = text != NULL ? strlen (text) : 0,
  };

  return saved;
}

static void
remember (SheafStore *self, const Saved *saved)
{
  Saved *copy = g_memdup2 (saved, sizeof *saved);

  g_hash_table_replace (self->saved, &copy->id, copy);
}

void
_sheaf_store_load_saved (SheafStore *self)
{
  sqlite3_stmt *stmt =
    _sheaf_store_statement (&self->conn, "SELECT id, position, title, text FROM items");

  g_hash_table_remove_all (self->saved);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Saved saved = fingerprint (
        sqlite3_column_int64 (stmt, 0), (guint) sqlite3_column_int (stmt, 1),
        (const char *) sqlite3_column_text (stmt, 2), (const char *) sqlite3_column_text (stmt, 3));
      remember (self, &saved);
    }
  sqlite3_reset (stmt);
}

static gboolean
same_saved (const Saved *a, const Saved *b)
{
  return a->position == b->position && a->title_hash == b->title_hash &&
         a->text_hash == b->text_hash && a->text_length == b->text_length;
}

static void
row_clear (Row *row)
{
  g_free (row->title);
  g_free (row->text);
}

GArray *
_sheaf_store_rows_new (guint reserved)
{
  GArray *rows = g_array_sized_new (FALSE, FALSE, sizeof (Row), reserved);

  g_array_set_clear_func (rows, (GDestroyNotify) row_clear);
  return rows;
}

Row
_sheaf_store_row_from_item (SheafItem *item, guint position)
{
  Row row = { sheaf_item_get_id (item), position, g_strdup (sheaf_item_get_title (item)),
              g_strdup (sheaf_item_get_text (item)) };

  return row;
}

/* What changed in @items since the last call, as it is now. */
void
_sheaf_store_diff_items (SheafStore *self, GListModel *items, Op *op)
{
  guint n = g_list_model_get_n_items (items);
  GHashTableIter iter;
  Saved *saved;

  self->generation++;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);
      Saved now = fingerprint (sheaf_item_get_id (item), i, sheaf_item_get_title (item),
                               sheaf_item_get_text (item));
      Saved *old = g_hash_table_lookup (self->saved, &now.id);
      Row row;

      now.generation = self->generation;
      if (old != NULL && same_saved (old, &now))
        {
          old->generation = self->generation;
          continue;
        }
      row = _sheaf_store_row_from_item (item, i);
      g_array_append_val (op->rows, row);
      remember (self, &now);
    }

  g_hash_table_iter_init (&iter, self->saved);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &saved))
    if (saved->generation != self->generation)
      {
        g_array_append_val (op->deleted, saved->id);
        g_hash_table_iter_remove (&iter);
      }
}

/* Statements that write, on whichever connection writes: the writer
 * thread's, or the main thread's once the work is kept in memory. */

/* A text that changed keeps its answer: it is outdated, not erased (see
 * sheaf_batch_mark_outdated()). */
static gboolean
write_row (Conn *conn, const Row *row, GError **error)
{
  sqlite3_stmt *stmt = _sheaf_store_statement (
    conn, "INSERT INTO items (id, position, title, text) VALUES (?1, ?2, ?3, ?4)"
          " ON CONFLICT (id) DO UPDATE SET position = excluded.position,"
          " title = excluded.title, text = excluded.text");

  sqlite3_bind_int64 (stmt, 1, row->id);
  sqlite3_bind_int (stmt, 2, (int) row->position);
  _sheaf_store_bind_text (stmt, 3, row->title);
  _sheaf_store_bind_text (stmt, 4, row->text != NULL ? row->text : "");
  return _sheaf_store_step_done (conn, stmt, error);
}

static gboolean
write_items (Conn *conn, Op *op, GError **error)
{
  for (guint i = 0; i < op->rows->len; i++)
    if (!write_row (conn, &g_array_index (op->rows, Row, i), error))
      return FALSE;

  for (guint i = 0; i < op->deleted->len; i++)
    {
      sqlite3_stmt *stmt = _sheaf_store_statement (conn, "DELETE FROM items WHERE id = ?1");

      sqlite3_bind_int64 (stmt, 1, g_array_index (op->deleted, gint64, i));
      if (!_sheaf_store_step_done (conn, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_run_item (Conn *conn, gint64 run_id, const Row *row, GError **error)
{
  sqlite3_stmt *stmt =
    _sheaf_store_statement (conn, "INSERT OR REPLACE INTO run_items (run_id, item_id,"
                                  " position, title, text) VALUES (?1, ?2, ?3, ?4, ?5)");

  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, row->id);
  sqlite3_bind_int (stmt, 3, (int) row->position);
  _sheaf_store_bind_text (stmt, 4, row->title);
  _sheaf_store_bind_text (stmt, 5, row->text);
  if (!_sheaf_store_step_done (conn, stmt, error))
    return FALSE;
  /* A row that has an answer keeps it until this run gives a new one. */
  stmt = _sheaf_store_statement (
    conn, "UPDATE items SET run_id = ?1 WHERE id = ?2 AND NOT EXISTS (SELECT 1"
          " FROM results r WHERE r.run_id = items.run_id AND r.item_id = items.id"
          " AND r.state = 'done')");
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, row->id);
  return _sheaf_store_step_done (conn, stmt, error);
}

static gboolean
write_begin_run (Conn *conn, Op *op, GError **error)
{
  SheafRunInfo *run = op->run;
  sqlite3_stmt *stmt = _sheaf_store_statement (
    conn, "INSERT INTO runs (id, started, template, model, provider, concurrency, max_tokens,"
          " n_total) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");

  sqlite3_bind_int64 (stmt, 1, run->id);
  sqlite3_bind_int64 (stmt, 2, run->started);
  _sheaf_store_bind_text (stmt, 3, run->template_);
  _sheaf_store_bind_text (stmt, 4, run->model);
  _sheaf_store_bind_text (stmt, 5, run->provider);
  sqlite3_bind_int (stmt, 6, (int) run->concurrency);
  sqlite3_bind_int (stmt, 7, (int) run->max_tokens);
  sqlite3_bind_int (stmt, 8, (int) run->n_total);
  if (!_sheaf_store_step_done (conn, stmt, error))
    return FALSE;

  for (guint i = 0; i < op->rows->len; i++)
    if (!write_run_item (conn, run->id, &g_array_index (op->rows, Row, i), error))
      return FALSE;
  return TRUE;
}

/* The workspace shows a row's newest outcome, except that a run which
 * gave it none (stopped, not sent) leaves the answer it had. */
static gboolean
point_at_result (Conn *conn, gint64 run_id, const Result *r, GError **error)
{
  sqlite3_stmt *stmt;

  if (g_strcmp0 (r->state, "cancelled") == 0 || g_strcmp0 (r->state, "not-sent") == 0)
    return TRUE;
  stmt = _sheaf_store_statement (conn, "UPDATE items SET run_id = ?1 WHERE id = ?2");
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, r->item_id);
  return _sheaf_store_step_done (conn, stmt, error);
}

static gboolean
write_result (Conn *conn, Op *op, GError **error)
{
  Result *r = &op->result;
  sqlite3_stmt *stmt = _sheaf_store_statement (
    conn,
    "INSERT OR REPLACE INTO results (run_id, item_id, state, response, error,"
    " http_status, attempts, seconds, input_tokens, output_tokens, model, stop_reason,"
    " arrived, sent_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");

  sqlite3_bind_int64 (stmt, 1, op->run_id);
  sqlite3_bind_int64 (stmt, 2, r->item_id);
  _sheaf_store_bind_text (stmt, 3, r->state);
  _sheaf_store_bind_text (stmt, 4, r->response);
  _sheaf_store_bind_text (stmt, 5, r->error);
  sqlite3_bind_int (stmt, 6, (int) r->http_status);
  sqlite3_bind_int (stmt, 7, (int) r->attempts);
  sqlite3_bind_double (stmt, 8, r->seconds);
  sqlite3_bind_int64 (stmt, 9, r->input_tokens);
  sqlite3_bind_int64 (stmt, 10, r->output_tokens);
  _sheaf_store_bind_text (stmt, 11, r->model);
  _sheaf_store_bind_text (stmt, 12, r->stop_reason);
  sqlite3_bind_int64 (stmt, 13, r->arrived);
  _sheaf_store_bind_text (stmt, 14, r->sent_key);
  if (!_sheaf_store_step_done (conn, stmt, error))
    return FALSE;
  return point_at_result (conn, op->run_id, r, error);
}

static gboolean
write_finish_run (Conn *conn, Op *op, GError **error)
{
  SheafRunInfo *run = op->run;
  sqlite3_stmt *stmt = _sheaf_store_statement (
    conn, "UPDATE runs SET finished = ?2, n_total = ?3, n_done = ?4, n_failed = ?5,"
          " n_cancelled = ?6, elapsed = ?7, sum_seconds = ?8, state = ?9 WHERE id = ?1");

  sqlite3_bind_int64 (stmt, 1, op->run_id);
  sqlite3_bind_int64 (stmt, 2, run->finished);
  sqlite3_bind_int (stmt, 3, (int) run->n_total);
  sqlite3_bind_int (stmt, 4, (int) run->n_done);
  sqlite3_bind_int (stmt, 5, (int) run->n_failed);
  sqlite3_bind_int (stmt, 6, (int) run->n_cancelled);
  sqlite3_bind_double (stmt, 7, run->elapsed);
  sqlite3_bind_double (stmt, 8, run->sum_seconds);
  _sheaf_store_bind_text (stmt, 9, _sheaf_store_run_state_name (run->state));
  return _sheaf_store_step_done (conn, stmt, error);
}

static gboolean
write_setting (Conn *conn, Op *op, GError **error)
{
  sqlite3_stmt *stmt =
    _sheaf_store_statement (conn, "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)");

  _sheaf_store_bind_text (stmt, 1, op->key);
  _sheaf_store_bind_text (stmt, 2, op->value);
  return _sheaf_store_step_done (conn, stmt, error);
}

static gboolean
write_deleted (Conn *conn, Op *op, GError **error)
{
  sqlite3_stmt *stmt = _sheaf_store_statement (conn, "UPDATE runs SET deleted = ?2 WHERE id = ?1");

  sqlite3_bind_int64 (stmt, 1, op->run_id);
  sqlite3_bind_int (stmt, 2, op->flag);
  return _sheaf_store_step_done (conn, stmt, error);
}

static gboolean
write_op (Conn *conn, Op *op, GError **error)
{
  switch (op->kind)
    {
      case OP_BEGIN_RUN:
        return write_begin_run (conn, op, error);
      case OP_RESULT:
        return write_result (conn, op, error);
      case OP_FINISH_RUN:
        return write_finish_run (conn, op, error);
      case OP_SETTING:
        return write_setting (conn, op, error);
      case OP_DELETE_RUN:
        return write_deleted (conn, op, error);
      case OP_PURGE:
        return _sheaf_store_exec_sql (conn, PURGE_SQL, error);
      case OP_ITEMS:
        return write_items (conn, op, error);
      default:
        g_assert_not_reached ();
    }
}

/* @ops, in order, in one transaction. */
static gboolean
write_ops (Conn *conn, GQueue *ops, GError **error)
{
  if (!_sheaf_store_exec_sql (conn, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (GList *l = ops->head; l != NULL; l = l->next)
    if (!write_op (conn, l->data, error))
      goto fail;
  if (_sheaf_store_exec_sql (conn, "COMMIT", error))
    return TRUE;

fail:
  sqlite3_exec (conn->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* The writer thread
 *
 * While the work goes to the file, a thread of its own commits it, on a
 * connection of its own, so that no INSERT and no fsync runs on the main
 * loop. The main thread hands it batches of Op (plain data, copied on the
 * main thread) in order through a queue; it commits each batch in one
 * transaction. Once a batch fails, it writes nothing more and hands every
 * batch from then on back, in order, so the main thread can keep them in
 * memory instead (take_failure()). Everything below the lock is shared;
 * "conn" and "broken" belong to the thread. */

typedef enum
{
  JOB_WRITE,
  JOB_EXEC,
  JOB_QUIT,
} JobKind;

typedef struct
{
  JobKind kind;
  GQueue *ops; /* JOB_WRITE */
  char *sql;   /* JOB_EXEC */
} Job;

struct _Writer
{
  GThread *thread;
  GSource *wake; /* made ready by the thread when a batch failed */
  Conn conn;
  gboolean broken;

  GMutex lock;
  GCond job_cond;
  GCond done_cond;
  GQueue jobs; /* Job, oldest first */
  guint64 n_handed;
  guint64 n_done;
  GQueue failed; /* GQueue of Op: batches not written, in order */
  GError *error; /* why the first of them failed */
  int exec_rc;
};

/* GLib's locks are futexes that ThreadSanitizer does not see: in its
 * builds, say where one thread hands memory over to the other. */
#ifdef __SANITIZE_THREAD__
void __tsan_acquire (void *addr);
void __tsan_release (void *addr);
#define TSAN_ACQUIRE(addr) __tsan_acquire (addr)
#define TSAN_RELEASE(addr) __tsan_release (addr)
#else
#define TSAN_ACQUIRE(addr) ((void) (addr))
#define TSAN_RELEASE(addr) ((void) (addr))
#endif

static void
writer_lock (Writer *w)
{
  g_mutex_lock (&w->lock);
  TSAN_ACQUIRE (&w->lock);
}

static void
writer_unlock (Writer *w)
{
  TSAN_RELEASE (&w->lock);
  g_mutex_unlock (&w->lock);
}

static void
writer_cond_wait (Writer *w, GCond *cond)
{
  TSAN_RELEASE (&w->lock);
  g_cond_wait (cond, &w->lock);
  TSAN_ACQUIRE (&w->lock);
}

static void
job_free (Job *job)
{
  g_clear_pointer (&job->ops, ops_free);
  g_free (job->sql);
  g_free (job);
}

static void
writer_finish_job (Writer *w, Job *job, GError *error, int rc)
{
  gboolean wake;

  writer_lock (w);
  wake = error != NULL;
  if (job->ops != NULL && w->broken)
    g_queue_push_tail (&w->failed, g_steal_pointer (&job->ops));
  if (error != NULL)
    w->error = error;
  w->exec_rc = rc;
  w->n_done++;
  g_cond_broadcast (&w->done_cond);
  writer_unlock (w);

  if (wake)
    g_source_set_ready_time (w->wake, 0);
  job_free (job);
}

static Job *
writer_next_job (Writer *w)
{
  Job *job;

  writer_lock (w);
  while (w->jobs.length == 0)
    writer_cond_wait (w, &w->job_cond);
  job = g_queue_pop_head (&w->jobs);
  writer_unlock (w);
  return job;
}

static gpointer
writer_main (gpointer data)
{
  Writer *w = data;

  for (;;)
    {
      Job *job = writer_next_job (w);
      JobKind kind = job->kind;
      GError *error = NULL;
      int rc = SQLITE_OK;

      if (kind == JOB_WRITE && !w->broken && !write_ops (&w->conn, job->ops, &error))
        w->broken = TRUE;
      else if (kind == JOB_EXEC)
        rc = sqlite3_exec (w->conn.db, job->sql, NULL, NULL, NULL);
      writer_finish_job (w, job, error, rc);
      if (kind == JOB_QUIT)
        return NULL;
    }
}

static gboolean
wake_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs wake_funcs = { NULL, NULL, wake_dispatch, NULL, NULL, NULL };

gboolean
_sheaf_store_open_writer_db (Conn *conn, const char *path, GError **error)
{
  /* FULL: a commit is on disk when it returns, also across a power cut.
   * It costs an fsync per commit, paid on the writer thread. */
  return _sheaf_store_connect (conn, path, SQLITE_OPEN_READWRITE, error) &&
         _sheaf_store_exec_sql (conn, "PRAGMA synchronous = FULL", error);
}

static Writer *
writer_new (const char *path, GSourceFunc on_failure, gpointer data, GError **error)
{
  Writer *w = g_new0 (Writer, 1);

  _sheaf_store_conn_init (&w->conn);
  if (!_sheaf_store_open_writer_db (&w->conn, path, error))
    {
      _sheaf_store_conn_clear (&w->conn);
      g_free (w);
      return NULL;
    }
  g_mutex_init (&w->lock);
  g_cond_init (&w->job_cond);
  g_cond_init (&w->done_cond);
  g_queue_init (&w->jobs);
  g_queue_init (&w->failed);
  w->wake = g_source_new (&wake_funcs, sizeof (GSource));
  g_source_set_callback (w->wake, on_failure, data, NULL);
  g_source_set_static_name (w->wake, "[sheaf] store writer failed");
  g_source_attach (w->wake, NULL);
  w->thread = g_thread_new ("sheaf-store", writer_main, w);
  return w;
}

static void
writer_push (Writer *w, JobKind kind, GQueue *ops, const char *sql)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->ops = ops;
  job->sql = g_strdup (sql);
  writer_lock (w);
  g_queue_push_tail (&w->jobs, job);
  w->n_handed++;
  g_cond_signal (&w->job_cond);
  writer_unlock (w);
}

/* Blocks until the thread has done everything handed to it. */
static void
writer_wait (Writer *w)
{
  writer_lock (w);
  while (w->n_done < w->n_handed)
    writer_cond_wait (w, &w->done_cond);
  writer_unlock (w);
}

static gboolean
writer_is_busy (Writer *w)
{
  gboolean busy;

  writer_lock (w);
  busy = w->n_done < w->n_handed;
  writer_unlock (w);
  return busy;
}

static gboolean
writer_has_failed (Writer *w)
{
  gboolean failed;

  writer_lock (w);
  failed = w->error != NULL;
  writer_unlock (w);
  return failed;
}

/* Lets the thread finish what it was handed, joins it and frees it all;
 * returns the batches it could not write and why. */
GError *
_sheaf_store_writer_stop (Writer *w, GQueue *failed)
{
  GError *error;

  writer_push (w, JOB_QUIT, NULL, NULL);
  g_thread_join (w->thread);
  /* The thread is gone: nothing below is shared any more. */
  error = g_steal_pointer (&w->error);
  *failed = w->failed;
  g_source_destroy (w->wake);
  g_source_unref (w->wake);
  _sheaf_store_conn_clear (&w->conn);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->job_cond);
  g_cond_clear (&w->done_cond);
  g_free (w);
  return error;
}

/* Handing over */

/* Writes @ops into memory, where nothing but a bug can fail. */
static void
write_into_memory (SheafStore *self, GQueue *ops)
{
  g_autoptr (GError) error = NULL;

  if (!write_ops (&self->conn, ops, &error))
    g_debug ("Could not keep the work even in memory: %s", error->message);
}

/* When the writer thread failed: stop it, go to memory with what the file
 * holds, and add there what the thread could not write. */
static void
take_failure (SheafStore *self)
{
  g_autoptr (GError) reason = NULL;
  GQueue failed;
  GQueue *ops;

  if (self->writer == NULL || !writer_has_failed (self->writer))
    return;
  reason = _sheaf_store_writer_stop (g_steal_pointer (&self->writer), &failed);
  _sheaf_store_switch_to_memory (self, reason);
  while ((ops = g_queue_pop_head (&failed)) != NULL)
    {
      write_into_memory (self, ops);
      ops_free (ops);
    }
}

static gboolean
writer_failed_cb (gpointer user_data)
{
  take_failure (user_data);
  return G_SOURCE_CONTINUE;
}

void
_sheaf_store_start_writer (SheafStore *self)
{
  g_autoptr (GError) error = NULL;

  self->writer = writer_new (self->path, writer_failed_cb, self, &error);
  if (self->writer == NULL)
    _sheaf_store_switch_to_memory (self, error);
}

/* Hands what is queued to the writer thread, or writes it into memory. */
static void
hand_over (SheafStore *self)
{
  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->ops.length == 0)
    return;
  if (self->writer != NULL)
    {
      GQueue *ops = g_queue_new ();

      *ops = self->ops;
      g_queue_init (&self->ops);
      writer_push (self->writer, JOB_WRITE, ops, NULL);
      return;
    }
  write_into_memory (self, &self->ops);
  g_queue_clear_full (&self->ops, (GDestroyNotify) _sheaf_store_op_free);
}

static gboolean
flush_cb (gpointer user_data)
{
  SheafStore *self = user_data;
  gint64 start = g_get_monotonic_time ();
  gint64 spent;

  self->flush_id = 0;
  hand_over (self);
  spent = g_get_monotonic_time () - start;
  self->timing.n_flushes++;
  self->timing.flush_total_us += spent;
  self->timing.flush_max_us = MAX (self->timing.flush_max_us, spent);
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (SheafStore *self)
{
  if (self->flush_id != 0)
    return;
  self->flush_id = g_timeout_add (SHEAF_STORE_FLUSH_MS, flush_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->flush_id),
                            "[sheaf] store flush");
}

void
_sheaf_store_queue_op (SheafStore *self, Op *op)
{
  g_queue_push_tail (&self->ops, op);
  schedule_flush (self);
}

Op *
_sheaf_store_push_op (SheafStore *self, OpKind kind, gint64 run_id)
{
  Op *op = _sheaf_store_op_new (kind, run_id);

  _sheaf_store_queue_op (self, op);
  return op;
}

void
_sheaf_store_note_call (gint64 *max_us, gint64 start)
{
  *max_us = MAX (*max_us, g_get_monotonic_time () - start);
}

gboolean
sheaf_store_get_pending (SheafStore *self)
{
  g_return_val_if_fail (SHEAF_IS_STORE (self), FALSE);

  return self->ops.length > 0 || (self->writer != NULL && writer_is_busy (self->writer));
}

gboolean
sheaf_store_flush (SheafStore *self)
{
  g_return_val_if_fail (SHEAF_IS_STORE (self), FALSE);

  hand_over (self);
  if (self->writer != NULL)
    {
      writer_wait (self->writer);
      take_failure (self);
    }
  return self->persistent;
}

/* Test API */

/* On the connection that writes: the writer thread's while there is one. */
int
_sheaf_store_exec (SheafStore *self, const char *sql)
{
  int rc;

  if (self->writer == NULL)
    return sqlite3_exec (self->conn.db, sql, NULL, NULL, NULL);
  writer_push (self->writer, JOB_EXEC, NULL, sql);
  writer_wait (self->writer);
  writer_lock (self->writer);
  rc = self->writer->exec_rc;
  writer_unlock (self->writer);
  return rc;
}
