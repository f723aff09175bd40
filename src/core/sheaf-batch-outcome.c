/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-batch"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-batch-job.h"
#include "sheaf-error.h"
#include "sheaf-source.h"

/* Unreachable attempts, with nothing answered yet, that stop the run. */
#define UNREACHABLE_TO_STOP 2

/* Ends */

void
_sheaf_job_fail (Job *job, const char *message, guint status)
{
  sheaf_item_set_error_message (job->item, message);
  sheaf_item_set_http_status (job->item, status);
  _sheaf_job_finish (job, SHEAF_ITEM_STATE_FAILED);
}

void
_sheaf_job_not_sent (Job *job)
{
  sheaf_item_set_error_message (job->item, job->run->self->halt_message);
  sheaf_item_set_http_status (job->item, 0);
  _sheaf_job_finish (job, SHEAF_ITEM_STATE_NOT_SENT);
}

/* Overload */

static void
note_overload (SheafBatchRun *run, gboolean overloaded)
{
  if (!sheaf_overload_note (&run->overload, overloaded))
    return;

  sheaf_semaphore_set_limit (run->self->semaphore, run->overload.allowed);
  _sheaf_batch_set_effective_concurrency (run->self, run->overload.allowed);
}

static gboolean
is_overload (const GError *error, guint status)
{
  return g_error_matches (error, SHEAF_ERROR, SHEAF_ERROR_OVERLOADED) ||
         (g_error_matches (error, SHEAF_ERROR, SHEAF_ERROR_SERVER) && status == 503);
}

void
_sheaf_job_succeed (Job *job, SheafReply *reply, guint status)
{
  SheafItem *item = job->item;

  job->run->n_succeeded++;
  job->round_trip = (g_get_monotonic_time () - job->attempt_us) / (double) G_USEC_PER_SEC;
  note_overload (job->run, FALSE);
  sheaf_item_set_response (item, reply->text);
  sheaf_item_set_error_message (item, NULL);
  sheaf_item_set_http_status (item, status);
  sheaf_item_set_input_tokens (item, reply->input_tokens);
  sheaf_item_set_output_tokens (item, reply->output_tokens);
  sheaf_item_set_model (item, reply->model != NULL ? reply->model : job->run->model);
  sheaf_item_set_stop_reason (item, reply->stop_reason);
  _sheaf_job_finish (job, SHEAF_ITEM_STATE_DONE);
}

/* Stopping early */

gboolean
_sheaf_error_is_hopeless (const GError *error)
{
  static const SheafError hopeless[] = { SHEAF_ERROR_AUTH, SHEAF_ERROR_PERMISSION,
                                         SHEAF_ERROR_NOT_FOUND, SHEAF_ERROR_QUOTA,
                                         SHEAF_ERROR_CONFIG };

  for (guint i = 0; i < G_N_ELEMENTS (hopeless); i++)
    if (g_error_matches (error, SHEAF_ERROR, hopeless[i]))
      return TRUE;
  return FALSE;
}

/* Whether @error says that no request of this run can work. */
static gboolean
stops_run (SheafBatchRun *run, const GError *error, gboolean unreachable)
{
  if (_sheaf_error_is_hopeless (error))
    return TRUE;
  /* A server that has never answered this run and cannot be reached now
   * is not there; one that answered before may be restarting. */
  return unreachable && run->n_succeeded == 0 && ++run->n_unreachable >= UNREACHABLE_TO_STOP;
}

static void
run_halt (SheafBatchRun *run, const GError *error)
{
  if (run->halted || run->stopped)
    return;

  run->halted = TRUE;
  _sheaf_batch_set_halt (run->self, error);
  sheaf_pacer_distrust (run->pacer);
  /* Waiters for a permit hear it through the shared cancellable. */
  g_cancellable_cancel (run->cancellable);
  _sheaf_run_finish_waiting (run, SHEAF_ITEM_STATE_NOT_SENT);
}

/* Retries */

static gint64
backoff_ms (SheafBatchRun *run, guint attempts)
{
  guint64 base = run->backoff_ms;

  /* Exponential, capped, with "equal jitter": half the wait is fixed, the
   * other half random, so that items that failed together spread out. */
  for (guint i = 1; i < attempts && base < SHEAF_BATCH_MAX_BACKOFF_MS; i++)
    base *= 2;
  base = MIN (base, SHEAF_BATCH_MAX_BACKOFF_MS);

  return (gint64) (base / 2 + g_random_double () * (base - base / 2));
}

static gboolean
retry_cb (gpointer user_data)
{
  Job *job = user_data;

  g_queue_unlink (&job->run->retrying, &job->wait_link);
  sheaf_clear_source (&job->retry_source);
  _sheaf_job_queue (job);
  _sheaf_run_update_wait (job->run);

  return G_SOURCE_REMOVE;
}

static void
job_retry (Job *job, const GError *error, gint64 wait_ms, guint status)
{
  SheafBatchRun *run = job->run;

  _sheaf_job_release_permit (job);

  sheaf_item_set_error_message (job->item, error->message);
  sheaf_item_set_http_status (job->item, status);
  sheaf_item_set_retry_seconds (job->item, wait_ms / 1000.0);
  job->retry_at_us = g_get_monotonic_time () + wait_ms * 1000;
  sheaf_item_set_retry_at (job->item, job->retry_at_us);
  sheaf_item_set_attempt_started (job->item, 0);
  sheaf_item_set_state (job->item, SHEAF_ITEM_STATE_RETRYING);

  g_queue_push_tail_link (&run->retrying, &job->wait_link);
  job->retry_source =
    sheaf_deadline_source_new ("[sheaf] batch retry", job->retry_at_us, retry_cb, job);
  _sheaf_run_update_wait (run);
}

static char *
describe_last_failure (Job *job, const GError *error)
{
  guint attempts = job->attempts;

  /* A message that counts the tries itself ("4 tries of 10 s") is whole. */
  if (!sheaf_error_is_retryable (error) || attempts <= 1 ||
      (g_error_matches (error, SHEAF_ERROR, SHEAF_ERROR_TIMEOUT) && job->timeouts == attempts))
    return g_strdup (error->message);

  /* Translators: the first %s is why the request failed, a full sentence. */
  return g_strdup_printf (
    g_dngettext (GETTEXT_PACKAGE, "%s Sheaf tried %u time.", "%s Sheaf tried %u times.", attempts),
    error->message, attempts);
}

static char *
dup_patience_message (SheafBatchRun *run)
{
  guint minutes = MAX (run->patience / 60, 1);

  if (run->settings_place == SHEAF_SETTINGS_COMMAND_LINE)
    return g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE,
                   "The provider’s rate limit kept this text waiting for %u minute. Try again "
                   "later, or lower --concurrency.",
                   "The provider’s rate limit kept this text waiting for %u minutes. Try again "
                   "later, or lower --concurrency.",
                   minutes),
      minutes);
  return g_strdup_printf (
    g_dngettext (GETTEXT_PACKAGE,
                 "The provider’s rate limit kept this text waiting for %u minute. Try again "
                 "later, or lower Concurrency.",
                 "The provider’s rate limit kept this text waiting for %u minutes. Try again "
                 "later, or lower Concurrency.",
                 minutes),
    minutes);
}

/*
 * A 429 for the rate limit is a wait, not a failure: it does not count
 * against the retries. When the headers show the account's bucket empty,
 * or say nothing, every request waits; when they show room, this was one
 * request's bad luck and only it waits, as long as the provider asks.
 */
static void
job_rate_limited (Job *job, const GError *error, const SheafRateLimits *limits, guint status)
{
  SheafBatchRun *run = job->run;
  gint64 wait_ms = limits != NULL ? limits->retry_after_ms : -1;
  g_autofree char *message = NULL;

  job->rate_limited++;
  if (wait_ms < 0)
    wait_ms = backoff_ms (run, job->rate_limited);
  /* Every wait the provider asks for is waited; once they add up to the
   * patience, the row gives up. */
  if (job->rate_waited_ms >= (gint64) run->patience * 1000)
    {
      message = dup_patience_message (run);
      _sheaf_job_fail (job, message, status);
      return;
    }
  job->rate_waited_ms += wait_ms;
  /* When the headers show the buckets, the pacer already holds every
   * request until they have room again: only a reply that says nothing
   * of them makes everyone wait as long as it asks. */
  if (limits == NULL || !sheaf_rate_limits_any (limits))
    sheaf_pacer_hold (run->pacer, g_get_monotonic_time () + wait_ms * 1000);
  job_retry (job, error, wait_ms, status);
}

void
_sheaf_job_handle_error (Job *job, const GError *error, const SheafRateLimits *limits, guint status,
                         gboolean unreachable)
{
  SheafBatchRun *run = job->run;
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      _sheaf_job_finish (job, SHEAF_ITEM_STATE_CANCELLED);
      return;
    }
  if (is_overload (error, status))
    note_overload (run, TRUE);
  if (stops_run (run, error, unreachable))
    {
      _sheaf_job_fail (job, error->message, status);
      run_halt (run, error);
      return;
    }

  /* A stopped run sends nothing more: what would have been retried is
   * cancelled rather than failed, or not sent when nothing could work. */
  if (sheaf_error_is_retryable (error) && (run->stopped || run->halted))
    {
      if (run->stopped)
        _sheaf_job_finish (job, SHEAF_ITEM_STATE_CANCELLED);
      else
        _sheaf_job_not_sent (job);
      return;
    }
  if (g_error_matches (error, SHEAF_ERROR, SHEAF_ERROR_RATE_LIMITED))
    {
      job_rate_limited (job, error, limits, status);
      return;
    }
  if (sheaf_error_is_retryable (error) && job->failures < run->retries)
    {
      job->failures++;
      job_retry (job, error,
                 limits != NULL && limits->retry_after_ms >= 0 ? limits->retry_after_ms
                                                               : backoff_ms (run, job->failures),
                 status);
      return;
    }

  message = describe_last_failure (job, error);
  _sheaf_job_fail (job, message, status);
}

static const char *
timeout_advice (SheafBatchRun *run)
{
  return run->settings_place == SHEAF_SETTINGS_COMMAND_LINE
           ? _ ("The provider may be busy, or the answer long: try again later, or allow more "
                "time with --timeout.")
           : _ ("The provider may be busy, or the answer long: try again later, or allow more "
                "time in the settings.");
}

/* The time limit is for each attempt: a message for several of them says
 * so, or "10 s" would read as the whole wait. */
GError *
_sheaf_run_timeout_error (SheafBatchRun *run, guint attempts)
{
  g_autofree char *what = NULL;

  if (attempts <= 1)
    what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "No answer within %u second.",
                                         "No answer within %u seconds.", run->timeout),
                            run->timeout);
  else
    /* Translators: "No answer in 4 tries of 10 s each." */
    what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "No answer in %u tries of %u s each.",
                                         "No answer in %u tries of %u s each.", attempts),
                            attempts, run->timeout);
  /* Translators: what went wrong, then what to do; two sentences. */
  return g_error_new (SHEAF_ERROR, SHEAF_ERROR_TIMEOUT, _ ("%s %s"), what, timeout_advice (run));
}
