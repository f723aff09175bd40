/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sheaf-fake-provider.h"

G_BEGIN_DECLS

/*
 * What the fake provider's two files share: sheaf-fake-provider.c serves
 * requests and answers them; sheaf-fake-limits.c reads [[fake]]
 * directives, writes the providers' error bodies and plays their rate
 * limits and overload.
 */

typedef enum
{
  FAKE_API_ANTHROPIC,
  FAKE_API_OPENAI,
} FakeApi;

typedef enum
{
  FAULT_NONE,
  FAULT_DROP,
  FAULT_HANG,
  FAULT_TRUNCATED,
  FAULT_NOT_JSON,
  FAULT_EMPTY,
  FAULT_HUGE,
  FAULT_HOSTILE,
} Fault;

typedef enum
{
  FAKE_ERROR_NONE,
  FAKE_ERROR_OVERLOADED,
  FAKE_ERROR_QUOTA,
} FakeErrorKind;

/* One [[fake …]] directive. Negative numbers mean "not given". */
typedef struct
{
  int status;
  FakeErrorKind error;
  Fault fault;
  gint64 retry_after;
  gint64 retry_after_ms;
  gint64 retry_after_date;
  gint64 latency;
  gint64 times;
  const char *model; /* interned */
} Directive;

/* A token bucket, continuously refilled: "level" grows by "rate" a second
 * up to "capacity". Capacity 0: no limit. Times are g_get_monotonic_time(). */
typedef struct
{
  double capacity;
  double rate;
  double level;
  gint64 updated;
} FakeBucket;

/* Replies are counted by status below this. */
#define SHEAF_FAKE_MAX_STATUS 600

struct _SheafFakeProvider
{
  GObject parent_instance;

  GMainContext *context;
  SoupServer *server;
  guint port;
  guint latency_ms;
  guint reply_lag_ms; /* between writing a reply's headers and sending it */
  gsize answer_bytes;
  char *api_key;

  guint n_requests;
  guint n_connections;
  guint in_flight;
  guint max_in_flight;
  guint serial;
  /* Sockets carry the generation in which they were last counted, so a
   * reset counts kept-alive connections again when they carry a request. */
  guint generation;
  GHashTable *prompts;
  GArray *no_arrivals;
  GHashTable *pending;
  GString *padding; /* see padding() */
  SoupMessageHeaders *last_headers;
  /* The last request's body; last_body is made from it when asked for. */
  GBytes *last_body_bytes;
  char *last_body;

  /* Limits: see sheaf-fake-limits.c. */
  FakeBucket requests;
  FakeBucket tokens;
  guint token_rounding;
  gboolean reset_whole_seconds;
  guint overload_above;
  guint n_status[SHEAF_FAKE_MAX_STATUS];
  gint64 tokens_admitted;
};

/* Reads "[[fake k=v k=v]]" out of @prompt into @directive. Returns FALSE
 * when there is none; @prompt NULL gives a directive of nothing. */
gboolean sheaf_fake_directive_parse (const char *prompt, Directive *directive);

GBytes *sheaf_fake_anthropic_error_body (const char *type, const char *message);
GBytes *sheaf_fake_openai_error_body (const char *type, const char *code, const char *message);
/* The provider's error body for HTTP @status. */
GBytes *sheaf_fake_status_error_body (FakeApi api, guint status, const char *model);
GBytes *sheaf_fake_overloaded_body (FakeApi api);
GBytes *sheaf_fake_quota_body (FakeApi api);

/* Whether a request arriving now is refused at once: the server is
 * overloaded, or the request does not fit the limits. Returns the error
 * body and sets *@status and *@retry_after (seconds, -1: none) when it is;
 * otherwise charges one request and @cost tokens and returns NULL. */
GBytes *sheaf_fake_refuse (SheafFakeProvider *self, FakeApi api, const char *model, gint64 cost,
                           guint *status, gint64 *retry_after);
/* The limit headers of @api for the buckets as they are now. */
void sheaf_fake_add_limit_headers (SheafFakeProvider *self, FakeApi api,
                                   SoupMessageHeaders *headers);

G_END_DECLS
