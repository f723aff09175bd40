/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-csv"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-csv.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sheaf-error.h"
#include "sheaf-item.h"
#include "sheaf-test-utils.h"

#define HEADER                                                                                     \
  "index,title,input,status,response,error,attempts,seconds,input_tokens,output_tokens,model,"     \
  "stop_reason\r\n"

static char *
cell (const char *value)
{
  GString *out = g_string_new (NULL);

  sheaf_csv_append_cell (out, value);
  return g_string_free (out, FALSE);
}

static void
assert_cell (const char *value, const char *expected)
{
  g_autofree char *written = cell (value);

  g_assert_cmpstr (written, ==, expected);
}

static void
test_quoting (void)
{
  assert_cell (NULL, "");
  assert_cell ("", "");
  assert_cell ("plain", "plain");
  assert_cell ("émoji 🎉 مرحبا", "émoji 🎉 مرحبا");
  assert_cell ("a,b", "\"a,b\"");
  assert_cell ("say \"hi\"", "\"say \"\"hi\"\"\"");
  assert_cell ("\"", "\"\"\"\"");
  assert_cell ("two\nlines", "\"two\nlines\"");
  assert_cell ("crlf\r\nline", "\"crlf\r\nline\"");
  assert_cell ("lone\rcr", "\"lone\rcr\"");
  assert_cell (" leading", "\" leading\"");
  assert_cell ("trailing ", "\"trailing \"");
  assert_cell ("trailing\t", "\"trailing\t\"");
  assert_cell ("in side", "in side");
  assert_cell ("it's", "it's");
}

static void
test_formula_guard (void)
{
  /* Guarded: what a spreadsheet would run. */
  assert_cell ("=1+1", "'=1+1");
  assert_cell ("+1", "'+1");
  assert_cell ("@SUM(A1)", "'@SUM(A1)");
  assert_cell ("-2+3", "'-2+3");
  assert_cell ("\t=x", "'\t=x");
  assert_cell ("\r=x", "\"'\r=x\"");
  assert_cell ("-A1", "'-A1");
  assert_cell ("-SUM(A1:A3)", "'-SUM(A1:A3)");
  assert_cell ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0");
  assert_cell ("--1", "'--1");
  assert_cell ("-(1)", "'-(1)");
  assert_cell ("-@x", "'-@x");
  assert_cell ("- 2+3", "'- 2+3");
  assert_cell ("- SUM(A1)", "'- SUM(A1)");
  assert_cell ("- cmd|' /C calc'!A0", "'- cmd|' /C calc'!A0");
  assert_cell ("-\n=1+1", "\"'-\n=1+1\"");
  assert_cell ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  assert_cell ("=a,b", "\"'=a,b\"");

  /* Left alone: text and plain numbers. */
  assert_cell ("- point", "- point");
  assert_cell ("- point\n- another", "\"- point\n- another\"");
  assert_cell ("- see (below)", "- see (below)");
  assert_cell ("-", "-");
  assert_cell ("- ", "\"- \"");
  assert_cell ("-3", "-3");
  assert_cell ("-0.25", "-0.25");
  assert_cell ("-.5", "-.5");
  assert_cell ("a=1", "a=1");
  assert_cell ("1+1", "1+1");
  assert_cell ("email@example.com", "email@example.com");
  assert_cell (" =1", "\" =1\"");
}

static GListModel *
make_items (void)
{
  GListStore *store = g_list_store_new (SHEAF_TYPE_ITEM);
  g_autoptr (SheafItem) done = sheaf_item_new ("First, title", "Text with \"quotes\"\nand a line");
  g_autoptr (SheafItem) failed = sheaf_item_new ("=bad", "- point");
  g_autoptr (SheafItem) running = sheaf_item_new ("Running", "r");
  g_autoptr (SheafItem) retrying = sheaf_item_new ("Retrying", "w");
  g_autoptr (SheafItem) cancelled = sheaf_item_new ("Cancelled", "c");
  g_autoptr (SheafItem) queued = sheaf_item_new ("Queued", "q");

  sheaf_item_set_state (done, SHEAF_ITEM_STATE_DONE);
  sheaf_item_set_response (done, "An answer, with a comma");
  sheaf_item_set_attempts (done, 2);
  sheaf_item_set_seconds (done, 1.234);
  sheaf_item_set_input_tokens (done, 12);
  sheaf_item_set_output_tokens (done, 34);
  sheaf_item_set_model (done, "claude-test");

  sheaf_item_set_state (failed, SHEAF_ITEM_STATE_FAILED);
  sheaf_item_set_error_message (failed, "The key was rejected.");
  sheaf_item_set_attempts (failed, 1);
  sheaf_item_set_seconds (failed, 0.5);

  sheaf_item_set_state (running, SHEAF_ITEM_STATE_RUNNING);
  sheaf_item_set_state (retrying, SHEAF_ITEM_STATE_RETRYING);
  sheaf_item_set_state (cancelled, SHEAF_ITEM_STATE_CANCELLED);

  g_list_store_append (store, done);
  g_list_store_append (store, failed);
  g_list_store_append (store, running);
  g_list_store_append (store, retrying);
  g_list_store_append (store, cancelled);
  g_list_store_append (store, queued);
  return G_LIST_MODEL (store);
}

static const char expected_export[] =
  HEADER "1,\"First, title\",\"Text with \"\"quotes\"\"\nand a line\",done,\"An answer, with a "
         "comma\",,2,1.23,12,34,claude-test,\r\n"
         "2,'=bad,- point,failed,,The key was rejected.,1,0.50,,,,\r\n"
         "3,Running,r,queued,,,0,0.00,,,,\r\n"
         "4,Retrying,w,queued,,,0,0.00,,,,\r\n"
         "5,Cancelled,c,cancelled,,,0,0.00,,,,\r\n"
         "6,Queued,q,queued,,,0,0.00,,,,\r\n";

static void
assert_bytes_equal (GBytes *bytes, const char *expected)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  g_autofree char *text = g_strndup (data, length);

  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpuint (length, ==, strlen (expected));
}

static void
test_export (void)
{
  g_autoptr (GListModel) items = make_items ();
  g_autoptr (GBytes) bytes = sheaf_csv_export_items (items);

  assert_bytes_equal (bytes, expected_export);
}

/* A decimal comma locale must not turn 1.23 into 1,23 (a new cell). */
static void
test_export_locale (void)
{
  g_autoptr (GListModel) items = make_items ();
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *old = g_strdup (setlocale (LC_NUMERIC, NULL));

  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") == NULL &&
      setlocale (LC_NUMERIC, "fr_FR.UTF-8") == NULL)
    {
      g_test_skip ("no locale with a decimal comma is installed");
      return;
    }
  bytes = sheaf_csv_export_items (items);
  setlocale (LC_NUMERIC, old);

  assert_bytes_equal (bytes, expected_export);
}

static void
test_export_empty (void)
{
  g_autoptr (GListStore) store = g_list_store_new (SHEAF_TYPE_ITEM);
  g_autoptr (GBytes) bytes = sheaf_csv_export_items (G_LIST_MODEL (store));

  assert_bytes_equal (bytes, HEADER);
}

static void
test_write_file (void)
{
  g_autoptr (GListModel) items = make_items ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = sheaf_test_make_tmp_dir ("sheaf-csv-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "out.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_set_contents (path, "old contents", -1, &error));
  g_assert_true (sheaf_csv_write_file (items, file, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpstr (contents, ==, expected_export);
  /* Plain UTF-8: no byte order mark. */
  g_assert_cmpint (contents[0], ==, 'i');

  sheaf_test_remove_tree (dir);
}

static void
test_write_file_error (void)
{
  g_autoptr (GListModel) items = make_items ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = g_file_new_for_path ("/nonexistent-sheaf-dir/table.csv");

  g_assert_false (sheaf_csv_write_file (items, file, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent-sheaf-dir/table.csv"));
  g_assert_true (g_str_has_prefix (error->message, "Could not save"));
}

/* Many rows, so that the stream gets several blocks. */
static void
test_write_stream (void)
{
  g_autoptr (GListStore) store = g_list_store_new (SHEAF_TYPE_ITEM);
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (GBytes) expected = NULL;
  g_autoptr (GBytes) written = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = g_strnfill (1000, 'x');

  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *title = g_strdup_printf ("Item %u", i);
      g_autoptr (SheafItem) item = sheaf_item_new (title, "Some text, \"quoted\"");

      sheaf_item_set_response (item, answer);
      sheaf_item_set_state (item, SHEAF_ITEM_STATE_DONE);
      g_list_store_append (store, item);
    }

  g_assert_true (sheaf_csv_write_items_to_stream (G_LIST_MODEL (store), out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  written = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  expected = sheaf_csv_export_items (G_LIST_MODEL (store));
  g_assert_cmpuint (g_bytes_get_size (written), >, 500 * 1000);
  g_assert_true (g_bytes_equal (written, expected));
}

/* /dev/null cannot be replaced (a temporary file in /dev and a rename): it
 * is written to directly, and stays what it was. */
static void
test_write_device (void)
{
  g_autoptr (GListModel) items = make_items ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = g_file_new_for_path ("/dev/null");
  GStatBuf info;

  g_assert_true (sheaf_csv_write_file (items, file, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat ("/dev/null", &info), ==, 0);
  g_assert_true (S_ISCHR (info.st_mode));
}

/* A FIFO gets the table through the pipe, and is still a FIFO after. */
static void
test_write_fifo (void)
{
  g_autoptr (GListModel) items = make_items ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = sheaf_test_make_tmp_dir ("sheaf-csv-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "pipe", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  char buffer[4096];
  GStatBuf info;
  gssize n;
  int reader;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  /* Opened for reading first, so that opening it for writing does not
   * wait; the table is smaller than a pipe's buffer. */
  reader = open (path, O_RDONLY | O_NONBLOCK);
  g_assert_cmpint (reader, >=, 0);

  g_assert_true (sheaf_csv_write_file (items, file, NULL, &error));
  g_assert_no_error (error);

  n = read (reader, buffer, sizeof buffer - 1);
  g_assert_cmpint (n, >, 0);
  buffer[n] = '\0';
  g_assert_cmpstr (buffer, ==, expected_export);
  close (reader);
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_true (S_ISFIFO (info.st_mode));

  sheaf_test_remove_tree (dir);
}

static GPtrArray *
parse_ok (const char *data)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *rows = sheaf_csv_parse (data, strlen (data), &error);

  g_assert_no_error (error);
  g_assert_nonnull (rows);
  return rows;
}

static void
assert_row (GPtrArray *rows, guint index, ...)
{
  GStrv row;
  va_list args;
  guint i = 0;
  const char *expected;

  g_assert_cmpuint (index, <, rows->len);
  row = g_ptr_array_index (rows, index);
  va_start (args, index);
  for (expected = va_arg (args, const char *); expected != NULL;
       expected = va_arg (args, const char *), i++)
    g_assert_cmpstr (row[i], ==, expected);
  va_end (args);
  g_assert_null (row[i]);
}

static void
test_parse (void)
{
  g_autoptr (GPtrArray) rows = NULL;

  rows = parse_ok ("a,b,c\r\n1,\"two, three\",\"say \"\"hi\"\"\"\r\n"
                   "\"multi\nline\r\ncell\",,last\n"
                   "\n"
                   "x,\n"
                   "emoji 🎉,مرحبا,\"\"");
  g_assert_cmpuint (rows->len, ==, 5);
  assert_row (rows, 0, "a", "b", "c", NULL);
  assert_row (rows, 1, "1", "two, three", "say \"hi\"", NULL);
  assert_row (rows, 2, "multi\nline\r\ncell", "", "last", NULL);
  assert_row (rows, 3, "x", "", NULL);
  assert_row (rows, 4, "emoji 🎉", "مرحبا", "", NULL);
}

static void
test_parse_bom_and_endings (void)
{
  g_autoptr (GPtrArray) rows = parse_ok ("\xEF\xBB\xBFname,text\ra,b\r\n\r\nc,d\n");

  g_assert_cmpuint (rows->len, ==, 3);
  assert_row (rows, 0, "name", "text", NULL);
  assert_row (rows, 1, "a", "b", NULL);
  assert_row (rows, 2, "c", "d", NULL);
  g_clear_pointer (&rows, g_ptr_array_unref);

  rows = parse_ok ("");
  g_assert_cmpuint (rows->len, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Like Python's csv module: text after a closing quote is kept. */
  rows = parse_ok ("\"ab\"cd,e\"f\n");
  assert_row (rows, 0, "abcd", "e\"f", NULL);
}

static void
assert_parse_error (const char *data, gsize length, const char *line_words)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = sheaf_csv_parse (data, length, &error);

  g_assert_null (rows);
  g_assert_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT);
  sheaf_test_assert_contains (error->message, line_words);
}

static void
test_parse_malformed (void)
{
  const char not_utf8[] = "a,b\nc,d\ne,\xff\xfe\n";
  const char nul[] = "a,b\n\0,c\n";

  assert_parse_error ("a,b\n1,\"never closed\n2,3\n", strlen ("a,b\n1,\"never closed\n2,3\n"),
                      "line 2");
  assert_parse_error ("\"", 1, "line 1");
  assert_parse_error ("a\n\"b\"\"\n", strlen ("a\n\"b\"\"\n"), "line 2");
  assert_parse_error (not_utf8, sizeof not_utf8 - 1, "Line 3");
  assert_parse_error (nul, sizeof nul - 1, "Line 2");
}

/* What the writer writes, the parser reads back, cell for cell (the
 * guarded cells with their apostrophe). */
static void
test_round_trip (void)
{
  g_autoptr (GListModel) items = make_items ();
  g_autoptr (GBytes) bytes = sheaf_csv_export_items (items);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  rows = sheaf_csv_parse (data, length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 7);
  assert_row (rows, 0, "index", "title", "input", "status", "response", "error", "attempts",
              "seconds", "input_tokens", "output_tokens", "model", "stop_reason", NULL);
  assert_row (rows, 1, "1", "First, title", "Text with \"quotes\"\nand a line", "done",
              "An answer, with a comma", "", "2", "1.23", "12", "34", "claude-test", "", NULL);
  assert_row (rows, 2, "2", "'=bad", "- point", "failed", "", "The key was rejected.", "1", "0.50",
              "", "", "", "", NULL);
}

static void
test_round_trip_cells (void)
{
  const char *values[] = {
    "plain",        "a,b", "\"quoted\"", "multi\nline", "crlf\r\nline", " padded ",
    "🎉 مرحبا שלום", "",    "- bullet",   "-3",          "x\"y,z\r\n",
  };
  g_autoptr (GString) line = g_string_new (NULL);
  g_autoptr (GPtrArray) rows = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      if (i > 0)
        g_string_append_c (line, ',');
      sheaf_csv_append_cell (line, values[i]);
    }
  g_string_append (line, "\r\n");

  rows = parse_ok (line->str);
  g_assert_cmpuint (rows->len, ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_assert_cmpstr (((GStrv) g_ptr_array_index (rows, 0))[i], ==, values[i]);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/quoting", test_quoting);
  g_test_add_func ("/csv/formula-guard", test_formula_guard);
  g_test_add_func ("/csv/export", test_export);
  g_test_add_func ("/csv/export-locale", test_export_locale);
  g_test_add_func ("/csv/export-empty", test_export_empty);
  g_test_add_func ("/csv/write-file", test_write_file);
  g_test_add_func ("/csv/write-file-error", test_write_file_error);
  g_test_add_func ("/csv/write-stream", test_write_stream);
  g_test_add_func ("/csv/write-device", test_write_device);
  g_test_add_func ("/csv/write-fifo", test_write_fifo);
  g_test_add_func ("/csv/parse", test_parse);
  g_test_add_func ("/csv/parse-bom-and-endings", test_parse_bom_and_endings);
  g_test_add_func ("/csv/parse-malformed", test_parse_malformed);
  g_test_add_func ("/csv/round-trip", test_round_trip);
  g_test_add_func ("/csv/round-trip-cells", test_round_trip_cells);

  return g_test_run ();
}
