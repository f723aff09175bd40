/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <unistd.h>

#include "sheaf-cli-private.h"

/* Inputs */

static char *
display_path (const char *path)
{
  if (g_strcmp0 (path, "-") == 0)
    return g_strdup (_ ("standard input"));
  return g_filename_display_name (path);
}

/* At most SHEAF_INPUT_MAX_FILE_SIZE bytes of @path, which it refuses past
 * that, before reading more. */
static GBytes *
read_input (const char *path, GError **error)
{
  g_autoptr (GFile) file = NULL;

  if (g_strcmp0 (path, "-") == 0)
    {
      g_autoptr (GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autofree char *name = display_path (path);

      return sheaf_inputs_read_stream (in, name, NULL, error);
    }

  file = g_file_new_for_commandline_arg (path);
  return sheaf_inputs_read_file (file, NULL, error);
}

/* Appends @items (which it takes) or, when there are none, says which
 * input they were to come from. */
static gboolean
append_items (SheafCliRows *store, GPtrArray *items, const char *name, GError **error)
{
  g_autoptr (GPtrArray) owned = items;

  if (owned == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }

  sheaf_cli_rows_append_all (store, owned);
  return TRUE;
}

/* --csv without --column: say which columns there are to choose from. */
static gboolean
fail_missing_column (const char *name, const char *data, gsize length, GError **error)
{
  g_auto (GStrv) columns = sheaf_inputs_csv_columns (data, length, error);
  g_autofree char *list = NULL;

  if (columns == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }

  list = g_strjoinv (", ", columns);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _ ("--csv needs --column=NAME to say which column holds the inputs. The columns "
                  "of %s are: %s."),
               name, list);
  return FALSE;
}

/* --lines=@path, or --csv=@path when @csv (with --column=@column). */
static gboolean
add_text_input (SheafCliRows *store, const char *path, gboolean csv, const char *column,
                GError **error)
{
  g_autofree char *name = display_path (path);
  g_autoptr (GBytes) bytes = read_input (path, error);
  gsize length;
  const char *data;

  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &length);
  if (!csv)
    return append_items (store, sheaf_inputs_items_from_lines (data, length, error), name, error);
  if (column == NULL)
    return fail_missing_column (name, data, length, error);
  return append_items (store, sheaf_inputs_items_from_csv (data, length, column, error), name,
                       error);
}

static gboolean
add_file (SheafCliRows *store, const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr (SheafItem) item = sheaf_inputs_item_from_file (file, NULL, error);

  if (item == NULL)
    return FALSE;

  sheaf_cli_rows_append (store, item);
  return TRUE;
}

/* The row numbers of the output, by which --resume finds them again. */
static void
number_items (SheafCliRows *store)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (G_LIST_MODEL (store), i);

      sheaf_item_set_id (item, i + 1);
    }
}

gboolean
_sheaf_cli_load_inputs (const CliOptions *o, SheafCliRows *store, GError **error)
{
  if (o->lines != NULL && !add_text_input (store, o->lines, FALSE, NULL, error))
    return FALSE;
  if (o->csv != NULL && !add_text_input (store, o->csv, TRUE, o->column, error))
    return FALSE;
  for (guint i = 0; o->files != NULL && o->files[i] != NULL; i++)
    if (!add_file (store, o->files[i], error))
      return FALSE;

  if (g_list_model_get_n_items (G_LIST_MODEL (store)) == 0)
    return _sheaf_cli_fail_usage (error, _ ("The input has no text to send."));
  number_items (store);
  return TRUE;
}
