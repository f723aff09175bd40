/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sheaf-core.h"
#include "sheaf-cli-fixture.h"
#include "sheaf-fake-provider.h"
#include "sheaf-test-utils.h"

/*
 * End-to-end tests of sheaf-cli ($SHEAF_CLI): each runs it as a subprocess
 * against the fake provider, which lives on this process's main loop, so
 * the subprocess is always driven asynchronously while the loop turns.
 */

static const char *
last_line (const char *text)
{
  static char line[1024];
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >=, 2);
  g_strlcpy (line, lines[n - 2], sizeof line);
  return line;
}

static void
assert_summary (const char *err, guint done, guint failed)
{
  g_autofree char *pattern =
    g_strdup_printf ("^%u done, %u failed in [0-9]+\\.[0-9] s($|[ ,(])", done, failed);
  const char *summary = last_line (err);

  if (!g_regex_match_simple (pattern, summary, 0, 0))
    g_error ("summary line “%s” does not match %s", summary, pattern);
}

static void
assert_done_row (GPtrArray *rows, guint row, const char *title, const char *input)
{
  g_autofree char *index = g_strdup_printf ("%u", row);
  g_autofree char *response = g_strconcat ("Echo: ", input, NULL);

  g_assert_cmpstr (cli_cell (rows, row, "index"), ==, index);
  g_assert_cmpstr (cli_cell (rows, row, "title"), ==, title);
  g_assert_cmpstr (cli_cell (rows, row, "input"), ==, input);
  g_assert_cmpstr (cli_cell (rows, row, "status"), ==, "done");
  g_assert_cmpstr (cli_cell (rows, row, "response"), ==, response);
  g_assert_cmpstr (cli_cell (rows, row, "error"), ==, "");
  g_assert_cmpstr (cli_cell (rows, row, "attempts"), ==, "1");
  g_assert_true (
    g_regex_match_simple ("^[0-9]+\\.[0-9][0-9]$", cli_cell (rows, row, "seconds"), 0, 0));
  g_assert_true (g_regex_match_simple ("^[0-9]+$", cli_cell (rows, row, "input_tokens"), 0, 0));
  g_assert_true (g_regex_match_simple ("^[0-9]+$", cli_cell (rows, row, "output_tokens"), 0, 0));
  g_assert_cmpstr (cli_cell (rows, row, "model"), !=, "");
}

/* Inputs */

static void
test_lines (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = cli_fixture_write_file (
    fixture, "questions.txt", "alpha\n\nbeta, with a comma\r\ngamma \"quoted\"\n", -1);
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;

  run_cli (fixture, &result, NULL, "--lines=questions.txt", "--base-url", fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  /* CRLF row ends, no byte order mark. */
  g_assert_true (g_str_has_prefix (result.out, HEADER "\r\n1,alpha,alpha,done,"));
  rows = cli_parse_csv (result.out);
  g_assert_cmpuint (rows->len, ==, 4);
  assert_done_row (rows, 1, "alpha", "alpha");
  assert_done_row (rows, 2, "beta, with a comma", "beta, with a comma");
  assert_done_row (rows, 3, "gamma \"quoted\"", "gamma \"quoted\"");
  assert_summary (result.err, 3, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fixture->fake), ==, 3);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fixture->fake, "beta, with a comma"), ==, 1);
}

static void
test_stdin (Fixture *fixture, gconstpointer user_data)
{
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;

  run_cli (fixture, &result, "first from stdin\n\nsecond from stdin\n", "--lines=-", "--base-url",
           fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  rows = cli_parse_csv (result.out);
  g_assert_cmpuint (rows->len, ==, 3);
  assert_done_row (rows, 1, "first from stdin", "first from stdin");
  assert_done_row (rows, 2, "second from stdin", "second from stdin");
  assert_summary (result.err, 2, 0);
}

static void
test_csv_column (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = cli_fixture_write_file (fixture, "reviews.csv",
                                                  "\xEF\xBB\xBFid,name,text\r\n"
                                                  "1,Alice,\"Great, really\"\r\n"
                                                  "2,Bob,\r\n"
                                                  "3,,\"Two\nlines\"\r\n",
                                                  -1);
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;

  run_cli (fixture, &result, NULL, "--csv=reviews.csv", "--column=text", "--base-url",
           fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  rows = cli_parse_csv (result.out);
  g_assert_cmpuint (rows->len, ==, 3);
  assert_done_row (rows, 1, "Alice", "Great, really");
  assert_done_row (rows, 2, "Two", "Two\nlines");
  assert_summary (result.err, 2, 0);
}

static void
test_files (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *a =
    cli_fixture_write_file (fixture, "Article A.txt", "The first article.\n", -1);
  g_autofree char *b = cli_fixture_write_file (fixture, "b.md", "# B\r\n\r\nSecond.", -1);
  g_autofree char *c = cli_fixture_write_file (fixture, "c", "third", -1);
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;

  run_cli (fixture, &result, NULL, "--base-url", fixture->anthropic_url, "Article A.txt", b, "c");

  g_assert_cmpint (result.status, ==, 0);
  rows = cli_parse_csv (result.out);
  g_assert_cmpuint (rows->len, ==, 4);
  g_assert_cmpstr (cli_cell (rows, 1, "title"), ==, "Article A");
  g_assert_cmpstr (cli_cell (rows, 1, "input"), ==, "The first article.\n");
  g_assert_cmpstr (cli_cell (rows, 2, "title"), ==, "b");
  g_assert_cmpstr (cli_cell (rows, 2, "input"), ==, "# B\n\nSecond.");
  g_assert_cmpstr (cli_cell (rows, 3, "title"), ==, "c");
  for (guint i = 1; i <= 3; i++)
    g_assert_cmpstr (cli_cell (rows, i, "status"), ==, "done");
  assert_summary (result.err, 3, 0);
}

/* Several inputs at once: --lines, --csv and files add up, in that order. */
static void
test_combined_inputs (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *lines = cli_fixture_write_file (fixture, "l.txt", "from lines\n", -1);
  g_autofree char *csv = cli_fixture_write_file (fixture, "t.csv", "text\nfrom csv\n", -1);
  g_autofree char *file = cli_fixture_write_file (fixture, "f.txt", "from a file", -1);
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;

  run_cli (fixture, &result, NULL, "f.txt", "--lines=l.txt", "--csv=t.csv", "--column=text",
           "--base-url", fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  rows = cli_parse_csv (result.out);
  g_assert_cmpuint (rows->len, ==, 4);
  g_assert_cmpstr (cli_cell (rows, 1, "input"), ==, "from lines");
  g_assert_cmpstr (cli_cell (rows, 2, "input"), ==, "from csv");
  g_assert_cmpstr (cli_cell (rows, 3, "input"), ==, "from a file");
}

/* Output and settings */

static void
test_output_file (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *lines = cli_fixture_write_file (fixture, "in.txt", "one\ntwo\n", -1);
  g_autofree char *out_path = g_build_filename (fixture->dir, "out.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;

  run_cli (fixture, &result, NULL, "--lines=in.txt", "--output=out.csv", "--base-url",
           fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, "");
  g_file_get_contents (out_path, &contents, NULL, &error);
  g_assert_no_error (error);
  rows = cli_parse_csv (contents);
  g_assert_cmpuint (rows->len, ==, 3);
  assert_done_row (rows, 2, "two", "two");
  assert_summary (result.err, 2, 0);
}

/* A device is written to, not replaced: nothing goes to standard output. */
static void
test_output_device (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *lines = cli_fixture_write_file (fixture, "in.txt", "one\ntwo\n", -1);
  g_auto (CliResult) result = { 0 };

  run_cli (fixture, &result, NULL, "--lines=in.txt", "--output=/dev/null", "--base-url",
           fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, "");
  assert_summary (result.err, 2, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fixture->fake), ==, 2);
}

static void
test_template (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *lines = cli_fixture_write_file (fixture, "in.txt", "alpha\nbeta\n", -1);
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;
  const char *body;

  run_cli (fixture, &result, NULL, "--lines=in.txt",
           "--template=Summarize “{title}”: {text} {json}", "--system=Be brief.",
           "--model=test-model", "--max-tokens=77", "--temperature=0.5", "--base-url",
           fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpuint (
    sheaf_fake_provider_get_attempts (fixture->fake, "Summarize “alpha”: alpha {json}"), ==, 1);
  g_assert_cmpuint (
    sheaf_fake_provider_get_attempts (fixture->fake, "Summarize “beta”: beta {json}"), ==, 1);
  body = sheaf_fake_provider_get_last_body (fixture->fake);
  sheaf_test_assert_contains (body, "Be brief.");
  sheaf_test_assert_contains (body, "test-model");
  sheaf_test_assert_contains (body, "77");
  g_assert_cmpstr (soup_message_headers_get_one (
                     sheaf_fake_provider_get_last_headers (fixture->fake), "x-api-key"),
                   ==, API_KEY);
  rows = cli_parse_csv (result.out);
  g_assert_cmpstr (cli_cell (rows, 1, "input"), ==, "alpha");
  g_assert_cmpstr (cli_cell (rows, 1, "response"), ==, "Echo: Summarize “alpha”: alpha {json}");
  g_assert_null (strstr (result.err, "warning"));
}

static void
test_template_without_text (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *lines = cli_fixture_write_file (fixture, "in.txt", "alpha\n", -1);
  g_auto (CliResult) result = { 0 };

  run_cli (fixture, &result, NULL, "--lines=in.txt", "--template=Tell me a joke", "--base-url",
           fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  sheaf_test_assert_contains (result.err, "warning");
  sheaf_test_assert_contains (result.err, "{text}");
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fixture->fake, "Tell me a joke"), ==, 1);
}

static void
test_openai (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *lines = cli_fixture_write_file (fixture, "in.txt", "hello openai\n", -1);
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;
  SoupMessageHeaders *headers;

  fixture->anthropic_key = NULL;
  run_cli (fixture, &result, NULL, "--provider=openai", "--lines=in.txt", "--base-url",
           fixture->openai_url);

  g_assert_cmpint (result.status, ==, 0);
  rows = cli_parse_csv (result.out);
  assert_done_row (rows, 1, "hello openai", "hello openai");
  headers = sheaf_fake_provider_get_last_headers (fixture->fake);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Authorization"), ==, "Bearer " API_KEY);
}

/* A server on this computer needs no key. */
static void
test_local_without_key (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *lines = cli_fixture_write_file (fixture, "in.txt", "no key\n", -1);
  g_auto (CliResult) result = { 0 };

  sheaf_fake_provider_set_api_key (fixture->fake, NULL);
  fixture->openai_key = NULL;
  run_cli (fixture, &result, NULL, "--provider=openai", "--lines=in.txt", "--base-url",
           fixture->openai_url);

  g_assert_cmpint (result.status, ==, 0);
  g_assert_null (soup_message_headers_get_one (sheaf_fake_provider_get_last_headers (fixture->fake),
                                               "Authorization"));
}

static void
test_concurrency (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GString) lines = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_auto (CliResult) result = { 0 };

  for (guint i = 0; i < 8; i++)
    g_string_append_printf (lines, "item %u\n", i);
  path = cli_fixture_write_file (fixture, "in.txt", lines->str, -1);
  sheaf_fake_provider_set_latency_ms (fixture->fake, 100);

  run_cli (fixture, &result, NULL, "--lines=in.txt", "--concurrency=3", "--base-url",
           fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fixture->fake), ==, 8);
  g_assert_cmpuint (sheaf_fake_provider_get_max_in_flight (fixture->fake), ==, 3);
  assert_summary (result.err, 8, 0);
}

/* @n lines "@prefix I" in the file @name; returns its path. */
static char *
write_numbered_lines (Fixture *fixture, const char *name, const char *prefix, guint n)
{
  g_autoptr (GString) lines = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (lines, "%s %u\n", prefix, i);
  return cli_fixture_write_file (fixture, name, lines->str, -1);
}

/* Not a terminal: a progress line for each tenth, then the summary. */
static void
test_progress (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = write_numbered_lines (fixture, "in.txt", "item", 25);
  g_auto (CliResult) result = { 0 };
  g_auto (GStrv) err_lines = NULL;
  guint n_progress = 0;

  run_cli (fixture, &result, NULL, "--lines=in.txt", "--base-url", fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 0);
  g_assert_null (strchr (result.err, '\r'));
  err_lines = g_strsplit (result.err, "\n", -1);
  for (guint i = 0; err_lines[i] != NULL; i++)
    if (strstr (err_lines[i], " of 25 finished") != NULL)
      n_progress++;
  g_assert_cmpuint (n_progress, ==, 10);
  sheaf_test_assert_contains (result.err, "25 of 25 finished");
  assert_summary (result.err, 25, 0);
}

/* Failures */

static void
test_failures (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = cli_fixture_write_file (
    fixture, "in.txt", "good one\nbad one [[fake status=401]]\nalso good\n", -1);
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;

  run_cli (fixture, &result, NULL, "--lines=in.txt", "--base-url", fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 1);
  rows = cli_parse_csv (result.out);
  g_assert_cmpuint (rows->len, ==, 4);
  assert_done_row (rows, 1, "good one", "good one");
  assert_done_row (rows, 3, "also good", "also good");
  g_assert_cmpstr (cli_cell (rows, 2, "status"), ==, "failed");
  g_assert_cmpstr (cli_cell (rows, 2, "response"), ==, "");
  g_assert_cmpstr (cli_cell (rows, 2, "error"), !=, "");
  g_assert_cmpstr (cli_cell (rows, 2, "attempts"), ==, "1");
  assert_summary (result.err, 2, 1);
}

static void
test_all_fail (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = cli_fixture_write_file (fixture, "in.txt", "wrong key\n", -1);
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;

  fixture->anthropic_key = "not-the-key";
  run_cli (fixture, &result, NULL, "--lines=in.txt", "--base-url", fixture->anthropic_url);

  g_assert_cmpint (result.status, ==, 1);
  rows = cli_parse_csv (result.out);
  g_assert_cmpstr (cli_cell (rows, 1, "status"), ==, "failed");
  assert_summary (result.err, 0, 1);
}

/* Every cell and the summary: nothing sends a person to Preferences, which
 * sheaf-cli does not have. */
static void
assert_no_preferences (const CliResult *result, GPtrArray *rows)
{
  for (guint row = 0; row < rows->len; row++)
    {
      GStrv cells = g_ptr_array_index (rows, row);

      for (guint i = 0; cells[i] != NULL; i++)
        if (strstr (cells[i], "Preferences") != NULL)
          g_error ("row %u: “%s” speaks of Preferences", row, cells[i]);
    }
  g_assert_null (strstr (result->out, "Preferences"));
  g_assert_null (strstr (result->err, "Preferences"));
}

static void
assert_failed_row (GPtrArray *rows, guint row, const char *const *says)
{
  const char *error = cli_cell (rows, row, "error");

  g_test_message ("row %u: %s", row, error);
  g_assert_cmpstr (cli_cell (rows, row, "status"), ==, "failed");
  for (guint i = 0; says[i] != NULL; i++)
    sheaf_test_assert_contains (error, says[i]);
}

/* A failed item's error says what to change on the command line: the
 * option or the key's variable. A rejected key or an unknown model stops
 * the run, so each has a run of its own. */
static void
assert_cli_fails (Fixture *fixture, const char *provider, const char *url, const char *line,
                  const char *const *says)
{
  g_autofree char *path = cli_fixture_write_file (fixture, "line.txt", line, -1);
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;

  run_cli (fixture, &result, NULL, provider, "--lines=line.txt", "--timeout=1", "--retries=0",
           "--base-url", url);
  g_assert_cmpint (result.status, ==, 1);
  rows = cli_parse_csv (result.out);
  g_assert_cmpuint (rows->len, ==, 2);
  assert_failed_row (rows, 1, says);
  assert_summary (result.err, 0, 1);
  assert_no_preferences (&result, rows);
}

static void
test_errors_name_options (Fixture *fixture, gconstpointer user_data)
{
  const char *anthropic = "--provider=anthropic";
  const char *openai = "--provider=openai";

  assert_cli_fails (fixture, anthropic, fixture->anthropic_url, "wrong key [[fake status=401]]\n",
                    (const char *const[]){ "rejected", "ANTHROPIC_API_KEY", NULL });
  assert_cli_fails (fixture, anthropic, fixture->anthropic_url, "too slow [[fake fault=hang]]\n",
                    (const char *const[]){ "1 second", "--timeout", NULL });
  assert_cli_fails (fixture, anthropic, fixture->anthropic_url,
                    "no such model [[fake status=404]]\n",
                    (const char *const[]){ "not found", "--model", "--base-url", NULL });
  assert_cli_fails (fixture, openai, fixture->openai_url, "wrong key [[fake status=401]]\n",
                    (const char *const[]){ "rejected", "OPENAI_API_KEY", NULL });
  assert_cli_fails (fixture, openai, fixture->openai_url, "refused [[fake status=400]]\n",
                    (const char *const[]){ "--max-tokens", "--temperature", NULL });
}

/* A rejected key stops the run after the first requests: the reason is
 * printed once, the rest is "not-sent", and the exit status is 1. */
static void
test_stops_early (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = write_numbered_lines (fixture, "many.txt", "text", 30);
  g_auto (CliResult) result = { 0 };
  g_autoptr (GPtrArray) rows = NULL;
  const char *said;
  guint not_sent = 0;
  fixture->openai_key = "sk-wrong";
  run_cli (fixture, &result, NULL, "--provider=openai", "--lines=many.txt", "--concurrency=20",
           "--base-url", fixture->openai_url);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fixture->fake), <=, 3);
  rows = cli_parse_csv (result.out);
  for (guint row = 1; row < rows->len; row++)
    not_sent += strcmp (cli_cell (rows, row, "status"), "not-sent") == 0;
  g_assert_cmpuint (not_sent, >=, 27);
  said = strstr (result.err, "stopped early");
  g_assert_nonnull (said);
  sheaf_test_assert_contains (said, "OPENAI_API_KEY");
  g_assert_null (strstr (said + 1, "stopped early"));
  sheaf_test_assert_contains (result.err, "not sent");
}

/* Usage errors: exit 2, a message that says what is wrong, nothing sent. */

typedef struct
{
  const char *args[6];
  const char *says[3];
} UsageCase;

static const UsageCase usage_cases[] = {
  { { "--bogus" }, { "Unknown option --bogus", "sheaf-cli --help" } },
  { { "--base-url=http://127.0.0.1:9" },
    { "No input: give files, --lines=FILE or --csv=FILE --column=NAME. See sheaf-cli --help." } },
  { { "missing.txt" }, { "“missing.txt” does not exist" } },
  { { "--lines=missing.txt" }, { "“missing.txt” does not exist" } },
  { { "--csv=missing.csv", "--column=text" }, { "“missing.csv” does not exist" } },
  { { "--csv=unclosed.csv", "--column=text" }, { "unclosed.csv: ", "line 2", "never closed" } },
  { { "--csv=good.csv", "--column=body" },
    { "good.csv: ", "There is no column “body”. The columns are: “id”, “name”, “text”." } },
  { { "--csv=good.csv" }, { "--column", "id, name, text" } },
  { { "--column=text" }, { "--column needs --csv" } },
  { { "--csv=empty.txt", "--column=text" }, { "empty.txt: ", "empty" } },
  { { "picture.png" }, { "“picture.png” contains a NUL byte at line 3" } },
  { { "latin1.txt" }, { "“latin1.txt” is not UTF-8" } },
  { { "empty.txt" }, { "“empty.txt” is empty" } },
  { { "folder" }, { "“folder” is a folder" } },
  { { "--lines=blank.txt" }, { "blank.txt: ", "every line is empty" } },
  { { "--lines=latin1.txt" }, { "latin1.txt: ", "Line 1 is not UTF-8" } },
  { { "--lines=picture.png" }, { "picture.png: ", "contains a NUL byte at line 3" } },
  { { "--csv=nul.csv", "--column=text" }, { "nul.csv: ", "contains a NUL byte at line 2" } },
  /* One limit for every input, said in MiB, before anything is read. */
  { { "--lines=big.txt" }, { "“big.txt” is too large", "up to 10 MiB" } },
  { { "--csv=big.txt", "--column=text" }, { "“big.txt” is too large", "up to 10 MiB" } },
  { { "big.txt" }, { "“big.txt” is too large", "up to 10 MiB" } },
  { { "--provider=mistral", "good.txt" }, { "Unknown provider “mistral”", "anthropic", "openai" } },
  { { "--concurrency=0", "good.txt" }, { "--concurrency must be between 1 and 1000" } },
  { { "--concurrency=1001", "good.txt" }, { "--concurrency must be between 1 and 1000" } },
  { { "--concurrency=many", "good.txt" }, { "--concurrency" } },
  { { "--temperature=3", "good.txt" }, { "--temperature must be between 0 and 2" } },
  { { "--rpm=-1", "good.txt" }, { "--rpm and --tpm must be 0 (no cap) or more" } },
  { { "--tpm=-5", "good.txt" }, { "--rpm and --tpm must be 0 (no cap) or more" } },
  { { "--max-tokens=0", "good.txt" }, { "--max-tokens" } },
  { { "--base-url=ftp://example.com", "good.txt" }, { "ftp://example.com", "--base-url" } },
  { { "--output=no-such-dir/out.csv", "good.txt" }, { "no-such-dir", "does not exist" } },
  { { "--output=folder", "good.txt" }, { "is a folder" } },
};

/* Standard input past the limit is refused as soon as it is passed. */
static void
test_stdin_too_large (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *input = g_strnfill (11 * 1024 * 1024, 'a');
  g_autofree char *path = cli_fixture_write_file (fixture, "input.txt", input, -1);
  g_autoptr (GSubprocessLauncher) launcher = cli_fixture_make_launcher (
    fixture, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_auto (CliResult) result = { 0 };

  /* From a file, not a pipe: sheaf-cli stops reading at the limit. */
  g_subprocess_launcher_set_stdin_file_path (launcher, path);
  cli_fixture_runv (
    fixture, launcher, &result, NULL,
    (const char *const[]){ "--lines=-", "--base-url", fixture->anthropic_url, NULL });
  g_assert_cmpint (result.status, ==, 2);
  sheaf_test_assert_contains (result.err, "“standard input” is larger than 10 MiB");
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fixture->fake), ==, 0);
}

/* A prompt above 32 MB fails its row with a plain message and is not sent;
 * the others go. */
static void
test_prompt_too_large (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *line = g_strnfill (1024 * 1024, 'x');
  g_autofree char *data = g_strconcat ("small\n", line, "\n", NULL);
  g_autofree char *path = cli_fixture_write_file (fixture, "two.txt", data, -1);
  g_autoptr (GString) template_ = g_string_new (NULL);
  g_autofree char *template_arg = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_auto (CliResult) result = { 0 };

  for (guint i = 0; i < 40; i++)
    g_string_append (template_, "{text}");
  template_arg = g_strconcat ("--template=", template_->str, NULL);
  run_cli (fixture, &result, NULL, "--lines=two.txt", template_arg, "--base-url",
           fixture->anthropic_url);
  g_assert_cmpint (result.status, ==, 1);
  rows = cli_parse_csv (result.out);
  g_assert_cmpstr (cli_cell (rows, 1, "status"), ==, "done");
  g_assert_cmpstr (cli_cell (rows, 2, "status"), ==, "failed");
  sheaf_test_assert_contains (cli_cell (rows, 2, "error"), "more than 32 MB (32,000,000 bytes)");
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fixture->fake), ==, 1);
}

static void
write_usage_files (Fixture *fixture)
{
  const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
  g_autofree char *folder = g_build_filename (fixture->dir, "folder", NULL);
  g_autofree char *big = NULL;

  g_free (cli_fixture_write_file (fixture, "unclosed.csv", "text\n\"open\nstill open\n", -1));
  g_free (cli_fixture_write_file (fixture, "good.csv", "id,name,text\n1,a,hello\n", -1));
  g_free (cli_fixture_write_file (fixture, "good.txt", "hello", -1));
  g_free (cli_fixture_write_file (fixture, "picture.png", png, sizeof png - 1));
  g_free (cli_fixture_write_file (fixture, "latin1.txt", "caf\xe9\n", -1));
  g_free (cli_fixture_write_file (fixture, "empty.txt", "", 0));
  g_free (cli_fixture_write_file (fixture, "blank.txt", "\n  \n\n", -1));
  g_free (cli_fixture_write_file (fixture, "nul.csv", "text\nn\0l\n", 8));
  big = cli_fixture_write_file (fixture, "big.txt", "text\n", -1);
  /* Sparse: 2 GB that take no room. */
  g_assert_no_errno (truncate (big, 2000000000));
  g_assert_no_errno (g_mkdir (folder, 0700));
}

static void
test_usage_errors (Fixture *fixture, gconstpointer user_data)
{
  write_usage_files (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (usage_cases); i++)
    {
      const UsageCase *c = &usage_cases[i];
      g_auto (CliResult) result = { 0 };

      g_test_message ("sheaf-cli %s", c->args[0]);
      cli_fixture_runv (fixture, NULL, &result, NULL, c->args);
      g_assert_cmpint (result.status, ==, 2);
      g_assert_cmpstr (result.out, ==, "");
      for (guint j = 0; j < G_N_ELEMENTS (c->says) && c->says[j] != NULL; j++)
        sheaf_test_assert_contains (result.err, c->says[j]);
    }

  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fixture->fake), ==, 0);
}

static void
assert_key_error (Fixture *fixture, const char *const *args, const char *says)
{
  g_auto (CliResult) result = { 0 };

  cli_fixture_runv (fixture, NULL, &result, NULL, args);
  g_assert_cmpint (result.status, ==, 2);
  sheaf_test_assert_contains (result.err, says);
}

/* None of these sends anything: they are refused before a request. */
static void
test_key_errors (Fixture *fixture, gconstpointer user_data)
{
  g_free (cli_fixture_write_file (fixture, "good.txt", "hello", -1));

  fixture->anthropic_key = NULL;
  fixture->openai_key = NULL;
  assert_key_error (fixture, (const char *const[]){ "good.txt", NULL }, "ANTHROPIC_API_KEY");
  assert_key_error (fixture,
                    (const char *const[]){ "--base-url=https://api.example.com", "good.txt", NULL },
                    "export ANTHROPIC_API_KEY=");
  assert_key_error (fixture, (const char *const[]){ "--provider=openai", "good.txt", NULL },
                    "OPENAI_API_KEY");

  /* With a key, plain http to another host would give it away. */
  fixture->anthropic_key = API_KEY;
  assert_key_error (fixture,
                    (const char *const[]){ "--base-url=http://example.com", "good.txt", NULL },
                    "unencrypted");
  assert_key_error (fixture,
                    (const char *const[]){ "--base-url=http://example.com", "good.txt", NULL },
                    "ANTHROPIC_API_KEY");
}

/* Hostile answers survive Python's csv module */

static const char hostile_lines[] = "=1+1 [[fake fault=hostile]]\n"
                                    "- a bullet [[fake fault=hostile]]\n"
                                    "@SUM(A1) [[fake fault=hostile]]\n"
                                    "+1 \"quoted\", comma [[fake fault=hostile]]\n"
                                    "-2+3 مرحبا 🎉 [[fake fault=hostile]]\n";

static const char python_script[] = "import csv, json, sys\n"
                                    "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
                                    "    print(json.dumps(list(csv.reader(f))))\n";

static JsonArray *
python_csv_rows (const char *path, JsonParser *parser)
{
  g_autoptr (GSubprocess) python = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  python = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error, "/usr/bin/python3", "-c", python_script, path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (python, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (python))
    g_error ("python3 failed: %s", err);

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_node_get_array (json_parser_get_root (parser));
}

static void
on_batch_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  sheaf_batch_run_finish (SHEAF_BATCH (object), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* The same inputs, run in this process: what the items hold. */
static GListModel *
run_in_process (Fixture *fixture)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_ANTHROPIC, fixture->anthropic_url, API_KEY);
  g_autoptr (SheafBatch) batch = sheaf_batch_new (provider);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items =
    sheaf_inputs_items_from_lines (hostile_lines, strlen (hostile_lines), &error);
  GListStore *store = g_list_store_new (SHEAF_TYPE_ITEM);
  gboolean done = FALSE;

  g_assert_no_error (error);
  g_list_store_splice (store, 0, 0, items->pdata, items->len);
  g_object_set (batch, "model", "test-model", "template", SHEAF_DEFAULT_TEMPLATE, NULL);
  sheaf_batch_run_async (batch, G_LIST_MODEL (store), NULL, on_batch_done, &done);
  sheaf_test_wait_for_flag (&done, TIMEOUT_SECONDS, "the run in this process");
  return G_LIST_MODEL (store);
}

/* A cell reads back as the item held it, or, when a spreadsheet would run
 * it as a formula, with one apostrophe before it. */
static gboolean
assert_cell_holds (const char *cell_text, const char *held)
{
  held = held != NULL ? held : "";
  if (strcmp (cell_text, held) == 0)
    {
      g_assert_false (held[0] == '=' || held[0] == '+' || held[0] == '@');
      return FALSE;
    }

  g_assert_cmpint (cell_text[0], ==, '\'');
  g_assert_cmpstr (cell_text + 1, ==, held);
  g_assert_true (strchr ("=+@-\t\r", held[0]) != NULL);
  return TRUE;
}

static guint
assert_python_row (JsonArray *row, SheafItem *item, guint index)
{
  g_autofree char *index_str = g_strdup_printf ("%u", index);
  guint n_guarded = 0;

  g_assert_cmpuint (json_array_get_length (row), ==, 12);
  g_assert_cmpstr (json_array_get_string_element (row, 0), ==, index_str);
  n_guarded +=
    assert_cell_holds (json_array_get_string_element (row, 1), sheaf_item_get_title (item));
  n_guarded +=
    assert_cell_holds (json_array_get_string_element (row, 2), sheaf_item_get_text (item));
  g_assert_cmpstr (json_array_get_string_element (row, 3), ==, "done");
  n_guarded +=
    assert_cell_holds (json_array_get_string_element (row, 4), sheaf_item_get_response (item));
  g_assert_cmpstr (json_array_get_string_element (row, 5), ==, "");
  g_assert_cmpstr (json_array_get_string_element (row, 10), ==, sheaf_item_get_model (item));
  return n_guarded;
}

static void
test_hostile_round_trip (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *lines = cli_fixture_write_file (fixture, "hostile.txt", hostile_lines, -1);
  g_autofree char *out_path = g_build_filename (fixture->dir, "out.csv", NULL);
  g_auto (CliResult) result = { 0 };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GListModel) items = NULL;
  JsonArray *rows;
  guint n_guarded = 0;

  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("/usr/bin/python3 is not installed");
      return;
    }

  run_cli (fixture, &result, NULL, "--lines=hostile.txt", "--output=out.csv", "--model=test-model",
           "--base-url", fixture->anthropic_url);
  g_assert_cmpint (result.status, ==, 0);

  items = run_in_process (fixture);
  rows = python_csv_rows (out_path, parser);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1 + g_list_model_get_n_items (items));
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (items, i);

      sheaf_test_assert_contains (sheaf_item_get_response (item), "right-to-left");
      n_guarded += assert_python_row (json_array_get_array_element (rows, i + 1), item, i + 1);
    }

  /* Titles and inputs of "=1+1", "@SUM(A1)", "+1 …" and "-2+3 …" are
   * guarded; "- a bullet" is not. */
  g_assert_cmpuint (n_guarded, ==, 8);
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (rows, 2), 2), ==,
                   "- a bullet [[fake fault=hostile]]");
}

/* Stopping with a signal */

typedef struct
{
  GDataInputStream *stream;
  GString *text;
  gboolean eof;
} LineReader;

static void read_next_line (LineReader *reader);

static void
on_line (GObject *object, GAsyncResult *result, gpointer user_data)
{
  LineReader *reader = user_data;
  g_autofree char *line =
    g_data_input_stream_read_line_finish_utf8 (reader->stream, result, NULL, NULL);

  if (line == NULL)
    {
      reader->eof = TRUE;
      return;
    }
  g_string_append_printf (reader->text, "%s\n", line);
  read_next_line (reader);
}

static void
read_next_line (LineReader *reader)
{
  g_data_input_stream_read_line_async (reader->stream, G_PRIORITY_DEFAULT, NULL, on_line, reader);
}

typedef struct
{
  LineReader *reader;
  SheafFakeProvider *fake;
} StopCondition;

/* The two fast answers are in and both hanging requests are in flight. */
static gboolean
ready_to_stop (gpointer data)
{
  StopCondition *condition = data;

  return strstr (condition->reader->text->str, "2 of 4 finished") != NULL &&
         sheaf_fake_provider_get_in_flight (condition->fake) == 2;
}

static gboolean
reader_done (gpointer data)
{
  return ((LineReader *) data)->eof;
}

static void
test_stop_signal (Fixture *fixture, gconstpointer user_data)
{
  int signum = GPOINTER_TO_INT (user_data);
  g_autofree char *lines = cli_fixture_write_file (fixture, "in.txt",
                                                   "fast one\nslow one [[fake fault=hang]]\n"
                                                   "fast two\nslow two [[fake fault=hang]]\n",
                                                   -1);
  g_autofree char *out_path = g_build_filename (fixture->dir, "out.csv", NULL);
  const char *args[] = { "--lines=in.txt", "--output=out.csv", "--base-url", fixture->anthropic_url,
                         NULL };
  g_autoptr (GSubprocess) cli = cli_fixture_spawn (
    fixture, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, args);
  g_autoptr (GDataInputStream) stream =
    g_data_input_stream_new (g_subprocess_get_stderr_pipe (cli));
  g_autoptr (GString) text = g_string_new (NULL);
  LineReader reader = { stream, text, FALSE };
  StopCondition condition = { &reader, fixture->fake };
  g_autofree char *contents = NULL;
  g_autoptr (GPtrArray) rows = NULL;

  read_next_line (&reader);
  sheaf_test_wait_until (ready_to_stop, &condition, TIMEOUT_SECONDS,
                         "two answers in and two requests in flight");
  g_subprocess_send_signal (cli, signum);
  cli_fixture_wait (cli);
  sheaf_test_wait_until (reader_done, &reader, TIMEOUT_SECONDS, "the end of sheaf-cli’s output");

  g_assert_cmpint (cli_exit_status (cli), ==, 1);
  g_assert_true (g_file_get_contents (out_path, &contents, NULL, NULL));
  rows = cli_parse_csv (contents);
  g_assert_cmpuint (rows->len, ==, 5);
  assert_done_row (rows, 1, "fast one", "fast one");
  assert_done_row (rows, 3, "fast two", "fast two");
  g_assert_cmpstr (cli_cell (rows, 2, "status"), ==, "cancelled");
  g_assert_cmpstr (cli_cell (rows, 4, "status"), ==, "cancelled");
  assert_summary (text->str, 2, 0);
  sheaf_test_assert_contains (last_line (text->str), "2 cancelled");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  cli_fixture_add_test ("/cli/lines", test_lines, NULL);
  cli_fixture_add_test ("/cli/stdin", test_stdin, NULL);
  cli_fixture_add_test ("/cli/stdin-too-large", test_stdin_too_large, NULL);
  cli_fixture_add_test ("/cli/prompt-too-large", test_prompt_too_large, NULL);
  cli_fixture_add_test ("/cli/csv-column", test_csv_column, NULL);
  cli_fixture_add_test ("/cli/files", test_files, NULL);
  cli_fixture_add_test ("/cli/combined-inputs", test_combined_inputs, NULL);
  cli_fixture_add_test ("/cli/output-file", test_output_file, NULL);
  cli_fixture_add_test ("/cli/output-device", test_output_device, NULL);
  cli_fixture_add_test ("/cli/template", test_template, NULL);
  cli_fixture_add_test ("/cli/template-without-text", test_template_without_text, NULL);
  cli_fixture_add_test ("/cli/openai", test_openai, NULL);
  cli_fixture_add_test ("/cli/local-without-key", test_local_without_key, NULL);
  cli_fixture_add_test ("/cli/concurrency", test_concurrency, NULL);
  cli_fixture_add_test ("/cli/progress", test_progress, NULL);
  cli_fixture_add_test ("/cli/failures", test_failures, NULL);
  cli_fixture_add_test ("/cli/all-fail", test_all_fail, NULL);
  cli_fixture_add_test ("/cli/errors-name-options", test_errors_name_options, NULL);
  cli_fixture_add_test ("/cli/stops-early", test_stops_early, NULL);
  cli_fixture_add_test ("/cli/usage-errors", test_usage_errors, NULL);
  cli_fixture_add_test ("/cli/key-errors", test_key_errors, NULL);
  cli_fixture_add_test ("/cli/hostile-round-trip", test_hostile_round_trip, NULL);
  cli_fixture_add_test ("/cli/sigint", test_stop_signal, GINT_TO_POINTER (SIGINT));
  cli_fixture_add_test ("/cli/sigterm", test_stop_signal, GINT_TO_POINTER (SIGTERM));

  return g_test_run ();
}
