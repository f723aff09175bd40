/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-window-private.h"

/* Pieces the window's dialogs share */

AdwMessageDialog *
_sheaf_message_dialog_new (SheafWindow *self, const char *heading, const char *body)
{
  AdwMessageDialog *dialog =
    ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));

  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  adw_message_dialog_add_response (dialog, "cancel", _ ("_Cancel"));
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}

GtkWidget *
_sheaf_scrolled_text_view (GtkTextView **out_view, const char *accessible_label, int min_height)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *view = gtk_text_view_new ();

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  g_object_set (view, "top-margin", 8, "bottom-margin", 8, "left-margin", 8, "right-margin", 8,
                NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_label, -1);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), min_height);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_frame_set_child (GTK_FRAME (frame), scrolled);

  *out_view = GTK_TEXT_VIEW (view);
  return frame;
}

char *
_sheaf_text_view_dup_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
_sheaf_show_error_dialog (SheafWindow *self, const char *heading, const char *body)
{
  AdwMessageDialog *dialog =
    ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));

  adw_message_dialog_add_response (dialog, "close", _ ("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

GtkFileChooserNative *
_sheaf_file_chooser_new (SheafWindow *self, const char *title, GtkFileChooserAction action,
                         const char *accept)
{
  GtkFileChooserNative *native =
    gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, _ ("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  return native;
}

/* Edit, remove, move, clear */

typedef struct
{
  SheafWindow *self;
  SheafItem *item;
  GtkEntry *title;
  GtkTextView *text;
} EditDialog;

static void
edit_dialog_free (EditDialog *edit)
{
  g_clear_object (&edit->self);
  g_clear_object (&edit->item);
  g_free (edit);
}

static void
edit_dialog_response (AdwMessageDialog *dialog, const char *response, EditDialog *edit)
{
  g_autofree char *text = NULL;
  const char *title;

  if (!g_str_equal (response, "save"))
    return;

  text = _sheaf_text_view_dup_text (edit->text);
  title = gtk_editable_get_text (GTK_EDITABLE (edit->title));
  /* An answer to a text that changed stays, outdated: the save that
   * follows marks it. */
  sheaf_item_set_text (edit->item, text);
  if (*title != '\0')
    sheaf_item_set_title (edit->item, title);
  else
    {
      g_autofree char *made = sheaf_inputs_make_title (text);
      sheaf_item_set_title (edit->item, made);
    }
  _sheaf_window_schedule_save (edit->self);
}

static void
edit_item_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);
  AdwMessageDialog *dialog;
  EditDialog *edit;
  GtkWidget *box;
  GtkWidget *entry;

  if (self->selected == NULL)
    return;

  dialog = _sheaf_message_dialog_new (self, _ ("Edit Text"), NULL);
  edit = g_new0 (EditDialog, 1);
  edit->self = g_object_ref (self);
  edit->item = g_object_ref (self->selected);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  entry = gtk_entry_new ();
  edit->title = GTK_ENTRY (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), sheaf_item_get_title (edit->item));
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _ ("Title"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Title"), -1);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), _sheaf_scrolled_text_view (&edit->text, _ ("Text"), 260));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (edit->text), sheaf_item_get_text (edit->item),
                            -1);

  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_response (dialog, "save", _ ("_Save"));
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  g_signal_connect_data (dialog, "response", G_CALLBACK (edit_dialog_response), edit,
                         (GClosureNotify) edit_dialog_free, 0);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 600, -1);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  GListStore *store;
  GPtrArray *items;
  guint position;
} Undo;

static void
undo_free (Undo *undo)
{
  g_clear_object (&undo->store);
  g_clear_pointer (&undo->items, g_ptr_array_unref);
  g_free (undo);
}

static void
undo_clicked (AdwToast *toast, Undo *undo)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (undo->store));

  g_list_store_splice (undo->store, MIN (undo->position, n), 0, undo->items->pdata,
                       undo->items->len);
}

static void
toast_with_undo (SheafWindow *self, const char *title, GPtrArray *items, guint position)
{
  AdwToast *toast = _sheaf_toast_new (title);
  Undo *undo = g_new0 (Undo, 1);

  undo->store = g_object_ref (self->items);
  undo->items = g_ptr_array_ref (items);
  undo->position = position;
  adw_toast_set_button_label (toast, _ ("_Undo"));
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_clicked), undo,
                         (GClosureNotify) undo_free, 0);
  _sheaf_window_toast (self, toast);
}

void
_sheaf_window_remove_item (SheafWindow *self, SheafItem *item)
{
  g_autoptr (GPtrArray) removed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *title = NULL;
  guint position;

  if (!g_list_store_find (self->items, item, &position))
    return;

  g_ptr_array_add (removed, g_object_ref (item));
  g_list_store_remove (self->items, position);
  title = g_strdup_printf (_ ("Removed “%s”"), sheaf_item_get_title (item));
  toast_with_undo (self, title, removed, position);
}

static void
remove_item_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);

  if (self->selected != NULL)
    _sheaf_window_remove_item (self, self->selected);
}

void
_sheaf_window_move_item (SheafWindow *self, SheafItem *item, int delta)
{
  guint position;
  guint first;
  gpointer pair[2];
  g_autoptr (SheafItem) other = NULL;

  if (!g_list_store_find (self->items, item, &position))
    return;
  if ((delta < 0 && position == 0) ||
      (delta > 0 && position + 1 >= g_list_model_get_n_items (G_LIST_MODEL (self->items))))
    return;

  first = delta < 0 ? position - 1 : position;
  other =
    g_list_model_get_item (G_LIST_MODEL (self->items), delta < 0 ? position - 1 : position + 1);
  pair[0] = delta < 0 ? (gpointer) item : (gpointer) other;
  pair[1] = delta < 0 ? (gpointer) other : (gpointer) item;
  /* One change that replaces both rows keeps the selection on the moved one. */
  g_list_store_splice (self->items, first, 2, pair, 2);
  _sheaf_window_update_actions (self);
}

static void
move_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);

  if (self->selected != NULL)
    _sheaf_window_move_item (self, self->selected,
                             g_str_equal (action_name, "win.move-up") ? -1 : 1);
}

void
_sheaf_window_clear_all (SheafWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->items);
  guint n = g_list_model_get_n_items (model);
  g_autoptr (GPtrArray) removed = g_ptr_array_new_full (n, g_object_unref);

  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (removed, g_list_model_get_item (model, i));
  g_list_store_remove_all (self->items);
  toast_with_undo (self, _ ("Removed all texts"), removed, 0);
}

static void
clear_all_response (AdwMessageDialog *dialog, const char *response, SheafWindow *self)
{
  if (g_str_equal (response, "remove"))
    _sheaf_window_clear_all (self);
}

static void
clear_all_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  g_autofree char *body =
    g_strdup_printf (ngettext ("The text and its answer are removed from the list.",
                               "All %u texts and their answers are removed from the list.", n),
                     n);
  AdwMessageDialog *dialog = _sheaf_message_dialog_new (self, _ ("Remove All Texts?"), body);

  adw_message_dialog_add_response (dialog, "remove", _ ("_Remove All"));
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (clear_all_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Export CSV… */

typedef struct
{
  SheafWindow *self;
  GFile *file;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->self);
  g_clear_object (&export->file);
  g_free (export);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Export, export_free)

static void
open_folder_clicked (AdwToast *toast, GFile *file)
{
  g_autoptr (GFile) parent = g_file_get_parent (file);
  g_autofree char *uri = parent != NULL ? g_file_get_uri (parent) : NULL;
  GtkWidget *window = g_object_get_data (G_OBJECT (toast), "sheaf-window");

  if (uri != NULL)
    gtk_show_uri (GTK_WINDOW (window), uri, GDK_CURRENT_TIME);
}

static void
export_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Export) export = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = g_file_get_basename (export->file);
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *body = NULL;

      /* Only the window's closing cancels an export: there is nobody to tell. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      body = g_strdup_printf (_ ("“%s” could not be written: %s. Your results are still here: "
                                 "choose another folder or name and export again."),
                              name, error->message);
      _sheaf_show_error_dialog (export->self, _ ("Could Not Save the Table"), body);
      _sheaf_window_toast_text (export->self, _ ("The table was not saved"));
      return;
    }

  title = g_strdup_printf (_ ("Saved “%s”"), name);
  toast = _sheaf_toast_new (title);
  adw_toast_set_button_label (toast, _ ("Open Folder"));
  g_object_set_data (G_OBJECT (toast), "sheaf-window", export->self);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (open_folder_clicked),
                         g_object_ref (export->file), (GClosureNotify) g_object_unref, 0);
  _sheaf_window_toast (export->self, toast);
}

gboolean
_sheaf_window_export_to_file (SheafWindow *self, GFile *file)
{
  g_autoptr (GBytes) bytes = sheaf_csv_export_items (_sheaf_window_get_shown (self));
  Export *export = g_new0 (Export, 1);

  export->self = g_object_ref (self);
  export->file = g_object_ref (file);
  /* Written beside the old file and renamed over it at the end, so a failed
   * write never leaves half a table behind. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable, export_written_cb, export);
  return TRUE;
}

static void
export_response (GtkNativeDialog *native, int response, SheafWindow *self)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      _sheaf_window_export_to_file (self, file);
    }
  g_object_unref (native);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);
  GtkFileChooserNative *native =
    _sheaf_file_chooser_new (self, _ ("Export CSV"), GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Export"));
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  /* Translators: the suggested file name of an export; %s is the date. */
  g_autofree char *name = g_strdup_printf (_ ("sheaf-results-%s.csv"), date);

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  g_signal_connect_object (native, "response", G_CALLBACK (export_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

void
_sheaf_window_dialogs_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.edit-item", NULL, edit_item_action);
  gtk_widget_class_install_action (widget_class, "win.remove-item", NULL, remove_item_action);
  gtk_widget_class_install_action (widget_class, "win.move-up", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "win.move-down", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "win.clear-all", NULL, clear_all_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
}
