/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Kinds of provider, the requests a provider builds and where its
 * settings are. Replies, errors, transport errors, the wording of
 * messages and the fake itself have test programs of their own. */
#define G_LOG_DOMAIN "test-provider"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-provider.h"

#include <json-glib/json-glib.h>

#include "sheaf-error.h"
#include "sheaf-fake-provider.h"
#include "sheaf-provider-test-utils.h"

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
  SheafRequest request = sheaf_test_simple_request ("hi");
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
  SheafRequest request = sheaf_test_simple_request ("hi");
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
    for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
      assert_build_error (sheaf_test_both_kinds[k], cases[i].base, cases[i].key, cases[i].code);
}

static void
assert_header (SoupMessageHeaders *headers, const char *name, const char *value)
{
  g_assert_cmpstr (soup_message_headers_get_one (headers, name), ==, value);
}

static void
test_anthropic_shape (SheafProviderFixture *f, gconstpointer data)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_fixture_provider (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "sk-ant-test");
  SheafRequest request = { "claude-test", "Be brief.", "Summarize: cats", 321, 0.25 };
  g_auto (SheafTestOutcome) out = { NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  SoupMessageHeaders *headers;
  JsonObject *body;
  JsonArray *messages;
  JsonObject *message;

  sheaf_test_run_request (f->session, provider, &request, NULL, &out);
  g_assert_no_error (out.error);

  headers = sheaf_fake_provider_get_last_headers (f->fake);
  assert_header (headers, "x-api-key", "sk-ant-test");
  assert_header (headers, "anthropic-version", "2023-06-01");
  g_assert_true (soup_message_headers_header_equals (headers, "Content-Type", "application/json"));
  g_assert_null (soup_message_headers_get_one (headers, "Authorization"));

  body = sheaf_test_parse_object (parser, sheaf_fake_provider_get_last_body (f->fake));
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
  sheaf_test_outcome_clear (&out);
  sheaf_test_run_request (f->session, provider, &request, NULL, &out);
  g_assert_no_error (out.error);
  body = sheaf_test_parse_object (parser, sheaf_fake_provider_get_last_body (f->fake));
  g_assert_false (json_object_has_member (body, "temperature"));
  g_assert_false (json_object_has_member (body, "system"));
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==,
                   sheaf_provider_kind_default_model (SHEAF_PROVIDER_KIND_ANTHROPIC));
}

static void
test_openai_shape (SheafProviderFixture *f, gconstpointer data)
{
  g_autoptr (SheafProvider) provider =
    sheaf_provider_fixture_provider (f, SHEAF_PROVIDER_KIND_OPENAI, "sk-openai-test");
  g_autoptr (SheafProvider) local =
    sheaf_provider_fixture_provider (f, SHEAF_PROVIDER_KIND_OPENAI, "");
  SheafRequest request = { "gpt-test", "Be brief.", "Summarize: dogs", 77, 0 };
  g_auto (SheafTestOutcome) out = { NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  SoupMessageHeaders *headers;
  JsonObject *body;
  JsonArray *messages;

  sheaf_test_run_request (f->session, provider, &request, NULL, &out);
  g_assert_no_error (out.error);
  headers = sheaf_fake_provider_get_last_headers (f->fake);
  assert_header (headers, "Authorization", "Bearer sk-openai-test");
  g_assert_null (soup_message_headers_get_one (headers, "x-api-key"));
  g_assert_true (soup_message_headers_header_equals (headers, "Content-Type", "application/json"));

  body = sheaf_test_parse_object (parser, sheaf_fake_provider_get_last_body (f->fake));
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
  sheaf_test_outcome_clear (&out);
  sheaf_test_run_request (f->session, local, &request, NULL, &out);
  g_assert_no_error (out.error);
  headers = sheaf_fake_provider_get_last_headers (f->fake);
  g_assert_null (soup_message_headers_get_one (headers, "Authorization"));
  body = sheaf_test_parse_object (parser, sheaf_fake_provider_get_last_body (f->fake));
  g_assert_false (json_object_has_member (body, "temperature"));
  g_assert_false (json_object_has_member (body, "max_tokens"));
  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
}

static void
test_idempotent_reuse (SheafProviderFixture *f, gconstpointer data)
{
  for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
    {
      g_autoptr (SheafProvider) provider =
        sheaf_provider_fixture_provider (f, sheaf_test_both_kinds[k], "");
      SheafRequest request = sheaf_test_simple_request ("reuse me");
      g_autoptr (GError) error = NULL;
      g_autoptr (SoupMessage) msg = sheaf_provider_build_message (provider, &request, &error);

      g_assert_no_error (error);
      g_assert_true (soup_message_get_flags (msg) & SOUP_MESSAGE_IDEMPOTENT);
      g_assert_cmpstr (soup_message_get_method (msg), ==, "POST");
    }

  /* Three requests one after another travel on one kept-alive connection. */
  for (guint i = 0; i < 3; i++)
    {
      g_auto (SheafTestOutcome) out = { NULL };
      sheaf_provider_fixture_run (f, SHEAF_PROVIDER_KIND_OPENAI, "one connection", &out);
      g_assert_no_error (out.error);
    }
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 3);
  g_assert_cmpuint (sheaf_fake_provider_get_n_connections (f->fake), ==, 1);

  /* After a reset, a kept-alive connection counts again when it is used. */
  sheaf_fake_provider_reset_counters (f->fake);
  for (guint i = 0; i < 2; i++)
    {
      g_auto (SheafTestOutcome) out = { NULL };
      sheaf_provider_fixture_run (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "one connection", &out);
      g_assert_no_error (out.error);
    }
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 2);
  g_assert_cmpuint (sheaf_fake_provider_get_n_connections (f->fake), ==, 1);
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/provider/kind", test_kind);
  g_test_add_func ("/provider/kind/environment", test_kind_environment);
  g_test_add_func ("/provider/request/url-join", test_url_join);
  g_test_add_func ("/provider/request/insecure", test_insecure);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/request/anthropic", test_anthropic_shape);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/request/openai", test_openai_shape);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/request/idempotent-reuse", test_idempotent_reuse);
  g_test_add_func ("/provider/settings-place", test_settings_place);

  return g_test_run ();
}
