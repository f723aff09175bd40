/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-store"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include "sheaf-error.h"
#include "sheaf-provider.h"
#include "sheaf-store-internal.h"

static const char *const run_state_names[] = { "running", "finished", "stopped", "interrupted" };

G_DEFINE_FINAL_TYPE (SheafStore, sheaf_store, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PATH,
  PROP_PERSISTENT,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
_sheaf_store_set_error (SheafStore *self, GError *error)
{
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

void
_sheaf_store_set_persistent (SheafStore *self, gboolean persistent)
{
  if (self->persistent == persistent)
    return;
  self->persistent = persistent;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSISTENT]);
}

const char *
_sheaf_store_run_state_name (SheafRunState state)
{
  return run_state_names[state];
}

void
sheaf_run_info_free (SheafRunInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->template_);
  g_free (info->model);
  g_free (info->provider);
  g_free (info);
}

static const char *
interrupted_message (void)
{
  return _ ("Interrupted — Sheaf was closed while this was running. Resume sends it again.");
}

gboolean
sheaf_store_item_is_interrupted (SheafItem *item)
{
  g_return_val_if_fail (SHEAF_IS_ITEM (item), FALSE);

  return sheaf_item_get_state (item) == SHEAF_ITEM_STATE_CANCELLED &&
         g_strcmp0 (sheaf_item_get_error_message (item), interrupted_message ()) == 0;
}

/* Reading */

static SheafItemState
state_from_column (sqlite3_stmt *stmt, int column)
{
  SheafItemState state = SHEAF_ITEM_STATE_QUEUED;

  sheaf_item_state_from_string ((const char *) sqlite3_column_text (stmt, column), &state);
  return state;
}

static void
set_outcome (SheafItem *item, sqlite3_stmt *stmt, int c)
{
  sheaf_item_set_state (item, state_from_column (stmt, c));
  sheaf_item_set_response (item, (const char *) sqlite3_column_text (stmt, c + 1));
  sheaf_item_set_error_message (item, (const char *) sqlite3_column_text (stmt, c + 2));
  sheaf_item_set_http_status (item, (guint) sqlite3_column_int (stmt, c + 3));
  sheaf_item_set_attempts (item, (guint) sqlite3_column_int (stmt, c + 4));
  sheaf_item_set_seconds (item, MAX (sqlite3_column_double (stmt, c + 5), 0.0));
  sheaf_item_set_input_tokens (item, MAX (sqlite3_column_int64 (stmt, c + 6), -1));
  sheaf_item_set_output_tokens (item, MAX (sqlite3_column_int64 (stmt, c + 7), -1));
  sheaf_item_set_model (item, (const char *) sqlite3_column_text (stmt, c + 8));
  sheaf_item_set_stop_reason (item, (const char *) sqlite3_column_text (stmt, c + 9));
  sheaf_item_set_sent_key (item, (const char *) sqlite3_column_text (stmt, c + 11));
}

/* A row of id, title, text, then OUTCOME_COLUMNS. */
static SheafItem *
item_from_row (sqlite3_stmt *stmt)
{
  SheafItem *item = sheaf_item_new ((const char *) sqlite3_column_text (stmt, 1),
                                    (const char *) sqlite3_column_text (stmt, 2));
  const char *run_state = (const char *) sqlite3_column_text (stmt, 13);

  sheaf_item_set_id (item, sqlite3_column_int64 (stmt, 0));
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    set_outcome (item, stmt, 3);
  else if (g_strcmp0 (run_state, "interrupted") == 0)
    {
      sheaf_item_set_state (item, SHEAF_ITEM_STATE_CANCELLED);
      sheaf_item_set_error_message (item, interrupted_message ());
    }
  return item;
}

static GPtrArray *
read_items (sqlite3_stmt *stmt)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (items, item_from_row (stmt));
  sqlite3_reset (stmt);
  return items;
}

GPtrArray *
sheaf_store_load_items (SheafStore *self)
{
  g_return_val_if_fail (SHEAF_IS_STORE (self), NULL);

  sheaf_store_flush (self);
  return read_items (_sheaf_store_statement (
    &self->conn, "SELECT i.id, i.title, i.text, " OUTCOME_COLUMNS " FROM items i"
                 " LEFT JOIN results r ON r.run_id = i.run_id"
                 " AND r.item_id = i.id"
                 " LEFT JOIN runs ru ON ru.id = i.run_id"
                 " ORDER BY i.position"));
}

GPtrArray *
sheaf_store_load_run_items (SheafStore *self, gint64 run_id)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (SHEAF_IS_STORE (self), NULL);

  sheaf_store_flush (self);
  stmt = _sheaf_store_statement (
    &self->conn, "SELECT ri.item_id, ri.title, ri.text, " OUTCOME_COLUMNS " FROM run_items ri"
                 " LEFT JOIN results r ON r.run_id = ri.run_id"
                 " AND r.item_id = ri.item_id"
                 " JOIN runs ru ON ru.id = ri.run_id"
                 " WHERE ri.run_id = ?1 ORDER BY ri.position");
  sqlite3_bind_int64 (stmt, 1, run_id);
  return read_items (stmt);
}

void
sheaf_store_save_items (SheafStore *self, GListModel *items)
{
  Op *op;

  g_return_if_fail (SHEAF_IS_STORE (self));
  g_return_if_fail (G_IS_LIST_MODEL (items));

  _sheaf_store_assign_ids (self, items);
  op = _sheaf_store_op_new (OP_ITEMS, 0);
  op->rows = _sheaf_store_rows_new (0);
  op->deleted = g_array_new (FALSE, FALSE, sizeof (gint64));
  _sheaf_store_diff_items (self, items, op);
  if (op->rows->len == 0 && op->deleted->len == 0)
    {
      _sheaf_store_op_free (op);
      return;
    }
  _sheaf_store_queue_op (self, op);
}

char *
sheaf_store_dup_setting (SheafStore *self, const char *key)
{
  sqlite3_stmt *stmt;
  char *value = NULL;

  g_return_val_if_fail (SHEAF_IS_STORE (self), NULL);

  sheaf_store_flush (self);
  stmt = _sheaf_store_statement (&self->conn, "SELECT value FROM settings WHERE key = ?1");
  _sheaf_store_bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = _sheaf_store_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  return value;
}

void
sheaf_store_set_setting (SheafStore *self, const char *key, const char *value)
{
  Op *op;

  g_return_if_fail (SHEAF_IS_STORE (self));
  g_return_if_fail (key != NULL);

  op = _sheaf_store_push_op (self, OP_SETTING, 0);
  op->key = g_strdup (key);
  op->value = g_strdup (value);
}

/* Runs */

static char *
batch_model (SheafBatch *batch)
{
  SheafProvider *provider = sheaf_batch_get_provider (batch);
  g_autofree char *model = NULL;

  g_object_get (batch, "model", &model, NULL);
  if ((model == NULL || *model == '\0') && provider != NULL)
    return g_strdup (sheaf_provider_kind_default_model (sheaf_provider_get_kind (provider)));
  return g_steal_pointer (&model);
}

gint64
sheaf_store_begin_run (SheafStore *self, SheafBatch *batch, GListModel *items)
{
  SheafProvider *provider;
  SheafRunInfo *run;
  Op *op;
  guint n;
  gint64 start;

  g_return_val_if_fail (SHEAF_IS_STORE (self), 0);
  g_return_val_if_fail (SHEAF_IS_BATCH (batch), 0);
  g_return_val_if_fail (G_IS_LIST_MODEL (items), 0);

  start = g_get_monotonic_time ();
  provider = sheaf_batch_get_provider (batch);
  n = g_list_model_get_n_items (items);
  _sheaf_store_assign_ids (self, items);
  run = g_new0 (SheafRunInfo, 1);
  run->id = self->next_run_id++;
  run->started = g_get_real_time ();
  g_object_get (batch, "template", &run->template_, "max-tokens", &run->max_tokens, NULL);
  run->model = batch_model (batch);
  if (provider != NULL)
    run->provider = g_strdup (sheaf_provider_kind_to_string (sheaf_provider_get_kind (provider)));
  run->concurrency = sheaf_batch_get_concurrency (batch);
  run->n_total = n;

  op = _sheaf_store_push_op (self, OP_BEGIN_RUN, run->id);
  op->run = run;
  op->rows = _sheaf_store_rows_new (n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);
      Row row = _sheaf_store_row_from_item (item, i);

      g_array_append_val (op->rows, row);
    }
  _sheaf_store_note_call (&self->timing.begin_run_max_us, start);
  return run->id;
}

void
sheaf_store_record_result (SheafStore *self, gint64 run_id, SheafItem *item)
{
  Op *op;
  Result *r;
  gint64 start;

  g_return_if_fail (SHEAF_IS_STORE (self));
  g_return_if_fail (SHEAF_IS_ITEM (item));

  start = g_get_monotonic_time ();
  op = _sheaf_store_push_op (self, OP_RESULT, run_id);
  r = &op->result;
  r->item_id = sheaf_item_get_id (item);
  r->state = sheaf_item_state_to_string (sheaf_item_get_state (item));
  r->response = g_strdup (sheaf_item_get_response (item));
  r->error = g_strdup (sheaf_item_get_error_message (item));
  r->model = g_strdup (sheaf_item_get_model (item));
  r->stop_reason = g_strdup (sheaf_item_get_stop_reason (item));
  r->sent_key = g_strdup (sheaf_item_get_sent_key (item));
  r->http_status = sheaf_item_get_http_status (item);
  r->attempts = sheaf_item_get_attempts (item);
  r->seconds = sheaf_item_get_seconds (item);
  r->input_tokens = sheaf_item_get_input_tokens (item);
  r->output_tokens = sheaf_item_get_output_tokens (item);
  r->arrived = g_get_real_time ();
  _sheaf_store_note_call (&self->timing.result_max_us, start);
}

void
sheaf_store_finish_run (SheafStore *self, gint64 run_id, SheafBatch *batch)
{
  SheafRunInfo *run;
  Op *op;

  g_return_if_fail (SHEAF_IS_STORE (self));
  g_return_if_fail (SHEAF_IS_BATCH (batch));

  run = g_new0 (SheafRunInfo, 1);
  run->finished = g_get_real_time ();
  run->n_total = sheaf_batch_get_n_total (batch);
  run->n_done = sheaf_batch_get_n_done (batch);
  run->n_failed = sheaf_batch_get_n_failed (batch);
  /* Rows not sent are the rest: n_total - done - failed - cancelled. */
  run->n_cancelled = sheaf_batch_get_n_cancelled (batch);
  run->elapsed = sheaf_batch_get_elapsed (batch);
  run->sum_seconds = sheaf_batch_get_sum_seconds (batch);
  run->state = run->n_cancelled > 0 ? SHEAF_RUN_STATE_STOPPED : SHEAF_RUN_STATE_FINISHED;
  op = _sheaf_store_push_op (self, OP_FINISH_RUN, run_id);
  op->run = run;
}

/* Following a batch's run */

typedef struct
{
  SheafStore *store;
  SheafBatch *batch;
  gint64 run_id;
} Tracker;

static void
tracker_item_finished (SheafBatch *batch, SheafItem *item, Tracker *tracker)
{
  sheaf_store_record_result (tracker->store, tracker->run_id, item);
}

static void
tracker_running_changed (SheafBatch *batch, GParamSpec *pspec, Tracker *tracker)
{
  if (sheaf_batch_get_running (batch))
    return;

  sheaf_store_finish_run (tracker->store, tracker->run_id, batch);
  g_signal_handlers_disconnect_by_data (batch, tracker);
  g_object_unref (tracker->store);
  g_object_unref (tracker->batch);
  g_free (tracker);
}

gint64
sheaf_store_track_run (SheafStore *self, SheafBatch *batch, GListModel *items)
{
  Tracker *tracker;

  g_return_val_if_fail (SHEAF_IS_STORE (self), 0);
  g_return_val_if_fail (SHEAF_IS_BATCH (batch), 0);
  g_return_val_if_fail (G_IS_LIST_MODEL (items), 0);

  if (!sheaf_batch_get_running (batch))
    return 0;

  tracker = g_new0 (Tracker, 1);
  tracker->store = g_object_ref (self);
  tracker->batch = g_object_ref (batch);
  tracker->run_id = sheaf_store_begin_run (self, batch, items);
  g_signal_connect (batch, "item-finished", G_CALLBACK (tracker_item_finished), tracker);
  g_signal_connect (batch, "notify::running", G_CALLBACK (tracker_running_changed), tracker);
  return tracker->run_id;
}

static SheafRunInfo *
run_from_row (sqlite3_stmt *stmt)
{
  SheafRunInfo *run = g_new0 (SheafRunInfo, 1);
  const char *state = (const char *) sqlite3_column_text (stmt, 14);

  run->id = sqlite3_column_int64 (stmt, 0);
  run->started = sqlite3_column_int64 (stmt, 1);
  run->finished = sqlite3_column_int64 (stmt, 2);
  run->template_ = _sheaf_store_column_dup (stmt, 3);
  run->model = _sheaf_store_column_dup (stmt, 4);
  run->provider = _sheaf_store_column_dup (stmt, 5);
  run->concurrency = (guint) sqlite3_column_int (stmt, 6);
  run->max_tokens = (guint) sqlite3_column_int (stmt, 7);
  run->n_total = (guint) sqlite3_column_int (stmt, 8);
  run->n_done = (guint) sqlite3_column_int (stmt, 9);
  run->n_failed = (guint) sqlite3_column_int (stmt, 10);
  run->n_cancelled = (guint) sqlite3_column_int (stmt, 11);
  run->elapsed = sqlite3_column_double (stmt, 12);
  run->sum_seconds = sqlite3_column_double (stmt, 13);
  for (guint i = 0; i < G_N_ELEMENTS (run_state_names); i++)
    if (g_strcmp0 (state, run_state_names[i]) == 0)
      run->state = (SheafRunState) i;
  return run;
}

GPtrArray *
sheaf_store_list_runs (SheafStore *self)
{
  GPtrArray *runs;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (SHEAF_IS_STORE (self), NULL);

  sheaf_store_flush (self);
  runs = g_ptr_array_new_with_free_func ((GDestroyNotify) sheaf_run_info_free);
  stmt = _sheaf_store_statement (&self->conn, "SELECT " RUN_COLUMNS " FROM runs WHERE deleted = 0"
                                              " ORDER BY started DESC, id DESC");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (runs, run_from_row (stmt));
  sqlite3_reset (stmt);
  return runs;
}

SheafRunInfo *
sheaf_store_get_run (SheafStore *self, gint64 run_id)
{
  SheafRunInfo *run = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (SHEAF_IS_STORE (self), NULL);

  sheaf_store_flush (self);
  stmt = _sheaf_store_statement (&self->conn, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1");
  sqlite3_bind_int64 (stmt, 1, run_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    run = run_from_row (stmt);
  sqlite3_reset (stmt);
  return run;
}

void
sheaf_store_set_run_deleted (SheafStore *self, gint64 run_id, gboolean deleted)
{
  g_return_if_fail (SHEAF_IS_STORE (self));

  _sheaf_store_push_op (self, OP_DELETE_RUN, run_id)->flag = deleted;
}

void
sheaf_store_purge_deleted (SheafStore *self)
{
  g_return_if_fail (SHEAF_IS_STORE (self));

  _sheaf_store_push_op (self, OP_PURGE, 0);
}

/* Test API */

void
_sheaf_store_take_timing (SheafStore *self, SheafStoreTiming *timing)
{
  *timing = self->timing;
  memset (&self->timing, 0, sizeof self->timing);
}

/* GObject */

static void
sheaf_store_dispose (GObject *object)
{
  SheafStore *self = SHEAF_STORE (object);

  if (self->conn.db != NULL)
    sheaf_store_flush (self);
  if (self->writer != NULL)
    {
      GQueue failed;
      g_autoptr (GError) error =
        _sheaf_store_writer_stop (g_steal_pointer (&self->writer), &failed);

      /* Flushing took any failure already: nothing is left to lose. */
      g_assert (error == NULL && failed.length == 0);
    }
  _sheaf_store_close_db (&self->conn);
  if (self->lock_fd >= 0)
    {
      close (self->lock_fd);
      self->lock_fd = -1;
    }

  G_OBJECT_CLASS (sheaf_store_parent_class)->dispose (object);
}

static void
sheaf_store_finalize (GObject *object)
{
  SheafStore *self = SHEAF_STORE (object);

  g_queue_clear_full (&self->ops, (GDestroyNotify) _sheaf_store_op_free);
  _sheaf_store_conn_clear (&self->conn);
  g_clear_pointer (&self->saved, g_hash_table_unref);
  g_clear_error (&self->error);
  g_free (self->path);

  G_OBJECT_CLASS (sheaf_store_parent_class)->finalize (object);
}

static void
sheaf_store_constructed (GObject *object)
{
  SheafStore *self = SHEAF_STORE (object);

  G_OBJECT_CLASS (sheaf_store_parent_class)->constructed (object);

  _sheaf_store_open_file (self);
  _sheaf_store_load_counters (self);
  _sheaf_store_load_saved (self);
  if (self->persistent)
    _sheaf_store_start_writer (self);
}

static void
sheaf_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafStore *self = SHEAF_STORE (object);

  switch (prop_id)
    {
      case PROP_PATH:
        g_value_set_string (value, self->path);
        break;
      case PROP_PERSISTENT:
        g_value_set_boolean (value, self->persistent);
        break;
      case PROP_ERROR:
        g_value_set_boxed (value, self->error);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_store_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SheafStore *self = SHEAF_STORE (object);

  switch (prop_id)
    {
      case PROP_PATH:
        self->path = g_value_dup_string (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_store_class_init (SheafStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = sheaf_store_constructed;
  object_class->dispose = sheaf_store_dispose;
  object_class->finalize = sheaf_store_finalize;
  object_class->get_property = sheaf_store_get_property;
  object_class->set_property = sheaf_store_set_property;

  properties[PROP_PATH] = g_param_spec_string (
    "path", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PERSISTENT] =
    g_param_spec_boolean ("persistent", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sheaf_store_init (SheafStore *self)
{
  self->lock_fd = -1;
  _sheaf_store_conn_init (&self->conn);
  self->saved = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  g_queue_init (&self->ops);
}

SheafStore *
sheaf_store_new (const char *path)
{
  return g_object_new (SHEAF_TYPE_STORE, "path", path, NULL);
}

SheafStore *
sheaf_store_new_default (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "sheaf", "sheaf.db", NULL);

  return sheaf_store_new (path);
}

const char *
sheaf_store_get_path (SheafStore *self)
{
  g_return_val_if_fail (SHEAF_IS_STORE (self), NULL);

  return self->path;
}

gboolean
sheaf_store_get_persistent (SheafStore *self)
{
  g_return_val_if_fail (SHEAF_IS_STORE (self), FALSE);

  return self->persistent;
}

const GError *
sheaf_store_get_error (SheafStore *self)
{
  g_return_val_if_fail (SHEAF_IS_STORE (self), NULL);

  return self->error;
}
