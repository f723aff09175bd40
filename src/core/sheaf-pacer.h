/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sheaf-provider.h"

G_BEGIN_DECLS

/*
 * What one request takes from the buckets: one request, its estimated
 * input tokens (with max_tokens where the provider counts them) and its
 * estimated output tokens.
 */
typedef struct
{
  double amount[SHEAF_N_LIMITS];
  double own_tokens; /* for the person's own tokens-per-minute cap */
  /*< private >*/
  double sent_mark[SHEAF_N_LIMITS]; /* all sent until this one, see sheaf_pacer_sent() */
  gboolean on_wire;                 /* sent, not answered yet */
  GList wire_link;                  /* in the pacer's requests on the wire */
} SheafCost;

/* A wait shorter than this is pacing, not a wait worth telling a person. */
#define SHEAF_PACER_TELL_WAIT_US (1 * G_USEC_PER_SEC)

typedef struct _SheafPacerWaiter SheafPacerWaiter;
typedef void (*SheafPacerReadyFunc) (SheafPacerWaiter *waiter, gpointer user_data);

/* Held by the caller while it waits; see sheaf_pacer_wait(). */
struct _SheafPacerWaiter
{
  /*< private >*/
  GList link;
  SheafCost cost;
  SheafPacerReadyFunc ready;
  gpointer user_data;
};

#define SHEAF_TYPE_PACER (sheaf_pacer_get_type ())
G_DECLARE_FINAL_TYPE (SheafPacer, sheaf_pacer, SHEAF, PACER, GObject)

/*
 * One pacer per provider and key, shared by every run in the process.
 * It mirrors the provider's request and token buckets from the headers of
 * its replies, refilling them as the provider does, and admits a request
 * only when its estimated cost fits: a request it holds has no permit and
 * is not sent. A 429 that says the account's bucket is empty holds every
 * request until the provider's wait is over.
 *
 * Until a provider has accepted a request from this key (any reply but a
 * rejection), at most two requests are out at once, so that a wrong key, a
 * wrong model or a server that is not there costs two requests, not a
 * whole run; after two seconds without an answer the gate opens anyway.
 *
 * Properties (read-only, notified): wait-until (g_get_monotonic_time() at
 * which held requests go out again, 0 when none waits longer than a
 * moment), pace (requests per minute the binding limit allows while it
 * holds requests back, 0 otherwise).
 */
SheafPacer *sheaf_pacer_get_for (SheafProvider *provider);
/* Tests only: forgets every pacer, as a new process would. A test server
 * that comes up on a port an earlier one had is another provider, and must
 * not inherit what the pacer learned of the first (its gate open). */
void _sheaf_pacer_forget_all (void);

/* The person's own caps, per minute; 0: none. */
void sheaf_pacer_set_caps (SheafPacer *self, guint rpm, guint tpm);

/* The cost of sending a prompt of @prompt_bytes (system prompt included),
 * into @cost, which must not be on its way (sent and not reported). */
void sheaf_pacer_estimate (SheafPacer *self, gsize prompt_bytes, guint max_tokens, SheafCost *cost);

/* Takes @cost at once and returns TRUE when nothing waits before it and
 * it fits; otherwise FALSE, and the caller waits with sheaf_pacer_wait(). */
gboolean sheaf_pacer_try_reserve (SheafPacer *self, const SheafCost *cost);
/* Queues @waiter (FIFO) until @cost fits; @ready is then called from the
 * main loop with the cost taken. */
void sheaf_pacer_wait (SheafPacer *self, SheafPacerWaiter *waiter, const SheafCost *cost,
                       SheafPacerReadyFunc ready, gpointer user_data);
/* Takes a waiter out of the queue; @ready is not called. */
void sheaf_pacer_cancel_wait (SheafPacer *self, SheafPacerWaiter *waiter);

/* A reserved request left: its cost stops counting as waiting to be sent,
 * and @cost remembers what had been sent until it. */
void sheaf_pacer_sent (SheafPacer *self, SheafCost *cost);
/* A reserved request that will not be sent gives its cost back. */
void sheaf_pacer_refund (SheafPacer *self, SheafCost *cost);

/*
 * What came back for a request of @cost sent with @prompt_bytes: the
 * headers' limits, the usage the reply reported (-1: unknown), and whether
 * the provider accepted the request at all (FALSE for a rejected key,
 * an unknown model, a server that cannot be reached).
 */
void sheaf_pacer_report (SheafPacer *self, SheafCost *cost, gsize prompt_bytes,
                         const SheafRateLimits *limits, gint64 input_tokens, gint64 output_tokens,
                         gboolean accepted);

/* Holds every request until @until_us (g_get_monotonic_time ()). */
void sheaf_pacer_hold (SheafPacer *self, gint64 until_us);
gboolean sheaf_pacer_is_held (SheafPacer *self);
/* Closes the gate again: the provider refused this key. */
void sheaf_pacer_distrust (SheafPacer *self);

gint64 sheaf_pacer_get_wait_until (SheafPacer *self);
double sheaf_pacer_get_pace (SheafPacer *self);

G_END_DECLS
