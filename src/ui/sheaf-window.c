/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-window.h"

#include "sheaf-cell-factory.h"
#include "sheaf-cell.h"
#include "sheaf-item-position.h"
#include "sheaf-window-private.h"

G_DEFINE_FINAL_TYPE (SheafWindow, sheaf_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_SHOW_DETAILS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Closures used by the column view's sorters. */

static guint
item_position_value (SheafItem *item)
{
  return sheaf_item_position_get_value (sheaf_item_position_get_for_item (item));
}

static guint
item_state_value (SheafItem *item)
{
  return (guint) sheaf_item_get_state (item);
}

/* Toasts */

/* Toast titles are markup at libadwaita 1.2: a file name with "&" must not
 * break one. */
AdwToast *
_sheaf_toast_new (const char *title)
{
  g_autofree char *escaped = g_markup_escape_text (title, -1);
  AdwToast *toast = adw_toast_new (escaped);

  g_object_set_data_full (G_OBJECT (toast), "sheaf-title", g_strdup (title), g_free);
  return toast;
}

void
_sheaf_window_toast (SheafWindow *self, AdwToast *toast)
{
  g_free (self->last_toast_title);
  self->last_toast_title = g_strdup (g_object_get_data (G_OBJECT (toast), "sheaf-title"));
  g_set_weak_pointer (&self->last_toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_sheaf_window_toast_text (SheafWindow *self, const char *title)
{
  _sheaf_window_toast (self, _sheaf_toast_new (title));
}

/* The detail pane */

static void
set_text_view (GtkTextView *view, const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text != NULL ? text : "", -1);
}

static char *
dup_detail_prompt (SheafWindow *self, SheafItem *item, gboolean *as_sent)
{
  const char *sent = sheaf_item_get_prompt (item);
  SheafItemState state = sheaf_item_get_state (item);
  g_autofree char *template_ = NULL;
  g_autoptr (GError) error = NULL;
  char *prompt;

  /* A row not sent in the last run may still hold the prompt of an earlier one. */
  *as_sent = sent != NULL && state != SHEAF_ITEM_STATE_QUEUED && state != SHEAF_ITEM_STATE_NOT_SENT;
  if (*as_sent)
    return g_strdup (sent);

  template_ = _sheaf_window_dup_template (self);
  prompt = sheaf_template_render_checked (template_, sheaf_item_get_title (item),
                                          sheaf_item_get_text (item), &error);
  /* Too large to send, and to show: say so instead. */
  return prompt != NULL ? prompt : g_strdup (error->message);
}

/* What the Answer box shows: the answer, the reason of a failure, or for a
 * row that was never sent, its state word and why. */
static char *
dup_detail_answer (SheafItem *item, gboolean *failed)
{
  SheafItemState state = sheaf_item_get_state (item);
  const char *reason = sheaf_item_get_error_message (item);

  *failed = state == SHEAF_ITEM_STATE_FAILED;
  if (*failed)
    return g_strdup (reason);
  if (state != SHEAF_ITEM_STATE_NOT_SENT || sheaf_item_get_response (item) != NULL)
    return g_strdup (sheaf_item_get_response (item));
  if (reason == NULL)
    return g_strdup (sheaf_status_cell_state_word (state));
  return g_strdup_printf ("%s\n\n%s", sheaf_status_cell_state_word (state), reason);
}

void
_sheaf_window_update_detail (SheafWindow *self)
{
  SheafItem *item = self->selected;
  g_autofree char *prompt = NULL;
  g_autofree char *answer = NULL;
  gboolean as_sent;
  gboolean failed;

  if (item == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      return;
    }

  gtk_stack_set_visible_child_name (self->detail_stack, "item");
  gtk_label_set_label (self->detail_title, sheaf_item_get_title (item));
  set_text_view (self->detail_input, sheaf_item_get_text (item));

  prompt = dup_detail_prompt (self, item, &as_sent);
  set_text_view (self->detail_prompt, prompt);
  gtk_label_set_label (self->detail_prompt_label, as_sent ? _ ("Prompt") : _ ("Prompt Preview"));

  answer = dup_detail_answer (item, &failed);
  gtk_label_set_label (self->detail_answer_label, failed ? _ ("Error") : _ ("Answer"));
  set_text_view (self->detail_answer, answer);
  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self->detail_answer), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->detail_answer), "error");
}

static void
on_selected_item_notify (SheafItem *item, GParamSpec *pspec, SheafWindow *self)
{
  /* Only what the pane shows; the rest (tokens, attempts…) is in the table. */
  static const char *shown[] = { "title", "text", "state", "prompt", "response", "error-message" };

  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    if (g_strcmp0 (pspec->name, shown[i]) == 0)
      {
        _sheaf_window_update_detail (self);
        return;
      }
}

static void
set_selected (SheafWindow *self, SheafItem *item)
{
  if (self->selected == item)
    return;

  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_func (self->selected, on_selected_item_notify, self);
  g_set_object (&self->selected, item);
  if (item != NULL)
    g_signal_connect_object (item, "notify", G_CALLBACK (on_selected_item_notify), self, 0);

  _sheaf_window_update_detail (self);
  _sheaf_window_update_actions (self);
}

static void
on_selection_changed (SheafWindow *self)
{
  set_selected (self, gtk_single_selection_get_selected_item (self->selection));
}

static void
on_column_view_activate (SheafWindow *self, guint position)
{
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, TRUE);
}

/* The list of items */

void
_sheaf_window_update_empty_state (SheafWindow *self)
{
  guint n = g_list_model_get_n_items (_sheaf_window_get_shown (self));
  gboolean empty = n == 0 && !_sheaf_window_is_viewing (self);
  g_autofree char *subtitle = NULL;

  gtk_stack_set_visible_child_name (self->main_stack, empty ? "empty" : "items");
  /* The empty page has its own big buttons for these. */
  gtk_widget_set_visible (self->paste_button, !empty);
  gtk_widget_set_visible (self->add_files_button, !empty);
  gtk_widget_set_visible (self->add_menu_button, !empty);

  if (!empty)
    subtitle = g_strdup_printf (ngettext ("%u text", "%u texts", n), n);
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
on_items_changed (SheafWindow *self, guint position, guint removed, guint added)
{
  sheaf_item_position_renumber (G_LIST_MODEL (self->items), position);
  _sheaf_window_update_empty_state (self);
  _sheaf_window_update_actions (self);
  _sheaf_window_counts_changed (self);
  _sheaf_window_schedule_save (self);
}

void
_sheaf_window_append_items (SheafWindow *self, GPtrArray *items)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  if (items == NULL || items->len == 0)
    return;
  g_list_store_splice (self->items, n, 0, items->pdata, items->len);
}

static gboolean
find_selected_position (SheafWindow *self, guint *position)
{
  return self->selected != NULL && g_list_store_find (self->items, self->selected, position);
}

void
_sheaf_window_update_actions (SheafWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = _sheaf_window_is_running (self);
  gboolean viewing = _sheaf_window_is_viewing (self);
  gboolean busy = running || viewing;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  /* Counted in the list, not the last run: also after a restart. */
  guint n_retry = busy ? 0 : _sheaf_window_count_retryable (self);
  gboolean editable = !busy && self->selected != NULL;
  guint pos = 0;
  gboolean has_pos = editable && find_selected_position (self, &pos);

  gtk_widget_action_set_enabled (widget, "win.paste-text", !busy);
  gtk_widget_action_set_enabled (widget, "win.add-files", !busy);
  gtk_widget_action_set_enabled (widget, "win.import-csv", !busy);
  gtk_widget_action_set_enabled (widget, "win.clear-all", !busy && n > 0);
  gtk_widget_action_set_enabled (widget, "win.edit-item", editable);
  gtk_widget_action_set_enabled (widget, "win.remove-item", editable);
  gtk_widget_action_set_enabled (widget, "win.move-up", has_pos && pos > 0);
  gtk_widget_action_set_enabled (widget, "win.move-down", has_pos && pos + 1 < n);
  gtk_widget_action_set_enabled (widget, "win.preset", !busy);
  gtk_widget_action_set_enabled (widget, "win.export",
                                 g_list_model_get_n_items (_sheaf_window_get_shown (self)) > 0);
  gtk_widget_action_set_enabled (widget, "win.run", !busy && n > 0);
  /* While the key is still being looked up there is nothing to stop yet. */
  gtk_widget_action_set_enabled (widget, "win.stop", sheaf_batch_get_running (self->batch));
  gtk_widget_action_set_enabled (widget, "win.retry-failed", !busy && n > 0 && n_retry > 0);
  gtk_widget_action_set_enabled (widget, "win.resume", !busy);
  gtk_widget_action_set_enabled (widget, "win.history", !running);
  gtk_widget_action_set_enabled (widget, "win.use-shown-texts", viewing && !running);
  gtk_widget_action_set_enabled (widget, "win.copy-detail", self->selected != NULL);

  gtk_text_view_set_editable (self->template_view, !busy);
  gtk_widget_set_sensitive (self->presets_button, !busy);
  /* An earlier run shown as it was: none of its settings can be changed. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->model_entry), !viewing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->concurrency_spin), !viewing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->max_tokens_spin), !viewing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->template_view), !viewing);
}

/* The detail pane: shown or hidden by the person at any width. A folded
 * pane hides itself as the window narrows and comes back as it widens. */

static void
set_show_details (SheafWindow *self, gboolean show)
{
  if (self->show_details == show)
    return;
  self->show_details = show;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_DETAILS]);
}

static void
sheaf_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafWindow *self = SHEAF_WINDOW (object);

  switch (prop_id)
    {
      case PROP_SHOW_DETAILS:
        g_value_set_boolean (value, self->show_details);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SheafWindow *self = SHEAF_WINDOW (object);

  switch (prop_id)
    {
      case PROP_SHOW_DETAILS:
        set_show_details (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
install_show_details (GObjectClass *object_class, GtkWidgetClass *widget_class)
{
  object_class->get_property = sheaf_window_get_property;
  object_class->set_property = sheaf_window_set_property;
  properties[PROP_SHOW_DETAILS] =
    g_param_spec_boolean ("show-details", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_install_property_action (widget_class, "win.show-details", "show-details");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.show-details", NULL);
}

static void
copy_detail_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);
  const char *what = g_variant_get_string (parameter, NULL);
  g_autofree char *text = NULL;
  gboolean as_sent, failed;

  if (self->selected == NULL)
    return;

  if (g_str_equal (what, "input"))
    text = g_strdup (sheaf_item_get_text (self->selected));
  else if (g_str_equal (what, "prompt"))
    text = dup_detail_prompt (self, self->selected, &as_sent);
  else
    text = dup_detail_answer (self->selected, &failed);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text != NULL ? text : "");
  _sheaf_window_toast_text (self, _ ("Copied"));
}

/* Window state */

static gboolean
sheaf_window_close_request (GtkWindow *window)
{
  SheafWindow *self = SHEAF_WINDOW (window);
  int width, height;

  if (_sheaf_window_store_close_request (self))
    return TRUE;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (sheaf_window_parent_class)->close_request (window);
}

static void
restore_window_state (SheafWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
add_list_shortcut (GtkShortcutController *controller, guint keyval, GdkModifierType modifiers,
                   const char *action)
{
  gtk_shortcut_controller_add_shortcut (
    controller,
    gtk_shortcut_new (gtk_keyval_trigger_new (keyval, modifiers), gtk_named_action_new (action)));
}

/* Keys that act on the selected row belong to the table, so that typing in
 * the template or an entry never removes or moves a text. */
static void
add_list_shortcuts (SheafWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkShortcutController *shortcuts = GTK_SHORTCUT_CONTROLLER (controller);

  add_list_shortcut (shortcuts, GDK_KEY_Delete, 0, "win.remove-item");
  add_list_shortcut (shortcuts, GDK_KEY_KP_Delete, 0, "win.remove-item");
  add_list_shortcut (shortcuts, GDK_KEY_Up, GDK_ALT_MASK, "win.move-up");
  add_list_shortcut (shortcuts, GDK_KEY_Down, GDK_ALT_MASK, "win.move-down");
  add_list_shortcut (shortcuts, GDK_KEY_F2, 0, "win.edit-item");
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), controller);
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, SheafWindow *self)
{
  GSList *list;
  g_autoptr (GPtrArray) files = g_ptr_array_new ();

  if (_sheaf_window_is_running (self) || _sheaf_window_is_viewing (self) ||
      !G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  list = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  g_slist_free (list);

  sheaf_window_add_files (self, (GFile **) files->pdata, files->len);
  return files->len > 0;
}

static void
setup_drop_target (SheafWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/* The columns of the table, each with its cells (sheaf-cell-factory.c). */
static const struct
{
  const char *id;
  SheafCellColumn cells;
} cell_columns[] = {
  { "position_column", SHEAF_CELL_COLUMN_POSITION }, { "title_column", SHEAF_CELL_COLUMN_TITLE },
  { "status_column", SHEAF_CELL_COLUMN_STATUS },     { "answer_column", SHEAF_CELL_COLUMN_ANSWER },
  { "seconds_column", SHEAF_CELL_COLUMN_SECONDS },   { "tokens_column", SHEAF_CELL_COLUMN_TOKENS },
};

/* Only what is bound can be looked up by name; no field needs them. */
static void
bind_cell_columns (GtkWidgetClass *widget_class)
{
  for (guint i = 0; i < G_N_ELEMENTS (cell_columns); i++)
    gtk_widget_class_bind_template_child_full (widget_class, cell_columns[i].id, FALSE, 0);
}

static void
set_cell_factories (SheafWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (cell_columns); i++)
    {
      GObject *column =
        gtk_widget_get_template_child (GTK_WIDGET (self), SHEAF_TYPE_WINDOW, cell_columns[i].id);
      g_autoptr (GtkListItemFactory) factory = sheaf_cell_factory_new (cell_columns[i].cells);

      gtk_column_view_column_set_factory (GTK_COLUMN_VIEW_COLUMN (column), factory);
    }
}

void
_sheaf_window_bind_run_settings (SheafWindow *self, gboolean bind)
{
  const struct
  {
    const char *key;
    gpointer object;
    const char *property;
  } bound[] = {
    { "template", gtk_text_view_get_buffer (self->template_view), "text" },
    { "model", self->model_entry, "text" },
    { "concurrency", gtk_spin_button_get_adjustment (self->concurrency_spin), "value" },
    { "max-tokens", gtk_spin_button_get_adjustment (self->max_tokens_spin), "value" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bound); i++)
    if (bind)
      g_settings_bind (self->settings, bound[i].key, bound[i].object, bound[i].property,
                       G_SETTINGS_BIND_DEFAULT);
    else
      g_settings_unbind (bound[i].object, bound[i].property);
}

static void
bind_settings (SheafWindow *self)
{
  _sheaf_window_bind_run_settings (self, TRUE);

  g_signal_connect_object (self->settings, "changed::provider",
                           G_CALLBACK (_sheaf_window_check_setup), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::base-url",
                           G_CALLBACK (_sheaf_window_check_setup), self, G_CONNECT_SWAPPED);
}

static void
sheaf_window_dispose (GObject *object)
{
  SheafWindow *self = SHEAF_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  _sheaf_window_store_dispose (self);
  _sheaf_window_status_dispose (self);
  _sheaf_window_run_dispose (self);
  _sheaf_window_template_dispose (self);
  g_clear_weak_pointer (&self->last_toast);
  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_func (self->selected, on_selected_item_notify, self);
  g_clear_object (&self->selected);

  gtk_widget_dispose_template (GTK_WIDGET (self), SHEAF_TYPE_WINDOW);

  G_OBJECT_CLASS (sheaf_window_parent_class)->dispose (object);
}

static void
sheaf_window_finalize (GObject *object)
{
  SheafWindow *self = SHEAF_WINDOW (object);

  g_clear_object (&self->items);
  g_clear_object (&self->batch);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_toast_title, g_free);

  G_OBJECT_CLASS (sheaf_window_parent_class)->finalize (object);
}

static void
bind_template_children (GtkWidgetClass *widget_class)
{
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, SheafWindow, name)
  BIND (toast_overlay);
  BIND (window_title);
  BIND (paste_button);
  BIND (add_files_button);
  BIND (add_menu_button);
  BIND (setup_revealer);
  BIND (setup_label);
  BIND (main_stack);
  BIND (status_page);
  BIND (template_view);
  BIND (presets_button);
  BIND (template_warning_revealer);
  BIND (placeholder_warning_revealer);
  BIND (placeholder_warning_label);
  BIND (model_entry);
  BIND (concurrency_spin);
  BIND (max_tokens_spin);
  BIND (flap);
  BIND (column_view);
  BIND (selection);
  BIND (sort_model);
  BIND (detail_stack);
  BIND (detail_title);
  BIND (detail_input);
  BIND (detail_prompt);
  BIND (detail_prompt_label);
  BIND (detail_answer);
  BIND (detail_answer_label);
  BIND (progress_bar);
  BIND (counts_label);
  BIND (elapsed_label);
  BIND (pace_revealer);
  BIND (pace_label);
  BIND (halt_revealer);
  BIND (halt_label);
  BIND (halt_preferences);
  BIND (store_warning_revealer);
  BIND (store_warning_label);
  BIND (store_warning_dismiss);
  BIND (resume_revealer);
  BIND (resume_label);
  BIND (viewing_revealer);
  BIND (viewing_label);
#undef BIND
}

static void
bind_template_callbacks (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, item_position_value);
  gtk_widget_class_bind_template_callback (widget_class, item_state_value);
}

static void
sheaf_window_class_init (SheafWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sheaf_window_dispose;
  object_class->finalize = sheaf_window_finalize;
  window_class->close_request = sheaf_window_close_request;

  g_type_ensure (SHEAF_TYPE_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/sheaf-window.ui");
  bind_template_children (widget_class);
  bind_cell_columns (widget_class);
  bind_template_callbacks (widget_class);

  install_show_details (object_class, widget_class);
  gtk_widget_class_install_action (widget_class, "win.copy-detail", "s", copy_detail_action);
  _sheaf_window_dialogs_class_init (widget_class);
  _sheaf_window_paste_class_init (widget_class);
  _sheaf_window_inputs_class_init (widget_class);
  _sheaf_window_template_class_init (widget_class);
  _sheaf_window_run_class_init (widget_class);
  _sheaf_window_status_class_init (widget_class);
  _sheaf_window_store_class_init (widget_class);
}

static void
sheaf_window_init (SheafWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  set_cell_factories (self);

  if (g_strcmp0 (PROFILE, "Devel") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->settings = g_settings_new (SHEAF_SCHEMA_ID);
  self->cancellable = g_cancellable_new ();
  self->items = g_list_store_new (SHEAF_TYPE_ITEM);
  gtk_sort_list_model_set_model (self->sort_model, G_LIST_MODEL (self->items));
  gtk_sort_list_model_set_sorter (self->sort_model, gtk_column_view_get_sorter (self->column_view));
  adw_status_page_set_icon_name (self->status_page, APP_ID);

  g_signal_connect_object (self->items, "items-changed", G_CALLBACK (on_items_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->column_view, "activate", G_CALLBACK (on_column_view_activate),
                           self, G_CONNECT_SWAPPED);
  self->show_details = TRUE;
  g_object_bind_property (self->flap, "reveal-flap", self, "show-details",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);

  _sheaf_window_run_init (self);
  _sheaf_window_status_init (self);
  bind_settings (self);
  _sheaf_window_store_init (self);
  add_list_shortcuts (self);
  setup_drop_target (self);
  restore_window_state (self);
  _sheaf_window_template_init (self);

  _sheaf_window_update_empty_state (self);
  _sheaf_window_update_detail (self);
  _sheaf_window_update_actions (self);
  _sheaf_window_check_setup (self);
}

SheafWindow *
sheaf_window_new (SheafApplication *application)
{
  return g_object_new (SHEAF_TYPE_WINDOW, "application", application, NULL);
}

/* Test API */

AdwToast *
_sheaf_window_get_last_toast_object (SheafWindow *self)
{
  return self->last_toast;
}

GListModel *
_sheaf_window_get_items (SheafWindow *self)
{
  return G_LIST_MODEL (self->items);
}

SheafBatch *
_sheaf_window_get_batch (SheafWindow *self)
{
  return self->batch;
}

const char *
_sheaf_window_get_last_toast (SheafWindow *self)
{
  return self->last_toast_title;
}

GtkWidget *
_sheaf_window_get_main_page (SheafWindow *self)
{
  return gtk_stack_get_visible_child (self->main_stack);
}

GSettings *
_sheaf_window_get_settings (SheafWindow *self)
{
  return self->settings;
}
