/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-csv"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-csv.h"

#include <string.h>

#include "sheaf-error.h"
#include "sheaf-item.h"

#define UTF8_BOM "\xEF\xBB\xBF"

static const char *const export_columns[] = {
  "index",    "title",   "input",        "status",        "response", "error",
  "attempts", "seconds", "input_tokens", "output_tokens", "model",    "stop_reason",
};
#define N_EXPORT_COLUMNS G_N_ELEMENTS (export_columns)

/* The formula guard
 *
 * Spreadsheets run a cell as a formula when it starts with "=", "+", "@",
 * or "-"; a leading tab or carriage return is guarded too (OWASP's list),
 * since some spreadsheets skip it before deciding. Such cells get a leading
 * apostrophe, which spreadsheets read as "this is text". The rule for "-"
 * is narrower, so that answers stay readable:
 *
 *  - "-" directly followed by something other than white space is guarded
 *    ("-2+3", "-A1", "-SUM(A1)", "-cmd|' /C calc'!A0", "--x"), except a
 *    plain negative number such as "-3" or "-0.25": a spreadsheet reads that
 *    as the number, which computes nothing.
 *  - "-" followed by white space is a bullet or a dash ("- point"): it is
 *    guarded only when the first word after the white space could start an
 *    expression — a digit, ".", "(", "=", "+", "-", "@", or a name directly
 *    followed by "(" or "|" (a function or a DDE link: "- SUM(A1)",
 *    "- cmd|'…'"). So "- point" and "- see (below)" stay as they are.
 *  - "-" alone stays.
 */

static gboolean
is_plain_number (const char *s)
{
  gboolean seen_digit = FALSE;
  gboolean seen_point = FALSE;

  for (; *s != '\0'; s++)
    {
      if (g_ascii_isdigit (*s))
        seen_digit = TRUE;
      else if (*s == '.' && !seen_point)
        seen_point = TRUE;
      else
        return FALSE;
    }

  return seen_digit;
}

static gboolean
starts_with_call (const char *s)
{
  const char *p = s;

  while (g_ascii_isalnum (*p) || *p == '_' || *p == '.')
    p++;

  return p != s && (*p == '(' || *p == '|');
}

static gboolean
dash_is_computed (const char *after_dash)
{
  const char *p = after_dash;

  if (*p == '\0')
    return FALSE;
  if (!g_ascii_isspace (*p))
    return !is_plain_number (p);

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '\0')
    return FALSE;

  return strchr ("0123456789.(=+-@", *p) != NULL || starts_with_call (p);
}

static gboolean
needs_formula_guard (const char *cell)
{
  switch (cell[0])
    {
      case '=':
      case '+':
      case '@':
      case '\t':
      case '\r':
        return TRUE;
      case '-':
        return dash_is_computed (cell + 1);
      default:
        return FALSE;
    }
}

/* Quotes for the separators RFC 4180 names, and for white space at either
 * end, which some readers would otherwise trim. */
static gboolean
needs_quotes (const char *cell, gboolean guarded)
{
  gsize len = strlen (cell);

  if (len == 0)
    return FALSE;
  if (strpbrk (cell, ",\"\r\n") != NULL)
    return TRUE;

  return (!guarded && g_ascii_isspace (cell[0])) || g_ascii_isspace (cell[len - 1]);
}

void
sheaf_csv_append_cell (GString *out, const char *value)
{
  gboolean guard;

  g_return_if_fail (out != NULL);

  if (value == NULL)
    return;

  guard = needs_formula_guard (value);
  if (!needs_quotes (value, guard))
    {
      if (guard)
        g_string_append_c (out, '\'');
      g_string_append (out, value);
      return;
    }

  g_string_append_c (out, '"');
  if (guard)
    g_string_append_c (out, '\'');
  /* Whole runs up to each quote, which is doubled: answers are long. */
  for (const char *p = value;;)
    {
      const char *quote = strchr (p, '"');

      if (quote == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, quote - p + 1);
      g_string_append_c (out, '"');
      p = quote + 1;
    }
  g_string_append_c (out, '"');
}

static void
append_row (GString *out, const char *const *cells, gsize n_cells)
{
  for (gsize i = 0; i < n_cells; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      sheaf_csv_append_cell (out, cells[i]);
    }
  g_string_append (out, "\r\n");
}

/* A row still running or waiting to retry has no outcome yet. */
static const char *
export_status (SheafItemState state)
{
  switch (state)
    {
      case SHEAF_ITEM_STATE_DONE:
      case SHEAF_ITEM_STATE_FAILED:
      case SHEAF_ITEM_STATE_CANCELLED:
      case SHEAF_ITEM_STATE_NOT_SENT:
      case SHEAF_ITEM_STATE_OUTDATED:
        return sheaf_item_state_to_string (state);
      case SHEAF_ITEM_STATE_QUEUED:
      case SHEAF_ITEM_STATE_RUNNING:
      case SHEAF_ITEM_STATE_RETRYING:
      default:
        return sheaf_item_state_to_string (SHEAF_ITEM_STATE_QUEUED);
    }
}

/* Numbers are formatted into buffers on the stack: no allocation per cell. */
#define NUMBER_SIZE 24

static const char *
format_tokens (char *buffer, gint64 tokens)
{
  if (tokens < 0)
    return NULL;
  g_snprintf (buffer, NUMBER_SIZE, "%" G_GINT64_FORMAT, tokens);
  return buffer;
}

static void
append_item_row (GString *out, guint index, SheafItem *item)
{
  char seconds[G_ASCII_DTOSTR_BUF_SIZE];
  char index_str[NUMBER_SIZE], attempts[NUMBER_SIZE];
  char input_tokens[NUMBER_SIZE], output_tokens[NUMBER_SIZE];
  const char *cells[N_EXPORT_COLUMNS] = {
    index_str,
    sheaf_item_get_title (item),
    sheaf_item_get_text (item),
    export_status (sheaf_item_get_state (item)),
    sheaf_item_get_response (item),
    sheaf_item_get_error_message (item),
    attempts,
    g_ascii_formatd (seconds, sizeof seconds, "%.2f", sheaf_item_get_seconds (item)),
    format_tokens (input_tokens, sheaf_item_get_input_tokens (item)),
    format_tokens (output_tokens, sheaf_item_get_output_tokens (item)),
    sheaf_item_get_model (item),
    sheaf_item_get_stop_reason (item),
  };

  g_snprintf (index_str, sizeof index_str, "%u", index);
  g_snprintf (attempts, sizeof attempts, "%u", sheaf_item_get_attempts (item));
  append_row (out, cells, N_EXPORT_COLUMNS);
}

GBytes *
sheaf_csv_export_items (GListModel *items)
{
  GString *out;
  guint n_items;

  g_return_val_if_fail (G_IS_LIST_MODEL (items), NULL);

  out = g_string_new (NULL);
  append_row (out, export_columns, N_EXPORT_COLUMNS);

  n_items = g_list_model_get_n_items (items);
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);

      append_item_row (out, i + 1, item);
    }

  return g_string_free_to_bytes (out);
}

/* Rows are gathered into blocks of about this size before they are written. */
#define WRITE_BLOCK_SIZE (64 * 1024)

static gboolean
write_block (GOutputStream *stream, GString *block, GCancellable *cancellable, GError **error)
{
  gboolean written =
    g_output_stream_write_all (stream, block->str, block->len, NULL, cancellable, error);

  g_string_truncate (block, 0);
  return written;
}

gboolean
sheaf_csv_write_items_to_stream (GListModel *items, GOutputStream *stream,
                                 GCancellable *cancellable, GError **error)
{
  g_autoptr (GString) block = NULL;
  guint n_items;

  g_return_val_if_fail (G_IS_LIST_MODEL (items), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  block = g_string_sized_new (2 * WRITE_BLOCK_SIZE);
  append_row (block, export_columns, N_EXPORT_COLUMNS);

  n_items = g_list_model_get_n_items (items);
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);

      append_item_row (block, i + 1, item);
      if (block->len >= WRITE_BLOCK_SIZE && !write_block (stream, block, cancellable, error))
        return FALSE;
    }

  return write_block (stream, block, cancellable, error);
}

/* A regular file (or one that does not exist yet) is replaced: the rows go
 * to a temporary file that is renamed over it when closed, so a failure
 * never leaves half a table behind. A device or a pipe (/dev/null,
 * /dev/stdout, a FIFO) cannot be replaced, nor needs to be: it is written
 * to directly. */
static GOutputStream *
open_output (GFile *file, GCancellable *cancellable, GError **error)
{
  GFileType type = g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, cancellable);

  if (type == G_FILE_TYPE_SPECIAL)
    return G_OUTPUT_STREAM (g_file_append_to (file, G_FILE_CREATE_NONE, cancellable, error));
  return G_OUTPUT_STREAM (
    g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, error));
}

/* Closing with a cancelled cancellable abandons a replacement: the file
 * being replaced stays as it was. */
static void
abandon_output (GOutputStream *stream)
{
  g_autoptr (GCancellable) abandon = g_cancellable_new ();

  g_cancellable_cancel (abandon);
  g_output_stream_close (stream, abandon, NULL);
}

gboolean
sheaf_csv_write_file (GListModel *items, GFile *file, GCancellable *cancellable, GError **error)
{
  g_autoptr (GOutputStream) stream = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (G_IS_LIST_MODEL (items), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stream = open_output (file, cancellable, error);
  if (stream != NULL && !sheaf_csv_write_items_to_stream (items, stream, cancellable, error))
    abandon_output (stream);
  else if (stream != NULL && g_output_stream_close (stream, cancellable, error))
    return TRUE;

  name = g_file_get_parse_name (file);
  g_prefix_error (error, _ ("Could not save the table as “%s”: "), name);
  return FALSE;
}

/* Parsing */

typedef struct
{
  const char *p;
  const char *end;
  guint line; /* the line p is on, counting from 1 */
  GString *cell;
} CsvParser;

static gboolean
at_line_end (const CsvParser *parser)
{
  return parser->p < parser->end && (*parser->p == '\n' || *parser->p == '\r');
}

static gboolean
at_cell_end (const CsvParser *parser)
{
  return parser->p == parser->end || *parser->p == ',' || at_line_end (parser);
}

static void
skip_line_end (CsvParser *parser)
{
  if (*parser->p == '\r' && parser->p + 1 < parser->end && parser->p[1] == '\n')
    parser->p++;
  parser->p++;
  parser->line++;
}

/* Reads a quoted cell from its opening quote to its closing one. Like
 * Python's csv module, text after the closing quote is kept as it is. */
static gboolean
parse_quoted (CsvParser *parser, GError **error)
{
  guint start_line = parser->line;

  for (parser->p++; parser->p < parser->end; parser->p++)
    {
      char c = *parser->p;

      if (c == '"')
        {
          if (parser->p + 1 < parser->end && parser->p[1] == '"')
            parser->p++;
          else
            {
              parser->p++;
              return TRUE;
            }
        }
      else if (c == '\n')
        parser->line++;
      g_string_append_c (parser->cell, c);
    }

  g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
               _ ("The quote that opens a cell on line %u is never closed. Check that line in a "
                  "text editor or re-export the file from the spreadsheet."),
               start_line);
  return FALSE;
}

static gboolean
parse_cell (CsvParser *parser, GError **error)
{
  g_string_truncate (parser->cell, 0);

  if (parser->p < parser->end && *parser->p == '"' && !parse_quoted (parser, error))
    return FALSE;

  while (!at_cell_end (parser))
    g_string_append_c (parser->cell, *parser->p++);

  return TRUE;
}

static GStrv
parse_row (CsvParser *parser, GError **error)
{
  g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

  for (;;)
    {
      if (!parse_cell (parser, error))
        return NULL;
      g_ptr_array_add (cells, g_strdup (parser->cell->str));
      if (parser->p < parser->end && *parser->p == ',')
        parser->p++;
      else
        break;
    }

  if (at_line_end (parser))
    skip_line_end (parser);

  g_ptr_array_add (cells, NULL);
  return (GStrv) g_ptr_array_steal (cells, NULL);
}

static gboolean
check_utf8 (const char *data, gsize length, GError **error)
{
  const char *bad;
  guint line = 1;

  if (g_utf8_validate_len (data, length, &bad))
    return TRUE;

  for (const char *p = data; p < bad; p++)
    if (*p == '\n')
      line++;

  g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
               _ ("Line %u is not UTF-8 text. Save the file as “CSV UTF-8” (or choose UTF-8 "
                  "as the character set) and try again."),
               line);
  return FALSE;
}

GPtrArray *
sheaf_csv_parse (const char *data, gsize length, GError **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GString) cell = g_string_new (NULL);
  CsvParser parser = { data, data + length, 1, cell };

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length == 0)
    return g_steal_pointer (&rows);
  if (!check_utf8 (data, length, error))
    return NULL;
  if (length >= 3 && memcmp (data, UTF8_BOM, 3) == 0)
    parser.p += 3;

  while (parser.p < parser.end)
    {
      GStrv row = parse_row (&parser, error);

      if (row == NULL)
        return NULL;
      /* A blank line is not a row. */
      if (row[1] == NULL && row[0][0] == '\0')
        g_strfreev (row);
      else
        g_ptr_array_add (rows, row);
    }

  return g_steal_pointer (&rows);
}
