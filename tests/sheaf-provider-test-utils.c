/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sheaf-provider-test-utils.h"

#include <string.h>

#include "sheaf-error.h"
#include "sheaf-http.h"
#include "sheaf-test-utils.h"

const SheafProviderKind sheaf_test_both_kinds[2] = {
  SHEAF_PROVIDER_KIND_ANTHROPIC,
  SHEAF_PROVIDER_KIND_OPENAI,
};

void
sheaf_test_exchange_clear (SheafTestExchange *exchange)
{
  g_clear_pointer (&exchange->body, g_bytes_unref);
  g_clear_error (&exchange->error);
}

void
sheaf_test_send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SheafTestExchange *exchange = user_data;

  exchange->body =
    soup_session_send_and_read_finish (SOUP_SESSION (source), result, &exchange->error);
  exchange->done = TRUE;
}

void
sheaf_test_send_message (SoupSession *session, SoupMessage *msg, GCancellable *cancellable,
                         SheafTestExchange *out)
{
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    sheaf_test_send_cb, out);
  sheaf_test_wait_for_flag (&out->done, SHEAF_TEST_WAIT_SECONDS, "a reply");
}

void
sheaf_test_outcome_clear (SheafTestOutcome *outcome)
{
  g_clear_pointer (&outcome->reply, sheaf_reply_free);
  g_clear_error (&outcome->error);
}

SheafRequest
sheaf_test_simple_request (const char *prompt)
{
  return (SheafRequest){ SHEAF_TEST_MODEL, NULL, prompt, 100, -1 };
}

void
sheaf_test_run_request (SoupSession *session, SheafProvider *provider, const SheafRequest *request,
                        GCancellable *cancellable, SheafTestOutcome *out)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_auto (SheafTestExchange) exchange = { NULL, NULL, FALSE };

  out->retry_after_ms = -2;
  msg = sheaf_provider_build_message (provider, request, &out->error);
  g_assert_no_error (out->error);
  sheaf_test_send_message (session, msg, cancellable, &exchange);
  out->status = soup_message_get_status (msg);
  if (exchange.error != NULL)
    out->error = sheaf_provider_translate_transport_error (provider, exchange.error);
  else
    out->reply =
      sheaf_provider_parse_response (provider, out->status, soup_message_get_response_headers (msg),
                                     exchange.body, &out->retry_after_ms, &out->error);
  g_assert_true ((out->reply == NULL) != (out->error == NULL));
}

void
sheaf_provider_fixture_set_up (SheafProviderFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->fake = sheaf_fake_provider_new (0, &error);
  g_assert_no_error (error);
  f->session = sheaf_http_session_new (20, 10);
}

void
sheaf_provider_fixture_tear_down (SheafProviderFixture *f, gconstpointer data)
{
  g_clear_object (&f->session);
  g_assert_finalize_object (f->fake);
}

SheafProvider *
sheaf_provider_fixture_provider (SheafProviderFixture *f, SheafProviderKind kind, const char *key)
{
  g_autofree char *base = sheaf_fake_provider_dup_base_url (f->fake, kind);

  return sheaf_provider_new (kind, base, key);
}

void
sheaf_provider_fixture_run (SheafProviderFixture *f, SheafProviderKind kind, const char *prompt,
                            SheafTestOutcome *out)
{
  g_autoptr (SheafProvider) provider = sheaf_provider_fixture_provider (f, kind, "sk-test");
  SheafRequest request = sheaf_test_simple_request (prompt);

  sheaf_test_run_request (f->session, provider, &request, NULL, out);
}

JsonObject *
sheaf_test_parse_object (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (text);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

gboolean
sheaf_test_code_is_retryable (int code)
{
  return code == SHEAF_ERROR_RATE_LIMITED || code == SHEAF_ERROR_OVERLOADED ||
         code == SHEAF_ERROR_SERVER || code == SHEAF_ERROR_TIMEOUT || code == SHEAF_ERROR_NETWORK;
}

void
sheaf_test_parse_raw (SheafProviderKind kind, guint status, const char *retry_after,
                      const char *body_text, SheafTestOutcome *out)
{
  g_autoptr (SheafProvider) provider = sheaf_provider_new (kind, "https://api.example.com", "k");
  g_autoptr (SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autoptr (GBytes) body = g_bytes_new (body_text, strlen (body_text));

  if (retry_after != NULL)
    soup_message_headers_replace (headers, "retry-after", retry_after);
  out->reply = sheaf_provider_parse_response (provider, status, headers, body, &out->retry_after_ms,
                                              &out->error);
  g_assert_true ((out->reply == NULL) != (out->error == NULL));
}
