/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <glib/gstdio.h>
#include <string.h>

#include "sheaf-cli-private.h"

/*
 * --resume: the rows that an earlier run answered, read from its output
 * (CSV or JSON Lines) and then its journal, which is newer. A row counts
 * as answered when its status is done and it is the same row: the same
 * row number and the same input. Only the other rows are sent again.
 */

typedef GHashTable Answers; /* row number → SheafItem with status done */

static void
add_answer (Answers *answers, JsonObject *row)
{
  guint index = 0;
  g_autoptr (SheafItem) item = _sheaf_cli_item_from_json (row, &index);

  if (item != NULL && sheaf_item_get_state (item) == SHEAF_ITEM_STATE_DONE)
    g_hash_table_replace (answers, GUINT_TO_POINTER (index), g_steal_pointer (&item));
}

/* A line cut off by a kill does not parse, and is skipped. */
static void
read_jsonl (Answers *answers, const char *data, gsize length)
{
  const char *end = data + length;

  for (const char *line = data; line < end;)
    {
      const char *newline = memchr (line, '\n', end - line);
      const char *line_end = newline != NULL ? newline : end;
      g_autoptr (JsonNode) node = sheaf_json_parse (line, line_end - line);

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        add_answer (answers, json_node_get_object (node));
      line = line_end + 1;
    }
}

/* The CSV guards a cell a spreadsheet would compute with an apostrophe;
 * one that the guard put there is taken off again. */
static const char *
unguard (const char *cell)
{
  g_autoptr (GString) written = NULL;

  if (cell[0] != '\'')
    return cell;
  written = g_string_new (NULL);
  sheaf_csv_append_cell (written, cell + 1);
  if (written->str[0] == '\'' || (written->str[0] == '"' && written->str[1] == '\''))
    return cell + 1;
  return cell;
}

static void
read_csv (Answers *answers, const char *data, gsize length, GError **error)
{
  g_autoptr (GPtrArray) rows = sheaf_csv_parse (data, length, error);
  GStrv header;

  if (rows == NULL || rows->len == 0)
    return;
  header = g_ptr_array_index (rows, 0);
  for (guint i = 1; i < rows->len; i++)
    {
      GStrv cells = g_ptr_array_index (rows, i);
      g_autoptr (JsonObject) row = json_object_new ();

      for (guint c = 0; header[c] != NULL && cells[c] != NULL; c++)
        json_object_set_string_member (row, header[c], unguard (cells[c]));
      add_answer (answers, row);
    }
}

/* Reads @path, when it exists, into @answers. */
static gboolean
read_answers (Answers *answers, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *name = g_filename_display_name (path);
  g_autoptr (GError) local_error = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "--resume: ");
      return FALSE;
    }

  /* What the file is tells more than its name: a JSON Lines row opens
   * with a brace, a CSV table with its header. */
  if (length > 0 && data[0] == '{')
    read_jsonl (answers, data, length);
  else
    read_csv (answers, data, length, &local_error);
  if (local_error != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", name);
      return FALSE;
    }
  return TRUE;
}

/* Gives each row of @items its earlier answer, and returns those without
 * one, in order. */
static SheafCliRows *
apply_answers (Answers *answers, SheafCliRows *items)
{
  SheafCliRows *pending = sheaf_cli_rows_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (items));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (G_LIST_MODEL (items), i);
      SheafItem *answer =
        g_hash_table_lookup (answers, GUINT_TO_POINTER ((guint) sheaf_item_get_id (item)));

      if (answer != NULL &&
          g_strcmp0 (sheaf_item_get_text (answer), sheaf_item_get_text (item)) == 0)
        sheaf_item_copy_outcome (item, answer);
      else
        sheaf_cli_rows_append (pending, item);
    }
  return pending;
}

/* Without --resume, a journal left by a run that did not finish holds
 * answers that starting over would lose. */
static gboolean
check_no_journal (const char *journal, GError **error)
{
  g_autofree char *name = NULL;

  if (!g_file_test (journal, G_FILE_TEST_EXISTS))
    return TRUE;

  name = g_filename_display_name (journal);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _ ("“%s” holds the answers of a run that did not finish. Run the same command "
                  "with --resume to complete it, or delete that file to start over."),
               name);
  return FALSE;
}

SheafCliRows *
_sheaf_cli_resume (const CliOptions *o, SheafCliRows *items, GError **error)
{
  g_autoptr (GHashTable) answers = NULL;
  g_autofree char *journal = NULL;

  if (!_sheaf_cli_wants_journal (o->output))
    return g_object_ref (items);

  journal = _sheaf_cli_journal_path (o->output);
  if (!o->resume)
    return check_no_journal (journal, error) ? g_object_ref (items) : NULL;

  answers = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  if (!read_answers (answers, o->output, error) || !read_answers (answers, journal, error))
    return NULL;
  return apply_answers (answers, items);
}
