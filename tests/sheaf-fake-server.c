/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-fake-server"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>

#include "sheaf-fake-provider.h"

/*
 * sheaf-fake-server [--port=N] [--latency=MS] [--answer-bytes=N] [--api-key=KEY]
 *                   [--rpm=N] [--tpm=N] [--limit-window=SECONDS]
 *                   [--token-rounding=N] [--overload-above=N]
 *
 * Serves the fake provider on 127.0.0.1 for benchmarks and for trying the
 * app by hand. Prints its base URL on one line when ready and, on SIGTERM
 * or SIGINT, one JSON line with what it counted. GET /_stats gives the same
 * counters while it runs.
 *
 * --rpm and --tpm set the capacity of its requests and input-tokens
 * buckets (0: no limit), refilled whole in --limit-window seconds (default
 * 60, as a per-minute limit; less compresses time for a benchmark, and the
 * limit headers tell a client the real rate). See sheaf-fake-provider.h.
 */

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* A benchmark may hold a thousand connections open at once. */
static void
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

static void
print_counters (SheafFakeProvider *fake)
{
  g_print ("{\"requests\": %u, \"connections\": %u, \"max_in_flight\": %u, \"status_429\": %u, "
           "\"tokens_admitted\": %" G_GINT64_FORMAT "}\n",
           sheaf_fake_provider_get_n_requests (fake), sheaf_fake_provider_get_n_connections (fake),
           sheaf_fake_provider_get_max_in_flight (fake),
           sheaf_fake_provider_get_n_status (fake, 429),
           sheaf_fake_provider_get_tokens_admitted (fake));
  fflush (stdout);
}

typedef struct
{
  int port;
  int latency;
  gint64 answer_bytes;
  char *api_key;
  gint64 rpm;
  gint64 tpm;
  double limit_window;
  int token_rounding;
  int overload_above;
} Options;

static gboolean
parse_options (int *argc, char ***argv, Options *options, GError **error)
{
  GOptionEntry entries[] = { { "port", 0, 0, G_OPTION_ARG_INT, &options->port,
                               "Port to listen on (0: any free port)", "N" },
                             { "latency", 0, 0, G_OPTION_ARG_INT, &options->latency,
                               "Milliseconds before each answer", "MS" },
                             { "answer-bytes", 0, 0, G_OPTION_ARG_INT64, &options->answer_bytes,
                               "Pad answers to this size", "N" },
                             { "api-key", 0, 0, G_OPTION_ARG_STRING, &options->api_key,
                               "Refuse requests without this key", "KEY" },
                             { "rpm", 0, 0, G_OPTION_ARG_INT64, &options->rpm,
                               "Requests per limit window (0: no limit)", "N" },
                             { "tpm", 0, 0, G_OPTION_ARG_INT64, &options->tpm,
                               "Input tokens per limit window (0: no limit)", "N" },
                             { "limit-window", 0, 0, G_OPTION_ARG_DOUBLE, &options->limit_window,
                               "Seconds in which a limit refills whole (default: 60)", "SECONDS" },
                             { "token-rounding", 0, 0, G_OPTION_ARG_INT, &options->token_rounding,
                               "Round Anthropic's remaining tokens to N (default: 1000)", "N" },
                             { "overload-above", 0, 0, G_OPTION_ARG_INT, &options->overload_above,
                               "Answer 529/503 while N are in flight (0: never)", "N" },
                             { NULL } };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "A fake LLM provider on 127.0.0.1 for tests and benchmarks.");
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (options->port < 0 || options->port > G_MAXUINT16 || options->latency < 0 ||
      options->answer_bytes < 0 || options->rpm < 0 || options->tpm < 0 ||
      !(options->limit_window > 0.0) || options->token_rounding < 1 || options->overload_above < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "a number is out of range");
      return FALSE;
    }
  return TRUE;
}

static void
set_limits (SheafFakeProvider *fake, const Options *options)
{
  double window = options->limit_window;

  sheaf_fake_provider_set_request_limit (fake, (double) options->rpm,
                                         (double) options->rpm / window);
  sheaf_fake_provider_set_token_limit (fake, (double) options->tpm, (double) options->tpm / window);
  sheaf_fake_provider_set_token_rounding (fake, (guint) options->token_rounding);
  sheaf_fake_provider_set_overload_above (fake, (guint) options->overload_above);
}

int
main (int argc, char **argv)
{
  Options options = { 0, 0, 0, NULL, 0, 0, 60.0, 1000, 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (SheafFakeProvider) fake = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  guint sigterm_id, sigint_id;

  setlocale (LC_ALL, "");
  if (!parse_options (&argc, &argv, &options, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }

  raise_file_limit ();
  fake = sheaf_fake_provider_new ((guint) options.port, &error);
  if (fake == NULL)
    {
      g_printerr ("%s: cannot listen: %s\n", g_get_prgname (), error->message);
      return 1;
    }
  sheaf_fake_provider_set_latency_ms (fake, (guint) options.latency);
  sheaf_fake_provider_set_answer_bytes (fake, (gsize) options.answer_bytes);
  sheaf_fake_provider_set_api_key (fake, options.api_key);
  g_free (options.api_key);
  set_limits (fake, &options);

  loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);

  g_print ("http://127.0.0.1:%u\n", sheaf_fake_provider_get_port (fake));
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  print_counters (fake);
  return 0;
}
