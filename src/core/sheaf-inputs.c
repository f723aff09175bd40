/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-inputs"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-inputs.h"

#include <string.h>

#include "sheaf-csv.h"
#include "sheaf-error.h"

#define TITLE_MAX_CHARS      60
#define UTF8_BOM             "\xEF\xBB\xBF"
#define FILE_INFO_ATTRIBUTES G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE
#define READ_CHUNK_SIZE      (64 * 1024)

/* Titles */

static gboolean
is_blank (const char *s)
{
  for (; *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

/* Cuts @line (which it takes) to TITLE_MAX_CHARS characters, at the last
 * space when that keeps at least half of them. */
static char *
shorten_title (char *line)
{
  const char *cut;
  const char *space = NULL;
  g_autofree char *head = NULL;

  if (g_utf8_strlen (line, -1) <= TITLE_MAX_CHARS)
    return line;

  cut = g_utf8_offset_to_pointer (line, TITLE_MAX_CHARS);
  for (const char *p = cut; p > line && space == NULL; p--)
    if (*p == ' ')
      space = p;
  if (space != NULL && g_utf8_pointer_to_offset (line, space) >= TITLE_MAX_CHARS / 2)
    cut = space;

  head = g_strndup (line, cut - line);
  g_free (line);
  g_strchomp (head);
  return g_strconcat (head, "…", NULL);
}

char *
sheaf_inputs_make_title (const char *text)
{
  const char *start = text;
  char *line;

  g_return_val_if_fail (text != NULL, NULL);

  while (g_ascii_isspace (*start))
    start++;
  /* Pasted text need not be UTF-8; counting characters in bytes that are
   * not would read past the line's end. Each bad byte becomes U+FFFD. */
  line = g_utf8_make_valid (start, strcspn (start, "\r\n"));
  g_strchomp (line);

  return shorten_title (line);
}

/* Splitting */

/* A copy of @data where every CRLF is LF. */
static char *
dup_with_lf (const char *data, gsize length)
{
  GString *out = g_string_sized_new (length);

  for (gsize i = 0; i < length; i++)
    if (!(data[i] == '\r' && i + 1 < length && data[i + 1] == '\n'))
      g_string_append_c (out, data[i]);

  return g_string_free (out, FALSE);
}

/* Adds an item for @text, trimmed, unless nothing is left; @title NULL or
 * empty means "make one from the text". */
static void
add_item (GPtrArray *items, const char *title, const char *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_autofree char *made_title = NULL;

  if (*trimmed == '\0')
    return;
  if (title == NULL || is_blank (title))
    title = made_title = sheaf_inputs_make_title (trimmed);

  g_ptr_array_add (items, sheaf_item_new (title, trimmed));
}

static void
split_paragraphs (GPtrArray *items, GStrv lines)
{
  g_autoptr (GString) paragraph = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (is_blank (lines[i]))
        {
          add_item (items, NULL, paragraph->str);
          g_string_truncate (paragraph, 0);
        }
      else
        g_string_append_printf (paragraph, "%s\n", lines[i]);
    }

  add_item (items, NULL, paragraph->str);
}

/* One item per line of @text (which it cuts into lines in place): no
 * copy of each line is made, for a million lines it would be many MB. */
static void
split_lines (GPtrArray *items, char *text)
{
  for (char *line = text; line != NULL;)
    {
      char *newline = strchr (line, '\n');

      if (newline != NULL)
        *newline = '\0';
      add_item (items, NULL, line);
      line = newline != NULL ? newline + 1 : NULL;
    }
}

GPtrArray *
sheaf_inputs_split_text (const char *text, SheafSplitMode mode)
{
  g_autofree char *normalized = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *items;

  g_return_val_if_fail (text != NULL, NULL);

  normalized = dup_with_lf (text, strlen (text));
  items = g_ptr_array_new_with_free_func (g_object_unref);

  if (mode == SHEAF_SPLIT_LINES)
    {
      split_lines (items, normalized);
      return items;
    }
  lines = g_strsplit (normalized, "\n", -1);
  split_paragraphs (items, lines);
  return items;
}

/* Checking text */

typedef enum
{
  TEXT_OK,
  TEXT_BINARY,
  TEXT_NOT_UTF8,
  TEXT_EMPTY,
} TextProblem;

static gsize
bom_length (const char *data, gsize length)
{
  return length >= 3 && memcmp (data, UTF8_BOM, 3) == 0 ? 3 : 0;
}

/* On TEXT_NOT_UTF8, *bad is where the first invalid byte is. */
static TextProblem
check_text (const char *data, gsize length, const char **bad)
{
  if (length == 0)
    return TEXT_EMPTY;
  if (memchr (data, '\0', length) != NULL)
    return TEXT_BINARY;
  if (!g_utf8_validate_len (data, length, bad))
    return TEXT_NOT_UTF8;

  for (gsize i = bom_length (data, length); i < length; i++)
    if (!g_ascii_isspace (data[i]))
      return TEXT_OK;

  return TEXT_EMPTY;
}

static guint
line_of (const char *data, const char *position)
{
  guint line = 1;

  for (const char *p = data; p < position; p++)
    if (*p == '\n')
      line++;

  return line;
}

/* The line of the first NUL byte in @data. */
static guint
nul_line (const char *data, gsize length)
{
  return line_of (data, memchr (data, '\0', length));
}

static void
set_too_large_error (GError **error, const char *display_name, guint64 size)
{
  g_autofree char *size_str = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);

  g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
               _ ("“%s” is too large (%s). Sheaf takes files of up to %u MiB: split it into "
                  "smaller files."),
               display_name, size_str, SHEAF_INPUT_MAX_MIB);
}

/* For a stream whose size was not known before reading. */
static void
set_stream_too_large_error (GError **error, const char *display_name)
{
  g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
               _ ("“%s” is larger than %u MiB, the most Sheaf takes from one input: split it "
                  "into smaller files."),
               display_name, SHEAF_INPUT_MAX_MIB);
}

static void
set_file_text_error (GError **error, TextProblem problem, const char *display_name, guint bad_line)
{
  if (problem == TEXT_BINARY)
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
                 _ ("“%s” contains a NUL byte at line %u, so it is not a text file. Sheaf reads "
                    "plain text, such as .txt and .md files."),
                 display_name, bad_line);
  else if (problem == TEXT_NOT_UTF8)
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
                 _ ("“%s” is not UTF-8 text. Open it in a text editor, save it with the UTF-8 "
                    "character encoding and add it again."),
                 display_name);
  else
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
                 _ ("“%s” is empty. Add a file that has some text in it."), display_name);
}

/* The encoding a byte-order mark other than UTF-8's names, and the mark's
 * length; NULL when there is none. UTF-32LE's mark begins as UTF-16LE's. */
static const char *
bom_charset (const char *data, gsize length, gsize *mark)
{
  static const struct
  {
    const char *bytes;
    gsize length;
    const char *charset;
  } marks[] = {
    { "\xFF\xFE\0\0", 4, "UTF-32LE" },
    { "\0\0\xFE\xFF", 4, "UTF-32BE" },
    { "\xFF\xFE", 2, "UTF-16LE" },
    { "\xFE\xFF", 2, "UTF-16BE" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (marks); i++)
    if (length >= marks[i].length && memcmp (data, marks[i].bytes, marks[i].length) == 0)
      {
        *mark = marks[i].length;
        return marks[i].charset;
      }
  return NULL;
}

/* Text that begins with a UTF-16 or UTF-32 byte-order mark, in UTF-8; NULL
 * (text untouched) when there is no such mark. */
static char *
dup_from_bom_charset (const char *data, gsize length, const char *display_name, gsize *written,
                      GError **error)
{
  gsize mark = 0;
  const char *charset = bom_charset (data, length, &mark);
  g_autoptr (GError) local_error = NULL;
  char *converted;

  if (charset == NULL)
    return NULL;
  converted = g_convert (data + mark, length - mark, "UTF-8", charset, NULL, written, &local_error);
  if (converted == NULL)
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
                 _ ("“%s” begins as %s text but is not: it may be damaged. Open it in a text "
                    "editor, save it with the UTF-8 character encoding and add it again."),
                 display_name, charset);
  return converted;
}

char *
sheaf_inputs_text_from_bytes (GBytes *bytes, const char *display_name, GError **error)
{
  const char *data;
  gsize length, skip;
  TextProblem problem;
  g_autofree char *converted = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &length);
  if (length > SHEAF_INPUT_MAX_FILE_SIZE)
    {
      set_too_large_error (error, display_name, length);
      return NULL;
    }

  converted = dup_from_bom_charset (data, length, display_name, &length, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (converted != NULL)
    data = converted;

  problem = check_text (data, length, NULL);
  if (problem != TEXT_OK)
    {
      set_file_text_error (error, problem, display_name,
                           problem == TEXT_BINARY ? nul_line (data, length) : 0);
      return NULL;
    }

  skip = bom_length (data, length);
  return dup_with_lf (data + skip, length - skip);
}

/* Files */

static char *
dup_display_name (GFile *file)
{
  g_autofree char *basename = g_file_get_basename (file);

  if (basename == NULL || strcmp (basename, "/") == 0)
    return g_file_get_parse_name (file);

  return g_filename_display_name (basename);
}

static void
set_folder_error (GError **error, const char *display_name)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
               _ ("“%s” is a folder, not a file. Add the files inside it instead."), display_name);
}

/* Takes @local_error and sets @error to a message for a person about
 * reading @file, keeping the GIOError code. */
static void
propagate_read_error (GFile *file, GError *local_error, GError **error)
{
  g_autofree char *name = dup_display_name (file);

  if (local_error->domain != G_IO_ERROR || local_error->code == G_IO_ERROR_CANCELLED)
    {
      g_propagate_error (error, local_error);
      return;
    }

  if (local_error->code == G_IO_ERROR_NOT_FOUND)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _ ("“%s” does not exist. Check the file name and its folder."), name);
  else if (local_error->code == G_IO_ERROR_PERMISSION_DENIED)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 _ ("You do not have permission to read “%s”. Check who may read it, or copy it "
                    "somewhere you can read it."),
                 name);
  else if (local_error->code == G_IO_ERROR_IS_DIRECTORY)
    set_folder_error (error, name);
  else
    g_set_error (error, G_IO_ERROR, local_error->code, _ ("Could not read “%s”: %s"), name,
                 local_error->message);

  g_error_free (local_error);
}

GBytes *
sheaf_inputs_read_stream (GInputStream *stream, const char *display_name, GCancellable *cancellable,
                          GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  gsize n_read = 0;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  do
    {
      gsize length = data->len;

      g_byte_array_set_size (data, length + READ_CHUNK_SIZE);
      if (!g_input_stream_read_all (stream, data->data + length, READ_CHUNK_SIZE, &n_read,
                                    cancellable, error))
        return NULL;
      g_byte_array_set_size (data, length + n_read);
      if (data->len > SHEAF_INPUT_MAX_FILE_SIZE)
        {
          set_stream_too_large_error (error, display_name);
          return NULL;
        }
    }
  while (n_read == READ_CHUNK_SIZE);

  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* Refuses a folder or a file too large to be an item before reading it. */
static gboolean
check_file_info (GFile *file, GFileInfo *info, GError **error)
{
  g_autofree char *name = dup_display_name (file);

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      set_folder_error (error, name);
      return FALSE;
    }

  if (g_file_info_get_size (info) > SHEAF_INPUT_MAX_FILE_SIZE)
    {
      set_too_large_error (error, name, g_file_info_get_size (info));
      return FALSE;
    }

  return TRUE;
}

GBytes *
sheaf_inputs_read_file (GFile *file, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GFileInputStream) stream = NULL;
  g_autofree char *name = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  info = g_file_query_info (file, FILE_INFO_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, cancellable,
                            &local_error);
  if (info != NULL && !check_file_info (file, info, error))
    return NULL;
  if (info != NULL)
    stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      propagate_read_error (file, local_error, error);
      return NULL;
    }

  /* The file may have grown since it was measured. */
  name = dup_display_name (file);
  return sheaf_inputs_read_stream (G_INPUT_STREAM (stream), name, cancellable, error);
}

static void
read_file_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  GBytes *bytes = sheaf_inputs_read_file (task_data, cancellable, &error);

  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

static void
item_from_file_in_thread (GTask *task, gpointer source, gpointer task_data,
                          GCancellable *cancellable)
{
  GError *error = NULL;
  SheafItem *item = sheaf_inputs_item_from_file (task_data, cancellable, &error);

  if (item == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, item, g_object_unref);
}

/* Runs @func on @file in a thread, for the _finish() of @source_tag. */
static void
run_on_file_in_thread (GFile *file, GTaskThreadFunc func, gpointer source_tag,
                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, func);
}

static gpointer
propagate_file_task (GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
sheaf_inputs_read_file_async (GFile *file, GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  run_on_file_in_thread (file, read_file_in_thread, sheaf_inputs_read_file_async, cancellable,
                         callback, user_data);
}

GBytes *
sheaf_inputs_read_file_finish (GAsyncResult *result, GError **error)
{
  return propagate_file_task (result, sheaf_inputs_read_file_async, error);
}

static char *
title_from_name (const char *name)
{
  static const char *const suffixes[] = { ".txt", ".md" };
  gsize length = strlen (name);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      gsize suffix_length = strlen (suffixes[i]);

      if (length > suffix_length &&
          g_ascii_strcasecmp (name + length - suffix_length, suffixes[i]) == 0)
        return g_strndup (name, length - suffix_length);
    }

  return g_strdup (name);
}

static SheafItem *
item_from_bytes (GFile *file, GBytes *bytes, GError **error)
{
  g_autofree char *name = dup_display_name (file);
  g_autofree char *title = NULL;
  g_autofree char *text = sheaf_inputs_text_from_bytes (bytes, name, error);

  if (text == NULL)
    return NULL;

  title = title_from_name (name);
  return sheaf_item_new (title, text);
}

SheafItem *
sheaf_inputs_item_from_file (GFile *file, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) bytes = sheaf_inputs_read_file (file, cancellable, error);

  if (bytes == NULL)
    return NULL;

  return item_from_bytes (file, bytes, error);
}

void
sheaf_inputs_item_from_file_async (GFile *file, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  run_on_file_in_thread (file, item_from_file_in_thread, sheaf_inputs_item_from_file_async,
                         cancellable, callback, user_data);
}

SheafItem *
sheaf_inputs_item_from_file_finish (GAsyncResult *result, GError **error)
{
  return propagate_file_task (result, sheaf_inputs_item_from_file_async, error);
}

/* CSV and lines */

static void
set_nul_error (GError **error, guint line)
{
  g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
               _ ("The file contains a NUL byte at line %u, so it is not text. Give a plain text "
                  "file saved with the UTF-8 character encoding."),
               line);
}

static GPtrArray *
parse_csv_with_header (const char *data, gsize length, GError **error)
{
  g_autoptr (GPtrArray) rows = NULL;

  if (length > 0 && memchr (data, '\0', length) != NULL)
    {
      set_nul_error (error, nul_line (data, length));
      return NULL;
    }
  rows = sheaf_csv_parse (data, length, error);
  if (rows == NULL)
    return NULL;
  if (rows->len == 0)
    {
      g_set_error_literal (
        error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
        _ ("The CSV file is empty: it needs a first row that names the columns."));
      return NULL;
    }

  return g_steal_pointer (&rows);
}

GStrv
sheaf_inputs_csv_columns (const char *data, gsize length, GError **error)
{
  g_autoptr (GPtrArray) rows = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = parse_csv_with_header (data, length, error);
  if (rows == NULL)
    return NULL;

  return g_strdupv (g_ptr_array_index (rows, 0));
}

/* The exact name first; failing that, one that differs only in case or in
 * white space around it. */
static int
find_column (GStrv header, const char *name)
{
  g_autofree char *wanted = g_utf8_casefold (name, -1);

  for (guint i = 0; header[i] != NULL; i++)
    if (strcmp (header[i], name) == 0)
      return i;

  g_strstrip (wanted);
  for (guint i = 0; header[i] != NULL; i++)
    {
      g_autofree char *folded = g_utf8_casefold (header[i], -1);

      if (strcmp (g_strstrip (folded), wanted) == 0)
        return i;
    }

  return -1;
}

static void
set_no_column_error (GError **error, GStrv header, const char *column)
{
  g_autoptr (GString) names = g_string_new (NULL);

  for (guint i = 0; header[i] != NULL; i++)
    g_string_append_printf (names, "%s“%s”", i > 0 ? ", " : "", header[i]);

  g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
               _ ("There is no column “%s”. The columns are: %s."), column, names->str);
}

static const char *
cell_at (GStrv row, int index)
{
  if (index < 0)
    return NULL;
  for (int i = 0; i < index; i++)
    if (row[i] == NULL)
      return NULL;
  return row[index];
}

/* A "title" column, else a "name" column, but never the text column. */
static int
find_title_column (GStrv header, int text_column)
{
  static const char *const names[] = { "title", "name" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      int column = find_column (header, names[i]);

      if (column >= 0 && column != text_column)
        return column;
    }

  return -1;
}

GPtrArray *
sheaf_inputs_items_from_csv (const char *data, gsize length, const char *column, GError **error)
{
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GPtrArray) items = NULL;
  GStrv header;
  int text_column, title_column;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (column != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = parse_csv_with_header (data, length, error);
  if (rows == NULL)
    return NULL;

  header = g_ptr_array_index (rows, 0);
  text_column = find_column (header, column);
  if (text_column < 0)
    {
      set_no_column_error (error, header, column);
      return NULL;
    }
  title_column = find_title_column (header, text_column);

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 1; i < rows->len; i++)
    {
      GStrv row = g_ptr_array_index (rows, i);
      const char *text = cell_at (row, text_column);
      g_autofree char *normalized = text != NULL ? dup_with_lf (text, strlen (text)) : NULL;

      if (normalized != NULL)
        add_item (items, cell_at (row, title_column), normalized);
    }

  if (items->len == 0)
    {
      g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
                   _ ("The column “%s” is empty in every row: there is no text to send."),
                   header[text_column]);
      return NULL;
    }

  return g_steal_pointer (&items);
}

static void
set_lines_text_error (GError **error, TextProblem problem, guint line)
{
  if (problem == TEXT_BINARY)
    set_nul_error (error, line);
  else if (problem == TEXT_NOT_UTF8)
    g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
                 _ ("Line %u is not UTF-8 text. Save the file with the UTF-8 character "
                    "encoding and try again."),
                 line);
  else
    g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT,
                         _ ("There is no text: every line is empty."));
}

GPtrArray *
sheaf_inputs_items_from_lines (const char *data, gsize length, GError **error)
{
  g_autofree char *text = NULL;
  const char *bad = NULL;
  TextProblem problem;
  gsize skip;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  problem = check_text (data, length, &bad);
  if (problem != TEXT_OK)
    {
      set_lines_text_error (error, problem,
                            problem == TEXT_BINARY ? nul_line (data, length)
                            : bad != NULL          ? line_of (data, bad)
                                                   : 0);
      return NULL;
    }

  skip = bom_length (data, length);
  text = g_strndup (data + skip, length - skip);

  return sheaf_inputs_split_text (text, SHEAF_SPLIT_LINES);
}
