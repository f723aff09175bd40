/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every answer stays: Run sends only the texts without a current answer,
 * edits mark answers outdated, Stop keeps what arrived, Retry Failed
 * follows the rows across a restart, and History cannot be edited. */
#include "config.h"

#include "sheaf-history-window.h"
#include "sheaf-test-utils.h"
#include "sheaf-window-test-utils.h"

static void
run_and_wait (SheafWindow *window, guint n_done)
{
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (run_done (window, n_done));
}

/* A new window on @fake whose @n_texts lines are all answered. */
static SheafWindow *
window_answered (SheafFakeProvider *fake, const char *lines, guint n_texts)
{
  SheafWindow *window = window_new ();

  use_fake (window, fake, 0);
  _sheaf_window_add_pasted_text (window, lines, SHEAF_SPLIT_LINES);
  run_and_wait (window, n_texts);
  return window;
}

static void
set_template (SheafWindow *window, const char *template_)
{
  g_settings_set_string (_sheaf_window_get_settings (window), "template", template_);
  /* The answers are judged a moment after the edit. */
  SHEAF_TEST_WAIT_UNTIL (window->outdated_id == 0);
}

/* An edited text is sent again, and only it. */
static void
test_run_sends_unanswered (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_answered (fake, "one\ntwo\nthree", 3);
  g_autofree char *kept = NULL;

  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fake), ==, 3);
  kept = g_strdup (sheaf_item_get_response (item_at (window, 0)));

  sheaf_item_set_text (item_at (window, 1), "two, edited");
  _sheaf_window_schedule_save (window);
  SHEAF_TEST_WAIT_UNTIL (sheaf_item_get_state (item_at (window, 1)) == SHEAF_ITEM_STATE_OUTDATED);
  /* Still readable while outdated. */
  g_assert_nonnull (sheaf_item_get_response (item_at (window, 1)));

  run_and_wait (window, 1);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fake), ==, 4);
  g_assert_true (g_str_has_suffix (sheaf_item_get_response (item_at (window, 1)), "two, edited"));
  g_assert_cmpstr (sheaf_item_get_response (item_at (window, 0)), ==, kept);
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_DONE), ==, 3);
  window_free (window);
}

/* A new template outdates every answer; with all current, Run asks. */
static void
test_template_outdates_and_run_asks (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_answered (fake, "one\ntwo", 2);

  set_template (window, "Shorter: {text}");
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_OUTDATED), ==, 2);
  set_template (window, "{text}");
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_DONE), ==, 2);

  /* Every answer is current: Run asks, and Cancel sends nothing. */
  _sheaf_window_run_now (window, FALSE);
  answer_dialog ("Run Every Text Again?", "cancel");
  sheaf_test_drain ();
  g_assert_false (sheaf_batch_get_running (_sheaf_window_get_batch (window)));
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fake), ==, 2);

  _sheaf_window_run_now (window, FALSE);
  answer_dialog ("Run Every Text Again?", "run");
  SHEAF_TEST_WAIT_UNTIL (run_done (window, 2) && sheaf_fake_provider_get_n_requests (fake) == 4);
  window_free (window);
}

/* Stop, with every row already answered and sent again, changes none. */
static void
test_stop_keeps_done (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_answered (fake, "one\ntwo\nthree", 3);

  sheaf_fake_provider_set_latency_ms (fake, 30000);
  set_template (window, "Again: {text}");
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (sheaf_batch_get_running (_sheaf_window_get_batch (window)));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  SHEAF_TEST_WAIT_UNTIL (!_sheaf_window_is_running (window));

  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (sheaf_item_has_answer (item_at (window, i)));
      g_assert_nonnull (sheaf_item_get_response (item_at (window, i)));
    }
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_CANCELLED), ==, 0);
  window_free (window);
}

/* Failed rows are offered again after Sheaf starts again. */
static void
test_retry_failed_after_restart (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_answered (fake, "fine\nbroken [[fake status=500]]", 1);

  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_FAILED), ==, 1);
  window_free (window);

  window = window_open ();
  use_fake (window, fake, 0);
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_FAILED), ==, 1);
  g_assert_true (action_enabled (window, "Retry Failed"));
  window_free (window);
}

static char *
dup_template_shown (SheafWindow *window)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (window->template_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
assert_settings_shown (SheafWindow *window, const char *template_, const char *model,
                       guint concurrency, guint max_tokens)
{
  g_autofree char *shown = dup_template_shown (window);

  g_assert_cmpstr (shown, ==, template_);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->model_entry)), ==, model);
  g_assert_cmpuint (gtk_spin_button_get_value_as_int (window->concurrency_spin), ==, concurrency);
  g_assert_cmpuint (gtk_spin_button_get_value_as_int (window->max_tokens_spin), ==, max_tokens);
}

static void
set_run_settings (SheafWindow *window, const char *template_, const char *model, guint concurrency,
                  guint max_tokens)
{
  GSettings *settings = _sheaf_window_get_settings (window);

  g_settings_set_string (settings, "template", template_);
  g_settings_set_string (settings, "model", model);
  g_settings_set_uint (settings, "concurrency", concurrency);
  g_settings_set_uint (settings, "max-tokens", max_tokens);
}

static void
assert_label_has (GtkLabel *label, const char *part)
{
  if (strstr (gtk_label_get_label (label), part) == NULL)
    g_error ("“%s” does not say “%s”", gtk_label_get_label (label), part);
}

static const char *
history_subtitle (SheafHistoryWindow *history, int index)
{
  GtkListBoxRow *row =
    gtk_list_box_get_row_at_index (_sheaf_history_window_get_list (history), index);

  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

/* Each run in History says how it was sent. */
static void
assert_history_rows (SheafWindow *window)
{
  SheafHistoryWindow *history = sheaf_history_window_new (window);
  const char *newest = history_subtitle (history, 0), *oldest = history_subtitle (history, 1);

  if (strstr (newest, "6 done, 0 failed") == NULL ||
      strstr (newest, "OpenAI-compatible server · 20 at once · up to 700 tokens") == NULL)
    g_error ("the newest run reads “%s”", g_strescape (newest, NULL));
  if (strstr (oldest, "2 done, 0 failed") == NULL ||
      strstr (oldest, "· 5 at once · up to 300 tokens") == NULL)
    g_error ("the oldest run reads “%s”", g_strescape (oldest, NULL));
  gtk_window_destroy (GTK_WINDOW (history));
}

/* An earlier run shows its own rows, counts, time, provider and settings;
 * none can be changed, none of the settings change, and Back shows the
 * workspace exactly as it was. */
static void
test_history_shows_its_run (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  g_autoptr (GPtrArray) runs = NULL;
  SheafRunInfo *first;

  use_fake (window, fake, 0);
  set_run_settings (window, "First: {text}", "model-a", 5, 300);
  _sheaf_window_add_pasted_text (window, "one\ntwo", SHEAF_SPLIT_LINES);
  run_and_wait (window, 2);
  set_run_settings (window, "Second: {text}", "model-b", 20, 700);
  SHEAF_TEST_WAIT_UNTIL (window->outdated_id == 0);
  _sheaf_window_add_pasted_text (window, "three\nfour\nfive\nsix", SHEAF_SPLIT_LINES);
  run_and_wait (window, 6);
  assert_label_has (window->counts_label, "6 done · 0 failed");

  assert_history_rows (window);
  runs = sheaf_store_list_runs (_sheaf_window_get_store (window));
  first = runs->pdata[runs->len - 1];
  g_assert_cmpuint (first->n_total, ==, 2);
  _sheaf_window_show_run (window, first->id);
  g_assert_true (_sheaf_window_is_viewing (window));
  g_assert_cmpstr (gtk_label_get_label (window->counts_label), ==, "2 done · 0 failed");
  {
    g_autofree char *took = sheaf_format_duration (first->elapsed);
    assert_label_has (window->elapsed_label, took);
  }
  assert_label_has (window->viewing_label, "with an OpenAI-compatible server");
  g_assert_cmpstr (adw_window_title_get_subtitle (window->window_title), ==, "2 texts");
  assert_settings_shown (window, "First: {text}", "model-a", 5, 300);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (window->model_entry)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (window->concurrency_spin)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (window->max_tokens_spin)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (window->template_view)));
  /* The settings themselves stay the workspace's. */
  g_assert_cmpuint (g_settings_get_uint (_sheaf_window_get_settings (window), "concurrency"), ==,
                    20);
  {
    g_autofree char *model = g_settings_get_string (_sheaf_window_get_settings (window), "model");
    g_assert_cmpstr (model, ==, "model-b");
  }

  _sheaf_window_show_workspace (window);
  g_assert_cmpstr (adw_window_title_get_subtitle (window->window_title), ==, "6 texts");
  assert_label_has (window->counts_label, "6 done · 0 failed");
  assert_settings_shown (window, "Second: {text}", "model-b", 20, 700);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (window->model_entry)));
  /* Nothing the earlier run showed made the answers outdated. */
  SHEAF_TEST_WAIT_UNTIL (window->outdated_id == 0);
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_DONE), ==, 6);
  window_free (window);
}

int
main (int argc, char *argv[])
{
  g_autofree char *data_home = window_test_init (&argc, &argv);
  int status;

  g_test_add_func ("/window-answers/run-sends-unanswered", test_run_sends_unanswered);
  g_test_add_func ("/window-answers/template-outdates-and-run-asks",
                   test_template_outdates_and_run_asks);
  g_test_add_func ("/window-answers/stop-keeps-done", test_stop_keeps_done);
  g_test_add_func ("/window-answers/retry-failed-after-restart", test_retry_failed_after_restart);
  g_test_add_func ("/window-answers/history-shows-its-run", test_history_shows_its_run);
  status = g_test_run ();
  sheaf_test_remove_tree (data_home);
  return status;
}
