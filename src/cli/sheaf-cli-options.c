/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

#include "sheaf-cli-private.h"

/* Options */

static const char option_description[] = N_ (
  "Each input becomes one request: the template with {text} replaced by the input (and {title} "
  "by its title). Requests run at the same time, at most --concurrency at once; failed ones are "
  "retried when that can help. The table of answers is written as CSV (or JSON Lines with "
  "--format=jsonl), progress and a summary go to standard error. In --template and --system, \\n "
  "stands for a line break, \\t for a tab "
  "and \\\\ for a backslash.\n"
  "\n"
  "With --output, every answer is also added to OUTPUT.sheaf-journal as it arrives, and the "
  "output is written in one piece at the end, the journal then removed. If the run is killed, "
  "run the same command again with --resume: the rows the output or the journal already "
  "answered are kept, and only the others are sent.\n"
  "\n"
  "Examples:\n"
  "  sheaf-cli --template='Summarize this article in one sentence:\\n\\n{text}' articles/*.txt\n"
  "  sheaf-cli --lines=questions.txt --concurrency=20 --output=answers.csv\n"
  "  sheaf-cli --lines=questions.txt --concurrency=20 --output=answers.csv --resume\n"
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
      N_ ("Write the table to FILE (default: standard output)"), N_ ("FILE") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &o->format_name,
      N_ ("The output’s format: csv or jsonl, one JSON object a line (default: by the "
          "extension of --output, else csv)"),
      N_ ("FORMAT") },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &o->resume,
      N_ ("Complete an existing --output (and its journal): send only the rows without an "
          "answer"),
      NULL },
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
check_numbers (const CliOptions *o, GError **error)
{
  if (o->concurrency < 1 || o->concurrency > SHEAF_MAX_CONCURRENCY)
    return _sheaf_cli_fail_usage (error, _ ("--concurrency must be between 1 and 1000."));
  if (o->max_tokens < 1)
    return _sheaf_cli_fail_usage (error, _ ("--max-tokens must be 1 or more."));
  if (o->retries < 0 || o->retries > 10)
    return _sheaf_cli_fail_usage (error, _ ("--retries must be between 0 and 10."));
  if (o->timeout < 0)
    return _sheaf_cli_fail_usage (error, _ ("--timeout must be 0 (no limit) or more seconds."));
  if (!isnan (o->temperature) && (o->temperature < 0 || o->temperature > 2))
    return _sheaf_cli_fail_usage (error, _ ("--temperature must be between 0 and 2."));
  if (o->rpm < 0 || o->tpm < 0)
    return _sheaf_cli_fail_usage (error, _ ("--rpm and --tpm must be 0 (no cap) or more."));
  return TRUE;
}

static gboolean
check_format (CliOptions *o, GError **error)
{
  const char *name = o->format_name;

  if (name == NULL)
    name = o->output != NULL && g_str_has_suffix (o->output, ".jsonl") ? "jsonl" : "csv";
  if (g_ascii_strcasecmp (name, "csv") == 0)
    o->format = CLI_FORMAT_CSV;
  else if (g_ascii_strcasecmp (name, "jsonl") == 0)
    o->format = CLI_FORMAT_JSONL;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("Unknown format “%s”: use --format=csv or --format=jsonl."), name);
      return FALSE;
    }
  return TRUE;
}

/* What the shell cannot easily pass: "\n" a line break, "\t" a tab, "\\"
 * a backslash. Any other backslash stays as it is. */
static char
escaped_char (char letter)
{
  switch (letter)
    {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case '\\':
        return '\\';
      default:
        return '\0';
    }
}

char *
_sheaf_cli_unescape (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      char c = p[0] == '\\' ? escaped_char (p[1]) : '\0';

      if (c != '\0')
        p++;
      g_string_append_c (out, c != '\0' ? c : *p);
    }
  return g_string_free (out, FALSE);
}

static void
unescape_option (char **text)
{
  char *unescaped;

  if (*text == NULL)
    return;
  unescaped = _sheaf_cli_unescape (*text);
  g_free (*text);
  *text = unescaped;
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
    return _sheaf_cli_fail_usage (error,
                                  _ ("--column needs --csv=FILE: the CSV file to read it from."));
  if (!check_format (o, error))
    return FALSE;
  if (o->resume && o->output == NULL)
    return _sheaf_cli_fail_usage (
      error, _ ("--resume needs --output=FILE: the output of the run to complete."));
  if (o->lines == NULL && o->csv == NULL && (o->files == NULL || o->files[0] == NULL))
    return _sheaf_cli_fail_usage (
      error, _ ("No input: give files, --lines=FILE or --csv=FILE --column=NAME. "
                "See sheaf-cli --help."));
  return TRUE;
}

gboolean
_sheaf_cli_parse_options (CliOptions *o, int *argc, char ***argv, GError **error)
{
  g_autoptr (GOptionContext) context = make_option_context (o);

  o->max_tokens = SHEAF_DEFAULT_MAX_TOKENS;
  o->temperature = NAN;
  o->concurrency = SHEAF_DEFAULT_CONCURRENCY;
  o->retries = SHEAF_DEFAULT_RETRIES;
  o->timeout = SHEAF_DEFAULT_TIMEOUT;

  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  unescape_option (&o->template_);
  unescape_option (&o->system);
  return check_options (o, error);
}
