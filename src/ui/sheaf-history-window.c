/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-history"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-history-window.h"

#include "sheaf-window-private.h"

struct _SheafHistoryWindow
{
  AdwWindow parent_instance;

  SheafWindow *parent;
  SheafStore *store;
  AdwToast *undo_toast; /* weak */

  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (SheafHistoryWindow, sheaf_history_window, ADW_TYPE_WINDOW)

static void refill (SheafHistoryWindow *self);

/* Rows */

static gint64
row_run_id (GtkWidget *row)
{
  return *(gint64 *) g_object_get_data (G_OBJECT (row), "run-id");
}

static char *
first_line (const char *text)
{
  const char *start = text != NULL ? text : "";
  const char *end;

  while (*start == '\n')
    start++;
  end = strchr (start, '\n');
  return end != NULL ? g_strndup (start, (gsize) (end - start)) : g_strdup (start);
}

static const char *
state_note (SheafRunState state)
{
  switch (state)
    {
      case SHEAF_RUN_STATE_RUNNING:
        return _ ("running");
      case SHEAF_RUN_STATE_STOPPED:
        return _ ("stopped");
      case SHEAF_RUN_STATE_INTERRUPTED:
        return _ ("interrupted");
      case SHEAF_RUN_STATE_FINISHED:
      default:
        return NULL;
    }
}

/* The rows a run that ended by itself or was stopped gave no outcome: those
 * it never sent because it stopped early. (An interrupted run's others were
 * cut off instead.) */
static guint
count_not_sent (const SheafRunInfo *run)
{
  guint outcomes = run->n_done + run->n_failed + run->n_cancelled;

  if (run->state != SHEAF_RUN_STATE_FINISHED && run->state != SHEAF_RUN_STATE_STOPPED)
    return 0;
  return run->n_total > outcomes ? run->n_total - outcomes : 0;
}

static char *
run_counts (const SheafRunInfo *run, const char *duration)
{
  guint not_sent = count_not_sent (run);

  if (not_sent > 0)
    /* Translators: a run that stopped early, e.g. "2 done, 1 failed, 37 not sent · 3.1 s" */
    return g_strdup_printf (_ ("%u done, %u failed, %u not sent · %s"), run->n_done, run->n_failed,
                            not_sent, duration);
  /* Translators: a run in the history, e.g. "48 done, 2 failed · 12.3 s" */
  return g_strdup_printf (_ ("%u done, %u failed · %s"), run->n_done, run->n_failed, duration);
}

/* "Anthropic · 5 at once · up to 300 tokens · 2.1× faster" */
static char *
run_settings (const SheafRunInfo *run)
{
  double faster = sheaf_speedup (run->n_done, run->sum_seconds, run->elapsed);
  const char *provider = sheaf_format_provider (run->provider, TRUE);

  if (faster >= 1.05)
    /* Translators: how a run was sent, e.g. "Anthropic · 5 at once · up to 300 tokens · 2.1×
     * faster" */
    return g_strdup_printf (_ ("%s · %u at once · up to %u tokens · %.1f× faster"), provider,
                            run->concurrency, run->max_tokens, faster);
  /* Translators: how a run was sent, e.g. "Anthropic · 5 at once · up to 300 tokens" */
  return g_strdup_printf (_ ("%s · %u at once · up to %u tokens"), provider, run->concurrency,
                          run->max_tokens);
}

static char *
run_subtitle (const SheafRunInfo *run)
{
  g_autofree char *template_ = first_line (run->template_);
  g_autofree char *duration = sheaf_format_duration (run->elapsed);
  const char *note = state_note (run->state);
  g_autofree char *counts = run_counts (run, duration);
  g_autofree char *settings = run_settings (run);

  if (note != NULL)
    return g_strdup_printf ("%s\n%s · %s\n%s", template_, counts, note, settings);
  return g_strdup_printf ("%s\n%s\n%s", template_, counts, settings);
}

static void delete_clicked (GtkButton *button, SheafHistoryWindow *self);

static GtkWidget *
run_row_new (SheafHistoryWindow *self, const SheafRunInfo *run)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *date = sheaf_format_date (run->started);
  g_autofree char *title =
    g_strdup_printf ("%s · %s", date, run->model != NULL ? run->model : _ ("default model"));
  g_autofree char *subtitle = run_subtitle (run);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "run-id", g_memdup2 (&run->id, sizeof run->id), g_free);

  gtk_widget_set_tooltip_text (delete, _ ("Delete Run"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (delete), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Delete Run"), -1);
  gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (delete, "flat");
  g_signal_connect_object (delete, "clicked", G_CALLBACK (delete_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("go-next-symbolic"));
  return row;
}

static void
refill (SheafHistoryWindow *self)
{
  g_autoptr (GPtrArray) runs = sheaf_store_list_runs (self->store);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; i < runs->len; i++)
    gtk_list_box_append (self->list, run_row_new (self, runs->pdata[i]));
  gtk_stack_set_visible_child_name (self->stack, runs->len > 0 ? "runs" : "empty");
}

static void
on_row_activated (SheafHistoryWindow *self, GtkListBoxRow *row)
{
  _sheaf_window_show_run (self->parent, row_run_id (GTK_WIDGET (row)));
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Deleting, with undo */

static void
set_deleted (SheafHistoryWindow *self, gint64 run_id, gboolean deleted)
{
  sheaf_store_set_run_deleted (self->store, run_id, deleted);
  sheaf_store_flush (self->store);
  refill (self);
}

static void
undo_clicked (AdwToast *toast, SheafHistoryWindow *self)
{
  set_deleted (self, *(gint64 *) g_object_get_data (G_OBJECT (toast), "run-id"), FALSE);
}

static void
toast_dismissed (AdwToast *toast, SheafStore *store)
{
  /* Gone for good once the undo is no longer offered. */
  sheaf_store_purge_deleted (store);
}

static void
delete_run (SheafHistoryWindow *self, gint64 run_id)
{
  AdwToast *toast = _sheaf_toast_new (_ ("Run deleted"));

  if (self->parent->viewing_run == run_id)
    _sheaf_window_show_workspace (self->parent);
  set_deleted (self, run_id, TRUE);

  adw_toast_set_button_label (toast, _ ("_Undo"));
  g_object_set_data_full (G_OBJECT (toast), "run-id", g_memdup2 (&run_id, sizeof run_id), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_clicked), self, 0);
  g_signal_connect_data (toast, "dismissed", G_CALLBACK (toast_dismissed),
                         g_object_ref (self->store), (GClosureNotify) g_object_unref, 0);
  g_set_weak_pointer (&self->undo_toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
delete_response (AdwMessageDialog *dialog, const char *response, SheafHistoryWindow *self)
{
  if (g_str_equal (response, "delete"))
    delete_run (self, *(gint64 *) g_object_get_data (G_OBJECT (dialog), "run-id"));
}

static void
delete_clicked (GtkButton *button, SheafHistoryWindow *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW);
  gint64 run_id = row_run_id (row);
  AdwMessageDialog *dialog = sheaf_confirm_dialog_new (
    GTK_WINDOW (self), _ ("Delete This Run?"),
    _ ("Its answers are removed from the history. The texts in your list stay as they are."),
    _ ("_Cancel"), "delete", _ ("_Delete"));

  g_object_set_data_full (G_OBJECT (dialog), "run-id", g_memdup2 (&run_id, sizeof run_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject */

static void
sheaf_history_window_dispose (GObject *object)
{
  SheafHistoryWindow *self = SHEAF_HISTORY_WINDOW (object);

  g_clear_weak_pointer (&self->undo_toast);
  gtk_widget_dispose_template (GTK_WIDGET (self), SHEAF_TYPE_HISTORY_WINDOW);
  g_clear_object (&self->store);
  g_clear_object (&self->parent);

  G_OBJECT_CLASS (sheaf_history_window_parent_class)->dispose (object);
}

static void
sheaf_history_window_class_init (SheafHistoryWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sheaf_history_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE "/sheaf-history-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SheafHistoryWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SheafHistoryWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SheafHistoryWindow, list);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sheaf_history_window_init (SheafHistoryWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (on_row_activated), self,
                           G_CONNECT_SWAPPED);
}

SheafHistoryWindow *
sheaf_history_window_new (SheafWindow *parent)
{
  SheafHistoryWindow *self;

  g_return_val_if_fail (SHEAF_IS_WINDOW (parent), NULL);

  self = g_object_new (SHEAF_TYPE_HISTORY_WINDOW, "transient-for", parent, NULL);
  self->parent = g_object_ref (parent);
  self->store = g_object_ref (_sheaf_window_get_store (parent));
  refill (self);
  return self;
}

GtkListBox *
_sheaf_history_window_get_list (SheafHistoryWindow *self)
{
  return self->list;
}

AdwToast *
_sheaf_history_window_get_undo_toast (SheafHistoryWindow *self)
{
  return self->undo_toast;
}
