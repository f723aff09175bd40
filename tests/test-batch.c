/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-batch"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-batch.h"
#include "sheaf-error.h"
#include "sheaf-batch-fixture.h"
#include "sheaf-fake-provider.h"
#include "sheaf-http.h"
#include "sheaf-test-utils.h"

typedef SheafBatchFixture Fixture;

static guint
server_attempts (Fixture *f, SheafItem *item)
{
  return sheaf_fake_provider_get_attempts (f->fake, sheaf_item_get_prompt (item));
}

/* Microseconds between the server's arrival of attempts @a and @b. */
static gint64
arrival_gap (Fixture *f, SheafItem *item, guint a, guint b)
{
  GArray *arrivals = sheaf_fake_provider_get_arrivals (f->fake, sheaf_item_get_prompt (item));

  g_assert_nonnull (arrivals);
  g_assert_cmpuint (arrivals->len, >, MAX (a, b));
  return g_array_index (arrivals, gint64, b) - g_array_index (arrivals, gint64, a);
}

static gint64
first_arrival (Fixture *f, SheafItem *item)
{
  GArray *arrivals = sheaf_fake_provider_get_arrivals (f->fake, sheaf_item_get_prompt (item));

  g_assert_nonnull (arrivals);
  g_assert_cmpuint (arrivals->len, >, 0);
  return g_array_index (arrivals, gint64, 0);
}

static void
assert_item (SheafItem *item, SheafItemState state, guint attempts, guint status)
{
  g_assert_cmpstr (sheaf_item_state_to_string (sheaf_item_get_state (item)), ==,
                   sheaf_item_state_to_string (state));
  g_assert_cmpuint (sheaf_item_get_attempts (item), ==, attempts);
  g_assert_cmpuint (sheaf_item_get_http_status (item), ==, status);
}

static SheafProviderKind
kind_of (gconstpointer data)
{
  return (SheafProviderKind) GPOINTER_TO_INT (data);
}

/* Tests */

static void
test_max_in_flight (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));

  /* Beyond libsoup's default of 2 per host and 10 in all. Requests that are
   * never answered keep their permits, so exactly K are in flight however
   * slowly a busy machine sends them. */
  sheaf_batch_set_concurrency (f->batch, 50);
  sheaf_batch_fixture_add_items (f, 60, 0, "[[fake fault=hang]]");
  sheaf_batch_fixture_start (f);
  SHEAF_TEST_WAIT_UNTIL (sheaf_fake_provider_get_in_flight (f->fake) == 50);
  sheaf_test_drain ();
  g_assert_cmpuint (sheaf_fake_provider_get_max_in_flight (f->fake), ==, 50);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 50);
  sheaf_batch_stop (f->batch);
  SHEAF_TEST_WAIT_UNTIL (f->finished);
  SHEAF_TEST_WAIT_UNTIL (sheaf_fake_provider_get_in_flight (f->fake) == 0);

  /* Answered, they free their permits for the rest. */
  g_list_store_remove_all (f->items);
  sheaf_fake_provider_reset_counters (f->fake);
  sheaf_fake_provider_set_latency_ms (f->fake, 50);
  sheaf_batch_fixture_add_items (f, 200, 0, NULL);
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);

  g_assert_cmpuint (sheaf_fake_provider_get_max_in_flight (f->fake), <=, 50);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 200);
  g_assert_cmpuint (sheaf_fake_provider_get_n_connections (f->fake), <=, 50);
  g_assert_cmpuint (sheaf_batch_get_n_done (f->batch), ==, 200);
  g_assert_cmpuint (sheaf_batch_get_n_failed (f->batch), ==, 0);
  /* Four rounds of 50 ms at the least: no more than K went out at once.
   * How close to that it comes is the benchmark's business. */
  g_assert_cmpfloat (sheaf_batch_get_elapsed (f->batch), >=, 4 * 0.05);
}

static void
test_raise_concurrency (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));

  /* Until the provider has answered once, only two go out at a time (the
   * early-stop tests show why): one answer first. */
  sheaf_batch_fixture_add_items (f, 1, 0, NULL);
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);
  g_list_store_remove_all (f->items);
  sheaf_fake_provider_reset_counters (f->fake);

  sheaf_fake_provider_set_latency_ms (f->fake, 150);
  sheaf_batch_set_concurrency (f->batch, 2);
  sheaf_batch_fixture_add_items (f, 12, 0, NULL);
  sheaf_batch_fixture_start (f);

  SHEAF_TEST_WAIT_UNTIL (sheaf_fake_provider_get_in_flight (f->fake) == 2);
  sheaf_batch_set_concurrency (f->batch, 8);

  /* Six more go out at once, not as the first two come back. */
  SHEAF_TEST_WAIT_UNTIL (sheaf_fake_provider_get_in_flight (f->fake) == 8);
  g_assert_cmpuint (sheaf_batch_get_n_done (f->batch) + sheaf_batch_get_n_failed (f->batch), ==, 0);

  SHEAF_TEST_WAIT_UNTIL (f->finished);
  g_assert_true (f->succeeded);
  g_assert_cmpuint (sheaf_fake_provider_get_max_in_flight (f->fake), ==, 8);
  g_assert_cmpuint (sheaf_batch_get_n_done (f->batch), ==, 12);
}

static void
test_failure_does_not_stop_the_rest (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));
  SheafItem *bad;

  /* The provider answers with a more precise name than the one asked. */
  g_object_set (f->batch, "model", "asked-model", NULL);
  sheaf_batch_fixture_add_items (f, 4, 0, "[[fake model=answered-model]]");
  bad = sheaf_batch_fixture_add_item (f, "Broken [[fake status=400]]");
  sheaf_batch_fixture_add_items (f, 5, 0, "[[fake model=answered-model]]");
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);

  assert_item (bad, SHEAF_ITEM_STATE_FAILED, 1, 400);
  g_assert_nonnull (sheaf_item_get_error_message (bad));
  g_assert_null (sheaf_item_get_response (bad));
  /* A failed row still says which model it was meant for. */
  g_assert_cmpstr (sheaf_item_get_model (bad), ==, "asked-model");
  for (guint i = 0; i < 10; i++)
    if (sheaf_batch_fixture_item_at (f, i) != bad)
      {
        assert_item (sheaf_batch_fixture_item_at (f, i), SHEAF_ITEM_STATE_DONE, 1, 200);
        g_assert_cmpstr (sheaf_item_get_model (sheaf_batch_fixture_item_at (f, i)), ==,
                         "answered-model");
      }

  g_assert_cmpuint (sheaf_batch_get_n_done (f->batch), ==, 9);
  g_assert_cmpuint (sheaf_batch_get_n_failed (f->batch), ==, 1);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 10);
}

static void
test_retry_with_backoff (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));
  SheafItem *flaky, *overloaded, *gateway;

  g_object_set (f->batch, "backoff-ms", 20, "retries", 3, NULL);
  flaky = sheaf_batch_fixture_add_item (f, "Flaky [[fake status=503 times=2]]");
  overloaded = sheaf_batch_fixture_add_item (f, "Always overloaded [[fake status=529]]");
  gateway = sheaf_batch_fixture_add_item (f, "Gateway [[fake status=502 times=1]]");
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);

  assert_item (flaky, SHEAF_ITEM_STATE_DONE, 3, 200);
  g_assert_cmpuint (server_attempts (f, flaky), ==, 3);
  g_assert_null (sheaf_item_get_error_message (flaky));
  /* Equal jitter: at least half of 20 ms, then half of 40 ms. */
  g_assert_cmpint (arrival_gap (f, flaky, 0, 1), >=, 10 * 1000);
  g_assert_cmpint (arrival_gap (f, flaky, 1, 2), >=, 20 * 1000);

  /* 1 try + 3 retries, then it says how often it tried. */
  assert_item (overloaded, SHEAF_ITEM_STATE_FAILED, 4, 529);
  g_assert_cmpuint (server_attempts (f, overloaded), ==, 4);
  g_assert_nonnull (strstr (sheaf_item_get_error_message (overloaded), "tried 4 times"));

  assert_item (gateway, SHEAF_ITEM_STATE_DONE, 2, 200);
  g_assert_cmpuint (server_attempts (f, gateway), ==, 2);
}

static void
test_retry_state (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));
  SheafItem *item =
    sheaf_batch_fixture_add_item (f, "Busy [[fake status=503 retry-after-ms=150 times=1]]");
  double retry_seconds = 0.0;

  sheaf_batch_fixture_start (f);
  SHEAF_TEST_WAIT_UNTIL (sheaf_item_get_state (item) == SHEAF_ITEM_STATE_RETRYING);
  retry_seconds = sheaf_item_get_retry_seconds (item);
  g_assert_cmpfloat_with_epsilon (retry_seconds, 0.15, 1e-9);
  g_assert_nonnull (sheaf_item_get_error_message (item));
  g_assert_cmpuint (sheaf_item_get_http_status (item), ==, 503);
  SHEAF_TEST_WAIT_UNTIL (f->finished);

  assert_item (item, SHEAF_ITEM_STATE_DONE, 2, 200);
  g_assert_cmpfloat (sheaf_item_get_retry_seconds (item), ==, 0.0);
  g_assert_cmpint (arrival_gap (f, item, 0, 1), >=, 150 * 1000);
}

/* Starts one fixture per provider, and waits for all. */
static void
run_both (Fixture *fixtures[2])
{
  for (guint i = 0; i < 2; i++)
    sheaf_batch_fixture_start (fixtures[i]);
  SHEAF_TEST_WAIT_UNTIL (fixtures[0]->finished && fixtures[1]->finished);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_no_error (fixtures[i]->error);
      g_assert_true (fixtures[i]->succeeded);
    }
}

static void
test_retry_after (void)
{
  g_autoptr (SheafBatchFixture) anthropic = sheaf_batch_fixture_new (SHEAF_PROVIDER_KIND_ANTHROPIC);
  g_autoptr (SheafBatchFixture) openai = sheaf_batch_fixture_new (SHEAF_PROVIDER_KIND_OPENAI);
  Fixture *both[2] = { anthropic, openai };
  SheafItem *seconds[2], *millis[2];

  for (guint i = 0; i < 2; i++)
    {
      seconds[i] = sheaf_batch_fixture_add_item (
        both[i], "Slow down [[fake status=429 retry-after=1 times=1]]");
      millis[i] = sheaf_batch_fixture_add_item (
        both[i], "Slow down a bit [[fake status=429 retry-after-ms=250 times=1]]");
    }
  run_both (both);

  for (guint i = 0; i < 2; i++)
    {
      assert_item (seconds[i], SHEAF_ITEM_STATE_DONE, 2, 200);
      assert_item (millis[i], SHEAF_ITEM_STATE_DONE, 2, 200);
      /* backoff-ms is 5: only the provider's word explains these waits. */
      g_assert_cmpint (arrival_gap (both[i], seconds[i], 0, 1), >=, G_USEC_PER_SEC);
      g_assert_cmpint (arrival_gap (both[i], millis[i], 0, 1), >=, 250 * 1000);
    }
}

static void
test_rate_limit_pauses_sends (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));
  SheafItem *limited, *later;

  /* The 429 comes back at once; the other slot is busy for 100 ms, so the
   * third item would go out right after the 429 were it not for the pause. */
  sheaf_batch_set_concurrency (f->batch, 2);
  limited = sheaf_batch_fixture_add_item (
    f, "First [[fake status=429 retry-after-ms=200 times=1 latency=0]]");
  sheaf_batch_fixture_add_item (f, "Second [[fake latency=100]]");
  later = sheaf_batch_fixture_add_item (f, "Third [[fake latency=0]]");
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);

  /* The third had a free permit right after the 429, yet waited for the
   * pause to end. */
  g_assert_cmpint (first_arrival (f, later) - first_arrival (f, limited), >=, 200 * 1000);
  assert_item (limited, SHEAF_ITEM_STATE_DONE, 2, 200);
  assert_item (later, SHEAF_ITEM_STATE_DONE, 1, 200);
  g_assert_cmpuint (sheaf_batch_get_n_done (f->batch), ==, 3);
}

static void
test_not_retried (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));
  SheafItem *unauthorized, *bad_request, *quota, *not_found;

  g_object_set (f->batch, "retries", 3, NULL);
  unauthorized = sheaf_batch_fixture_add_item (f, "Key [[fake status=401]]");
  bad_request = sheaf_batch_fixture_add_item (f, "Bad [[fake status=400]]");
  quota = sheaf_batch_fixture_add_item (f, "Quota [[fake error=quota]]");
  not_found = sheaf_batch_fixture_add_item (f, "Missing [[fake status=404]]");
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);

  assert_item (unauthorized, SHEAF_ITEM_STATE_FAILED, 1, 401);
  assert_item (bad_request, SHEAF_ITEM_STATE_FAILED, 1, 400);
  assert_item (quota, SHEAF_ITEM_STATE_FAILED, 1, 429);
  assert_item (not_found, SHEAF_ITEM_STATE_FAILED, 1, 404);
  g_assert_cmpuint (server_attempts (f, unauthorized), ==, 1);
  g_assert_cmpuint (server_attempts (f, bad_request), ==, 1);
  g_assert_cmpuint (server_attempts (f, quota), ==, 1);
  g_assert_cmpuint (server_attempts (f, not_found), ==, 1);
  g_assert_null (strstr (sheaf_item_get_error_message (quota), "tried"));
  g_assert_cmpuint (sheaf_batch_get_n_failed (f->batch), ==, 4);
  /* No model was set: a failed row names the provider's default. */
  g_assert_cmpstr (sheaf_item_get_model (unauthorized), ==,
                   sheaf_provider_kind_default_model (f->kind));
}

static void
test_stop (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));
  gint64 stopped_at;

  sheaf_batch_set_concurrency (f->batch, 5);
  sheaf_batch_fixture_add_items (f, 5, 0, "[[fake latency=1]]");
  sheaf_batch_fixture_add_items (f, 15, 0, "[[fake latency=5000]]");
  sheaf_batch_fixture_start (f);

  SHEAF_TEST_WAIT_UNTIL (sheaf_batch_get_n_done (f->batch) == 5 &&
                         sheaf_fake_provider_get_in_flight (f->fake) == 5);
  stopped_at = g_get_monotonic_time ();
  sheaf_batch_stop (f->batch);
  /* Stopping never completes the run inside stop(). */
  g_assert_false (f->finished);
  SHEAF_TEST_WAIT_UNTIL (f->finished);

  g_assert_no_error (f->error);
  g_assert_true (f->succeeded);
  g_assert_cmpint (f->finished_at - stopped_at, <, G_USEC_PER_SEC / 2);
  for (guint i = 0; i < 20; i++)
    {
      SheafItem *item = sheaf_batch_fixture_item_at (f, i);

      if (i < 5)
        {
          assert_item (item, SHEAF_ITEM_STATE_DONE, 1, 200);
          g_assert_nonnull (sheaf_item_get_response (item));
        }
      else
        g_assert_cmpint (sheaf_item_get_state (item), ==, SHEAF_ITEM_STATE_CANCELLED);
    }
  g_assert_cmpuint (sheaf_batch_get_n_done (f->batch), ==, 5);
  g_assert_cmpuint (sheaf_batch_get_n_cancelled (f->batch), ==, 15);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 10);

  /* The server sees the requests in flight go away. */
  SHEAF_TEST_WAIT_UNTIL (sheaf_fake_provider_get_in_flight (f->fake) == 0);
}

static void
test_stop_while_waiting_to_retry (void)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (SHEAF_PROVIDER_KIND_ANTHROPIC);
  SheafItem *item = sheaf_batch_fixture_add_item (f, "Busy [[fake status=503 retry-after=30]]");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  /* Stopping through the cancellable given to run_async() works too. */
  sheaf_batch_run_async (f->batch, G_LIST_MODEL (f->items), cancellable, sheaf_batch_fixture_run_cb,
                         f);
  SHEAF_TEST_WAIT_UNTIL (sheaf_item_get_state (item) == SHEAF_ITEM_STATE_RETRYING);
  g_cancellable_cancel (cancellable);
  SHEAF_TEST_WAIT_UNTIL (f->finished);

  g_assert_no_error (f->error);
  g_assert_true (f->succeeded);
  g_assert_cmpint (sheaf_item_get_state (item), ==, SHEAF_ITEM_STATE_CANCELLED);
  g_assert_cmpuint (server_attempts (f, item), ==, 1);
}

static void
test_timeout (void)
{
  g_autoptr (SheafBatchFixture) anthropic = sheaf_batch_fixture_new (SHEAF_PROVIDER_KIND_ANTHROPIC);
  g_autoptr (SheafBatchFixture) openai = sheaf_batch_fixture_new (SHEAF_PROVIDER_KIND_OPENAI);
  Fixture *both[2] = { anthropic, openai };
  SheafItem *hang[2], *fine[2];

  for (guint i = 0; i < 2; i++)
    {
      g_object_set (both[i]->batch, "timeout", 1, "retries", 0, NULL);
      hang[i] = sheaf_batch_fixture_add_item (both[i], "Hang [[fake fault=hang]]");
      fine[i] = sheaf_batch_fixture_add_item (both[i], "Fine");
    }
  /* The window's message points to its settings, sheaf-cli's to --timeout. */
  sheaf_batch_set_settings_place (openai->batch, SHEAF_SETTINGS_COMMAND_LINE);
  run_both (both);
  g_assert_cmpstr (sheaf_item_get_error_message (hang[0]), ==,
                   "No answer within 1 second. The provider may be busy, or the answer long: try "
                   "again later, or allow more time in the settings.");
  g_assert_cmpstr (sheaf_item_get_error_message (hang[1]), ==,
                   "No answer within 1 second. The provider may be busy, or the answer long: try "
                   "again later, or allow more time with --timeout.");

  for (guint i = 0; i < 2; i++)
    {
      double seconds = sheaf_item_get_seconds (hang[i]);

      assert_item (hang[i], SHEAF_ITEM_STATE_FAILED, 1, 0);
      g_assert_nonnull (strstr (sheaf_item_get_error_message (hang[i]), "1 second"));
      g_assert_cmpfloat (seconds, >=, 1.0);
      g_assert_cmpfloat (seconds, <, 1.5);
      assert_item (fine[i], SHEAF_ITEM_STATE_DONE, 1, 200);
      /* The request was given up on the wire, not only forgotten. */
      SHEAF_TEST_WAIT_UNTIL (sheaf_fake_provider_get_in_flight (both[i]->fake) == 0);
    }
}

static void
test_dropped_connection (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));
  SheafItem *dropped = sheaf_batch_fixture_add_item (f, "Dropped [[fake fault=drop times=1]]");

  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);
  assert_item (dropped, SHEAF_ITEM_STATE_DONE, 2, 200);
  g_assert_cmpuint (server_attempts (f, dropped), ==, 2);
}

static void
test_connection_reuse (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));

  sheaf_batch_set_concurrency (f->batch, 20);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *text = g_strdup_printf ("Text %u [[fake latency=%u]]", i, 1 + i % 5);

      sheaf_batch_fixture_add_item (f, text);
    }
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);

  g_assert_cmpuint (sheaf_batch_get_n_done (f->batch), ==, 1000);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 1000);
  g_test_message ("%u connections for 1000 requests",
                  sheaf_fake_provider_get_n_connections (f->fake));
  g_assert_cmpuint (sheaf_fake_provider_get_n_connections (f->fake), <=, 20);
}

static void
test_item_outcome (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));
  SheafItem *item;

  sheaf_fake_provider_set_latency_ms (f->fake, 50);
  g_object_set (f->batch, "template", "Title: {title}\n{text}", "model", "test-model", NULL);
  item = sheaf_batch_fixture_add_item (f, "Hello there");
  sheaf_item_set_response (item, "stale answer from an earlier run");
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);

  assert_item (item, SHEAF_ITEM_STATE_DONE, 1, 200);
  g_assert_cmpstr (sheaf_item_get_prompt (item), ==, "Title: Item 0\nHello there");
  g_assert_true (g_str_has_prefix (sheaf_item_get_response (item), "Echo: Title: Item 0"));
  g_assert_null (sheaf_item_get_error_message (item));
  g_assert_cmpstr (sheaf_item_get_model (item), ==, "test-model");
  g_assert_nonnull (sheaf_item_get_stop_reason (item));
  g_assert_cmpint (sheaf_item_get_input_tokens (item), >, 0);
  g_assert_cmpint (sheaf_item_get_output_tokens (item), >, 0);
  g_assert_cmpfloat (sheaf_item_get_seconds (item), >=, 0.05);
  g_assert_cmpfloat (sheaf_item_get_seconds (item), <, 5.0);
  /* One attempt: its round trip is the item's own time, less the wait
   * before it was sent. */
  g_assert_cmpfloat (sheaf_batch_get_sum_seconds (f->batch), >, 0.0);
  g_assert_cmpfloat (sheaf_batch_get_sum_seconds (f->batch), <=, sheaf_item_get_seconds (item));
  g_assert_cmpfloat (sheaf_batch_get_elapsed (f->batch), >=, sheaf_item_get_seconds (item));
  g_assert_nonnull (strstr (sheaf_fake_provider_get_last_body (f->fake), "test-model"));
  g_assert_cmpstr (
    soup_message_headers_get_one (sheaf_fake_provider_get_last_headers (f->fake), "User-Agent"), ==,
    "Sheaf/" PACKAGE_VERSION);
}

typedef struct
{
  SheafBatch *batch;
  GHashTable *finished; /* SheafItem * → count */
  guint n_item_finished;
  guint n_notify_done;
  guint n_notify_failed;
  guint n_notify_finished;
  guint n_notify_running;
} Progress;

static void
item_finished_cb (SheafBatch *batch, SheafItem *item, Progress *progress)
{
  guint n_finished;
  SheafItemState state = sheaf_item_get_state (item);

  g_assert_true (state == SHEAF_ITEM_STATE_DONE || state == SHEAF_ITEM_STATE_FAILED);
  g_assert_false (g_hash_table_contains (progress->finished, item));
  g_hash_table_add (progress->finished, item);
  progress->n_item_finished++;

  /* Counters are up to date when the signal comes. */
  g_object_get (batch, "n-finished", &n_finished, NULL);
  g_assert_cmpuint (n_finished, ==, progress->n_item_finished);
}

static void
progress_notify_cb (GObject *object, GParamSpec *pspec, Progress *progress)
{
  if (g_str_equal (pspec->name, "n-done"))
    progress->n_notify_done++;
  else if (g_str_equal (pspec->name, "n-failed"))
    progress->n_notify_failed++;
  else if (g_str_equal (pspec->name, "n-finished"))
    progress->n_notify_finished++;
  else if (g_str_equal (pspec->name, "running"))
    progress->n_notify_running++;
}

static void
test_counters_and_signal (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));
  g_autoptr (GHashTable) finished = g_hash_table_new (NULL, NULL);
  Progress progress = { .batch = f->batch, .finished = finished };
  double sum = 0.0;
  guint n_total;

  sheaf_batch_fixture_add_items (f, 18, 0, NULL);
  sheaf_batch_fixture_add_item (f, "Bad [[fake status=400]]");
  sheaf_batch_fixture_add_item (f, "Also bad [[fake status=403]]");
  g_signal_connect (f->batch, "item-finished", G_CALLBACK (item_finished_cb), &progress);
  g_signal_connect (f->batch, "notify", G_CALLBACK (progress_notify_cb), &progress);

  for (guint round = 0; round < 2; round++)
    {
      g_hash_table_remove_all (finished);
      progress.n_item_finished = progress.n_notify_done = progress.n_notify_failed = 0;
      progress.n_notify_finished = progress.n_notify_running = 0;

      sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);

      g_object_get (f->batch, "n-total", &n_total, NULL);
      g_assert_cmpuint (n_total, ==, 20);
      g_assert_cmpuint (progress.n_item_finished, ==, 20);
      g_assert_cmpuint (g_hash_table_size (finished), ==, 20);
      g_assert_cmpuint (sheaf_batch_get_n_done (f->batch), ==, 18);
      g_assert_cmpuint (sheaf_batch_get_n_failed (f->batch), ==, 2);
      g_assert_cmpuint (sheaf_batch_get_n_cancelled (f->batch), ==, 0);
      /* One notification per change; the second round starts by going back
       * to zero, which is one more change of each. */
      g_assert_cmpuint (progress.n_notify_done, ==, 18 + round);
      g_assert_cmpuint (progress.n_notify_failed, ==, 2 + round);
      g_assert_cmpuint (progress.n_notify_finished, ==, 20 + round);
      g_assert_cmpuint (progress.n_notify_running, ==, 2);
    }

  /* Only the answers' round trips count, and none is longer than its row. */
  for (guint i = 0; i < 20; i++)
    if (sheaf_item_get_state (sheaf_batch_fixture_item_at (f, i)) == SHEAF_ITEM_STATE_DONE)
      sum += sheaf_item_get_seconds (sheaf_batch_fixture_item_at (f, i));
  g_assert_cmpfloat (sheaf_batch_get_sum_seconds (f->batch), >, 0.0);
  g_assert_cmpfloat (sheaf_batch_get_sum_seconds (f->batch), <=, sum + 1e-9);

  g_signal_handlers_disconnect_by_data (f->batch, &progress);
}

/* A prompt above the providers' 32 MB fails its row, unsent, with a plain
 * message; a 413 is tried once and says the request was too large. */
static void
test_too_large (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (GPOINTER_TO_INT (data));
  g_autoptr (GString) template_ = g_string_new (NULL);
  g_autofree char *big_text = g_strnfill (1024 * 1024, 'x');
  SheafItem *big = sheaf_batch_fixture_add_item (f, big_text);
  SheafItem *refused = sheaf_batch_fixture_add_item (f, "[[fake status=413]]");
  SheafItem *fine = sheaf_batch_fixture_add_item (f, "fine");

  /* 40 MiB for the big one. */
  for (guint i = 0; i < 40; i++)
    g_string_append (template_, "{text}");
  g_object_set (f->batch, "template", template_->str, "retries", 3, NULL);
  sheaf_batch_fixture_run (f, 10);

  g_assert_cmpint (sheaf_item_get_state (big), ==, SHEAF_ITEM_STATE_FAILED);
  sheaf_test_assert_contains (sheaf_item_get_error_message (big),
                              "more than 32 MB (32,000,000 bytes)");
  g_assert_null (sheaf_item_get_prompt (big));
  g_assert_cmpint (sheaf_item_get_state (refused), ==, SHEAF_ITEM_STATE_FAILED);
  sheaf_test_assert_contains (sheaf_item_get_error_message (refused),
                              "too large for the provider (HTTP 413)");
  g_assert_cmpuint (sheaf_item_get_attempts (refused), ==, 1);
  g_assert_cmpint (sheaf_item_get_state (fine), ==, SHEAF_ITEM_STATE_DONE);
  /* The big one never left: one request for the 413, one for "fine". */
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 2);
}

static void
test_run_errors (void)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (SHEAF_PROVIDER_KIND_ANTHROPIC);
  g_autoptr (SheafProvider) insecure =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_ANTHROPIC, "http://example.com", "sk-secret");
  g_autoptr (SheafProvider) bad_url =
    sheaf_provider_new (SHEAF_PROVIDER_KIND_OPENAI, "ftp://example.com", "");
  g_autoptr (SheafProvider) good = g_object_ref (f->provider);
  Fixture second = { 0 };
  SheafItem *item = sheaf_batch_fixture_add_item (f, "Text [[fake latency=20]]");

  /* Nothing is sent when no request could work; the items stay as they were. */
  sheaf_item_set_state (item, SHEAF_ITEM_STATE_DONE);
  sheaf_batch_set_provider (f->batch, insecure);
  sheaf_batch_run_async (f->batch, G_LIST_MODEL (f->items), NULL, sheaf_batch_fixture_run_cb, f);
  g_assert_false (f->finished);
  SHEAF_TEST_WAIT_UNTIL (f->finished);
  g_assert_error (f->error, SHEAF_ERROR, SHEAF_ERROR_INSECURE);
  g_assert_false (f->succeeded);
  g_assert_cmpint (sheaf_item_get_state (item), ==, SHEAF_ITEM_STATE_DONE);

  sheaf_batch_set_provider (f->batch, bad_url);
  f->finished = FALSE;
  g_clear_error (&f->error);
  sheaf_batch_run_async (f->batch, G_LIST_MODEL (f->items), NULL, sheaf_batch_fixture_run_cb, f);
  SHEAF_TEST_WAIT_UNTIL (f->finished);
  g_assert_error (f->error, SHEAF_ERROR, SHEAF_ERROR_CONFIG);

  /* One run at a time. */
  sheaf_batch_set_provider (f->batch, good);
  sheaf_batch_fixture_start (f);
  sheaf_batch_run_async (f->batch, G_LIST_MODEL (f->items), NULL, sheaf_batch_fixture_run_cb,
                         &second);
  SHEAF_TEST_WAIT_UNTIL (second.finished);
  g_assert_error (second.error, SHEAF_ERROR, SHEAF_ERROR_FAILED);
  g_clear_error (&second.error);
  SHEAF_TEST_WAIT_UNTIL (f->finished);
  g_assert_true (f->succeeded);
  g_assert_cmpint (sheaf_item_get_state (item), ==, SHEAF_ITEM_STATE_DONE);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 1);
}

static void
test_http_session (void)
{
  g_autoptr (SoupSession) session = sheaf_http_session_new (SHEAF_MAX_CONCURRENCY, 600);
  g_autoptr (SoupSession) unlimited = sheaf_http_session_new (4, 0);
  g_autofree char *user_agent = NULL;
  int max_conns, max_conns_per_host;
  guint timeout, idle_timeout;

  g_object_get (session, "max-conns", &max_conns, "max-conns-per-host", &max_conns_per_host,
                "timeout", &timeout, "idle-timeout", &idle_timeout, "user-agent", &user_agent,
                NULL);
  g_assert_cmpint (max_conns, ==, SHEAF_MAX_CONCURRENCY);
  g_assert_cmpint (max_conns_per_host, ==, SHEAF_MAX_CONCURRENCY);
  g_assert_cmpuint (timeout, ==, 600);
  g_assert_cmpuint (idle_timeout, >, 0);
  g_assert_cmpstr (user_agent, ==, "Sheaf/" PACKAGE_VERSION);

  g_object_get (unlimited, "max-conns-per-host", &max_conns_per_host, "timeout", &timeout, NULL);
  g_assert_cmpint (max_conns_per_host, ==, 4);
  g_assert_cmpuint (timeout, ==, 0);
}

static void
count_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* The batch's own messages name the settings where they are. */
static void
test_settings_place (void)
{
  g_autoptr (SheafBatch) batch = sheaf_batch_new (NULL);
  g_autoptr (GListStore) items = g_list_store_new (SHEAF_TYPE_ITEM);
  Fixture f = { 0 };
  SheafSettingsPlace place = SHEAF_SETTINGS_COMMAND_LINE;
  guint notified = 0;

  g_object_get (batch, "settings-place", &place, NULL);
  g_assert_cmpint (place, ==, SHEAF_SETTINGS_PREFERENCES);
  g_signal_connect (batch, "notify::settings-place", G_CALLBACK (count_cb), &notified);

  sheaf_batch_run_async (batch, G_LIST_MODEL (items), NULL, sheaf_batch_fixture_run_cb, &f);
  SHEAF_TEST_WAIT_UNTIL (f.finished);
  g_assert_error (f.error, SHEAF_ERROR, SHEAF_ERROR_CONFIG);
  g_assert_cmpstr (f.error->message, ==, "No provider is set up. Choose one in Preferences.");
  g_clear_error (&f.error);

  sheaf_batch_set_settings_place (batch, SHEAF_SETTINGS_PREFERENCES);
  g_assert_cmpuint (notified, ==, 0);
  g_object_set (batch, "settings-place", SHEAF_SETTINGS_COMMAND_LINE, NULL);
  sheaf_batch_set_settings_place (batch, SHEAF_SETTINGS_COMMAND_LINE);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (sheaf_batch_get_settings_place (batch), ==, SHEAF_SETTINGS_COMMAND_LINE);

  f.finished = FALSE;
  sheaf_batch_run_async (batch, G_LIST_MODEL (items), NULL, sheaf_batch_fixture_run_cb, &f);
  SHEAF_TEST_WAIT_UNTIL (f.finished);
  g_assert_error (f.error, SHEAF_ERROR, SHEAF_ERROR_CONFIG);
  g_assert_cmpstr (f.error->message, ==, "No provider is set up. Choose one with --provider.");
  g_clear_error (&f.error);
}

/* The batch tells its HTTP sessions, new and old, where the settings are:
 * an answer too large names --base-url on the command line. */
static void
test_settings_place_sessions (void)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (SHEAF_PROVIDER_KIND_OPENAI);
  SheafItem *item = sheaf_batch_fixture_add_item (f, "Too much");

  sheaf_fake_provider_set_answer_bytes (f->fake, SHEAF_HTTP_MAX_BODY + 1);
  g_object_set (f->batch, "retries", 0, "settings-place", SHEAF_SETTINGS_COMMAND_LINE, NULL);
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);
  assert_item (item, SHEAF_ITEM_STATE_FAILED, 1, 0);
  g_assert_cmpstr (sheaf_item_get_error_message (item), ==,
                   "The server sent an answer larger than 32 MB, far more than any answer to one "
                   "prompt, and Sheaf stopped reading it. Check --base-url.");

  sheaf_batch_set_settings_place (f->batch, SHEAF_SETTINGS_PREFERENCES);
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);
  assert_item (item, SHEAF_ITEM_STATE_FAILED, 1, 0);
  g_assert_cmpstr (sheaf_item_get_error_message (item), ==,
                   "The server sent an answer larger than 32 MB, far more than any answer to one "
                   "prompt, and Sheaf stopped reading it. Check the base URL in Preferences.");
}

static void
test_empty (void)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (SHEAF_PROVIDER_KIND_OPENAI);

  sheaf_batch_run_async (f->batch, G_LIST_MODEL (f->items), NULL, sheaf_batch_fixture_run_cb, f);
  g_assert_false (f->finished);
  SHEAF_TEST_WAIT_UNTIL (f->finished);
  g_assert_true (f->succeeded);
  g_assert_false (sheaf_batch_get_running (f->batch));
  g_assert_cmpuint (sheaf_batch_get_n_total (f->batch), ==, 0);
  g_assert_cmpuint (sheaf_fake_provider_get_n_requests (f->fake), ==, 0);
}

/* A rate limit that never lets a row through fails it after the
 * patience, saying so in the words of the place that runs it; the retries
 * (none here) do not count those waits. */
static void
test_rate_limit_patience (gconstpointer data)
{
  g_autoptr (SheafBatchFixture) f = sheaf_batch_fixture_new (kind_of (data));
  SheafItem *item;

  g_object_set (f->batch, "rate-limit-patience", 1, "retries", 0, NULL);
  item = sheaf_batch_fixture_add_item (f, "Never [[fake status=429 retry-after-ms=400]]");
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);
  /* Waits of 0.4 s: after three of them the patience is used up. */
  assert_item (item, SHEAF_ITEM_STATE_FAILED, 4, 429);
  sheaf_test_assert_contains (sheaf_item_get_error_message (item), "rate limit");
  sheaf_test_assert_contains (sheaf_item_get_error_message (item), "Concurrency");

  sheaf_batch_set_settings_place (f->batch, SHEAF_SETTINGS_COMMAND_LINE);
  sheaf_batch_fixture_run (f, SHEAF_TEST_WAIT_SECONDS);
  sheaf_test_assert_contains (sheaf_item_get_error_message (item), "--concurrency");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  sheaf_batch_fixture_add_for_both ("/batch/", "max-in-flight", test_max_in_flight);
  sheaf_batch_fixture_add_for_both ("/batch/", "too-large", test_too_large);
  sheaf_batch_fixture_add_for_both ("/batch/", "raise-concurrency", test_raise_concurrency);
  sheaf_batch_fixture_add_for_both ("/batch/", "failure-does-not-stop-the-rest",
                                    test_failure_does_not_stop_the_rest);
  sheaf_batch_fixture_add_for_both ("/batch/", "retry-with-backoff", test_retry_with_backoff);
  sheaf_batch_fixture_add_for_both ("/batch/", "retry-state", test_retry_state);
  sheaf_batch_fixture_add_for_both ("/batch/", "rate-limit-pauses-sends",
                                    test_rate_limit_pauses_sends);
  sheaf_batch_fixture_add_for_both ("/batch/", "not-retried", test_not_retried);
  sheaf_batch_fixture_add_for_both ("/batch/", "rate-limit-patience", test_rate_limit_patience);
  sheaf_batch_fixture_add_for_both ("/batch/", "stop", test_stop);
  sheaf_batch_fixture_add_for_both ("/batch/", "dropped-connection", test_dropped_connection);
  sheaf_batch_fixture_add_for_both ("/batch/", "connection-reuse", test_connection_reuse);
  sheaf_batch_fixture_add_for_both ("/batch/", "item-outcome", test_item_outcome);
  sheaf_batch_fixture_add_for_both ("/batch/", "counters-and-signal", test_counters_and_signal);
  g_test_add_func ("/batch/retry-after", test_retry_after);
  g_test_add_func ("/batch/timeout", test_timeout);
  g_test_add_func ("/batch/stop-while-waiting-to-retry", test_stop_while_waiting_to_retry);
  g_test_add_func ("/batch/run-errors", test_run_errors);
  g_test_add_func ("/batch/empty", test_empty);
  g_test_add_func ("/batch/settings-place", test_settings_place);
  g_test_add_func ("/batch/settings-place/sessions", test_settings_place_sessions);
  g_test_add_func ("/batch/http-session", test_http_session);

  return g_test_run ();
}
