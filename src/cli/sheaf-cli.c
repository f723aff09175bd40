/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <gio/gio.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "sheaf-core.h"

/*
 * sheaf-cli: runs one template over many inputs through a provider, the
 * same way the app does, and writes the table as CSV. The contract (options,
 * output, exit status) is in DESIGN.md, "sheaf-cli".
 */

enum
{
  EXIT_ALL_DONE = 0,
  EXIT_SOME_FAILED = 1,
  EXIT_USAGE = 2,
};

typedef struct
{
  char *provider;
  char *base_url;
  char *model;
  int max_tokens;
  double temperature;
  char *system;
  char *template_;
  int concurrency;
  int retries;
  int timeout;
  int rpm;
  int tpm;
  char *lines;
  char *csv;
  char *column;
  char *output;
  char **files;

  SheafProviderKind kind;
} CliOptions;

static void
cli_options_clear (CliOptions *options)
{
  g_clear_pointer (&options->provider, g_free);
  g_clear_pointer (&options->base_url, g_free);
  g_clear_pointer (&options->model, g_free);
  g_clear_pointer (&options->system, g_free);
  g_clear_pointer (&options->template_, g_free);
  g_clear_pointer (&options->lines, g_free);
  g_clear_pointer (&options->csv, g_free);
  g_clear_pointer (&options->column, g_free);
  g_clear_pointer (&options->output, g_free);
  g_clear_pointer (&options->files, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliOptions, cli_options_clear)

static void
print_error (const GError *error)
{
  g_printerr ("sheaf-cli: %s\n", error->message);
}

/* Options */

static const char option_description[] = N_ (
  "Each input becomes one request: the template with {text} replaced by the input (and {title} "
  "by its title). Requests run at the same time, at most --concurrency at once; failed ones are "
  "retried when that can help. The table of answers is written as CSV, progress and a summary "
  "go to standard error.\n"
  "\n"
  "Examples:\n"
  "  sheaf-cli --template='Summarize this article in one sentence: {text}' articles/*.txt\n"
  "  sheaf-cli --lines=questions.txt --concurrency=20 --output=answers.csv\n"
  "  sheaf-cli --csv=reviews.csv --column=review --template='Is this review positive? {text}'\n"
  "  sheaf-cli --provider=openai --base-url=http://localhost:11434/v1 --model=llama3.2 --lines=-\n"
  "\n"
  "Environment:\n"
  "  ANTHROPIC_API_KEY, OPENAI_API_KEY    the API key for each provider (a server on this\n"
  "                                       computer needs none)\n"
  "  ANTHROPIC_BASE_URL, OPENAI_BASE_URL  the default --base-url for each provider\n"
  "\n"
  "Exit status: 0 when every input got an answer, 1 when some failed or the run was stopped, "
  "2 for bad usage or input that cannot be read.");

static GOptionContext *
make_option_context (CliOptions *o)
{
  const GOptionEntry entries[] = {
    { "provider", 0, 0, G_OPTION_ARG_STRING, &o->provider,
      N_ ("The API to use: anthropic (the default) or openai (also for local servers)"),
      N_ ("NAME") },
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &o->base_url,
      N_ ("Where the API is (default: $ANTHROPIC_BASE_URL or https://api.anthropic.com; for "
          "openai $OPENAI_BASE_URL or https://api.openai.com/v1)"),
      N_ ("URL") },
    { "model", 0, 0, G_OPTION_ARG_STRING, &o->model, N_ ("The model to ask"), N_ ("NAME") },
    { "max-tokens", 0, 0, G_OPTION_ARG_INT, &o->max_tokens,
      N_ ("The longest answer, in tokens (default: 1024)"), N_ ("N") },
    { "temperature", 0, 0, G_OPTION_ARG_DOUBLE, &o->temperature,
      N_ ("Randomness from 0 to 2 (default: the provider’s)"), N_ ("X") },
    { "system", 0, 0, G_OPTION_ARG_STRING, &o->system,
      N_ ("A system prompt sent with every request"), N_ ("TEXT") },
    { "template", 0, 0, G_OPTION_ARG_STRING, &o->template_,
      N_ ("The prompt, with {text} where each input goes (default: {text})"), N_ ("TEXT") },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &o->concurrency,
      N_ ("How many requests may run at once, 1 to 1000 (default: 5)"), N_ ("N") },
    { "retries", 0, 0, G_OPTION_ARG_INT, &o->retries,
      N_ ("How often to retry a request that may succeed later (default: 3)"), N_ ("N") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &o->timeout,
      N_ ("How long one request may take, 0 for no limit (default: 600)"), N_ ("SECONDS") },
    { "rpm", 0, 0, G_OPTION_ARG_INT, &o->rpm,
      N_ ("Send at most N requests a minute, below the provider’s own limit (default: no cap "
          "but the provider’s)"),
      N_ ("N") },
    { "tpm", 0, 0, G_OPTION_ARG_INT, &o->tpm,
      N_ ("Use at most N tokens a minute, input and output (default: no cap but the "
          "provider’s)"),
      N_ ("N") },
    { "lines", 0, 0, G_OPTION_ARG_FILENAME, &o->lines,
      N_ ("One input per line of FILE (- for standard input)"), N_ ("FILE") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &o->csv,
      N_ ("One input per row of a CSV file; needs --column"), N_ ("FILE") },
    { "column", 0, 0, G_OPTION_ARG_STRING, &o->column, N_ ("The CSV column that holds the inputs"),
      N_ ("NAME") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output,
      N_ ("Write the CSV to FILE (default: standard output)"), N_ ("FILE") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->files, NULL, NULL },
    { NULL },
  };
  GOptionContext *context = g_option_context_new (N_ ("[FILE…]"));

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                N_ ("Send one prompt for each of many inputs, many at once, "
                                    "and write every answer — or why it failed — as CSV. Each "
                                    "FILE is one input, titled by its name."));
  g_option_context_set_description (context, option_description);

  return context;
}

static gboolean
fail_usage (GError **error, const char *message)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
  return FALSE;
}

static gboolean
check_numbers (const CliOptions *o, GError **error)
{
  if (o->concurrency < 1 || o->concurrency > SHEAF_MAX_CONCURRENCY)
    return fail_usage (error, _ ("--concurrency must be between 1 and 1000."));
  if (o->max_tokens < 1)
    return fail_usage (error, _ ("--max-tokens must be 1 or more."));
  if (o->retries < 0 || o->retries > 10)
    return fail_usage (error, _ ("--retries must be between 0 and 10."));
  if (o->timeout < 0)
    return fail_usage (error, _ ("--timeout must be 0 (no limit) or more seconds."));
  if (!isnan (o->temperature) && (o->temperature < 0 || o->temperature > 2))
    return fail_usage (error, _ ("--temperature must be between 0 and 2."));
  if (o->rpm < 0 || o->tpm < 0)
    return fail_usage (error, _ ("--rpm and --tpm must be 0 (no cap) or more."));
  return TRUE;
}

static gboolean
check_options (CliOptions *o, GError **error)
{
  if (!sheaf_provider_kind_from_string (o->provider != NULL ? o->provider : "anthropic", &o->kind))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("Unknown provider “%s”: use --provider=anthropic or --provider=openai."),
                   o->provider);
      return FALSE;
    }
  if (!check_numbers (o, error))
    return FALSE;
  if (o->column != NULL && o->csv == NULL)
    return fail_usage (error, _ ("--column needs --csv=FILE: the CSV file to read it from."));
  if (o->lines == NULL && o->csv == NULL && (o->files == NULL || o->files[0] == NULL))
    return fail_usage (error, _ ("No input: give files, --lines=FILE or --csv=FILE --column=NAME. "
                                 "See sheaf-cli --help."));
  return TRUE;
}

static gboolean
parse_options (CliOptions *o, int *argc, char ***argv, GError **error)
{
  g_autoptr (GOptionContext) context = make_option_context (o);

  o->max_tokens = SHEAF_DEFAULT_MAX_TOKENS;
  o->temperature = NAN;
  o->concurrency = SHEAF_DEFAULT_CONCURRENCY;
  o->retries = SHEAF_DEFAULT_RETRIES;
  o->timeout = SHEAF_DEFAULT_TIMEOUT;

  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  return check_options (o, error);
}

/* Inputs */

static char *
display_path (const char *path)
{
  if (g_strcmp0 (path, "-") == 0)
    return g_strdup (_ ("standard input"));
  return g_filename_display_name (path);
}

static GBytes *
read_stdin (GError **error)
{
  g_autoptr (GIOChannel) channel = g_io_channel_unix_new (STDIN_FILENO);
  char *data = NULL;
  gsize length = 0;

  if (g_io_channel_set_encoding (channel, NULL, error) != G_IO_STATUS_NORMAL ||
      g_io_channel_read_to_end (channel, &data, &length, error) != G_IO_STATUS_NORMAL)
    {
      g_prefix_error (error, _ ("Could not read standard input: "));
      return NULL;
    }

  return g_bytes_new_take (data, length);
}

static GBytes *
read_input (const char *path, GError **error)
{
  g_autoptr (GFile) file = NULL;

  if (g_strcmp0 (path, "-") == 0)
    return read_stdin (error);

  file = g_file_new_for_commandline_arg (path);
  return sheaf_inputs_read_file (file, NULL, error);
}

/* Appends @items (which it takes) or, when there are none, says which
 * input they were to come from. */
static gboolean
append_items (GListStore *store, GPtrArray *items, const char *name, GError **error)
{
  g_autoptr (GPtrArray) owned = items;

  if (items == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }

  g_list_store_splice (store, g_list_model_get_n_items (G_LIST_MODEL (store)), 0, items->pdata,
                       items->len);
  return TRUE;
}

static gboolean
add_lines (GListStore *store, const char *path, GError **error)
{
  g_autofree char *name = display_path (path);
  g_autoptr (GBytes) bytes = read_input (path, error);
  gsize length;
  const char *data;

  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &length);
  return append_items (store, sheaf_inputs_items_from_lines (data, length, error), name, error);
}

/* --csv without --column: say which columns there are to choose from. */
static gboolean
fail_missing_column (const char *name, const char *data, gsize length, GError **error)
{
  g_auto (GStrv) columns = sheaf_inputs_csv_columns (data, length, error);
  g_autofree char *list = NULL;

  if (columns == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }

  list = g_strjoinv (", ", columns);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _ ("--csv needs --column=NAME to say which column holds the inputs. The columns "
                  "of %s are: %s."),
               name, list);
  return FALSE;
}

static gboolean
add_csv_column (GListStore *store, const char *path, const char *column, GError **error)
{
  g_autofree char *name = display_path (path);
  g_autoptr (GBytes) bytes = read_input (path, error);
  gsize length;
  const char *data;

  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &length);
  if (column == NULL)
    return fail_missing_column (name, data, length, error);

  return append_items (store, sheaf_inputs_items_from_csv (data, length, column, error), name,
                       error);
}

static gboolean
add_file (GListStore *store, const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr (SheafItem) item = sheaf_inputs_item_from_file (file, NULL, error);

  if (item == NULL)
    return FALSE;

  g_list_store_append (store, item);
  return TRUE;
}

static gboolean
load_inputs (const CliOptions *o, GListStore *store, GError **error)
{
  if (o->lines != NULL && !add_lines (store, o->lines, error))
    return FALSE;
  if (o->csv != NULL && !add_csv_column (store, o->csv, o->column, error))
    return FALSE;
  for (guint i = 0; o->files != NULL && o->files[i] != NULL; i++)
    if (!add_file (store, o->files[i], error))
      return FALSE;

  if (g_list_model_get_n_items (G_LIST_MODEL (store)) == 0)
    return fail_usage (error, _ ("The input has no text to send."));
  return TRUE;
}

/* The provider */

/* A key is needed unless the server is on this computer, or the URL is
 * plain http: a key is never sent over it to another host, so such a
 * server (Ollama on the local network, say) must be one that needs none. */
static gboolean
needs_api_key (const char *base_url)
{
  g_autoptr (GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL)
    return TRUE;

  return !sheaf_provider_host_is_local (g_uri_get_host (uri)) &&
         g_strcmp0 (g_uri_get_scheme (uri), "http") != 0;
}

/* Building one request finds a base URL that cannot work, one that would
 * send the key in the clear, or a key that cannot be sent, before anything
 * is sent; the provider says which, naming the option or variable to fix. */
static gboolean
check_provider (SheafProvider *provider, const char *model, GError **error)
{
  SheafRequest request = { model, NULL, "", 1, -1 };
  g_autoptr (SoupMessage) message = sheaf_provider_build_message (provider, &request, error);

  return message != NULL;
}

static SheafProvider *
make_provider (const CliOptions *o, const char *model, GError **error)
{
  const char *base_url =
    o->base_url != NULL ? o->base_url : sheaf_provider_kind_default_base_url (o->kind);
  const char *key = sheaf_provider_kind_env_api_key (o->kind);
  const char *key_name = sheaf_provider_kind_env_key_name (o->kind);
  g_autoptr (SheafProvider) provider = sheaf_provider_new (o->kind, base_url, key ? key : "");

  /* The items' errors then name options and variables, not Preferences. */
  sheaf_provider_set_settings_place (provider, SHEAF_SETTINGS_COMMAND_LINE);
  if (!check_provider (provider, model, error))
    return NULL;

  if ((key == NULL || *key == '\0') && needs_api_key (base_url))
    {
      g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG,
                   _ ("No API key for %s. Set %s in the environment, for example: export %s=… "
                      "(a server on this computer needs none)."),
                   base_url, key_name, key_name);
      return NULL;
    }

  return g_steal_pointer (&provider);
}

/* --output: a file in a folder that exists, checked before paying for a run. */
static gboolean
check_output (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr (GFile) parent = g_file_get_parent (file);
  g_autofree char *name = g_file_get_parse_name (file);

  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _ ("--output: “%s” is a folder. Give the name of a file to write."), name);
      return FALSE;
    }
  if (parent != NULL &&
      g_file_query_file_type (parent, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("--output: the folder for “%s” does not exist. Create it first or write "
                      "somewhere else."),
                   name);
      return FALSE;
    }

  return TRUE;
}

/* Running */

typedef struct
{
  GMainLoop *loop;
  SheafBatch *batch;
  gboolean tty;
  guint last_tenth;
  guint tick_id;
  gboolean interrupted;
  GError *error;
} CliRun;

static guint
n_finished (SheafBatch *batch)
{
  return sheaf_batch_get_n_done (batch) + sheaf_batch_get_n_failed (batch) +
         sheaf_batch_get_n_cancelled (batch) + sheaf_batch_get_n_not_sent (batch);
}

static void
print_progress (CliRun *run)
{
  char elapsed[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *line = g_strdup_printf (
    _ ("%u of %u finished (%u done, %u failed) in %s s"), n_finished (run->batch),
    sheaf_batch_get_n_total (run->batch), sheaf_batch_get_n_done (run->batch),
    sheaf_batch_get_n_failed (run->batch),
    g_ascii_formatd (elapsed, sizeof elapsed, "%.0f", sheaf_batch_get_elapsed (run->batch)));

  if (run->tty)
    g_printerr ("\r\033[K%s", line);
  else
    g_printerr ("%s\n", line);
}

/* On a terminal the progress line is redrawn in place; elsewhere (a log
 * file, a pipe) a line is written each time another tenth is finished. */
static void
on_item_finished (SheafBatch *batch, SheafItem *item, gpointer user_data)
{
  CliRun *run = user_data;
  guint total = MAX (sheaf_batch_get_n_total (batch), 1);
  guint tenth = n_finished (batch) * 10 / total;

  /* The CSV has the input, not the prompt made from it, and nothing else
   * here shows it: with big jobs it is memory better given back. */
  sheaf_item_set_prompt (item, NULL);

  if (!run->interrupted && (run->tty || tenth > run->last_tenth))
    print_progress (run);
  run->last_tenth = tenth;
}

static gboolean
on_tick (gpointer user_data)
{
  print_progress (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop_signal (gpointer user_data)
{
  CliRun *run = user_data;

  if (!run->interrupted)
    {
      run->interrupted = TRUE;
      g_printerr ("%s%s\n", run->tty ? "\r\033[K" : "",
                  _ ("Stopping; the answers that arrived are kept."));
      g_clear_handle_id (&run->tick_id, g_source_remove);
      sheaf_batch_stop (run->batch);
    }

  return G_SOURCE_CONTINUE;
}

static void
on_run_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  CliRun *run = user_data;

  sheaf_batch_run_finish (SHEAF_BATCH (object), result, &run->error);
  g_main_loop_quit (run->loop);
}

static void
print_summary (SheafBatch *batch)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  guint cancelled = sheaf_batch_get_n_cancelled (batch);
  double elapsed = sheaf_batch_get_elapsed (batch);
  double speedup = elapsed > 0 ? sheaf_batch_get_sum_seconds (batch) / elapsed : 0;
  g_autoptr (GString) line = g_string_new (NULL);

  g_string_printf (line, _ ("%u done, %u failed in %s s"), sheaf_batch_get_n_done (batch),
                   sheaf_batch_get_n_failed (batch),
                   g_ascii_formatd (number, sizeof number, "%.1f", elapsed));
  if (cancelled > 0)
    g_string_append_printf (line, _ (", %u cancelled"), cancelled);
  if (sheaf_batch_get_n_not_sent (batch) > 0)
    g_string_append_printf (line, _ (", %u not sent"), sheaf_batch_get_n_not_sent (batch));
  if (speedup >= 1.1)
    g_string_append_printf (line, _ (" (%s× faster than one at a time)"),
                            g_ascii_formatd (number, sizeof number, "%.1f", speedup));

  g_printerr ("%s\n", line->str);
}

static void
configure_batch (SheafBatch *batch, const CliOptions *o, const char *model)
{
  g_object_set (batch, "settings-place", SHEAF_SETTINGS_COMMAND_LINE, "model", model, "system",
                o->system, "template", o->template_ != NULL ? o->template_ : SHEAF_DEFAULT_TEMPLATE,
                "max-tokens", (guint) o->max_tokens, "temperature",
                isnan (o->temperature) ? -1.0 : o->temperature, "concurrency",
                (guint) o->concurrency, "retries", (guint) o->retries, "timeout",
                (guint) o->timeout, "rpm", (guint) o->rpm, "tpm", (guint) o->tpm, NULL);
}

/* Runs the batch on a main loop until every item has an outcome or a
 * signal stops it. Returns FALSE, with @error set, when it could not run. */
static gboolean
run_batch (SheafBatch *batch, GListModel *items, gboolean *interrupted, GError **error)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  CliRun run = { loop, batch, isatty (STDERR_FILENO), 0, 0, FALSE, NULL };
  guint sigint_id = g_unix_signal_add (SIGINT, on_stop_signal, &run);
  guint sigterm_id = g_unix_signal_add (SIGTERM, on_stop_signal, &run);
  gulong finished_id =
    g_signal_connect (batch, "item-finished", G_CALLBACK (on_item_finished), &run);

  if (run.tty)
    run.tick_id = g_timeout_add_seconds (1, on_tick, &run);
  sheaf_batch_run_async (batch, items, NULL, on_run_done, &run);
  g_main_loop_run (loop);

  g_clear_handle_id (&run.tick_id, g_source_remove);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handler_disconnect (batch, finished_id);
  if (run.tty)
    g_printerr ("\r\033[K");

  *interrupted = run.interrupted;
  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  return TRUE;
}

/* Rows are written as they are formatted: the whole table is never in
 * memory at once. */
static gboolean
write_stdout (GListModel *items, GError **error)
{
  g_autoptr (GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

  fflush (stdout);
  if (!sheaf_csv_write_items_to_stream (items, out, NULL, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _ ("Could not write the table to standard output."));
      return FALSE;
    }

  return TRUE;
}

/* When --output cannot be written after all, the answers (which were paid
 * for) go to standard output rather than being lost. */
static gboolean
write_output (const char *path, GListModel *items, GError **error)
{
  g_autoptr (GFile) file = NULL;

  if (path == NULL)
    return write_stdout (items, error);

  file = g_file_new_for_commandline_arg (path);
  if (sheaf_csv_write_file (items, file, NULL, error))
    return TRUE;

  write_stdout (items, NULL);
  return FALSE;
}

/* Everything after the options: returns the exit status. */
static int
run_cli (CliOptions *o)
{
  g_autoptr (GListStore) items = g_list_store_new (SHEAF_TYPE_ITEM);
  g_autoptr (SheafProvider) provider = NULL;
  g_autoptr (SheafBatch) batch = NULL;
  g_autoptr (GError) error = NULL;
  const char *model = o->model != NULL ? o->model : sheaf_provider_kind_default_model (o->kind);
  gboolean interrupted = FALSE;

  if (!load_inputs (o, items, &error) || (o->output != NULL && !check_output (o->output, &error)) ||
      (provider = make_provider (o, model, &error)) == NULL)
    {
      print_error (error);
      return EXIT_USAGE;
    }
  if (o->template_ != NULL && !sheaf_template_has_text (o->template_))
    g_printerr ("%s",
                _ ("sheaf-cli: warning: the template has no {text}, so every request sends the "
                   "same prompt. Put {text} where each input should go.\n"));

  batch = sheaf_batch_new (provider);
  configure_batch (batch, o, model);
  if (!run_batch (batch, G_LIST_MODEL (items), &interrupted, &error) ||
      !write_output (o->output, G_LIST_MODEL (items), &error))
    {
      print_error (error);
      return EXIT_USAGE;
    }

  /* Once, not on every row that was not sent. */
  if (sheaf_batch_get_halt_message (batch) != NULL)
    g_printerr (_ ("sheaf-cli: stopped early: %s\n"), sheaf_batch_get_halt_message (batch));
  print_summary (batch);
  if (interrupted ||
      sheaf_batch_get_n_done (batch) < g_list_model_get_n_items (G_LIST_MODEL (items)))
    return EXIT_SOME_FAILED;
  return EXIT_ALL_DONE;
}

int
main (int argc, char **argv)
{
  g_auto (CliOptions) options = { NULL };
  g_autoptr (GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("sheaf-cli");

  if (!parse_options (&options, &argc, &argv, &error))
    {
      print_error (error);
      if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION))
        g_printerr ("%s", _ ("Run “sheaf-cli --help” to see every option.\n"));
      return EXIT_USAGE;
    }

  return run_cli (&options);
}
