/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-history-window.h"
#include "sheaf-item-position.h"
#include "sheaf-window-private.h"

/* Edits are written this long after the last one. */
#define SAVE_DELAY_MS 500

/* The run settings kept with the workspace; the rest is in Preferences. */
static const char *const string_settings[] = { "template", "model" };
static const char *const uint_settings[] = { "concurrency", "max-tokens" };

/* Saving */

static void
save_now (SheafWindow *self)
{
  g_clear_handle_id (&self->save_id, g_source_remove);
  sheaf_store_save_items (self->store, G_LIST_MODEL (self->items));

  for (guint i = 0; i < G_N_ELEMENTS (string_settings); i++)
    {
      g_autofree char *value = g_settings_get_string (self->settings, string_settings[i]);
      sheaf_store_set_setting (self->store, string_settings[i], value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (uint_settings); i++)
    {
      g_autofree char *value =
        g_strdup_printf ("%u", g_settings_get_uint (self->settings, uint_settings[i]));
      sheaf_store_set_setting (self->store, uint_settings[i], value);
    }
}

static gboolean
save_cb (gpointer user_data)
{
  SheafWindow *self = user_data;

  self->save_id = 0;
  save_now (self);
  return G_SOURCE_REMOVE;
}

void
_sheaf_window_schedule_save (SheafWindow *self)
{
  /* What changed a text or a setting may have outdated answers. */
  _sheaf_window_refresh_outdated (self);
  if (self->store != NULL && self->save_id == 0)
    self->save_id = g_timeout_add (SAVE_DELAY_MS, save_cb, self);
}

/* Restoring */

static void
restore_settings (SheafWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (string_settings); i++)
    {
      g_autofree char *value = sheaf_store_dup_setting (self->store, string_settings[i]);
      if (value != NULL)
        g_settings_set_string (self->settings, string_settings[i], value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (uint_settings); i++)
    {
      g_autofree char *value = sheaf_store_dup_setting (self->store, uint_settings[i]);
      guint64 number;

      if (value != NULL && g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT, &number, NULL))
        g_settings_set_uint (self->settings, uint_settings[i], (guint) number);
    }
}

static guint
count_interrupted (SheafWindow *self)
{
  GListModel *items = G_LIST_MODEL (self->items);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);
      n += sheaf_store_item_is_interrupted (item);
    }
  return n;
}

void
_sheaf_window_update_resume_banner (SheafWindow *self)
{
  guint n = _sheaf_window_is_running (self) ? 0 : count_interrupted (self);
  g_autofree char *text = NULL;

  if (n > 0)
    {
      text = g_strdup_printf (ngettext ("Sheaf was closed while %u text was running. The answers "
                                        "that arrived are kept; Resume sends the rest.",
                                        "Sheaf was closed while %u texts were running. The "
                                        "answers that arrived are kept; Resume sends the rest.",
                                        n),
                              n);
      gtk_label_set_label (self->resume_label, text);
    }
  gtk_revealer_set_reveal_child (self->resume_revealer, n > 0 && self->viewing_run == 0);
}

static void
update_store_warning (SheafWindow *self)
{
  const GError *error = sheaf_store_get_error (self->store);

  if (error != NULL)
    gtk_label_set_label (self->store_warning_label, error->message);
  /* Only a notice can go away: work that is not saved stays said. */
  gtk_widget_set_visible (self->store_warning_dismiss, sheaf_store_get_persistent (self->store));
  gtk_revealer_set_reveal_child (self->store_warning_revealer, error != NULL);
}

static void
restore (SheafWindow *self)
{
  g_autoptr (GPtrArray) items = sheaf_store_load_items (self->store);

  restore_settings (self);
  _sheaf_window_append_items (self, items);
  /* What was just read needs no writing. */
  g_clear_handle_id (&self->save_id, g_source_remove);
  _sheaf_window_update_resume_banner (self);
  _sheaf_window_refresh_outdated (self);
}

static void
save_on_change (SheafWindow *self, const char *const *keys, guint n_keys)
{
  for (guint i = 0; i < n_keys; i++)
    {
      g_autofree char *signal = g_strconcat ("changed::", keys[i], NULL);
      g_signal_connect_object (self->settings, signal, G_CALLBACK (_sheaf_window_schedule_save),
                               self, G_CONNECT_SWAPPED);
    }
}

void
_sheaf_window_store_init (SheafWindow *self)
{
  self->store = sheaf_store_new_default ();
  restore (self);
  update_store_warning (self);
  g_signal_connect_object (self->store, "notify::error", G_CALLBACK (update_store_warning), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->store, "notify::persistent", G_CALLBACK (update_store_warning),
                           self, G_CONNECT_SWAPPED);
  save_on_change (self, string_settings, G_N_ELEMENTS (string_settings));
  save_on_change (self, uint_settings, G_N_ELEMENTS (uint_settings));
}

void
_sheaf_window_store_dispose (SheafWindow *self)
{
  if (self->store == NULL)
    return;
  if (self->save_id != 0)
    save_now (self);
  sheaf_store_flush (self->store);
  g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_object (&self->viewed);
  g_clear_pointer (&self->viewed_info, sheaf_run_info_free);
}

/* Runs */

void
_sheaf_window_store_run_started (SheafWindow *self, GListModel *items)
{
  /* The rows must be in the file before the run that points to them. */
  save_now (self);
  sheaf_store_track_run (self->store, self->batch, items);
  _sheaf_window_update_resume_banner (self);
}

static gboolean
destroy_cb (gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

void
_sheaf_window_store_run_ended (SheafWindow *self)
{
  _sheaf_window_update_resume_banner (self);
  if (self->close_after_stop)
    g_idle_add_full (G_PRIORITY_DEFAULT, destroy_cb, g_object_ref (self), g_object_unref);
}

/* Closing */

static void
close_response (AdwMessageDialog *dialog, const char *response, SheafWindow *self)
{
  if (!g_str_equal (response, "stop"))
    return;
  self->close_after_stop = TRUE;
  if (sheaf_batch_get_running (self->batch))
    sheaf_batch_stop (self->batch);
  else
    _sheaf_window_store_run_ended (self);
}

/* What stopping now keeps and what it leaves for later, as the run goes:
 * counted in the rows, as the footer counts them. */
static char *
close_body (SheafWindow *self)
{
  SheafRowCounts counts;
  g_autofree char *kept = NULL;
  guint answered;

  if (!sheaf_batch_get_running (self->batch))
    return g_strdup (_ ("The run has ended. Every answer that arrived is saved."));
  _sheaf_row_counts_take (&counts, G_LIST_MODEL (self->items));
  answered = counts.done + counts.cut_off + counts.outdated;
  kept = g_strdup_printf (ngettext ("%u answer has arrived and stays saved.",
                                    "%u answers have arrived and stay saved.", answered),
                          answered);
  return g_strdup_printf (ngettext ("%s %u text is still running or waiting: it is stopped, and "
                                    "Run sends it next time.",
                                    "%s %u texts are still running or waiting: they are stopped, "
                                    "and Run sends them next time.",
                                    counts.waiting),
                          kept, counts.waiting);
}

static void
update_close_body (AdwMessageDialog *dialog)
{
  SheafWindow *self = SHEAF_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  g_autofree char *body = close_body (self);

  adw_message_dialog_set_body (dialog, body);
}

gboolean
_sheaf_window_store_close_request (SheafWindow *self)
{
  static const char *const counts[] = { "notify::n-done", "notify::n-failed", "notify::n-cancelled",
                                        "notify::n-not-sent", "notify::running" };
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  if (self->close_after_stop || !sheaf_batch_get_running (self->batch))
    return FALSE;

  body = close_body (self);
  dialog = sheaf_confirm_dialog_new (GTK_WINDOW (self), _ ("Stop the Run and Close?"), body,
                                     _ ("_Keep Running"), "stop", _ ("_Stop and Close"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response), self, 0);
  /* The run goes on behind the question: its counts follow it. */
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    g_signal_connect_object (self->batch, counts[i], G_CALLBACK (update_close_body), dialog,
                             G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

SheafStore *
_sheaf_window_get_store (SheafWindow *self)
{
  return self->store;
}

/* Actions */

static void
history_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  gtk_window_present (GTK_WINDOW (sheaf_history_window_new (SHEAF_WINDOW (widget))));
}

static void
show_workspace_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _sheaf_window_show_workspace (SHEAF_WINDOW (widget));
}

static void
use_shown_texts_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _sheaf_window_use_shown_texts (SHEAF_WINDOW (widget));
}

static void
resume_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _sheaf_window_resume (SHEAF_WINDOW (widget));
}

static void
dismiss_store_warning_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  gtk_revealer_set_reveal_child (SHEAF_WINDOW (widget)->store_warning_revealer, FALSE);
}

void
_sheaf_window_store_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.history", NULL, history_action);
  gtk_widget_class_install_action (widget_class, "win.show-workspace", NULL, show_workspace_action);
  gtk_widget_class_install_action (widget_class, "win.use-shown-texts", NULL,
                                   use_shown_texts_action);
  gtk_widget_class_install_action (widget_class, "win.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-store-warning", NULL,
                                   dismiss_store_warning_action);
}
