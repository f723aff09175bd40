/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-test-utils.h"
#include "sheaf-window-test-utils.h"

#define NARROW 600
#define WIDE   1280

static GtkWidget *
details_button (SheafWindow *window)
{
  GtkWidget *button = find_button (GTK_WIDGET (window), "Show Details");

  g_assert_nonnull (button);
  g_assert_true (GTK_IS_TOGGLE_BUTTON (button));
  return button;
}

static gboolean
pane_shown (SheafWindow *window)
{
  return adw_flap_get_reveal_flap (window->flap);
}

/* The person can reach the button, and it says what the pane does. */
static void
assert_button (SheafWindow *window, GtkWidget *button)
{
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_cmpint (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)), ==,
                   pane_shown (window));
}

/* Shows or hides the pane with the button (@key NULL) or the key, and
 * checks it did. */
static void
toggle (SheafWindow *window, const char *key)
{
  GtkWidget *button = details_button (window);
  gboolean was_shown = pane_shown (window);

  if (key == NULL)
    g_signal_emit_by_name (button, "clicked");
  else
    press_shortcut (GTK_WIDGET (window), key);
  sheaf_test_drain ();
  g_assert_cmpint (pane_shown (window), !=, was_shown);
  assert_button (window, button);
}

static void
test_names (void)
{
  SheafWindow *window = window_new ();
  GtkWidget *button = details_button (window);

  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Show Details");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Show Details");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==,
                   "win.show-details");
  window_free (window);
}

/* Hidden while narrow, the pane can be shown again once wide, by the
 * button or F9, and hidden and shown there and back at the narrow width. */
static void
test_hide_narrow_then_widen (void)
{
  SheafWindow *window = window_new ();

  /* The table and its pane show once there are texts. */
  _sheaf_window_add_pasted_text (window, "one\ntwo", SHEAF_SPLIT_LINES);
  resize_window (window, NARROW);
  SHEAF_TEST_WAIT_UNTIL (adw_flap_get_folded (window->flap));
  if (!pane_shown (window))
    toggle (window, NULL);
  toggle (window, NULL);
  g_assert_false (pane_shown (window));

  resize_window (window, WIDE);
  SHEAF_TEST_WAIT_UNTIL (!adw_flap_get_folded (window->flap));
  assert_button (window, details_button (window));
  if (!pane_shown (window))
    toggle (window, NULL);
  g_assert_true (pane_shown (window));
  toggle (window, "F9");
  toggle (window, "F9");
  toggle (window, NULL);
  /* Hidden while wide, it stays reachable as the window narrows. */
  resize_window (window, NARROW);
  SHEAF_TEST_WAIT_UNTIL (adw_flap_get_folded (window->flap));
  assert_button (window, details_button (window));
  if (pane_shown (window))
    toggle (window, NULL);
  toggle (window, "F9");
  g_assert_true (pane_shown (window));
  toggle (window, NULL);

  resize_window (window, WIDE);
  assert_button (window, details_button (window));
  if (!pane_shown (window))
    toggle (window, "F9");
  g_assert_true (pane_shown (window));

  window_free (window);
}

int
main (int argc, char *argv[])
{
  g_autofree char *data_home = window_test_init (&argc, &argv);
  int status;

  g_test_add_func ("/window-panes/names", test_names);
  g_test_add_func ("/window-panes/hide-narrow-then-widen", test_hide_narrow_then_widen);

  status = g_test_run ();
  sheaf_test_remove_tree (data_home);
  return status;
}
