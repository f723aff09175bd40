/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-pacer"

#include "config.h"

#include "sheaf-pacer.h"

#include <math.h>

#include "sheaf-source.h"

/* The provider's buckets, then the person's own caps. */
enum
{
  OWN_REQUESTS = SHEAF_N_LIMITS,
  OWN_TOKENS,
  N_BUCKETS
};

/* Requests out at once before the provider has accepted one. */
#define MAX_PROBES 2
/* A probe unanswered this long has been let in: the gate opens. */
#define PROBE_GRACE_MS 2000
/* Estimates are taken this much larger, waits computed at this share of
 * the rate: a request never arrives a moment too early. */
#define COST_MARGIN 1.02
#define RATE_MARGIN 0.97
/* The first guess at tokens per byte of prompt: bytes ÷ 4. */
#define DEFAULT_TOKENS_PER_BYTE 0.25
/* Output tokens to expect before any answer said how many. */
#define DEFAULT_OUTPUT_TOKENS 256
/* Pace is told while requests were held this recently. */
#define PACE_MEMORY_US (2 * G_USEC_PER_SEC)
#define NEVER          G_MAXINT64

typedef struct
{
  double capacity; /* <= 0: no limit known */
  double rate;     /* refill per second */
  gboolean rate_measured;
  double level;
  gint64 updated_us;
  double pending; /* reserved, not sent yet */
  double sent;    /* all sent from this pacer, ever */
} Bucket;

struct _SheafPacer
{
  GObject parent_instance;

  char *id;
  gboolean counts_max_tokens;
  Bucket buckets[N_BUCKETS];

  GQueue waiters;
  GQueue on_wire; /* SheafCost: sent, not answered yet, oldest first */
  GSource *timer;
  gboolean pumping;
  gboolean pump_again;
  gint64 hold_until_us;

  gboolean trusted;
  guint n_probing;
  GSource *grace;

  double tokens_per_byte;
  double output_tokens;

  gint64 held_us; /* when a request was last held back */
  gint64 wait_until;
  double pace;
};

G_DEFINE_FINAL_TYPE (SheafPacer, sheaf_pacer, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_WAIT_UNTIL,
  PROP_PACE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* id → SheafPacer, owned: what a pacer learned of a provider (its limits,
 * that it accepts the key) serves the next run too. */
static GHashTable *pacers;

static void pump (SheafPacer *self);

/* Buckets */

static double
cost_in (const SheafCost *cost, guint bucket)
{
  if (bucket < SHEAF_N_LIMITS)
    return cost->amount[bucket];
  if (bucket == OWN_REQUESTS)
    return cost->amount[SHEAF_LIMIT_REQUESTS];
  return cost->own_tokens;
}

static void
bucket_refill (Bucket *b, gint64 now)
{
  if (b->capacity > 0 && b->rate > 0 && now > b->updated_us)
    b->level = MIN (b->capacity, b->level + b->rate * (now - b->updated_us) / G_USEC_PER_SEC);
  b->updated_us = now;
}

/* How long until @amount fits; 0: now. */
static gint64
bucket_wait_us (Bucket *b, double amount, gint64 now)
{
  double need;

  if (b->capacity <= 0 || amount <= 0)
    return 0;
  bucket_refill (b, now);
  /* A request larger than the bucket goes when the bucket is full. */
  need = MIN (amount * COST_MARGIN, b->capacity);
  if (b->level >= need)
    return 0;
  if (b->rate <= 0)
    return NEVER;
  return (gint64) ceil ((need - b->level) / (b->rate * RATE_MARGIN) * G_USEC_PER_SEC);
}

static gint64
cost_wait_us (SheafPacer *self, const SheafCost *cost, gint64 now)
{
  gint64 wait = MAX (self->hold_until_us - now, 0);

  if (!self->trusted && self->n_probing >= MAX_PROBES)
    return NEVER;
  for (guint i = 0; i < N_BUCKETS; i++)
    wait = MAX (wait, bucket_wait_us (&self->buckets[i], cost_in (cost, i), now));
  return wait;
}

static gboolean
grace_cb (gpointer user_data)
{
  SheafPacer *self = user_data;

  g_clear_pointer (&self->grace, g_source_unref);
  self->trusted = TRUE;
  pump (self);
  return G_SOURCE_REMOVE;
}

static void
take (SheafPacer *self, const SheafCost *cost)
{
  for (guint i = 0; i < N_BUCKETS; i++)
    {
      Bucket *b = &self->buckets[i];
      double amount = cost_in (cost, i);

      if (b->capacity > 0)
        b->level -= amount;
      b->pending += amount;
    }
  if (self->trusted)
    return;
  self->n_probing++;
  if (self->grace == NULL)
    {
      self->grace = g_timeout_source_new (PROBE_GRACE_MS);
      g_source_set_static_name (self->grace, "[sheaf] pacer grace");
      g_source_set_callback (self->grace, grace_cb, self, NULL);
      g_source_attach (self->grace, NULL);
    }
}

/* Counts @cost as sent and marks in it what had been sent until then. */
static void
note_sent (SheafPacer *self, SheafCost *cost)
{
  for (guint i = 0; i < SHEAF_N_LIMITS; i++)
    {
      Bucket *b = &self->buckets[i];

      b->sent += cost_in (cost, i);
      cost->sent_mark[i] = b->sent;
    }
  cost->on_wire = TRUE;
  cost->wire_link = (GList){ cost, NULL, NULL };
  g_queue_push_tail_link (&self->on_wire, &cost->wire_link);
}

/* @cost was answered, or will never be. */
static void
note_off_wire (SheafPacer *self, SheafCost *cost)
{
  if (!cost->on_wire)
    return;
  cost->on_wire = FALSE;
  g_queue_unlink (&self->on_wire, &cost->wire_link);
}

/* What the provider may not have seen when it answered @cost (on the wire):
 * everything sent since the oldest request not answered yet, @cost aside.
 * Requests on other connections may arrive in another order than they
 * were sent, so one sent before @cost may still be on its way. */
static double
unseen_when_answered (SheafPacer *self, const SheafCost *cost, guint i)
{
  const SheafCost *oldest = self->on_wire.head->data;
  double since = self->buckets[i].sent - (oldest->sent_mark[i] - cost_in (oldest, i));

  return MAX (since - cost_in (cost, i), 0);
}

static void
unpend (SheafPacer *self, const SheafCost *cost, gboolean give_back)
{
  for (guint i = 0; i < N_BUCKETS; i++)
    {
      Bucket *b = &self->buckets[i];
      double amount = cost_in (cost, i);

      b->pending = MAX (b->pending - amount, 0);
      if (give_back && b->capacity > 0)
        b->level = MIN (b->level + amount, b->capacity);
    }
}

/* What it tells */

static void
set_wait_until (SheafPacer *self, gint64 wait_until)
{
  /* A countdown moves by itself: only a jump is news. */
  if ((wait_until == 0) == (self->wait_until == 0) &&
      ABS (wait_until - self->wait_until) < G_USEC_PER_SEC / 4)
    return;

  self->wait_until = wait_until;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAIT_UNTIL]);
}

/* Requests a minute the tightest known bucket allows for @cost. */
static double
binding_pace (SheafPacer *self, const SheafCost *cost)
{
  double pace = 0;

  for (guint i = 0; i < N_BUCKETS; i++)
    {
      Bucket *b = &self->buckets[i];
      double amount = cost_in (cost, i);
      double allows;

      if (b->capacity <= 0 || b->rate <= 0 || amount <= 0)
        continue;
      allows = b->rate * 60 / amount;
      pace = pace == 0 ? allows : MIN (pace, allows);
    }
  return pace;
}

static void
set_pace (SheafPacer *self, double pace)
{
  if (fabs (pace - self->pace) <= self->pace * 0.02 && (pace == 0) == (self->pace == 0))
    return;

  self->pace = pace;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PACE]);
}

static void
update_status (SheafPacer *self, const SheafCost *head, gint64 wait, gint64 now)
{
  if (head != NULL && wait > 0)
    self->held_us = now;
  set_wait_until (
    self, head != NULL && wait >= SHEAF_PACER_TELL_WAIT_US && wait != NEVER ? now + wait : 0);
  if (head != NULL && now - self->held_us < PACE_MEMORY_US)
    set_pace (self, binding_pace (self, head));
  else if (now - self->held_us >= PACE_MEMORY_US)
    set_pace (self, 0);
}

/* The queue */

static gboolean
timer_cb (gpointer user_data)
{
  pump (user_data);
  return G_SOURCE_CONTINUE;
}

/* Lets out every waiter that fits, in order, and arms the timer for the
 * first that does not. A waiter's callback may reserve, refund or report:
 * that asks for another round rather than nesting one. */
static void
pump_once (SheafPacer *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 wait = 0;

  while (self->waiters.head != NULL)
    {
      SheafPacerWaiter *waiter = self->waiters.head->data;

      wait = cost_wait_us (self, &waiter->cost, now);
      if (wait > 0)
        break;
      g_queue_unlink (&self->waiters, &waiter->link);
      take (self, &waiter->cost);
      waiter->ready (waiter, waiter->user_data);
      now = g_get_monotonic_time ();
    }

  if (self->waiters.head == NULL || wait == NEVER)
    g_source_set_ready_time (self->timer, -1);
  else
    g_source_set_ready_time (self->timer, now + wait);
  update_status (self,
                 self->waiters.head != NULL ? &((SheafPacerWaiter *) self->waiters.head->data)->cost
                                            : NULL,
                 wait, now);
}

static void
pump (SheafPacer *self)
{
  if (self->pumping)
    {
      self->pump_again = TRUE;
      return;
    }

  self->pumping = TRUE;
  do
    {
      self->pump_again = FALSE;
      pump_once (self);
    }
  while (self->pump_again);
  self->pumping = FALSE;
}

gboolean
sheaf_pacer_try_reserve (SheafPacer *self, const SheafCost *cost)
{
  gint64 now = g_get_monotonic_time ();

  g_return_val_if_fail (SHEAF_IS_PACER (self), FALSE);

  if (self->waiters.head != NULL || cost_wait_us (self, cost, now) > 0)
    return FALSE;
  take (self, cost);
  return TRUE;
}

void
sheaf_pacer_wait (SheafPacer *self, SheafPacerWaiter *waiter, const SheafCost *cost,
                  SheafPacerReadyFunc ready, gpointer user_data)
{
  g_return_if_fail (SHEAF_IS_PACER (self));
  g_return_if_fail (waiter != NULL && ready != NULL);

  waiter->link = (GList){ waiter, NULL, NULL };
  waiter->cost = *cost;
  waiter->ready = ready;
  waiter->user_data = user_data;
  g_queue_push_tail_link (&self->waiters, &waiter->link);
  /* From the main loop, never from inside the caller. */
  g_source_set_ready_time (self->timer, 0);
}

void
sheaf_pacer_cancel_wait (SheafPacer *self, SheafPacerWaiter *waiter)
{
  g_return_if_fail (SHEAF_IS_PACER (self));

  g_queue_unlink (&self->waiters, &waiter->link);
  if (self->waiters.head == NULL)
    update_status (self, NULL, 0, g_get_monotonic_time ());
}

void
sheaf_pacer_sent (SheafPacer *self, SheafCost *cost)
{
  g_return_if_fail (SHEAF_IS_PACER (self));

  unpend (self, cost, FALSE);
  note_sent (self, cost);
}

static void
end_probe (SheafPacer *self)
{
  if (self->n_probing > 0)
    self->n_probing--;
}

void
sheaf_pacer_refund (SheafPacer *self, SheafCost *cost)
{
  g_return_if_fail (SHEAF_IS_PACER (self));

  note_off_wire (self, cost);
  unpend (self, cost, TRUE);
  end_probe (self);
  pump (self);
}

/* Learning from replies */

static double
smooth (double old, double sample)
{
  return old <= 0 ? sample : 0.8 * old + 0.2 * sample;
}

static void
learn_usage (SheafPacer *self, gsize prompt_bytes, gint64 input_tokens, gint64 output_tokens)
{
  if (input_tokens > 0 && prompt_bytes > 0)
    self->tokens_per_byte = smooth (self->tokens_per_byte, input_tokens / (double) prompt_bytes);
  if (output_tokens >= 0)
    self->output_tokens = smooth (self->output_tokens, MAX (output_tokens, 1));
}

/*
 * The bucket as the provider sees it, less what is reserved here and not
 * sent yet, which it cannot know of. The requests sent after the one this
 * reply answers may not have reached it when it wrote these headers: so
 * the provider's count lowers the bucket at once, but raises it (when the
 * estimates here were too high) only by what is certain to have arrived.
 * @since_sent: what was sent that the provider may not have seen when it
 * answered (sent after this request, or before it and still unanswered).
 */
static void
sync_level (Bucket *b, const SheafLimit *limit, double since_sent, gboolean first)
{
  double server = limit->remaining - b->pending;
  double sure;

  /* A rounded count may be up to half a step high. */
  if (limit->precision > 1)
    server -= limit->precision / 2.0;
  sure = server - since_sent;
  if (first || sure > b->level)
    b->level = sure;
  else if (server < b->level)
    b->level = server;
  b->level = MIN (b->level, b->capacity);
}

static void
sync_bucket (Bucket *b, const SheafLimit *limit, double since_sent, gint64 now)
{
  gboolean first = b->capacity <= 0;
  double deficit;

  /* A bucket first heard of starts with what is known to be taken. */
  if (first)
    b->level = limit->limit - b->pending;
  b->capacity = (double) limit->limit;
  bucket_refill (b, now);
  if (limit->remaining >= 0)
    sync_level (b, limit, since_sent, first);
  deficit = limit->limit - (double) MAX (limit->remaining, 0);
  /* The refill rate from how long the deficit takes to refill, when it is
   * large enough to measure; until then a limit per minute. */
  if (limit->remaining >= 0 && limit->reset_ms > 0 && deficit >= limit->limit / 2.0)
    {
      b->rate = b->rate_measured ? smooth (b->rate, deficit * 1000 / limit->reset_ms)
                                 : deficit * 1000 / limit->reset_ms;
      b->rate_measured = TRUE;
    }
  else if (!b->rate_measured)
    b->rate = b->capacity / 60.0;
}

/* With no headers for the person's own token cap, the usage corrects the
 * estimate that was taken. */
static void
correct_own_tokens (SheafPacer *self, const SheafCost *cost, gint64 input_tokens,
                    gint64 output_tokens)
{
  Bucket *b = &self->buckets[OWN_TOKENS];

  if (b->capacity <= 0 || input_tokens < 0 || output_tokens < 0)
    return;
  b->level = MIN (b->level + cost->own_tokens - (input_tokens + output_tokens), b->capacity);
}

void
sheaf_pacer_report (SheafPacer *self, SheafCost *cost, gsize prompt_bytes,
                    const SheafRateLimits *limits, gint64 input_tokens, gint64 output_tokens,
                    gboolean accepted)
{
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (SHEAF_IS_PACER (self));

  end_probe (self);
  if (accepted)
    {
      self->trusted = TRUE;
      sheaf_clear_source (&self->grace);
    }
  learn_usage (self, prompt_bytes, input_tokens, output_tokens);
  for (guint i = 0; limits != NULL && i < SHEAF_N_LIMITS; i++)
    if (limits->limits[i].limit > 0)
      sync_bucket (&self->buckets[i], &limits->limits[i],
                   cost->on_wire ? unseen_when_answered (self, cost, i)
                                 : MAX (self->buckets[i].sent - cost->sent_mark[i], 0),
                   now);
  note_off_wire (self, cost);
  correct_own_tokens (self, cost, input_tokens, output_tokens);
  pump (self);
}

void
sheaf_pacer_hold (SheafPacer *self, gint64 until_us)
{
  g_return_if_fail (SHEAF_IS_PACER (self));

  if (until_us <= self->hold_until_us)
    return;
  self->hold_until_us = until_us;
  pump (self);
}

gboolean
sheaf_pacer_is_held (SheafPacer *self)
{
  g_return_val_if_fail (SHEAF_IS_PACER (self), FALSE);

  return self->hold_until_us > g_get_monotonic_time ();
}

void
sheaf_pacer_distrust (SheafPacer *self)
{
  g_return_if_fail (SHEAF_IS_PACER (self));

  /* What is out now went under trust: the count of probes starts again. */
  self->trusted = FALSE;
  self->n_probing = 0;
  sheaf_clear_source (&self->grace);
}

/* Estimates and caps */

void
sheaf_pacer_estimate (SheafPacer *self, gsize prompt_bytes, guint max_tokens, SheafCost *cost)
{
  double input;
  double output;

  g_return_if_fail (SHEAF_IS_PACER (self));

  input = ceil (prompt_bytes * self->tokens_per_byte);
  output = self->output_tokens > 0 ? self->output_tokens : DEFAULT_OUTPUT_TOKENS;
  if (max_tokens > 0)
    output = MIN (output, max_tokens);

  /* A new request, or the next try of one answered: never on the wire. */
  *cost = (SheafCost){ 0 };
  cost->amount[SHEAF_LIMIT_REQUESTS] = 1;
  cost->amount[SHEAF_LIMIT_INPUT_TOKENS] =
    input + (self->counts_max_tokens && max_tokens > 0 ? max_tokens : 0);
  cost->amount[SHEAF_LIMIT_OUTPUT_TOKENS] = ceil (output);
  cost->own_tokens = input + ceil (output);
}

static void
set_cap (Bucket *b, guint per_minute)
{
  gint64 now = g_get_monotonic_time ();

  if (b->capacity == per_minute)
    return;
  bucket_refill (b, now);
  /* A new cap starts full; a lowered one keeps what was taken. */
  b->level = b->capacity > 0 ? MIN (b->level, per_minute) : per_minute - b->pending;
  b->capacity = per_minute;
  b->rate = per_minute / 60.0;
}

void
sheaf_pacer_set_caps (SheafPacer *self, guint rpm, guint tpm)
{
  g_return_if_fail (SHEAF_IS_PACER (self));

  set_cap (&self->buckets[OWN_REQUESTS], rpm);
  set_cap (&self->buckets[OWN_TOKENS], tpm);
  pump (self);
}

gint64
sheaf_pacer_get_wait_until (SheafPacer *self)
{
  g_return_val_if_fail (SHEAF_IS_PACER (self), 0);

  return self->wait_until;
}

double
sheaf_pacer_get_pace (SheafPacer *self)
{
  g_return_val_if_fail (SHEAF_IS_PACER (self), 0.0);

  return self->pace;
}

/* GObject */

static void
sheaf_pacer_finalize (GObject *object)
{
  SheafPacer *self = SHEAF_PACER (object);

  g_assert (self->waiters.head == NULL);

  sheaf_clear_source (&self->timer);
  sheaf_clear_source (&self->grace);
  g_free (self->id);

  G_OBJECT_CLASS (sheaf_pacer_parent_class)->finalize (object);
}

static void
sheaf_pacer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SheafPacer *self = SHEAF_PACER (object);

  switch (prop_id)
    {
      case PROP_WAIT_UNTIL:
        g_value_set_int64 (value, self->wait_until);
        break;
      case PROP_PACE:
        g_value_set_double (value, self->pace);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sheaf_pacer_class_init (SheafPacerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sheaf_pacer_finalize;
  object_class->get_property = sheaf_pacer_get_property;

  properties[PROP_WAIT_UNTIL] =
    g_param_spec_int64 ("wait-until", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PACE] =
    g_param_spec_double ("pace", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sheaf_pacer_init (SheafPacer *self)
{
  self->tokens_per_byte = DEFAULT_TOKENS_PER_BYTE;
  self->timer = sheaf_deadline_source_new ("[sheaf] pacer", -1, timer_cb, self);
}

void
_sheaf_pacer_forget_all (void)
{
  g_clear_pointer (&pacers, g_hash_table_unref);
}

SheafPacer *
sheaf_pacer_get_for (SheafProvider *provider)
{
  g_autofree char *id = NULL;
  SheafPacer *self;

  g_return_val_if_fail (SHEAF_IS_PROVIDER (provider), NULL);

  id = sheaf_provider_dup_limits_id (provider);
  if (pacers == NULL)
    pacers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self = g_hash_table_lookup (pacers, id);
  if (self != NULL)
    return g_object_ref (self);

  self = g_object_new (SHEAF_TYPE_PACER, NULL);
  self->id = g_steal_pointer (&id);
  self->counts_max_tokens = sheaf_provider_counts_max_tokens (provider);
  g_hash_table_insert (pacers, self->id, g_object_ref (self));
  return self;
}
