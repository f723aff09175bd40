/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-batch"

#include "config.h"

#include "sheaf-batch-private.h"
#include "sheaf-http.h"

/* libsoup gives up on a silent socket on its own; its limit sits beyond the
 * batch's own timeout so that the batch always decides, with its message. */
#define SESSION_TIMEOUT_SLACK 30
/* How many requests in flight share one SoupSession; see
 * _sheaf_batch_session_for_slot(). */
#define SLOTS_PER_SESSION 16

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

guint
_sheaf_batch_take_slot (SheafBatch *self)
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

void
_sheaf_batch_free_slot (SheafBatch *self, guint slot)
{
  g_array_append_val (self->free_slots, slot);
}

SoupSession *
_sheaf_batch_session_for_slot (SheafBatch *self, guint slot)
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
void
_sheaf_batch_update_sessions (SheafBatch *self)
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
