/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sheaf-fake-provider.h"

G_BEGIN_DECLS

/*
 * What the tests of sheaf-cli ($SHEAF_CLI) share: a fake provider on this
 * process's main loop and a scratch folder, sheaf-cli run in it as a
 * subprocess (always driven asynchronously while the loop turns, so the
 * fake provider can serve it), and reading the CSV it writes.
 */

#define API_KEY "test-key"
#define HEADER                                                                                     \
  "index,title,input,status,response,error,attempts,seconds,input_tokens,output_tokens,model,"     \
  "stop_reason"
#define TIMEOUT_SECONDS 60

typedef struct
{
  SheafFakeProvider *fake;
  char *anthropic_url;
  char *openai_url;
  char *dir;
  /* What the subprocess finds in its environment (NULL: empty). */
  const char *anthropic_key;
  const char *openai_key;
  /* When set, sheaf-cli runs under bench-measure, which writes "EXIT WALL_S
   * CPU_S PEAK_RSS_KB" there. */
  char *measure_to;
} Fixture;

typedef struct
{
  gboolean finished;
  char *out;
  char *err;
  int status; /* the exit status, or -1 when a signal ended it */
} CliResult;

void cli_result_clear (CliResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

void cli_fixture_set_up (Fixture *fixture, gconstpointer user_data);
void cli_fixture_tear_down (Fixture *fixture, gconstpointer user_data);
/* Adds a test of @func that runs in a fixture of its own. */
void cli_fixture_add_test (const char *path, void (*func) (Fixture *, gconstpointer),
                           gconstpointer data);
/* Writes @dir/@name and returns its path. */
char *cli_fixture_write_file (Fixture *fixture, const char *name, const char *data, gssize length);

/* A launcher for sheaf-cli in the fixture's folder, with its environment. */
GSubprocessLauncher *cli_fixture_make_launcher (Fixture *fixture, GSubprocessFlags flags);
/* Starts sheaf-cli with @args (NULL-terminated); @launcher NULL: the
 * fixture's own. */
GSubprocess *cli_fixture_spawn_with (Fixture *fixture, GSubprocessLauncher *launcher,
                                     GSubprocessFlags flags, const char *const *args);
GSubprocess *cli_fixture_spawn (Fixture *fixture, GSubprocessFlags flags, const char *const *args);
/* Runs it with @input on its standard input and waits for it while the
 * fake provider serves it. */
void cli_fixture_runv (Fixture *fixture, GSubprocessLauncher *launcher, CliResult *result,
                       const char *input, const char *const *args);
/* Waits for @subprocess to end, turning the main loop meanwhile. */
void cli_fixture_wait (GSubprocess *subprocess);
int cli_exit_status (GSubprocess *subprocess);

#define run_cli(fixture, result, input, ...)                                                       \
  cli_fixture_runv (fixture, NULL, result, input, (const char *const[]){ __VA_ARGS__, NULL })

/* The rows of @text, a CSV with sheaf-cli's header (which it checks). */
GPtrArray *cli_parse_csv (const char *text);
/* The cell of @column in @row (1: the first after the header). */
const char *cli_cell (GPtrArray *rows, guint row, const char *column);

G_END_DECLS
