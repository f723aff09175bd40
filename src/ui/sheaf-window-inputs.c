/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-window-private.h"

gboolean
_sheaf_window_is_adding (SheafWindow *self)
{
  return self->n_adding > 0;
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

/* How many refusals the Details dialog lists before it counts the rest. */
#define REFUSALS_LISTED 12

static void
show_refusal_details (AdwToast *toast, SheafWindow *self)
{
  _sheaf_show_error_dialog (self, g_object_get_data (G_OBJECT (toast), "sheaf-title"),
                            g_object_get_data (G_OBJECT (toast), "sheaf-details"));
}

/* The reasons, one a paragraph, the first REFUSALS_LISTED of them. */
static char *
refusal_details (GPtrArray *errors)
{
  GString *details = g_string_new (NULL);
  guint listed = MIN (errors->len, REFUSALS_LISTED);

  for (guint i = 0; i < listed; i++)
    g_string_append_printf (details, "%s%s", i > 0 ? "\n\n" : "", (const char *) errors->pdata[i]);
  if (errors->len > listed)
    {
      guint more = errors->len - listed;

      g_string_append (details, "\n\n");
      g_string_append_printf (details, ngettext ("And %u more file.", "And %u more files.", more),
                              more);
    }
  return g_string_free (details, FALSE);
}

/* One refusal is said as it is; several in one toast, whose Details button
 * lists their reasons, rather than a toast each. */
static void
show_refusals (SheafWindow *self, GPtrArray *errors, guint n_files)
{
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (errors->len <= 1)
    {
      if (errors->len == 1)
        _sheaf_window_toast_text (self, errors->pdata[0]);
      return;
    }

  /* Translators: e.g. "3 of 40 files were not added" */
  title = g_strdup_printf (
    ngettext ("%u of %u file was not added", "%u of %u files were not added", errors->len),
    errors->len, n_files);
  toast = _sheaf_toast_new (title);
  adw_toast_set_button_label (toast, _ ("_Details"));
  adw_toast_set_timeout (toast, 0);
  g_object_set_data_full (G_OBJECT (toast), "sheaf-details", refusal_details (errors), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (show_refusal_details), self, 0);
  _sheaf_window_toast (self, toast);
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
      show_refusals (op->self, op->errors, op->files->len);
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

static void
add_files_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);
  GtkFileChooserNative *native =
    _sheaf_file_chooser_new (self, _ ("Add Files"), GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Add"));

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
      _sheaf_show_error_dialog (import->self, _ ("Could Not Import the Column"), error->message);
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
  AdwMessageDialog *dialog =
    _sheaf_message_dialog_new (import->self, _ ("Import CSV Column"), body);
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
  const char *contents;
  gsize length = 0;

  import->data = sheaf_inputs_read_file_finish (result, &error);
  if (import->data == NULL)
    {
      /* The message names the file. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _sheaf_show_error_dialog (import->self, _ ("Could Not Read the File"), error->message);
      return;
    }

  contents = g_bytes_get_data (import->data, &length);
  columns = sheaf_inputs_csv_columns (contents, length, &error);
  if (columns == NULL || columns[0] == NULL)
    {
      g_autofree char *message = g_strdup_printf (
        /* TRANSLATORS: a file name, then why it cannot be imported. */
        _ ("“%s”: %s"), import->name,
        error != NULL ? error->message : _ ("The file has no header row naming its columns."));

      _sheaf_show_error_dialog (import->self, _ ("Could Not Read the File"), message);
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
      sheaf_inputs_read_file_async (file, self->cancellable, csv_loaded_cb, import);
    }
  g_object_unref (native);
}

static void
import_csv_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  SheafWindow *self = SHEAF_WINDOW (widget);
  GtkFileChooserNative *native = _sheaf_file_chooser_new (
    self, _ ("Import CSV Column"), GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Open"));
  GtkFileFilter *csv = gtk_file_filter_new ();

  gtk_file_filter_set_name (csv, _ ("CSV Files"));
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_add_pattern (csv, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), csv);
  g_object_unref (csv);
  g_signal_connect_object (native, "response", G_CALLBACK (import_csv_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

void
_sheaf_window_inputs_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.add-files", NULL, add_files_action);
  gtk_widget_class_install_action (widget_class, "win.import-csv", NULL, import_csv_action);
}
