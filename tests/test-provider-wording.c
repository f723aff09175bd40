/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where the settings are, Preferences or the command line, and the two
 * wordings of each message that names one. */
#define G_LOG_DOMAIN "test-provider"

#include "config.h"

#include <string.h>

#include "sheaf-error.h"
#include "sheaf-fake-provider.h"
#include "sheaf-http.h"
#include "sheaf-provider-test-utils.h"
#include "sheaf-test-utils.h"

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
    "The model “" SHEAF_TEST_MODEL "” was not found. Check the model name, or the base URL in "
    "Preferences.",
    { "“" SHEAF_TEST_MODEL "”", "--model", "--base-url" } },
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
test_wording_replies (SheafProviderFixture *f, gconstpointer data)
{
  for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
    {
      g_autofree char *base = sheaf_fake_provider_dup_base_url (f->fake, sheaf_test_both_kinds[k]);
      g_autoptr (SheafProvider) window =
        provider_at (sheaf_test_both_kinds[k], base, "sk-test", SHEAF_SETTINGS_PREFERENCES);
      g_autoptr (SheafProvider) command_line =
        provider_at (sheaf_test_both_kinds[k], base, "sk-test", SHEAF_SETTINGS_COMMAND_LINE);

      for (guint i = 0; i < G_N_ELEMENTS (reply_wordings); i++)
        {
          SheafRequest request = sheaf_test_simple_request (reply_wordings[i].what);
          g_auto (SheafTestOutcome) in_window = { NULL };
          g_auto (SheafTestOutcome) on_command_line = { NULL };

          sheaf_test_run_request (f->session, window, &request, NULL, &in_window);
          sheaf_test_run_request (f->session, command_line, &request, NULL, &on_command_line);
          assert_wordings (sheaf_test_both_kinds[k], in_window.error, on_command_line.error,
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

  for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr (GError) window =
          parse_error_at (sheaf_test_both_kinds[k], cases[i].key, SHEAF_SETTINGS_PREFERENCES,
                          cases[i].status, cases[i].body);
        g_autoptr (GError) command_line =
          parse_error_at (sheaf_test_both_kinds[k], cases[i].key, SHEAF_SETTINGS_COMMAND_LINE,
                          cases[i].status, cases[i].body);

        assert_wordings (sheaf_test_both_kinds[k], window, command_line, cases[i].window_start,
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
  SheafRequest request = sheaf_test_simple_request ("hi");
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

  for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr (GError) window = build_error_at (sheaf_test_both_kinds[k], cases[i].base,
                                                    cases[i].key, SHEAF_SETTINGS_PREFERENCES);
        g_autoptr (GError) command_line = build_error_at (
          sheaf_test_both_kinds[k], cases[i].base, cases[i].key, SHEAF_SETTINGS_COMMAND_LINE);

        assert_wordings (sheaf_test_both_kinds[k], window, command_line, cases[i].window_start,
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
  SheafTestExchange *exchange = user_data;

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
  SheafRequest request = sheaf_test_simple_request ("[[fake fault=huge]]");
  g_autoptr (SoupMessage) msg = sheaf_provider_build_message (provider, &request, NULL);
  g_auto (SheafTestExchange) exchange = { NULL, NULL, FALSE };
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
test_wording_too_large (SheafProviderFixture *f, gconstpointer data)
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
int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/settings-place/replies", test_wording_replies);
  g_test_add_func ("/provider/settings-place/other-replies", test_wording_other_replies);
  g_test_add_func ("/provider/settings-place/shared", test_wording_shared);
  g_test_add_func ("/provider/settings-place/settings", test_wording_settings);
  g_test_add_func ("/provider/settings-place/transport", test_wording_transport);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/settings-place/too-large", test_wording_too_large);

  return g_test_run ();
}
