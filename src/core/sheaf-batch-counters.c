/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-batch"

#include "config.h"

#include "sheaf-batch-private.h"

/* What a run tells of itself: its counts, its pace, why it stopped. The
 * properties are sheaf-batch.c's; these set them for the run. */

void
_sheaf_batch_set_running (SheafBatch *self, gboolean running)
{
  if (self->running == running)
    return;

  self->running = running;
  _sheaf_batch_notify (self, SHEAF_BATCH_PROP_RUNNING);
}

void
_sheaf_batch_reset_counters (SheafBatch *self, guint n_total)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->n_total != n_total)
    _sheaf_batch_notify (self, SHEAF_BATCH_PROP_N_TOTAL);
  if (self->n_done != 0)
    _sheaf_batch_notify (self, SHEAF_BATCH_PROP_N_DONE);
  if (self->n_failed != 0)
    _sheaf_batch_notify (self, SHEAF_BATCH_PROP_N_FAILED);
  if (self->n_cancelled != 0)
    _sheaf_batch_notify (self, SHEAF_BATCH_PROP_N_CANCELLED);
  if (self->n_done + self->n_failed + self->n_cancelled + self->n_not_sent != 0)
    _sheaf_batch_notify (self, SHEAF_BATCH_PROP_N_FINISHED);
  if (self->sum_seconds != 0.0)
    _sheaf_batch_notify (self, SHEAF_BATCH_PROP_SUM_SECONDS);

  if (self->n_not_sent != 0)
    _sheaf_batch_notify (self, SHEAF_BATCH_PROP_N_NOT_SENT);

  self->n_total = n_total;
  self->n_done = self->n_failed = self->n_cancelled = self->n_not_sent = 0;
  self->sum_seconds = 0.0;
  g_object_thaw_notify (G_OBJECT (self));
}

void
_sheaf_batch_count_outcome (SheafBatch *self, SheafItemState state, double round_trip)
{
  switch (state)
    {
      case SHEAF_ITEM_STATE_DONE:
        self->n_done++;
        _sheaf_batch_notify (self, SHEAF_BATCH_PROP_N_DONE);
        break;
      case SHEAF_ITEM_STATE_FAILED:
        self->n_failed++;
        _sheaf_batch_notify (self, SHEAF_BATCH_PROP_N_FAILED);
        break;
      case SHEAF_ITEM_STATE_CANCELLED:
        self->n_cancelled++;
        _sheaf_batch_notify (self, SHEAF_BATCH_PROP_N_CANCELLED);
        break;
      case SHEAF_ITEM_STATE_NOT_SENT:
        self->n_not_sent++;
        _sheaf_batch_notify (self, SHEAF_BATCH_PROP_N_NOT_SENT);
        break;
      case SHEAF_ITEM_STATE_QUEUED:
      case SHEAF_ITEM_STATE_RUNNING:
      case SHEAF_ITEM_STATE_RETRYING:
      case SHEAF_ITEM_STATE_OUTDATED:
      default:
        g_assert_not_reached ();
    }

  _sheaf_batch_notify (self, SHEAF_BATCH_PROP_N_FINISHED);
  if (state == SHEAF_ITEM_STATE_DONE && round_trip > 0.0)
    {
      self->sum_seconds += round_trip;
      _sheaf_batch_notify (self, SHEAF_BATCH_PROP_SUM_SECONDS);
    }
}

void
_sheaf_batch_set_pacing (SheafBatch *self, gint64 wait_until, double pace)
{
  if (self->wait_until != wait_until)
    {
      self->wait_until = wait_until;
      _sheaf_batch_notify (self, SHEAF_BATCH_PROP_WAIT_UNTIL);
    }
  if (self->pace != pace)
    {
      self->pace = pace;
      _sheaf_batch_notify (self, SHEAF_BATCH_PROP_PACE);
    }
}

void
_sheaf_batch_set_effective_concurrency (SheafBatch *self, guint effective)
{
  if (self->effective_concurrency == effective)
    return;

  self->effective_concurrency = effective;
  _sheaf_batch_notify (self, SHEAF_BATCH_PROP_EFFECTIVE_CONCURRENCY);
}

/* @error: why the run stopped sending, or NULL to forget it. */
void
_sheaf_batch_set_halt (SheafBatch *self, const GError *error)
{
  const char *message = error != NULL ? error->message : NULL;
  SheafError code = error != NULL ? (SheafError) error->code : 0;

  if (g_strcmp0 (self->halt_message, message) != 0)
    {
      g_free (self->halt_message);
      self->halt_message = g_strdup (message);
      _sheaf_batch_notify (self, SHEAF_BATCH_PROP_HALT_MESSAGE);
    }
  if (self->halt_code != code)
    {
      self->halt_code = code;
      _sheaf_batch_notify (self, SHEAF_BATCH_PROP_HALT_CODE);
    }
}
