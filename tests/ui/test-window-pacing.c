/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-window-pacing"

#include "config.h"

#include "sheaf-cell.h"
#include "sheaf-preferences-window.h"
#include "sheaf-test-utils.h"
#include "sheaf-window-test-utils.h"

/* The window when a run cannot go at full speed (issue 10): rows not sent,
 * the banner of a run that stopped early, what holds a run back, caps of
 * the person's own. */

static SheafStatusCell *
find_status_cell (GtkWidget *root, SheafItemState state)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      SheafStatusCell *found;

      if (SHEAF_IS_STATUS_CELL (child) &&
          sheaf_status_cell_get_state (SHEAF_STATUS_CELL (child)) == state)
        return SHEAF_STATUS_CELL (child);
      found = find_status_cell (child, state);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static char *
dup_text_view (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
assert_counts_text (SheafRowCounts counts, gboolean running, const char *expected)
{
  g_autofree char *text = NULL;

  counts.total = counts.done + counts.cut_off + counts.failed + counts.cancelled + counts.not_sent +
                 counts.outdated + counts.waiting;
  text = _sheaf_row_counts_text (&counts, running);
  g_assert_cmpstr (text, ==, expected);
}

/* The batch cannot stop early yet: the states are set as it will set them. */
static void
test_not_sent (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  SheafStatusCell *cell;
  g_autofree char *answer = NULL;

  sheaf_fake_provider_set_latency_ms (fake, 5);
  use_fake (window, fake, 0);
  _sheaf_window_add_pasted_text (window, "answered\nrejected\nnever sent", SHEAF_SPLIT_LINES);
  sheaf_item_set_state (item_at (window, 0), SHEAF_ITEM_STATE_DONE);
  sheaf_item_set_response (item_at (window, 0), "Echo: answered");
  sheaf_item_set_state (item_at (window, 1), SHEAF_ITEM_STATE_FAILED);
  sheaf_item_set_state (item_at (window, 2), SHEAF_ITEM_STATE_NOT_SENT);

  /* The table and the detail pane say so. */
  SHEAF_TEST_WAIT_UNTIL (
    find_status_cell (GTK_WIDGET (window->column_view), SHEAF_ITEM_STATE_NOT_SENT) != NULL);
  cell = find_status_cell (GTK_WIDGET (window->column_view), SHEAF_ITEM_STATE_NOT_SENT);
  g_assert_cmpstr (sheaf_status_cell_get_text (cell), ==, "Not sent");
  g_assert_cmpstr (sheaf_status_cell_get_icon_name (cell), ==, "action-unavailable-symbolic");
  gtk_single_selection_set_selected (window->selection, 2);
  answer = dup_text_view (window->detail_answer);
  g_assert_cmpstr (answer, ==, "Not sent");
  g_assert_cmpstr (gtk_label_get_label (window->detail_answer_label), ==, "Answer");
  g_assert_cmpstr (gtk_label_get_label (window->detail_prompt_label), ==, "Prompt Preview");
  /* With the reason the run gave, when the row carries it. */
  sheaf_item_set_error_message (item_at (window, 2), "The API key was rejected.");
  g_free (answer);
  answer = dup_text_view (window->detail_answer);
  g_assert_cmpstr (answer, ==, "Not sent\n\nThe API key was rejected.");

  /* The footer counts them. */
  assert_counts_text ((SheafRowCounts){ .done = 2, .failed = 1, .not_sent = 37 }, FALSE,
                      "2 done · 1 failed · 37 not sent");
  assert_counts_text ((SheafRowCounts){ .done = 2, .failed = 1, .cancelled = 3, .not_sent = 37 },
                      FALSE, "2 done · 1 failed · 3 cancelled · 37 not sent");
  assert_counts_text ((SheafRowCounts){ .done = 12, .failed = 1, .waiting = 37 }, TRUE,
                      "12 done · 1 failed · 37 remaining");
  assert_counts_text ((SheafRowCounts){ .done = 12, .cut_off = 2, .outdated = 4, .waiting = 3 },
                      FALSE, "12 done · 2 cut off · 0 failed · 4 outdated · 3 to send");
  assert_counts_text ((SheafRowCounts){ .waiting = 3 }, FALSE, "Ready");
  assert_counts_text ((SheafRowCounts){ .waiting = 3 }, TRUE, "0 done · 0 failed · 3 remaining");

  /* Retry Failed sends it with the failed row, and leaves the answer alone. */
  _sheaf_window_run_now (window, TRUE);
  SHEAF_TEST_WAIT_UNTIL (run_done (window, 2));
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, "never sent"), ==, 1);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, "rejected"), ==, 1);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, "answered"), ==, 0);
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_DONE), ==, 3);
  window_free (window);
}

static void
assert_halt_banner (SheafWindow *window, const char *message, gboolean preferences)
{
  GtkWidget *banner = GTK_WIDGET (window->halt_revealer);
  GtkWidget *dismiss = find_button (banner, "Dismiss");

  g_assert_true (gtk_revealer_get_reveal_child (window->halt_revealer));
  g_assert_cmpstr (gtk_label_get_label (window->halt_label), ==, message);
  g_assert_true (gtk_widget_get_visible (window->halt_preferences) == preferences);
  g_assert_true (find_button (banner, "Preferences") == window->halt_preferences);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (window->halt_preferences)), ==,
                   "app.preferences");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (window->halt_preferences),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Preferences");
  g_assert_nonnull (dismiss);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (dismiss), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Dismiss");
}

/* The banner itself, as the batch's halt-message will drive it. */
static void
test_halt_banner_shows (void)
{
  const char *key = "The API key was rejected. Check it in Preferences.";
  const char *quota = "The account has run out of credit. Add credit, then run again.";
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();

  g_assert_false (gtk_revealer_get_reveal_child (window->halt_revealer));
  _sheaf_window_show_halt (window, key, SHEAF_ERROR_AUTH);
  assert_halt_banner (window, key, TRUE);
  /* No setting of Sheaf's adds credit. */
  _sheaf_window_show_halt (window, quota, SHEAF_ERROR_QUOTA);
  assert_halt_banner (window, quota, FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.dismiss-halt", NULL));
  g_assert_false (gtk_revealer_get_reveal_child (window->halt_revealer));

  /* The next run starts without it. */
  _sheaf_window_show_halt (window, key, SHEAF_ERROR_AUTH);
  use_fake (window, fake, 0);
  _sheaf_window_add_pasted_text (window, "one", SHEAF_SPLIT_LINES);
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (batch_running (window));
  g_assert_false (gtk_revealer_get_reveal_child (window->halt_revealer));
  SHEAF_TEST_WAIT_UNTIL (run_done (window, 1));
  g_assert_false (gtk_revealer_get_reveal_child (window->halt_revealer));
  window_free (window);
}

static void
assert_pacing (gint64 now, gint64 wait_until, double pace, guint effective, guint concurrency,
               const char *expected)
{
  g_autofree char *text = _sheaf_pacing_text (now, wait_until, pace, effective, concurrency);

  g_assert_cmpstr (text, ==, expected);
}

/* The time of day @from_now µs from now, as the footer writes it. */
static char *
dup_long_wait_text (gint64 from_now, const char *countdown)
{
  gint64 at = (g_get_real_time () + from_now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  g_autoptr (GDateTime) local = g_date_time_new_from_unix_local (at);
  g_autofree char *clock = g_date_time_format (local, "%X");

  return g_strdup_printf ("The provider asked Sheaf to wait — resumes at %s (in %s)", clock,
                          countdown);
}

static void
test_pacing_text (void)
{
  const gint64 s = G_USEC_PER_SEC;
  const gint64 now = 5000 * s;
  g_autofree char *before = dup_long_wait_text (272 * s, "4 min 32 s");
  g_autofree char *text = _sheaf_pacing_text (now, now + 272 * s, 0, 0, 5);
  g_autofree char *after = dup_long_wait_text (272 * s, "4 min 32 s");

  /* A wait counts down in whole seconds, rounded up. */
  assert_pacing (now, now + 12 * s, 0, 0, 5, "The provider asked Sheaf to wait — resumes in 12 s");
  assert_pacing (now, now + 11 * s + s / 5, 0, 0, 5,
                 "The provider asked Sheaf to wait — resumes in 12 s");
  assert_pacing (now, now + 1, 0, 0, 5, "The provider asked Sheaf to wait — resumes in 1 s");
  assert_pacing (now, now + 120 * s, 0, 0, 5,
                 "The provider asked Sheaf to wait — resumes in 2 min 00 s");
  /* A long one also says when it ends (the clock may have turned a second). */
  if (g_strcmp0 (text, before) != 0)
    g_assert_cmpstr (text, ==, after);

  /* The pace, while no wait holds everything. */
  assert_pacing (now, 0, 260.4, 0, 5, "Pacing to the provider’s limit: 260 requests a minute");
  assert_pacing (now, now - s, 0.6, 0, 5, "Pacing to the provider’s limit: 1 request a minute");
  assert_pacing (now, now + 3 * s, 260, 0, 5, "The provider asked Sheaf to wait — resumes in 3 s");

  /* Fewer at once than allowed, alone or on a line of its own. */
  assert_pacing (now, 0, 0, 8, 20, "The provider is busy: 8 at once instead of 20");
  assert_pacing (now, now + 12 * s, 0, 8, 20,
                 "The provider asked Sheaf to wait — resumes in 12 s\n"
                 "The provider is busy: 8 at once instead of 20");

  /* Nothing to say. */
  assert_pacing (now, 0, 0, 20, 20, NULL);
  assert_pacing (now, now, 0, 0, 20, NULL);
  assert_pacing (now, now - 5 * s, 0, 20, 20, NULL);
}

/* A run that nothing holds back ends without the pacing line. */
static void
test_pacing_line_hidden (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();

  use_fake (window, fake, 0);
  g_settings_set_uint (_sheaf_window_get_settings (window), "concurrency",
                       SHEAF_DEFAULT_CONCURRENCY);
  _sheaf_window_add_pasted_text (window, "one\ntwo\nthree", SHEAF_SPLIT_LINES);
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (batch_running (window));
  /* Stop stays at hand whatever the run waits for. */
  g_assert_true (action_enabled (window, "Stop"));
  SHEAF_TEST_WAIT_UNTIL (run_done (window, 3));
  g_assert_false (gtk_revealer_get_reveal_child (window->pace_revealer));
  g_assert_cmpstr (gtk_label_get_label (window->counts_label), ==, "3 done · 0 failed");
  window_free (window);
}

static void
show_pacing_text (SheafWindow *window, const char *text, guint *n_frames)
{
  guint seen = *n_frames;

  gtk_label_set_label (window->pace_label, text);
  gtk_revealer_set_reveal_child (window->pace_revealer, TRUE);
  SHEAF_TEST_WAIT_UNTIL (gtk_revealer_get_child_revealed (window->pace_revealer) &&
                         *n_frames >= seen + 2);
}

static void
assert_size (GtkWidget *widget, int width, int height)
{
  g_assert_cmpint (gtk_widget_get_width (widget), ==, width);
  g_assert_cmpint (gtk_widget_get_height (widget), ==, height);
}

/* Whatever the line under the status bar says, however long, the table
 * above keeps its size: a countdown never lays the rows out again. */
static void
test_pacing_line_steady (void)
{
  const gint64 s = G_USEC_PER_SEC, now = 5000 * s;
  g_autofree char *wait = NULL, *later = NULL, *long_wait = NULL, *endless = NULL;
  SheafWindow *window = window_new ();
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  guint n_frames = 0;
  int width, height;

  g_signal_connect (clock, "after-paint", G_CALLBACK (count_frame), &n_frames);
  _sheaf_window_add_pasted_text (window, "one\ntwo", SHEAF_SPLIT_LINES);

  wait = _sheaf_pacing_text (now, now + 12 * s, 0, 0, 5);
  show_pacing_text (window, wait, &n_frames);
  width = gtk_widget_get_width (GTK_WIDGET (window->column_view));
  height = gtk_widget_get_height (GTK_WIDGET (window->column_view));

  later = _sheaf_pacing_text (now, now + 9 * s, 0, 0, 5);
  long_wait = _sheaf_pacing_text (now, now + 3000 * s, 0, 0, 5);
  endless = g_strnfill (400, 'w');
  show_pacing_text (window, later, &n_frames);
  assert_size (GTK_WIDGET (window->column_view), width, height);
  show_pacing_text (window, long_wait, &n_frames);
  assert_size (GTK_WIDGET (window->column_view), width, height);
  show_pacing_text (window, endless, &n_frames);
  assert_size (GTK_WIDGET (window->column_view), width, height);

  g_signal_handlers_disconnect_by_func (clock, count_frame, &n_frames);
  window_free (window);
}

/* A spin button by its accessible name. */
static GtkSpinButton *
find_spin (GtkWidget *root, const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkSpinButton *found;

      if (GTK_IS_SPIN_BUTTON (child))
        {
          g_autofree char *differs = gtk_test_accessible_check_property (
            GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name);
          if (differs == NULL)
            return GTK_SPIN_BUTTON (child);
        }
      found = find_spin (child, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_preferences_rate_limits (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  GSettings *settings = _sheaf_window_get_settings (window);
  SheafPreferencesWindow *prefs = g_object_ref (sheaf_preferences_window_new (GTK_WINDOW (window)));
  GtkSpinButton *rpm, *tpm;
  SheafBatch *batch = _sheaf_window_get_batch (window);

  gtk_window_present (GTK_WINDOW (prefs));
  rpm = find_spin (GTK_WIDGET (prefs), "Requests per Minute");
  tpm = find_spin (GTK_WIDGET (prefs), "Tokens per Minute");
  g_assert_nonnull (rpm);
  g_assert_nonnull (tpm);
  g_assert_cmpfloat (gtk_spin_button_get_value (rpm), ==, 0);
  g_assert_cmpfloat (gtk_spin_button_get_value (tpm), ==, 0);

  gtk_spin_button_set_value (rpm, 120);
  gtk_spin_button_set_value (tpm, 40000);
  g_assert_cmpuint (g_settings_get_uint (settings, "rate-limit-rpm"), ==, 120);
  g_assert_cmpuint (g_settings_get_uint (settings, "rate-limit-tpm"), ==, 40000);
  g_settings_set_uint (settings, "rate-limit-rpm", 30);
  g_assert_cmpfloat (gtk_spin_button_get_value (rpm), ==, 30);

  sheaf_test_drain ();
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);

  /* A run takes them to the batch. */
  use_fake (window, fake, 0);
  _sheaf_window_add_pasted_text (window, "one", SHEAF_SPLIT_LINES);
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (run_done (window, 1));
  g_assert_cmpuint (sheaf_batch_get_rpm (batch), ==, 30);
  g_assert_cmpuint (sheaf_batch_get_tpm (batch), ==, 40000);
  window_free (window);
}

/* Needs the batch to stop early (issue 10's core): a rejected key stops
 * the run, the rest is not sent, one banner says why, and Run sends the
 * rest once the key is right. */
static void
test_halt_rejected_key (void)
{
  g_autoptr (SheafFakeProvider) fake = sheaf_fake_provider_new (0, NULL);
  SheafWindow *window = window_new ();
  SheafBatch *batch = _sheaf_window_get_batch (window);
  g_autoptr (GString) texts = g_string_new (NULL);
  const char *halt;

  for (guint i = 0; i < 20; i++)
    g_string_append_printf (texts, "text %u\n", i);
  sheaf_fake_provider_set_api_key (fake, "sk-right");
  sheaf_fake_provider_set_latency_ms (fake, 5);
  g_setenv ("OPENAI_API_KEY", "sk-wrong", TRUE);
  use_fake (window, fake, 3);
  g_settings_set_uint (_sheaf_window_get_settings (window), "concurrency", 2);
  _sheaf_window_add_pasted_text (window, texts->str, SHEAF_SPLIT_LINES);

  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (batch_running (window));
  SHEAF_TEST_WAIT_UNTIL (!_sheaf_window_is_running (window));
  halt = sheaf_batch_get_halt_message (batch);
  g_assert_nonnull (halt);
  g_assert_cmpint (sheaf_batch_get_halt_code (batch), ==, SHEAF_ERROR_AUTH);
  assert_halt_banner (window, halt, TRUE);
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_NOT_SENT), >, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fake), <, 20);
  sheaf_test_assert_contains (gtk_label_get_label (window->counts_label), " not sent");

  /* Fixed: Run sends every row, and the banner goes as it starts. */
  g_setenv ("OPENAI_API_KEY", "sk-right", TRUE);
  g_assert_true (action_enabled (window, "Run"));
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (batch_running (window));
  g_assert_false (gtk_revealer_get_reveal_child (window->halt_revealer));
  SHEAF_TEST_WAIT_UNTIL (run_done (window, 20));
  g_assert_cmpuint (count_state (window, SHEAF_ITEM_STATE_DONE), ==, 20);
  g_assert_false (gtk_revealer_get_reveal_child (window->halt_revealer));
  g_unsetenv ("OPENAI_API_KEY");
  window_free (window);
}

int
main (int argc, char *argv[])
{
  g_autofree char *data_home = window_test_init (&argc, &argv);
  int status;

  g_test_add_func ("/window-pacing/not-sent", test_not_sent);
  g_test_add_func ("/window-pacing/halt-banner-shows", test_halt_banner_shows);
  g_test_add_func ("/window-pacing/pacing-text", test_pacing_text);
  g_test_add_func ("/window-pacing/pacing-line-hidden", test_pacing_line_hidden);
  g_test_add_func ("/window-pacing/pacing-line-steady", test_pacing_line_steady);
  g_test_add_func ("/window-pacing/preferences-rate-limits", test_preferences_rate_limits);
  /* Last: it fails until the batch stops early, and a failed assertion
   * ends the program. */
  g_test_add_func ("/window-pacing/halt-rejected-key", test_halt_rejected_key);

  status = g_test_run ();
  sheaf_test_remove_tree (data_home);
  return status;
}
