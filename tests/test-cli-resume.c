/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli-resume"

#include "config.h"

#include <glib/gi18n.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <string.h>

#include "sheaf-cli-fixture.h"
#include "sheaf-core.h"
#include "sheaf-fake-provider.h"
#include "sheaf-test-utils.h"

/*
 * sheaf-cli loses nothing: the journal it keeps while running, --resume,
 * the output written in one piece, the escapes of --template and
 * --system, and --format=jsonl.
 */

#define N_ROWS 40

static char *
write_rows (Fixture *fixture, const char *name, guint n)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 1; i <= n; i++)
    g_string_append_printf (text, "row %u\n", i);
  return cli_fixture_write_file (fixture, name, text->str, -1);
}

static char *
path_in (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static char *
read_text (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* The journal's (or a JSON Lines output's) rows by row number; a line cut
 * off by the kill is skipped. */
static GHashTable *
read_journal (const char *path)
{
  g_autofree char *text = read_text (path);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GHashTable *rows = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) json_object_unref);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *row;

      if (*lines[i] == '\0' || !json_parser_load_from_data (parser, lines[i], -1, NULL))
        continue;
      row = json_node_get_object (json_parser_get_root (parser));
      g_hash_table_replace (rows, GINT_TO_POINTER (json_object_get_int_member (row, "index")),
                            json_object_ref (row));
    }
  return rows;
}

static gboolean
journal_has_answer (GHashTable *journal, guint index)
{
  JsonObject *row = g_hash_table_lookup (journal, GUINT_TO_POINTER (index));
  g_autofree char *input = g_strdup_printf ("row %u", index);
  g_autofree char *response = g_strdup_printf ("Echo: row %u", index);

  return row != NULL && g_strcmp0 (json_object_get_string_member (row, "status"), "done") == 0 &&
         g_strcmp0 (json_object_get_string_member (row, "input"), input) == 0 &&
         g_strcmp0 (json_object_get_string_member (row, "response"), response) == 0;
}

static guint
n_delivered (SheafFakeProvider *fake, guint n_rows, gint64 before)
{
  guint n = 0;

  for (guint i = 1; i <= n_rows; i++)
    {
      g_autofree char *prompt = g_strdup_printf ("row %u", i);
      GArray *deliveries = sheaf_fake_provider_get_deliveries (fake, prompt);

      n += deliveries->len > 0 && g_array_index (deliveries, gint64, 0) < before;
    }
  return n;
}

static void
assert_complete_csv (const char *path, guint n_rows)
{
  g_autofree char *text = read_text (path);
  g_autoptr (GPtrArray) rows = cli_parse_csv (text);

  g_assert_cmpuint (rows->len, ==, n_rows + 1);
  for (guint i = 1; i <= n_rows; i++)
    {
      g_autofree char *index = g_strdup_printf ("%u", i);
      g_autofree char *input = g_strdup_printf ("row %u", i);
      g_autofree char *response = g_strdup_printf ("Echo: row %u", i);

      g_assert_cmpstr (cli_cell (rows, i, "index"), ==, index);
      g_assert_cmpstr (cli_cell (rows, i, "input"), ==, input);
      g_assert_cmpstr (cli_cell (rows, i, "status"), ==, "done");
      g_assert_cmpstr (cli_cell (rows, i, "response"), ==, response);
    }
}

/* Killed mid-run, every answer that arrived more than a second before the
 * kill is in the journal; --resume sends only the rest and completes the
 * output in input order. */
static void
test_kill_and_resume (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *in = write_rows (fixture, "in.txt", N_ROWS);
  g_autofree char *out = path_in (fixture, "out.csv");
  g_autofree char *journal_path = path_in (fixture, "out.csv.sheaf-journal");
  const char *args[] = { "--lines=in.txt", "--output=out.csv",     "--concurrency=4",
                         "--base-url",     fixture->anthropic_url, NULL };
  g_autoptr (GSubprocess) cli = NULL;
  g_autoptr (GHashTable) journal = NULL;
  g_auto (CliResult) result = { 0 };
  guint n_journaled = 0;
  gint64 killed;

  sheaf_fake_provider_set_latency_ms (fixture->fake, 250);
  cli = cli_fixture_spawn (fixture, G_SUBPROCESS_FLAGS_STDERR_SILENCE, args);
  SHEAF_TEST_WAIT_UNTIL (n_delivered (fixture->fake, N_ROWS, G_MAXINT64) >= 24);
  killed = g_get_monotonic_time ();
  g_subprocess_force_exit (cli);
  cli_fixture_wait (cli);

  /* Nothing half written where the output goes. */
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  journal = read_journal (journal_path);
  g_assert_cmpuint (n_delivered (fixture->fake, N_ROWS, killed - G_USEC_PER_SEC), >=, 4);
  for (guint i = 1; i <= N_ROWS; i++)
    {
      g_autofree char *prompt = g_strdup_printf ("row %u", i);
      GArray *deliveries = sheaf_fake_provider_get_deliveries (fixture->fake, prompt);

      if (deliveries->len > 0 && g_array_index (deliveries, gint64, 0) < killed - G_USEC_PER_SEC)
        g_assert_true (journal_has_answer (journal, i));
      n_journaled += journal_has_answer (journal, i);
    }
  g_assert_cmpuint (n_journaled, <, N_ROWS);

  run_cli (fixture, &result, NULL, "--lines=in.txt", "--output=out.csv", "--resume",
           "--concurrency=4", "--base-url", fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  assert_complete_csv (out, N_ROWS);
  g_assert_false (g_file_test (journal_path, G_FILE_TEST_EXISTS));
  for (guint i = 1; i <= N_ROWS; i++)
    {
      g_autofree char *prompt = g_strdup_printf ("row %u", i);

      if (journal_has_answer (journal, i))
        g_assert_cmpuint (sheaf_fake_provider_get_attempts (fixture->fake, prompt), ==, 1);
    }
}

/* The answers of an earlier output count when the row is the same: its
 * number and its input. A failed row and a changed one are sent again. */
static void
test_resume_from_output (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *out = path_in (fixture, user_data);
  g_autofree char *output = g_strconcat ("--output=", (const char *) user_data, NULL);
  g_autofree char *in = cli_fixture_write_file (
    fixture, "in.txt", "row 1\nrow 2 [[fake status=400 times=1]]\nrow 3\n", -1);
  g_auto (CliResult) first = { 0 };
  g_auto (CliResult) second = { 0 };
  g_autofree char *text = NULL;

  run_cli (fixture, &first, NULL, "--lines=in.txt", output, "--base-url", fixture->anthropic_url);
  g_assert_cmpint (first.status, ==, 1);
  g_free (cli_fixture_write_file (fixture, "in.txt",
                                  "row 1\nrow 2 [[fake status=400 times=1]]\nrow 3 changed\n", -1));

  run_cli (fixture, &second, NULL, "--lines=in.txt", output, "--resume", "--base-url",
           fixture->anthropic_url);

  g_assert_cmpint (second.status, ==, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fixture->fake), ==, 5);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fixture->fake, "row 1"), ==, 1);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fixture->fake, "row 3 changed"), ==, 1);
  sheaf_test_assert_contains (second.err, "1 answered before and kept");
  text = read_text (out);
  sheaf_test_assert_contains (text, "Echo: row 1");
  sheaf_test_assert_contains (text, "Echo: row 2 [[fake status=400 times=1]]");
  sheaf_test_assert_contains (text, "Echo: row 3 changed");
  g_assert_null (strstr (text, "failed"));
  g_assert_true (strstr (text, "Echo: row 1") < strstr (text, "Echo: row 2") &&
                 strstr (text, "Echo: row 2") < strstr (text, "Echo: row 3"));
}

/* Starting over without --resume would lose the journal's answers. */
static void
test_journal_needs_resume (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *in = write_rows (fixture, "in.txt", 2);
  g_autofree char *journal =
    cli_fixture_write_file (fixture, "out.csv.sheaf-journal",
                            "{\"index\":1,\"input\":\"row 1\",\"status\":\"done\"}\n", -1);
  g_auto (CliResult) result = { 0 };

  run_cli (fixture, &result, NULL, "--lines=in.txt", "--output=out.csv", "--base-url",
           fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 2);
  sheaf_test_assert_contains (result.err, "--resume");
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fixture->fake), ==, 0);
  g_assert_true (g_file_test (journal, G_FILE_TEST_EXISTS));
}

/* Files sheaf-cli may grow only to 16 KiB, and it is not killed for it. */
static void
limit_file_size (gpointer user_data)
{
  struct rlimit limit = { 16 * 1024, 16 * 1024 };

  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static guint
count_files (const char *dir)
{
  g_autoptr (GDir) folder = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (folder) != NULL)
    n++;
  return n;
}

/* When the output cannot be written whole, the earlier output stays as it
 * was, no part of the new one is left, and the journal keeps the answer. */
static void
test_atomic_output (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *out = path_in (fixture, "out.csv");
  g_autofree char *journal_path = path_in (fixture, "out.csv.sheaf-journal");
  g_autoptr (GString) lines = g_string_new ("row 0 [[fake status=400 times=1]]\n");
  g_autoptr (GSubprocessLauncher) launcher = cli_fixture_make_launcher (
    fixture, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  const char *args[] = { "--lines=in.txt", "--output=out.csv",     "--resume",
                         "--base-url",     fixture->anthropic_url, NULL };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr (GHashTable) journal = NULL;
  JsonObject *row;
  g_auto (CliResult) first = { 0 };
  g_auto (CliResult) second = { 0 };

  for (guint i = 1; i < 30; i++)
    g_string_append_printf (lines, "row %u\n", i);
  g_free (cli_fixture_write_file (fixture, "in.txt", lines->str, -1));
  sheaf_fake_provider_set_answer_bytes (fixture->fake, 1000);
  run_cli (fixture, &first, NULL, "--lines=in.txt", "--output=out.csv", "--base-url",
           fixture->anthropic_url);
  g_assert_cmpint (first.status, ==, 1);
  before = read_text (out);
  g_assert_cmpuint (strlen (before), >, 16 * 1024);

  g_subprocess_launcher_set_child_setup (launcher, limit_file_size, NULL, NULL);
  cli_fixture_runv (fixture, launcher, &second, NULL, args);

  g_assert_cmpint (second.status, ==, 2);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fixture->fake), ==, 31);
  after = read_text (out);
  g_assert_cmpstr (after, ==, before);
  /* in.txt, out.csv and its journal: no temporary file is left. */
  g_assert_cmpuint (count_files (fixture->dir), ==, 3);
  journal = read_journal (journal_path);
  row = g_hash_table_lookup (journal, GINT_TO_POINTER (1));
  g_assert_nonnull (row);
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "done");
  /* And the answers, paid for, are on standard output. */
  sheaf_test_assert_contains (second.out, "Echo: row 0");
}

/* \n, \t and \\ in --template and --system are a line break, a tab and a
 * backslash; another backslash stays. */
static void
test_escapes (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *in = cli_fixture_write_file (fixture, "in.txt", "alpha\n", -1);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_auto (CliResult) result = { 0 };
  JsonObject *body;

  run_cli (fixture, &result, NULL, "--lines=in.txt", "--template=Say:\\n\\t{text} \\\\n \\q",
           "--system=Be\\tbrief\\\\", "--base-url", fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fixture->fake, "Say:\n\talpha \\n \\q"), ==,
                    1);
  json_parser_load_from_data (parser, sheaf_fake_provider_get_last_body (fixture->fake), -1,
                              &error);
  g_assert_no_error (error);
  body = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (body, "system"), ==, "Be\tbrief\\");
}

static void
assert_jsonl (const char *text, guint n_rows)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, n_rows + 1);
  g_assert_cmpstr (lines[n_rows], ==, "");
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      g_autofree char *input = g_strdup_printf ("row %u", i + 1);
      g_autofree char *response = g_strdup_printf ("Echo: row %u", i + 1);
      JsonObject *row;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      row = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpint (json_object_get_int_member (row, "index"), ==, i + 1);
      g_assert_cmpstr (json_object_get_string_member (row, "input"), ==, input);
      g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "done");
      g_assert_cmpstr (json_object_get_string_member (row, "response"), ==, response);
      g_assert_cmpint (json_object_get_int_member (row, "attempts"), ==, 1);
      g_assert_true (json_object_get_int_member (row, "output_tokens") > 0);
    }
}

/* One JSON object a line, chosen by --format or by the output's name. */
static void
test_format_jsonl (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *in = write_rows (fixture, "in.txt", 3);
  g_autofree char *out = path_in (fixture, "out.jsonl");
  g_autofree char *text = NULL;
  g_auto (CliResult) to_stdout = { 0 };
  g_auto (CliResult) to_file = { 0 };
  g_auto (CliResult) wrong = { 0 };

  run_cli (fixture, &to_stdout, NULL, "--lines=in.txt", "--format=jsonl", "--base-url",
           fixture->anthropic_url);
  g_assert_cmpint (to_stdout.status, ==, 0);
  assert_jsonl (to_stdout.out, 3);

  run_cli (fixture, &to_file, NULL, "--lines=in.txt", "--output=out.jsonl", "--base-url",
           fixture->anthropic_url);
  g_assert_cmpint (to_file.status, ==, 0);
  text = read_text (out);
  assert_jsonl (text, 3);

  run_cli (fixture, &wrong, NULL, "--lines=in.txt", "--format=xml", "--base-url",
           fixture->anthropic_url);
  g_assert_cmpint (wrong.status, ==, 2);
  sheaf_test_assert_contains (wrong.err, "--format=jsonl");
}

/* The answers are written and forgotten: 200 answers of 256 KB (50 MB,
 * which the CLI once kept until the end) leave its peak RSS far below
 * them, and still come out whole and in input order, through the journal
 * with --output and through a temporary one on standard output. */
#define BIG_ROWS   200
#define BIG_ANSWER (256 * 1024)
#define BIG_RSS_KB (40 * 1024)

static void
assert_big_rows (const char *csv)
{
  g_autoptr (GPtrArray) rows = cli_parse_csv (csv);

  g_assert_cmpuint (rows->len, ==, BIG_ROWS + 1);
  for (guint i = 1; i <= BIG_ROWS; i++)
    {
      g_autofree char *input = g_strdup_printf ("row %u", i);

      g_assert_cmpstr (cli_cell (rows, i, "input"), ==, input);
      g_assert_cmpstr (cli_cell (rows, i, "status"), ==, "done");
      g_assert_cmpuint (strlen (cli_cell (rows, i, "response")), >=, BIG_ANSWER);
    }
}

/* The peak RSS of the last sheaf-cli run, as bench-measure wrote it. */
static void
assert_cli_small (Fixture *fixture)
{
  g_autofree char *measured = NULL;
  long rss_kb = 0;

  g_assert_true (g_file_get_contents (fixture->measure_to, &measured, NULL, NULL));
  g_assert_cmpint (sscanf (measured, "%*d %*f %*f %ld", &rss_kb), ==, 1);
  g_test_message ("peak RSS of sheaf-cli: %ld KB", rss_kb);
  g_assert_cmpint (rss_kb, >, 0);
  /* AddressSanitizer keeps freed memory in quarantine (up to 256 MB) and
   * adds its shadow: there the peak says nothing of what sheaf-cli keeps. */
#if !defined(__SANITIZE_ADDRESS__)
  g_assert_cmpint (rss_kb, <, BIG_RSS_KB);
#endif
}

static void
test_answers_not_kept (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *in = write_rows (fixture, "in.txt", BIG_ROWS);
  g_autofree char *out = path_in (fixture, "out.csv");
  g_autofree char *csv = NULL;
  g_auto (CliResult) to_file = { 0 };
  g_auto (CliResult) to_stdout = { 0 };

  sheaf_fake_provider_set_answer_bytes (fixture->fake, BIG_ANSWER);
  fixture->measure_to = path_in (fixture, "measured");
  run_cli (fixture, &to_stdout, NULL, "--lines=in.txt", "--concurrency=8", "--base-url",
           fixture->anthropic_url);
  g_assert_cmpint (to_stdout.status, ==, 0);
  assert_cli_small (fixture);
  assert_big_rows (to_stdout.out);
  cli_result_clear (&to_stdout);

  run_cli (fixture, &to_file, NULL, "--lines=in.txt", "--concurrency=8", "--output=out.csv",
           "--base-url", fixture->anthropic_url);
  g_assert_cmpint (to_file.status, ==, 0);
  assert_cli_small (fixture);
  g_assert_true (g_file_get_contents (out, &csv, NULL, NULL));
  assert_big_rows (csv);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  cli_fixture_add_test ("/cli-resume/kill-and-resume", test_kill_and_resume, NULL);
  cli_fixture_add_test ("/cli-resume/from-csv-output", test_resume_from_output, "out.csv");
  cli_fixture_add_test ("/cli-resume/from-jsonl-output", test_resume_from_output, "out.jsonl");
  cli_fixture_add_test ("/cli-resume/journal-needs-resume", test_journal_needs_resume, NULL);
  cli_fixture_add_test ("/cli-resume/atomic-output", test_atomic_output, NULL);
  cli_fixture_add_test ("/cli-resume/escapes", test_escapes, NULL);
  cli_fixture_add_test ("/cli-resume/format-jsonl", test_format_jsonl, NULL);
  cli_fixture_add_test ("/cli-resume/answers-not-kept", test_answers_not_kept, NULL);

  return g_test_run ();
}
