/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include "sheaf-window-test-utils.h"

#include "sheaf-secret.h"
#include "sheaf-test-utils.h"

static gboolean
window_idle (gpointer data)
{
  SheafWindow *window = data;

  return !window->setup_pending && !_sheaf_window_is_adding (window) &&
         !_sheaf_window_is_running (window);
}

gboolean
batch_running (gpointer data)
{
  return sheaf_batch_get_running (_sheaf_window_get_batch (data));
}

void
reset_settings (void)
{
  g_autoptr (GSettings) settings = g_settings_new (SHEAF_SCHEMA_ID);
  g_auto (GStrv) keys = g_settings_schema_list_keys (g_settings_schema_source_lookup (
    g_settings_schema_source_get_default (), SHEAF_SCHEMA_ID, TRUE));

  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

/* Each test starts without saved work: Sheaf keeps it under
 * $XDG_DATA_HOME, which window_test_init () points to a folder of its own. */
void
reset_saved_work (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "sheaf", NULL);

  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    sheaf_test_remove_tree (dir);
}

/* A window on the saved work as it is, as when Sheaf starts again. */
SheafWindow *
window_open (void)
{
  SheafWindow *window = g_object_ref (sheaf_window_new (NULL));

  gtk_window_present (GTK_WINDOW (window));
  sheaf_test_wait_until (window_idle, window, SHEAF_TEST_WAIT_SECONDS, "the window to settle");
  return window;
}

SheafWindow *
window_new (void)
{
  reset_settings ();
  reset_saved_work ();
  return window_open ();
}

static void
close_other_windows (SheafWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr (GtkWindow) other = g_list_model_get_item (toplevels, i - 1);
      if (other != GTK_WINDOW (window))
        gtk_window_destroy (other);
    }
}

void
window_free (SheafWindow *window)
{
  sheaf_test_wait_until (window_idle, window, SHEAF_TEST_WAIT_SECONDS, "the window to be idle");
  close_other_windows (window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* Points the window at @fake as an OpenAI-compatible server on this machine,
 * which needs no key. The prompt is the text itself. */
void
use_fake (SheafWindow *window, SheafFakeProvider *fake, guint retries)
{
  GSettings *settings = _sheaf_window_get_settings (window);
  g_autofree char *url = sheaf_fake_provider_dup_base_url (fake, SHEAF_PROVIDER_KIND_OPENAI);

  g_settings_set_string (settings, "provider", "openai");
  g_settings_set_string (settings, "base-url", url);
  g_settings_set_string (settings, "template", "{text}");
  g_settings_set_uint (settings, "retries", retries);
}

SheafItem *
item_at (SheafWindow *window, guint position)
{
  g_autoptr (SheafItem) item = g_list_model_get_item (_sheaf_window_get_items (window), position);

  return item; /* the list keeps it alive */
}

guint
count_state (SheafWindow *window, SheafItemState state)
{
  GListModel *items = _sheaf_window_get_items (window);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    n += sheaf_item_get_state (item_at (window, i)) == state;
  return n;
}

GtkWidget *
find_button (GtkWidget *root, const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) &&
          (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), name) == 0 ||
           g_strcmp0 (gtk_widget_get_tooltip_text (child), name) == 0))
        return child;
      found = find_button (child, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
find_widget_of_type (GtkWidget *root, GType type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found =
        G_TYPE_CHECK_INSTANCE_TYPE (child, type) ? child : find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
activate_in_controller (GtkWidget *widget, GtkShortcutController *controller,
                        const char *accelerator)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (controller)); i++)
    {
      g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), i);
      g_autofree char *trigger =
        gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

      if (g_str_equal (trigger, accelerator))
        return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                             gtk_shortcut_get_arguments (shortcut));
    }
  return FALSE;
}

void
press_shortcut (GtkWidget *widget, const char *accelerator)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_SHORTCUT_CONTROLLER (controller) &&
          activate_in_controller (widget, GTK_SHORTCUT_CONTROLLER (controller), accelerator))
        return;
    }
  g_error ("No shortcut %s does anything", accelerator);
}

static gboolean
has_width (gpointer data)
{
  GtkWidget *window = data;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  /* The surface, not the widget: the frame's shadow or border is part of it. */
  return surface != NULL && gtk_widget_get_mapped (window) &&
         gdk_surface_get_width (surface) ==
           GPOINTER_TO_INT (g_object_get_data (G_OBJECT (window), "test-width"));
}

void
resize_window (SheafWindow *window, int width)
{
  g_object_set_data (G_OBJECT (window), "test-width", GINT_TO_POINTER (width));
  /* Without a window manager a shown window keeps its size: it is shown
   * again at the new one, as it would be after the person dragged it. */
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, 700);
  gtk_window_present (GTK_WINDOW (window));
  sheaf_test_wait_until (has_width, window, SHEAF_TEST_WAIT_SECONDS, "the window to be resized");
  sheaf_test_drain ();
}

gboolean
action_enabled (SheafWindow *window, const char *label)
{
  GtkWidget *button = find_button (GTK_WIDGET (window), label);

  g_assert_nonnull (button);
  return gtk_widget_get_sensitive (button);
}

gboolean
run_done (SheafWindow *window, guint n_done)
{
  return !_sheaf_window_is_running (window) &&
         sheaf_batch_get_n_done (_sheaf_window_get_batch (window)) == n_done;
}

void
count_frame (GdkFrameClock *clock, guint *n)
{
  (*n)++;
}

char *
window_test_init (int *argc, char ***argv)
{
  char *data_home = sheaf_test_make_tmp_dir ("sheaf-ui-data-XXXXXX");

  /* Before GTK reads it: no test touches the saved work of the person
   * running them. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  sheaf_secret_set_enabled (FALSE);
  return data_home;
}

/* The message dialog on screen whose heading is @heading, or NULL. */
AdwMessageDialog *
find_dialog (const char *heading)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), heading) == 0)
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

void
answer_dialog (const char *heading, const char *response)
{
  AdwMessageDialog *dialog;

  SHEAF_TEST_WAIT_UNTIL (find_dialog (heading) != NULL);
  dialog = find_dialog (heading);
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

AdwMessageDialog *
run_refused (SheafWindow *window)
{
  _sheaf_window_run_now (window, FALSE);
  SHEAF_TEST_WAIT_UNTIL (find_dialog ("Sheaf Cannot Run Yet") != NULL);
  return find_dialog ("Sheaf Cannot Run Yet");
}
