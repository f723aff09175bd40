/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-batch"

#include "config.h"

#include "sheaf-batch-job.h"
#include "sheaf-source.h"

/*
 * Admission: which items of a run have a job. See sheaf-batch-job.h. The
 * window is a few times the concurrency, so that the semaphore always has
 * waiters when a permit comes back (even when the concurrency is raised
 * while it runs), and jobs waiting to retry do not starve the others.
 */

#define WINDOW_MIN        256
#define WINDOW_PER_PERMIT 4

void
_sheaf_run_init_jobs (SheafBatchRun *run, GListModel *items)
{
  run->items = g_object_ref (items);
  run->n_jobs = run->n_unfinished = g_list_model_get_n_items (items);
  run->previous = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
}

void
_sheaf_run_start_items (SheafBatchRun *run)
{
  for (guint i = 0; i < run->n_jobs; i++)
    {
      g_autoptr (SheafItem) item = g_list_model_get_item (run->items, i);

      /* A row answered before keeps that answer aside until this run gives
       * it a new one. */
      if (sheaf_item_has_answer (item))
        {
          SheafItem *previous = sheaf_item_new (NULL, NULL);

          sheaf_item_copy_outcome (previous, item);
          g_hash_table_insert (run->previous, GUINT_TO_POINTER (i), previous);
        }
      sheaf_item_reset (item);
    }
}

static Job *
job_new (SheafBatchRun *run)
{
  Job *job = g_new0 (Job, 1);
  gpointer previous = NULL;

  job->run = run;
  job->index = run->n_admitted++;
  job->item = g_list_model_get_item (run->items, job->index);
  job->link.data = job;
  job->wait_link.data = job;
  job->live_link.data = job;
  if (g_hash_table_steal_extended (run->previous, GUINT_TO_POINTER (job->index), NULL, &previous))
    job->previous = previous;
  g_queue_push_tail_link (&run->live, &job->live_link);
  return job;
}

static void
job_free (Job *job)
{
  g_assert (job->finished);
  g_clear_object (&job->item);
  g_clear_object (&job->previous);
  g_free (job);
}

static guint
window (SheafBatchRun *run)
{
  return MAX (WINDOW_MIN, WINDOW_PER_PERMIT * MAX (run->self->concurrency, 1));
}

void
_sheaf_run_admit (SheafBatchRun *run)
{
  while (!run->stopped && !run->halted && run->n_admitted < run->n_jobs &&
         run->live.length < window (run))
    _sheaf_job_queue (job_new (run));
}

void
_sheaf_run_finish_unadmitted (SheafBatchRun *run, SheafItemState state)
{
  /* Each is freed at once: a million of them never wait for the reaper. */
  while (run->n_admitted < run->n_jobs)
    {
      Job *job = job_new (run);

      if (state == SHEAF_ITEM_STATE_NOT_SENT)
        _sheaf_job_not_sent (job);
      else
        _sheaf_job_finish (job, state);
      g_queue_unlink (&run->finished, &job->link);
      job_free (job);
    }
}

static gboolean
reap_cb (gpointer user_data)
{
  SheafBatchRun *run = user_data;
  GList *link;

  /* The links are the jobs' own: popped, not freed. */
  while ((link = g_queue_pop_head_link (&run->finished)) != NULL)
    job_free (link->data);
  return G_SOURCE_CONTINUE;
}

void
_sheaf_run_retire (Job *job)
{
  SheafBatchRun *run = job->run;

  g_queue_unlink (&run->live, &job->live_link);
  /* Every attempt has ended: the link that held it in flight is free. */
  g_queue_push_tail_link (&run->finished, &job->link);
  if (run->reaper == NULL)
    run->reaper = sheaf_deadline_source_new ("[sheaf] batch reaper", 0, reap_cb, run);
  else if (g_source_get_ready_time (run->reaper) == -1)
    g_source_set_ready_time (run->reaper, 0);
}

void
_sheaf_run_free_jobs (SheafBatchRun *run)
{
  g_assert (run->live.length == 0);
  sheaf_clear_source (&run->reaper);
  reap_cb (run);
  g_clear_pointer (&run->previous, g_hash_table_unref);
  g_clear_object (&run->items);
}
