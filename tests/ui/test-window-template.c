/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-test-utils.h"
#include "sheaf-window-test-utils.h"

static char *
buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
buffer_is (GtkTextBuffer *buffer, const char *expected)
{
  g_autofree char *text = buffer_text (buffer);

  return g_str_equal (text, expected);
}

static void
clipboard_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);

  *done = TRUE;
}

/* A read of the clipboard started now ends after any started before. */
static void
wait_clipboard_reads (GdkClipboard *clipboard)
{
  gboolean done = FALSE;

  gdk_clipboard_read_text_async (clipboard, NULL, clipboard_read_cb, &done);
  sheaf_test_wait_for_flag (&done, SHEAF_TEST_WAIT_SECONDS, "the clipboard to be read");
  sheaf_test_drain ();
}

static void
test_paste_starts_empty (void)
{
  SheafWindow *window = window_new ();
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  AdwMessageDialog *dialog;
  GtkTextBuffer *buffer;
  GtkWidget *button;

  gdk_clipboard_set_text (clipboard, "one\n\ntwo");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.paste-text", NULL);
  SHEAF_TEST_WAIT_UNTIL (find_dialog ("Paste Text") != NULL);
  dialog = find_dialog ("Paste Text");
  buffer = gtk_text_view_get_buffer (
    GTK_TEXT_VIEW (find_widget_of_type (GTK_WIDGET (dialog), GTK_TYPE_TEXT_VIEW)));
  wait_clipboard_reads (clipboard);
  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), ==, 0);

  button = find_button (GTK_WIDGET (dialog), "_Paste from Clipboard");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  SHEAF_TEST_WAIT_UNTIL (gtk_text_buffer_get_char_count (buffer) > 0);
  wait_clipboard_reads (clipboard);
  g_assert_true (buffer_is (buffer, "one\n\ntwo"));

  /* Nothing to paste: the button says so. */
  gdk_clipboard_set_content (clipboard, NULL);
  SHEAF_TEST_WAIT_UNTIL (!gtk_widget_get_sensitive (button));

  answer_dialog ("Paste Text", "cancel");
  g_assert_cmpuint (g_list_model_get_n_items (_sheaf_window_get_items (window)), ==, 0);
  window_free (window);
}

static char *
dup_template (SheafWindow *window)
{
  return g_settings_get_string (_sheaf_window_get_settings (window), "template");
}

static void
choose_preset (SheafWindow *window, const char *id)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.preset", "s", id);
}

static void
test_preset_undo (void)
{
  SheafWindow *window = window_new ();
  const char *custom = "In the voice of {title}, with care:\n\n{text}\n";
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *restored = NULL;
  AdwToast *toast = _sheaf_window_get_last_toast_object (window);

  /* Over the default or another preset, nothing of the person's is lost. */
  choose_preset (window, "summary");
  choose_preset (window, "key-points");
  g_assert_true (_sheaf_window_get_last_toast_object (window) == toast);

  g_settings_set_string (_sheaf_window_get_settings (window), "template", custom);
  before = dup_template (window);
  g_assert_cmpstr (before, ==, custom);
  choose_preset (window, "summary");
  after = dup_template (window);
  g_assert_cmpstr (after, !=, custom);
  g_assert_cmpstr (_sheaf_window_get_last_toast (window), ==, "Template replaced");
  toast = _sheaf_window_get_last_toast_object (window);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_button_label (toast), ==, "_Undo");

  g_signal_emit_by_name (toast, "button-clicked");
  restored = dup_template (window);
  g_assert_cmpstr (restored, ==, custom);
  g_assert_true (buffer_is (gtk_text_view_get_buffer (window->template_view), custom));

  window_free (window);
}

static gboolean
warning_shown (SheafWindow *window)
{
  return gtk_revealer_get_reveal_child (window->placeholder_warning_revealer);
}

static void
test_unknown_placeholder (void)
{
  SheafWindow *window = window_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (window->template_view);
  const char *message;

  /* The template is on screen once there are texts. */
  _sheaf_window_add_pasted_text (window, "one", SHEAF_SPLIT_LINES);
  g_assert_false (warning_shown (window));
  gtk_text_buffer_set_text (buffer, "# {tilte}\n\n{text}", -1);
  /* Not while typing: only once it pauses. */
  g_assert_false (warning_shown (window));
  SHEAF_TEST_WAIT_UNTIL (warning_shown (window));
  /* On screen, not only asked for. */
  SHEAF_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window->placeholder_warning_label)));
  message = gtk_label_get_label (window->placeholder_warning_label);
  sheaf_test_assert_contains (message, "{tilte}");
  sheaf_test_assert_contains (message, "Available: {text}, {title}");

  gtk_text_buffer_set_text (buffer, "# {title}\n\n{text}", -1);
  SHEAF_TEST_WAIT_UNTIL (!warning_shown (window));

  /* A JSON example is no placeholder; two unknown names are both told. */
  gtk_text_buffer_set_text (buffer, "{\"name\": 1} {text} {Title} {body}", -1);
  SHEAF_TEST_WAIT_UNTIL (warning_shown (window));
  message = gtk_label_get_label (window->placeholder_warning_label);
  sheaf_test_assert_contains (message, "{Title}, {body} are");
  g_assert_null (strstr (message, "name"));

  window_free (window);
}

int
main (int argc, char *argv[])
{
  g_autofree char *data_home = window_test_init (&argc, &argv);
  int status;

  g_test_add_func ("/window-template/paste-starts-empty", test_paste_starts_empty);
  g_test_add_func ("/window-template/preset-undo", test_preset_undo);
  g_test_add_func ("/window-template/unknown-placeholder", test_unknown_placeholder);

  status = g_test_run ();
  sheaf_test_remove_tree (data_home);
  return status;
}
