/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-history-window.h"
#include "sheaf-preferences-window.h"
#include "sheaf-test-utils.h"
#include "sheaf-window-test-utils.h"

/* Tests */

static void
test_empty_then_items (void)
{
  SheafWindow *window = window_new ();
  GListModel *items = _sheaf_window_get_items (window);

  g_assert_true (ADW_IS_STATUS_PAGE (_sheaf_window_get_main_page (window)));
  g_assert_false (action_enabled (window, "Run"));

  g_assert_cmpuint (_sheaf_window_add_pasted_text (window, "First one.\n\nSecond\none.\n\n\nThird.",
                                                   SHEAF_SPLIT_PARAGRAPHS),
                    ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 3);
  g_assert_cmpstr (sheaf_item_get_text (item_at (window, 1)), ==, "Second\none.");
  g_assert_false (ADW_IS_STATUS_PAGE (_sheaf_window_get_main_page (window)));
  g_assert_true (action_enabled (window, "Run"));
  g_assert_false (action_enabled (window, "Stop"));
  g_assert_cmpstr (_sheaf_window_get_last_toast (window), ==, "Added 3 texts");

  g_assert_cmpuint (_sheaf_window_add_pasted_text (window, "a\nb\n", SHEAF_SPLIT_LINES), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 5);

  /* Remove and undo through the toast's button, move, clear. */
  _sheaf_window_move_item (window, item_at (window, 4), -1);
  g_assert_cmpstr (sheaf_item_get_text (item_at (window, 3)), ==, "b");
  _sheaf_window_clear_all (window);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 0);
  g_assert_true (ADW_IS_STATUS_PAGE (_sheaf_window_get_main_page (window)));

  window_free (window);
}

static GFile *
write_file (const char *dir, const char *name, const char *contents, gsize length)
{
  g_autofree char *path = sheaf_test_write_file (dir, name, contents, (gssize) length);

  return g_file_new_for_path (path);
}

static gboolean
not_adding (gpointer data)
{
  return !_sheaf_window_is_adding (data);
}

/* Several refused at once: one toast counts them, its Details say why. */
static void
assert_refusals_summed (SheafWindow *window, const char *dir)
{
  GFile *files[4];
  AdwMessageDialog *dialog;
  const char *body;

  files[0] = write_file (dir, "fine.txt", "Fine.\n", 6);
  files[1] = write_file (dir, "blank.txt", " \n", 2);
  files[2] = write_file (dir, "image.bin", "\x89PNG\0\0\0\rIHDR", 12);
  files[3] = write_file (dir, "void.md", "", 0);
  sheaf_window_add_files (window, files, 4);
  sheaf_test_wait_until (not_adding, window, SHEAF_TEST_WAIT_SECONDS, "the files to be read");
  g_assert_cmpuint (g_list_model_get_n_items (_sheaf_window_get_items (window)), ==, 3);
  g_assert_cmpstr (_sheaf_window_get_last_toast (window), ==, "3 of 4 files were not added");

  g_signal_emit_by_name (_sheaf_window_get_last_toast_object (window), "button-clicked");
  SHEAF_TEST_WAIT_UNTIL (find_dialog ("3 of 4 files were not added") != NULL);
  dialog = find_dialog ("3 of 4 files were not added");
  body = adw_message_dialog_get_body (dialog);
  sheaf_test_assert_contains (body, "“blank.txt” is empty");
  sheaf_test_assert_contains (body, "“image.bin” contains a NUL byte");
  sheaf_test_assert_contains (body, "“void.md” is empty");
  gtk_window_destroy (GTK_WINDOW (dialog));
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_object_unref (files[i]);
}

static void
test_refuse_bad_files (void)
{
  SheafWindow *window = window_new ();
  g_autofree char *dir = sheaf_test_make_tmp_dir ("sheaf-ui-XXXXXX");
  GFile *files[3];

  files[0] = write_file (dir, "good.txt", "A good text.\n", 13);
  files[1] = write_file (dir, "empty.txt", "  \n", 3);
  files[2] = write_file (dir, "notes.md", "More notes.", 11);
  sheaf_window_add_files (window, files, 3);
  sheaf_test_wait_until (not_adding, window, SHEAF_TEST_WAIT_SECONDS, "the files to be read");

  g_assert_cmpuint (g_list_model_get_n_items (_sheaf_window_get_items (window)), ==, 2);
  g_assert_cmpstr (sheaf_item_get_title (item_at (window, 0)), ==, "good");
  g_assert_cmpstr (sheaf_item_get_title (item_at (window, 1)), ==, "notes");
  g_assert_nonnull (strstr (_sheaf_window_get_last_toast (window), "empty.txt"));

  for (guint i = 0; i < 3; i++)
    g_object_unref (files[i]);

  files[0] = write_file (dir, "picture.bin", "\x89PNG\0\0\0\rIHDR", 12);
  sheaf_window_add_files (window, files, 1);
  sheaf_test_wait_until (not_adding, window, SHEAF_TEST_WAIT_SECONDS, "the binary file to be read");
  g_assert_cmpuint (g_list_model_get_n_items (_sheaf_window_get_items (window)), ==, 2);
  g_assert_nonnull (strstr (_sheaf_window_get_last_toast (window), "picture.bin"));
  g_object_unref (files[0]);

  assert_refusals_summed (window, dir);
  sheaf_test_remove_tree (dir);
  window_free (window);
}

/* More files than one reading task takes: every one arrives, in order. */
static void
test_add_many_files (void)
{
  SheafWindow *window = window_new ();
  g_autofree char *dir = sheaf_test_make_tmp_dir ("sheaf-ui-XXXXXX");
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *items = _sheaf_window_get_items (window);

  for (guint i = 0; i < 600; i++)
    {
      g_autofree char *name = g_strdup_printf ("text-%03u.txt", i);
      g_autofree char *text = g_strdup_printf ("Text number %u.", i);

      g_ptr_array_add (files, write_file (dir, name, text, strlen (text)));
    }
  g_ptr_array_add (files, write_file (dir, "blank.txt", " \n", 2));
  sheaf_window_add_files (window, (GFile **) files->pdata, files->len);
  sheaf_test_wait_until (not_adding, window, SHEAF_TEST_WAIT_SECONDS, "the files to be read");

  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 600);
  for (guint i = 0; i < 600; i += 97)
    {
      g_autofree char *title = g_strdup_printf ("text-%03u", i);
      g_assert_cmpstr (sheaf_item_get_title (item_at (window, i)), ==, title);
    }
  g_assert_nonnull (strstr (_sheaf_window_get_last_toast (window), "blank.txt"));

  sheaf_test_remove_tree (dir);
  window_free (window);
}

typedef struct
{
  SheafWindow *window;
  guint n_done;
} RunDone;

static gboolean
run_finished (gpointer data)
{
  RunDone *run = data;
  SheafBatch *batch = _sheaf_window_get_batch (run->window);

  return !_sheaf_window_is_running (run->window) && sheaf_batch_get_n_done (batch) == run->n_done;
}

static gboolean
run_over (gpointer data)
{
  return !_sheaf_window_is_running (data);
}

static gboolean
toast_starts_with (gpointer data)
{
  SheafWindow *window = g_object_get_data (data, "window");
  const char *prefix = g_object_get_data (data, "prefix");
  const char *toast = _sheaf_window_get_last_toast (window);

  return toast != NULL && g_str_has_prefix (toast, prefix);
}

static void
wait_for_toast (SheafWindow *window, const char *prefix)
{
  g_autoptr (GObject) data = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_set_data (data, "window", window);
  g_object_set_data (data, "prefix", (gpointer) prefix);
  sheaf_test_wait_until (toast_starts_with, data, SHEAF_TEST_WAIT_SECONDS, prefix);
}

static void
record_state (SheafItem *item, GParamSpec *pspec, GString *states)
{
  g_string_append_printf (states, "%s ", sheaf_item_state_to_string (sheaf_item_get_state (item)));
}

static void
test_run (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  g_autoptr (GString) states = g_string_new ("queued ");
  RunDone run = { window, 6 };

  sheaf_fake_provider_set_latency_ms (fake, 30);
  use_fake (window, fake, 0);
  g_settings_set_uint (_sheaf_window_get_settings (window), "concurrency", 2);
  _sheaf_window_add_pasted_text (window, "one\ntwo\nthree\nfour\nfive\nsix", SHEAF_SPLIT_LINES);
  g_signal_connect (item_at (window, 5), "notify::state", G_CALLBACK (record_state), states);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  sheaf_test_wait_until (batch_running, window, SHEAF_TEST_WAIT_SECONDS, "the run to start");
  g_assert_false (action_enabled (window, "Run"));
  g_assert_true (action_enabled (window, "Stop"));
  sheaf_test_wait_until (run_finished, &run, SHEAF_TEST_WAIT_SECONDS, "six answers");

  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_DONE), ==, 6);
  g_assert_cmpstr (states->str, ==, "queued running done ");
  g_assert_true (g_str_has_prefix (sheaf_item_get_response (item_at (window, 2)), "Echo: three"));
  g_assert_cmpuint (sheaf_fake_provider_get_max_in_flight (fake), <=, 2);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, "four"), ==, 1);
  g_assert_nonnull (strstr (gtk_label_get_label (window->counts_label), "6 done · 0 failed"));
  wait_for_toast (window, "Finished in");
  g_assert_true (action_enabled (window, "Run"));
  g_assert_false (action_enabled (window, "Retry Failed"));

  g_signal_handlers_disconnect_by_func (item_at (window, 5), record_state, states);
  window_free (window);
}

static void
count_notify (GObject *object, GParamSpec *pspec, guint *n)
{
  (*n)++;
}

/* The status bar follows a fast run once a frame, not once a result, and
 * still ends on the exact counts. */
static void
test_counts_coalesced (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_autoptr (GString) texts = g_string_new (NULL);
  RunDone run = { window, 300 };
  guint n_labels = 0, n_frames = 0;
  int io_priority;

  g_object_get (_sheaf_window_get_batch (window), "io-priority", &io_priority, NULL);
  g_assert_cmpint (io_priority, ==, GDK_PRIORITY_REDRAW);
  use_fake (window, fake, 0);
  g_settings_set_uint (_sheaf_window_get_settings (window), "concurrency", 50);
  for (guint i = 0; i < 300; i++)
    g_string_append_printf (texts, "text %u\n", i);
  _sheaf_window_add_pasted_text (window, texts->str, SHEAF_SPLIT_LINES);

  g_signal_connect (window->counts_label, "notify::label", G_CALLBACK (count_notify), &n_labels);
  g_signal_connect (clock, "after-paint", G_CALLBACK (count_frame), &n_frames);
  _sheaf_window_run_now (window, FALSE);
  sheaf_test_wait_until (run_finished, &run, SHEAF_TEST_WAIT_SECONDS, "300 answers");
  g_signal_handlers_disconnect_by_func (clock, count_frame, &n_frames);
  g_signal_handlers_disconnect_by_func (window->counts_label, count_notify, &n_labels);
  g_test_message ("%u label changes, %u frames", n_labels, n_frames);

  /* One change as the run starts and one as it ends, besides the frames. */
  g_assert_cmpuint (n_labels, <=, n_frames + 2);
  g_assert_cmpuint (n_labels, <, 300);
  g_assert_cmpstr (gtk_label_get_label (window->counts_label), ==, "300 done · 0 failed");
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (window->progress_bar), ==, 1.0);
  window_free (window);
}

static gboolean
some_done (gpointer data)
{
  RunDone *run = data;

  return sheaf_batch_get_n_done (_sheaf_window_get_batch (run->window)) >= run->n_done;
}

/* A file opened from elsewhere while the list cannot change is refused,
 * with a toast that says why. */
static void
open_file_while_busy (SheafWindow *window, const char *toast)
{
  g_autofree char *dir = sheaf_test_make_tmp_dir ("sheaf-ui-busy-XXXXXX");
  g_autofree char *path = sheaf_test_write_file (dir, "late.txt", "Came in late.", -1);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  guint before = g_list_model_get_n_items (_sheaf_window_get_items (window));

  sheaf_window_add_files (window, &file, 1);
  sheaf_test_drain ();
  g_assert_cmpuint (g_list_model_get_n_items (_sheaf_window_get_items (window)), ==, before);
  g_assert_true (g_str_has_prefix (_sheaf_window_get_last_toast (window), toast));
  sheaf_test_remove_tree (dir);
}

static void
test_stop (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  RunDone run = { window, 2 };

  sheaf_fake_provider_set_latency_ms (fake, 10000);
  use_fake (window, fake, 0);
  g_settings_set_uint (_sheaf_window_get_settings (window), "concurrency", 10);
  _sheaf_window_add_pasted_text (window,
                                 "fast [[fake latency=10]]\nslow 1\nslow 2\n"
                                 "also fast [[fake latency=10]]\nslow 3",
                                 SHEAF_SPLIT_LINES);

  _sheaf_window_run_now (window, FALSE);
  sheaf_test_wait_until (some_done, &run, SHEAF_TEST_WAIT_SECONDS, "the fast answers");
  open_file_while_busy (window, "Sheaf is sending texts now.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  sheaf_test_wait_until (run_over, window, SHEAF_TEST_WAIT_SECONDS, "the run to stop");

  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_DONE), ==, 2);
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_CANCELLED), ==, 3);
  g_assert_nonnull (sheaf_item_get_response (item_at (window, 3)));
  g_assert_true (action_enabled (window, "Retry Failed"));
  g_assert_false (action_enabled (window, "Stop"));

  window_free (window);
}

static void
test_retry_failed (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  const char *flaky = "flaky [[fake status=500 times=1]]";
  RunDone run = { window, 2 };

  sheaf_fake_provider_set_latency_ms (fake, 5);
  use_fake (window, fake, 0);
  _sheaf_window_add_pasted_text (window, "fine\nflaky [[fake status=500 times=1]]\nalso fine",
                                 SHEAF_SPLIT_LINES);

  _sheaf_window_run_now (window, FALSE);
  sheaf_test_wait_until (run_finished, &run, SHEAF_TEST_WAIT_SECONDS, "the first run");
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_FAILED), ==, 1);
  g_assert_cmpuint (sheaf_item_get_state (item_at (window, 1)), ==, SHEAF_ITEM_STATE_FAILED);
  g_assert_true (action_enabled (window, "Retry Failed"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.retry-failed", NULL));
  run.n_done = 1;
  sheaf_test_wait_until (batch_running, window, SHEAF_TEST_WAIT_SECONDS, "the retry to start");
  sheaf_test_wait_until (run_finished, &run, SHEAF_TEST_WAIT_SECONDS, "the retry");

  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_DONE), ==, 3);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, flaky), ==, 2);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, "fine"), ==, 1);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, "also fine"), ==, 1);

  window_free (window);
}

static void
test_export (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  g_autofree char *dir = sheaf_test_make_tmp_dir ("sheaf-ui-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "results.csv", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "missing", "results.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFile) bad_file = g_file_new_for_path (bad_path);
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  RunDone run = { window, 2 };

  sheaf_fake_provider_set_latency_ms (fake, 5);
  use_fake (window, fake, 0);
  _sheaf_window_add_pasted_text (window, "comma, \"quote\"\nsecond", SHEAF_SPLIT_LINES);
  _sheaf_window_run_now (window, FALSE);
  sheaf_test_wait_until (run_finished, &run, SHEAF_TEST_WAIT_SECONDS, "the run");

  _sheaf_window_export_to_file (window, file);
  wait_for_toast (window, "Saved");
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  rows = sheaf_csv_parse (contents, length, NULL);
  g_assert_nonnull (rows);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (((char **) rows->pdata[0])[0], ==, "index");
  g_assert_cmpstr (((char **) rows->pdata[1])[2], ==, "comma, \"quote\"");
  g_assert_cmpstr (((char **) rows->pdata[1])[3], ==, "done");

  /* A folder that does not exist: said in plain words, nothing lost. */
  _sheaf_window_export_to_file (window, bad_file);
  wait_for_toast (window, "The table was not saved");
  g_assert_cmpuint (g_list_model_get_n_items (_sheaf_window_get_items (window)), ==, 2);
  g_assert_nonnull (sheaf_item_get_response (item_at (window, 0)));

  sheaf_test_remove_tree (dir);
  window_free (window);
}

static void
test_provider_down (void)
{
  SheafFakeProvider *fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  RunDone run = { window, 0 };

  use_fake (window, fake, 0);
  /* Nothing listens on that port any more. */
  g_object_unref (fake);
  _sheaf_window_add_pasted_text (window, "one\ntwo", SHEAF_SPLIT_LINES);

  _sheaf_window_run_now (window, FALSE);
  sheaf_test_wait_until (batch_running, window, SHEAF_TEST_WAIT_SECONDS, "the run to start");
  sheaf_test_wait_until (run_finished, &run, SHEAF_TEST_WAIT_SECONDS, "the run");
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_FAILED), ==, 2);
  g_assert_nonnull (sheaf_item_get_error_message (item_at (window, 0)));
  g_assert_cmpstr (sheaf_item_get_error_message (item_at (window, 0)), !=, "");

  /* The window keeps working. */
  g_assert_cmpuint (_sheaf_window_add_pasted_text (window, "three", SHEAF_SPLIT_LINES), ==, 1);
  g_assert_true (action_enabled (window, "Run"));
  g_assert_true (action_enabled (window, "Retry Failed"));

  window_free (window);
}

static void
test_accessible_names (void)
{
  SheafWindow *window = window_new ();
  const char *names[] = { "Run",         "Stop",         "Add Files…", "Paste Text",
                          "Export CSV…", "Retry Failed", "Preferences" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (find_button (GTK_WIDGET (window), names[i]) == NULL)
      g_error ("No button is named “%s”", names[i]);

  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (window->concurrency_spin),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Concurrency");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (window->template_view),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Template");

  window_free (window);
}

static void
test_preferences (void)
{
  SheafWindow *window = window_new ();
  GSettings *settings = _sheaf_window_get_settings (window);
  SheafPreferencesWindow *prefs = g_object_ref (sheaf_preferences_window_new (GTK_WINDOW (window)));
  g_autofree char *provider = NULL;

  gtk_window_present (GTK_WINDOW (prefs));
  /* Choosing a local server preset writes provider and base URL. */
  g_settings_set_string (settings, "provider", "openai");
  g_settings_set_string (settings, "base-url", "http://localhost:1234/v1");
  g_settings_set_string (settings, "base-url", "http://localhost:11434/v1");
  provider = g_settings_get_string (settings, "provider");
  g_assert_cmpstr (provider, ==, "openai");

  /* Let the keyring look-up (turned off here) report back. */
  sheaf_test_drain ();
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  window_free (window);
}

/* Saved work */

static void
test_restore (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  GSettings *settings = _sheaf_window_get_settings (window);
  g_autofree char *template_ = NULL;

  sheaf_fake_provider_set_latency_ms (fake, 5);
  use_fake (window, fake, 0);
  g_settings_set_uint (settings, "concurrency", 2);
  _sheaf_window_add_pasted_text (window, "one\ntwo\nthree [[fake status=400]]\nfour",
                                 SHEAF_SPLIT_LINES);
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (run_done (window, 3));
  window_free (window);

  /* The settings are forgotten too: they come back from the saved work. */
  reset_settings ();
  window = window_open ();
  settings = _sheaf_window_get_settings (window);
  g_assert_cmpuint (g_list_model_get_n_items (_sheaf_window_get_items (window)), ==, 4);
  g_assert_cmpstr (sheaf_item_get_text (item_at (window, 1)), ==, "two");
  /* The connection is not part of the saved work: until the window points
   * at the fake again the answers may read as outdated, but they are there. */
  g_assert_true (sheaf_item_has_answer (item_at (window, 1)));
  g_assert_true (g_str_has_prefix (sheaf_item_get_response (item_at (window, 1)), "Echo: two"));
  g_assert_cmpint (sheaf_item_get_state (item_at (window, 2)), ==, SHEAF_ITEM_STATE_FAILED);
  template_ = g_settings_get_string (settings, "template");
  g_assert_cmpstr (template_, ==, "{text}");
  g_assert_cmpuint (g_settings_get_uint (settings, "concurrency"), ==, 2);
  g_assert_false (gtk_revealer_get_reveal_child (window->resume_revealer));
  g_assert_false (gtk_revealer_get_reveal_child (window->store_warning_revealer));
  window_free (window);
}

/* Whether @window is still open (tests keep a reference to closed ones). */
static gboolean
is_open (GtkWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) other = g_list_model_get_item (toplevels, i);
      if (other == window)
        return TRUE;
    }
  return FALSE;
}

static void
test_close_while_running (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();

  sheaf_fake_provider_set_latency_ms (fake, 10000);
  use_fake (window, fake, 0);
  g_settings_set_uint (_sheaf_window_get_settings (window), "concurrency", 10);
  _sheaf_window_add_pasted_text (window,
                                 "fast [[fake latency=10]]\nslow 1\nlater [[fake latency=1500]]\n"
                                 "also fast [[fake latency=10]]",
                                 SHEAF_SPLIT_LINES);
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (sheaf_batch_get_n_done (_sheaf_window_get_batch (window)) == 2);

  /* Asked first, with what stopping keeps and leaves, as the run goes on. */
  gtk_window_close (GTK_WINDOW (window));
  SHEAF_TEST_WAIT_UNTIL (find_dialog ("Stop the Run and Close?") != NULL);
  sheaf_test_assert_contains (adw_message_dialog_get_body (find_dialog ("Stop the Run and Close?")),
                              "2 answers have arrived and stay saved. 2 texts are still running");
  SHEAF_TEST_WAIT_UNTIL (
    strstr (adw_message_dialog_get_body (find_dialog ("Stop the Run and Close?")),
            "3 answers have arrived and stay saved. 1 text is still running") != NULL);
  /* Keeping it running keeps the window. */
  answer_dialog ("Stop the Run and Close?", "cancel");
  g_assert_true (sheaf_batch_get_running (_sheaf_window_get_batch (window)));

  gtk_window_close (GTK_WINDOW (window));
  answer_dialog ("Stop the Run and Close?", "stop");
  SHEAF_TEST_WAIT_UNTIL (!is_open (GTK_WINDOW (window)));
  g_assert_finalize_object (window);

  window = window_open ();
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_DONE), ==, 3);
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_CANCELLED), ==, 1);
  g_assert_true (g_str_has_prefix (sheaf_item_get_response (item_at (window, 3)), "Echo: also"));
  g_assert_false (gtk_revealer_get_reveal_child (window->resume_revealer));
  window_free (window);
}

/* Saved work as a run killed half-way leaves it: r0 answered, r1 failed,
 * r2 and r3 still out. */
static void
save_interrupted_run (SheafFakeProvider *fake)
{
  g_autoptr (SheafStore) store = sheaf_store_new_default ();
  g_autofree char *url = sheaf_fake_provider_dup_base_url (fake, SHEAF_PROVIDER_KIND_OPENAI);
  g_autoptr (SheafProvider) provider = sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, url, "");
  g_autoptr (SheafBatch) batch = sheaf_batch_new (provider);
  g_autoptr (GListStore) items = g_list_store_new (SHEAF_TYPE_ITEM);
  const char *texts[] = { "r0", "r1", "r2", "r3" };
  gint64 run_id;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (SheafItem) item = sheaf_item_new (texts[i], texts[i]);
      g_list_store_append (items, item);
    }
  sheaf_store_save_items (store, G_LIST_MODEL (items));
  run_id = sheaf_store_begin_run (store, batch, G_LIST_MODEL (items));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (G_LIST_MODEL (items), i);

      sheaf_item_set_state (item, i == 0 ? SHEAF_ITEM_STATE_DONE : SHEAF_ITEM_STATE_FAILED);
      sheaf_item_set_response (item, i == 0 ? "Echo: r0" : NULL);
      sheaf_store_record_result (store, run_id, item);
    }
  g_assert_true (sheaf_store_flush (store));
  /* No finish: as after a kill. */
}

static void
test_resume (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window;

  reset_settings ();
  reset_saved_work ();
  save_interrupted_run (fake);
  window = window_open ();
  use_fake (window, fake, 0);

  g_assert_cmpint (sheaf_item_get_state (item_at (window, 0)), ==, SHEAF_ITEM_STATE_DONE);
  g_assert_cmpint (sheaf_item_get_state (item_at (window, 1)), ==, SHEAF_ITEM_STATE_FAILED);
  g_assert_true (sheaf_store_item_is_interrupted (item_at (window, 2)));
  g_assert_true (sheaf_store_item_is_interrupted (item_at (window, 3)));
  sheaf_test_assert_contains (sheaf_item_get_error_message (item_at (window, 3)), "Interrupted");
  g_assert_true (gtk_revealer_get_reveal_child (window->resume_revealer));
  sheaf_test_assert_contains (gtk_label_get_label (window->resume_label), "2 texts");
  /* The banner follows the rows: one removed, one left to send. */
  g_list_store_remove (window->items, 3);
  sheaf_test_assert_contains (gtk_label_get_label (window->resume_label), "1 text was");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.resume", NULL));
  SHEAF_TEST_WAIT_UNTIL (run_done (window, 1));
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, "r0"), ==, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, "r1"), ==, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, "r2"), ==, 1);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, "r3"), ==, 0);
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_DONE), ==, 2);
  g_assert_cmpstr (sheaf_item_get_response (item_at (window, 0)), ==, "Echo: r0");
  g_assert_false (gtk_revealer_get_reveal_child (window->resume_revealer));
  window_free (window);
}

static SheafHistoryWindow *
open_history (SheafWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.history", NULL));
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) other = g_list_model_get_item (toplevels, i);
      if (SHEAF_IS_HISTORY_WINDOW (other))
        return SHEAF_HISTORY_WINDOW (other);
    }
  g_error ("No History window");
}

static guint
count_rows (SheafHistoryWindow *history)
{
  GtkListBox *list = _sheaf_history_window_get_list (history);
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, (int) n) != NULL)
    n++;
  return n;
}

static void
delete_row (SheafHistoryWindow *history, int index)
{
  GtkListBoxRow *row =
    gtk_list_box_get_row_at_index (_sheaf_history_window_get_list (history), index);

  g_signal_emit_by_name (find_button (GTK_WIDGET (row), "Delete Run"), "clicked");
  answer_dialog ("Delete This Run?", "delete");
}

static void
history_run_twice (SheafWindow *window, SheafFakeProvider *fake)
{
  use_fake (window, fake, 0);
  _sheaf_window_add_pasted_text (window, "first\nsecond", SHEAF_SPLIT_LINES);
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (run_done (window, 2));
  _sheaf_window_add_pasted_text (window, "third", SHEAF_SPLIT_LINES);
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (run_done (window, 1));
}

static void
test_history_open_export (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  g_autofree char *dir = sheaf_test_make_tmp_dir ("sheaf-ui-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "run.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  SheafHistoryWindow *history;
  GtkListBoxRow *row;

  history_run_twice (window, fake);
  history = open_history (window);
  g_assert_cmpuint (count_rows (history), ==, 2);

  /* The older run, read-only in the table, exported again. */
  row = gtk_list_box_get_row_at_index (_sheaf_history_window_get_list (history), 1);
  g_signal_emit_by_name (_sheaf_history_window_get_list (history), "row-activated", row);
  g_assert_true (_sheaf_window_is_viewing (window));
  g_assert_cmpuint (g_list_model_get_n_items (_sheaf_window_get_shown (window)), ==, 2);
  g_assert_true (gtk_revealer_get_reveal_child (window->viewing_revealer));
  g_assert_false (action_enabled (window, "Run"));
  open_file_while_busy (window, "An earlier run is shown.");
  _sheaf_window_export_to_file (window, file);
  wait_for_toast (window, "Saved");
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  sheaf_test_assert_contains (contents, "Echo: second");
  g_assert_null (strstr (contents, "third"));

  /* Its texts become the list, ready for a new run. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.use-shown-texts", NULL));
  g_assert_false (_sheaf_window_is_viewing (window));
  g_assert_cmpuint (g_list_model_get_n_items (_sheaf_window_get_items (window)), ==, 2);
  g_assert_cmpint (sheaf_item_get_state (item_at (window, 1)), ==, SHEAF_ITEM_STATE_QUEUED);
  g_assert_cmpstr (sheaf_item_get_text (item_at (window, 1)), ==, "second");
  g_assert_true (action_enabled (window, "Run"));

  sheaf_test_remove_tree (dir);
  window_free (window);
}

static void
test_history_delete_undo (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  SheafStore *store = _sheaf_window_get_store (window);
  SheafHistoryWindow *history;
  g_autoptr (GPtrArray) runs = NULL;
  g_autoptr (SheafRunInfo) purged = NULL;
  gint64 newest;

  history_run_twice (window, fake);
  runs = sheaf_store_list_runs (store);
  newest = ((SheafRunInfo *) runs->pdata[0])->id;
  history = open_history (window);

  delete_row (history, 0);
  g_assert_cmpuint (count_rows (history), ==, 1);
  g_signal_emit_by_name (_sheaf_history_window_get_undo_toast (history), "button-clicked");
  g_assert_cmpuint (count_rows (history), ==, 2);

  delete_row (history, 0);
  g_assert_cmpuint (count_rows (history), ==, 1);
  adw_toast_dismiss (_sheaf_history_window_get_undo_toast (history));
  sheaf_store_flush (store);
  purged = sheaf_store_get_run (store, newest);
  g_assert_null (purged);
  /* The list keeps the answers it shows. */
  g_assert_cmpint (sheaf_item_get_state (item_at (window, 2)), ==, SHEAF_ITEM_STATE_DONE);

  window_free (window);
}

static void
test_insecure_key (void)
{
  const char *key = "sk-test-NEVER-IN-CLEAR-42";
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  GSettings *settings = _sheaf_window_get_settings (window);
  /* This machine under a name that is not "localhost": to Sheaf, another
   * host. Were the key sent, it would reach the fake provider. */
  g_autofree char *url =
    g_strdup_printf ("http://%s:%u/v1", g_get_host_name (), sheaf_fake_provider_get_port (fake));
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "sheaf", "sheaf.db", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  AdwMessageDialog *dialog;

  g_setenv ("OPENAI_API_KEY", key, TRUE);
  use_fake (window, fake, 0);
  g_settings_set_string (settings, "base-url", url);
  _sheaf_window_add_pasted_text (window, "one\ntwo", SHEAF_SPLIT_LINES);
  dialog = run_refused (window);
  sheaf_test_assert_contains (adw_message_dialog_get_body (dialog), "unencrypted");
  sheaf_test_assert_contains (adw_message_dialog_get_body (dialog), "https://");
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fake), ==, 0);
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_QUEUED), ==, 2);
  g_assert_true (action_enabled (window, "Run"));
  g_unsetenv ("OPENAI_API_KEY");

  /* Nor does the key reach the saved work. */
  sheaf_store_flush (_sheaf_window_get_store (window));
  g_assert_true (g_file_get_contents (db, &contents, &length, NULL));
  for (gsize i = 0; i + strlen (key) <= length; i++)
    g_assert_true (memcmp (contents + i, key, strlen (key)) != 0);

  window_free (window);
}

static void
record_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  g_free (*(char **) user_data);
  *(char **) user_data = g_strdup (response);
}

static void
test_confirm_dialog (void)
{
  AdwMessageDialog *dialog = sheaf_confirm_dialog_new (NULL, "Throw It Away?", "It is gone then.",
                                                       "_Keep", "throw", "_Throw Away");
  g_autofree char *answer = NULL;

  g_object_ref_sink (dialog);
  /* The safe answer is the default, and what closing the dialog gives. */
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "cancel"), ==, "_Keep");
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "throw"), ==, "_Throw Away");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "throw"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_signal_connect (dialog, "response", G_CALLBACK (record_response), &answer);
  adw_message_dialog_response (dialog, "throw");
  g_assert_cmpstr (answer, ==, "throw");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

int
main (int argc, char *argv[])
{
  g_autofree char *data_home = window_test_init (&argc, &argv);
  int status;

  g_test_add_func ("/window/confirm-dialog", test_confirm_dialog);
  g_test_add_func ("/window/empty-then-items", test_empty_then_items);
  g_test_add_func ("/window/refuse-bad-files", test_refuse_bad_files);
  g_test_add_func ("/window/add-many-files", test_add_many_files);
  g_test_add_func ("/window/run", test_run);
  g_test_add_func ("/window/counts-coalesced", test_counts_coalesced);
  g_test_add_func ("/window/stop", test_stop);
  g_test_add_func ("/window/retry-failed", test_retry_failed);
  g_test_add_func ("/window/export", test_export);
  g_test_add_func ("/window/provider-down", test_provider_down);
  g_test_add_func ("/window/accessible-names", test_accessible_names);
  g_test_add_func ("/window/preferences", test_preferences);
  g_test_add_func ("/window/restore", test_restore);
  g_test_add_func ("/window/close-while-running", test_close_while_running);
  g_test_add_func ("/window/resume", test_resume);
  g_test_add_func ("/window/history-open-export", test_history_open_export);
  g_test_add_func ("/window/history-delete-undo", test_history_delete_undo);
  g_test_add_func ("/window/insecure-key", test_insecure_key);

  status = g_test_run ();
  sheaf_test_remove_tree (data_home);
  return status;
}
