/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-batch"

#include "config.h"

#include "sheaf-batch-job.h"
#include "sheaf-error.h"
#include "sheaf-http.h"
#include "sheaf-source.h"
#include "sheaf-template.h"

static void job_request_permit (Job *job);

/* Permits */

static void
job_take_permit (Job *job)
{
  g_assert (!job->holding_permit);

  job->holding_permit = TRUE;
  job->slot = _sheaf_batch_take_slot (job->run->self);
}

void
_sheaf_job_release_permit (Job *job)
{
  SheafBatch *self = job->run->self;

  if (!job->holding_permit)
    return;

  job->holding_permit = FALSE;
  _sheaf_batch_free_slot (self, job->slot);
  sheaf_semaphore_release (self->semaphore);
}

/* The end of a job */

static double
job_seconds (Job *job)
{
  if (job->first_send_us == 0)
    return 0.0;

  return (g_get_monotonic_time () - job->first_send_us) / (double) G_USEC_PER_SEC;
}

static void run_complete (SheafBatchRun *run);

/* A job that waits for the pacer, or holds a reservation it will not
 * use, gives it back. */
static void
job_leave_pacer (Job *job)
{
  SheafBatchRun *run = job->run;

  if (job->pacing)
    {
      job->pacing = FALSE;
      run->n_pacing--;
      sheaf_pacer_cancel_wait (run->pacer, &job->waiter);
    }
  if (job->reserved)
    {
      job->reserved = FALSE;
      sheaf_pacer_refund (run->pacer, &job->cost);
    }
}

/* A row that was answered before and gets no new answer in this run
 * (stopped, or never sent) keeps the answer it had: the run's own record
 * of it, through "item-finished", says what happened in this run. */
static void
job_keep_previous (Job *job, SheafItemState state)
{
  if (job->previous == NULL ||
      (state != SHEAF_ITEM_STATE_CANCELLED && state != SHEAF_ITEM_STATE_NOT_SENT))
    return;

  sheaf_item_copy_outcome (job->item, job->previous);
}

/* Every job ends here, exactly once. */
void
_sheaf_job_finish (Job *job, SheafItemState state)
{
  SheafBatchRun *run = job->run;
  SheafBatch *self = run->self;
  double seconds = job_seconds (job);

  g_assert (!job->finished);

  job->finished = TRUE;
  job_leave_pacer (job);
  _sheaf_job_release_permit (job);

  sheaf_item_set_seconds (job->item, seconds);
  sheaf_item_set_retry_seconds (job->item, 0.0);
  sheaf_item_set_retry_at (job->item, 0);
  sheaf_item_set_attempt_started (job->item, 0);
  sheaf_item_set_state (job->item, state);

  _sheaf_batch_count_outcome (self, state, job->round_trip);
  _sheaf_batch_emit_item_finished (self, job->item);
  job_keep_previous (job, state);
  _sheaf_run_retire (job);

  g_assert (run->n_unfinished > 0);
  if (--run->n_unfinished == 0)
    run_complete (run);
  else
    _sheaf_run_admit (run);
}

/* What the footer says of waits */

/* The soonest retry, when nothing else can happen before it. */
static gint64
lone_retry_at (SheafBatchRun *run)
{
  gint64 soonest = G_MAXINT64;

  if (run->in_flight.length > 0 || run->n_pacing > 0 || run->retrying.head == NULL)
    return 0;
  for (GList *l = run->retrying.head; l != NULL; l = l->next)
    soonest = MIN (soonest, ((Job *) l->data)->retry_at_us);
  return soonest - g_get_monotonic_time () >= SHEAF_PACER_TELL_WAIT_US ? soonest : 0;
}

void
_sheaf_run_update_wait (SheafBatchRun *run)
{
  gint64 wait_until = sheaf_pacer_get_wait_until (run->pacer);

  if (wait_until == 0)
    wait_until = lone_retry_at (run);
  _sheaf_batch_set_pacing (run->self, wait_until, sheaf_pacer_get_pace (run->pacer));
}

/* In flight */

static gboolean
watchdog_cb (gpointer user_data)
{
  SheafBatchRun *run = user_data;
  gint64 now = g_get_monotonic_time ();

  /* Cancelling may complete an attempt at once, which takes it off the
   * queue; so always look at the head again. */
  while (run->in_flight.head != NULL)
    {
      Job *job = run->in_flight.head->data;

      if (job->deadline_us > now)
        {
          g_source_set_ready_time (run->watchdog, job->deadline_us);
          break;
        }

      g_queue_unlink (&run->in_flight, &job->link);
      job->timed_out = TRUE;
      g_cancellable_cancel (job->attempt_cancellable);
    }

  return G_SOURCE_CONTINUE;
}

static void
in_flight_add (Job *job)
{
  SheafBatchRun *run = job->run;

  g_queue_push_tail_link (&run->in_flight, &job->link);

  if (run->timeout == 0)
    return;

  job->deadline_us = g_get_monotonic_time () + (gint64) run->timeout * G_USEC_PER_SEC;
  /* An armed watchdog fires for an older deadline, then re-arms for the
   * oldest attempt left: only an idle one needs arming. */
  if (g_source_get_ready_time (run->watchdog) == -1)
    g_source_set_ready_time (run->watchdog, job->deadline_us);
}

static void
in_flight_remove (Job *job)
{
  /* A timed-out attempt was taken off the queue by the watchdog. */
  if (!job->timed_out)
    g_queue_unlink (&job->run->in_flight, &job->link);
}

/* Sending */

/* Refused, or no route: nothing is there to answer. */
static gboolean
cannot_connect (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE);
}

/* What the provider refuses when the key, the model or the account is
 * wrong says nothing of the rate limits. */
static gboolean
accepted_us (const GError *error)
{
  return !_sheaf_error_is_hopeless (error);
}

static void
job_report (Job *job, const SheafRateLimits *limits, const SheafReply *reply, gboolean accepted)
{
  if (!job->reserved)
    return;

  job->reserved = FALSE;
  sheaf_pacer_report (job->run->pacer, &job->cost, job->prompt_bytes, limits,
                      reply != NULL ? reply->input_tokens : -1,
                      reply != NULL ? reply->output_tokens : -1, accepted);
}

static void
handle_transport_error (Job *job, const GError *error)
{
  SheafBatchRun *run = job->run;
  g_autoptr (GError) translated = NULL;
  gboolean unreachable = cannot_connect (error);

  if (job->timed_out)
    translated = _sheaf_run_timeout_error (run, ++job->timeouts);
  else
    translated = sheaf_provider_translate_transport_error (run->provider, error);
  job->timed_out = FALSE;
  job_report (job, NULL, NULL,
              !unreachable && accepted_us (translated) &&
                !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  _sheaf_job_handle_error (job, translated, NULL, 0, unreachable);
}

/* The real time the attempt on the wire was sent. */
static gint64
sent_real_time (Job *job)
{
  return g_get_real_time () - (g_get_monotonic_time () - job->attempt_us);
}

static void
send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = user_data;
  SheafBatchRun *run = job->run;
  g_autoptr (SoupMessage) message = g_steal_pointer (&job->message);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SheafReply) reply = NULL;
  SoupMessageHeaders *headers;
  SheafRateLimits limits;
  guint status;

  body = sheaf_http_send_and_read_finish (SOUP_SESSION (source), result, &error);
  in_flight_remove (job);
  g_clear_object (&job->attempt_cancellable);

  if (error != NULL)
    {
      handle_transport_error (job, error);
      return;
    }

  status = soup_message_get_status (message);
  headers = soup_message_get_response_headers (message);
  sheaf_provider_read_rate_limits (run->provider, headers, sent_real_time (job), &limits);
  reply = sheaf_provider_parse_response (run->provider, status, headers, body, NULL, &error);
  job_report (job, &limits, reply, reply != NULL || accepted_us (error));
  if (reply != NULL)
    _sheaf_job_succeed (job, reply, status);
  else
    _sheaf_job_handle_error (job, error, &limits, status, FALSE);
}

static SoupMessage *
run_build_message (SheafBatchRun *run, const char *prompt, GError **error)
{
  SheafRequest request = {
    .model = run->model,
    .system = run->system,
    .prompt = prompt,
    .max_tokens = run->max_tokens,
    .temperature = run->temperature,
  };

  return sheaf_provider_build_message (run->provider, &request, error);
}

static void
job_send (Job *job)
{
  SheafBatchRun *run = job->run;
  SheafItem *item = job->item;
  g_autoptr (GError) error = NULL;

  job->message = run_build_message (run, sheaf_item_get_prompt (item), &error);
  if (job->message == NULL)
    {
      _sheaf_job_fail (job, error->message, 0);
      return;
    }

  sheaf_pacer_sent (run->pacer, &job->cost);
  job->attempt_us = g_get_monotonic_time ();
  if (job->first_send_us == 0)
    job->first_send_us = job->attempt_us;
  sheaf_item_set_attempts (item, ++job->attempts);
  sheaf_item_set_retry_seconds (item, 0.0);
  sheaf_item_set_retry_at (item, 0);
  sheaf_item_set_attempt_started (item, job->attempt_us);
  sheaf_item_set_state (item, SHEAF_ITEM_STATE_RUNNING);

  job->attempt_cancellable = g_cancellable_new ();
  /* Each attempt starts on the in-flight queue, whatever the last one did. */
  job->timed_out = FALSE;
  in_flight_add (job);
  sheaf_http_send_and_read_async (_sheaf_batch_session_for_slot (run->self, job->slot),
                                  job->message, run->self->io_priority, SHEAF_HTTP_MAX_BODY,
                                  job->attempt_cancellable, send_cb, job);
}

static void
permit_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = user_data;
  SheafBatchRun *run = job->run;

  if (!sheaf_semaphore_acquire_finish (SHEAF_SEMAPHORE (source), result, NULL))
    {
      if (run->halted && !run->stopped)
        _sheaf_job_not_sent (job);
      else
        _sheaf_job_finish (job, SHEAF_ITEM_STATE_CANCELLED);
      return;
    }

  job_take_permit (job);

  if (run->stopped)
    _sheaf_job_finish (job, SHEAF_ITEM_STATE_CANCELLED);
  else if (run->halted)
    _sheaf_job_not_sent (job);
  else if (sheaf_pacer_is_held (run->pacer))
    {
      /* The provider said stop while this one waited for its permit. */
      _sheaf_job_release_permit (job);
      job_leave_pacer (job);
      _sheaf_job_queue (job);
    }
  else
    job_send (job);
}

static void
job_request_permit (Job *job)
{
  sheaf_semaphore_acquire_async (job->run->self->semaphore, job->run->cancellable, permit_cb, job);
}

static void
pacer_ready_cb (SheafPacerWaiter *waiter, gpointer user_data)
{
  Job *job = user_data;

  job->pacing = FALSE;
  job->run->n_pacing--;
  job->reserved = TRUE;
  job_request_permit (job);
}

/* Fails the row, unsent, when its prompt is larger than any provider
 * takes: measured before it is rendered. */
static gboolean
job_render (Job *job)
{
  SheafBatchRun *run = job->run;
  SheafItem *item = job->item;
  const char *prompt = sheaf_item_get_prompt (item);
  g_autofree char *sent_key = NULL;
  g_autoptr (GError) error = NULL;

  if (prompt == NULL)
    {
      g_autofree char *rendered = sheaf_template_render_checked (
        run->template_, sheaf_item_get_title (item), sheaf_item_get_text (item), &error);

      sheaf_item_set_prompt (item, rendered);
      prompt = sheaf_item_get_prompt (item);
    }
  else
    sheaf_template_check_size (strlen (prompt), &error);
  if (error != NULL)
    {
      _sheaf_job_fail (job, error->message, 0);
      return FALSE;
    }
  sent_key = _sheaf_sent_key (run->provider, run->model, run->system, run->max_tokens,
                              run->temperature, prompt);
  sheaf_item_set_sent_key (item, sent_key);
  /* The model asked, until a reply names the one that answered: a failed
   * row still says which model it was meant for. */
  sheaf_item_set_model (item, run->model);
  job->prompt_bytes = strlen (prompt) + (run->system != NULL ? strlen (run->system) : 0);
  return TRUE;
}

/* Waits for room in the rate limits, then for a permit. */
void
_sheaf_job_queue (Job *job)
{
  SheafBatchRun *run = job->run;

  if (run->halted)
    {
      _sheaf_job_not_sent (job);
      return;
    }
  if (job->prompt_bytes == 0 && !job_render (job))
    return;

  if (!job->reserved)
    {
      sheaf_pacer_estimate (run->pacer, job->prompt_bytes, run->max_tokens, &job->cost);
      if (!sheaf_pacer_try_reserve (run->pacer, &job->cost))
        {
          job->pacing = TRUE;
          run->n_pacing++;
          sheaf_pacer_wait (run->pacer, &job->waiter, &job->cost, pacer_ready_cb, job);
          return;
        }
      job->reserved = TRUE;
    }
  job_request_permit (job);
}

/* Stopping */

/* Ends every job that waits to retry or for the pacer. */
void
_sheaf_run_finish_waiting (SheafBatchRun *run, SheafItemState state)
{
  while (run->retrying.head != NULL)
    {
      Job *job = run->retrying.head->data;

      g_queue_unlink (&run->retrying, &job->wait_link);
      sheaf_clear_source (&job->retry_source);
      if (state == SHEAF_ITEM_STATE_NOT_SENT)
        _sheaf_job_not_sent (job);
      else
        _sheaf_job_finish (job, state);
    }
  /* Once, when the run stops: the pacer's queue is not the run's. */
  for (GList *l = run->live.head, *next; run->n_pacing > 0 && l != NULL; l = next)
    {
      Job *job = l->data;

      next = l->next;
      if (!job->pacing)
        continue;
      if (state == SHEAF_ITEM_STATE_NOT_SENT)
        _sheaf_job_not_sent (job);
      else
        _sheaf_job_finish (job, state);
    }
  _sheaf_run_finish_unadmitted (run, state);
}

void
_sheaf_batch_run_stop (SheafBatchRun *run)
{
  g_autoptr (GPtrArray) in_flight = NULL;
  g_autoptr (GTask) task = NULL;

  if (run->stopped || run->task == NULL)
    return;

  run->stopped = TRUE;
  /* The run lives as long as its task; finishing the last job below hands
   * the task to an idle, which keeps it. */
  task = g_object_ref (run->task);

  /* Waiters for a permit hear it through the shared cancellable. */
  g_cancellable_cancel (run->cancellable);

  /* Attempts in flight each have their own cancellable, for their timeout;
   * an attempt may complete as soon as it is cancelled, so take them all
   * off the queue first. */
  in_flight = g_ptr_array_new_full (run->in_flight.length, g_object_unref);
  for (GList *l = run->in_flight.head; l != NULL; l = l->next)
    g_ptr_array_add (in_flight, g_object_ref (((Job *) l->data)->attempt_cancellable));
  for (guint i = 0; i < in_flight->len; i++)
    g_cancellable_cancel (g_ptr_array_index (in_flight, i));

  _sheaf_run_finish_waiting (run, SHEAF_ITEM_STATE_CANCELLED);
}

static void
external_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  _sheaf_batch_run_stop (user_data);
}

/* Starting and ending */

void
_sheaf_batch_run_update_limit (SheafBatchRun *run)
{
  SheafBatch *self = run->self;

  sheaf_overload_set_wanted (&run->overload, self->concurrency);
  sheaf_semaphore_set_limit (self->semaphore, run->overload.allowed);
  _sheaf_batch_set_effective_concurrency (self, run->overload.allowed);
  _sheaf_run_admit (run);
}

static void
pacer_changed_cb (GObject *pacer, GParamSpec *pspec, gpointer user_data)
{
  _sheaf_run_update_wait (user_data);
}

static void
copy_settings (SheafBatchRun *run, SheafBatch *self)
{
  SheafProviderKind kind = sheaf_provider_get_kind (self->provider);

  run->provider = g_object_ref (self->provider);
  run->model = g_strdup (self->model != NULL && *self->model != '\0'
                           ? self->model
                           : sheaf_provider_kind_default_model (kind));
  run->system = g_strdup (self->system);
  run->template_ = g_strdup (self->template_ != NULL ? self->template_ : SHEAF_DEFAULT_TEMPLATE);
  run->max_tokens = self->max_tokens;
  run->temperature = self->temperature;
  run->retries = self->retries;
  run->timeout = self->timeout;
  run->backoff_ms = self->backoff_ms;
  run->patience = self->patience;
  run->settings_place = self->settings_place;
}

static void
connect_pacer (SheafBatchRun *run)
{
  SheafBatch *self = run->self;

  run->pacer = sheaf_pacer_get_for (run->provider);
  sheaf_pacer_set_caps (run->pacer, self->rpm, self->tpm);
  run->pacer_ids[0] =
    g_signal_connect (run->pacer, "notify::wait-until", G_CALLBACK (pacer_changed_cb), run);
  run->pacer_ids[1] =
    g_signal_connect (run->pacer, "notify::pace", G_CALLBACK (pacer_changed_cb), run);
}

SheafBatchRun *
_sheaf_batch_run_new (SheafBatch *self, GListModel *items, GTask *task, GCancellable *cancellable)
{
  SheafBatchRun *run = g_new0 (SheafBatchRun, 1);

  run->self = g_object_ref (self);
  run->task = g_object_ref (task);
  copy_settings (run, self);
  connect_pacer (run);
  sheaf_overload_init (&run->overload, self->concurrency);
  run->cancellable = g_cancellable_new ();

  _sheaf_run_init_jobs (run, items);

  run->watchdog = sheaf_deadline_source_new ("[sheaf] batch timeout", -1, watchdog_cb, run);
  if (cancellable != NULL)
    {
      run->external = g_object_ref (cancellable);
      run->external_id =
        g_cancellable_connect (cancellable, G_CALLBACK (external_cancelled_cb), run, NULL);
    }
  return run;
}

static void
disconnect_pacer (SheafBatchRun *run)
{
  for (guint i = 0; i < G_N_ELEMENTS (run->pacer_ids); i++)
    g_clear_signal_handler (&run->pacer_ids[i], run->pacer);
}

void
_sheaf_batch_run_free (SheafBatchRun *run)
{
  _sheaf_run_free_jobs (run);

  if (run->external_id != 0)
    g_cancellable_disconnect (run->external, run->external_id);
  g_clear_object (&run->external);
  g_clear_object (&run->cancellable);
  sheaf_clear_source (&run->watchdog);
  disconnect_pacer (run);
  g_clear_object (&run->pacer);
  g_clear_object (&run->provider);
  g_free (run->model);
  g_free (run->system);
  g_free (run->template_);
  g_clear_object (&run->self);
  g_free (run);
}

static gboolean
run_complete_cb (gpointer user_data)
{
  GTask *task = user_data;

  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

/* Called when the last job has its outcome. */
static void
run_complete (SheafBatchRun *run)
{
  SheafBatch *self = run->self;
  g_autoptr (GTask) task = g_steal_pointer (&run->task);
  g_autoptr (GSource) idle = g_idle_source_new ();

  g_assert (self->run == run);

  self->run = NULL;
  self->end_us = g_get_monotonic_time ();
  disconnect_pacer (run);
  sheaf_semaphore_set_limit (self->semaphore, self->concurrency);
  _sheaf_batch_set_effective_concurrency (self, self->concurrency);
  _sheaf_batch_set_pacing (self, 0, 0);
  _sheaf_batch_set_running (self, FALSE);

  /* From an idle, so the caller's callback never runs inside the callback
   * of the last request, nor inside sheaf_batch_stop(). */
  g_source_set_static_name (idle, "[sheaf] batch complete");
  g_task_attach_source (task, idle, run_complete_cb);
}

void
_sheaf_batch_run_start (SheafBatchRun *run)
{
  SheafBatch *self = run->self;

  self->run = run;
  self->start_us = g_get_monotonic_time ();
  self->end_us = 0;
  _sheaf_batch_reset_counters (self, run->n_jobs);
  _sheaf_batch_set_halt (self, NULL);

  _sheaf_run_start_items (run);

  _sheaf_batch_set_running (self, TRUE);

  if (run->n_jobs == 0)
    {
      run_complete (run);
      return;
    }

  _sheaf_run_admit (run);
}
