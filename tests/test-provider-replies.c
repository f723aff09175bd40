/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The replies a provider reads: echoed by the fake, and other servers' shapes
 * parsed directly. */
#define G_LOG_DOMAIN "test-provider"

#include "config.h"

#include <string.h>

#include "sheaf-provider-test-utils.h"

/* Reading replies */

static void
test_reply (SheafProviderFixture *f, gconstpointer data)
{
  static const char *const stop_reasons[] = { "end_turn", "stop" };

  for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
    {
      g_auto (SheafTestOutcome) out = { NULL };

      sheaf_provider_fixture_run (f, sheaf_test_both_kinds[k], "What is a sheaf?", &out);
      g_assert_no_error (out.error);
      g_assert_cmpuint (out.status, ==, 200);
      g_assert_cmpint (out.retry_after_ms, ==, -1);
      g_assert_cmpstr (out.reply->text, ==, "Echo: What is a sheaf?");
      g_assert_cmpstr (out.reply->stop_reason, ==, stop_reasons[k]);
      g_assert_cmpstr (out.reply->model, ==, SHEAF_TEST_MODEL);
      g_assert_cmpint (out.reply->input_tokens, ==, (strlen ("What is a sheaf?") + 3) / 4);
      g_assert_cmpint (out.reply->output_tokens, ==, (strlen ("Echo: What is a sheaf?") + 3) / 4);
    }
}

static void
test_hostile (SheafProviderFixture *f, gconstpointer data)
{
  static const char hostile[] =
    "a,b;\"c\" 'd'\n\r\nline\t=1+1\n+SUM(A1)\n@x\n-2+3\n- bullet\n"
    "👩‍👩‍👧‍👦 🎉 مرحبا שלום \\u0000 \\\\ </script> \u2028 \x7f é";

  for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
    {
      g_auto (SheafTestOutcome) echo = { NULL };
      g_auto (SheafTestOutcome) answer = { NULL };
      g_autofree char *expected = g_strconcat ("Echo: ", hostile, NULL);

      /* There and back, byte for byte. */
      sheaf_provider_fixture_run (f, sheaf_test_both_kinds[k], hostile, &echo);
      g_assert_no_error (echo.error);
      g_assert_cmpstr (echo.reply->text, ==, expected);

      sheaf_provider_fixture_run (f, sheaf_test_both_kinds[k], "[[fake fault=hostile]]", &answer);
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
test_huge (SheafProviderFixture *f, gconstpointer data)
{
  for (guint k = 0; k < G_N_ELEMENTS (sheaf_test_both_kinds); k++)
    {
      g_auto (SheafTestOutcome) out = { NULL };

      sheaf_provider_fixture_run (f, sheaf_test_both_kinds[k], "[[fake fault=huge]]", &out);
      g_assert_no_error (out.error);
      g_assert_cmpuint (strlen (out.reply->text), ==, 1024 * 1024);
      g_assert_true (g_str_has_prefix (out.reply->text, "Echo: [[fake fault=huge]] lorem"));
    }
}

static void
test_other_replies (void)
{
  g_auto (SheafTestOutcome) anthropic = { NULL };
  g_auto (SheafTestOutcome) parts = { NULL };
  g_auto (SheafTestOutcome) bare = { NULL };

  sheaf_test_parse_raw (
    SHEAF_PROVIDER_KIND_ANTHROPIC, 200, NULL,
    "{\"model\":\"claude-x\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hm\"},"
    "{\"type\":\"text\",\"text\":\"Hello, \"},{\"type\":\"text\",\"text\":\"world\"}],"
    "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":12,\"output_tokens\":3}}",
    &anthropic);
  g_assert_no_error (anthropic.error);
  g_assert_cmpstr (anthropic.reply->text, ==, "Hello, world");
  g_assert_cmpint (anthropic.reply->input_tokens, ==, 12);
  g_assert_cmpint (anthropic.reply->output_tokens, ==, 3);
  g_assert_cmpint (anthropic.retry_after_ms, ==, -1);

  sheaf_test_parse_raw (
    SHEAF_PROVIDER_KIND_OPENAI, 200, NULL,
    "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"A\"},"
    "{\"type\":\"text\",\"text\":\"B\"}]},\"finish_reason\":\"length\"}]}",
    &parts);
  g_assert_no_error (parts.error);
  g_assert_cmpstr (parts.reply->text, ==, "AB");
  g_assert_cmpstr (parts.reply->stop_reason, ==, "length");

  /* Nothing but the text: the rest is unknown, not an error; nor is an
   * empty error some servers add to a good reply. */
  sheaf_test_parse_raw (SHEAF_PROVIDER_KIND_OPENAI, 201, NULL,
                        "{\"choices\":[{\"message\":{\"content\":\"only text\"}}],\"error\":{}}",
                        &bare);
  g_assert_no_error (bare.error);
  g_assert_cmpstr (bare.reply->text, ==, "only text");
  g_assert_null (bare.reply->stop_reason);
  g_assert_null (bare.reply->model);
  g_assert_cmpint (bare.reply->input_tokens, ==, -1);
  g_assert_cmpint (bare.reply->output_tokens, ==, -1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/reply/basic", test_reply);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/reply/hostile", test_hostile);
  SHEAF_PROVIDER_FIXTURE_ADD ("/provider/reply/huge", test_huge);
  g_test_add_func ("/provider/reply/other-shapes", test_other_replies);

  return g_test_run ();
}
