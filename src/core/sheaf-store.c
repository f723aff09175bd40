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
#include "sheaf-store-private.h"

/* Schema
 *
 * The workspace is "items" (the list as the person sees it, each row
 * pointing to the run whose result it shows) and "settings". Each run keeps
 * a copy of the inputs it sent ("run_items"), so an earlier run can be
 * opened after the list was edited, and its outcomes ("results").
 * migrations[i] takes a file from user_version i to i + 1. */

static const char *const migrations[] = {
  "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
  "CREATE TABLE items (id INTEGER PRIMARY KEY, position INTEGER NOT NULL,"
  "  title TEXT, text TEXT NOT NULL DEFAULT '', run_id INTEGER);"
  "CREATE TABLE runs (id INTEGER PRIMARY KEY, started INTEGER NOT NULL,"
  "  finished INTEGER NOT NULL DEFAULT 0, template TEXT, model TEXT, provider TEXT,"
  "  concurrency INTEGER NOT NULL DEFAULT 0, max_tokens INTEGER NOT NULL DEFAULT 0,"
  "  n_total INTEGER NOT NULL DEFAULT 0, n_done INTEGER NOT NULL DEFAULT 0,"
  "  n_failed INTEGER NOT NULL DEFAULT 0, n_cancelled INTEGER NOT NULL DEFAULT 0,"
  "  elapsed REAL NOT NULL DEFAULT 0, sum_seconds REAL NOT NULL DEFAULT 0,"
  "  state TEXT NOT NULL DEFAULT 'running', deleted INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE run_items (run_id INTEGER NOT NULL, item_id INTEGER NOT NULL,"
  "  position INTEGER NOT NULL, title TEXT, text TEXT, PRIMARY KEY (run_id, item_id));"
  "CREATE TABLE results (run_id INTEGER NOT NULL, item_id INTEGER NOT NULL,"
  "  state TEXT NOT NULL, response TEXT, error TEXT, http_status INTEGER NOT NULL DEFAULT 0,"
  "  attempts INTEGER NOT NULL DEFAULT 0, seconds REAL NOT NULL DEFAULT 0,"
  "  input_tokens INTEGER NOT NULL DEFAULT -1, output_tokens INTEGER NOT NULL DEFAULT -1,"
  "  model TEXT, stop_reason TEXT, arrived INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (run_id, item_id));",
  /* What each answer was asked under: see sheaf_batch_dup_sent_key(). */
  "ALTER TABLE results ADD COLUMN sent_key TEXT;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SHEAF_STORE_SCHEMA_VERSION);

static const char *const run_state_names[] = { "running", "finished", "stopped", "interrupted" };

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

/* Errors */

static SheafError
classify (int rc)
{
  switch (rc & 0xff)
    {
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB:
        return SHEAF_ERROR_STORE_CORRUPT;
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return SHEAF_ERROR_STORE_LOCKED;
      default:
        return SHEAF_ERROR_STORE_WRITE;
    }
}

/* The reason of a write failure, in words a person knows. */
static const char *
describe_rc (int rc)
{
  switch (rc & 0xff)
    {
      case SQLITE_FULL:
        return _ ("the disk is full");
      case SQLITE_READONLY:
      case SQLITE_PERM:
      case SQLITE_CANTOPEN:
        return _ ("the folder cannot be written to");
      case SQLITE_IOERR:
        return _ ("the disk could not be written");
      default:
        return sqlite3_errstr (rc);
    }
}

static gboolean
set_db_error (Conn *conn, int rc, GError **error)
{
  g_debug ("SQLite: %s", conn->db != NULL ? sqlite3_errmsg (conn->db) : sqlite3_errstr (rc));
  g_set_error_literal (error, SHEAF_ERROR, classify (rc), describe_rc (rc));
  return FALSE;
}

/* The message a person reads, from the low-level reason. */
static GError *
explain (SheafStore *self, const GError *reason, const char *moved_to)
{
  g_autofree char *dir = g_path_get_dirname (self->path != NULL ? self->path : ".");
  const char *detail = reason != NULL ? reason->message : "";
  SheafError code = reason != NULL ? (SheafError) reason->code : SHEAF_ERROR_STORE_WRITE;

  switch (code)
    {
      case SHEAF_ERROR_STORE_CORRUPT:
        return g_error_new (SHEAF_ERROR, code,
                            _ ("Your saved work could not be read, so Sheaf moved it to “%s” "
                               "and started afresh. Nothing was deleted."),
                            moved_to);
      case SHEAF_ERROR_STORE_NEWER:
        return g_error_new_literal (
          SHEAF_ERROR, code,
          _ ("Your saved work was made by a newer version of Sheaf, so this version leaves it "
             "untouched. What you do now is kept only until Sheaf closes; update Sheaf to get "
             "your saved work back."));
      case SHEAF_ERROR_STORE_LOCKED:
        return g_error_new_literal (
          SHEAF_ERROR, code,
          _ ("Another Sheaf, perhaps in another session, is using your saved work. What you do "
             "here is kept only until Sheaf closes: export your results before closing."));
      default:
        return g_error_new (SHEAF_ERROR, SHEAF_ERROR_STORE_WRITE,
                            _ ("Sheaf cannot save your work in “%s”: %s. Everything stays in "
                               "this window, but only until Sheaf closes: export your results "
                               "before closing."),
                            dir, detail);
    }
}

static void
set_error (SheafStore *self, GError *error)
{
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_persistent (SheafStore *self, gboolean persistent)
{
  if (self->persistent == persistent)
    return;
  self->persistent = persistent;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSISTENT]);
}

/* Statements */

static gboolean
exec_sql (Conn *conn, const char *sql, GError **error)
{
  int rc = sqlite3_exec (conn->db, sql, NULL, NULL, NULL);

  return rc == SQLITE_OK || set_db_error (conn, rc, error);
}

/* A prepared statement for @sql (a string literal), reset and ready. */
static sqlite3_stmt *
statement (Conn *conn, const char *sql)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (conn->statements, sql);

  if (stmt == NULL)
    {
      int rc = sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);

      /* The SQL is ours: failing to prepare it is a bug, not a disk problem. */
      if (rc != SQLITE_OK)
        g_error ("Cannot prepare “%s”: %s", sql, sqlite3_errmsg (conn->db));
      g_hash_table_insert (conn->statements, (gpointer) sql, stmt);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

static gboolean
step_done (Conn *conn, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW || set_db_error (conn, rc, error);
}

static void
bind_text (sqlite3_stmt *stmt, int column, const char *text)
{
  sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
}

static char *
column_dup (sqlite3_stmt *stmt, int column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gint64
query_int64 (Conn *conn, const char *sql)
{
  sqlite3_stmt *stmt = statement (conn, sql);
  gint64 value = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;

  sqlite3_reset (stmt);
  return value;
}

static void
conn_init (Conn *conn)
{
  conn->db = NULL;
  conn->statements =
    g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) sqlite3_finalize);
}

static void
close_db (Conn *conn)
{
  g_hash_table_remove_all (conn->statements);
  g_clear_pointer (&conn->db, sqlite3_close_v2);
}

static void
conn_clear (Conn *conn)
{
  if (conn->statements != NULL)
    close_db (conn);
  g_clear_pointer (&conn->statements, g_hash_table_unref);
}

/* Opening */

static gboolean
migrate (Conn *conn, int version, GError **error)
{
  g_autofree char *set_version =
    g_strdup_printf ("PRAGMA user_version = %d", SHEAF_STORE_SCHEMA_VERSION);

  if (!exec_sql (conn, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (int i = version; i < SHEAF_STORE_SCHEMA_VERSION; i++)
    if (!exec_sql (conn, migrations[i], error))
      goto fail;
  /* Also a write at every start, so a disk that cannot be written is found
   * now rather than at the first result. */
  if (!exec_sql (conn, set_version, error) || !exec_sql (conn, MARK_INTERRUPTED_SQL, error) ||
      !exec_sql (conn, PURGE_SQL, error) || !exec_sql (conn, "COMMIT", error))
    goto fail;
  return TRUE;

fail:
  sqlite3_exec (conn->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static gboolean
read_version (Conn *conn, int *version, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (conn->db, "PRAGMA user_version", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW || set_db_error (conn, rc, error);
}

static gboolean
check_pages (Conn *conn, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (conn->db, "PRAGMA quick_check", -1, &stmt, NULL);
  gboolean ok;

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  ok = rc == SQLITE_ROW && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") == 0;
  sqlite3_finalize (stmt);
  if (!ok && (rc == SQLITE_ROW || rc == SQLITE_DONE))
    rc = SQLITE_CORRUPT;
  return ok || set_db_error (conn, rc, error);
}

static gboolean
use_wal (Conn *conn, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (conn->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  gboolean ok;

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  ok = rc == SQLITE_ROW && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0;
  sqlite3_finalize (stmt);
  if (!ok && (rc == SQLITE_ROW || rc == SQLITE_DONE))
    rc = SQLITE_CANTOPEN;
  /* FULL: a commit is on disk when it returns, also across a power cut.
   * The writer thread sets it too (open_writer_db()); this connection only
   * writes while opening. */
  return (ok && exec_sql (conn, "PRAGMA synchronous = FULL", error)) ||
         (!ok && set_db_error (conn, rc, error));
}

/* Each connection is used by one thread at a time (the writer's by the
 * writer thread only), so SQLite's own locking is not needed. */
static gboolean
connect (Conn *conn, const char *path, int flags, GError **error)
{
  int rc = sqlite3_open_v2 (path, &conn->db, flags | SQLITE_OPEN_NOMUTEX, NULL);

  if (rc == SQLITE_OK && sqlite3_db_readonly (conn->db, "main") == 1)
    rc = SQLITE_READONLY;
  if (rc != SQLITE_OK)
    {
      set_db_error (conn, rc, error);
      close_db (conn);
      return FALSE;
    }
  sqlite3_busy_timeout (conn->db, 200);
  return TRUE;
}

static gboolean
open_db (Conn *conn, const char *path, GError **error)
{
  int version = 0;

  if (!connect (conn, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error))
    return FALSE;
  if (!read_version (conn, &version, error))
    goto fail;
  if (version > SHEAF_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_STORE_NEWER, "user_version %d", version);
      goto fail;
    }
  if (use_wal (conn, error) && check_pages (conn, error) && migrate (conn, version, error))
    return TRUE;

fail:
  close_db (conn);
  return FALSE;
}

static gboolean
take_lock (SheafStore *self, GError **error)
{
  g_autofree char *lock_path = g_strconcat (self->path, ".lock", NULL);
  int fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  int saved_errno = errno;

  if (fd < 0)
    {
      g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_STORE_WRITE, "%s", g_strerror (saved_errno));
      return FALSE;
    }
  /* flock() locks belong to this open file: a second store, in this process
   * or another one (another session of the same person), sees it taken. */
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_STORE_LOCKED, "locked");
      return FALSE;
    }
  self->lock_fd = fd;
  return TRUE;
}

/* Moves the file and its -wal and -shm aside; returns the new name. */
static char *
move_aside (const char *path, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *target = g_strdup_printf ("%s.corrupt-%s", path, stamp);
  const char *suffixes[] = { "-wal", "-shm" };

  for (guint n = 2; g_file_test (target, G_FILE_TEST_EXISTS); n++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, n);
    }
  if (g_rename (path, target) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_STORE_WRITE, "%s", g_strerror (saved_errno));
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS))
        g_rename (from, to);
    }
  return g_steal_pointer (&target);
}

static gboolean
open_file (SheafStore *self, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *moved_to = NULL;
  g_autoptr (GError) reason = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_STORE_WRITE, "%s", g_strerror (saved_errno));
      return FALSE;
    }
  if (!take_lock (self, error))
    return FALSE;
  if (open_db (&self->conn, self->path, &reason))
    return TRUE;
  if (!g_error_matches (reason, SHEAF_ERROR, SHEAF_ERROR_STORE_CORRUPT))
    {
      g_propagate_error (error, g_steal_pointer (&reason));
      return FALSE;
    }

  moved_to = move_aside (self->path, error);
  if (moved_to == NULL || !open_db (&self->conn, self->path, error))
    return FALSE;
  set_error (self, explain (self, reason, moved_to));
  return TRUE;
}

static void
open_memory (SheafStore *self)
{
  g_autoptr (GError) error = NULL;

  close_db (&self->conn);
  if (sqlite3_open (":memory:", &self->conn.db) != SQLITE_OK || !migrate (&self->conn, 0, &error))
    g_error ("Cannot keep the work in memory: %s", sqlite3_errmsg (self->conn.db));
  set_persistent (self, FALSE);
}

static void
load_counters (SheafStore *self)
{
  self->next_item_id = query_int64 (&self->conn, "SELECT ifnull(max(id), 0) + 1 FROM items");
  self->next_run_id = query_int64 (&self->conn, "SELECT ifnull(max(id), 0) + 1 FROM runs");
}

static void
store_open (SheafStore *self)
{
  g_autoptr (GError) reason = NULL;

  self->persistent = TRUE;
  if (self->path == NULL || !open_file (self, &reason))
    {
      open_memory (self);
      if (reason != NULL)
        set_error (self, explain (self, reason, NULL));
    }
}

/* After a failed write: carry what the file holds (read through the main
 * thread's connection) over to memory, so the window loses nothing, and
 * keep going there. */
static void
switch_to_memory (SheafStore *self, const GError *reason)
{
  sqlite3 *memory = NULL;
  sqlite3_backup *backup;
  gboolean copied = FALSE;

  g_debug ("Writing failed, keeping the work in memory: %s", reason->message);
  g_hash_table_remove_all (self->conn.statements);
  if (sqlite3_open (":memory:", &memory) == SQLITE_OK &&
      (backup = sqlite3_backup_init (memory, "main", self->conn.db, "main")) != NULL)
    {
      copied = sqlite3_backup_step (backup, -1) == SQLITE_DONE;
      copied = sqlite3_backup_finish (backup) == SQLITE_OK && copied;
    }
  close_db (&self->conn);
  self->conn.db = memory;
  if (!copied)
    open_memory (self);
  set_persistent (self, FALSE);
  set_error (self, explain (self, reason, NULL));
}

/* Writing */

static void
op_free (Op *op)
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
  g_queue_free_full (ops, (GDestroyNotify) op_free);
}

static Op *
op_new (OpKind kind, gint64 run_id)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->run_id = run_id;
  return op;
}

static void
assign_ids (SheafStore *self, GListModel *items)
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

static void
load_saved (SheafStore *self)
{
  sqlite3_stmt *stmt = statement (&self->conn, "SELECT id, position, title, text FROM items");

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

static GArray *
rows_new (guint reserved)
{
  GArray *rows = g_array_sized_new (FALSE, FALSE, sizeof (Row), reserved);

  g_array_set_clear_func (rows, (GDestroyNotify) row_clear);
  return rows;
}

static Row
row_from_item (SheafItem *item, guint position)
{
  Row row = { sheaf_item_get_id (item), position, g_strdup (sheaf_item_get_title (item)),
              g_strdup (sheaf_item_get_text (item)) };

  return row;
}

/* What changed in @items since the last call, as it is now. */
static void
diff_items (SheafStore *self, GListModel *items, Op *op)
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
      row = row_from_item (item, i);
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
  sqlite3_stmt *stmt =
    statement (conn, "INSERT INTO items (id, position, title, text) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT (id) DO UPDATE SET position = excluded.position,"
                     " title = excluded.title, text = excluded.text");

  sqlite3_bind_int64 (stmt, 1, row->id);
  sqlite3_bind_int (stmt, 2, (int) row->position);
  bind_text (stmt, 3, row->title);
  bind_text (stmt, 4, row->text != NULL ? row->text : "");
  return step_done (conn, stmt, error);
}

static gboolean
write_items (Conn *conn, Op *op, GError **error)
{
  for (guint i = 0; i < op->rows->len; i++)
    if (!write_row (conn, &g_array_index (op->rows, Row, i), error))
      return FALSE;

  for (guint i = 0; i < op->deleted->len; i++)
    {
      sqlite3_stmt *stmt = statement (conn, "DELETE FROM items WHERE id = ?1");

      sqlite3_bind_int64 (stmt, 1, g_array_index (op->deleted, gint64, i));
      if (!step_done (conn, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_run_item (Conn *conn, gint64 run_id, const Row *row, GError **error)
{
  sqlite3_stmt *stmt = statement (conn, "INSERT OR REPLACE INTO run_items (run_id, item_id,"
                                        " position, title, text) VALUES (?1, ?2, ?3, ?4, ?5)");

  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, row->id);
  sqlite3_bind_int (stmt, 3, (int) row->position);
  bind_text (stmt, 4, row->title);
  bind_text (stmt, 5, row->text);
  if (!step_done (conn, stmt, error))
    return FALSE;
  /* A row that has an answer keeps it until this run gives a new one. */
  stmt = statement (conn, "UPDATE items SET run_id = ?1 WHERE id = ?2 AND NOT EXISTS (SELECT 1"
                          " FROM results r WHERE r.run_id = items.run_id AND r.item_id = items.id"
                          " AND r.state = 'done')");
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, row->id);
  return step_done (conn, stmt, error);
}

static gboolean
write_begin_run (Conn *conn, Op *op, GError **error)
{
  SheafRunInfo *run = op->run;
  sqlite3_stmt *stmt = statement (
    conn, "INSERT INTO runs (id, started, template, model, provider, concurrency, max_tokens,"
          " n_total) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");

  sqlite3_bind_int64 (stmt, 1, run->id);
  sqlite3_bind_int64 (stmt, 2, run->started);
  bind_text (stmt, 3, run->template_);
  bind_text (stmt, 4, run->model);
  bind_text (stmt, 5, run->provider);
  sqlite3_bind_int (stmt, 6, (int) run->concurrency);
  sqlite3_bind_int (stmt, 7, (int) run->max_tokens);
  sqlite3_bind_int (stmt, 8, (int) run->n_total);
  if (!step_done (conn, stmt, error))
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
  stmt = statement (conn, "UPDATE items SET run_id = ?1 WHERE id = ?2");
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, r->item_id);
  return step_done (conn, stmt, error);
}

static gboolean
write_result (Conn *conn, Op *op, GError **error)
{
  Result *r = &op->result;
  sqlite3_stmt *stmt = statement (
    conn,
    "INSERT OR REPLACE INTO results (run_id, item_id, state, response, error,"
    " http_status, attempts, seconds, input_tokens, output_tokens, model, stop_reason,"
    " arrived, sent_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");

  sqlite3_bind_int64 (stmt, 1, op->run_id);
  sqlite3_bind_int64 (stmt, 2, r->item_id);
  bind_text (stmt, 3, r->state);
  bind_text (stmt, 4, r->response);
  bind_text (stmt, 5, r->error);
  sqlite3_bind_int (stmt, 6, (int) r->http_status);
  sqlite3_bind_int (stmt, 7, (int) r->attempts);
  sqlite3_bind_double (stmt, 8, r->seconds);
  sqlite3_bind_int64 (stmt, 9, r->input_tokens);
  sqlite3_bind_int64 (stmt, 10, r->output_tokens);
  bind_text (stmt, 11, r->model);
  bind_text (stmt, 12, r->stop_reason);
  sqlite3_bind_int64 (stmt, 13, r->arrived);
  bind_text (stmt, 14, r->sent_key);
  if (!step_done (conn, stmt, error))
    return FALSE;
  return point_at_result (conn, op->run_id, r, error);
}

static gboolean
write_finish_run (Conn *conn, Op *op, GError **error)
{
  SheafRunInfo *run = op->run;
  sqlite3_stmt *stmt =
    statement (conn, "UPDATE runs SET finished = ?2, n_total = ?3, n_done = ?4, n_failed = ?5,"
                     " n_cancelled = ?6, elapsed = ?7, sum_seconds = ?8, state = ?9 WHERE id = ?1");

  sqlite3_bind_int64 (stmt, 1, op->run_id);
  sqlite3_bind_int64 (stmt, 2, run->finished);
  sqlite3_bind_int (stmt, 3, (int) run->n_total);
  sqlite3_bind_int (stmt, 4, (int) run->n_done);
  sqlite3_bind_int (stmt, 5, (int) run->n_failed);
  sqlite3_bind_int (stmt, 6, (int) run->n_cancelled);
  sqlite3_bind_double (stmt, 7, run->elapsed);
  sqlite3_bind_double (stmt, 8, run->sum_seconds);
  bind_text (stmt, 9, run_state_names[run->state]);
  return step_done (conn, stmt, error);
}

static gboolean
write_setting (Conn *conn, Op *op, GError **error)
{
  sqlite3_stmt *stmt =
    statement (conn, "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)");

  bind_text (stmt, 1, op->key);
  bind_text (stmt, 2, op->value);
  return step_done (conn, stmt, error);
}

static gboolean
write_deleted (Conn *conn, Op *op, GError **error)
{
  sqlite3_stmt *stmt = statement (conn, "UPDATE runs SET deleted = ?2 WHERE id = ?1");

  sqlite3_bind_int64 (stmt, 1, op->run_id);
  sqlite3_bind_int (stmt, 2, op->flag);
  return step_done (conn, stmt, error);
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
        return exec_sql (conn, PURGE_SQL, error);
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
  if (!exec_sql (conn, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (GList *l = ops->head; l != NULL; l = l->next)
    if (!write_op (conn, l->data, error))
      goto fail;
  if (exec_sql (conn, "COMMIT", error))
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

static gboolean
open_writer_db (Conn *conn, const char *path, GError **error)
{
  /* FULL: a commit is on disk when it returns, also across a power cut.
   * It costs an fsync per commit, paid on the writer thread. */
  return connect (conn, path, SQLITE_OPEN_READWRITE, error) &&
         exec_sql (conn, "PRAGMA synchronous = FULL", error);
}

static Writer *
writer_new (const char *path, GSourceFunc on_failure, gpointer data, GError **error)
{
  Writer *w = g_new0 (Writer, 1);

  conn_init (&w->conn);
  if (!open_writer_db (&w->conn, path, error))
    {
      conn_clear (&w->conn);
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
static GError *
writer_stop (Writer *w, GQueue *failed)
{
  GError *error;

  writer_push (w, JOB_QUIT, NULL, NULL);
  g_thread_join (w->thread);
  /* The thread is gone: nothing below is shared any more. */
  error = g_steal_pointer (&w->error);
  *failed = w->failed;
  g_source_destroy (w->wake);
  g_source_unref (w->wake);
  conn_clear (&w->conn);
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
  reason = writer_stop (g_steal_pointer (&self->writer), &failed);
  switch_to_memory (self, reason);
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

static void
start_writer (SheafStore *self)
{
  g_autoptr (GError) error = NULL;

  self->writer = writer_new (self->path, writer_failed_cb, self, &error);
  if (self->writer == NULL)
    switch_to_memory (self, error);
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
  g_queue_clear_full (&self->ops, (GDestroyNotify) op_free);
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

static void
queue_op (SheafStore *self, Op *op)
{
  g_queue_push_tail (&self->ops, op);
  schedule_flush (self);
}

static Op *
push_op (SheafStore *self, OpKind kind, gint64 run_id)
{
  Op *op = op_new (kind, run_id);

  queue_op (self, op);
  return op;
}

static void
note_call (gint64 *max_us, gint64 start)
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
  return read_items (statement (&self->conn,
                                "SELECT i.id, i.title, i.text, " OUTCOME_COLUMNS " FROM items i"
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
  stmt = statement (&self->conn,
                    "SELECT ri.item_id, ri.title, ri.text, " OUTCOME_COLUMNS " FROM run_items ri"
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

  assign_ids (self, items);
  op = op_new (OP_ITEMS, 0);
  op->rows = rows_new (0);
  op->deleted = g_array_new (FALSE, FALSE, sizeof (gint64));
  diff_items (self, items, op);
  if (op->rows->len == 0 && op->deleted->len == 0)
    {
      op_free (op);
      return;
    }
  queue_op (self, op);
}

char *
sheaf_store_dup_setting (SheafStore *self, const char *key)
{
  sqlite3_stmt *stmt;
  char *value = NULL;

  g_return_val_if_fail (SHEAF_IS_STORE (self), NULL);

  sheaf_store_flush (self);
  stmt = statement (&self->conn, "SELECT value FROM settings WHERE key = ?1");
  bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = column_dup (stmt, 0);
  sqlite3_reset (stmt);
  return value;
}

void
sheaf_store_set_setting (SheafStore *self, const char *key, const char *value)
{
  Op *op;

  g_return_if_fail (SHEAF_IS_STORE (self));
  g_return_if_fail (key != NULL);

  op = push_op (self, OP_SETTING, 0);
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
  assign_ids (self, items);
  run = g_new0 (SheafRunInfo, 1);
  run->id = self->next_run_id++;
  run->started = g_get_real_time ();
  g_object_get (batch, "template", &run->template_, "max-tokens", &run->max_tokens, NULL);
  run->model = batch_model (batch);
  if (provider != NULL)
    run->provider = g_strdup (sheaf_provider_kind_to_string (sheaf_provider_get_kind (provider)));
  run->concurrency = sheaf_batch_get_concurrency (batch);
  run->n_total = n;

  op = push_op (self, OP_BEGIN_RUN, run->id);
  op->run = run;
  op->rows = rows_new (n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);
      Row row = row_from_item (item, i);

      g_array_append_val (op->rows, row);
    }
  note_call (&self->timing.begin_run_max_us, start);
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
  op = push_op (self, OP_RESULT, run_id);
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
  note_call (&self->timing.result_max_us, start);
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
  op = push_op (self, OP_FINISH_RUN, run_id);
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
  run->template_ = column_dup (stmt, 3);
  run->model = column_dup (stmt, 4);
  run->provider = column_dup (stmt, 5);
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
  stmt = statement (&self->conn, "SELECT " RUN_COLUMNS " FROM runs WHERE deleted = 0"
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
  stmt = statement (&self->conn, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1");
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

  push_op (self, OP_DELETE_RUN, run_id)->flag = deleted;
}

void
sheaf_store_purge_deleted (SheafStore *self)
{
  g_return_if_fail (SHEAF_IS_STORE (self));

  push_op (self, OP_PURGE, 0);
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
      g_autoptr (GError) error = writer_stop (g_steal_pointer (&self->writer), &failed);

      /* Flushing took any failure already: nothing is left to lose. */
      g_assert (error == NULL && failed.length == 0);
    }
  close_db (&self->conn);
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

  g_queue_clear_full (&self->ops, (GDestroyNotify) op_free);
  conn_clear (&self->conn);
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

  store_open (self);
  load_counters (self);
  load_saved (self);
  if (self->persistent)
    start_writer (self);
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
  conn_init (&self->conn);
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
