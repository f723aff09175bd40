/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <glib/gi18n.h>

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sheaf-core.h"
#include "sheaf-fake-provider.h"
#include "sheaf-store-private.h"
#include "sheaf-test-utils.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = sheaf_test_make_tmp_dir ("sheaf-store-XXXXXX");
  f->path = g_build_filename (f->dir, "sheaf", "sheaf.db", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *top = g_path_get_dirname (f->path);

  g_chmod (top, 0700);
  sheaf_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

/* Helpers */

static GListStore *
make_items (guint n, const char *prefix)
{
  GListStore *items = g_list_store_new (SHEAF_TYPE_ITEM);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("%s %u", prefix, i);
      g_autoptr (SheafItem) item = sheaf_item_new (text, text);

      g_list_store_append (items, item);
    }
  return items;
}

static SheafItem *
item_at (GListModel *items, guint i)
{
  g_autoptr (SheafItem) item = g_list_model_get_item (items, i);

  return item; /* the list keeps it */
}

static SheafBatch *
make_batch (SheafFakeProvider *fake, const char *key)
{
  g_autofree char *url = sheaf_fake_provider_dup_base_url (fake, SHEAF_PROVIDER_KIND_OPENAI);
  g_autoptr (SheafProvider) provider = sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, url, key);
  SheafBatch *batch = sheaf_batch_new (provider);

  g_object_set (batch, "template", "{text}", "model", "fake-model", "retries", 0, NULL);
  return batch;
}

static void
run_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_assert_true (sheaf_batch_run_finish (SHEAF_BATCH (source), result, NULL));
  *(gboolean *) user_data = TRUE;
}

/* Runs @items through @batch, recorded in @store (NULL: not recorded);
 * returns the run's wall time in seconds. */
static double
run_batch (SheafStore *store, SheafBatch *batch, GListModel *items)
{
  gboolean done = FALSE;
  gint64 start = g_get_monotonic_time ();

  sheaf_batch_run_async (batch, items, NULL, run_cb, &done);
  if (store != NULL)
    g_assert_cmpint (sheaf_store_track_run (store, batch, items), >, 0);
  sheaf_test_wait_for_flag (&done, 120, "the run");
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

/* Another connection to the file, as a second program would open it. */
static gint64
count_rows (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 1000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static void
assert_store_error (SheafStore *store, SheafError code)
{
  const GError *error = sheaf_store_get_error (store);

  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_error ((GError *) error, SHEAF_ERROR, (int) code);
}

/* The store keeps working, in memory or not. */
static void
assert_store_works (SheafStore *store)
{
  g_autoptr (GListStore) items = make_items (3, "kept");
  g_autoptr (GPtrArray) loaded = NULL;
  g_autofree char *setting = NULL;

  sheaf_store_save_items (store, G_LIST_MODEL (items));
  sheaf_store_set_setting (store, "template", "T {text}");
  loaded = sheaf_store_load_items (store);
  g_assert_cmpuint (loaded->len, ==, 3);
  g_assert_cmpstr (sheaf_item_get_text (loaded->pdata[2]), ==, "kept 2");
  setting = sheaf_store_dup_setting (store, "template");
  g_assert_cmpstr (setting, ==, "T {text}");
}

static gboolean
file_has_bytes (const char *path, const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  gsize needle_length = strlen (needle);

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  /* The file holds NUL bytes: no str*() function reads it all. */
  for (gsize i = 0; i + needle_length <= length; i++)
    if (memcmp (contents + i, needle, needle_length) == 0)
      return TRUE;
  return FALSE;
}

/* Tests */

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  g_autoptr (SheafBatch) batch = make_batch (fake, "");
  g_autoptr (GListStore) items = make_items (4, "text");
  g_autoptr (SheafStore) store = sheaf_store_new (f->path);
  g_autoptr (GPtrArray) loaded = NULL;
  g_autoptr (GPtrArray) runs = NULL;
  g_autoptr (GPtrArray) run_items = NULL;
  g_autofree char *template_ = NULL;
  SheafRunInfo *run;

  g_assert_true (sheaf_store_get_persistent (store));
  g_assert_null (sheaf_store_get_error (store));
  sheaf_item_set_text (item_at (G_LIST_MODEL (items), 3), "broken [[fake status=400]]");
  sheaf_store_save_items (store, G_LIST_MODEL (items));
  sheaf_store_set_setting (store, "template", "Say {text}");
  run_batch (store, batch, G_LIST_MODEL (items));

  /* Edits after the run: a title, an order, a removal. */
  sheaf_item_set_title (item_at (G_LIST_MODEL (items), 0), "first, renamed");
  g_list_store_remove (items, 1);
  sheaf_store_save_items (store, G_LIST_MODEL (items));
  g_clear_object (&store);

  store = sheaf_store_new (f->path);
  g_assert_null (sheaf_store_get_error (store));
  loaded = sheaf_store_load_items (store);
  g_assert_cmpuint (loaded->len, ==, 3);
  g_assert_cmpstr (sheaf_item_get_title (loaded->pdata[0]), ==, "first, renamed");
  g_assert_cmpstr (sheaf_item_get_text (loaded->pdata[1]), ==, "text 2");
  g_assert_cmpint (sheaf_item_get_id (loaded->pdata[1]), ==,
                   sheaf_item_get_id (item_at (G_LIST_MODEL (items), 1)));
  g_assert_cmpint (sheaf_item_get_state (loaded->pdata[1]), ==, SHEAF_ITEM_STATE_DONE);
  g_assert_cmpstr (sheaf_item_get_response (loaded->pdata[1]), ==,
                   sheaf_item_get_response (item_at (G_LIST_MODEL (items), 1)));
  g_assert_cmpstr (sheaf_item_get_model (loaded->pdata[1]), ==, "fake-model");
  g_assert_cmpuint (sheaf_item_get_attempts (loaded->pdata[1]), ==, 1);
  g_assert_cmpint (sheaf_item_get_state (loaded->pdata[2]), ==, SHEAF_ITEM_STATE_FAILED);
  g_assert_cmpuint (sheaf_item_get_http_status (loaded->pdata[2]), ==, 400);
  g_assert_nonnull (sheaf_item_get_error_message (loaded->pdata[2]));
  template_ = sheaf_store_dup_setting (store, "template");
  g_assert_cmpstr (template_, ==, "Say {text}");

  runs = sheaf_store_list_runs (store);
  g_assert_cmpuint (runs->len, ==, 1);
  run = runs->pdata[0];
  g_assert_cmpint (run->state, ==, SHEAF_RUN_STATE_FINISHED);
  g_assert_cmpuint (run->n_total, ==, 4);
  g_assert_cmpuint (run->n_done, ==, 3);
  g_assert_cmpuint (run->n_failed, ==, 1);
  g_assert_cmpstr (run->template_, ==, "{text}");
  g_assert_cmpstr (run->model, ==, "fake-model");
  g_assert_cmpstr (run->provider, ==, "openai");
  g_assert_cmpfloat (run->elapsed, >, 0);
  g_assert_cmpint (run->finished, >=, run->started);

  /* The run as it was sent, with the removed text. */
  run_items = sheaf_store_load_run_items (store, run->id);
  g_assert_cmpuint (run_items->len, ==, 4);
  g_assert_cmpstr (sheaf_item_get_text (run_items->pdata[1]), ==, "text 1");
  g_assert_cmpint (sheaf_item_get_state (run_items->pdata[1]), ==, SHEAF_ITEM_STATE_DONE);
}

static void
test_edit_keeps_answer (Fixture *f, gconstpointer data)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  g_autoptr (SheafBatch) batch = make_batch (fake, "");
  g_autoptr (GListStore) items = make_items (2, "text");
  g_autoptr (SheafStore) store = sheaf_store_new (f->path);
  g_autoptr (GPtrArray) loaded = NULL;
  g_autoptr (GListStore) reloaded = g_list_store_new (SHEAF_TYPE_ITEM);

  sheaf_store_save_items (store, G_LIST_MODEL (items));
  run_batch (store, batch, G_LIST_MODEL (items));
  /* A new text keeps the answer it had, which is now outdated. */
  sheaf_item_set_text (item_at (G_LIST_MODEL (items), 0), "new text");
  sheaf_store_save_items (store, G_LIST_MODEL (items));
  g_clear_object (&store);

  store = sheaf_store_new (f->path);
  loaded = sheaf_store_load_items (store);
  g_assert_nonnull (sheaf_item_get_response (loaded->pdata[0]));
  g_assert_nonnull (sheaf_item_get_sent_key (loaded->pdata[0]));
  for (guint i = 0; i < loaded->len; i++)
    g_list_store_append (reloaded, loaded->pdata[i]);
  g_assert_cmpuint (sheaf_batch_mark_outdated (batch, G_LIST_MODEL (reloaded)), ==, 1);
  g_assert_cmpint (sheaf_item_get_state (loaded->pdata[0]), ==, SHEAF_ITEM_STATE_OUTDATED);
  g_assert_cmpint (sheaf_item_get_state (loaded->pdata[1]), ==, SHEAF_ITEM_STATE_DONE);
}

/* A run that is stopped before it answers a row leaves that row's answer
 * in the workspace, also after a restart, and records the stop in its own
 * history. */
static void
test_stop_keeps_saved_answer (Fixture *f, gconstpointer data)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  g_autoptr (SheafBatch) batch = make_batch (fake, "");
  g_autoptr (GListStore) items = make_items (3, "text");
  g_autoptr (SheafStore) store = sheaf_store_new (f->path);
  g_autoptr (GPtrArray) loaded = NULL;
  g_autoptr (GPtrArray) runs = NULL;
  g_autoptr (GPtrArray) second = NULL;
  g_autofree char *answer = NULL;

  sheaf_store_save_items (store, G_LIST_MODEL (items));
  run_batch (store, batch, G_LIST_MODEL (items));
  answer = g_strdup (sheaf_item_get_response (item_at (G_LIST_MODEL (items), 1)));

  sheaf_fake_provider_set_latency_ms (fake, 30000);
  sheaf_batch_run_async (batch, G_LIST_MODEL (items), NULL, NULL, NULL);
  sheaf_store_track_run (store, batch, G_LIST_MODEL (items));
  sheaf_test_drain ();
  sheaf_batch_stop (batch);
  SHEAF_TEST_WAIT_UNTIL (!sheaf_batch_get_running (batch));
  g_assert_cmpint (sheaf_item_get_state (item_at (G_LIST_MODEL (items), 1)), ==,
                   SHEAF_ITEM_STATE_DONE);
  g_clear_object (&store);

  store = sheaf_store_new (f->path);
  loaded = sheaf_store_load_items (store);
  g_assert_cmpuint (loaded->len, ==, 3);
  for (guint i = 0; i < loaded->len; i++)
    g_assert_cmpint (sheaf_item_get_state (loaded->pdata[i]), ==, SHEAF_ITEM_STATE_DONE);
  g_assert_cmpstr (sheaf_item_get_response (loaded->pdata[1]), ==, answer);
  runs = sheaf_store_list_runs (store);
  g_assert_cmpuint (runs->len, ==, 2);
  second = sheaf_store_load_run_items (store, ((SheafRunInfo *) runs->pdata[0])->id);
  g_assert_cmpint (sheaf_item_get_state (second->pdata[1]), ==, SHEAF_ITEM_STATE_CANCELLED);
}

typedef struct
{
  const char *path;
  gint64 found_us;
} Poll;

static gboolean
poll_file_cb (gpointer user_data)
{
  Poll *poll = user_data;

  if (count_rows (poll->path, "SELECT count(*) FROM results") > 0)
    {
      poll->found_us = g_get_monotonic_time ();
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
test_on_disk_within_a_second (Fixture *f, gconstpointer data)
{
  g_autoptr (GListStore) items = make_items (1, "text");
  g_autoptr (SheafStore) store = sheaf_store_new (f->path);
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  g_autoptr (SheafBatch) batch = make_batch (fake, "");
  SheafItem *item = item_at (G_LIST_MODEL (items), 0);
  Poll poll = { f->path, 0 };
  gint64 arrived;
  guint id;

  sheaf_store_save_items (store, G_LIST_MODEL (items));
  g_assert_true (sheaf_store_flush (store));
  sheaf_store_begin_run (store, batch, G_LIST_MODEL (items));
  g_assert_true (sheaf_store_flush (store));

  sheaf_item_set_state (item, SHEAF_ITEM_STATE_DONE);
  sheaf_item_set_response (item, "an answer");
  sheaf_store_record_result (store, 1, item);
  arrived = g_get_monotonic_time ();
  id = g_timeout_add (10, poll_file_cb, &poll);
  SHEAF_TEST_WAIT_UNTIL (poll.found_us != 0);
  g_test_message ("A result was readable on disk %.0f ms after it arrived",
                  (poll.found_us - arrived) / 1000.0);
  g_assert_cmpint (poll.found_us - arrived, <, G_USEC_PER_SEC);
  /* The writer thread counts a commit done just after it is on disk. */
  SHEAF_TEST_WAIT_UNTIL (!sheaf_store_get_pending (store));
  (void) id;
}

static void
test_newer_version (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_length, after_length;
  g_autoptr (SheafStore) store = NULL;
  sqlite3 *db;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE future (x); INSERT INTO future VALUES (42);"
                                 "PRAGMA user_version = 99;",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_true (g_file_get_contents (f->path, &before, &before_length, NULL));

  store = sheaf_store_new (f->path);
  g_assert_false (sheaf_store_get_persistent (store));
  assert_store_error (store, SHEAF_ERROR_STORE_NEWER);
  sheaf_test_assert_contains (sheaf_store_get_error (store)->message, "newer version");
  assert_store_works (store);
  g_clear_object (&store);

  g_assert_true (g_file_get_contents (f->path, &after, &after_length, NULL));
  g_assert_cmpmem (before, before_length, after, after_length);
  g_assert_cmpint (count_rows (f->path, "PRAGMA user_version"), ==, 99);
}

/* The one file named sheaf.db.corrupt-* in the folder of @path. */
static char *
find_corrupt (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  char *found = NULL;

  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "sheaf.db.corrupt-") && !g_str_has_suffix (name, "-wal") &&
        !g_str_has_suffix (name, "-shm"))
      {
        g_assert_null (found);
        found = g_build_filename (dir, name, NULL);
      }
  return found;
}

static void
assert_moved_aside (Fixture *f, const char *bytes, gsize length)
{
  g_autoptr (SheafStore) store = sheaf_store_new (f->path);
  g_autofree char *moved = find_corrupt (f->path);
  g_autofree char *kept = NULL;
  gsize kept_length;

  g_assert_true (sheaf_store_get_persistent (store));
  assert_store_error (store, SHEAF_ERROR_STORE_CORRUPT);
  g_assert_nonnull (moved);
  sheaf_test_assert_contains (sheaf_store_get_error (store)->message, moved);
  g_assert_true (g_file_get_contents (moved, &kept, &kept_length, NULL));
  g_assert_cmpmem (kept, kept_length, bytes, length);

  /* A fresh file that works, and is still there next time. */
  assert_store_works (store);
  g_clear_object (&store);
  store = sheaf_store_new (f->path);
  g_assert_null (sheaf_store_get_error (store));
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM items"), ==, 3);
}

static void
test_corrupt_header (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autoptr (GString) garbage = g_string_new (NULL);

  for (guint i = 0; i < 512; i++)
    g_string_append (garbage, "not a database ");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->path, garbage->str, (gssize) garbage->len, NULL));

  assert_moved_aside (f, garbage->str, garbage->len);
}

static void
test_corrupt_pages (Fixture *f, gconstpointer data)
{
  g_autoptr (GListStore) items = make_items (2000, "a text that fills pages, number");
  g_autoptr (SheafStore) store = sheaf_store_new (f->path);
  g_autofree char *contents = NULL;
  gsize length;

  sheaf_store_save_items (store, G_LIST_MODEL (items));
  g_clear_object (&store);

  /* Keep the header, scribble over every page after the first two. */
  g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 3 * 4096);
  memset (contents + 2 * 4096, 0x5a, length - 2 * 4096);
  g_assert_true (g_file_set_contents (f->path, contents, (gssize) length, NULL));

  assert_moved_aside (f, contents, length);
}

static void
test_locked (Fixture *f, gconstpointer data)
{
  g_autoptr (SheafStore) first = sheaf_store_new (f->path);
  g_autoptr (SheafStore) second = sheaf_store_new (f->path);
  g_autoptr (GPtrArray) loaded = NULL;

  g_assert_true (sheaf_store_get_persistent (first));
  g_assert_false (sheaf_store_get_persistent (second));
  assert_store_error (second, SHEAF_ERROR_STORE_LOCKED);
  assert_store_works (second);

  /* The first one never saw the second one's work. */
  loaded = sheaf_store_load_items (first);
  g_assert_cmpuint (loaded->len, ==, 0);
  g_clear_object (&first);

  /* Once the first Sheaf is gone, the file is free again. */
  g_clear_object (&second);
  second = sheaf_store_new (f->path);
  g_assert_true (sheaf_store_get_persistent (second));
}

static void
test_folder_not_writable (Fixture *f, gconstpointer data)
{
  g_autofree char *file = g_build_filename (f->dir, "a-file", NULL);
  g_autofree char *under_file = g_build_filename (file, "sheaf", "sheaf.db", NULL);
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autoptr (SheafStore) store = NULL;

  /* A folder that cannot be made: its parent is a file. */
  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  store = sheaf_store_new (under_file);
  g_assert_false (sheaf_store_get_persistent (store));
  assert_store_error (store, SHEAF_ERROR_STORE_WRITE);
  sheaf_test_assert_contains (sheaf_store_get_error (store)->message, "cannot save your work");
  assert_store_works (store);
  g_clear_object (&store);

  /* A folder without write permission. Root writes anyway, so there this
   * half cannot be checked; the half above and /store/read-only-later
   * cover the same code. */
  if (geteuid () == 0)
    {
      g_test_message ("Running as root: a read-only folder cannot be simulated with chmod");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
  store = sheaf_store_new (f->path);
  g_assert_false (sheaf_store_get_persistent (store));
  assert_store_error (store, SHEAF_ERROR_STORE_WRITE);
  assert_store_works (store);
}

/* A store with @n items and a finished run of them, all on disk. */
static SheafStore *
store_with_run (Fixture *f, GListStore *items)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  g_autoptr (SheafBatch) batch = make_batch (fake, "");
  SheafStore *store = sheaf_store_new (f->path);

  sheaf_store_save_items (store, G_LIST_MODEL (items));
  run_batch (store, batch, G_LIST_MODEL (items));
  g_assert_true (sheaf_store_flush (store));
  return store;
}

/* A write fails later: the store goes to memory with all it had. */
static void
assert_write_failure_kept (SheafStore *store, GListStore *items, const char *reason, gboolean flush)
{
  g_autoptr (GPtrArray) loaded = NULL;
  g_autoptr (GPtrArray) runs = NULL;
  SheafItem *item = item_at (G_LIST_MODEL (items), 0);
  g_autofree char *big = g_strnfill (256 * 1024, 'x');

  sheaf_item_set_response (item, big);
  sheaf_store_record_result (store, 1, item);
  if (flush)
    g_assert_false (sheaf_store_flush (store));
  else /* The writer thread fails on its own; the main loop hears of it. */
    SHEAF_TEST_WAIT_UNTIL (!sheaf_store_get_persistent (store));
  g_assert_false (sheaf_store_get_persistent (store));
  assert_store_error (store, SHEAF_ERROR_STORE_WRITE);
  sheaf_test_assert_contains (sheaf_store_get_error (store)->message, reason);

  loaded = sheaf_store_load_items (store);
  g_assert_cmpuint (loaded->len, ==, g_list_model_get_n_items (G_LIST_MODEL (items)));
  g_assert_cmpstr (sheaf_item_get_response (loaded->pdata[0]), ==, big);
  g_assert_cmpint (sheaf_item_get_state (loaded->pdata[1]), ==, SHEAF_ITEM_STATE_DONE);
  runs = sheaf_store_list_runs (store);
  g_assert_cmpuint (runs->len, ==, 1);
  assert_store_works (store);
}

static void
fill_disk (Fixture *f, SheafStore *store)
{
  g_autofree char *limit = NULL;

  /* No page more than the file has now: SQLITE_FULL, as on a full disk. */
  limit = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                           count_rows (f->path, "PRAGMA page_count"));
  g_assert_cmpint (_sheaf_store_exec (store, limit), ==, SQLITE_OK);
}

static void
test_full_disk (Fixture *f, gconstpointer data)
{
  g_autoptr (GListStore) items = make_items (20, "text");
  g_autoptr (SheafStore) store = store_with_run (f, items);

  fill_disk (f, store);
  assert_write_failure_kept (store, items, "disk is full", TRUE);
}

/* The same, found by a timed commit while nobody waits for it. */
static void
test_full_disk_unflushed (Fixture *f, gconstpointer data)
{
  g_autoptr (GListStore) items = make_items (20, "text");
  g_autoptr (SheafStore) store = store_with_run (f, items);

  fill_disk (f, store);
  assert_write_failure_kept (store, items, "disk is full", FALSE);
}

static void
test_read_only_later (Fixture *f, gconstpointer data)
{
  g_autoptr (GListStore) items = make_items (5, "text");
  g_autoptr (SheafStore) store = store_with_run (f, items);

  /* Every write now fails with SQLITE_READONLY, as on a read-only disk. */
  g_assert_cmpint (_sheaf_store_exec (store, "PRAGMA query_only = 1"), ==, SQLITE_OK);
  assert_write_failure_kept (store, items, "cannot be written", TRUE);
}

static void
test_restore_10000 (Fixture *f, gconstpointer data)
{
  const guint n = 10000;
  g_autoptr (GListStore) items = make_items (n, "Text number");
  g_autoptr (SheafStore) store = sheaf_store_new (f->path);
  g_autoptr (SheafBatch) batch = sheaf_batch_new (NULL);
  g_autoptr (GPtrArray) loaded = NULL;
  gint64 start, saved_us, results_us, open_us, load_us;
  gint64 run_id;

  start = g_get_monotonic_time ();
  sheaf_store_save_items (store, G_LIST_MODEL (items));
  run_id = sheaf_store_begin_run (store, batch, G_LIST_MODEL (items));
  g_assert_true (sheaf_store_flush (store));
  saved_us = g_get_monotonic_time () - start;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      SheafItem *item = item_at (G_LIST_MODEL (items), i);
      g_autofree char *answer = g_strdup_printf ("Answer %u: a sentence of some length.", i);

      sheaf_item_set_state (item, i % 10 == 0 ? SHEAF_ITEM_STATE_FAILED : SHEAF_ITEM_STATE_DONE);
      sheaf_item_set_response (item, answer);
      sheaf_item_set_seconds (item, 1.5);
      sheaf_store_record_result (store, run_id, item);
    }
  g_assert_true (sheaf_store_flush (store));
  results_us = g_get_monotonic_time () - start;
  g_clear_object (&store);

  start = g_get_monotonic_time ();
  store = sheaf_store_new (f->path);
  open_us = g_get_monotonic_time () - start;
  start = g_get_monotonic_time ();
  loaded = sheaf_store_load_items (store);
  load_us = g_get_monotonic_time () - start;

  g_test_message ("10,000 rows: saving the items and the run %.0f ms, 10,000 results in one "
                  "commit %.0f ms, opening %.0f ms, restoring %.0f ms",
                  saved_us / 1000.0, results_us / 1000.0, open_us / 1000.0, load_us / 1000.0);
  g_assert_cmpuint (loaded->len, ==, n);
  g_assert_cmpstr (sheaf_item_get_text (loaded->pdata[9999]), ==, "Text number 9999");
  g_assert_cmpstr (sheaf_item_get_response (loaded->pdata[4321]), ==,
                   "Answer 4321: a sentence of some length.");
  g_assert_cmpint (sheaf_item_get_state (loaded->pdata[10]), ==, SHEAF_ITEM_STATE_FAILED);
  g_assert_cmpfloat (sheaf_item_get_seconds (loaded->pdata[5]), ==, 1.5);
}

static void
test_key_never_stored (Fixture *f, gconstpointer data)
{
  const char *key = "sk-test-VERY-SECRET-0123456789";
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  g_autoptr (SheafBatch) batch = make_batch (fake, key);
  g_autoptr (GListStore) items = make_items (3, "text");
  g_autoptr (SheafStore) store = sheaf_store_new (f->path);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);

  sheaf_fake_provider_set_api_key (fake, key);
  sheaf_store_save_items (store, G_LIST_MODEL (items));
  run_batch (store, batch, G_LIST_MODEL (items));
  g_assert_true (sheaf_store_flush (store));
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fake), ==, 3);
  g_assert_nonnull (sheaf_item_get_response (item_at (G_LIST_MODEL (items), 0)));

  /* Both while the store is open (the WAL holds the commits) and after. */
  g_assert_true (file_has_bytes (f->path, "text 1") || file_has_bytes (wal, "text 1"));
  g_assert_false (file_has_bytes (f->path, key));
  g_assert_false (file_has_bytes (wal, key));
  g_clear_object (&store);
  g_assert_true (file_has_bytes (f->path, "text 1"));
  g_assert_false (file_has_bytes (f->path, key));
}

static void
test_delete_undo_purge (Fixture *f, gconstpointer data)
{
  g_autoptr (GListStore) items = make_items (3, "text");
  g_autoptr (SheafStore) store = store_with_run (f, items);
  g_autoptr (GPtrArray) runs = NULL;
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  g_autoptr (SheafBatch) batch = make_batch (fake, "");
  g_autoptr (GListStore) others = make_items (2, "other");
  gint64 first;

  run_batch (store, batch, G_LIST_MODEL (others));
  runs = sheaf_store_list_runs (store);
  g_assert_cmpuint (runs->len, ==, 2);
  first = ((SheafRunInfo *) runs->pdata[1])->id;
  g_clear_pointer (&runs, g_ptr_array_unref);

  sheaf_store_set_run_deleted (store, first, TRUE);
  runs = sheaf_store_list_runs (store);
  g_assert_cmpuint (runs->len, ==, 1);
  g_clear_pointer (&runs, g_ptr_array_unref);

  sheaf_store_set_run_deleted (store, first, FALSE);
  runs = sheaf_store_list_runs (store);
  g_assert_cmpuint (runs->len, ==, 2);
  g_clear_pointer (&runs, g_ptr_array_unref);

  sheaf_store_set_run_deleted (store, first, TRUE);
  sheaf_store_purge_deleted (store);
  g_assert_true (sheaf_store_flush (store));
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM runs"), ==, 1);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM run_items"), ==, 2);
}

/* A batch killed with SIGKILL in the middle of its run */

typedef struct
{
  GPid pid;
  int out_fd;
} Child;

static Child
spawn_helper (const char *db, const char *url, guint n, guint concurrency)
{
  g_autofree char *n_str = g_strdup_printf ("%u", n);
  g_autofree char *c_str = g_strdup_printf ("%u", concurrency);
  const char *helper = g_getenv ("SHEAF_STORE_HELPER");
  const char *argv[] = { helper, db, url, n_str, c_str, NULL };
  g_autoptr (GError) error = NULL;
  Child child = { 0, -1 };

  g_assert_nonnull (helper);
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &child.pid, NULL, &child.out_fd, NULL, &error);
  g_assert_no_error (error);
  return child;
}

/* At most 16 answers every 4 ms, 4,000 a second: three kills never reach
 * the end of the items. */
#define KILL_N_ITEMS     20000
#define KILL_CONCURRENCY 16
#define KILL_LATENCY_MS  4
#define KILL_ANSWER_SIZE 160
#define KILL_TIMES       3

/* What the fake answers to @prompt: "Echo: ", the prompt and its "lorem
 * ipsum" padding up to KILL_ANSWER_SIZE bytes. */
static char *
expected_answer (const char *prompt)
{
  static const char *const words[] = { " lorem", " ipsum", " dolor", " sit", " amet" };
  g_autoptr (GString) padding = g_string_new (NULL);
  GString *answer = g_string_new ("Echo: ");
  gsize pad;

  g_string_append (answer, prompt);
  pad = KILL_ANSWER_SIZE > answer->len ? KILL_ANSWER_SIZE - answer->len : 0;
  for (guint i = 0; padding->len < pad; i++)
    g_string_append (padding, words[i % G_N_ELEMENTS (words)]);
  g_string_append_len (answer, padding->str, (gssize) pad);
  return g_string_free (answer, FALSE);
}

/* Items whose answer left the server whole more than a second before
 * @kill_us. */
static GHashTable *
delivered_before (SheafFakeProvider *fake, gint64 kill_us)
{
  GHashTable *delivered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < KILL_N_ITEMS; i++)
    {
      g_autofree char *text = g_strdup_printf ("item %u", i);
      GArray *deliveries = sheaf_fake_provider_get_deliveries (fake, text);

      if (deliveries != NULL && deliveries->len > 0 &&
          g_array_index (deliveries, gint64, 0) < kill_us - G_USEC_PER_SEC)
        g_hash_table_add (delivered, g_steal_pointer (&text));
    }
  return delivered;
}

/* Every answer delivered long enough before the kill is saved with its
 * whole text, every saved answer is whole, and the rest were interrupted. */
static void
assert_restored_after_kill (const char *path, GHashTable *delivered, guint n_runs)
{
  g_autoptr (SheafStore) store = sheaf_store_new (path);
  g_autoptr (GPtrArray) loaded = sheaf_store_load_items (store);
  g_autoptr (GPtrArray) runs = sheaf_store_list_runs (store);
  guint n_done = 0, n_interrupted = 0;

  g_assert_null (sheaf_store_get_error (store));
  g_assert_cmpuint (loaded->len, ==, KILL_N_ITEMS);
  for (guint i = 0; i < loaded->len; i++)
    {
      SheafItem *item = loaded->pdata[i];
      const char *text = sheaf_item_get_text (item);

      if (sheaf_item_get_state (item) == SHEAF_ITEM_STATE_DONE)
        {
          g_autofree char *expected = expected_answer (text);

          g_assert_cmpstr (sheaf_item_get_response (item), ==, expected);
          n_done++;
        }
      else if (sheaf_store_item_is_interrupted (item))
        n_interrupted++;
      else
        g_error ("“%s” is neither done nor interrupted", text);
      if (g_hash_table_contains (delivered, text))
        g_assert_cmpint (sheaf_item_get_state (item), ==, SHEAF_ITEM_STATE_DONE);
    }
  g_test_message ("After kill %u: %u of %u answers delivered more than 1 s before it, %u saved "
                  "with their whole text, %u rows interrupted",
                  n_runs, g_hash_table_size (delivered), KILL_N_ITEMS, n_done, n_interrupted);
  g_assert_cmpuint (n_interrupted, >, 0);
  g_assert_cmpuint (runs->len, ==, n_runs);
  g_assert_cmpint (((SheafRunInfo *) runs->pdata[0])->state, ==, SHEAF_RUN_STATE_INTERRUPTED);
}

/* Runs the helper on @db until 500 requests have come and then another
 * 1.2 s, and kills it; returns when it was killed. */
static gint64
run_and_kill_helper (SheafFakeProvider *fake, const char *db, const char *url)
{
  guint first = sheaf_fake_provider_get_n_requests (fake);
  Child child = spawn_helper (db, url, KILL_N_ITEMS, KILL_CONCURRENCY);
  gint64 busy_us, kill_us;
  int status;

  SHEAF_TEST_WAIT_UNTIL (sheaf_fake_provider_get_n_requests (fake) >= first + 500);
  busy_us = g_get_monotonic_time ();
  SHEAF_TEST_WAIT_UNTIL (g_get_monotonic_time () >= busy_us + 6 * G_USEC_PER_SEC / 5);
  g_assert_cmpint (kill (child.pid, SIGKILL), ==, 0);
  kill_us = g_get_monotonic_time ();
  g_test_message ("%u answers a second before the kill",
                  (guint) ((sheaf_fake_provider_get_n_requests (fake) - first - 500) /
                           ((kill_us - busy_us) / (double) G_USEC_PER_SEC)));
  g_assert_cmpint (waitpid (child.pid, &status, 0), ==, child.pid);
  g_assert_true (WIFSIGNALED (status));
  g_spawn_close_pid (child.pid);
  close (child.out_fd);
  return kill_us;
}

/* The writer killed again and again while thousands of answers a second
 * arrive; each time it comes back on what the store kept and goes on. */
static void
test_killed_mid_run (Fixture *f, gconstpointer data)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  g_autofree char *url = sheaf_fake_provider_dup_base_url (fake, SHEAF_PROVIDER_KIND_OPENAI);

  sheaf_fake_provider_set_latency_ms (fake, KILL_LATENCY_MS);
  sheaf_fake_provider_set_answer_bytes (fake, KILL_ANSWER_SIZE);
  for (guint k = 1; k <= KILL_TIMES; k++)
    {
      gint64 kill_us = run_and_kill_helper (fake, f->path, url);
      g_autoptr (GHashTable) delivered = delivered_before (fake, kill_us);

      g_assert_cmpuint (g_hash_table_size (delivered), >=, 500 * k);
      assert_restored_after_kill (f->path, delivered, k);
    }
}

static void
report_timing (SheafStore *store, const char *what)
{
  SheafStoreTiming t;

  _sheaf_store_take_timing (store, &t);
  g_test_message ("%s: %u timed flushes, %.2f ms on average and %.2f ms at most on the main "
                  "thread; recording a result %.3f ms at most, beginning the run %.2f ms",
                  what, t.n_flushes, t.n_flushes > 0 ? t.flush_total_us / 1000.0 / t.n_flushes : 0,
                  t.flush_max_us / 1000.0, t.result_max_us / 1000.0, t.begin_run_max_us / 1000.0);
}

/* What storing costs a run of 10,000 rows of 2 KB answers (-m perf). */
static void
test_perf_run (Fixture *f, gconstpointer data)
{
  const guint n = 10000;
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  g_autoptr (SheafBatch) batch = make_batch (fake, "");
  g_autoptr (GListStore) items = make_items (n, "Text number");
  g_autoptr (SheafStore) store = sheaf_store_new (f->path);
  double without[2], with[2];

  sheaf_fake_provider_set_latency_ms (fake, 20);
  sheaf_fake_provider_set_answer_bytes (fake, 2048);
  sheaf_batch_set_concurrency (batch, 100);
  sheaf_store_save_items (store, G_LIST_MODEL (items));
  g_assert_true (sheaf_store_flush (store));
  /* Alternate, so that warming up favours neither. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *what = g_strdup_printf ("Run %u with the store", i + 1);

      without[i] = run_batch (NULL, batch, G_LIST_MODEL (items));
      _sheaf_store_take_timing (store, &(SheafStoreTiming){ 0 });
      with[i] = run_batch (store, batch, G_LIST_MODEL (items));
      report_timing (store, what);
      g_assert_true (sheaf_store_flush (store));
    }
  g_test_message ("10,000 rows, 100 at a time, 20 ms each: %.2f s and %.2f s without the store, "
                  "%.2f s and %.2f s with it (WAL, synchronous=FULL): %+.1f %%",
                  without[0], without[1], with[0], with[1],
                  100.0 * ((with[0] + with[1]) / (without[0] + without[1]) - 1.0));
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM results"), ==, 2 * n);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/store/round-trip", test_round_trip);
  ADD ("/store/edit-keeps-answer", test_edit_keeps_answer);
  ADD ("/store/stop-keeps-saved-answer", test_stop_keeps_saved_answer);
  ADD ("/store/on-disk-within-a-second", test_on_disk_within_a_second);
  ADD ("/store/newer-version", test_newer_version);
  ADD ("/store/corrupt-header", test_corrupt_header);
  ADD ("/store/corrupt-pages", test_corrupt_pages);
  ADD ("/store/locked", test_locked);
  ADD ("/store/folder-not-writable", test_folder_not_writable);
  ADD ("/store/full-disk", test_full_disk);
  ADD ("/store/full-disk-unflushed", test_full_disk_unflushed);
  ADD ("/store/read-only-later", test_read_only_later);
  ADD ("/store/restore-10000", test_restore_10000);
  ADD ("/store/key-never-stored", test_key_never_stored);
  ADD ("/store/delete-undo-purge", test_delete_undo_purge);
  ADD ("/store/killed-mid-run", test_killed_mid_run);
  if (g_test_perf ())
    ADD ("/store/perf/run-10000", test_perf_run);

  return g_test_run ();
}
