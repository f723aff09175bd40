/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sheaf-batch-private.h"

G_BEGIN_DECLS

/*
 * How a run works. Every item gets a Job. A job first asks the provider's
 * pacer for room in its rate limits (without a permit: a request the
 * pacer holds takes no place in flight), then the semaphore for a permit;
 * with both it sends one attempt. Its outcome ends the job or, for a
 * retryable failure, gives the permit back and waits before asking again.
 *
 * The main loop stays light however many items there are: counters change
 * by one per outcome, nothing walks the list of jobs while a run goes on.
 * Attempts in flight sit in a queue in the order they were sent; since they
 * all have the same timeout, the oldest always expires first, and one
 * watchdog source times them all out. It is armed lazily: when it fires for
 * an attempt that has finished since, it re-arms for the oldest one left.
 * (Moving a source's ready time wakes the main context up, which is not
 * worth doing once per request.)
 *
 * Jobs are admitted a window at a time, in the items' order: a run of a
 * million items holds a few hundred jobs (their prompts, their places in
 * the pacer's and the semaphore's queues), not a million. Each finished
 * job lets the next one in; a stopped or halted run finishes the items it
 * never admitted at once. A finished job is freed from an idle, once no
 * caller on the stack can still hold it.
 */

typedef struct
{
  SheafBatchRun *run;
  SheafItem *item;
  guint index;             /* the item's position in the run's list */
  GList live_link;         /* in run->live from admission until it finishes */
  GList link;              /* in run->in_flight while an attempt is on the wire */
  GList wait_link;         /* in run->retrying */
  SheafPacerWaiter waiter; /* while the pacer holds it */
  GCancellable *attempt_cancellable;
  SoupMessage *message;
  GSource *retry_source;
  SheafCost cost;
  gsize prompt_bytes;
  SheafItem *previous;  /* the answer it had before this run, kept if it gets none */
  gint64 first_send_us; /* 0: never sent */
  gint64 attempt_us;    /* when the attempt on the wire was sent */
  double round_trip;    /* seconds of the attempt that succeeded */
  gint64 deadline_us;
  gint64 retry_at_us;
  gint64 rate_waited_ms; /* waits the rate limit imposed, in all */
  guint attempts;
  guint failures;     /* those that count against the retries */
  guint timeouts;     /* attempts that got no answer in time */
  guint rate_limited; /* 429s for the rate limit */
  gboolean reserved;  /* the pacer took its cost, not reported yet */
  gboolean pacing;    /* in the pacer's queue */
  gboolean holding_permit;
  guint slot; /* while holding a permit: which one, see session_for_slot() */
  gboolean timed_out;
  gboolean finished;
} Job;

struct _SheafBatchRun
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
  guint patience;
  SheafSettingsPlace settings_place;

  SheafPacer *pacer;
  gulong pacer_ids[2];
  SheafOverload overload;

  GCancellable *cancellable; /* what the run's jobs wait for a permit with */
  GCancellable *external;
  gulong external_id;
  gboolean stopped;
  gboolean halted; /* nothing can work: sends no more */
  guint n_succeeded;
  guint n_unreachable;

  GListModel *items;
  GHashTable *previous; /* item index → its answer before this run */
  guint n_jobs;         /* the items, admitted or not */
  guint n_admitted;     /* the next item to admit */
  guint n_unfinished;
  guint n_pacing;
  GQueue live;     /* admitted jobs not finished */
  GQueue finished; /* finished jobs not freed yet */
  GSource *reaper;

  GQueue in_flight;
  GSource *watchdog;
  GQueue retrying;
};

/* sheaf-batch-run.c */
void _sheaf_job_queue (Job *job);
void _sheaf_job_release_permit (Job *job);
void _sheaf_job_finish (Job *job, SheafItemState state);
void _sheaf_run_update_wait (SheafBatchRun *run);
void _sheaf_run_finish_waiting (SheafBatchRun *run, SheafItemState state);

/* sheaf-batch-admit.c */
void _sheaf_run_init_jobs (SheafBatchRun *run, GListModel *items);
/* Resets every item, keeping aside the answers they had. */
void _sheaf_run_start_items (SheafBatchRun *run);
/* Lets jobs in until the window is full. */
void _sheaf_run_admit (SheafBatchRun *run);
/* Finishes, with @state, every item not admitted yet. */
void _sheaf_run_finish_unadmitted (SheafBatchRun *run, SheafItemState state);
/* A finished job leaves the live jobs, to be freed soon. */
void _sheaf_run_retire (Job *job);
void _sheaf_run_free_jobs (SheafBatchRun *run);

/* sheaf-batch-outcome.c */
void _sheaf_job_succeed (Job *job, SheafReply *reply, guint status);
void _sheaf_job_fail (Job *job, const char *message, guint status);
void _sheaf_job_not_sent (Job *job);
/* A rejected key, an unknown model or URL, a quota reached, a setting that
 * cannot work: what no request of the run can get past. */
gboolean _sheaf_error_is_hopeless (const GError *error);
/* @limits: NULL for an error before any reply; @unreachable: the server
 * could not be connected to. */
void _sheaf_job_handle_error (Job *job, const GError *error, const SheafRateLimits *limits,
                              guint status, gboolean unreachable);
/* @attempts: how many attempts timed out, the last included. */
GError *_sheaf_run_timeout_error (SheafBatchRun *run, guint attempts);

G_END_DECLS
