/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sheaf-error.h"
#include "sheaf-item.h"
#include "sheaf-provider.h"

G_BEGIN_DECLS

#define SHEAF_DEFAULT_CONCURRENCY 5
#define SHEAF_DEFAULT_RETRIES     3
#define SHEAF_DEFAULT_TIMEOUT     600
#define SHEAF_DEFAULT_MAX_TOKENS  1024

#define SHEAF_TYPE_BATCH (sheaf_batch_get_type ())
G_DECLARE_FINAL_TYPE (SheafBatch, sheaf_batch, SHEAF, BATCH, GObject)

/*
 * Runs items through a provider, at most "concurrency" at once, on the main
 * loop. For each item: render the template, wait for a permit of the
 * SheafSemaphore, send with soup_session_send_and_read_async(), parse,
 * release. Outcomes are written into the items' properties. A failure stays
 * in its item; retryable failures are retried up to "retries" times with
 * exponential backoff and jitter, honouring the provider's retry-after, and
 * the permit is given back while waiting. A 429 pauses new sends until its
 * wait is over. Stopping cancels everything in flight at once; what arrived
 * is kept and the rest is marked cancelled.
 *
 * Read-write properties (may change between runs; "concurrency" also while
 * one runs): provider (SheafProvider), model, system, template, max-tokens,
 * temperature (double, < 0: provider default), concurrency, retries,
 * timeout (seconds for one request, 0: none), backoff-ms (the first retry's
 * base wait, default 1000; tests lower it), io-priority (the GLib priority
 * of the network I/O, default G_PRIORITY_DEFAULT; a window sets it below
 * GDK's redraw priority so frames are drawn while results pour in),
 * settings-place (SheafSettingsPlace, default SHEAF_SETTINGS_PREFERENCES:
 * which settings the batch's own messages and those of its HTTP sessions
 * name; the provider's messages follow the provider's own property).
 *
 * rate-limit-patience (seconds the provider's rate limit may keep one row
 * waiting in all before it fails, default 900),
 * rpm, tpm (guint, 0: no cap): caps of the person's own on requests and
 * on tokens (input + output) per minute, below the provider's, for a
 * shared key or a server on this computer.
 *
 * Read-only properties, notified as they change: running, n-total, n-done,
 * n-failed, n-cancelled, n-not-sent, n-finished (done + failed + cancelled
 * + not sent), sum-seconds (the round trips of the attempts that
 * succeeded, send to answer, added up: the time one at a time would have
 * taken),
 * effective-concurrency (how many requests may be in flight now: below
 * "concurrency" while the provider is overloaded), wait-until (the
 * g_get_monotonic_time() at which requests held for the provider's rate
 * limit go out again, 0 when none is held longer than a moment), pace
 * (requests per minute the provider's limits allow while they hold the
 * run back, 0 otherwise), halt-message and halt-code (why the run stopped
 * sending early, and its SheafError code; NULL and 0 otherwise).
 *
 * Pacing: every request first waits for the provider's SheafPacer (shared
 * by every batch of the process that uses the same provider and key),
 * then for a permit. A 429 that is a rate limit never fails a row while
 * the provider gives a finite wait (it fails after 15 minutes of such
 * waits); it does not count against "retries".
 *
 * Stopping early: a rejected key (401, 403), an unknown model (404), a
 * quota or spend limit reached, or a server that cannot be reached while
 * nothing has succeeded yet stops the run from sending: items not sent yet
 * become SHEAF_ITEM_STATE_NOT_SENT, halt-message says why once, and the
 * run completes when the requests in flight are over.
 *
 * Signals: "item-finished" (SheafItem *item) once for each item that
 * reaches DONE, FAILED, CANCELLED or NOT_SENT in a run.
 */
SheafBatch *sheaf_batch_new (SheafProvider *provider);

SheafProvider *sheaf_batch_get_provider (SheafBatch *self);
void sheaf_batch_set_provider (SheafBatch *self, SheafProvider *provider);
guint sheaf_batch_get_concurrency (SheafBatch *self);
void sheaf_batch_set_concurrency (SheafBatch *self, guint concurrency);
SheafSettingsPlace sheaf_batch_get_settings_place (SheafBatch *self);
void sheaf_batch_set_settings_place (SheafBatch *self, SheafSettingsPlace place);
gboolean sheaf_batch_get_running (SheafBatch *self);
guint sheaf_batch_get_n_total (SheafBatch *self);
guint sheaf_batch_get_n_done (SheafBatch *self);
guint sheaf_batch_get_n_failed (SheafBatch *self);
guint sheaf_batch_get_n_cancelled (SheafBatch *self);
guint sheaf_batch_get_n_not_sent (SheafBatch *self);
guint sheaf_batch_get_effective_concurrency (SheafBatch *self);
gint64 sheaf_batch_get_wait_until (SheafBatch *self);
double sheaf_batch_get_pace (SheafBatch *self);
const char *sheaf_batch_get_halt_message (SheafBatch *self);
SheafError sheaf_batch_get_halt_code (SheafBatch *self);
guint sheaf_batch_get_rpm (SheafBatch *self);
void sheaf_batch_set_rpm (SheafBatch *self, guint rpm);
guint sheaf_batch_get_tpm (SheafBatch *self);
void sheaf_batch_set_tpm (SheafBatch *self, guint tpm);
/* Wall time of the current or last run, in seconds. */
double sheaf_batch_get_elapsed (SheafBatch *self);
double sheaf_batch_get_sum_seconds (SheafBatch *self);
/* How much faster than one at a time: sum-seconds ÷ the wall time, or 0
 * when fewer than two requests succeeded. */
double sheaf_batch_get_speedup (SheafBatch *self);
double sheaf_speedup (guint n_done, double sum_seconds, double elapsed);

/*
 * What an answer is asked under: the rendered prompt, the provider (its
 * kind and server, never the key), model, system prompt, max tokens and
 * temperature, as a short digest. An item whose "sent-key" differs from
 * this for the batch's settings now has an outdated answer.
 */
char *sheaf_batch_dup_sent_key (SheafBatch *self, SheafItem *item);
/*
 * Marks every answered item of @items DONE when its answer was asked under
 * the batch's settings as they are now, OUTDATED when not. Items answered
 * before Sheaf kept this (no "sent-key") count as current. Returns how
 * many are outdated.
 */
guint sheaf_batch_mark_outdated (SheafBatch *self, GListModel *items);

/*
 * Runs every item of @items (a GListModel of SheafItem), whatever its state:
 * each is reset first, and one that had an answer gets it back when the
 * run gives it none (stopped, not sent); "item-finished" tells the run's
 * own outcome first. Completes when every item has an outcome. Fails only
 * for a setting that makes every request impossible (SHEAF_ERROR_CONFIG,
 * SHEAF_ERROR_INSECURE) or when one is already running; item failures are
 * in the items. Stopping is not an error.
 */
void sheaf_batch_run_async (SheafBatch *self, GListModel *items, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);
gboolean sheaf_batch_run_finish (SheafBatch *self, GAsyncResult *result, GError **error);
void sheaf_batch_stop (SheafBatch *self);

G_END_DECLS
