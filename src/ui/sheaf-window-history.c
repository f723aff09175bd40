/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-item-position.h"
#include "sheaf-window-private.h"

/* An earlier run, shown read-only */

GListModel *
_sheaf_window_get_shown (SheafWindow *self)
{
  return self->viewed != NULL ? G_LIST_MODEL (self->viewed) : G_LIST_MODEL (self->items);
}

gboolean
_sheaf_window_is_viewing (SheafWindow *self)
{
  return self->viewing_run != 0;
}

static void
show_model (SheafWindow *self, GListModel *model)
{
  gtk_sort_list_model_set_model (self->sort_model, model);
  gtk_revealer_set_reveal_child (self->viewing_revealer, self->viewing_run != 0);
  _sheaf_window_update_empty_state (self);
  _sheaf_window_update_resume_banner (self);
  _sheaf_window_update_actions (self);
  _sheaf_window_update_status (self);
  _sheaf_window_update_detail (self);
}

/* The template, model, concurrency and max tokens the run was sent with, in
 * their own places (insensitive), the settings left as they are. */
static void
show_run_settings (SheafWindow *self, const SheafRunInfo *run)
{
  /* Once, from the workspace: another run shown replaces the first. */
  if (self->viewing_run == 0)
    _sheaf_window_bind_run_settings (self, FALSE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->template_view),
                            run->template_ != NULL ? run->template_ : "", -1);
  gtk_editable_set_text (GTK_EDITABLE (self->model_entry), run->model != NULL ? run->model : "");
  gtk_spin_button_set_value (self->concurrency_spin, run->concurrency);
  gtk_spin_button_set_value (self->max_tokens_spin, run->max_tokens);
}

void
_sheaf_window_show_run (SheafWindow *self, gint64 run_id)
{
  g_autoptr (SheafRunInfo) run = sheaf_store_get_run (self->store, run_id);
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *date = NULL;
  g_autofree char *text = NULL;

  if (run == NULL || _sheaf_window_is_running (self))
    return;

  items = sheaf_store_load_run_items (self->store, run_id);
  g_clear_object (&self->viewed);
  self->viewed = g_list_store_new (SHEAF_TYPE_ITEM);
  g_list_store_splice (self->viewed, 0, 0, items->pdata, items->len);
  sheaf_item_position_renumber (G_LIST_MODEL (self->viewed), 0);
  show_run_settings (self, run);
  self->viewing_run = run_id;

  date = sheaf_format_date (run->started);
  /* Translators: shown above the table while it shows an earlier run: its
   * date, then "Anthropic" or "an OpenAI-compatible server". */
  text = g_strdup_printf (_ ("The run of %s with %s, as it was. Nothing here can be changed."),
                          date, sheaf_format_provider (run->provider, FALSE));
  gtk_label_set_label (self->viewing_label, text);
  g_clear_pointer (&self->viewed_info, sheaf_run_info_free);
  self->viewed_info = g_steal_pointer (&run);
  show_model (self, G_LIST_MODEL (self->viewed));
}

void
_sheaf_window_show_workspace (SheafWindow *self)
{
  if (self->viewing_run == 0)
    return;
  self->viewing_run = 0;
  /* Counted and shown from the workspace's rows from here on. */
  g_clear_object (&self->viewed);
  g_clear_pointer (&self->viewed_info, sheaf_run_info_free);
  _sheaf_window_bind_run_settings (self, TRUE);
  show_model (self, G_LIST_MODEL (self->items));
}

static void
undo_use_texts (AdwToast *toast, GPtrArray *previous)
{
  SheafWindow *self = g_object_get_data (G_OBJECT (toast), "sheaf-window");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  if (!_sheaf_window_is_running (self))
    g_list_store_splice (self->items, 0, n, previous->pdata, previous->len);
}

void
_sheaf_window_use_shown_texts (SheafWindow *self)
{
  GListModel *items = G_LIST_MODEL (self->items);
  guint n = g_list_model_get_n_items (items);
  g_autoptr (GPtrArray) previous = g_ptr_array_new_full (n, g_object_unref);
  g_autoptr (GPtrArray) copies = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (self->viewed == NULL || _sheaf_window_is_running (self))
    return;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (previous, g_list_model_get_item (items, i));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->viewed)); i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (G_LIST_MODEL (self->viewed), i);
      g_ptr_array_add (copies,
                       sheaf_item_new (sheaf_item_get_title (item), sheaf_item_get_text (item)));
    }
  _sheaf_window_show_workspace (self);
  g_list_store_splice (self->items, 0, n, copies->pdata, copies->len);

  title = g_strdup_printf (ngettext ("Your list now holds the %u text of that run",
                                     "Your list now holds the %u texts of that run", copies->len),
                           copies->len);
  toast = _sheaf_toast_new (title);
  adw_toast_set_button_label (toast, _ ("_Undo"));
  g_object_set_data (G_OBJECT (toast), "sheaf-window", self);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_use_texts),
                         g_steal_pointer (&previous), (GClosureNotify) g_ptr_array_unref, 0);
  _sheaf_window_toast (self, toast);
}
