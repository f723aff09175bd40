/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every answer stays: a second run keeps what the first gave unless it
 * gets a new one, answers asked under other settings are outdated rather
 * than erased, and the speed-up counts only the answers' round trips. */
#include "config.h"

#include <string.h>

#include "sheaf-batch-fixture.h"
#include "sheaf-test-utils.h"

static void
run_answered (SheafBatchFixture *f, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("Text %u", i);

      sheaf_batch_fixture_add_item (f, text);
    }
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);
  g_assert_cmpuint (sheaf_batch_get_n_done (f->batch), ==, n);
}

static gboolean
any_running (gpointer data)
{
  SheafBatchFixture *f = data;

  for (guint i = 0; i < sheaf_batch_fixture_n_items (f); i++)
    if (sheaf_item_get_state (sheaf_batch_fixture_item_at (f, i)) == SHEAF_ITEM_STATE_RUNNING)
      return TRUE;
  return FALSE;
}

/* Stop never erases an answer: rows sent again and stopped keep theirs. */
static void
test_stop_keeps_answers (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (GPOINTER_TO_INT (data));
  g_autofree char *first = NULL;

  run_answered (f, 4);
  first = g_strdup (sheaf_item_get_response (sheaf_batch_fixture_item_at (f, 0)));
  g_assert_nonnull (first);

  sheaf_fake_provider_set_latency_ms (f->fake, 30000);
  sheaf_batch_set_concurrency (f->batch, 2);
  sheaf_batch_fixture_start (f);
  sheaf_test_wait_until (any_running, f, SHEAF_TEST_WAIT_SECONDS, "a row on the wire");
  sheaf_batch_stop (f->batch);
  sheaf_test_wait_for_flag (&f->finished, SHEAF_TEST_WAIT_SECONDS, "the stopped run");

  /* The run itself cancelled all four… */
  g_assert_cmpuint (sheaf_batch_get_n_cancelled (f->batch), ==, 4);
  /* …and every row still holds its answer, as it was. */
  for (guint i = 0; i < 4; i++)
    {
      SheafItem *item = sheaf_batch_fixture_item_at (f, i);

      g_assert_cmpint (sheaf_item_get_state (item), ==, SHEAF_ITEM_STATE_DONE);
      g_assert_nonnull (sheaf_item_get_response (item));
      g_assert_nonnull (sheaf_item_get_sent_key (item));
    }
  g_assert_cmpstr (sheaf_item_get_response (sheaf_batch_fixture_item_at (f, 0)), ==, first);
}

/* A text, template or setting changed marks the answers it affects
 * OUTDATED; changing it back makes them current again. */
static void
test_outdated (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (GPOINTER_TO_INT (data));
  SheafItem *edited;

  run_answered (f, 3);
  g_assert_cmpuint (sheaf_batch_mark_outdated (f->batch, G_LIST_MODEL (f->items)), ==, 0);

  edited = sheaf_batch_fixture_item_at (f, 1);
  sheaf_item_set_text (edited, "Text 1, edited");
  g_assert_cmpuint (sheaf_batch_mark_outdated (f->batch, G_LIST_MODEL (f->items)), ==, 1);
  g_assert_cmpint (sheaf_item_get_state (edited), ==, SHEAF_ITEM_STATE_OUTDATED);
  g_assert_nonnull (sheaf_item_get_response (edited));
  g_assert_true (sheaf_item_has_answer (edited));

  g_object_set (f->batch, "max-tokens", 77, NULL);
  g_assert_cmpuint (sheaf_batch_mark_outdated (f->batch, G_LIST_MODEL (f->items)), ==, 3);
  g_object_set (f->batch, "max-tokens", SHEAF_DEFAULT_MAX_TOKENS, NULL);
  g_object_set (f->batch, "template", "Summarize: {text}", NULL);
  g_assert_cmpuint (sheaf_batch_mark_outdated (f->batch, G_LIST_MODEL (f->items)), ==, 3);
  g_object_set (f->batch, "template", NULL, NULL);
  sheaf_item_set_text (edited, "Text 1");
  g_assert_cmpuint (sheaf_batch_mark_outdated (f->batch, G_LIST_MODEL (f->items)), ==, 0);
  g_assert_cmpint (sheaf_item_get_state (edited), ==, SHEAF_ITEM_STATE_DONE);
}

/* One at a time, the answers' own round trips add up to the wall time. */
static void
test_speedup_one_at_a_time (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (GPOINTER_TO_INT (data));

  sheaf_fake_provider_set_latency_ms (f->fake, 40);
  sheaf_batch_set_concurrency (f->batch, 1);
  run_answered (f, 6);
  g_assert_cmpfloat (sheaf_batch_get_speedup (f->batch), >, 0.5);
  g_assert_cmpfloat (sheaf_batch_get_speedup (f->batch), <=, 1.05);

  /* Many at once, it is the concurrency, nearly. */
  sheaf_batch_set_concurrency (f->batch, 6);
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);
  g_assert_cmpfloat (sheaf_batch_get_speedup (f->batch), >, 2.0);
}

/* Failures and waits are no work done: they add nothing. */
static void
test_speedup_counts_answers_only (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (GPOINTER_TO_INT (data));

  sheaf_fake_provider_set_latency_ms (f->fake, 20);
  for (guint i = 0; i < 8; i++)
    sheaf_batch_fixture_add_item (f, "Bad [[fake status=400]]");
  sheaf_batch_fixture_add_item (f, "Good");
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);
  g_assert_cmpuint (sheaf_batch_get_n_done (f->batch), ==, 1);
  /* Fewer than two answers: no figure at all. */
  g_assert_cmpfloat (sheaf_speedup (1, 5.0, 1.0), ==, 0.0);
  g_assert_cmpfloat (sheaf_batch_get_speedup (f->batch), ==, 0.0);
  g_assert_cmpfloat (sheaf_speedup (2, 5.0, 1.0), ==, 5.0);
}

/* Each time limit is for one attempt, and the message says so. */
static void
test_timeout_counts_tries (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (GPOINTER_TO_INT (data));
  SheafItem *item = sheaf_batch_fixture_add_item (f, "Slow [[fake fault=hang]]");

  g_object_set (f->batch, "timeout", 1, "retries", 2, NULL);
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);
  g_assert_cmpint (sheaf_item_get_state (item), ==, SHEAF_ITEM_STATE_FAILED);
  g_assert_cmpuint (sheaf_item_get_attempts (item), ==, 3);
  g_assert_true (
    g_str_has_prefix (sheaf_item_get_error_message (item), "No answer in 3 tries of 1 s each."));
  g_assert_null (strstr (sheaf_item_get_error_message (item), "Sheaf tried"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  sheaf_batch_fixture_add_for_both ("/answers/", "stop-keeps-answers", test_stop_keeps_answers);
  sheaf_batch_fixture_add_for_both ("/answers/", "outdated", test_outdated);
  sheaf_batch_fixture_add_for_both ("/answers/", "speedup-one-at-a-time",
                                    test_speedup_one_at_a_time);
  sheaf_batch_fixture_add_for_both ("/answers/", "speedup-counts-answers-only",
                                    test_speedup_counts_answers_only);
  sheaf_batch_fixture_add_for_both ("/answers/", "timeout-counts-tries", test_timeout_counts_tries);
  return g_test_run ();
}
