/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sheaf-cli-private.h"

/* One row as JSON: the CSV's columns, numbers as numbers, null for what is
 * not known. */

static void
append_tokens (GString *out, const char *name, gint64 tokens)
{
  if (tokens >= 0)
    g_string_append_printf (out, ",\"%s\":%" G_GINT64_FORMAT, name, tokens);
  else
    g_string_append_printf (out, ",\"%s\":null", name);
}

void
_sheaf_cli_append_json_row (GString *out, guint index, SheafItem *item)
{
  char seconds[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (out, "{\"index\":%u", index);
  sheaf_json_append_string_member (out, "title", sheaf_item_get_title (item));
  sheaf_json_append_string_member (out, "input", sheaf_item_get_text (item));
  sheaf_json_append_string_member (out, "status",
                                   sheaf_item_state_to_string (sheaf_item_get_state (item)));
  sheaf_json_append_string_member (out, "response", sheaf_item_get_response (item));
  sheaf_json_append_string_member (out, "error", sheaf_item_get_error_message (item));
  g_string_append_printf (
    out, ",\"attempts\":%u,\"seconds\":%s", sheaf_item_get_attempts (item),
    g_ascii_formatd (seconds, sizeof seconds, "%.3f", sheaf_item_get_seconds (item)));
  append_tokens (out, "input_tokens", sheaf_item_get_input_tokens (item));
  append_tokens (out, "output_tokens", sheaf_item_get_output_tokens (item));
  sheaf_json_append_string_member (out, "model", sheaf_item_get_model (item));
  sheaf_json_append_string_member (out, "stop_reason", sheaf_item_get_stop_reason (item));
  g_string_append (out, "}\n");
}

/* A number written as one, or as text (a CSV cell); -1 when neither. */
static double
member_number (JsonObject *row, const char *name)
{
  JsonNode *node = sheaf_json_member (row, name);
  const char *text = sheaf_json_node_string (node);

  if (text != NULL && *text != '\0')
    return g_ascii_strtod (text, NULL);
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) != G_TYPE_STRING)
    return json_node_get_double (node);
  return -1;
}

SheafItem *
_sheaf_cli_item_from_json (JsonObject *row, guint *index)
{
  const char *input = sheaf_json_member_string (row, "input");
  double number = member_number (row, "index");
  SheafItemState state;
  SheafItem *item;

  if (input == NULL || number < 1 || number > G_MAXUINT ||
      !sheaf_item_state_from_string (sheaf_json_member_string (row, "status"), &state))
    return NULL;

  *index = (guint) number;
  item = sheaf_item_new (sheaf_json_member_string (row, "title"), input);
  sheaf_item_set_state (item, state);
  sheaf_item_set_response (item, sheaf_json_member_string (row, "response"));
  sheaf_item_set_error_message (item, sheaf_json_member_string (row, "error"));
  sheaf_item_set_attempts (item, (guint) MAX (member_number (row, "attempts"), 0));
  sheaf_item_set_seconds (item, MAX (member_number (row, "seconds"), 0));
  sheaf_item_set_input_tokens (item, (gint64) member_number (row, "input_tokens"));
  sheaf_item_set_output_tokens (item, (gint64) member_number (row, "output_tokens"));
  sheaf_item_set_model (item, sheaf_json_member_string (row, "model"));
  sheaf_item_set_stop_reason (item, sheaf_json_member_string (row, "stop_reason"));
  return item;
}

/* Writing the table */

#define WRITE_BLOCK_SIZE (64 * 1024)

static gboolean
write_block (GOutputStream *out, GString *block, GError **error)
{
  gboolean written = g_output_stream_write_all (out, block->str, block->len, NULL, NULL, error);

  g_string_truncate (block, 0);
  return written;
}

static gboolean
write_jsonl (GListModel *items, GOutputStream *out, GError **error)
{
  g_autoptr (GString) block = g_string_sized_new (2 * WRITE_BLOCK_SIZE);
  guint n = g_list_model_get_n_items (items);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);

      _sheaf_cli_append_json_row (block, i + 1, item);
      if (block->len >= WRITE_BLOCK_SIZE && !write_block (out, block, error))
        return FALSE;
    }
  return write_block (out, block, error);
}

/* Rows are written as they are formatted: the whole table is never in
 * memory at once. */
static gboolean
write_rows (GListModel *items, CliFormat format, GOutputStream *out, GError **error)
{
  if (format == CLI_FORMAT_JSONL)
    return write_jsonl (items, out, error);
  return sheaf_csv_write_items_to_stream (items, out, NULL, error);
}

static gboolean
write_stdout (GListModel *items, CliFormat format, GError **error)
{
  g_autoptr (GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

  fflush (stdout);
  if (!write_rows (items, format, out, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _ ("Could not write the table to standard output."));
      return FALSE;
    }

  return TRUE;
}

/* A device or a pipe (/dev/null, /dev/stdout, a FIFO) cannot be replaced,
 * nor needs to be: it is written to directly. */
static gboolean
write_special (GListModel *items, CliFormat format, GFile *file, GError **error)
{
  g_autoptr (GFileOutputStream) out = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, error);

  return out != NULL && write_rows (items, format, G_OUTPUT_STREAM (out), error) &&
         g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

static gboolean
fail_errno (GError **error, int saved_errno)
{
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       g_strerror (saved_errno));
  return FALSE;
}

/* The mode a new file gets, or the one the replaced file had. */
static void
set_mode (int fd, const char *path)
{
  GStatBuf st;
  mode_t mask;

  if (g_stat (path, &st) == 0)
    {
      fchmod (fd, st.st_mode & 07777);
      return;
    }
  mask = umask (0);
  umask (mask);
  fchmod (fd, 0666 & ~mask);
}

/* The rename is on disk only once the folder is. */
static void
sync_folder (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);
  int fd = open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* Writes the whole table to a temporary file next to @path, syncs it and
 * renames it over @path: whatever happens, @path holds either what it
 * held before or the whole new table, never part of one. */
static gboolean
write_replace (GListModel *items, CliFormat format, const char *path, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  g_autoptr (GOutputStream) out = NULL;
  gboolean ok;

  if (fd < 0)
    return fail_errno (error, errno);

  set_mode (fd, path);
  out = g_unix_output_stream_new (fd, TRUE);
  ok = write_rows (items, format, out, error);
  if (ok && fsync (fd) != 0)
    ok = fail_errno (error, errno);
  ok = g_output_stream_close (out, NULL, ok ? error : NULL) && ok;
  if (ok && g_rename (tmp, path) != 0)
    ok = fail_errno (error, errno);

  if (!ok)
    g_unlink (tmp);
  else
    sync_folder (path);
  return ok;
}

static gboolean
write_file (GListModel *items, CliFormat format, const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (path);
  g_autofree char *local = g_file_get_path (file);
  g_autofree char *name = g_file_get_parse_name (file);
  gboolean ok;

  if (local == NULL ||
      g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_SPECIAL)
    ok = write_special (items, format, file, error);
  else
    ok = write_replace (items, format, local, error);

  if (!ok)
    g_prefix_error (error, _ ("Could not save the table as “%s”: "), name);
  return ok;
}

/* When --output cannot be written after all, the answers (which were paid
 * for) go to standard output rather than being lost. */
gboolean
_sheaf_cli_write_output (const CliOptions *o, GListModel *items, GError **error)
{
  if (o->output == NULL)
    return write_stdout (items, o->format, error);

  if (write_file (items, o->format, o->output, error))
    return TRUE;

  write_stdout (items, o->format, NULL);
  return FALSE;
}
