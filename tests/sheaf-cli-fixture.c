/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-cli-fixture.h"

#include <string.h>

#include "sheaf-core.h"
#include "sheaf-test-utils.h"

void
cli_result_clear (CliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

void
cli_fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;

  fixture->fake = sheaf_fake_provider_new (0, &error);
  g_assert_no_error (error);
  sheaf_fake_provider_set_api_key (fixture->fake, API_KEY);
  fixture->anthropic_url =
    sheaf_fake_provider_dup_base_url (fixture->fake, SHEAF_PROVIDER_KIND_ANTHROPIC);
  fixture->openai_url =
    sheaf_fake_provider_dup_base_url (fixture->fake, SHEAF_PROVIDER_KIND_OPENAI);
  fixture->dir = sheaf_test_make_tmp_dir ("sheaf-cli-XXXXXX");
  fixture->anthropic_key = API_KEY;
  fixture->openai_key = API_KEY;
}

void
cli_fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  sheaf_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->measure_to);
  g_free (fixture->anthropic_url);
  g_free (fixture->openai_url);
  g_assert_finalize_object (fixture->fake);
}

void
cli_fixture_add_test (const char *path, void (*func) (Fixture *, gconstpointer), gconstpointer data)
{
  g_test_add (path, Fixture, data, cli_fixture_set_up, func, cli_fixture_tear_down);
}

char *
cli_fixture_write_file (Fixture *fixture, const char *name, const char *data, gssize length)
{
  return sheaf_test_write_file (fixture->dir, name, data, length);
}

/* Running sheaf-cli */

GSubprocessLauncher *
cli_fixture_make_launcher (Fixture *fixture, GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_cwd (launcher, fixture->dir);
  g_subprocess_launcher_setenv (launcher, "ANTHROPIC_API_KEY",
                                fixture->anthropic_key ? fixture->anthropic_key : "", TRUE);
  g_subprocess_launcher_setenv (launcher, "OPENAI_API_KEY",
                                fixture->openai_key ? fixture->openai_key : "", TRUE);
  g_subprocess_launcher_setenv (launcher, "ANTHROPIC_BASE_URL", "", TRUE);
  g_subprocess_launcher_setenv (launcher, "OPENAI_BASE_URL", "", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  return launcher;
}

GSubprocess *
cli_fixture_spawn_with (Fixture *fixture, GSubprocessLauncher *launcher, GSubprocessFlags flags,
                        const char *const *args)
{
  g_autoptr (GSubprocessLauncher) own = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const char *cli = g_getenv ("SHEAF_CLI");
  GSubprocess *subprocess;

  if (launcher == NULL)
    launcher = own = cli_fixture_make_launcher (fixture, flags);
  g_assert_nonnull (cli);
  /* Measured from a small parent: a child forked from this test counts
   * what this test held at the fork in its own peak. */
  if (fixture->measure_to != NULL)
    {
      g_ptr_array_add (argv, (char *) g_getenv ("SHEAF_MEASURE"));
      g_ptr_array_add (argv, fixture->measure_to);
    }
  g_ptr_array_add (argv, (char *) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  subprocess = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return subprocess;
}

GSubprocess *
cli_fixture_spawn (Fixture *fixture, GSubprocessFlags flags, const char *const *args)
{
  return cli_fixture_spawn_with (fixture, NULL, flags, args);
}

int
cli_exit_status (GSubprocess *subprocess)
{
  return g_subprocess_get_if_exited (subprocess) ? g_subprocess_get_exit_status (subprocess) : -1;
}

static void
on_communicated (GObject *object, GAsyncResult *result, gpointer user_data)
{
  CliResult *cli = user_data;
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &cli->out, &cli->err,
                                        &error);
  g_assert_no_error (error);
  cli->status = cli_exit_status (G_SUBPROCESS (object));
  cli->finished = TRUE;
}

void
cli_fixture_runv (Fixture *fixture, GSubprocessLauncher *launcher, CliResult *result,
                  const char *input, const char *const *args)
{
  g_autoptr (GSubprocess) subprocess = cli_fixture_spawn_with (
    fixture, launcher,
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
    args);

  g_subprocess_communicate_utf8_async (subprocess, input, NULL, on_communicated, result);
  sheaf_test_wait_for_flag (&result->finished, TIMEOUT_SECONDS, "sheaf-cli to finish");
  if (g_test_verbose ())
    g_test_message ("exit %d, stderr:\n%s", result->status, result->err);
}

static void
on_waited (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

void
cli_fixture_wait (GSubprocess *subprocess)
{
  gboolean waited = FALSE;

  g_subprocess_wait_async (subprocess, NULL, on_waited, &waited);
  sheaf_test_wait_for_flag (&waited, TIMEOUT_SECONDS, "sheaf-cli to exit");
}

/* Checking what it wrote */

GPtrArray *
cli_parse_csv (const char *text)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *rows = sheaf_csv_parse (text, strlen (text), &error);
  g_autofree char *header = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, >, 0);
  header = g_strjoinv (",", g_ptr_array_index (rows, 0));
  g_assert_cmpstr (header, ==, HEADER);
  return rows;
}

const char *
cli_cell (GPtrArray *rows, guint row, const char *column)
{
  GStrv header = g_ptr_array_index (rows, 0);
  GStrv cells;

  g_assert_cmpuint (row, <, rows->len);
  cells = g_ptr_array_index (rows, row);
  g_assert_cmpuint (g_strv_length (cells), ==, g_strv_length (header));
  for (guint i = 0; header[i] != NULL; i++)
    if (strcmp (header[i], column) == 0)
      return cells[i];

  g_assert_not_reached ();
}
