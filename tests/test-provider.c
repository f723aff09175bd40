/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-provider"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-provider.h"

#include <json-glib/json-glib.h>
#include <signal.h>

#include "sheaf-error.h"
#include "sheaf-fake-provider.h"
#include "sheaf-http.h"
#include "sheaf-test-utils.h"

#define TEST_MODEL "test-model"

static const SheafProviderKind both_kinds[] = {
  SHEAF_PROVIDER_KIND_ANTHROPIC,
  SHEAF_PROVIDER_KIND_OPENAI,
};

typedef struct
{
  GBytes *body;
  GError *error;
  gboolean done;
} Exchange;

static void
exchange_clear (Exchange *exchange)
{
  g_clear_pointer (&exchange->body, g_bytes_unref);
  g_clear_error (&exchange->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Exchange, exchange_clear)

static void
send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Exchange *exchange = user_data;

  exchange->body =
    soup_session_send_and_read_finish (SOUP_SESSION (source), result, &exchange->error);
  exchange->done = TRUE;
}

static void
send_message (SoupSession *session, SoupMessage *msg, GCancellable *cancellable, Exchange *out)
{
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, cancellable, send_cb, out);
  sheaf_test_wait_for_flag (&out->done, SHEAF_TEST_WAIT_SECONDS, "a reply");
}

/* One request through a provider, as the batch makes it. */
typedef struct
{
  SheafReply *reply;
  GError *error;
  gint64 retry_after_ms;
  guint status;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_pointer (&outcome->reply, sheaf_reply_free);
  g_clear_error (&outcome->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outcome, outcome_clear)

static SheafRequest
simple_request (const char *prompt)
{
  return (SheafRequest){ TEST_MODEL, NULL, prompt, 100, -1 };
}

static void
run_request (SoupSession *session, SheafProvider *provider, const SheafRequest *request,
             GCancellable *cancellable, Outcome *out)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_auto (Exchange) exchange = { NULL, NULL, FALSE };

  out->retry_after_ms = -2;
  msg = sheaf_provider_build_message (provider, request, &out->error);
  g_assert_no_error (out->error);
  send_message (session, msg, cancellable, &exchange);
  out->status = soup_message_get_status (msg);
  if (exchange.error != NULL)
    out->error = sheaf_provider_translate_transport_error (provider, exchange.error);
  else
    out->reply =
      sheaf_provider_parse_response (provider, out->status, soup_message_get_response_headers (msg),
                                     exchange.body, &out->retry_after_ms, &out->error);
  g_assert_true ((out->reply == NULL) != (out->error == NULL));
}

/* The fixture: a fake provider and a session fit for it. */
typedef struct
{
  SheafFakeProvider *fake;
  SoupSession *session;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->fake = sheaf_fake_provider_new (0, &error);
  g_assert_no_error (error);
  f->session = sheaf_http_session_new (20, 10);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->session);
  g_assert_finalize_object (f->fake);
}

static SheafProvider *
fixture_provider (Fixture *f, SheafProviderKind kind, const char *key)
{
  g_autofree char *base = sheaf_fake_provider_dup_base_url (f->fake, kind);

  return sheaf_provider_new (kind, base, key);
}

static void
fixture_run (Fixture *f, SheafProviderKind kind, const char *prompt, Outcome *out)
{
  g_autoptr (SheafProvider) provider = fixture_provider (f, kind, "sk-test");
  SheafRequest request = simple_request (prompt);

  run_request (f->session, provider, &request, NULL, out);
}

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (text);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

/* Kinds */

static void
test_kind (void)
{
  SheafProviderKind kind = SHEAF_PROVIDER_KIND_OPENAI;
  g_autoptr (GEnumClass) klass = g_type_class_ref (SHEAF_TYPE_PROVIDER_KIND);

  g_assert_cmpstr (sheaf_provider_kind_to_string (SHEAF_PROVIDER_KIND_ANTHROPIC), ==, "anthropic");
  g_assert_cmpstr (sheaf_provider_kind_to_string (SHEAF_PROVIDER_KIND_OPENAI), ==, "openai");
  g_assert_true (sheaf_provider_kind_from_string ("anthropic", &kind));
  g_assert_cmpint (kind, ==, SHEAF_PROVIDER_KIND_ANTHROPIC);
  g_assert_true (sheaf_provider_kind_from_string ("openai", &kind));
  g_assert_cmpint (kind, ==, SHEAF_PROVIDER_KIND_OPENAI);
  g_assert_false (sheaf_provider_kind_from_string ("gemini", &kind));
  g_assert_false (sheaf_provider_kind_from_string (NULL, &kind));
  g_assert_cmpint (kind, ==, SHEAF_PROVIDER_KIND_OPENAI);

  g_assert_cmpstr (g_enum_get_value (klass, SHEAF_PROVIDER_KIND_OPENAI)->value_nick, ==, "openai");
  g_assert_cmpstr (sheaf_provider_kind_env_key_name (SHEAF_PROVIDER_KIND_ANTHROPIC), ==,
                   "ANTHROPIC_API_KEY");
  g_assert_cmpstr (sheaf_provider_kind_env_key_name (SHEAF_PROVIDER_KIND_OPENAI), ==,
                   "OPENAI_API_KEY");
  g_assert_cmpstr (sheaf_provider_kind_default_model (SHEAF_PROVIDER_KIND_ANTHROPIC), !=, "");
  g_assert_cmpstr (sheaf_provider_kind_default_model (SHEAF_PROVIDER_KIND_OPENAI), !=, "");
}

static void
test_kind_environment (void)
{
  g_autoptr (SheafProvider) provider = NULL;

  g_setenv ("ANTHROPIC_BASE_URL", "", TRUE);
  g_setenv ("OPENAI_BASE_URL", "", TRUE);
  g_setenv ("OPENAI_API_KEY", "", TRUE);
  g_assert_cmpstr (sheaf_provider_kind_default_base_url (SHEAF_PROVIDER_KIND_ANTHROPIC), ==,
                   "https://api.anthropic.com");
  g_assert_cmpstr (sheaf_provider_kind_default_base_url (SHEAF_PROVIDER_KIND_OPENAI), ==,
                   "https://api.openai.com/v1");
  g_assert_null (sheaf_provider_kind_env_api_key (SHEAF_PROVIDER_KIND_OPENAI));

  g_setenv ("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1", TRUE);
  g_setenv ("OPENAI_API_KEY", "sk-from-env", TRUE);
  g_assert_cmpstr (sheaf_provider_kind_default_base_url (SHEAF_PROVIDER_KIND_OPENAI), ==,
                   "http://127.0.0.1:11434/v1");
  g_assert_cmpstr (sheaf_provider_kind_env_api_key (SHEAF_PROVIDER_KIND_OPENAI), ==, "sk-from-env");

  /* A provider made without a base URL takes the default. */
  provider = sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, NULL, NULL);
  g_assert_cmpstr (sheaf_provider_get_base_url (provider), ==, "http://127.0.0.1:11434/v1");
  g_assert_cmpstr (sheaf_provider_get_api_key (provider), ==, "");
  g_assert_cmpint (sheaf_provider_get_kind (provider), ==, SHEAF_PROVIDER_KIND_OPENAI);
  g_clear_object (&provider);

  /* A pasted key loses the white space around it. */
  provider = sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, "", " sk-pasted\r\n");
  g_assert_cmpstr (sheaf_provider_get_api_key (provider), ==, "sk-pasted");
  g_assert_cmpstr (sheaf_provider_get_base_url (provider), ==, "http://127.0.0.1:11434/v1");

  g_setenv ("OPENAI_BASE_URL", "", TRUE);
  g_setenv ("OPENAI_API_KEY", "", TRUE);
}

/* Building requests */

static char *
endpoint_for (SheafProviderKind kind, const char *base)
{
  g_autoptr (SheafProvider) provider = sheaf_provider_new (kind, base, "");
  SheafRequest request = simple_request ("hi");
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) msg = sheaf_provider_build_message (provider, &request, &error);

  g_assert_no_error (error);
  g_assert_nonnull (msg);
  return g_uri_to_string (soup_message_get_uri (msg));
}

static void
test_url_join (void)
{
  static const struct
  {
    SheafProviderKind kind;
    const char *base;
    const char *endpoint;
  } cases[] = {
    { SHEAF_PROVIDER_KIND_ANTHROPIC, "https://api.anthropic.com",
      "https://api.anthropic.com/v1/messages" },
    { SHEAF_PROVIDER_KIND_ANTHROPIC, "https://api.anthropic.com/",
      "https://api.anthropic.com/v1/messages" },
    { SHEAF_PROVIDER_KIND_ANTHROPIC, "https://api.anthropic.com/v1/",
      "https://api.anthropic.com/v1/messages" },
    { SHEAF_PROVIDER_KIND_ANTHROPIC, " https://gw.example.com/anthropic ",
      "https://gw.example.com/anthropic/v1/messages" },
    { SHEAF_PROVIDER_KIND_OPENAI, "https://api.openai.com/v1",
      "https://api.openai.com/v1/chat/completions" },
    { SHEAF_PROVIDER_KIND_OPENAI, "https://api.openai.com/v1/",
      "https://api.openai.com/v1/chat/completions" },
    { SHEAF_PROVIDER_KIND_OPENAI, "http://localhost:11434/v1",
      "http://localhost:11434/v1/chat/completions" },
    { SHEAF_PROVIDER_KIND_OPENAI, "https://gw.example.com/openai?api-version=2024-06-01",
      "https://gw.example.com/openai/chat/completions?api-version=2024-06-01" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *endpoint = endpoint_for (cases[i].kind, cases[i].base);
      g_assert_cmpstr (endpoint, ==, cases[i].endpoint);
    }
}

static void
assert_build_error (SheafProviderKind kind, const char *base, const char *key, int code)
{
  g_autoptr (SheafProvider) provider = sheaf_provider_new (kind, base, key);
  SheafRequest request = simple_request ("hi");
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) msg = sheaf_provider_build_message (provider, &request, &error);

  if (code < 0)
    {
      g_assert_no_error (error);
      g_assert_nonnull (msg);
      return;
    }
  g_assert_error (error, SHEAF_ERROR, code);
  g_assert_null (msg);
  g_assert_false (sheaf_error_is_retryable (error));
}

static void
test_insecure (void)
{
  static const struct
  {
    const char *base;
    const char *key;
    int code;
  } cases[] = {
    { "http://api.example.com", "sk-secret", SHEAF_ERROR_INSECURE },
    { "http://10.0.0.2:8000/v1", "sk-secret", SHEAF_ERROR_INSECURE },
    { "http://0.0.0.0:8000", "sk-secret", SHEAF_ERROR_INSECURE },
    { "http://localhost.example.com", "sk-secret", SHEAF_ERROR_INSECURE },
    { "http://api.example.com", "", -1 },
    { "https://api.example.com", "sk-secret", -1 },
    { "HTTPS://API.EXAMPLE.COM", "sk-secret", -1 },
    { "http://127.0.0.1:8080", "sk-secret", -1 },
    { "http://127.3.2.1:8080", "sk-secret", -1 },
    { "http://localhost:11434/v1", "sk-secret", -1 },
    { "http://LOCALHOST:11434", "sk-secret", -1 },
    { "http://[::1]:8080/v1", "sk-secret", -1 },
    { "ftp://api.example.com", "", SHEAF_ERROR_CONFIG },
    { "file:///etc/passwd", "", SHEAF_ERROR_CONFIG },
    { "api.openai.com/v1", "", SHEAF_ERROR_CONFIG },
    { "not a url", "", SHEAF_ERROR_CONFIG },
    { "https://", "", SHEAF_ERROR_CONFIG },
    { "http://[::1", "", SHEAF_ERROR_CONFIG },
    { "https://api.example.com", "sk-one\nsk-two", SHEAF_ERROR_CONFIG },
    { "https://api.example.com", "sk-\tsecret", SHEAF_ERROR_CONFIG },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
      assert_build_error (both_kinds[k], cases[i].base, cases[i].key, cases[i].code);
}

static void
assert_header (SoupMessageHeaders *headers, const char *name, const char *value)
{
  g_assert_cmpstr (soup_message_headers_get_one (headers, name), ==, value);
}

static void
test_anthropic_shape (Fixture *f, gconstpointer data)
{
  g_autoptr (SheafProvider) provider =
    fixture_provider (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "sk-ant-test");
  SheafRequest request = { "claude-test", "Be brief.", "Summarize: cats", 321, 0.25 };
  g_auto (Outcome) out = { NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  SoupMessageHeaders *headers;
  JsonObject *body;
  JsonArray *messages;
  JsonObject *message;

  run_request (f->session, provider, &request, NULL, &out);
  g_assert_no_error (out.error);

  headers = sheaf_fake_provider_get_last_headers (f->fake);
  assert_header (headers, "x-api-key", "sk-ant-test");
  assert_header (headers, "anthropic-version", "2023-06-01");
  g_assert_true (soup_message_headers_header_equals (headers, "Content-Type", "application/json"));
  g_assert_null (soup_message_headers_get_one (headers, "Authorization"));

  body = parse_object (parser, sheaf_fake_provider_get_last_body (f->fake));
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "claude-test");
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 321);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (body, "temperature"), 0.25, 1e-9);
  g_assert_cmpstr (json_object_get_string_member (body, "system"), ==, "Be brief.");
  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
  message = json_array_get_object_element (messages, 0);
  g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, "Summarize: cats");

  /* What was left to the provider is not sent at all. */
  request = (SheafRequest){ NULL, "", "again", 0, -1 };
  outcome_clear (&out);
  run_request (f->session, provider, &request, NULL, &out);
  g_assert_no_error (out.error);
  body = parse_object (parser, sheaf_fake_provider_get_last_body (f->fake));
  g_assert_false (json_object_has_member (body, "temperature"));
  g_assert_false (json_object_has_member (body, "system"));
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==,
                   sheaf_provider_kind_default_model (SHEAF_PROVIDER_KIND_ANTHROPIC));
}

static void
test_openai_shape (Fixture *f, gconstpointer data)
{
  g_autoptr (SheafProvider) provider =
    fixture_provider (f, SHEAF_PROVIDER_KIND_OPENAI, "sk-openai-test");
  g_autoptr (SheafProvider) local = fixture_provider (f, SHEAF_PROVIDER_KIND_OPENAI, "");
  SheafRequest request = { "gpt-test", "Be brief.", "Summarize: dogs", 77, 0 };
  g_auto (Outcome) out = { NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  SoupMessageHeaders *headers;
  JsonObject *body;
  JsonArray *messages;

  run_request (f->session, provider, &request, NULL, &out);
  g_assert_no_error (out.error);
  headers = sheaf_fake_provider_get_last_headers (f->fake);
  assert_header (headers, "Authorization", "Bearer sk-openai-test");
  g_assert_null (soup_message_headers_get_one (headers, "x-api-key"));
  g_assert_true (soup_message_headers_header_equals (headers, "Content-Type", "application/json"));

  body = parse_object (parser, sheaf_fake_provider_get_last_body (f->fake));
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "gpt-test");
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 77);
  /* A temperature of 0 is a choice, not "leave it to the provider". */
  g_assert_true (json_object_has_member (body, "temperature"));
  g_assert_cmpfloat (json_object_get_double_member (body, "temperature"), ==, 0);
  g_assert_false (json_object_has_member (body, "system"));
  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  g_assert_cmpstr (
    json_object_get_string_member (json_array_get_object_element (messages, 0), "role"), ==,
    "system");
  g_assert_cmpstr (
    json_object_get_string_member (json_array_get_object_element (messages, 0), "content"), ==,
    "Be brief.");
  g_assert_cmpstr (
    json_object_get_string_member (json_array_get_object_element (messages, 1), "content"), ==,
    "Summarize: dogs");

  /* A local server needs no key, and gets none. */
  request = (SheafRequest){ "llama3", NULL, "local", 0, -1 };
  outcome_clear (&out);
  run_request (f->session, local, &request, NULL, &out);
  g_assert_no_error (out.error);
  headers = sheaf_fake_provider_get_last_headers (f->fake);
  g_assert_null (soup_message_headers_get_one (headers, "Authorization"));
  body = parse_object (parser, sheaf_fake_provider_get_last_body (f->fake));
  g_assert_false (json_object_has_member (body, "temperature"));
  g_assert_false (json_object_has_member (body, "max_tokens"));
  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
}

static void
test_idempotent_reuse (Fixture *f, gconstpointer data)
{
  for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
    {
      g_autoptr (SheafProvider) provider = fixture_provider (f, both_kinds[k], "");
      SheafRequest request = simple_request ("reuse me");
      g_autoptr (GError) error = NULL;
      g_autoptr (SoupMessage) msg = sheaf_provider_build_message (provider, &request, &error);

      g_assert_no_error (error);
      g_assert_true (soup_message_get_flags (msg) & SOUP_MESSAGE_IDEMPOTENT);
      g_assert_cmpstr (soup_message_get_method (msg), ==, "POST");
    }

  /* Three requests one after another travel on one kept-alive connection. */
  for (guint i = 0; i < 3; i++)
    {
      g_auto (Outcome) out = { NULL };
      fixture_run (f, SHEAF_PROVIDER_KIND_OPENAI, "one connection", &out);
      g_assert_no_error (out.error);
    }
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 3);
  g_assert_cmpuint (sheaf_fake_provider_get_n_connections (f->fake), ==, 1);

  /* After a reset, a kept-alive connection counts again when it is used. */
  sheaf_fake_provider_reset_counters (f->fake);
  for (guint i = 0; i < 2; i++)
    {
      g_auto (Outcome) out = { NULL };
      fixture_run (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "one connection", &out);
      g_assert_no_error (out.error);
    }
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 2);
  g_assert_cmpuint (sheaf_fake_provider_get_n_connections (f->fake), ==, 1);
}

/* Reading replies */

static void
test_reply (Fixture *f, gconstpointer data)
{
  static const char *const stop_reasons[] = { "end_turn", "stop" };

  for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
    {
      g_auto (Outcome) out = { NULL };

      fixture_run (f, both_kinds[k], "What is a sheaf?", &out);
      g_assert_no_error (out.error);
      g_assert_cmpuint (out.status, ==, 200);
      g_assert_cmpint (out.retry_after_ms, ==, -1);
      g_assert_cmpstr (out.reply->text, ==, "Echo: What is a sheaf?");
      g_assert_cmpstr (out.reply->stop_reason, ==, stop_reasons[k]);
      g_assert_cmpstr (out.reply->model, ==, TEST_MODEL);
      g_assert_cmpint (out.reply->input_tokens, ==, (strlen ("What is a sheaf?") + 3) / 4);
      g_assert_cmpint (out.reply->output_tokens, ==, (strlen ("Echo: What is a sheaf?") + 3) / 4);
    }
}

static void
test_hostile (Fixture *f, gconstpointer data)
{
  static const char hostile[] =
    "a,b;\"c\" 'd'\n\r\nline\t=1+1\n+SUM(A1)\n@x\n-2+3\n- bullet\n"
    "👩‍👩‍👧‍👦 🎉 مرحبا שלום \\u0000 \\\\ </script> \u2028 \x7f é";

  for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
    {
      g_auto (Outcome) echo = { NULL };
      g_auto (Outcome) answer = { NULL };
      g_autofree char *expected = g_strconcat ("Echo: ", hostile, NULL);

      /* There and back, byte for byte. */
      fixture_run (f, both_kinds[k], hostile, &echo);
      g_assert_no_error (echo.error);
      g_assert_cmpstr (echo.reply->text, ==, expected);

      fixture_run (f, both_kinds[k], "[[fake fault=hostile]]", &answer);
      g_assert_no_error (answer.error);
      g_assert_nonnull (strstr (answer.reply->text, "\"quoted\", 'single', comma"));
      g_assert_nonnull (strstr (answer.reply->text, "line two\r\nline three"));
      g_assert_nonnull (strstr (answer.reply->text, "\n=SUM(A1:A9)\n+1+1\n@SUM(A1)\n-2+3\n"));
      g_assert_nonnull (strstr (answer.reply->text, "👩‍👩‍👧‍👦"));
      g_assert_nonnull (strstr (answer.reply->text, "مرحبا بالعالم"));
      g_assert_true (g_utf8_validate (answer.reply->text, -1, NULL));
    }
}

static void
test_huge (Fixture *f, gconstpointer data)
{
  for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
    {
      g_auto (Outcome) out = { NULL };

      fixture_run (f, both_kinds[k], "[[fake fault=huge]]", &out);
      g_assert_no_error (out.error);
      g_assert_cmpuint (strlen (out.reply->text), ==, 1024 * 1024);
      g_assert_true (g_str_has_prefix (out.reply->text, "Echo: [[fake fault=huge]] lorem"));
    }
}

/* Errors the provider sends */

typedef struct
{
  const char *prompt;
  int code;
} ErrorCase;

static void
assert_outcome_code (const Outcome *out, int code)
{
  g_assert_null (out->reply);
  g_assert_error (out->error, SHEAF_ERROR, code);
  g_assert_cmpstr (out->error->message, !=, "");
}

static gboolean
code_is_retryable (int code)
{
  return code == SHEAF_ERROR_RATE_LIMITED || code == SHEAF_ERROR_OVERLOADED ||
         code == SHEAF_ERROR_SERVER || code == SHEAF_ERROR_TIMEOUT || code == SHEAF_ERROR_NETWORK;
}

static void
run_error_cases (Fixture *f, const ErrorCase *cases, guint n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
      {
        g_auto (Outcome) out = { NULL };

        g_test_message ("%s, %s", sheaf_provider_kind_to_string (both_kinds[k]), cases[i].prompt);
        fixture_run (f, both_kinds[k], cases[i].prompt, &out);
        assert_outcome_code (&out, cases[i].code);
        g_assert_cmpint (sheaf_error_is_retryable (out.error), ==,
                         code_is_retryable (cases[i].code));
        g_assert_cmpint (out.retry_after_ms, ==, -1);
      }
}

static void
test_statuses (Fixture *f, gconstpointer data)
{
  static const ErrorCase cases[] = {
    { "[[fake status=400]]", SHEAF_ERROR_BAD_REQUEST },
    { "[[fake status=401]]", SHEAF_ERROR_AUTH },
    { "[[fake status=402]]", SHEAF_ERROR_QUOTA },
    { "[[fake status=403]]", SHEAF_ERROR_PERMISSION },
    { "[[fake status=404]]", SHEAF_ERROR_NOT_FOUND },
    { "[[fake status=408]]", SHEAF_ERROR_SERVER },
    { "[[fake status=409]]", SHEAF_ERROR_SERVER },
    { "[[fake status=413]]", SHEAF_ERROR_TOO_LARGE },
    { "[[fake status=422]]", SHEAF_ERROR_BAD_REQUEST },
    { "[[fake status=429]]", SHEAF_ERROR_RATE_LIMITED },
    { "[[fake status=500]]", SHEAF_ERROR_SERVER },
    { "[[fake status=502]]", SHEAF_ERROR_SERVER },
    { "[[fake status=503]]", SHEAF_ERROR_SERVER },
    { "[[fake status=504]]", SHEAF_ERROR_SERVER },
    { "[[fake status=529]]", SHEAF_ERROR_OVERLOADED },
    { "[[fake status=418]]", SHEAF_ERROR_BAD_REQUEST },
    { "[[fake status=599]]", SHEAF_ERROR_SERVER },
  };

  run_error_cases (f, cases, G_N_ELEMENTS (cases));
}

static void
test_overloaded_and_quota (Fixture *f, gconstpointer data)
{
  static const ErrorCase cases[] = {
    { "[[fake error=overloaded]]", SHEAF_ERROR_OVERLOADED },
    { "[[fake error=overloaded status=200]]", SHEAF_ERROR_OVERLOADED },
    { "[[fake error=overloaded status=500]]", SHEAF_ERROR_OVERLOADED },
    { "[[fake error=overloaded status=400]]", SHEAF_ERROR_OVERLOADED },
    { "[[fake error=quota]]", SHEAF_ERROR_QUOTA },
    { "[[fake error=quota status=403]]", SHEAF_ERROR_QUOTA },
  };

  run_error_cases (f, cases, G_N_ELEMENTS (cases));
}

static void
test_bad_bodies (Fixture *f, gconstpointer data)
{
  static const ErrorCase cases[] = {
    /* Cut off on the way, as a dropped connection or a proxy does: worth
     * another try. */
    { "[[fake fault=not-json]]", SHEAF_ERROR_NETWORK },
    { "[[fake fault=truncated]]", SHEAF_ERROR_NETWORK },
    /* A whole reply without text: trying again will not change it. */
    { "[[fake fault=empty]]", SHEAF_ERROR_BAD_RESPONSE },
  };
  g_auto (Outcome) not_json = { NULL };
  g_auto (Outcome) truncated = { NULL };

  run_error_cases (f, cases, G_N_ELEMENTS (cases));

  /* Each says what happened, in its own words. */
  fixture_run (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "[[fake fault=not-json]]", &not_json);
  fixture_run (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "[[fake fault=truncated]]", &truncated);
  g_assert_nonnull (strstr (not_json.error->message, "base URL"));
  g_assert_nonnull (strstr (truncated.error->message, "cut off"));
}

static void
test_messages (Fixture *f, gconstpointer data)
{
  for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
    {
      g_auto (Outcome) auth = { NULL };
      g_auto (Outcome) missing = { NULL };
      g_auto (Outcome) overloaded = { NULL };
      g_auto (Outcome) bad = { NULL };

      fixture_run (f, both_kinds[k], "[[fake status=401]]", &auth);
      g_assert_true (g_str_has_prefix (auth.error->message,
                                       "The API key was rejected. Check it in Preferences."));
      fixture_run (f, both_kinds[k], "[[fake status=404]]", &missing);
      g_assert_cmpstr (missing.error->message, ==,
                       "The model “" TEST_MODEL "” was not found. Check the model name, or the "
                       "base URL in Preferences.");
      fixture_run (f, both_kinds[k], "[[fake status=529]]", &overloaded);
      g_assert_cmpstr (overloaded.error->message, ==,
                       "The provider is overloaded right now. Try again in a few minutes.");
      /* The provider's own words come along, quoted. */
      fixture_run (f, both_kinds[k], "[[fake status=400]]", &bad);
      g_assert_nonnull (strstr (bad.error->message, "The provider said: “"));
      g_assert_nonnull (strstr (bad.error->message, "max_tokens"));
    }
}

static void
test_retry_after (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *prompt;
    gint64 min_ms;
    gint64 max_ms;
  } cases[] = {
    { "[[fake status=429 retry-after=3]]", 3000, 3000 },
    { "[[fake status=503 retry-after=0]]", 0, 0 },
    { "[[fake status=429 retry-after-ms=1500]]", 1500, 1500 },
    { "[[fake status=529 retry-after=9 retry-after-ms=250]]", 250, 250 },
    { "[[fake status=429 retry-after-date=5]]", 3000, 5000 },
    { "[[fake error=overloaded retry-after=2]]", 2000, 2000 },
    { "[[fake status=429]]", -1, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
      {
        g_auto (Outcome) out = { NULL };

        g_test_message ("%s", cases[i].prompt);
        fixture_run (f, both_kinds[k], cases[i].prompt, &out);
        g_assert_nonnull (out.error);
        g_assert_true (sheaf_error_is_retryable (out.error));
        g_assert_cmpint (out.retry_after_ms, >=, cases[i].min_ms);
        g_assert_cmpint (out.retry_after_ms, <=, cases[i].max_ms);
      }
}

/* Bodies the fake does not send: other servers' shapes, parsed directly. */

static void
parse_raw (SheafProviderKind kind, guint status, const char *retry_after, const char *body_text,
           Outcome *out)
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

static void
test_other_shapes (void)
{
  static const struct
  {
    SheafProviderKind kind;
    guint status;
    const char *body;
    int code;
    const char *says;
  } cases[] = {
    /* Anthropic bills by credit; running out is a 400. */
    { SHEAF_PROVIDER_KIND_ANTHROPIC, 400,
      "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Your credit "
      "balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or "
      "purchase credits.\"}}",
      SHEAF_ERROR_QUOTA, "credit balance" },
    { SHEAF_PROVIDER_KIND_ANTHROPIC, 400,
      "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"prompt is "
      "too long: 210000 tokens > 200000 maximum\"}}",
      SHEAF_ERROR_TOO_LARGE, "210000" },
    { SHEAF_PROVIDER_KIND_OPENAI, 429,
      "{\"error\":{\"message\":\"You exceeded your current "
      "quota.\",\"type\":\"insufficient_quota\","
      "\"param\":null,\"code\":\"insufficient_quota\"}}",
      SHEAF_ERROR_QUOTA, NULL },
    { SHEAF_PROVIDER_KIND_OPENAI, 400,
      "{\"error\":{\"message\":\"Billing hard limit has been reached\",\"type\":"
      "\"invalid_request_error\",\"param\":null,\"code\":\"billing_hard_limit_reached\"}}",
      SHEAF_ERROR_QUOTA, NULL },
    { SHEAF_PROVIDER_KIND_OPENAI, 400,
      "{\"error\":{\"message\":\"This model's maximum context length is 128000 tokens.\","
      "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":"
      "\"context_length_exceeded\"}}",
      SHEAF_ERROR_TOO_LARGE, NULL },
    /* Ollama */
    { SHEAF_PROVIDER_KIND_OPENAI, 404,
      "{\"error\":\"model \\\"llama3\\\" not found, try pulling it first\"}", SHEAF_ERROR_NOT_FOUND,
      "“llama3”" },
    { SHEAF_PROVIDER_KIND_OPENAI, 404, "404 page not found", SHEAF_ERROR_NOT_FOUND,
      "“404 page not found”" },
    /* vLLM */
    { SHEAF_PROVIDER_KIND_OPENAI, 404,
      "{\"object\":\"error\",\"message\":\"The model `mistral` does not exist.\",\"type\":"
      "\"NotFoundError\",\"param\":null,\"code\":404}",
      SHEAF_ERROR_NOT_FOUND, "“mistral”" },
    /* llama.cpp */
    { SHEAF_PROVIDER_KIND_OPENAI, 503,
      "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}",
      SHEAF_ERROR_SERVER, "Loading model" },
    /* Gateways that put the status inside a 200. */
    { SHEAF_PROVIDER_KIND_OPENAI, 200,
      "{\"error\":{\"message\":\"Rate limit exceeded: free-models-per-min.\",\"code\":429}}",
      SHEAF_ERROR_RATE_LIMITED, NULL },
    { SHEAF_PROVIDER_KIND_OPENAI, 200, "{\"error\":{\"message\":\"Internal error\",\"code\":502}}",
      SHEAF_ERROR_SERVER, NULL },
    { SHEAF_PROVIDER_KIND_ANTHROPIC, 200,
      "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server "
      "error\"}}",
      SHEAF_ERROR_SERVER, NULL },
    { SHEAF_PROVIDER_KIND_ANTHROPIC, 200,
      "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid "
      "x-api-key\"}}",
      SHEAF_ERROR_AUTH, NULL },
    /* An error event of a stream. */
    { SHEAF_PROVIDER_KIND_ANTHROPIC, 200,
      "event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: error\ndata: "
      "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"
      "\n\n",
      SHEAF_ERROR_OVERLOADED, NULL },
    /* HTML error pages of proxies are not quoted. */
    { SHEAF_PROVIDER_KIND_ANTHROPIC, 502,
      "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
      SHEAF_ERROR_SERVER, "HTTP 502" },
    { SHEAF_PROVIDER_KIND_OPENAI, 422, "{\"detail\":\"Unprocessable\"}", SHEAF_ERROR_BAD_REQUEST,
      "“Unprocessable”" },
    { SHEAF_PROVIDER_KIND_OPENAI, 302, "", SHEAF_ERROR_BAD_RESPONSE, "302" },
    { SHEAF_PROVIDER_KIND_OPENAI, 200, "", SHEAF_ERROR_NETWORK, "empty" },
    { SHEAF_PROVIDER_KIND_OPENAI, 200, "  \n", SHEAF_ERROR_NETWORK, "empty" },
    { SHEAF_PROVIDER_KIND_OPENAI, 200, "[1, 2", SHEAF_ERROR_NETWORK, "cut off" },
    /* Two documents in one body: json-glib 1.6 read the second as the reply
     * (and leaked the first); found by tests/fuzz/fuzz-openai. */
    { SHEAF_PROVIDER_KIND_OPENAI, 200,
      "4 {\"choices\":[{\"message\":{\"content\":\"second document\"}}]}", SHEAF_ERROR_NETWORK,
      "not an answer" },
    { SHEAF_PROVIDER_KIND_OPENAI, 200, "[]", SHEAF_ERROR_BAD_RESPONSE, "no text" },
    { SHEAF_PROVIDER_KIND_OPENAI, 200, "{\"choices\":[]}", SHEAF_ERROR_BAD_RESPONSE, "no text" },
    { SHEAF_PROVIDER_KIND_OPENAI, 200,
      "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't "
      "help with that.\"},\"finish_reason\":\"stop\"}]}",
      SHEAF_ERROR_BAD_RESPONSE, "help with that" },
    { SHEAF_PROVIDER_KIND_ANTHROPIC, 200,
      "{\"content\":[{\"type\":\"text\",\"text\":\"\"}],\"stop_reason\":\"max_tokens\"}",
      SHEAF_ERROR_BAD_RESPONSE, "max_tokens" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (Outcome) out = { NULL };

      g_test_message ("case %u", i);
      parse_raw (cases[i].kind, cases[i].status, NULL, cases[i].body, &out);
      assert_outcome_code (&out, cases[i].code);
      if (cases[i].says != NULL)
        g_assert_nonnull (strstr (out.error->message, cases[i].says));
      g_assert_null (strstr (out.error->message, "<html"));
    }
}

static void
test_other_replies (void)
{
  g_auto (Outcome) anthropic = { NULL };
  g_auto (Outcome) parts = { NULL };
  g_auto (Outcome) bare = { NULL };

  parse_raw (SHEAF_PROVIDER_KIND_ANTHROPIC, 200, NULL,
             "{\"model\":\"claude-x\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hm\"},"
             "{\"type\":\"text\",\"text\":\"Hello, \"},{\"type\":\"text\",\"text\":\"world\"}],"
             "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":12,\"output_tokens\":3}}",
             &anthropic);
  g_assert_no_error (anthropic.error);
  g_assert_cmpstr (anthropic.reply->text, ==, "Hello, world");
  g_assert_cmpint (anthropic.reply->input_tokens, ==, 12);
  g_assert_cmpint (anthropic.reply->output_tokens, ==, 3);
  g_assert_cmpint (anthropic.retry_after_ms, ==, -1);

  parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 200, NULL,
             "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"A\"},"
             "{\"type\":\"text\",\"text\":\"B\"}]},\"finish_reason\":\"length\"}]}",
             &parts);
  g_assert_no_error (parts.error);
  g_assert_cmpstr (parts.reply->text, ==, "AB");
  g_assert_cmpstr (parts.reply->stop_reason, ==, "length");

  /* Nothing but the text: the rest is unknown, not an error; nor is an
   * empty error some servers add to a good reply. */
  parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 201, NULL,
             "{\"choices\":[{\"message\":{\"content\":\"only text\"}}],\"error\":{}}", &bare);
  g_assert_no_error (bare.error);
  g_assert_cmpstr (bare.reply->text, ==, "only text");
  g_assert_null (bare.reply->stop_reason);
  g_assert_null (bare.reply->model);
  g_assert_cmpint (bare.reply->input_tokens, ==, -1);
  g_assert_cmpint (bare.reply->output_tokens, ==, -1);
}

static void
test_retry_after_parsing (void)
{
  static const char *const junk[] = { "soon", "-5", "", "1e999", "Mon, 99 Foo 2024" };
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) past = g_date_time_add_seconds (now, -3600);
  g_autofree char *past_text = soup_date_time_to_string (past, SOUP_DATE_HTTP);
  g_auto (Outcome) decimal = { NULL };
  g_auto (Outcome) old = { NULL };
  g_auto (Outcome) huge = { NULL };

  parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 429, "1.5", "{}", &decimal);
  g_assert_cmpint (decimal.retry_after_ms, ==, 1500);
  /* A date in the past means "now". */
  parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 429, past_text, "{}", &old);
  g_assert_cmpint (old.retry_after_ms, ==, 0);
  parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 429, "99999999999", "{}", &huge);
  g_assert_cmpint (huge.retry_after_ms, ==, 24 * 60 * 60 * 1000);
  for (guint i = 0; i < G_N_ELEMENTS (junk); i++)
    {
      g_auto (Outcome) out = { NULL };

      parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 429, junk[i], "{}", &out);
      g_assert_error (out.error, SHEAF_ERROR, SHEAF_ERROR_RATE_LIMITED);
      g_assert_cmpint (out.retry_after_ms, ==, -1);
    }
}

static void
test_detail_shortened (void)
{
  g_autoptr (GString) body = g_string_new ("{\"error\":{\"message\":\"");
  g_auto (Outcome) out = { NULL };
  const char *quote;

  for (guint i = 0; i < 150; i++)
    g_string_append (body, "é\\n ");
  g_string_append (body, "\",\"type\":\"invalid_request_error\"}}");
  parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 400, NULL, body->str, &out);
  g_assert_error (out.error, SHEAF_ERROR, SHEAF_ERROR_BAD_REQUEST);
  quote = strstr (out.error->message, "“");
  g_assert_nonnull (quote);
  g_assert_cmpint (g_utf8_strlen (quote, -1), <=, 200 + 2);
  g_assert_null (strchr (out.error->message, '\n'));
  g_assert_nonnull (strstr (out.error->message, "é é…”"));
}

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
                       code_is_retryable (cases[i].sheaf_code));
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
  SheafRequest request = simple_request ("anyone there?");
  g_auto (Outcome) out = { NULL };

  /* A port nobody listens on any more. */
  g_assert_no_error (error);
  base = sheaf_fake_provider_dup_base_url (fake, SHEAF_PROVIDER_KIND_ANTHROPIC);
  g_assert_finalize_object (fake);

  provider = sheaf_provider_new (SHEAF_PROVIDER_KIND_ANTHROPIC, base, "sk-test");
  run_request (session, provider, &request, NULL, &out);
  g_assert_error (out.error, SHEAF_ERROR, SHEAF_ERROR_NETWORK);
  g_assert_true (sheaf_error_is_retryable (out.error));
  g_assert_nonnull (strstr (out.error->message, "127.0.0.1"));
}

static void
test_drop (Fixture *f, gconstpointer data)
{
  for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
    {
      g_autoptr (SoupSession) fresh = sheaf_http_session_new (4, 10);
      g_autoptr (SheafProvider) provider = fixture_provider (f, both_kinds[k], "");
      SheafRequest request = simple_request ("[[fake fault=drop]]");
      g_auto (Outcome) out = { NULL };

      run_request (fresh, provider, &request, NULL, &out);
      g_assert_error (out.error, SHEAF_ERROR, SHEAF_ERROR_NETWORK);
      g_assert_true (sheaf_error_is_retryable (out.error));
    }
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (f->fake, "[[fake fault=drop]]"), >=, 2);
  g_assert_cmpuint (sheaf_fake_provider_get_in_flight (f->fake), ==, 0);
}

static void
test_drop_once_on_kept_alive (Fixture *f, gconstpointer data)
{
  g_autoptr (SheafProvider) provider = fixture_provider (f, SHEAF_PROVIDER_KIND_OPENAI, "");
  SheafRequest warm = simple_request ("warm up");
  SheafRequest dropped = simple_request ("[[fake fault=drop times=1]]");
  g_auto (Outcome) first = { NULL };
  g_auto (Outcome) second = { NULL };
  g_auto (Outcome) third = { NULL };

  run_request (f->session, provider, &warm, NULL, &first);
  g_assert_no_error (first.error);
  /* A POST that dies on a kept-alive connection is either re-sent by libsoup
   * or reported as a retryable error; the next attempt succeeds. */
  run_request (f->session, provider, &dropped, NULL, &second);
  if (second.error != NULL)
    {
      g_assert_true (sheaf_error_is_retryable (second.error));
      run_request (f->session, provider, &dropped, NULL, &third);
      g_assert_no_error (third.error);
    }
  g_assert_cmpuint (sheaf_fake_provider_get_attempts (f->fake, dropped.prompt), ==, 2);
}

static void
test_hang_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr (SoupSession) impatient = sheaf_http_session_new (4, 1);
  g_autoptr (SheafProvider) provider = fixture_provider (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "");
  SheafRequest request = simple_request ("[[fake fault=hang]]");
  g_auto (Outcome) out = { NULL };
  gint64 start = g_get_monotonic_time ();

  run_request (impatient, provider, &request, NULL, &out);
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
test_hang_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (SheafProvider) provider = fixture_provider (f, SHEAF_PROVIDER_KIND_OPENAI, "");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  SheafRequest request = simple_request ("[[fake fault=hang]]");
  g_auto (Outcome) out = { NULL };

  g_timeout_add (50, cancel_cb, cancellable);
  run_request (f->session, provider, &request, cancellable, &out);
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
  SheafRequest request = simple_request ("[[fake fault=hang]]");
  g_autoptr (SoupMessage) msg = NULL;
  Exchange exchange = { NULL, NULL, FALSE };

  g_assert_no_error (error);
  base = sheaf_fake_provider_dup_base_url (fake, SHEAF_PROVIDER_KIND_ANTHROPIC);
  provider = sheaf_provider_new (SHEAF_PROVIDER_KIND_ANTHROPIC, base, "");
  msg = sheaf_provider_build_message (provider, &request, &error);
  g_assert_no_error (error);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, send_cb, &exchange);
  SHEAF_TEST_WAIT_UNTIL (sheaf_fake_provider_get_in_flight (fake) >= 1);

  g_assert_finalize_object (fake);
  sheaf_test_wait_for_flag (&exchange.done, SHEAF_TEST_WAIT_SECONDS, "the dropped hanging request");
  g_assert_nonnull (exchange.error);
  exchange_clear (&exchange);
}

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
test_fake_counts (Fixture *f, gconstpointer data)
{
  g_autoptr (SheafProvider) provider = fixture_provider (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "");
  SoupMessage *msgs[4];
  Exchange exchanges[4] = { { NULL } };
  const char *prompt = "[[fake status=503 times=2]] counted";
  GArray *arrivals;
  guint n_503 = 0;
  gint64 start = g_get_monotonic_time ();

  sheaf_fake_provider_set_latency_ms (f->fake, 100);
  for (guint i = 0; i < G_N_ELEMENTS (msgs); i++)
    {
      SheafRequest request = simple_request (prompt);
      msgs[i] = sheaf_provider_build_message (provider, &request, NULL);
      soup_session_send_and_read_async (f->session, msgs[i], G_PRIORITY_DEFAULT, NULL, send_cb,
                                        &exchanges[i]);
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
      exchange_clear (&exchanges[i]);
      g_object_unref (msgs[i]);
    }
  assert_reset (f->fake, prompt);
}

static void
test_fake_api_key (Fixture *f, gconstpointer data)
{
  sheaf_fake_provider_set_api_key (f->fake, "sk-right");
  for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
    {
      g_autoptr (SheafProvider) right = fixture_provider (f, both_kinds[k], "sk-right");
      g_autoptr (SheafProvider) wrong = fixture_provider (f, both_kinds[k], "sk-wrong");
      g_autoptr (SheafProvider) none = fixture_provider (f, both_kinds[k], "");
      SheafRequest request = simple_request ("key?");
      g_auto (Outcome) ok = { NULL };
      g_auto (Outcome) rejected = { NULL };
      g_auto (Outcome) missing = { NULL };

      run_request (f->session, right, &request, NULL, &ok);
      g_assert_no_error (ok.error);
      run_request (f->session, wrong, &request, NULL, &rejected);
      g_assert_error (rejected.error, SHEAF_ERROR, SHEAF_ERROR_AUTH);
      g_assert_cmpuint (rejected.status, ==, 401);
      run_request (f->session, none, &request, NULL, &missing);
      g_assert_error (missing.error, SHEAF_ERROR, SHEAF_ERROR_AUTH);
    }
}

static void
test_fake_latency_directive (Fixture *f, gconstpointer data)
{
  g_auto (Outcome) out = { NULL };
  gint64 start = g_get_monotonic_time ();

  fixture_run (f, SHEAF_PROVIDER_KIND_OPENAI, "[[fake latency=150]] slow", &out);
  g_assert_no_error (out.error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * 1000);
}

static void
test_fake_answer_bytes (Fixture *f, gconstpointer data)
{
  g_auto (Outcome) out = { NULL };

  sheaf_fake_provider_set_answer_bytes (f->fake, 5000);
  fixture_run (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "pad me", &out);
  g_assert_no_error (out.error);
  g_assert_cmpuint (strlen (out.reply->text), ==, 5000);
  g_assert_true (g_str_has_prefix (out.reply->text, "Echo: pad me lorem ipsum"));
}

static void
test_fake_stats (Fixture *f, gconstpointer data)
{
  g_autofree char *base = sheaf_fake_provider_dup_base_url (f->fake, SHEAF_PROVIDER_KIND_ANTHROPIC);
  g_autofree char *url = g_strconcat (base, "/_stats", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Outcome) out = { NULL };
  g_auto (Exchange) exchange = { NULL };
  g_autofree char *text = NULL;
  JsonObject *stats;

  fixture_run (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "count me", &out);
  send_message (f->session, msg, NULL, &exchange);
  g_assert_no_error (exchange.error);
  text = g_strndup (g_bytes_get_data (exchange.body, NULL), g_bytes_get_size (exchange.body));
  stats = parse_object (parser, text);
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
  SheafRequest request = simple_request ("served");
  g_auto (Outcome) out = { NULL };
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
  run_request (session, provider, &request, NULL, &out);
  g_assert_no_error (out.error);
  g_assert_cmpstr (out.reply->text, ==, "Echo: served");

  g_subprocess_send_signal (server, SIGTERM);
  counters = read_line (input);
  stats = parse_object (parser, counters);
  g_assert_cmpint (json_object_get_int_member (stats, "requests"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "connections"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "max_in_flight"), ==, 1);
  g_subprocess_wait_async (server, NULL, wait_cb, &exited);
  sheaf_test_wait_for_flag (&exited, SHEAF_TEST_WAIT_SECONDS, "sheaf-fake-server to exit");
  g_assert_true (g_subprocess_get_if_exited (server));
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);
}

/* Where the settings are: Preferences or the command line */

static void
count_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_settings_place (void)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, "https://api.example.com/v1", "");
  g_autoptr (GEnumClass) klass = g_type_class_ref (SHEAF_TYPE_SETTINGS_PLACE);
  SheafSettingsPlace place = SHEAF_SETTINGS_COMMAND_LINE;
  guint notified = 0;

  g_assert_cmpint (sheaf_provider_get_settings_place (provider), ==, SHEAF_SETTINGS_PREFERENCES);
  g_assert_cmpstr (g_enum_get_value (klass, SHEAF_SETTINGS_COMMAND_LINE)->value_nick, ==,
                   "command-line");
  g_signal_connect (provider, "notify::settings-place", G_CALLBACK (count_cb), &notified);

  /* Notified on a change only. */
  sheaf_provider_set_settings_place (provider, SHEAF_SETTINGS_PREFERENCES);
  g_assert_cmpuint (notified, ==, 0);
  sheaf_provider_set_settings_place (provider, SHEAF_SETTINGS_COMMAND_LINE);
  sheaf_provider_set_settings_place (provider, SHEAF_SETTINGS_COMMAND_LINE);
  g_assert_cmpuint (notified, ==, 1);
  g_object_set (provider, "settings-place", SHEAF_SETTINGS_PREFERENCES, NULL);
  g_assert_cmpuint (notified, ==, 2);
  g_object_get (provider, "settings-place", &place, NULL);
  g_assert_cmpint (place, ==, SHEAF_SETTINGS_PREFERENCES);
}

/* The two wordings of one message: the window's starts with @window_start,
 * as it always has, and names no option; the command line's names each of
 * @names ("KEY": the kind's key variable) and never Preferences. */
static void
assert_wordings (SheafProviderKind kind, const GError *window, const GError *command_line,
                 const char *window_start, const char *const *names)
{
  g_assert_nonnull (window);
  g_assert_nonnull (command_line);
  g_test_message ("%s\n  window: %s\n  command line: %s", sheaf_provider_kind_to_string (kind),
                  window->message, command_line->message);
  g_assert_true (window->domain == command_line->domain && window->code == command_line->code);

  if (!g_str_has_prefix (window->message, window_start))
    g_error ("“%s” does not start with “%s”", window->message, window_start);
  g_assert_null (strstr (window->message, "--"));
  g_assert_null (strstr (command_line->message, "Preferences"));
  g_assert_null (strstr (command_line->message, "Einstellungen"));
  for (guint i = 0; names[i] != NULL; i++)
    sheaf_test_assert_contains (command_line->message, g_str_equal (names[i], "KEY")
                                                         ? sheaf_provider_kind_env_key_name (kind)
                                                         : names[i]);
}

static SheafProvider *
provider_at (SheafProviderKind kind, const char *base_url, const char *key,
             SheafSettingsPlace place)
{
  SheafProvider *provider = sheaf_provider_new (kind, base_url, key);

  sheaf_provider_set_settings_place (provider, place);
  return provider;
}

typedef struct
{
  const char *what; /* a prompt with a directive, or a base URL */
  const char *window_start;
  const char *names[4];
} WordingCase;

static const WordingCase reply_wordings[] = {
  { "[[fake status=401]]",
    "The API key was rejected. Check it in Preferences.",
    { "KEY", "rejected" } },
  { "[[fake status=403]]",
    "This API key is not allowed to do this. Check the key and the model in Preferences.",
    { "KEY", "--model" } },
  { "[[fake status=404]]",
    "The model “" TEST_MODEL "” was not found. Check the model name, or the base URL in "
    "Preferences.",
    { "“" TEST_MODEL "”", "--model", "--base-url" } },
  { "[[fake status=429]]",
    "The provider is receiving too many requests from your account. Wait a little, or lower "
    "Concurrency.",
    { "--concurrency" } },
  { "[[fake status=400]]",
    "The provider refused the request. Check the model, the maximum length of answers and the "
    "temperature.",
    { "--model", "--max-tokens", "--temperature" } },
  { "[[fake status=413]]",
    "The request was too large for the provider (HTTP 413), so it was not tried again. Shorten "
    "the text or the template.",
    { "--template" } },
  { "[[fake fault=not-json]]",
    "The provider sent something that is not an answer Sheaf can read (perhaps a web page). "
    "Check the base URL in Preferences.",
    { "--base-url" } },
  { "[[fake fault=empty]]", "The provider’s answer contained no text", { "--model" } },
};

/* Errors the provider sends, as the fake sends them. */
static void
test_wording_replies (Fixture *f, gconstpointer data)
{
  for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
    {
      g_autofree char *base = sheaf_fake_provider_dup_base_url (f->fake, both_kinds[k]);
      g_autoptr (SheafProvider) window =
        provider_at (both_kinds[k], base, "sk-test", SHEAF_SETTINGS_PREFERENCES);
      g_autoptr (SheafProvider) command_line =
        provider_at (both_kinds[k], base, "sk-test", SHEAF_SETTINGS_COMMAND_LINE);

      for (guint i = 0; i < G_N_ELEMENTS (reply_wordings); i++)
        {
          SheafRequest request = simple_request (reply_wordings[i].what);
          g_auto (Outcome) in_window = { NULL };
          g_auto (Outcome) on_command_line = { NULL };

          run_request (f->session, window, &request, NULL, &in_window);
          run_request (f->session, command_line, &request, NULL, &on_command_line);
          assert_wordings (both_kinds[k], in_window.error, on_command_line.error,
                           reply_wordings[i].window_start, reply_wordings[i].names);
        }
    }
}

static GError *
parse_error_at (SheafProviderKind kind, const char *key, SheafSettingsPlace place, guint status,
                const char *body_text)
{
  g_autoptr (SheafProvider) provider = provider_at (kind, "https://api.example.com", key, place);
  g_autoptr (GBytes) body = g_bytes_new (body_text, strlen (body_text));
  g_autoptr (SheafReply) reply = NULL;
  GError *error = NULL;

  reply = sheaf_provider_parse_response (provider, status, NULL, body, NULL, &error);
  g_assert_null (reply);
  return error;
}

/* Replies the fake does not send, parsed directly. */
static void
test_wording_other_replies (void)
{
  static const struct
  {
    guint status;
    const char *body;
    const char *key;
    const char *window_start;
    const char *names[3];
  } cases[] = {
    { 404,
      "",
      "k",
      "Nothing was found at this address. Check the model name, or the base URL in Preferences.",
      { "--model", "--base-url" } },
    { 302,
      "",
      "k",
      "The provider answered with HTTP status 302, which Sheaf does not understand. Check the "
      "base URL in Preferences.",
      { "302", "--base-url" } },
    { 200,
      " \n",
      "k",
      "The provider sent an empty answer. Try again; if it keeps happening, check the base URL "
      "in Preferences.",
      { "--base-url" } },
    /* A server on this computer that wants a key after all. */
    { 401, "", "", "The API key was rejected. Check it in Preferences.", { "KEY", "Set " } },
  };

  for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr (GError) window = parse_error_at (
          both_kinds[k], cases[i].key, SHEAF_SETTINGS_PREFERENCES, cases[i].status, cases[i].body);
        g_autoptr (GError) command_line = parse_error_at (
          both_kinds[k], cases[i].key, SHEAF_SETTINGS_COMMAND_LINE, cases[i].status, cases[i].body);

        assert_wordings (both_kinds[k], window, command_line, cases[i].window_start,
                         cases[i].names);
      }
}

/* A message that names no setting is the same in both places. */
static void
test_wording_shared (void)
{
  g_autoptr (GError) window =
    parse_error_at (SHEAF_PROVIDER_KIND_OPENAI, "k", SHEAF_SETTINGS_PREFERENCES, 503, "");
  g_autoptr (GError) command_line =
    parse_error_at (SHEAF_PROVIDER_KIND_OPENAI, "k", SHEAF_SETTINGS_COMMAND_LINE, 503, "");

  g_assert_cmpstr (window->message, ==,
                   "The provider is unavailable right now (HTTP 503). Try again later.");
  g_assert_cmpstr (command_line->message, ==, window->message);
}

static GError *
build_error_at (SheafProviderKind kind, const char *base, const char *key, SheafSettingsPlace place)
{
  g_autoptr (SheafProvider) provider = provider_at (kind, base, key, place);
  SheafRequest request = simple_request ("hi");
  g_autoptr (SoupMessage) msg = NULL;
  GError *error = NULL;

  msg = sheaf_provider_build_message (provider, &request, &error);
  g_assert_null (msg);
  return error;
}

/* Base URLs that cannot work or would give the key away, and keys that
 * cannot be one: refused before anything is sent. */
static void
test_wording_settings (void)
{
  static const struct
  {
    const char *base;
    const char *key;
    const char *window_start;
    const char *names[4];
  } cases[] = {
    { "not a url",
      "",
      "The base URL “not a url” is not a web address. It should look like "
      "https://api.example.com. Check it in Preferences.",
      { "“not a url”", "--base-url" } },
    { "ftp://api.example.com",
      "",
      "The base URL “ftp://api.example.com” must start with https:// (or http:// for a server on "
      "this computer). Check it in Preferences.",
      { "“ftp://api.example.com”", "--base-url" } },
    { "http://api.example.com",
      "sk-secret",
      "The API key would travel unencrypted to “api.example.com”. Use a base URL that starts "
      "with https://, or leave the key empty for a server that needs none.",
      { "KEY", "“api.example.com”", "--base-url" } },
    { "https://api.example.com",
      "sk-one\nsk-two",
      "The API key contains characters no key has, such as a line break. Copy it again into "
      "Preferences.",
      { "KEY", "line break" } },
  };

  for (guint k = 0; k < G_N_ELEMENTS (both_kinds); k++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr (GError) window =
          build_error_at (both_kinds[k], cases[i].base, cases[i].key, SHEAF_SETTINGS_PREFERENCES);
        g_autoptr (GError) command_line =
          build_error_at (both_kinds[k], cases[i].base, cases[i].key, SHEAF_SETTINGS_COMMAND_LINE);

        assert_wordings (both_kinds[k], window, command_line, cases[i].window_start,
                         cases[i].names);
      }
}

static void
test_wording_transport (void)
{
  static const struct
  {
    GQuark (*domain) (void);
    int code;
    const char *window_start;
    const char *names[2];
  } cases[] = {
    { g_io_error_quark,
      G_IO_ERROR_TIMED_OUT,
      "No answer came from “llm.example.org” in time. Try again, or allow more time under Time "
      "Limit in Preferences.",
      { "--timeout" } },
    { g_io_error_quark,
      G_IO_ERROR_CONNECTION_REFUSED,
      "Could not connect to “llm.example.org”: nothing answers there. Check that the server is "
      "running and that the base URL in Preferences is right.",
      { "--base-url" } },
    { g_io_error_quark,
      G_IO_ERROR_HOST_NOT_FOUND,
      "The server “llm.example.org” could not be found. Check the base URL and your internet "
      "connection.",
      { "--base-url" } },
    { g_tls_error_quark,
      G_TLS_ERROR_BAD_CERTIFICATE,
      "The secure connection to “llm.example.org” cannot be trusted: its certificate is not "
      "valid. Check the base URL in Preferences.",
      { "--base-url" } },
    { g_tls_error_quark,
      G_TLS_ERROR_NOT_TLS,
      "“llm.example.org” does not answer secure (https) connections. Check the base URL in "
      "Preferences.",
      { "--base-url" } },
    { g_tls_error_quark,
      G_TLS_ERROR_HANDSHAKE,
      "A secure connection to “llm.example.org” could not be set up. Check the base URL in "
      "Preferences.",
      { "--base-url" } },
  };
  g_autoptr (SheafProvider) window = provider_at (
    SHEAF_PROVIDER_KIND_OPENAI, "https://llm.example.org/v1", "", SHEAF_SETTINGS_PREFERENCES);
  g_autoptr (SheafProvider) command_line = provider_at (
    SHEAF_PROVIDER_KIND_OPENAI, "https://llm.example.org/v1", "", SHEAF_SETTINGS_COMMAND_LINE);
  g_autoptr (GError) unreachable =
    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "boom");
  g_autoptr (GError) unreachable_window = NULL;
  g_autoptr (GError) unreachable_command_line = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = g_error_new_literal (cases[i].domain (), cases[i].code, "boom");
      g_autoptr (GError) in_window = sheaf_provider_translate_transport_error (window, error);
      g_autoptr (GError) on_command_line =
        sheaf_provider_translate_transport_error (command_line, error);

      assert_wordings (SHEAF_PROVIDER_KIND_OPENAI, in_window, on_command_line,
                       cases[i].window_start, cases[i].names);
    }

  /* Nothing to set for a network that cannot be reached. */
  unreachable_window = sheaf_provider_translate_transport_error (window, unreachable);
  unreachable_command_line = sheaf_provider_translate_transport_error (command_line, unreachable);
  g_assert_cmpstr (unreachable_command_line->message, ==, unreachable_window->message);
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Exchange *exchange = user_data;

  exchange->body =
    sheaf_http_send_and_read_finish (SOUP_SESSION (source), result, &exchange->error);
  exchange->done = TRUE;
}

/* An answer too large, as sheaf-http reads it for a session of either
 * place; the provider passes the message on unchanged. */
static GError *
too_large_error_at (SheafProvider *provider, SheafSettingsPlace place)
{
  g_autoptr (SoupSession) session = sheaf_http_session_new (4, 10);
  SheafRequest request = simple_request ("[[fake fault=huge]]");
  g_autoptr (SoupMessage) msg = sheaf_provider_build_message (provider, &request, NULL);
  g_auto (Exchange) exchange = { NULL, NULL, FALSE };
  GError *translated;

  sheaf_http_session_set_settings_place (session, place);
  sheaf_http_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, 64 * 1024, NULL, read_cb,
                                  &exchange);
  sheaf_test_wait_for_flag (&exchange.done, SHEAF_TEST_WAIT_SECONDS, "a reply");
  g_assert_error (exchange.error, SHEAF_ERROR, SHEAF_ERROR_BAD_RESPONSE);
  translated = sheaf_provider_translate_transport_error (provider, exchange.error);
  g_assert_cmpstr (translated->message, ==, exchange.error->message);
  return translated;
}

static void
test_wording_too_large (Fixture *f, gconstpointer data)
{
  g_autofree char *base = sheaf_fake_provider_dup_base_url (f->fake, SHEAF_PROVIDER_KIND_OPENAI);
  g_autoptr (SheafProvider) window =
    provider_at (SHEAF_PROVIDER_KIND_OPENAI, base, "", SHEAF_SETTINGS_PREFERENCES);
  g_autoptr (SheafProvider) command_line =
    provider_at (SHEAF_PROVIDER_KIND_OPENAI, base, "", SHEAF_SETTINGS_COMMAND_LINE);
  g_autoptr (GError) in_window = too_large_error_at (window, SHEAF_SETTINGS_PREFERENCES);
  g_autoptr (GError) on_command_line =
    too_large_error_at (command_line, SHEAF_SETTINGS_COMMAND_LINE);
  const char *const names[] = { "--base-url", NULL };

  assert_wordings (SHEAF_PROVIDER_KIND_OPENAI, in_window, on_command_line,
                   "The server sent an answer larger than 0 MB, far more than any answer to one "
                   "prompt, and Sheaf stopped reading it. Check the base URL in Preferences.",
                   names);
}

#define ADD_FIXTURE_TEST(path, func)                                                               \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/provider/kind", test_kind);
  g_test_add_func ("/provider/kind/environment", test_kind_environment);
  g_test_add_func ("/provider/request/url-join", test_url_join);
  g_test_add_func ("/provider/request/insecure", test_insecure);
  ADD_FIXTURE_TEST ("/provider/request/anthropic", test_anthropic_shape);
  ADD_FIXTURE_TEST ("/provider/request/openai", test_openai_shape);
  ADD_FIXTURE_TEST ("/provider/request/idempotent-reuse", test_idempotent_reuse);
  ADD_FIXTURE_TEST ("/provider/reply/basic", test_reply);
  ADD_FIXTURE_TEST ("/provider/reply/hostile", test_hostile);
  ADD_FIXTURE_TEST ("/provider/reply/huge", test_huge);
  g_test_add_func ("/provider/reply/other-shapes", test_other_replies);
  ADD_FIXTURE_TEST ("/provider/error/statuses", test_statuses);
  ADD_FIXTURE_TEST ("/provider/error/overloaded-and-quota", test_overloaded_and_quota);
  ADD_FIXTURE_TEST ("/provider/error/bad-bodies", test_bad_bodies);
  ADD_FIXTURE_TEST ("/provider/error/messages", test_messages);
  ADD_FIXTURE_TEST ("/provider/error/retry-after", test_retry_after);
  g_test_add_func ("/provider/error/retry-after-parsing", test_retry_after_parsing);
  g_test_add_func ("/provider/error/other-shapes", test_other_shapes);
  g_test_add_func ("/provider/error/detail-shortened", test_detail_shortened);
  g_test_add_func ("/provider/transport/translate", test_translate);
  g_test_add_func ("/provider/transport/refused", test_refused);
  ADD_FIXTURE_TEST ("/provider/transport/drop", test_drop);
  ADD_FIXTURE_TEST ("/provider/transport/drop-kept-alive", test_drop_once_on_kept_alive);
  ADD_FIXTURE_TEST ("/provider/transport/hang-timeout", test_hang_timeout);
  ADD_FIXTURE_TEST ("/provider/transport/hang-cancel", test_hang_cancel);
  g_test_add_func ("/provider/transport/hang-dispose", test_hang_dispose);
  g_test_add_func ("/provider/settings-place", test_settings_place);
  ADD_FIXTURE_TEST ("/provider/settings-place/replies", test_wording_replies);
  g_test_add_func ("/provider/settings-place/other-replies", test_wording_other_replies);
  g_test_add_func ("/provider/settings-place/shared", test_wording_shared);
  g_test_add_func ("/provider/settings-place/settings", test_wording_settings);
  g_test_add_func ("/provider/settings-place/transport", test_wording_transport);
  ADD_FIXTURE_TEST ("/provider/settings-place/too-large", test_wording_too_large);
  ADD_FIXTURE_TEST ("/fake-provider/counts", test_fake_counts);
  ADD_FIXTURE_TEST ("/fake-provider/api-key", test_fake_api_key);
  ADD_FIXTURE_TEST ("/fake-provider/latency", test_fake_latency_directive);
  ADD_FIXTURE_TEST ("/fake-provider/answer-bytes", test_fake_answer_bytes);
  ADD_FIXTURE_TEST ("/fake-provider/stats", test_fake_stats);
  g_test_add_func ("/fake-server/run", test_fake_server);

  return g_test_run ();
}
