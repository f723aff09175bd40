/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  SHEAF_ITEM_STATE_QUEUED,
  SHEAF_ITEM_STATE_RUNNING,
  SHEAF_ITEM_STATE_RETRYING,
  SHEAF_ITEM_STATE_DONE,
  SHEAF_ITEM_STATE_FAILED,
  SHEAF_ITEM_STATE_CANCELLED,
  /* The run stopped early because nothing could work (a rejected key, an
   * unknown model, a quota reached, a server that cannot be reached): this
   * item was never sent. Run sends it once the cause is fixed. */
  SHEAF_ITEM_STATE_NOT_SENT,
  /* The answer was asked for under other settings, a different prompt or
   * text: still readable and exported, sent again by the next Run. */
  SHEAF_ITEM_STATE_OUTDATED,
} SheafItemState;

#define SHEAF_TYPE_ITEM_STATE (sheaf_item_state_get_type ())
GType sheaf_item_state_get_type (void);

/* "queued", "running", "retrying", "done", "failed", "cancelled",
 * "not-sent", "outdated" */
const char *sheaf_item_state_to_string (SheafItemState state);
gboolean sheaf_item_state_from_string (const char *str, SheafItemState *state);

#define SHEAF_TYPE_ITEM (sheaf_item_get_type ())
G_DECLARE_FINAL_TYPE (SheafItem, sheaf_item, SHEAF, ITEM, GObject)

/*
 * One input text and its outcome. Every property notifies only when its
 * value changes (G_PARAM_EXPLICIT_NOTIFY), so a table bound to it redraws
 * only what changed.
 *
 * Properties (all read-write):
 *   title, text                 the input
 *   state                       SheafItemState
 *   prompt                      the rendered prompt that was last sent
 *   response                    the answer text (NULL until done)
 *   error-message               plain-words reason of the last failure
 *   http-status                 guint, status of the last reply (0: none)
 *   attempts                    guint, requests sent for the last run
 *   seconds                     double, the item's own time: first send to outcome
 *   retry-seconds               double, while RETRYING: how long it waits
 *   input-tokens, output-tokens gint64, -1 when unknown
 *   model                       the model that answered (or was asked)
 *   stop-reason                 "end_turn", "max_tokens", "stop", "length"…
 *   sent-key                    what the answer was asked under (see
 *                               sheaf_batch_dup_sent_key()), NULL until sent
 *   retry-at                    gint64, while RETRYING: the
 *                               g_get_monotonic_time() of the next attempt
 *   attempt-started             gint64, while RUNNING: when the attempt on
 *                               the wire was sent (monotonic), 0 otherwise
 *   id                          gint64, the item's row in the saved workspace
 *                               (0: not saved yet); kept by sheaf_item_reset()
 */
SheafItem *sheaf_item_new (const char *title, const char *text);

const char *sheaf_item_get_title (SheafItem *self);
void sheaf_item_set_title (SheafItem *self, const char *title);
const char *sheaf_item_get_text (SheafItem *self);
void sheaf_item_set_text (SheafItem *self, const char *text);
SheafItemState sheaf_item_get_state (SheafItem *self);
void sheaf_item_set_state (SheafItem *self, SheafItemState state);
const char *sheaf_item_get_prompt (SheafItem *self);
void sheaf_item_set_prompt (SheafItem *self, const char *prompt);
const char *sheaf_item_get_response (SheafItem *self);
void sheaf_item_set_response (SheafItem *self, const char *response);
const char *sheaf_item_get_error_message (SheafItem *self);
void sheaf_item_set_error_message (SheafItem *self, const char *message);
guint sheaf_item_get_http_status (SheafItem *self);
void sheaf_item_set_http_status (SheafItem *self, guint status);
guint sheaf_item_get_attempts (SheafItem *self);
void sheaf_item_set_attempts (SheafItem *self, guint attempts);
double sheaf_item_get_seconds (SheafItem *self);
void sheaf_item_set_seconds (SheafItem *self, double seconds);
double sheaf_item_get_retry_seconds (SheafItem *self);
void sheaf_item_set_retry_seconds (SheafItem *self, double seconds);
gint64 sheaf_item_get_input_tokens (SheafItem *self);
void sheaf_item_set_input_tokens (SheafItem *self, gint64 tokens);
gint64 sheaf_item_get_output_tokens (SheafItem *self);
void sheaf_item_set_output_tokens (SheafItem *self, gint64 tokens);
const char *sheaf_item_get_model (SheafItem *self);
void sheaf_item_set_model (SheafItem *self, const char *model);
const char *sheaf_item_get_stop_reason (SheafItem *self);
void sheaf_item_set_stop_reason (SheafItem *self, const char *reason);

gint64 sheaf_item_get_id (SheafItem *self);
void sheaf_item_set_id (SheafItem *self, gint64 id);

const char *sheaf_item_get_sent_key (SheafItem *self);
void sheaf_item_set_sent_key (SheafItem *self, const char *key);
gint64 sheaf_item_get_retry_at (SheafItem *self);
void sheaf_item_set_retry_at (SheafItem *self, gint64 when);
gint64 sheaf_item_get_attempt_started (SheafItem *self);
void sheaf_item_set_attempt_started (SheafItem *self, gint64 when);

/* DONE or OUTDATED: the item holds an answer. */
gboolean sheaf_item_has_answer (SheafItem *self);
/* An answer that stopped at max tokens ("max_tokens", "length"). */
gboolean sheaf_item_is_cut_off (SheafItem *self);
/* Copies every outcome property (state through attempt-started) of @from
 * into @self; the input (title, text) and the id stay. */
void sheaf_item_copy_outcome (SheafItem *self, SheafItem *from);

/* Back to QUEUED with every outcome property cleared (input kept). */
void sheaf_item_reset (SheafItem *self);

G_END_DECLS
