/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sheaf-batch.h"
#include "sheaf-overload.h"
#include "sheaf-pacer.h"
#include "sheaf-semaphore.h"

G_BEGIN_DECLS

/* The longest a retry waits when the provider did not say how long. */
#define SHEAF_BATCH_MAX_BACKOFF_MS     60000
#define SHEAF_BATCH_DEFAULT_BACKOFF_MS 1000
/* How long the rate limit may keep one row waiting, in all, before the
 * row gives up. */
#define SHEAF_BATCH_DEFAULT_PATIENCE (15 * 60)

typedef struct _SheafBatchRun SheafBatchRun;

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
  guint patience;

  SheafSemaphore *semaphore;
  GPtrArray *sessions;
  gboolean direct; /* the provider is on this machine: no proxy */
  GArray *free_slots;
  guint n_slots;
  SheafBatchRun *run;

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

enum
{
  SHEAF_BATCH_PROP_0,
  SHEAF_BATCH_PROP_PROVIDER,
  SHEAF_BATCH_PROP_MODEL,
  SHEAF_BATCH_PROP_SYSTEM,
  SHEAF_BATCH_PROP_TEMPLATE,
  SHEAF_BATCH_PROP_MAX_TOKENS,
  SHEAF_BATCH_PROP_TEMPERATURE,
  SHEAF_BATCH_PROP_CONCURRENCY,
  SHEAF_BATCH_PROP_RETRIES,
  SHEAF_BATCH_PROP_TIMEOUT,
  SHEAF_BATCH_PROP_BACKOFF_MS,
  SHEAF_BATCH_PROP_IO_PRIORITY,
  SHEAF_BATCH_PROP_SETTINGS_PLACE,
  SHEAF_BATCH_PROP_RPM,
  SHEAF_BATCH_PROP_TPM,
  SHEAF_BATCH_PROP_PATIENCE,
  SHEAF_BATCH_PROP_RUNNING,
  SHEAF_BATCH_PROP_N_TOTAL,
  SHEAF_BATCH_PROP_N_DONE,
  SHEAF_BATCH_PROP_N_FAILED,
  SHEAF_BATCH_PROP_N_CANCELLED,
  SHEAF_BATCH_PROP_N_NOT_SENT,
  SHEAF_BATCH_PROP_N_FINISHED,
  SHEAF_BATCH_PROP_SUM_SECONDS,
  SHEAF_BATCH_PROP_EFFECTIVE_CONCURRENCY,
  SHEAF_BATCH_PROP_WAIT_UNTIL,
  SHEAF_BATCH_PROP_PACE,
  SHEAF_BATCH_PROP_HALT_MESSAGE,
  SHEAF_BATCH_PROP_HALT_CODE,
  SHEAF_BATCH_N_PROPS
};

/* sheaf-batch.c: the object, its counters and its sessions */
void _sheaf_batch_notify (SheafBatch *self, guint prop_id);
void _sheaf_batch_set_running (SheafBatch *self, gboolean running);
void _sheaf_batch_reset_counters (SheafBatch *self, guint n_total);
/* sheaf-sent-key.c: see sheaf_batch_dup_sent_key(). */
char *_sheaf_sent_key (SheafProvider *provider, const char *model, const char *system,
                       guint max_tokens, double temperature, const char *prompt);

void _sheaf_batch_count_outcome (SheafBatch *self, SheafItemState state, double round_trip);
void _sheaf_batch_emit_item_finished (SheafBatch *self, SheafItem *item);
void _sheaf_batch_set_pacing (SheafBatch *self, gint64 wait_until, double pace);
void _sheaf_batch_set_effective_concurrency (SheafBatch *self, guint effective);
void _sheaf_batch_set_halt (SheafBatch *self, const GError *error);
guint _sheaf_batch_take_slot (SheafBatch *self);
/* Brings the sessions in line with the settings a run starts with. */
void _sheaf_batch_update_sessions (SheafBatch *self);
void _sheaf_batch_free_slot (SheafBatch *self, guint slot);
SoupSession *_sheaf_batch_session_for_slot (SheafBatch *self, guint slot);

/* sheaf-batch-run.c: one run */
SheafBatchRun *_sheaf_batch_run_new (SheafBatch *self, GListModel *items, GTask *task,
                                     GCancellable *cancellable);
void _sheaf_batch_run_start (SheafBatchRun *run);
void _sheaf_batch_run_stop (SheafBatchRun *run);
void _sheaf_batch_run_free (SheafBatchRun *run);
/* The concurrency setting changed while the run goes. */
void _sheaf_batch_run_update_limit (SheafBatchRun *run);

G_END_DECLS
