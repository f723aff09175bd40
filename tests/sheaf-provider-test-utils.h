/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sheaf-fake-provider.h"
#include "sheaf-provider.h"

G_BEGIN_DECLS

/*
 * What the tests of one provider share (test-provider, test-provider-replies,
 * -errors, -transport, -wording and test-fake-provider): one request sent
 * and read, as the batch makes it, against an in-process fake provider.
 */

/* The model every simple request asks for. */
#define SHEAF_TEST_MODEL "test-model"

/* Anthropic, then OpenAI. */
extern const SheafProviderKind sheaf_test_both_kinds[2];

/* One message through a session, as libsoup reads it. */
typedef struct
{
  GBytes *body;
  GError *error;
  gboolean done;
} SheafTestExchange;

/* One request through a provider, as the batch makes it. */
typedef struct
{
  SheafReply *reply;
  GError *error;
  gint64 retry_after_ms;
  guint status;
} SheafTestOutcome;

void sheaf_test_exchange_clear (SheafTestExchange *exchange);
void sheaf_test_outcome_clear (SheafTestOutcome *outcome);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SheafTestExchange, sheaf_test_exchange_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SheafTestOutcome, sheaf_test_outcome_clear)

/* The callback of soup_session_send_and_read_async(); @user_data is the
 * SheafTestExchange it fills in. */
void sheaf_test_send_cb (GObject *source, GAsyncResult *result, gpointer user_data);
/* Sends @msg and waits for the whole body, or an error, in @out. */
void sheaf_test_send_message (SoupSession *session, SoupMessage *msg, GCancellable *cancellable,
                              SheafTestExchange *out);

/* @prompt for SHEAF_TEST_MODEL, at most 100 tokens, the provider's
 * temperature. */
SheafRequest sheaf_test_simple_request (const char *prompt);
/* Builds, sends and reads @request; @out holds a reply or an error. */
void sheaf_test_run_request (SoupSession *session, SheafProvider *provider,
                             const SheafRequest *request, GCancellable *cancellable,
                             SheafTestOutcome *out);
/* Parses @body_text as a reply of @status (with a Retry-After header of
 * @retry_after unless NULL) from a server the fake does not imitate. */
void sheaf_test_parse_raw (SheafProviderKind kind, guint status, const char *retry_after,
                           const char *body_text, SheafTestOutcome *out);

/* Whether an error of @code (of SHEAF_ERROR) is worth another try. */
gboolean sheaf_test_code_is_retryable (int code);
/* Parses @text, which must be a JSON object, into @parser. */
JsonObject *sheaf_test_parse_object (JsonParser *parser, const char *text);

/* The fixture: a fake provider and a session fit for it. */
typedef struct
{
  SheafFakeProvider *fake;
  SoupSession *session;
} SheafProviderFixture;

void sheaf_provider_fixture_set_up (SheafProviderFixture *f, gconstpointer data);
/* Asserts that the fake does not outlive the test. */
void sheaf_provider_fixture_tear_down (SheafProviderFixture *f, gconstpointer data);
/* A provider of @kind for the fake, with @key. */
SheafProvider *sheaf_provider_fixture_provider (SheafProviderFixture *f, SheafProviderKind kind,
                                                const char *key);
/* A simple request with @prompt, through a provider of @kind with the key
 * "sk-test". */
void sheaf_provider_fixture_run (SheafProviderFixture *f, SheafProviderKind kind,
                                 const char *prompt, SheafTestOutcome *out);

#define SHEAF_PROVIDER_FIXTURE_ADD(path, func)                                                     \
  g_test_add (path, SheafProviderFixture, NULL, sheaf_provider_fixture_set_up, func,               \
              sheaf_provider_fixture_tear_down)

G_END_DECLS
