/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fake provider the tests talk to, in process and as the standalone
 * sheaf-fake-server. */
#define G_LOG_DOMAIN "test-fake-provider"

#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "sheaf-error.h"
#include "sheaf-fake-provider.h"
#include "sheaf-http.h"
#include "sheaf-provider-test-utils.h"
#include "sheaf-test-utils.h"

/* The fake provider itself */

static void
assert_reset (SheafFakeProvider *fake, const char *prompt)
{
  sheaf_fake_provider_reset_counters (fake);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (fake), ==, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_n_connections (fake), ==, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_max_in_flight (fake), ==, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (fake, prompt), ==, 0);
  g_assert_null (sheaf_fake_provider_get_last_body (fake));
}

static void
test_fake_counts (SheafProviderFixture *f, gconstpointer data)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_fixture_provider (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "");
  SoupMessage *msgs[4];
  SheafTestExchange exchanges[4] = { { NULL } };
  const char *prompt = "[[fake status=503 times=2]] counted";
  GArray *arrivals;
  guint n_503 = 0;
  gint64 start = g_get_monotonic_time ();

  sheaf_fake_provider_set_latency_ms (f->fake, 100);
  for (guint i = 0; i < G_N_ELEMENTS (msgs); i++)
    {
      SheafRequest request = sheaf_test_simple_request (prompt);
      msgs[i] = sheaf_provider_build_message (provider, &request, NULL);
      soup_session_send_and_read_async (f->session, msgs[i], G_PRIORITY_DEFAULT, NULL,
                                        sheaf_test_send_cb, &exchanges[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (msgs); i++)
    sheaf_test_wait_for_flag (&exchanges[i].done, SHEAF_TEST_WAIT_SECONDS, "concurrent replies");

  /* Four at once, each after the latency; the first two got the 503. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 100 * 1000);
  g_assert_cmpuint (sheaf_fake_provider_get_max_in_flight (f->fake), ==, 4);
  g_assert_cmpuint (sheaf_fake_provider_get_in_flight (f->fake), ==, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 4);
  g_assert_cmpuint (sheaf_fake_provider_get_n_connections (f->fake), ==, 4);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (f->fake, prompt), ==, 4);
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (f->fake, "never sent"), ==, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_arrivals (f->fake, "never sent")->len, ==, 0);
  arrivals = sheaf_fake_provider_get_arrivals (f->fake, prompt);
  g_assert_cmpuint (arrivals->len, ==, 4);
  for (guint i = 1; i < arrivals->len; i++)
    g_assert_cmpint (g_array_index (arrivals, gint64, i), >=,
                     g_array_index (arrivals, gint64, i - 1));
  for (guint i = 0; i < G_N_ELEMENTS (msgs); i++)
    n_503 += soup_message_get_status (msgs[i]) == 503;
  g_assert_cmpuint (n_503, ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (msgs); i++)
    {
      sheaf_test_exchange_clear (&exchanges[i]);
      g_object_unref (msgs[i]);
    }
  assert_reset (f->fake, prompt);
}

static void
test_fake_api_key (SheafProviderFixture *f, gconstpointer data)
{
  /* The right key, a wrong one and none: only the first gets in. */
  static const char *const keys[] = { "sk-right", "sk-wrong", "" };

  sheaf_fake_provider_set_api_key (f->fake, "sk-right");
  for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      {
        g_autoptr (SheafProvider) provider =
          sheaf_provider_fixture_provider (f, sheaf_test_both_kinds[k], keys[i]);
        SheafRequest request = sheaf_test_simple_request ("key?");
        g_auto (SheafTestOutcome) out = { NULL };

        sheaf_test_run_request (f->session, provider, &request, NULL, &out);
        if (i == 0)
          {
            g_assert_no_error (out.error);
            continue;
          }
        g_assert_error (out.error, SHEAF_ERROR, SHEAF_ERROR_AUTH);
        g_assert_cmpuint (out.status, ==, 401);
      }
}

static void
test_fake_latency_directive (SheafProviderFixture *f, gconstpointer data)
{
  g_auto (SheafTestOutcome) out = { NULL };
  gint64 start = g_get_monotonic_time ();

  sheaf_provider_fixture_run (f, SHEAF_PROVIDER_KIND_OPENAI, "[[fake latency=150]] slow", &out);
  g_assert_no_error (out.error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * 1000);
}

static void
test_fake_answer_bytes (SheafProviderFixture *f, gconstpointer data)
{
  g_auto (SheafTestOutcome) out = { NULL };

  sheaf_fake_provider_set_answer_bytes (f->fake, 5000);
  sheaf_provider_fixture_run (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "pad me", &out);
  g_assert_no_error (out.error);
  g_assert_cmpuint (strlen (out.reply->text), ==, 5000);
  g_assert_true (g_str_has_prefix (out.reply->text, "Echo: pad me lorem ipsum"));
}

static void
test_fake_stats (SheafProviderFixture *f, gconstpointer data)
{
  g_autofree char *base = sheaf_fake_provider_dup_base_url (f->fake, SHEAF_PROVIDER_KIND_ANTHROPIC);
  g_autofree char *url = g_strconcat (base, "/_stats", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (SheafTestOutcome) out = { NULL };
  g_auto (SheafTestExchange) exchange = { NULL };
  g_autofree char *text = NULL;
  JsonObject *stats;

  sheaf_provider_fixture_run (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "count me", &out);
  sheaf_test_send_message (f->session, msg, NULL, &exchange);
  g_assert_no_error (exchange.error);
  text = g_strndup (g_bytes_get_data (exchange.body, NULL), g_bytes_get_size (exchange.body));
  stats = sheaf_test_parse_object (parser, text);
  g_assert_cmpint (json_object_get_int_member (stats, "requests"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "connections"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "max_in_flight"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "in_flight"), ==, 0);
  /* Reading the counters is not a request. */
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 1);
}

/* The standalone server */

typedef struct
{
  char *line;
  gboolean done;
} LineRead;

static void
read_line_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LineRead *read = user_data;
  g_autoptr (GError) error = NULL;

  read->line =
    g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  g_assert_no_error (error);
  read->done = TRUE;
}

static char *
read_line (GDataInputStream *input)
{
  LineRead read = { NULL, FALSE };

  g_data_input_stream_read_line_async (input, G_PRIORITY_DEFAULT, NULL, read_line_cb, &read);
  sheaf_test_wait_for_flag (&read.done, SHEAF_TEST_WAIT_SECONDS, "a line from sheaf-fake-server");
  return read.line;
}

static void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
test_fake_server (void)
{
  const char *program = g_getenv ("SHEAF_FAKE_SERVER");
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) server = NULL;
  g_autoptr (GDataInputStream) input = NULL;
  g_autoptr (SoupSession) session = sheaf_http_session_new (4, 10);
  g_autoptr (SheafProvider) provider = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *url = NULL;
  g_autofree char *counters = NULL;
  SheafRequest request = sheaf_test_simple_request ("served");
  g_auto (SheafTestOutcome) out = { NULL };
  JsonObject *stats;
  gboolean exited = FALSE;

  if (program == NULL)
    {
      g_test_skip ("SHEAF_FAKE_SERVER is not set");
      return;
    }
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program, "--latency=10",
                             "--api-key=sk-served", NULL);
  g_assert_no_error (error);
  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  url = read_line (input);
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));

  provider = sheaf_provider_new (SHEAF_PROVIDER_KIND_ANTHROPIC, url, "sk-served");
  sheaf_test_run_request (session, provider, &request, NULL, &out);
  g_assert_no_error (out.error);
  g_assert_cmpstr (out.reply->text, ==, "Echo: served");

  g_subprocess_send_signal (server, SIGTERM);
  counters = read_line (input);
  stats = sheaf_test_parse_object (parser, counters);
  g_assert_cmpint (json_object_get_int_member (stats, "requests"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "connections"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "max_in_flight"), ==, 1);
  g_subprocess_wait_async (server, NULL, wait_cb, &exited);
  sheaf_test_wait_for_flag (&exited, SHEAF_TEST_WAIT_SECONDS, "sheaf-fake-server to exit");
  g_assert_true (g_subprocess_get_if_exited (server));
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  SHEAF_PROVIDER_FIXTURE_ADD ("/fake-provider/counts", test_fake_counts);
  SHEAF_PROVIDER_FIXTURE_ADD ("/fake-provider/api-key", test_fake_api_key);
  SHEAF_PROVIDER_FIXTURE_ADD ("/fake-provider/latency", test_fake_latency_directive);
  SHEAF_PROVIDER_FIXTURE_ADD ("/fake-provider/answer-bytes", test_fake_answer_bytes);
  SHEAF_PROVIDER_FIXTURE_ADD ("/fake-provider/stats", test_fake_stats);
  g_test_add_func ("/fake-server/run", test_fake_server);

  return g_test_run ();
}
