/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The errors a provider makes of what the server sends: statuses, bodies,
 * messages and how long to wait before trying again. */
#define G_LOG_DOMAIN "test-provider"

#include "config.h"

#include <string.h>

#include "sheaf-error.h"
#include "sheaf-provider-test-utils.h"

/* Errors the provider sends */

typedef struct
{
  const char *prompt;
  int code;
} ErrorCase;

static void
assert_outcome_code (const SheafTestOutcome *out, int code)
{
  g_assert_null (out->reply);
  g_assert_error (out->error, SHEAF_ERROR, code);
  g_assert_cmpstr (out->error->message, !=, "");
}

/* Runs each case of @cases, which ends with { NULL }, for both kinds. */
static void
run_error_cases (SheafProviderFixture *f, const ErrorCase *cases)
{
  for (guint i = 0; cases[i].prompt != NULL; i++)
    for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
      {
        g_auto (SheafTestOutcome) out = { NULL };

        g_test_message ("%s, %s", sheaf_provider_kind_to_string (sheaf_test_both_kinds[k]),
                        cases[i].prompt);
        sheaf_provider_fixture_run (f, sheaf_test_both_kinds[k], cases[i].prompt, &out);
        assert_outcome_code (&out, cases[i].code);
        g_assert_cmpint (sheaf_error_is_retryable (out.error), ==,
                         sheaf_test_code_is_retryable (cases[i].code));
        g_assert_cmpint (out.retry_after_ms, ==, -1);
      }
}

static const ErrorCase statuses[] = {
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
  { NULL },
};

static void
test_statuses (SheafProviderFixture *f, gconstpointer data)
{
  run_error_cases (f, statuses);
}

static const ErrorCase overloaded_and_quota[] = {
  { "[[fake error=overloaded]]", SHEAF_ERROR_OVERLOADED },
  { "[[fake error=overloaded status=200]]", SHEAF_ERROR_OVERLOADED },
  { "[[fake error=overloaded status=500]]", SHEAF_ERROR_OVERLOADED },
  { "[[fake error=overloaded status=400]]", SHEAF_ERROR_OVERLOADED },
  { "[[fake error=quota]]", SHEAF_ERROR_QUOTA },
  { "[[fake error=quota status=403]]", SHEAF_ERROR_QUOTA },
  { NULL },
};

static void
test_overloaded_and_quota (SheafProviderFixture *f, gconstpointer data)
{
  run_error_cases (f, overloaded_and_quota);
}

static void
test_bad_bodies (SheafProviderFixture *f, gconstpointer data)
{
  static const ErrorCase cases[] = {
    /* Cut off on the way, as a dropped connection or a proxy does: worth
     * another try. */
    { "[[fake fault=not-json]]", SHEAF_ERROR_NETWORK },
    { "[[fake fault=truncated]]", SHEAF_ERROR_NETWORK },
    /* A whole reply without text: trying again will not change it. */
    { "[[fake fault=empty]]", SHEAF_ERROR_BAD_RESPONSE },
    { NULL },
  };
  g_auto (SheafTestOutcome) not_json = { NULL };
  g_auto (SheafTestOutcome) truncated = { NULL };

  run_error_cases (f, cases);

  /* Each says what happened, in its own words. */
  sheaf_provider_fixture_run (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "[[fake fault=not-json]]",
                              &not_json);
  sheaf_provider_fixture_run (f, SHEAF_PROVIDER_KIND_ANTHROPIC, "[[fake fault=truncated]]",
                              &truncated);
  g_assert_nonnull (strstr (not_json.error->message, "base URL"));
  g_assert_nonnull (strstr (truncated.error->message, "cut off"));
}

static void
test_messages (SheafProviderFixture *f, gconstpointer data)
{
  for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
    {
      g_auto (SheafTestOutcome) auth = { NULL };
      g_auto (SheafTestOutcome) missing = { NULL };
      g_auto (SheafTestOutcome) overloaded = { NULL };
      g_auto (SheafTestOutcome) bad = { NULL };

      sheaf_provider_fixture_run (f, sheaf_test_both_kinds[k], "[[fake status=401]]", &auth);
      g_assert_true (g_str_has_prefix (auth.error->message,
                                       "The API key was rejected. Check it in Preferences."));
      sheaf_provider_fixture_run (f, sheaf_test_both_kinds[k], "[[fake status=404]]", &missing);
      g_assert_cmpstr (missing.error->message, ==,
                       "The model “" SHEAF_TEST_MODEL
                       "” was not found. Check the model name, or the "
                       "base URL in Preferences.");
      sheaf_provider_fixture_run (f, sheaf_test_both_kinds[k], "[[fake status=529]]", &overloaded);
      g_assert_cmpstr (overloaded.error->message, ==,
                       "The provider is overloaded right now. Try again in a few minutes.");
      /* The provider's own words come along, quoted. */
      sheaf_provider_fixture_run (f, sheaf_test_both_kinds[k], "[[fake status=400]]", &bad);
      g_assert_nonnull (strstr (bad.error->message, "The provider said: “"));
      g_assert_nonnull (strstr (bad.error->message, "max_tokens"));
    }
}

static void
test_retry_after (SheafProviderFixture *f, gconstpointer data)
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
    for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
      {
        g_auto (SheafTestOutcome) out = { NULL };

        g_test_message ("%s", cases[i].prompt);
        sheaf_provider_fixture_run (f, sheaf_test_both_kinds[k], cases[i].prompt, &out);
        g_assert_nonnull (out.error);
        g_assert_true (sheaf_error_is_retryable (out.error));
        g_assert_cmpint (out.retry_after_ms, >=, cases[i].min_ms);
        g_assert_cmpint (out.retry_after_ms, <=, cases[i].max_ms);
      }
}

/* Bodies the fake does not send: other servers' shapes, parsed directly. */

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
      g_auto (SheafTestOutcome) out = { NULL };

      g_test_message ("case %u", i);
      sheaf_test_parse_raw (cases[i].kind, cases[i].status, NULL, cases[i].body, &out);
      assert_outcome_code (&out, cases[i].code);
      if (cases[i].says != NULL)
        g_assert_nonnull (strstr (out.error->message, cases[i].says));
      g_assert_null (strstr (out.error->message, "<html"));
    }
}

static void
test_retry_after_parsing (void)
{
  static const char *const junk[] = { "soon", "-5", "", "1e999", "Mon, 99 Foo 2024" };
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) past = g_date_time_add_seconds (now, -3600);
  g_autofree char *past_text = soup_date_time_to_string (past, SOUP_DATE_HTTP);
  g_auto (SheafTestOutcome) decimal = { NULL };
  g_auto (SheafTestOutcome) old = { NULL };
  g_auto (SheafTestOutcome) huge = { NULL };

  sheaf_test_parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 429, "1.5", "{}", &decimal);
  g_assert_cmpint (decimal.retry_after_ms, ==, 1500);
  /* A date in the past means "now". */
  sheaf_test_parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 429, past_text, "{}", &old);
  g_assert_cmpint (old.retry_after_ms, ==, 0);
  sheaf_test_parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 429, "99999999999", "{}", &huge);
  g_assert_cmpint (huge.retry_after_ms, ==, 24 * 60 * 60 * 1000);
  for (guint i = 0; i < G_N_ELEMENTS (junk); i++)
    {
      g_auto (SheafTestOutcome) out = { NULL };

      sheaf_test_parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 429, junk[i], "{}", &out);
      g_assert_error (out.error, SHEAF_ERROR, SHEAF_ERROR_RATE_LIMITED);
      g_assert_cmpint (out.retry_after_ms, ==, -1);
    }
}

static void
test_detail_shortened (void)
{
  g_autoptr (GString) body = g_string_new ("{\"error\":{\"message\":\"");
  g_auto (SheafTestOutcome) out = { NULL };
  const char *quote;

  for (guint i = 0; i < 150; i++)
    g_string_append (body, "é\\n ");
  g_string_append (body, "\",\"type\":\"invalid_request_error\"}}");
  sheaf_test_parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 400, NULL, body->str, &out);
  g_assert_error (out.error, SHEAF_ERROR, SHEAF_ERROR_BAD_REQUEST);
  quote = strstr (out.error->message, "“");
  g_assert_nonnull (quote);
  g_assert_cmpint (g_utf8_strlen (quote, -1), <=, 200 + 2);
  g_assert_null (strchr (out.error->message, '\n'));
  g_assert_nonnull (strstr (out.error->message, "é é…”"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/error/statuses", test_statuses);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/error/overloaded-and-quota", test_overloaded_and_quota);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/error/bad-bodies", test_bad_bodies);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/error/messages", test_messages);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/error/retry-after", test_retry_after);
  g_test_add_func ("/provider/error/retry-after-parsing", test_retry_after_parsing);
  g_test_add_func ("/provider/error/other-shapes", test_other_shapes);
  g_test_add_func ("/provider/error/detail-shortened", test_detail_shortened);

  return g_test_run ();
}
