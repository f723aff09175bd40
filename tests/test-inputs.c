/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-inputs"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-inputs.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "sheaf-error.h"
#include "sheaf-test-utils.h"

/* Titles */

static void
assert_title (const char *text, const char *expected)
{
  g_autofree char *title = sheaf_inputs_make_title (text);

  g_assert_cmpstr (title, ==, expected);
}

static void
test_titles (void)
{
  assert_title ("Short title", "Short title");
  assert_title ("\n\n  First line  \nsecond line", "First line");
  assert_title ("first\r\nsecond", "first");
  assert_title ("", "");
  assert_title (" \n\t ", "");
  /* 60 characters exactly stay whole. */
  assert_title ("123456789 123456789 123456789 123456789 123456789 1234567890",
                "123456789 123456789 123456789 123456789 123456789 1234567890");
  /* Longer: cut at the last word boundary, with an ellipsis. */
  assert_title ("The quick brown fox jumps over the lazy dog and keeps running far away",
                "The quick brown fox jumps over the lazy dog and keeps…");
  /* No space late enough: a hard cut at 60 characters. */
  assert_title ("Supercalifragilisticexpialidocious-Supercalifragilisticexpialidocious",
                "Supercalifragilisticexpialidocious-Supercalifragilisticexpia…");
  /* Characters, not bytes: 70 two-byte letters become 60 and "…". */
  {
    g_autoptr (GString) text = g_string_new (NULL);
    g_autoptr (GString) expected = g_string_new (NULL);

    for (guint i = 0; i < 70; i++)
      g_string_append (text, "é");
    for (guint i = 0; i < 60; i++)
      g_string_append (expected, "é");
    g_string_append (expected, "…");
    assert_title (text->str, expected->str);
  }
}

/* Text that is not UTF-8 (Latin-1 pasted as is) used to make the title
 * read past the line's end; found by tests/fuzz/fuzz-inputs. Each bad byte
 * becomes U+FFFD and the title is cut as any other. */
static void
test_titles_invalid_utf8 (void)
{
  static const char latin1[] = "Caf\xe9 au lait, un article sur le caf\xe9 et les croissants du "
                               "matin \xe0 Paris\n\nsecond \xff\xfe\n";
  g_autofree char *title = sheaf_inputs_make_title (latin1);
  g_autoptr (GPtrArray) items = sheaf_inputs_split_text (latin1, SHEAF_SPLIT_PARAGRAPHS);

  g_assert_cmpstr (title, ==,
                   "Caf\uFFFD au lait, un article sur le caf\uFFFD et les croissants du…");
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (items, 0)), ==, title);
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (items, 1)), ==, "second \uFFFD\uFFFD");
  /* A character cut short by the line's end. */
  assert_title ("\xe2\x82", "\uFFFD\uFFFD");
}

/* Splitting */

static void
assert_items (GPtrArray *items, ...)
{
  va_list args;
  guint i = 0;
  const char *text;

  va_start (args, items);
  for (text = va_arg (args, const char *); text != NULL; text = va_arg (args, const char *), i++)
    {
      g_assert_cmpuint (i, <, items->len);
      g_assert_cmpstr (sheaf_item_get_text (g_ptr_array_index (items, i)), ==, text);
    }
  va_end (args);
  g_assert_cmpuint (items->len, ==, i);
}

static void
test_split_paragraphs (void)
{
  g_autoptr (GPtrArray) items = NULL;

  items = sheaf_inputs_split_text ("\n\nFirst article,\nline two.\n\n\n  \t\nSecond one.\r\n\r\n"
                                   "  Third  \n   \n",
                                   SHEAF_SPLIT_PARAGRAPHS);
  assert_items (items, "First article,\nline two.", "Second one.", "Third", NULL);
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (items, 0)), ==, "First article,");
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (items, 2)), ==, "Third");
  g_clear_pointer (&items, g_ptr_array_unref);

  items = sheaf_inputs_split_text (" \n\n\t", SHEAF_SPLIT_PARAGRAPHS);
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);

  items = sheaf_inputs_split_text ("one paragraph", SHEAF_SPLIT_PARAGRAPHS);
  assert_items (items, "one paragraph", NULL);
}

static void
test_split_lines (void)
{
  g_autoptr (GPtrArray) items = NULL;

  items = sheaf_inputs_split_text ("one\r\n\ntwo  \n   \n  three\nfour", SHEAF_SPLIT_LINES);
  assert_items (items, "one", "two", "three", "four", NULL);
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (items, 3)), ==, "four");
  g_assert_cmpint (sheaf_item_get_state (g_ptr_array_index (items, 0)), ==,
                   SHEAF_ITEM_STATE_QUEUED);
}

/* Checking file contents */

static char *
text_of (const char *data, gsize length, const char *name, GError **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, length);

  return sheaf_inputs_text_from_bytes (bytes, name, error);
}

static void
assert_text_error (const char *data, gsize length, const char *words)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = text_of (data, length, "notes.txt", &error);

  g_assert_null (text);
  g_assert_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "“notes.txt”"));
  sheaf_test_assert_contains (error->message, words);
}

static void
assert_bom_text (const char *data, gsize length, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = text_of (data, length, "unicode.txt", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_text_from_bytes (void)
{
  const char bom_crlf[] = "\xEF\xBB\xBFline one\r\nline two\r\n";
  const char binary[] = "text\0more";
  const char latin1[] = "caf\xe9";
  g_autoptr (GBytes) bytes = g_bytes_new_static (bom_crlf, sizeof bom_crlf - 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = sheaf_inputs_text_from_bytes (bytes, "notes.txt", &error);
  g_autofree char *big = g_malloc (SHEAF_INPUT_MAX_FILE_SIZE + 1);

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "line one\nline two\n");

  assert_text_error ("", 0, "empty");
  assert_text_error (" \n\t\r\n", 5, "empty");
  assert_text_error ("\xEF\xBB\xBF\n", 4, "empty");
  assert_text_error (binary, sizeof binary - 1, "contains a NUL byte at line 1");
  assert_text_error ("one\ntwo\n\0", 9, "contains a NUL byte at line 3");
  assert_text_error (latin1, sizeof latin1 - 1, "not UTF-8");

  /* Text saved as "Unicode" (UTF-16 or UTF-32 with a byte-order mark). */
  assert_bom_text ("\xFF\xFEG\0r\0\xFC\0\xDF\0e\0\r\0\n\0z\0w\0e\0i\0", 24, "Grüße\nzwei");
  assert_bom_text ("\xFE\xFF\0G\0r\0\xFC\0\xDF\0e", 12, "Grüße");
  assert_bom_text ("\xFF\xFE\0\0h\0\0\0i\0\0\0", 12, "hi");
  assert_bom_text ("\0\0\xFE\xFF\0\0\0h\0\0\0i", 12, "hi");
  /* Half a character at the end: damaged, and said so. */
  assert_text_error ("\xFF\xFEG\0r", 5, "begins as UTF-16LE text but is not");
  /* A UTF-16 NUL is still a NUL. */
  assert_text_error ("\xFF\xFE\x61\0\0\0", 6, "contains a NUL byte at line 1");

  memset (big, 'a', SHEAF_INPUT_MAX_FILE_SIZE + 1);
  /* In MiB, as the limit is: never "10.5 MB" for 10 MiB. */
  assert_text_error (big, SHEAF_INPUT_MAX_FILE_SIZE + 1, "too large (10.0\u00a0MiB)");
  assert_text_error (big, SHEAF_INPUT_MAX_FILE_SIZE + 1, "files of up to 10 MiB");
}

/* Files */

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  fixture->dir = sheaf_test_make_tmp_dir ("sheaf-inputs-XXXXXX");
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  sheaf_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static GFile *
write_file (Fixture *fixture, const char *name, const char *data, gssize length)
{
  g_autofree char *path = sheaf_test_write_file (fixture->dir, name, data, length);

  return g_file_new_for_path (path);
}

static GFile *
child (Fixture *fixture, const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

  return g_file_new_for_path (path);
}

static void
on_item_loaded (GObject *object, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Loads @file both ways and checks that they agree. */
static SheafItem *
load_item (GFile *file, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) async_error = NULL;
  g_autoptr (SheafItem) async_item = NULL;
  SheafItem *item = sheaf_inputs_item_from_file (file, NULL, error);

  sheaf_inputs_item_from_file_async (file, NULL, on_item_loaded, &result);
  SHEAF_TEST_WAIT_UNTIL (result != NULL);
  async_item = sheaf_inputs_item_from_file_finish (result, &async_error);

  if (item == NULL)
    {
      g_assert_null (async_item);
      g_assert_true (async_error->domain == (*error)->domain);
      g_assert_cmpint (async_error->code, ==, (*error)->code);
      g_assert_cmpstr (async_error->message, ==, (*error)->message);
      return NULL;
    }

  g_assert_no_error (async_error);
  g_assert_cmpstr (sheaf_item_get_title (async_item), ==, sheaf_item_get_title (item));
  g_assert_cmpstr (sheaf_item_get_text (async_item), ==, sheaf_item_get_text (item));
  return item;
}

static void
test_item_from_file (Fixture *fixture, gconstpointer user_data)
{
  const char *names[][2] = {
    { "Article one.txt", "Article one" }, { "notes.md", "notes" }, { "LOUD.TXT", "LOUD" },
    { "data.csv", "data.csv" },           { "plain", "plain" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (GFile) file =
        write_file (fixture, names[i][0], "\xEF\xBB\xBFHello\r\nworld\r\n", -1);
      g_autoptr (GError) error = NULL;
      g_autoptr (SheafItem) item = load_item (file, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (sheaf_item_get_title (item), ==, names[i][1]);
      g_assert_cmpstr (sheaf_item_get_text (item), ==, "Hello\nworld\n");
    }
}

static void
assert_file_error (GFile *file, GQuark domain, int code, const char *name, const char *words)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SheafItem) item = load_item (file, &error);
  g_autofree char *quoted = g_strdup_printf ("“%s”", name);

  g_assert_null (item);
  g_assert_error (error, domain, code);
  sheaf_test_assert_contains (error->message, quoted);
  sheaf_test_assert_contains (error->message, words);
}

static void
test_file_errors (Fixture *fixture, gconstpointer user_data)
{
  const char binary[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
  g_autoptr (GFile) empty = write_file (fixture, "empty.txt", "", 0);
  g_autoptr (GFile) blank = write_file (fixture, "blank.txt", "  \n\n", -1);
  g_autoptr (GFile) png = write_file (fixture, "picture.txt", binary, sizeof binary - 1);
  g_autoptr (GFile) latin1 = write_file (fixture, "latin1.txt", "caf\xe9 cr\xe8me", -1);
  g_autoptr (GFile) missing = child (fixture, "missing.txt");
  g_autofree char *folder_path = g_build_filename (fixture->dir, "folder", NULL);
  g_autoptr (GFile) folder = g_file_new_for_path (folder_path);
  g_autofree char *big_data = g_malloc0 (SHEAF_INPUT_MAX_FILE_SIZE + 1);
  g_autoptr (GFile) big = NULL;

  memset (big_data, 'x', SHEAF_INPUT_MAX_FILE_SIZE + 1);
  big = write_file (fixture, "big.txt", big_data, SHEAF_INPUT_MAX_FILE_SIZE + 1);
  g_assert_no_errno (g_mkdir (folder_path, 0700));

  assert_file_error (empty, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT, "empty.txt", "empty");
  assert_file_error (blank, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT, "blank.txt", "empty");
  assert_file_error (png, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT, "picture.txt",
                     "contains a NUL byte at line 3");
  assert_file_error (latin1, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT, "latin1.txt", "not UTF-8");
  assert_file_error (big, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT, "big.txt", "up to 10 MiB");
  assert_file_error (missing, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "missing.txt", "does not exist");
  assert_file_error (folder, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "folder", "folder");
}

static void
test_file_unreadable (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GFile) file = write_file (fixture, "secret.txt", "hidden", -1);
  g_autofree char *path = g_file_get_path (file);

  g_assert_no_errno (g_chmod (path, 0));
  if (g_access (path, R_OK) == 0)
    {
      g_test_skip ("permissions are not enforced for this user (root?)");
      return;
    }
  assert_file_error (file, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "secret.txt", "permission");
}

static void
test_file_cancelled (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GFile) file = write_file (fixture, "a.txt", "text", -1);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SheafItem) item = NULL;

  g_cancellable_cancel (cancellable);
  sheaf_inputs_item_from_file_async (file, cancellable, on_item_loaded, &result);
  SHEAF_TEST_WAIT_UNTIL (result != NULL);
  item = sheaf_inputs_item_from_file_finish (result, &error);
  g_assert_null (item);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_read_file (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GFile) file = write_file (fixture, "table.csv", "a,b\n", -1);
  g_autoptr (GFile) missing = child (fixture, "gone.csv");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = sheaf_inputs_read_file (file, NULL, &error);
  g_autoptr (GBytes) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 4);

  none = sheaf_inputs_read_file (missing, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "“gone.csv” does not exist"));
}

/* The one input limit holds for whatever is read whole (--lines, --csv, a
 * CSV to import), refused before it is read. */
static void
test_read_file_too_large (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "huge.csv", NULL);
  g_autoptr (GFile) huge = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  FILE *out = fopen (path, "w");

  /* 1 GB that takes no room on disk: read whole, it would take 1 GB. */
  g_assert_nonnull (out);
  g_assert_cmpint (fseek (out, 1000 * 1000 * 1000, SEEK_SET), ==, 0);
  g_assert_cmpint (fputc ('x', out), !=, EOF);
  fclose (out);

  bytes = sheaf_inputs_read_file (huge, NULL, &error);
  g_assert_null (bytes);
  g_assert_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT);
  sheaf_test_assert_contains (error->message, "“huge.csv” is too large (953.7\u00a0MiB)");
  sheaf_test_assert_contains (error->message, "up to 10 MiB");
}

/* A stream of unknown size (standard input) is cut off at the limit. */
static void
test_read_stream_too_large (void)
{
  gsize size = SHEAF_INPUT_MAX_FILE_SIZE + 1;
  g_autoptr (GInputStream) fits =
    g_memory_input_stream_new_from_data (g_malloc0 (size - 1), size - 1, g_free);
  g_autoptr (GInputStream) over =
    g_memory_input_stream_new_from_data (g_malloc0 (size), size, g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = sheaf_inputs_read_stream (fits, "standard input", NULL, &error);
  g_autoptr (GBytes) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, SHEAF_INPUT_MAX_FILE_SIZE);
  none = sheaf_inputs_read_stream (over, "standard input", NULL, &error);
  g_assert_null (none);
  g_assert_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT);
  sheaf_test_assert_contains (error->message, "“standard input” is larger than 10 MiB");
}

/* CSV columns */

static const char reviews_csv[] = "\xEF\xBB\xBF"
                                  "id,Name,Review,empty\r\n"
                                  "1,Alice,\"Great, really\r\ngreat\",\r\n"
                                  "2,,\"Not \"\"good\"\"\",\r\n"
                                  "3,Carol,   ,\r\n"
                                  "4,Dave\r\n"
                                  "5,Eve,Fine,\r\n";

static void
test_csv_columns (void)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) columns = sheaf_inputs_csv_columns (reviews_csv, strlen (reviews_csv), &error);
  g_auto (GStrv) none = NULL;
  const char *expected[] = { "id", "Name", "Review", "empty", NULL };

  g_assert_no_error (error);
  g_assert_cmpstrv (columns, expected);

  none = sheaf_inputs_csv_columns ("", 0, &error);
  g_assert_null (none);
  g_assert_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "empty"));
}

static void
test_csv_items (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items =
    sheaf_inputs_items_from_csv (reviews_csv, strlen (reviews_csv), "Review", &error);
  g_autoptr (GPtrArray) folded = NULL;

  g_assert_no_error (error);
  /* Row 3 has only white space and row 4 no such cell: both skipped. */
  assert_items (items, "Great, really\ngreat", "Not \"good\"", "Fine", NULL);
  /* Titles from the "name" column, or from the text when it is empty. */
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (items, 0)), ==, "Alice");
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (items, 1)), ==, "Not \"good\"");
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (items, 2)), ==, "Eve");

  /* A name that differs only in case still finds its column. */
  folded = sheaf_inputs_items_from_csv (reviews_csv, strlen (reviews_csv), "review", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folded->len, ==, 3);
}

static void
test_csv_title_column (void)
{
  const char data[] = "title,name,text\nT1,N1,one\n,N2,two\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = sheaf_inputs_items_from_csv (data, strlen (data), "text", &error);
  g_autoptr (GPtrArray) titled = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (items, 0)), ==, "T1");
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (items, 1)), ==, "two");

  /* The text column is never its own title column. */
  titled = sheaf_inputs_items_from_csv (data, strlen (data), "title", &error);
  g_assert_no_error (error);
  assert_items (titled, "T1", NULL);
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (titled, 0)), ==, "N1");
}

static void
assert_csv_error (const char *data, gsize length, const char *column, const char *words)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = sheaf_inputs_items_from_csv (data, length, column, &error);

  g_assert_null (items);
  g_assert_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT);
  sheaf_test_assert_contains (error->message, words);
}

static void
test_csv_errors (void)
{
  const char bad_utf8[] = "text\nok\n\xff\n";
  const char unclosed[] = "text\n\"open\nstill open\n";

  assert_csv_error (reviews_csv, strlen (reviews_csv), "body",
                    "There is no column “body”. The columns are: “id”, “Name”, “Review”, "
                    "“empty”.");
  assert_csv_error (reviews_csv, strlen (reviews_csv), "empty", "“empty” is empty in every row");
  assert_csv_error ("", 0, "text", "empty");
  assert_csv_error ("text\n", 5, "text", "empty in every row");
  assert_csv_error (bad_utf8, sizeof bad_utf8 - 1, "text", "Line 3");
  assert_csv_error (unclosed, sizeof unclosed - 1, "text", "line 2");
  /* A NUL is not text, and is not said to be an encoding problem. */
  assert_csv_error ("text\nok\nn\0l\n", 11, "text", "contains a NUL byte at line 3");
}

/* Lines */

static void
test_lines (void)
{
  const char data[] = "\xEF\xBB\xBF"
                      "first\r\n\r\n  second  \n\tthird\n\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = sheaf_inputs_items_from_lines (data, strlen (data), &error);

  g_assert_no_error (error);
  assert_items (items, "first", "second", "third", NULL);
  g_assert_cmpstr (sheaf_item_get_title (g_ptr_array_index (items, 1)), ==, "second");
}

static void
assert_lines_error (const char *data, gsize length, const char *words)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = sheaf_inputs_items_from_lines (data, length, &error);

  g_assert_null (items);
  g_assert_error (error, SHEAF_ERROR, SHEAF_ERROR_INVALID_INPUT);
  sheaf_test_assert_contains (error->message, words);
}

static void
test_lines_errors (void)
{
  const char binary[] = "one\ntwo\0three";
  const char latin1[] = "one\ntwo\nthr\xe9\n";

  assert_lines_error ("", 0, "every line is empty");
  assert_lines_error ("\n \n\t\n", 5, "every line is empty");
  assert_lines_error (binary, sizeof binary - 1, "contains a NUL byte at line 2");
  assert_lines_error (latin1, sizeof latin1 - 1, "Line 3 is not UTF-8");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/inputs/titles", test_titles);
  g_test_add_func ("/inputs/titles-invalid-utf8", test_titles_invalid_utf8);
  g_test_add_func ("/inputs/split-paragraphs", test_split_paragraphs);
  g_test_add_func ("/inputs/split-lines", test_split_lines);
  g_test_add_func ("/inputs/text-from-bytes", test_text_from_bytes);
  g_test_add ("/inputs/item-from-file", Fixture, NULL, fixture_set_up, test_item_from_file,
              fixture_tear_down);
  g_test_add ("/inputs/file-errors", Fixture, NULL, fixture_set_up, test_file_errors,
              fixture_tear_down);
  g_test_add ("/inputs/file-unreadable", Fixture, NULL, fixture_set_up, test_file_unreadable,
              fixture_tear_down);
  g_test_add ("/inputs/file-cancelled", Fixture, NULL, fixture_set_up, test_file_cancelled,
              fixture_tear_down);
  g_test_add ("/inputs/read-file", Fixture, NULL, fixture_set_up, test_read_file,
              fixture_tear_down);
  g_test_add ("/inputs/read-file-too-large", Fixture, NULL, fixture_set_up,
              test_read_file_too_large, fixture_tear_down);
  g_test_add_func ("/inputs/read-stream-too-large", test_read_stream_too_large);
  g_test_add_func ("/inputs/csv-columns", test_csv_columns);
  g_test_add_func ("/inputs/csv-items", test_csv_items);
  g_test_add_func ("/inputs/csv-title-column", test_csv_title_column);
  g_test_add_func ("/inputs/csv-errors", test_csv_errors);
  g_test_add_func ("/inputs/lines", test_lines);
  g_test_add_func ("/inputs/lines-errors", test_lines_errors);

  return g_test_run ();
}
