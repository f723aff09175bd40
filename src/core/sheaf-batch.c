/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-batch"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-batch.h"
#include "sheaf-error.h"
#include "sheaf-http.h"
#include "sheaf-semaphore.h"
#include "sheaf-template.h"

/* The longest a retry waits when the provider did not say how long. */
#define MAX_BACKOFF_MS     60000
#define DEFAULT_BACKOFF_MS 1000
/* libsoup gives up on a silent socket on its own; its limit sits beyond the
 * batch's own timeout so that the batch always decides, with its message. */
#define SESSION_TIMEOUT_SLACK 30
/* How many requests in flight share one SoupSession; see session_for_slot(). */
#define SLOTS_PER_SESSION 16

/*
 * How a run works. Every item gets a Job. All jobs ask the semaphore for a
 * permit at once; it serves them in order. A job with a permit sends one
 * attempt; its outcome ends the job or, for a retryable failure, gives the
 * permit back and waits before asking again.
 *
 * The main loop stays light however many items there are: counters change
 * by one per outcome, nothing walks the list of jobs while a run goes on.
 * Attempts in flight sit in a queue in the order they were sent; since they
 * all have the same timeout, the oldest always expires first, and one
 * watchdog source times them all out. It is armed lazily: when it fires for
 * an attempt that has finished since, it re-arms for the oldest one left.
 * (Moving a source's ready time wakes the main context up, which is not
 * worth doing once per request.)
 */

typedef struct _Run Run;

typedef struct
{
  Run *run;
  SheafItem *item;
  GList link;      /* in run->in_flight while an attempt is on the wire */
  GList wait_link; /* in run->paused or run->retrying */
  GCancellable *attempt_cancellable;
  SoupMessage *message;
  GSource *retry_source;
  gint64 first_send_us; /* 0: never sent */
  gint64 deadline_us;
  guint attempts;
  gboolean holding_permit;
  guint slot; /* while holding a permit: which one, see session_for_slot() */
  gboolean timed_out;
  gboolean finished;
} Job;

struct _Run
{
  SheafBatch *self;
  GTask *task; /* owned until the run completes */

  /* The settings, as they were when the run started. */
  SheafProvider *provider;
  char *model;
  char *system;
  char *template_;
  guint max_tokens;
  double temperature;
  guint retries;
  guint timeout;
  guint backoff_ms;
  SheafSettingsPlace settings_place;

  GCancellable *cancellable; /* shared by everything the run waits for */
  GCancellable *external;
  gulong external_id;
  gboolean stopped;

  Job *jobs;
  guint n_jobs;
  guint n_unfinished;

  GQueue in_flight;
  GSource *watchdog;
  GQueue paused;
  GQueue retrying;
  gint64 pause_until_us;
  GSource *pause_source;
};

struct _SheafBatch
{
  GObject parent_instance;

  SheafProvider *provider;
  char *model;
  char *system;
  char *template_;
  guint max_tokens;
  double temperature;
  guint concurrency;
  guint retries;
  guint timeout;
  guint backoff_ms;
  int io_priority;
  SheafSettingsPlace settings_place;
  guint rpm;
  guint tpm;

  SheafSemaphore *semaphore;
  GPtrArray *sessions;
  gboolean direct; /* the provider is on this machine: no proxy */
  GArray *free_slots;
  guint n_slots;
  Run *run;

  gboolean running;
  guint n_total;
  guint n_done;
  guint n_failed;
  guint n_cancelled;
  guint n_not_sent;
  double sum_seconds;
  guint effective_concurrency;
  gint64 wait_until;
  double pace;
  char *halt_message;
  SheafError halt_code;
  gint64 start_us;
  gint64 end_us;
};

G_DEFINE_FINAL_TYPE (SheafBatch, sheaf_batch, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PROVIDER,
  PROP_MODEL,
  PROP_SYSTEM,
  PROP_TEMPLATE,
  PROP_MAX_TOKENS,
  PROP_TEMPERATURE,
  PROP_CONCURRENCY,
  PROP_RETRIES,
  PROP_TIMEOUT,
  PROP_BACKOFF_MS,
  PROP_IO_PRIORITY,
  PROP_SETTINGS_PLACE,
  PROP_RPM,
  PROP_TPM,
  PROP_RUNNING,
  PROP_N_TOTAL,
  PROP_N_DONE,
  PROP_N_FAILED,
  PROP_N_CANCELLED,
  PROP_N_NOT_SENT,
  PROP_N_FINISHED,
  PROP_SUM_SECONDS,
  PROP_EFFECTIVE_CONCURRENCY,
  PROP_WAIT_UNTIL,
  PROP_PACE,
  PROP_HALT_MESSAGE,
  PROP_HALT_CODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  ITEM_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void job_request_permit (Job *job);

/* Deadline sources: fire once the monotonic clock reaches their ready time. */

static gboolean
deadline_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs deadline_source_funcs = {
  .dispatch = deadline_source_dispatch,
};

static GSource *
deadline_source_new (const char *name, gint64 ready_time, GSourceFunc callback, gpointer data)
{
  GSource *source = g_source_new (&deadline_source_funcs, sizeof (GSource));
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

  g_source_set_static_name (source, name);
  g_source_set_callback (source, callback, data, NULL);
  g_source_set_ready_time (source, ready_time);
  g_source_attach (source, context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Counters */

static void
set_running (SheafBatch *self, gboolean running)
{
  if (self->running == running)
    return;

  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
reset_counters (SheafBatch *self, guint n_total)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->n_total != n_total)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
  if (self->n_done != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DONE]);
  if (self->n_failed != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FAILED]);
  if (self->n_cancelled != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CANCELLED]);
  if (self->n_done + self->n_failed + self->n_cancelled != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FINISHED]);
  if (self->sum_seconds != 0.0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUM_SECONDS]);

  self->n_total = n_total;
  self->n_done = self->n_failed = self->n_cancelled = 0;
  self->sum_seconds = 0.0;
  g_object_thaw_notify (G_OBJECT (self));
}

static void
count_outcome (SheafBatch *self, SheafItemState state, double seconds)
{
  switch (state)
    {
      case SHEAF_ITEM_STATE_DONE:
        self->n_done++;
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DONE]);
        break;
      case SHEAF_ITEM_STATE_FAILED:
        self->n_failed++;
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FAILED]);
        break;
      case SHEAF_ITEM_STATE_CANCELLED:
        self->n_cancelled++;
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CANCELLED]);
        break;
      case SHEAF_ITEM_STATE_QUEUED:
      case SHEAF_ITEM_STATE_RUNNING:
      case SHEAF_ITEM_STATE_RETRYING:
      default:
        g_assert_not_reached ();
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FINISHED]);
  if (seconds > 0.0)
    {
      self->sum_seconds += seconds;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUM_SECONDS]);
    }
}

/* The run */

static void
run_free (Run *run)
{
  for (guint i = 0; i < run->n_jobs; i++)
    {
      Job *job = &run->jobs[i];

      g_assert (job->finished);
      g_clear_object (&job->item);
    }
  g_free (run->jobs);

  if (run->external_id != 0)
    g_cancellable_disconnect (run->external, run->external_id);
  g_clear_object (&run->external);
  g_clear_object (&run->cancellable);
  clear_source (&run->watchdog);
  clear_source (&run->pause_source);
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
run_complete (Run *run)
{
  SheafBatch *self = run->self;
  g_autoptr (GTask) task = g_steal_pointer (&run->task);
  g_autoptr (GSource) idle = g_idle_source_new ();

  g_assert (self->run == run);

  self->run = NULL;
  self->end_us = g_get_monotonic_time ();
  set_running (self, FALSE);

  /* From an idle, so the caller's callback never runs inside the callback
   * of the last request, nor inside sheaf_batch_stop(). */
  g_source_set_static_name (idle, "[sheaf] batch complete");
  g_task_attach_source (task, idle, run_complete_cb);
}

/* Sessions
 *
 * libsoup 3.2 walks all the connections and all the queued messages of a
 * session each time it runs that session's queue, which it does for nearly
 * every event; with hundreds of requests in flight on one session that work
 * grows with the square of the concurrency. Measured against the fake
 * provider answering in 1 s, 10,000 requests 1,000 at a time: one session
 * spent 1.6 ms of CPU time per request and took 2.3 times the ideal time;
 * sessions of 16 spent 0.26 ms and came within 5 % of it.
 *
 * So each permit comes with a slot number, and slot i sends through session
 * i / SLOTS_PER_SESSION: a session never has more requests in flight than
 * it has slots, which is also its connection limit, and the slot freed last
 * is taken first, so warm connections are reused. Up to 16 at once, that is
 * a single session. */

static guint
take_slot (SheafBatch *self)
{
  guint slot;

  if (self->free_slots->len == 0)
    return self->n_slots++;

  slot = g_array_index (self->free_slots, guint, self->free_slots->len - 1);
  g_array_set_size (self->free_slots, self->free_slots->len - 1);
  return slot;
}

static guint
socket_timeout (guint timeout)
{
  return timeout > 0 ? timeout + SESSION_TIMEOUT_SLACK : 0;
}

static SoupSession *
session_for_slot (SheafBatch *self, guint slot)
{
  guint index = slot / SLOTS_PER_SESSION;

  while (self->sessions->len <= index)
    {
      SoupSession *session =
        sheaf_http_session_new (SLOTS_PER_SESSION, socket_timeout (self->timeout));

      sheaf_http_session_set_direct (session, self->direct);
      sheaf_http_session_set_settings_place (session, self->settings_place);
      g_ptr_array_add (self->sessions, session);
    }

  return g_ptr_array_index (self->sessions, index);
}

/* Brings the sessions in line with the settings a run starts with. */
static void
update_sessions (SheafBatch *self)
{
  self->direct = sheaf_provider_is_local (self->provider);
  for (guint i = 0; i < self->sessions->len; i++)
    {
      SoupSession *session = g_ptr_array_index (self->sessions, i);

      soup_session_set_timeout (session, socket_timeout (self->timeout));
      sheaf_http_session_set_direct (session, self->direct);
      sheaf_http_session_set_settings_place (session, self->settings_place);
    }
}

/* Jobs */

static void
job_take_permit (Job *job)
{
  g_assert (!job->holding_permit);

  job->holding_permit = TRUE;
  job->slot = take_slot (job->run->self);
}

static void
job_release_permit (Job *job)
{
  SheafBatch *self = job->run->self;

  if (!job->holding_permit)
    return;

  job->holding_permit = FALSE;
  g_array_append_val (self->free_slots, job->slot);
  sheaf_semaphore_release (self->semaphore);
}

static double
job_seconds (Job *job)
{
  if (job->first_send_us == 0)
    return 0.0;

  return (g_get_monotonic_time () - job->first_send_us) / (double) G_USEC_PER_SEC;
}

/* Every job ends here, exactly once. */
static void
job_finish (Job *job, SheafItemState state)
{
  Run *run = job->run;
  SheafBatch *self = run->self;
  double seconds = job_seconds (job);

  g_assert (!job->finished);

  job->finished = TRUE;
  job_release_permit (job);

  sheaf_item_set_seconds (job->item, seconds);
  sheaf_item_set_retry_seconds (job->item, 0.0);
  sheaf_item_set_state (job->item, state);

  count_outcome (self, state, seconds);
  g_signal_emit (self, signals[ITEM_FINISHED], 0, job->item);

  g_assert (run->n_unfinished > 0);
  if (--run->n_unfinished == 0)
    run_complete (run);
}

static void
job_fail (Job *job, const char *message, guint status)
{
  sheaf_item_set_error_message (job->item, message);
  sheaf_item_set_http_status (job->item, status);
  job_finish (job, SHEAF_ITEM_STATE_FAILED);
}

static void
job_succeed (Job *job, SheafReply *reply, guint status)
{
  SheafItem *item = job->item;

  sheaf_item_set_response (item, reply->text);
  sheaf_item_set_error_message (item, NULL);
  sheaf_item_set_http_status (item, status);
  sheaf_item_set_input_tokens (item, reply->input_tokens);
  sheaf_item_set_output_tokens (item, reply->output_tokens);
  sheaf_item_set_model (item, reply->model != NULL ? reply->model : job->run->model);
  sheaf_item_set_stop_reason (item, reply->stop_reason);
  job_finish (job, SHEAF_ITEM_STATE_DONE);
}

/* Pauses: after a 429 with a wait, no new request leaves until it is over. */

static gboolean
run_is_paused (Run *run)
{
  return run->pause_until_us > g_get_monotonic_time ();
}

static gboolean
pause_over_cb (gpointer user_data)
{
  Run *run = user_data;
  GQueue resumed = run->paused;

  g_queue_init (&run->paused);
  clear_source (&run->pause_source);

  while (resumed.head != NULL)
    {
      Job *job = resumed.head->data;

      g_queue_unlink (&resumed, &job->wait_link);
      job_request_permit (job);
    }

  return G_SOURCE_REMOVE;
}

static void
job_pause (Job *job)
{
  Run *run = job->run;

  job_release_permit (job);
  g_queue_push_tail_link (&run->paused, &job->wait_link);

  if (run->pause_source == NULL)
    run->pause_source =
      deadline_source_new ("[sheaf] batch pause", run->pause_until_us, pause_over_cb, run);
}

static void
run_pause_until (Run *run, gint64 until_us)
{
  if (until_us <= run->pause_until_us)
    return;

  run->pause_until_us = until_us;
  if (run->pause_source != NULL)
    g_source_set_ready_time (run->pause_source, until_us);
}

/* In flight */

static gboolean
watchdog_cb (gpointer user_data)
{
  Run *run = user_data;
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
  Run *run = job->run;

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

/* Retries */

static guint
backoff_ms (Run *run, guint attempts)
{
  guint64 base = run->backoff_ms;

  /* Exponential, capped, with "equal jitter": half the wait is fixed, the
   * other half random, so that items that failed together spread out. */
  for (guint i = 1; i < attempts && base < MAX_BACKOFF_MS; i++)
    base *= 2;
  base = MIN (base, MAX_BACKOFF_MS);

  return (guint) (base / 2 + g_random_double () * (base - base / 2));
}

static gboolean
retry_cb (gpointer user_data)
{
  Job *job = user_data;

  g_queue_unlink (&job->run->retrying, &job->wait_link);
  clear_source (&job->retry_source);
  job_request_permit (job);

  return G_SOURCE_REMOVE;
}

static void
job_retry (Job *job, const GError *error, gint64 retry_after_ms, guint status)
{
  Run *run = job->run;
  gint64 wait_ms = retry_after_ms >= 0 ? retry_after_ms : backoff_ms (run, job->attempts);
  gint64 until_us = g_get_monotonic_time () + wait_ms * 1000;

  job_release_permit (job);

  if (g_error_matches (error, SHEAF_ERROR, SHEAF_ERROR_RATE_LIMITED) && retry_after_ms >= 0)
    run_pause_until (run, until_us);

  sheaf_item_set_error_message (job->item, error->message);
  sheaf_item_set_http_status (job->item, status);
  sheaf_item_set_retry_seconds (job->item, wait_ms / 1000.0);
  sheaf_item_set_state (job->item, SHEAF_ITEM_STATE_RETRYING);

  g_queue_push_tail_link (&run->retrying, &job->wait_link);
  job->retry_source = deadline_source_new ("[sheaf] batch retry", until_us, retry_cb, job);
}

static char *
describe_last_failure (const GError *error, guint attempts)
{
  if (!sheaf_error_is_retryable (error) || attempts <= 1)
    return g_strdup (error->message);

  /* Translators: the first %s is why the request failed, a full sentence. */
  return g_strdup_printf (
    g_dngettext (GETTEXT_PACKAGE, "%s Sheaf tried %u time.", "%s Sheaf tried %u times.", attempts),
    error->message, attempts);
}

static void
job_handle_error (Job *job, const GError *error, gint64 retry_after_ms, guint status)
{
  Run *run = job->run;
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      job_finish (job, SHEAF_ITEM_STATE_CANCELLED);
      return;
    }

  if (sheaf_error_is_retryable (error) && job->attempts <= run->retries)
    {
      /* A stopped run sends nothing more: what would have been retried is
       * cancelled rather than failed. */
      if (run->stopped)
        job_finish (job, SHEAF_ITEM_STATE_CANCELLED);
      else
        job_retry (job, error, retry_after_ms, status);
      return;
    }

  message = describe_last_failure (error, job->attempts);
  job_fail (job, message, status);
}

/* Sending */

static GError *
timeout_error (Run *run)
{
  return g_error_new (
    SHEAF_ERROR, SHEAF_ERROR_TIMEOUT,
    run->settings_place == SHEAF_SETTINGS_COMMAND_LINE
      ? g_dngettext (GETTEXT_PACKAGE,
                     "No answer within %u second. The provider may be busy, or the answer long: "
                     "try again later, or allow more time with --timeout.",
                     "No answer within %u seconds. The provider may be busy, or the answer long: "
                     "try again later, or allow more time with --timeout.",
                     run->timeout)
      : g_dngettext (GETTEXT_PACKAGE,
                     "No answer within %u second. The provider may be busy, or the answer long: "
                     "try again later, or allow more time in the settings.",
                     "No answer within %u seconds. The provider may be busy, or the answer long: "
                     "try again later, or allow more time in the settings.",
                     run->timeout),
    run->timeout);
}

static void
send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = user_data;
  Run *run = job->run;
  g_autoptr (SoupMessage) message = g_steal_pointer (&job->message);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SheafReply) reply = NULL;
  gint64 retry_after_ms = -1;
  guint status = 0;

  body = sheaf_http_send_and_read_finish (SOUP_SESSION (source), result, &error);
  in_flight_remove (job);
  g_clear_object (&job->attempt_cancellable);

  if (error != NULL)
    {
      g_autoptr (GError) translated = NULL;

      if (job->timed_out)
        translated = timeout_error (run);
      else
        translated = sheaf_provider_translate_transport_error (run->provider, error);
      job->timed_out = FALSE;
      job_handle_error (job, translated, -1, 0);
      return;
    }

  status = soup_message_get_status (message);
  reply = sheaf_provider_parse_response (run->provider, status,
                                         soup_message_get_response_headers (message), body,
                                         &retry_after_ms, &error);
  if (reply != NULL)
    job_succeed (job, reply, status);
  else
    job_handle_error (job, error, retry_after_ms, status);
}

static SoupMessage *
run_build_message (Run *run, const char *prompt, GError **error)
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
  Run *run = job->run;
  SheafItem *item = job->item;
  g_autoptr (GError) error = NULL;

  if (sheaf_item_get_prompt (item) == NULL)
    {
      g_autofree char *prompt = sheaf_template_render (run->template_, sheaf_item_get_title (item),
                                                       sheaf_item_get_text (item));

      sheaf_item_set_prompt (item, prompt);
    }
  /* The model asked, until a reply names the one that answered: a failed
   * row still says which model it was meant for. */
  sheaf_item_set_model (item, run->model);

  job->message = run_build_message (run, sheaf_item_get_prompt (item), &error);
  if (job->message == NULL)
    {
      job_fail (job, error->message, 0);
      return;
    }

  if (job->first_send_us == 0)
    job->first_send_us = g_get_monotonic_time ();
  sheaf_item_set_attempts (item, ++job->attempts);
  sheaf_item_set_retry_seconds (item, 0.0);
  sheaf_item_set_state (item, SHEAF_ITEM_STATE_RUNNING);

  job->attempt_cancellable = g_cancellable_new ();
  /* Each attempt starts on the in-flight queue, whatever the last one did. */
  job->timed_out = FALSE;
  in_flight_add (job);
  sheaf_http_send_and_read_async (session_for_slot (run->self, job->slot), job->message,
                                  run->self->io_priority, SHEAF_HTTP_MAX_BODY,
                                  job->attempt_cancellable, send_cb, job);
}

static void
permit_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = user_data;
  Run *run = job->run;

  if (!sheaf_semaphore_acquire_finish (SHEAF_SEMAPHORE (source), result, NULL))
    {
      job_finish (job, SHEAF_ITEM_STATE_CANCELLED);
      return;
    }

  job_take_permit (job);

  if (run->stopped)
    job_finish (job, SHEAF_ITEM_STATE_CANCELLED);
  else if (run_is_paused (run))
    job_pause (job);
  else
    job_send (job);
}

static void
job_request_permit (Job *job)
{
  Run *run = job->run;

  if (run_is_paused (run))
    job_pause (job);
  else
    sheaf_semaphore_acquire_async (run->self->semaphore, run->cancellable, permit_cb, job);
}

/* Stopping */

static void
finish_waiting (GQueue *queue)
{
  while (queue->head != NULL)
    {
      Job *job = queue->head->data;

      g_queue_unlink (queue, &job->wait_link);
      clear_source (&job->retry_source);
      job_finish (job, SHEAF_ITEM_STATE_CANCELLED);
    }
}

static void
run_stop (Run *run)
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

  finish_waiting (&run->paused);
  finish_waiting (&run->retrying);
}

static void
external_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  Run *run = user_data;

  run_stop (run);
}

/* Starting */

static gboolean
validate_settings (SheafBatch *self, GError **error)
{
  g_autoptr (SoupMessage) probe = NULL;
  SheafRequest request = {
    .model = "probe",
    .prompt = "probe",
    .max_tokens = 1,
    .temperature = -1,
  };

  if (self->provider == NULL)
    {
      g_set_error_literal (error, SHEAF_ERROR, SHEAF_ERROR_CONFIG,
                           self->settings_place == SHEAF_SETTINGS_COMMAND_LINE
                             ? _ ("No provider is set up. Choose one with --provider.")
                             : _ ("No provider is set up. Choose one in Preferences."));
      return FALSE;
    }

  /* Whatever makes one request impossible makes all of them impossible:
   * say so once rather than fail every item the same way. */
  probe = sheaf_provider_build_message (self->provider, &request, error);
  return probe != NULL;
}

static Run *
run_new (SheafBatch *self, GListModel *items)
{
  Run *run = g_new0 (Run, 1);
  SheafProviderKind kind = sheaf_provider_get_kind (self->provider);

  run->self = g_object_ref (self);
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
  run->settings_place = self->settings_place;
  run->cancellable = g_cancellable_new ();

  run->n_jobs = run->n_unfinished = g_list_model_get_n_items (items);
  run->jobs = g_new0 (Job, run->n_jobs);
  for (guint i = 0; i < run->n_jobs; i++)
    {
      Job *job = &run->jobs[i];

      job->run = run;
      job->item = g_list_model_get_item (items, i);
      job->link.data = job;
      job->wait_link.data = job;
    }

  run->watchdog = deadline_source_new ("[sheaf] batch timeout", -1, watchdog_cb, run);
  return run;
}

static void
run_start (Run *run)
{
  SheafBatch *self = run->self;

  self->run = run;
  self->start_us = g_get_monotonic_time ();
  self->end_us = 0;
  reset_counters (self, run->n_jobs);

  for (guint i = 0; i < run->n_jobs; i++)
    sheaf_item_reset (run->jobs[i].item);

  set_running (self, TRUE);

  if (run->n_jobs == 0)
    {
      run_complete (run);
      return;
    }

  for (guint i = 0; i < run->n_jobs; i++)
    job_request_permit (&run->jobs[i]);
}

void
sheaf_batch_run_async (SheafBatch *self, GListModel *items, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  Run *run;

  g_return_if_fail (SHEAF_IS_BATCH (self));
  g_return_if_fail (G_IS_LIST_MODEL (items));
  g_return_if_fail (g_type_is_a (g_list_model_get_item_type (items), SHEAF_TYPE_ITEM));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sheaf_batch_run_async);
  /* Stopping is not an error: a cancelled run still reports success. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->run != NULL)
    {
      g_task_return_new_error (
        task, SHEAF_ERROR, SHEAF_ERROR_FAILED, "%s",
        _ ("A batch is already running. Wait for it to finish, or stop it."));
      return;
    }
  if (!validate_settings (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  update_sessions (self);
  run = run_new (self, items);
  run->task = g_object_ref (task);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  if (cancellable != NULL)
    {
      run->external = g_object_ref (cancellable);
      run->external_id =
        g_cancellable_connect (cancellable, G_CALLBACK (external_cancelled_cb), run, NULL);
    }

  run_start (run);
}

gboolean
sheaf_batch_run_finish (SheafBatch *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sheaf_batch_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sheaf_batch_stop (SheafBatch *self)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));

  if (self->run != NULL)
    run_stop (self->run);
}

/* GObject */

static void
sheaf_batch_dispose (GObject *object)
{
  SheafBatch *self = (SheafBatch *) object;

  /* A running batch is kept alive by its run's task. */
  g_assert (self->run == NULL);

  g_clear_object (&self->provider);
  g_clear_object (&self->semaphore);
  for (guint i = 0; self->sessions != NULL && i < self->sessions->len; i++)
    soup_session_abort (g_ptr_array_index (self->sessions, i));
  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_clear_pointer (&self->free_slots, g_array_unref);

  G_OBJECT_CLASS (sheaf_batch_parent_class)->dispose (object);
}

static void
sheaf_batch_finalize (GObject *object)
{
  SheafBatch *self = (SheafBatch *) object;

  g_free (self->model);
  g_free (self->system);
  g_free (self->template_);
  g_free (self->halt_message);

  G_OBJECT_CLASS (sheaf_batch_parent_class)->finalize (object);
}

static void
sheaf_batch_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafBatch *self = SHEAF_BATCH (object);

  switch (prop_id)
    {
      case PROP_PROVIDER:
        g_value_set_object (value, self->provider);
        break;
      case PROP_MODEL:
        g_value_set_string (value, self->model);
        break;
      case PROP_SYSTEM:
        g_value_set_string (value, self->system);
        break;
      case PROP_TEMPLATE:
        g_value_set_string (value, self->template_);
        break;
      case PROP_MAX_TOKENS:
        g_value_set_uint (value, self->max_tokens);
        break;
      case PROP_TEMPERATURE:
        g_value_set_double (value, self->temperature);
        break;
      case PROP_CONCURRENCY:
        g_value_set_uint (value, self->concurrency);
        break;
      case PROP_RETRIES:
        g_value_set_uint (value, self->retries);
        break;
      case PROP_TIMEOUT:
        g_value_set_uint (value, self->timeout);
        break;
      case PROP_BACKOFF_MS:
        g_value_set_uint (value, self->backoff_ms);
        break;
      case PROP_IO_PRIORITY:
        g_value_set_int (value, self->io_priority);
        break;
      case PROP_SETTINGS_PLACE:
        g_value_set_enum (value, self->settings_place);
        break;
      case PROP_RPM:
        g_value_set_uint (value, self->rpm);
        break;
      case PROP_TPM:
        g_value_set_uint (value, self->tpm);
        break;
      case PROP_RUNNING:
        g_value_set_boolean (value, self->running);
        break;
      case PROP_N_TOTAL:
        g_value_set_uint (value, self->n_total);
        break;
      case PROP_N_DONE:
        g_value_set_uint (value, self->n_done);
        break;
      case PROP_N_FAILED:
        g_value_set_uint (value, self->n_failed);
        break;
      case PROP_N_CANCELLED:
        g_value_set_uint (value, self->n_cancelled);
        break;
      case PROP_N_NOT_SENT:
        g_value_set_uint (value, self->n_not_sent);
        break;
      case PROP_N_FINISHED:
        g_value_set_uint (value,
                          self->n_done + self->n_failed + self->n_cancelled + self->n_not_sent);
        break;
      case PROP_SUM_SECONDS:
        g_value_set_double (value, self->sum_seconds);
        break;
      case PROP_EFFECTIVE_CONCURRENCY:
        g_value_set_uint (value, self->effective_concurrency);
        break;
      case PROP_WAIT_UNTIL:
        g_value_set_int64 (value, self->wait_until);
        break;
      case PROP_PACE:
        g_value_set_double (value, self->pace);
        break;
      case PROP_HALT_MESSAGE:
        g_value_set_string (value, self->halt_message);
        break;
      case PROP_HALT_CODE:
        g_value_set_int (value, self->halt_code);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_string (SheafBatch *self, char **field, guint prop_id, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_uint (SheafBatch *self, guint *field, guint prop_id, guint value)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_int (SheafBatch *self, int *field, guint prop_id, int value)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_double (SheafBatch *self, double *field, guint prop_id, double value)
{
  /* Exact comparison on purpose: any change is a change to notify. */
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
sheaf_batch_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SheafBatch *self = SHEAF_BATCH (object);

  switch (prop_id)
    {
      case PROP_PROVIDER:
        sheaf_batch_set_provider (self, g_value_get_object (value));
        break;
      case PROP_MODEL:
        set_string (self, &self->model, prop_id, g_value_get_string (value));
        break;
      case PROP_SYSTEM:
        set_string (self, &self->system, prop_id, g_value_get_string (value));
        break;
      case PROP_TEMPLATE:
        set_string (self, &self->template_, prop_id, g_value_get_string (value));
        break;
      case PROP_MAX_TOKENS:
        set_uint (self, &self->max_tokens, prop_id, g_value_get_uint (value));
        break;
      case PROP_TEMPERATURE:
        set_double (self, &self->temperature, prop_id, g_value_get_double (value));
        break;
      case PROP_CONCURRENCY:
        sheaf_batch_set_concurrency (self, g_value_get_uint (value));
        break;
      case PROP_RETRIES:
        set_uint (self, &self->retries, prop_id, g_value_get_uint (value));
        break;
      case PROP_TIMEOUT:
        set_uint (self, &self->timeout, prop_id, g_value_get_uint (value));
        break;
      case PROP_BACKOFF_MS:
        set_uint (self, &self->backoff_ms, prop_id, g_value_get_uint (value));
        break;
      case PROP_IO_PRIORITY:
        set_int (self, &self->io_priority, prop_id, g_value_get_int (value));
        break;
      case PROP_SETTINGS_PLACE:
        sheaf_batch_set_settings_place (self, g_value_get_enum (value));
        break;
      case PROP_RPM:
        set_uint (self, &self->rpm, prop_id, g_value_get_uint (value));
        break;
      case PROP_TPM:
        set_uint (self, &self->tpm, prop_id, g_value_get_uint (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RW_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)
#define RO_FLAGS (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

static void
install_settings (void)
{
  properties[PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL, SHEAF_TYPE_PROVIDER, RW_FLAGS);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, RW_FLAGS);
  properties[PROP_SYSTEM] = g_param_spec_string ("system", NULL, NULL, NULL, RW_FLAGS);
  properties[PROP_TEMPLATE] =
    g_param_spec_string ("template", NULL, NULL, SHEAF_DEFAULT_TEMPLATE, RW_FLAGS);
  properties[PROP_MAX_TOKENS] =
    g_param_spec_uint ("max-tokens", NULL, NULL, 1, G_MAXUINT, SHEAF_DEFAULT_MAX_TOKENS, RW_FLAGS);
  properties[PROP_TEMPERATURE] =
    g_param_spec_double ("temperature", NULL, NULL, -1.0, G_MAXDOUBLE, -1.0, RW_FLAGS);
  properties[PROP_CONCURRENCY] = g_param_spec_uint (
    "concurrency", NULL, NULL, 1, SHEAF_MAX_CONCURRENCY, SHEAF_DEFAULT_CONCURRENCY, RW_FLAGS);
  properties[PROP_RETRIES] =
    g_param_spec_uint ("retries", NULL, NULL, 0, 100, SHEAF_DEFAULT_RETRIES, RW_FLAGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT / 2, SHEAF_DEFAULT_TIMEOUT, RW_FLAGS);
  properties[PROP_BACKOFF_MS] =
    g_param_spec_uint ("backoff-ms", NULL, NULL, 0, MAX_BACKOFF_MS, DEFAULT_BACKOFF_MS, RW_FLAGS);
  /* The main-loop priority of the requests' I/O. A window sets one below
   * its redraws (G_PRIORITY_DEFAULT_IDLE) so that frames are never starved
   * by a stream of answers. */
  properties[PROP_IO_PRIORITY] =
    g_param_spec_int ("io-priority", NULL, NULL, G_MININT, G_MAXINT, G_PRIORITY_DEFAULT, RW_FLAGS);
  /* Which settings the batch's messages name: Preferences, or sheaf-cli's
   * options. */
  properties[PROP_SETTINGS_PLACE] = g_param_spec_enum (
    "settings-place", NULL, NULL, SHEAF_TYPE_SETTINGS_PLACE, SHEAF_SETTINGS_PREFERENCES, RW_FLAGS);
  /* Caps of the person's own, per minute; 0: none. */
  properties[PROP_RPM] = g_param_spec_uint ("rpm", NULL, NULL, 0, G_MAXUINT, 0, RW_FLAGS);
  properties[PROP_TPM] = g_param_spec_uint ("tpm", NULL, NULL, 0, G_MAXUINT, 0, RW_FLAGS);
}

static void
install_progress (void)
{
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, RO_FLAGS);
  properties[PROP_N_TOTAL] = g_param_spec_uint ("n-total", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[PROP_N_DONE] = g_param_spec_uint ("n-done", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[PROP_N_FAILED] = g_param_spec_uint ("n-failed", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[PROP_N_CANCELLED] =
    g_param_spec_uint ("n-cancelled", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[PROP_N_FINISHED] =
    g_param_spec_uint ("n-finished", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[PROP_N_NOT_SENT] =
    g_param_spec_uint ("n-not-sent", NULL, NULL, 0, G_MAXUINT, 0, RO_FLAGS);
  properties[PROP_SUM_SECONDS] =
    g_param_spec_double ("sum-seconds", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, RO_FLAGS);
}

static void
install_pacing (void)
{
  properties[PROP_EFFECTIVE_CONCURRENCY] =
    g_param_spec_uint ("effective-concurrency", NULL, NULL, 0, SHEAF_MAX_CONCURRENCY,
                       SHEAF_DEFAULT_CONCURRENCY, RO_FLAGS);
  properties[PROP_WAIT_UNTIL] =
    g_param_spec_int64 ("wait-until", NULL, NULL, 0, G_MAXINT64, 0, RO_FLAGS);
  properties[PROP_PACE] = g_param_spec_double ("pace", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, RO_FLAGS);
  properties[PROP_HALT_MESSAGE] = g_param_spec_string ("halt-message", NULL, NULL, NULL, RO_FLAGS);
  properties[PROP_HALT_CODE] = g_param_spec_int ("halt-code", NULL, NULL, 0, G_MAXINT, 0, RO_FLAGS);
}

static void
sheaf_batch_class_init (SheafBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sheaf_batch_dispose;
  object_class->finalize = sheaf_batch_finalize;
  object_class->get_property = sheaf_batch_get_property;
  object_class->set_property = sheaf_batch_set_property;

  install_settings ();
  install_progress ();
  install_pacing ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ITEM_FINISHED] =
    g_signal_new ("item-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, SHEAF_TYPE_ITEM);
}

static void
sheaf_batch_init (SheafBatch *self)
{
  self->template_ = g_strdup (SHEAF_DEFAULT_TEMPLATE);
  self->max_tokens = SHEAF_DEFAULT_MAX_TOKENS;
  self->temperature = -1.0;
  self->concurrency = SHEAF_DEFAULT_CONCURRENCY;
  self->effective_concurrency = SHEAF_DEFAULT_CONCURRENCY;
  self->retries = SHEAF_DEFAULT_RETRIES;
  self->timeout = SHEAF_DEFAULT_TIMEOUT;
  self->backoff_ms = DEFAULT_BACKOFF_MS;
  self->io_priority = G_PRIORITY_DEFAULT;
  self->semaphore = sheaf_semaphore_new (self->concurrency);
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->free_slots = g_array_new (FALSE, FALSE, sizeof (guint));
}

SheafBatch *
sheaf_batch_new (SheafProvider *provider)
{
  g_return_val_if_fail (provider == NULL || SHEAF_IS_PROVIDER (provider), NULL);

  return g_object_new (SHEAF_TYPE_BATCH, "provider", provider, NULL);
}

SheafProvider *
sheaf_batch_get_provider (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), NULL);

  return self->provider;
}

void
sheaf_batch_set_provider (SheafBatch *self, SheafProvider *provider)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));
  g_return_if_fail (provider == NULL || SHEAF_IS_PROVIDER (provider));

  if (g_set_object (&self->provider, provider))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER]);
}

guint
sheaf_batch_get_concurrency (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->concurrency;
}

void
sheaf_batch_set_concurrency (SheafBatch *self, guint concurrency)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));
  g_return_if_fail (concurrency >= 1 && concurrency <= SHEAF_MAX_CONCURRENCY);

  if (self->concurrency == concurrency)
    return;

  /* The semaphore takes it at once, even in the middle of a run. */
  self->concurrency = concurrency;
  sheaf_semaphore_set_limit (self->semaphore, concurrency);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONCURRENCY]);
}

SheafSettingsPlace
sheaf_batch_get_settings_place (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), SHEAF_SETTINGS_PREFERENCES);

  return self->settings_place;
}

void
sheaf_batch_set_settings_place (SheafBatch *self, SheafSettingsPlace place)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));
  g_return_if_fail (place == SHEAF_SETTINGS_PREFERENCES || place == SHEAF_SETTINGS_COMMAND_LINE);

  if (self->settings_place == place)
    return;

  /* The sessions learn it when the next run starts (update_sessions()). */
  self->settings_place = place;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_PLACE]);
}

gboolean
sheaf_batch_get_running (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), FALSE);

  return self->running;
}

guint
sheaf_batch_get_n_total (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->n_total;
}

guint
sheaf_batch_get_n_done (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->n_done;
}

guint
sheaf_batch_get_n_failed (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->n_failed;
}

guint
sheaf_batch_get_n_cancelled (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->n_cancelled;
}

double
sheaf_batch_get_elapsed (SheafBatch *self)
{
  gint64 end;

  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0.0);

  if (self->start_us == 0)
    return 0.0;

  end = self->end_us != 0 ? self->end_us : g_get_monotonic_time ();
  return (end - self->start_us) / (double) G_USEC_PER_SEC;
}

double
sheaf_batch_get_sum_seconds (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0.0);

  return self->sum_seconds;
}

guint
sheaf_batch_get_n_not_sent (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->n_not_sent;
}

guint
sheaf_batch_get_effective_concurrency (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->effective_concurrency;
}

gint64
sheaf_batch_get_wait_until (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->wait_until;
}

double
sheaf_batch_get_pace (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0.0);

  return self->pace;
}

const char *
sheaf_batch_get_halt_message (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), NULL);

  return self->halt_message;
}

SheafError
sheaf_batch_get_halt_code (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->halt_code;
}

guint
sheaf_batch_get_rpm (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->rpm;
}

void
sheaf_batch_set_rpm (SheafBatch *self, guint rpm)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));

  set_uint (self, &self->rpm, PROP_RPM, rpm);
}

guint
sheaf_batch_get_tpm (SheafBatch *self)
{
  g_return_val_if_fail (SHEAF_IS_BATCH (self), 0);

  return self->tpm;
}

void
sheaf_batch_set_tpm (SheafBatch *self, guint tpm)
{
  g_return_if_fail (SHEAF_IS_BATCH (self));

  set_uint (self, &self->tpm, PROP_TPM, tpm);
}
