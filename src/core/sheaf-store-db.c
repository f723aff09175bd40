/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-store"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-store-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "sheaf-error.h"

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

/* Statements */

gboolean
_sheaf_store_exec_sql (Conn *conn, const char *sql, GError **error)
{
  int rc = sqlite3_exec (conn->db, sql, NULL, NULL, NULL);

  return rc == SQLITE_OK || set_db_error (conn, rc, error);
}

/* A prepared statement for @sql (a string literal), reset and ready. */
sqlite3_stmt *
_sheaf_store_statement (Conn *conn, const char *sql)
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

gboolean
_sheaf_store_step_done (Conn *conn, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW || set_db_error (conn, rc, error);
}

void
_sheaf_store_bind_text (sqlite3_stmt *stmt, int column, const char *text)
{
  sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
}

char *
_sheaf_store_column_dup (sqlite3_stmt *stmt, int column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gint64
query_int64 (Conn *conn, const char *sql)
{
  sqlite3_stmt *stmt = _sheaf_store_statement (conn, sql);
  gint64 value = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;

  sqlite3_reset (stmt);
  return value;
}

void
_sheaf_store_conn_init (Conn *conn)
{
  conn->db = NULL;
  conn->statements =
    g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) sqlite3_finalize);
}

void
_sheaf_store_close_db (Conn *conn)
{
  g_hash_table_remove_all (conn->statements);
  g_clear_pointer (&conn->db, sqlite3_close_v2);
}

void
_sheaf_store_conn_clear (Conn *conn)
{
  if (conn->statements != NULL)
    _sheaf_store_close_db (conn);
  g_clear_pointer (&conn->statements, g_hash_table_unref);
}

/* Opening */

static gboolean
migrate (Conn *conn, int version, GError **error)
{
  g_autofree char *set_version =
    g_strdup_printf ("PRAGMA user_version = %d", SHEAF_STORE_SCHEMA_VERSION);

  if (!_sheaf_store_exec_sql (conn, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (int i = version; i < SHEAF_STORE_SCHEMA_VERSION; i++)
    if (!_sheaf_store_exec_sql (conn, migrations[i], error))
      goto fail;
  /* Also a write at every start, so a disk that cannot be written is found
   * now rather than at the first result. */
  if (!_sheaf_store_exec_sql (conn, set_version, error) ||
      !_sheaf_store_exec_sql (conn, MARK_INTERRUPTED_SQL, error) ||
      !_sheaf_store_exec_sql (conn, PURGE_SQL, error) ||
      !_sheaf_store_exec_sql (conn, "COMMIT", error))
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
  return (ok && _sheaf_store_exec_sql (conn, "PRAGMA synchronous = FULL", error)) ||
         (!ok && set_db_error (conn, rc, error));
}

/* Each connection is used by one thread at a time (the writer's by the
 * writer thread only), so SQLite's own locking is not needed. */
gboolean
_sheaf_store_connect (Conn *conn, const char *path, int flags, GError **error)
{
  int rc = sqlite3_open_v2 (path, &conn->db, flags | SQLITE_OPEN_NOMUTEX, NULL);

  if (rc == SQLITE_OK && sqlite3_db_readonly (conn->db, "main") == 1)
    rc = SQLITE_READONLY;
  if (rc != SQLITE_OK)
    {
      set_db_error (conn, rc, error);
      _sheaf_store_close_db (conn);
      return FALSE;
    }
  sqlite3_busy_timeout (conn->db, 200);
  return TRUE;
}

static gboolean
open_db (Conn *conn, const char *path, GError **error)
{
  int version = 0;

  if (!_sheaf_store_connect (conn, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error))
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
  _sheaf_store_close_db (conn);
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
  _sheaf_store_set_error (self, explain (self, reason, moved_to));
  return TRUE;
}

static void
open_memory (SheafStore *self)
{
  g_autoptr (GError) error = NULL;

  _sheaf_store_close_db (&self->conn);
  if (sqlite3_open (":memory:", &self->conn.db) != SQLITE_OK || !migrate (&self->conn, 0, &error))
    g_error ("Cannot keep the work in memory: %s", sqlite3_errmsg (self->conn.db));
  _sheaf_store_set_persistent (self, FALSE);
}

void
_sheaf_store_load_counters (SheafStore *self)
{
  self->next_item_id = query_int64 (&self->conn, "SELECT ifnull(max(id), 0) + 1 FROM items");
  self->next_run_id = query_int64 (&self->conn, "SELECT ifnull(max(id), 0) + 1 FROM runs");
}

void
_sheaf_store_open_file (SheafStore *self)
{
  g_autoptr (GError) reason = NULL;

  self->persistent = TRUE;
  if (self->path == NULL || !open_file (self, &reason))
    {
      open_memory (self);
      if (reason != NULL)
        _sheaf_store_set_error (self, explain (self, reason, NULL));
    }
}

/* After a failed write: carry what the file holds (read through the main
 * thread's connection) over to memory, so the window loses nothing, and
 * keep going there. */
void
_sheaf_store_switch_to_memory (SheafStore *self, const GError *reason)
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
  _sheaf_store_close_db (&self->conn);
  self->conn.db = memory;
  if (!copied)
    open_memory (self);
  _sheaf_store_set_persistent (self, FALSE);
  _sheaf_store_set_error (self, explain (self, reason, NULL));
}
