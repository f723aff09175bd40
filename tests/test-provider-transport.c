/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Errors on the way to the server and back: translated, dropped
 * connections, hangs, time limits and cancelling. */
#define G_LOG_DOMAIN "test-provider"

#include "config.h"

#include <string.h>

#include "sheaf-error.h"
#include "sheaf-fake-provider.h"
#include "sheaf-http.h"
#include "sheaf-provider-test-utils.h"
#include "sheaf-test-utils.h"

/* Transport errors */

static void
test_translate (void)
{
  static const struct
  {
    GQuark (*domain) (void);
    int code;
    int sheaf_code;
  } cases[] = {
    { g_io_error_quark, G_IO_ERROR_TIMED_OUT, SHEAF_ERROR_TIMEOUT },
    { g_io_error_quark, G_IO_ERROR_CONNECTION_REFUSED, SHEAF_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_CONNECTION_CLOSED, SHEAF_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_BROKEN_PIPE, SHEAF_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_PARTIAL_INPUT, SHEAF_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_NOT_CONNECTED, SHEAF_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_NETWORK_UNREACHABLE, SHEAF_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_FAILED, SHEAF_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_HOST_NOT_FOUND, SHEAF_ERROR_CONFIG },
    { g_resolver_error_quark, G_RESOLVER_ERROR_NOT_FOUND, SHEAF_ERROR_CONFIG },
    { g_resolver_error_quark, G_RESOLVER_ERROR_TEMPORARY_FAILURE, SHEAF_ERROR_NETWORK },
    { g_tls_error_quark, G_TLS_ERROR_BAD_CERTIFICATE, SHEAF_ERROR_CONFIG },
    { g_tls_error_quark, G_TLS_ERROR_NOT_TLS, SHEAF_ERROR_CONFIG },
    { g_tls_error_quark, G_TLS_ERROR_EOF, SHEAF_ERROR_NETWORK },
    { soup_session_error_quark, SOUP_SESSION_ERROR_PARSING, SHEAF_ERROR_NETWORK },
    { soup_session_error_quark, SOUP_SESSION_ERROR_TOO_MANY_RESTARTS, SHEAF_ERROR_NETWORK },
    { g_file_error_quark, G_FILE_ERROR_FAILED, SHEAF_ERROR_NETWORK },
  };
  g_autoptr (SheafProvider) provider =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, "https://llm.example.org/v1", "");
  g_autoptr (GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stop");
  g_autoptr (GError) copy = sheaf_provider_translate_transport_error (provider, cancelled);

  g_assert_error (copy, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (copy->message, ==, "Stop");
  g_assert_true (copy != cancelled);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = g_error_new_literal (cases[i].domain (), cases[i].code, "boom");
      g_autoptr (GError) translated = sheaf_provider_translate_transport_error (provider, error);

      g_assert_error (translated, SHEAF_ERROR, cases[i].sheaf_code);
      g_assert_cmpint (sheaf_error_is_retryable (translated), ==,
                       sheaf_test_code_is_retryable (cases[i].sheaf_code));
      g_assert_nonnull (strstr (translated->message, "“llm.example.org”"));
    }
}

static void
test_refused (void)
{
  g_autoptr (GError) error = NULL;
  SheafFakeProvider *fake = sheaf_fake_provider_new (0, &error);
  g_autoptr (SoupSession) session = sheaf_http_session_new (4, 10);
  g_autoptr (SheafProvider) provider = NULL;
  g_autofree char *base = NULL;
  SheafRequest request = sheaf_test_simple_request ("anyone there?");
  g_auto (SheafTestOutcome) out = { NULL };

  /* A port nobody listens on any more. */
  g_assert_no_error (error);
  base = sheaf_fake_provider_dup_base_url (fake, SHEAF_PROVIDER_KIND_ANTHROPIC);
  g_assert_finalize_object (fake);

  provider = sheaf_provider_new (SHEAF_PROVIDER_KIND_ANTHROPIC, base, "sk-test");
  sheaf_test_run_request (session, provider, &request, NULL, &out);
  g_assert_error (out.error, SHEAF_ERROR, SHEAF_ERROR_NETWORK);
  g_assert_true (sheaf_error_is_retryable (out.error));
  g_assert_nonnull (strstr (out.error->message, "127.0.0.1"));
}

static void
test_drop (SheafProviderFixture *f, gconstpointer data)
{
  for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
    {
      g_autoptr (SoupSession) fresh = sheaf_http_session_new (4, 10);
      g_autoptr (SheafProvider) provider =
        sheaf_provider_fixture_provider (f, sheaf_test_both_kinds[k], "");
      SheafRequest request = sheaf_test_simple_request ("[[fake fault=drop]]");
      g_auto (SheafTestOutcome) out = { NULL };

      sheaf_test_run_request (fresh, provider, &request, NULL, &out);
      g_assert_error (out.error, SHEAF_ERROR, SHEAF_ERROR_NETWORK);
      g_assert_true (sheaf_error_is_retryable (out.error));
    }
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (f->fake, "[[fake fault=drop]]"), >=, 2);
  g_assert_cmpuint (sheaf_fake_provider_get_in_flight (f->fake), ==, 0);
}

static void
test_drop_once_on_kept_alive (SheafProviderFixture *f, gconstpointer data)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_fixture_provider (f, SHEAF_PROVIDER_KIND_OPENAI, "");
  SheafRequest warm = sheaf_test_simple_request ("warm up");
  SheafRequest dropped = sheaf_test_simple_request ("[[fake fault=drop times=1]]");
  g_auto (SheafTestOutcome) first = { NULL };
  g_auto (SheafTestOutcome) second = { NULL };
  g_auto (SheafTestOutcome) third = { NULL };

  sheaf_test_run_request (f->session, provider, &warm, NULL, &first);
  g_assert_no_error (first.error);
  /* A POST that dies on a kept-alive connection is either re-sent by libsoup
   * or reported as a retryable error; the next attempt succeeds. */
  sheaf_test_run_request (f->session, provider, &dropped, NULL, &second);
  if (second.error != NULL)
    {
      g_assert_true (sheaf_error_is_retryable (second.error));
      sheaf_test_run_request (f->session, provider, &dropped, NULL, &third);
      g_assert_no_error (third.error);
    }
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (f->fake, dropped.prompt), ==, 2);
}

static void
test_hang_timeout (SheafProviderFixture *f, gconstpointer data)
{
  g_autoptr (SoupSession) impatient = sheaf_http_session_new (4, 1);
  g_autoptr (SheafProvider) provider =
    sheaf_provider_fixture_provider (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "");
  SheafRequest request = sheaf_test_simple_request ("[[fake fault=hang]]");
  g_auto (SheafTestOutcome) out = { NULL };
  gint64 start = g_get_monotonic_time ();

  sheaf_test_run_request (impatient, provider, &request, NULL, &out);
  g_assert_error (out.error, SHEAF_ERROR, SHEAF_ERROR_TIMEOUT);
  g_assert_true (sheaf_error_is_retryable (out.error));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC / 2);
  /* It names the setting as Preferences labels it. */
  sheaf_test_assert_contains (out.error->message, "under Time Limit in Preferences");
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_hang_cancel (SheafProviderFixture *f, gconstpointer data)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_fixture_provider (f, SHEAF_PROVIDER_KIND_OPENAI, "");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  SheafRequest request = sheaf_test_simple_request ("[[fake fault=hang]]");
  g_auto (SheafTestOutcome) out = { NULL };

  g_timeout_add (50, cancel_cb, cancellable);
  sheaf_test_run_request (f->session, provider, &request, cancellable, &out);
  g_assert_error (out.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The fake notices the client went away. */
  SHEAF_TEST_WAIT_UNTIL (sheaf_fake_provider_get_in_flight (f->fake) == 0);
  g_assert_cmpuint (sheaf_fake_provider_get_max_in_flight (f->fake), ==, 1);
}

/* The fake provider goes away with requests still hanging. */
static void
test_hang_dispose (void)
{
  g_autoptr (GError) error = NULL;
  SheafFakeProvider *fake = sheaf_fake_provider_new (0, &error);
  g_autoptr (SoupSession) session = sheaf_http_session_new (4, 10);
  g_autofree char *base = NULL;
  g_autoptr (SheafProvider) provider = NULL;
  SheafRequest request = sheaf_test_simple_request ("[[fake fault=hang]]");
  g_autoptr (SoupMessage) msg = NULL;
  SheafTestExchange exchange = { NULL, NULL, FALSE };

  g_assert_no_error (error);
  base = sheaf_fake_provider_dup_base_url (fake, SHEAF_PROVIDER_KIND_ANTHROPIC);
  provider = sheaf_provider_new (SHEAF_PROVIDER_KIND_ANTHROPIC, base, "");
  msg = sheaf_provider_build_message (provider, &request, &error);
  g_assert_no_error (error);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, sheaf_test_send_cb,
                                    &exchange);
  SHEAF_TEST_WAIT_UNTIL (sheaf_fake_provider_get_in_flight (fake) >= 1);

  g_assert_finalize_object (fake);
  sheaf_test_wait_for_flag (&exchange.done, SHEAF_TEST_WAIT_SECONDS, "the dropped hanging request");
  g_assert_nonnull (exchange.error);
  sheaf_test_exchange_clear (&exchange);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/provider/transport/translate", test_translate);
  g_test_add_func ("/provider/transport/refused", test_refused);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/transport/drop", test_drop);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/transport/drop-kept-alive", test_drop_once_on_kept_alive);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/transport/hang-timeout", test_hang_timeout);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/transport/hang-cancel", test_hang_cancel);
  g_test_add_func ("/provider/transport/hang-dispose", test_hang_dispose);

  return g_test_run ();
}
