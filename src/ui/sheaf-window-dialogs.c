/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-window-private.h"

/* Common pieces */

static AdwMessageDialog *
message_dialog_new (SheafWindow *self, const char *heading, const char *body)
{
  AdwMessageDialog *dialog =
    ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));

  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  adw_message_dialog_add_response (dialog, "cancel", _ ("_Cancel"));
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}

static GtkWidget *
scrolled_text_view (GtkTextView **out_view, const char *accessible_label, int min_height)
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

static char *
text_view_dup_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
show_error_dialog (SheafWindow *self, const char *heading, const char *body)
{
  AdwMessageDialog *dialog =
    ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));

  adw_message_dialog_add_response (dialog, "close", _ ("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
_sheaf_window_is_adding (SheafWindow *self)
{
  return self->n_adding > 0;
}

/* Paste Text */

guint
_sheaf_window_add_pasted_text (SheafWindow *self, const char *text, SheafSplitMode mode)
{
  g_autoptr (GPtrArray) items = sheaf_inputs_split_text (text != NULL ? text : "", mode);
  g_autofree char *message = NULL;

  if (items == NULL || items->len == 0)
    return 0;

  _sheaf_window_append_items (self, items);
  message = g_strdup_printf (ngettext ("Added %u text", "Added %u texts", items->len), items->len);
  _sheaf_window_toast_text (self, message);
  return items->len;
}

typedef struct
{
  SheafWindow *self;
  GtkTextView *view;
  GtkCheckButton *lines_check;
  GtkLabel *count_label;
} PasteDialog;

static SheafSplitMode
paste_dialog_mode (PasteDialog *paste)
{
  return gtk_check_button_get_active (paste->lines_check) ? SHEAF_SPLIT_LINES
                                                          : SHEAF_SPLIT_PARAGRAPHS;
}

static void
paste_dialog_update (AdwMessageDialog *dialog)
{
  PasteDialog *paste = g_object_get_data (G_OBJECT (dialog), "paste");
  g_autofree char *text = text_view_dup_text (paste->view);
  g_autoptr (GPtrArray) items = sheaf_inputs_split_text (text, paste_dialog_mode (paste));
  guint n = items != NULL ? items->len : 0;
  g_autofree char *label = NULL;

  if (n == 0)
    label = g_strdup (_ ("Nothing to add yet"));
  else
    label = g_strdup_printf (ngettext ("This will add %u text", "This will add %u texts", n), n);
  gtk_label_set_label (paste->count_label, label);
  adw_message_dialog_set_response_enabled (dialog, "add", n > 0);
}

static void
paste_dialog_mode_toggled (AdwMessageDialog *dialog)
{
  PasteDialog *paste = g_object_get_data (G_OBJECT (dialog), "paste");

  g_settings_set_string (paste->self->settings, "paste-split",
                         paste_dialog_mode (paste) == SHEAF_SPLIT_LINES ? "lines" : "paragraphs");
  paste_dialog_update (dialog);
}

static void
paste_dialog_response (AdwMessageDialog *dialog, const char *response)
{
  PasteDialog *paste = g_object_get_data (G_OBJECT (dialog), "paste");
  g_autofree char *text = NULL;

  if (!g_str_equal (response, "add"))
    return;
  text = text_view_dup_text (paste->view);
  _sheaf_window_add_pasted_text (paste->self, text, paste_dialog_mode (paste));
}

static void
paste_dialog_clipboard_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GtkTextView) view = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);

  /* Only fill an empty field: the person may have typed already. */
  if (text != NULL && gtk_text_buffer_get_char_count (buffer) == 0)
    gtk_text_buffer_set_text (buffer, text, -1);
}

static GtkWidget *
paste_dialog_mode_box (PasteDialog *paste, AdwMessageDialog *dialog)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *paragraphs = gtk_check_button_new_with_mnemonic (_ ("Separate texts by _blank lines"));
  GtkWidget *lines = gtk_check_button_new_with_mnemonic (_ ("_One text per line"));
  g_autofree char *split = g_settings_get_string (paste->self->settings, "paste-split");

  gtk_check_button_set_group (GTK_CHECK_BUTTON (lines), GTK_CHECK_BUTTON (paragraphs));
  gtk_check_button_set_active (
    g_str_equal (split, "lines") ? GTK_CHECK_BUTTON (lines) : GTK_CHECK_BUTTON (paragraphs), TRUE);
  paste->lines_check = GTK_CHECK_BUTTON (lines);
  g_signal_connect_object (lines, "toggled", G_CALLBACK (paste_dialog_mode_toggled), dialog,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), paragraphs);
  gtk_box_append (GTK_BOX (box), lines);
  return box;
}

static void
paste_text_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);
  AdwMessageDialog *dialog = message_dialog_new (
    self, _ ("Paste Text"), _ ("Paste or type the texts to add. Each one becomes a row."));
  PasteDialog *paste = g_new0 (PasteDialog, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *count = gtk_label_new (NULL);

  paste->self = self;
  g_object_set_data_full (G_OBJECT (dialog), "paste", paste, g_free);
  gtk_box_append (GTK_BOX (box), scrolled_text_view (&paste->view, _ ("Texts to add"), 220));
  gtk_box_append (GTK_BOX (box), paste_dialog_mode_box (paste, dialog));
  gtk_label_set_xalign (GTK_LABEL (count), 0);
  gtk_widget_add_css_class (count, "dim-label");
  paste->count_label = GTK_LABEL (count);
  gtk_box_append (GTK_BOX (box), count);

  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_response (dialog, "add", _ ("_Add"));
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "add");
  g_signal_connect_object (gtk_text_view_get_buffer (paste->view), "changed",
                           G_CALLBACK (paste_dialog_update), dialog, G_CONNECT_SWAPPED);
  g_signal_connect (dialog, "response", G_CALLBACK (paste_dialog_response), NULL);
  paste_dialog_update (dialog);

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), self->cancellable,
                                 paste_dialog_clipboard_cb, g_object_ref (paste->view));
  gtk_window_set_default_size (GTK_WINDOW (dialog), 560, -1);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (paste->view));
}

/* Add Files…
 *
 * The files are read in worker threads, a chunk of them per task, and added
 * at once in the order given. Each task could take the window's cancellable,
 * but GIO connects a handler to it per task and disconnecting one searches
 * them all: with one task per file, 10,000 files spent half their time
 * there. So one operation has its own cancellable, tied to the window's by
 * a single handler, and few tasks. */

#define FILES_PER_TASK 256

typedef struct
{
  SheafWindow *self;
  GCancellable *cancellable;
  gulong cancelled_id;
  GPtrArray *files;
  GPtrArray *slots; /* SheafItem or NULL, in the order the files were given */
  GPtrArray *errors;
  guint pending;
} AddFiles;

typedef struct
{
  AddFiles *op;
  guint first;
  guint n;
  GPtrArray *errors; /* messages, read by the main thread once done */
} AddFilesChunk;

static void
add_files_chunk_free (AddFilesChunk *chunk)
{
  g_ptr_array_unref (chunk->errors);
  g_free (chunk);
}

static void
add_files_finish (AddFiles *op)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < op->slots->len; i++)
    if (op->slots->pdata[i] != NULL)
      g_ptr_array_add (items, g_steal_pointer (&op->slots->pdata[i]));

  if (!g_cancellable_is_cancelled (op->cancellable))
    {
      _sheaf_window_append_items (op->self, items);
      for (guint i = 0; i < op->errors->len; i++)
        _sheaf_window_toast_text (op->self, op->errors->pdata[i]);
    }
  op->self->n_adding--;

  g_cancellable_disconnect (op->self->cancellable, op->cancelled_id);
  g_object_unref (op->cancellable);
  g_ptr_array_unref (op->files);
  g_ptr_array_unref (op->slots);
  g_ptr_array_unref (op->errors);
  g_object_unref (op->self);
  g_free (op);
}

/* In a worker thread: only this chunk's slots are written. */
static void
add_files_chunk_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AddFilesChunk *chunk = task_data;

  for (guint i = chunk->first; i < chunk->first + chunk->n; i++)
    {
      g_autoptr (GError) error = NULL;
      SheafItem *item;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      item = sheaf_inputs_item_from_file (chunk->op->files->pdata[i], cancellable, &error);
      if (item != NULL)
        chunk->op->slots->pdata[i] = item;
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_ptr_array_add (chunk->errors, g_strdup (error->message));
    }
  g_task_return_boolean (task, TRUE);
}

static void
add_files_chunk_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AddFilesChunk *chunk = g_task_get_task_data (G_TASK (result));
  AddFiles *op = chunk->op;

  g_ptr_array_extend_and_steal (op->errors, g_steal_pointer (&chunk->errors));
  chunk->errors = g_ptr_array_new ();
  if (--op->pending == 0)
    add_files_finish (op);
}

static void
add_files_start_chunk (AddFiles *op, guint first, guint n)
{
  g_autoptr (GTask) task = g_task_new (NULL, op->cancellable, add_files_chunk_cb, NULL);
  AddFilesChunk *chunk = g_new0 (AddFilesChunk, 1);

  chunk->op = op;
  chunk->first = first;
  chunk->n = n;
  chunk->errors = g_ptr_array_new_with_free_func (g_free);
  g_task_set_source_tag (task, add_files_start_chunk);
  g_task_set_task_data (task, chunk, (GDestroyNotify) add_files_chunk_free);
  /* Every chunk reports, cancelled or not: the operation ends once. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, add_files_chunk_thread);
}

static void
cancel_add_files (GCancellable *window_cancellable, GCancellable *op_cancellable)
{
  g_cancellable_cancel (op_cancellable);
}

/* Files opened from elsewhere (another `sheaf FILE`, a file manager) may
 * come while the list cannot change: say so rather than add them unseen. */
static gboolean
can_add_now (SheafWindow *self)
{
  if (_sheaf_window_is_running (self))
    _sheaf_window_toast_text (self, _ ("Sheaf is sending texts now. Open the files again when "
                                       "the run has finished."));
  else if (_sheaf_window_is_viewing (self))
    _sheaf_window_toast_text (self, _ ("An earlier run is shown. Go back to your texts, then open "
                                       "the files again."));
  else
    return TRUE;
  return FALSE;
}

void
sheaf_window_add_files (SheafWindow *self, GFile **files, guint n_files)
{
  AddFiles *op;

  g_return_if_fail (SHEAF_IS_WINDOW (self));

  if (n_files == 0 || !can_add_now (self))
    return;

  op = g_new0 (AddFiles, 1);
  op->self = g_object_ref (self);
  op->cancellable = g_cancellable_new ();
  op->cancelled_id =
    g_cancellable_connect (self->cancellable, G_CALLBACK (cancel_add_files), op->cancellable, NULL);
  op->files = g_ptr_array_new_full (n_files, g_object_unref);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (op->files, g_object_ref (files[i]));
  op->slots = g_ptr_array_new_full (n_files, NULL);
  g_ptr_array_set_size (op->slots, (int) n_files);
  op->errors = g_ptr_array_new_with_free_func (g_free);
  op->pending = (n_files + FILES_PER_TASK - 1) / FILES_PER_TASK;
  self->n_adding++;

  for (guint first = 0; first < n_files; first += FILES_PER_TASK)
    add_files_start_chunk (op, first, MIN (FILES_PER_TASK, n_files - first));
}

static void
add_text_filters (GtkFileChooser *chooser)
{
  GtkFileFilter *text = gtk_file_filter_new ();
  GtkFileFilter *all = gtk_file_filter_new ();

  gtk_file_filter_set_name (text, _ ("Text Files"));
  gtk_file_filter_add_mime_type (text, "text/plain");
  gtk_file_filter_add_mime_type (text, "text/markdown");
  gtk_file_filter_add_pattern (text, "*.txt");
  gtk_file_filter_add_pattern (text, "*.md");
  gtk_file_filter_set_name (all, _ ("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (chooser, text);
  gtk_file_chooser_add_filter (chooser, all);
  g_object_unref (text);
  g_object_unref (all);
}

static void
add_files_response (GtkNativeDialog *native, int response, SheafWindow *self)
{
  g_autoptr (GListModel) list = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      list = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (native));
      for (guint i = 0; i < g_list_model_get_n_items (list); i++)
        g_ptr_array_add (files, g_list_model_get_item (list, i));
      sheaf_window_add_files (self, (GFile **) files->pdata, files->len);
    }
  g_object_unref (native);
}

static GtkFileChooserNative *
file_chooser_new (SheafWindow *self, const char *title, GtkFileChooserAction action,
                  const char *accept)
{
  GtkFileChooserNative *native =
    gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, _ ("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  return native;
}

static void
add_files_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);
  GtkFileChooserNative *native =
    file_chooser_new (self, _ ("Add Files"), GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Add"));

  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);
  add_text_filters (GTK_FILE_CHOOSER (native));
  g_signal_connect_object (native, "response", G_CALLBACK (add_files_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* Import CSV Column… */

typedef struct
{
  SheafWindow *self;
  GBytes *data;
  char *name;
  GtkDropDown *columns;
} CsvImport;

static void
csv_import_free (CsvImport *import)
{
  g_clear_object (&import->self);
  g_clear_pointer (&import->data, g_bytes_unref);
  g_free (import->name);
  g_free (import);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsvImport, csv_import_free)

static void
csv_import_response (AdwMessageDialog *dialog, const char *response, CsvImport *import)
{
  GtkStringObject *column;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;
  gsize length;
  const char *data;

  if (!g_str_equal (response, "import"))
    return;

  column = gtk_drop_down_get_selected_item (import->columns);
  data = g_bytes_get_data (import->data, &length);
  items = sheaf_inputs_items_from_csv (data, length, gtk_string_object_get_string (column), &error);
  if (items == NULL)
    {
      show_error_dialog (import->self, _ ("Could Not Import the Column"), error->message);
      return;
    }
  _sheaf_window_append_items (import->self, items);
  message =
    g_strdup_printf (ngettext ("Added %u text from “%s”", "Added %u texts from “%s”", items->len),
                     items->len, import->name);
  _sheaf_window_toast_text (import->self, message);
}

static guint
guess_text_column (GStrv columns)
{
  static const char *likely[] = { "text", "article", "body", "content", "input" };

  for (guint i = 0; i < G_N_ELEMENTS (likely); i++)
    for (guint j = 0; columns[j] != NULL; j++)
      if (g_ascii_strcasecmp (columns[j], likely[i]) == 0)
        return j;
  return 0;
}

static void
csv_import_show_columns (CsvImport *import, GStrv columns)
{
  g_autofree char *body = g_strdup_printf (
    _ ("Each row of the column you choose in “%s” becomes one text."), import->name);
  AdwMessageDialog *dialog = message_dialog_new (import->self, _ ("Import CSV Column"), body);
  GtkWidget *drop_down = gtk_drop_down_new_from_strings ((const char *const *) columns);

  gtk_drop_down_set_selected (GTK_DROP_DOWN (drop_down), guess_text_column (columns));
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Column"), -1);
  import->columns = GTK_DROP_DOWN (drop_down);
  adw_message_dialog_set_extra_child (dialog, drop_down);
  adw_message_dialog_add_response (dialog, "import", _ ("_Import"));
  adw_message_dialog_set_response_appearance (dialog, "import", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "import");
  g_signal_connect_data (dialog, "response", G_CALLBACK (csv_import_response), import,
                         (GClosureNotify) csv_import_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
csv_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CsvImport) import = user_data;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) columns = NULL;
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error_dialog (import->self, _ ("Could Not Read the File"), error->message);
      return;
    }

  import->data = g_bytes_new_take (contents, length);
  columns = sheaf_inputs_csv_columns (contents, length, &error);
  if (columns == NULL || columns[0] == NULL)
    {
      show_error_dialog (import->self, _ ("Could Not Read the File"),
                         error != NULL ? error->message
                                       : _ ("The file has no header row naming its columns."));
      return;
    }
  csv_import_show_columns (g_steal_pointer (&import), columns);
}

static void
import_csv_response (GtkNativeDialog *native, int response, SheafWindow *self)
{
  g_autoptr (GFile) file = NULL;
  CsvImport *import;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      import = g_new0 (CsvImport, 1);
      import->self = g_object_ref (self);
      import->name = g_file_get_basename (file);
      g_file_load_contents_async (file, self->cancellable, csv_loaded_cb, import);
    }
  g_object_unref (native);
}

static void
import_csv_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);
  GtkFileChooserNative *native =
    file_chooser_new (self, _ ("Import CSV Column"), GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Open"));
  GtkFileFilter *csv = gtk_file_filter_new ();

  gtk_file_filter_set_name (csv, _ ("CSV Files"));
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_add_pattern (csv, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), csv);
  g_object_unref (csv);
  g_signal_connect_object (native, "response", G_CALLBACK (import_csv_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
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

  text = text_view_dup_text (edit->text);
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

  dialog = message_dialog_new (self, _ ("Edit Text"), NULL);
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
  gtk_box_append (GTK_BOX (box), scrolled_text_view (&edit->text, _ ("Text"), 260));
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
  AdwMessageDialog *dialog = message_dialog_new (self, _ ("Remove All Texts?"), body);

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
      show_error_dialog (export->self, _ ("Could Not Save the Table"), body);
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
    file_chooser_new (self, _ ("Export CSV"), GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Export"));
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
  gtk_widget_class_install_action (widget_class, "win.paste-text", NULL, paste_text_action);
  gtk_widget_class_install_action (widget_class, "win.add-files", NULL, add_files_action);
  gtk_widget_class_install_action (widget_class, "win.import-csv", NULL, import_csv_action);
  gtk_widget_class_install_action (widget_class, "win.edit-item", NULL, edit_item_action);
  gtk_widget_class_install_action (widget_class, "win.remove-item", NULL, remove_item_action);
  gtk_widget_class_install_action (widget_class, "win.move-up", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "win.move-down", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "win.clear-all", NULL, clear_all_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
}
