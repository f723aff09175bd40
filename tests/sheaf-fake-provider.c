/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-fake-provider"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-fake-provider.h"
#include "sheaf-fake-private.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <sys/socket.h>

#include "sheaf-json.h"
#include "sheaf-pacer.h"

/* What one request asked for. */
typedef struct
{
  FakeApi api;
  char *model;
  char *prompt;
  gint64 max_tokens; /* 0 when not given */
} FakeRequest;

typedef struct
{
  guint attempts;
  GArray *arrivals;
  GArray *deliveries;
} PromptStats;

/* Which prompt a reply is for, until it has been written. */
typedef struct
{
  GWeakRef self;
  char *prompt;
} Delivery;

/* A request the server holds until its latency has passed (or forever, for
 * fault=hang). It keeps a reference on the message; the socket watch notices
 * a client that gives up, so in-flight counts stay right. */
typedef struct
{
  SheafFakeProvider *self;
  SoupServerMessage *msg;
  gulong disconnected_id;
  GSource *timer;
  GSource *watch;
  FakeApi api;
  Fault fault;
  guint status;
  const char *content_type;
  GBytes *body;
  guint serial;
  SoupMessageHeaders *extra_headers; /* retry-after…, or NULL */
} Pending;

G_DEFINE_FINAL_TYPE (SheafFakeProvider, sheaf_fake_provider, G_TYPE_OBJECT)

static GQuark socket_generation_quark;

#define HUGE_ANSWER_BYTES (1024 * 1024)

static const char hostile_text[] =
  "Hostile answer: \"quoted\", 'single', comma, semicolon; tab\there\n"
  "line two\r\nline three after CRLF\r\n"
  "=SUM(A1:A9)\n+1+1\n@SUM(A1)\n-2+3\n- a bullet point\n"
  "emoji 👩‍👩‍👧‍👦 🎉 and right-to-left: مرحبا بالعالم — שלום "
  "עולם\n"
  "backslash \\ and slash / and a lone \"quote\n";

static void
prompt_stats_free (gpointer data)
{
  PromptStats *stats = data;

  g_array_unref (stats->arrivals);
  g_array_unref (stats->deliveries);
  g_free (stats);
}

static void
fake_request_clear (FakeRequest *request)
{
  g_clear_pointer (&request->model, g_free);
  g_clear_pointer (&request->prompt, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FakeRequest, fake_request_clear)

/* Pending requests */

static void
pending_free (Pending *pending)
{
  if (pending->disconnected_id != 0)
    g_signal_handler_disconnect (pending->msg, pending->disconnected_id);
  if (pending->timer != NULL)
    {
      g_source_destroy (pending->timer);
      g_source_unref (pending->timer);
    }
  if (pending->watch != NULL)
    {
      g_source_destroy (pending->watch);
      g_source_unref (pending->watch);
    }
  g_clear_object (&pending->msg);
  g_clear_pointer (&pending->body, g_bytes_unref);
  g_clear_pointer (&pending->extra_headers, soup_message_headers_unref);
  g_free (pending);
}

/* Takes @pending out of the set of requests in flight and frees it. */
static void
pending_finish (Pending *pending)
{
  SheafFakeProvider *self = pending->self;

  g_assert (self->in_flight > 0);
  self->in_flight--;
  g_hash_table_remove (self->pending, pending);
}

static void
close_connection (SoupServerMessage *msg)
{
  g_autoptr (GIOStream) stream = soup_server_message_steal_connection (msg);

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

static void
copy_header (const char *name, const char *value, gpointer user_data)
{
  soup_message_headers_append (user_data, name, value);
}

/* libsoup 3.2 knows neither 429 nor 529 by name. */
static const char *
reason_phrase (guint status)
{
  switch (status)
    {
      case 429:
        return "Too Many Requests";
      case 529:
        return "Overloaded";
      default:
        return NULL;
    }
}

/* Writes the planned reply into the message, with the limit headers as
 * they are now, and counts it. */
static void
pending_fill (Pending *pending)
{
  SheafFakeProvider *self = pending->self;
  SoupServerMessage *msg = pending->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  char request_id[32];

  if (pending->status < SHEAF_FAKE_MAX_STATUS)
    self->n_status[pending->status]++;
  soup_server_message_set_status (msg, pending->status, reason_phrase (pending->status));
  soup_message_headers_replace (headers, "Content-Type", pending->content_type);
  /* The body is handed over, not copied. */
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), pending->body);
  g_snprintf (request_id, sizeof request_id, "req_fake%u", pending->serial);
  soup_message_headers_replace (headers, "request-id", request_id);
  soup_message_headers_replace (headers, "x-request-id", request_id);
  if (pending->extra_headers != NULL)
    soup_message_headers_foreach (pending->extra_headers, copy_header, headers);
  sheaf_fake_add_limit_headers (self, pending->api, headers);
}

static gboolean
unpause_cb (gpointer user_data)
{
  soup_server_message_unpause (user_data);
  return G_SOURCE_REMOVE;
}

static void
pending_respond (Pending *pending)
{
  SheafFakeProvider *self = pending->self;
  g_autoptr (GSource) lag = NULL;

  pending_fill (pending);
  if (self->reply_lag_ms == 0)
    {
      soup_server_message_unpause (pending->msg);
      return;
    }
  lag = g_timeout_source_new (self->reply_lag_ms);
  g_source_set_callback (lag, unpause_cb, g_object_ref (pending->msg), g_object_unref);
  g_source_attach (lag, self->context);
}

static gboolean
pending_timer_cb (gpointer user_data)
{
  Pending *pending = user_data;
  g_autoptr (SoupServerMessage) msg = g_object_ref (pending->msg);

  /* Forget the message before touching its connection: stealing it emits
   * "disconnected", which must not find this request any more. */
  g_signal_handler_disconnect (msg, pending->disconnected_id);
  pending->disconnected_id = 0;
  g_clear_pointer (&pending->timer, g_source_unref);

  if (pending->fault == FAULT_DROP)
    close_connection (msg);
  else
    pending_respond (pending);

  pending_finish (pending);
  return G_SOURCE_REMOVE;
}

static gboolean
pending_watch_cb (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  Pending *pending = user_data;
  g_autoptr (SoupServerMessage) msg = NULL;
  char byte;
  gssize n;

  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n > 0)
    {
      /* The client sent more; it is still there. Stop watching. */
      g_clear_pointer (&pending->watch, g_source_unref);
      return G_SOURCE_REMOVE;
    }

  /* End of file or an error: the client gave up on this request. */
  msg = g_object_ref (pending->msg);
  g_signal_handler_disconnect (msg, pending->disconnected_id);
  pending->disconnected_id = 0;
  g_clear_pointer (&pending->watch, g_source_unref);
  close_connection (msg);
  pending_finish (pending);
  return G_SOURCE_REMOVE;
}

static void
pending_disconnected_cb (SoupServerMessage *msg, gpointer user_data)
{
  Pending *pending = user_data;

  g_signal_handler_disconnect (msg, pending->disconnected_id);
  pending->disconnected_id = 0;
  pending_finish (pending);
}

static void
pending_start (Pending *pending, guint latency_ms)
{
  SheafFakeProvider *self = pending->self;
  GSocket *socket = soup_server_message_get_socket (pending->msg);

  g_hash_table_add (self->pending, pending);
  self->in_flight++;
  self->max_in_flight = MAX (self->max_in_flight, self->in_flight);

  soup_server_message_pause (pending->msg);
  pending->disconnected_id =
    g_signal_connect (pending->msg, "disconnected", G_CALLBACK (pending_disconnected_cb), pending);

  if (socket != NULL)
    {
      pending->watch = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (pending->watch, G_SOURCE_FUNC (pending_watch_cb), pending, NULL);
      g_source_attach (pending->watch, self->context);
    }

  if (pending->fault == FAULT_HANG)
    return;

  pending->timer = g_timeout_source_new (latency_ms);
  g_source_set_callback (pending->timer, pending_timer_cb, pending, NULL);
  g_source_attach (pending->timer, self->context);
}

/* Bodies */

static gint64
count_tokens (gsize length)
{
  return MAX (1, (gint64) (length + 3) / 4);
}

/* Replies are written straight into a GString: a JsonBuilder and
 * JsonGenerator cost over 100,000 instructions for a 2 KB answer, once for
 * every request, which made the fake provider the slowest part of a
 * benchmark. */

/* The "lorem ipsum" words that pad answers, cut to @length bytes. Every
 * answer pads with a prefix of the same sequence, so it is made once and
 * only grows. */
static const char *
padding (SheafFakeProvider *self, gsize length)
{
  static const char *const words[] = { " lorem", " ipsum", " dolor", " sit", " amet" };

  for (guint i = 0; self->padding->len < length; i++)
    g_string_append (self->padding, words[i % G_N_ELEMENTS (words)]);
  return self->padding->str;
}

/* Appends the answer as a JSON string: "Echo: " and the prompt (after the
 * hostile text for fault=hostile), padded to the answer size (1 MiB at least
 * for fault=huge). Returns the answer's length in bytes. */
static gsize
append_answer (SheafFakeProvider *self, GString *out, const char *prompt, Fault fault)
{
  gsize answer_bytes =
    fault == FAULT_HUGE ? MAX (self->answer_bytes, HUGE_ANSWER_BYTES) : self->answer_bytes;
  gsize length = strlen ("Echo: ") + strlen (prompt);
  gsize pad;

  if (fault == FAULT_HOSTILE)
    length += strlen (hostile_text);
  pad = answer_bytes > length ? answer_bytes - length : 0;

  g_string_append_c (out, '"');
  if (fault == FAULT_HOSTILE)
    sheaf_json_append_escaped (out, hostile_text);
  g_string_append (out, "Echo: ");
  sheaf_json_append_escaped (out, prompt);
  /* Padding is plain ASCII that needs no escaping. */
  g_string_append_len (out, padding (self, pad), (gssize) pad);
  g_string_append_c (out, '"');
  return length + pad;
}

/* Appends "answer" (or null, for fault=empty); returns the answer's length. */
static gsize
append_text (SheafFakeProvider *self, GString *out, const char *prompt, Fault fault)
{
  if (fault == FAULT_EMPTY)
    {
      g_string_append (out, "null");
      return 0;
    }
  return append_answer (self, out, prompt, fault);
}

static void
anthropic_reply_body (SheafFakeProvider *self, GString *out, const FakeRequest *request,
                      Fault fault)
{
  gsize length = 0;

  g_string_append_printf (out, "{\"id\":\"msg_fake%u\"", self->serial);
  sheaf_json_append_string_member (out, "type", "message");
  sheaf_json_append_string_member (out, "role", "assistant");
  sheaf_json_append_string_member (out, "model", request->model);
  g_string_append (out, ",\"content\":[");
  if (fault != FAULT_EMPTY)
    {
      g_string_append (out, "{\"type\":\"text\",\"text\":");
      length = append_text (self, out, request->prompt, fault);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]");
  sheaf_json_append_string_member (out, "stop_reason", "end_turn");
  sheaf_json_append_string_member (out, "stop_sequence", NULL);
  g_string_append_printf (
    out,
    ",\"usage\":{\"input_tokens\":%" G_GINT64_FORMAT ",\"output_tokens\":%" G_GINT64_FORMAT "}}",
    count_tokens (strlen (request->prompt)), fault != FAULT_EMPTY ? count_tokens (length) : 0);
}

static void
openai_reply_body (SheafFakeProvider *self, GString *out, const FakeRequest *request, Fault fault)
{
  gint64 input_tokens = count_tokens (strlen (request->prompt));
  gint64 output_tokens;
  gsize length;

  g_string_append_printf (out, "{\"id\":\"chatcmpl-fake%u\"", self->serial);
  sheaf_json_append_string_member (out, "object", "chat.completion");
  g_string_append_printf (out, ",\"created\":%" G_GINT64_FORMAT,
                          g_get_real_time () / G_USEC_PER_SEC);
  sheaf_json_append_string_member (out, "model", request->model);
  g_string_append (out, ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        "\"content\":");
  length = append_text (self, out, request->prompt, fault);
  output_tokens = fault != FAULT_EMPTY ? count_tokens (length) : 0;
  g_string_append (out, "},\"finish_reason\":\"stop\"}]");
  g_string_append_printf (out,
                          ",\"usage\":{\"prompt_tokens\":%" G_GINT64_FORMAT
                          ",\"completion_tokens\":%" G_GINT64_FORMAT
                          ",\"total_tokens\":%" G_GINT64_FORMAT "}}",
                          input_tokens, output_tokens, input_tokens + output_tokens);
}

static GBytes *
reply_body (SheafFakeProvider *self, const FakeRequest *request, Fault fault)
{
  gsize size = strlen (request->prompt) * 2 + self->answer_bytes + 512;
  GString *out = g_string_sized_new (fault == FAULT_HUGE ? size + HUGE_ANSWER_BYTES : size);

  if (request->api == FAKE_API_ANTHROPIC)
    anthropic_reply_body (self, out, request, fault);
  else
    openai_reply_body (self, out, request, fault);
  return g_string_free_to_bytes (out);
}

static GBytes *
not_json_body (void)
{
  static const char html[] = "<!DOCTYPE html>\n<html><head><title>Welcome</title></head>"
                             "<body><h1>It works!</h1><p>This is not an API.</p></body></html>\n";

  return g_bytes_new_static (html, sizeof html - 1);
}

/* Chooses the status, body and headers of a reply. */
static void
plan_reply (SheafFakeProvider *self, Pending *pending, const FakeRequest *request,
            const Directive *directive)
{
  pending->fault = directive->fault;
  pending->content_type = "application/json";
  pending->status = directive->status > 0 ? (guint) directive->status : SOUP_STATUS_OK;

  if (directive->error == FAKE_ERROR_OVERLOADED)
    pending->body = sheaf_fake_overloaded_body (request->api);
  else if (directive->error == FAKE_ERROR_QUOTA)
    {
      pending->status = directive->status > 0 ? (guint) directive->status : 429;
      pending->body = sheaf_fake_quota_body (request->api);
    }
  else if (!SOUP_STATUS_IS_SUCCESSFUL (pending->status))
    pending->body = sheaf_fake_status_error_body (request->api, pending->status, request->model);
  else if (directive->fault == FAULT_NOT_JSON)
    {
      pending->content_type = "text/html";
      pending->body = not_json_body ();
    }
  else
    pending->body = reply_body (self, request, directive->fault);

  if (directive->fault == FAULT_TRUNCATED)
    {
      GBytes *whole = pending->body;

      pending->body = g_bytes_new_from_bytes (whole, 0, g_bytes_get_size (whole) / 2);
      g_bytes_unref (whole);
    }
}

/* The retry-after headers a directive asks for; request ids are added
 * when the reply goes out. */
static void
plan_headers (Pending *pending, const Directive *directive)
{
  SoupMessageHeaders *headers;

  if (directive->retry_after < 0 && directive->retry_after_ms < 0 &&
      directive->retry_after_date < 0)
    return;

  headers = pending->extra_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  if (directive->retry_after >= 0)
    {
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, directive->retry_after);
      soup_message_headers_replace (headers, "retry-after", value);
    }
  if (directive->retry_after_ms >= 0)
    {
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, directive->retry_after_ms);
      soup_message_headers_replace (headers, "retry-after-ms", value);
    }
  if (directive->retry_after_date >= 0)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr (GDateTime) then = g_date_time_add_seconds (now, directive->retry_after_date);
      g_autofree char *value = soup_date_time_to_string (then, SOUP_DATE_HTTP);
      soup_message_headers_replace (headers, "retry-after", value);
    }
}

/* Request bookkeeping */

static void
count_connection (SheafFakeProvider *self, SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  guint seen;

  if (socket == NULL)
    return;
  seen = GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (socket), socket_generation_quark));
  if (seen == self->generation)
    return;
  g_object_set_qdata (G_OBJECT (socket), socket_generation_quark,
                      GUINT_TO_POINTER (self->generation));
  self->n_connections++;
}

static void
record_request (SheafFakeProvider *self, SoupServerMessage *msg, GBytes *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  self->n_requests++;
  self->serial++;
  count_connection (self, msg);

  /* References, not copies: the server never changes a request once read,
   * and most requests are never asked about. */
  g_clear_pointer (&self->last_headers, soup_message_headers_unref);
  self->last_headers = soup_message_headers_ref (headers);
  g_clear_pointer (&self->last_body_bytes, g_bytes_unref);
  self->last_body_bytes = g_bytes_ref (body);
  g_clear_pointer (&self->last_body, g_free);
}

/* Returns how many requests carried @prompt before this one. */
static guint
record_prompt (SheafFakeProvider *self, const char *prompt)
{
  PromptStats *stats = g_hash_table_lookup (self->prompts, prompt);
  gint64 now = g_get_monotonic_time ();

  if (stats == NULL)
    {
      stats = g_new0 (PromptStats, 1);
      stats->arrivals = g_array_new (FALSE, FALSE, sizeof (gint64));
      stats->deliveries = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->prompts, g_strdup (prompt), stats);
    }
  g_array_append_val (stats->arrivals, now);
  return stats->attempts++;
}

static char *
dup_text_content (JsonNode *content)
{
  JsonArray *parts;
  GString *text;

  if (content != NULL && JSON_NODE_HOLDS_VALUE (content) &&
      json_node_get_value_type (content) == G_TYPE_STRING)
    return json_node_dup_string (content);
  if (content == NULL || !JSON_NODE_HOLDS_ARRAY (content))
    return NULL;

  /* [{"type": "text", "text": "…"}, …] */
  parts = json_node_get_array (content);
  text = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonNode *part = json_array_get_element (parts, i);

      if (JSON_NODE_HOLDS_OBJECT (part))
        g_string_append (text, json_object_get_string_member_with_default (
                                 json_node_get_object (part), "text", ""));
    }
  return g_string_free (text, FALSE);
}

/* The fast reader takes what a client sends; JsonParser the rest. */
static JsonNode *
parse_json (GBytes *body)
{
  g_autoptr (JsonParser) parser = NULL;
  gsize size;
  const char *data = g_bytes_get_data (body, &size);
  JsonNode *root = sheaf_json_parse (data, size);

  if (root != NULL)
    return root;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data != NULL ? data : "", (gssize) size, NULL) ||
      json_parser_get_root (parser) == NULL)
    return NULL;
  return json_parser_steal_root (parser);
}

/* Fills @request from a JSON body; FALSE when it is not a chat request. */
static gboolean
parse_request (GBytes *body, FakeRequest *request)
{
  g_autoptr (JsonNode) tree = parse_json (body);
  JsonObject *root;
  JsonArray *messages;

  if (tree == NULL || !JSON_NODE_HOLDS_OBJECT (tree))
    return FALSE;
  root = json_node_get_object (tree);
  if (!json_object_has_member (root, "messages") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "messages")))
    return FALSE;

  request->model = g_strdup (json_object_get_string_member_with_default (root, "model", ""));
  request->max_tokens = json_object_get_int_member_with_default (
    root, "max_tokens", json_object_get_int_member_with_default (root, "max_completion_tokens", 0));
  messages = json_object_get_array_member (root, "messages");
  for (guint i = json_array_get_length (messages); i > 0 && request->prompt == NULL; i--)
    {
      JsonNode *node = json_array_get_element (messages, i - 1);
      JsonObject *message = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (message != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (message, "role", ""), "user") == 0)
        request->prompt = dup_text_content (json_object_get_member (message, "content"));
    }
  return request->prompt != NULL;
}

static gboolean
key_accepted (SheafFakeProvider *self, SoupServerMessage *msg, FakeApi api)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *bearer = NULL;

  if (self->api_key == NULL || self->api_key[0] == '\0')
    return TRUE;
  if (api == FAKE_API_ANTHROPIC)
    return g_strcmp0 (soup_message_headers_get_one (headers, "x-api-key"), self->api_key) == 0;
  bearer = g_strconcat ("Bearer ", self->api_key, NULL);
  return g_strcmp0 (soup_message_headers_get_one (headers, "Authorization"), bearer) == 0;
}

static Pending *
pending_new (SheafFakeProvider *self, SoupServerMessage *msg, FakeApi api)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->self = self;
  pending->msg = g_object_ref (msg);
  pending->api = api;
  pending->serial = self->serial;
  pending->content_type = "application/json";
  return pending;
}

/* Answers a message that was never held, and frees @pending. */
static void
pending_respond_now (Pending *pending)
{
  pending_fill (pending);
  pending_free (pending);
}

/* Answers at once with a JSON @body (taken). */
static void
respond_now (SheafFakeProvider *self, SoupServerMessage *msg, FakeApi api, guint status,
             GBytes *body)
{
  Pending *pending = pending_new (self, msg, api);

  pending->status = status;
  pending->body = body;
  pending_respond_now (pending);
}

/* Refuses the request at once when the server is overloaded or the request
 * does not fit the limits. */
static gboolean
refused (SheafFakeProvider *self, Pending *pending, const FakeRequest *request)
{
  gint64 cost = count_tokens (strlen (request->prompt));
  Directive refusal;

  /* OpenAI counts the most the answer may take against the limit too. */
  if (request->api == FAKE_API_OPENAI)
    cost += request->max_tokens;
  sheaf_fake_directive_parse (NULL, &refusal);
  pending->body = sheaf_fake_refuse (self, request->api, request->model, cost, &pending->status,
                                     &refusal.retry_after);
  if (pending->body == NULL)
    return FALSE;
  plan_headers (pending, &refusal);
  pending_respond_now (pending);
  return TRUE;
}

static void
delivery_free (gpointer data, GClosure *closure)
{
  Delivery *delivery = data;

  g_weak_ref_clear (&delivery->self);
  g_free (delivery->prompt);
  g_free (delivery);
}

/* The whole reply is written: it is the client's now. */
static void
delivered_cb (SoupServerMessage *msg, gpointer user_data)
{
  Delivery *delivery = user_data;
  g_autoptr (SheafFakeProvider) self = g_weak_ref_get (&delivery->self);
  PromptStats *stats = self != NULL ? g_hash_table_lookup (self->prompts, delivery->prompt) : NULL;
  gint64 now = g_get_monotonic_time ();

  if (stats != NULL && soup_server_message_get_status (msg) == SOUP_STATUS_OK)
    g_array_append_val (stats->deliveries, now);
}

static void
watch_delivery (SheafFakeProvider *self, SoupServerMessage *msg, const char *prompt)
{
  Delivery *delivery = g_new0 (Delivery, 1);

  g_weak_ref_init (&delivery->self, self);
  delivery->prompt = g_strdup (prompt);
  g_signal_connect_data (msg, "wrote-body", G_CALLBACK (delivered_cb), delivery, delivery_free, 0);
}

static void
handle_chat (SheafFakeProvider *self, SoupServerMessage *msg, FakeApi api, GBytes *body)
{
  g_auto (FakeRequest) request = { api, NULL, NULL, 0 };
  Directive directive;
  Pending *pending;
  gboolean has_directive;
  guint before;

  if (!parse_request (body, &request))
    {
      respond_now (
        self, msg, api, SOUP_STATUS_BAD_REQUEST,
        api == FAKE_API_ANTHROPIC
          ? sheaf_fake_anthropic_error_body ("invalid_request_error", "messages: Field required")
          : sheaf_fake_openai_error_body ("invalid_request_error", NULL,
                                          "'messages' is a required property"));
      return;
    }

  before = record_prompt (self, request.prompt);
  watch_delivery (self, msg, request.prompt);
  has_directive = sheaf_fake_directive_parse (request.prompt, &directive);
  if (!has_directive || (directive.times >= 0 && before >= directive.times))
    sheaf_fake_directive_parse (NULL, &directive);

  pending = pending_new (self, msg, api);
  /* A rejected key is answered before any limit applies, as by the real
   * services; what the limits refuse is answered at once. */
  if (!key_accepted (self, msg, api))
    directive =
      (Directive){ 401, FAKE_ERROR_NONE, FAULT_NONE, -1, -1, -1, directive.latency, -1, NULL };
  else if (refused (self, pending, &request))
    return;
  /* Real providers often answer an alias with a dated model name. */
  if (directive.model != NULL)
    {
      g_free (request.model);
      request.model = g_strdup (directive.model);
    }
  plan_reply (self, pending, &request, &directive);
  plan_headers (pending, &directive);
  pending_start (pending, directive.latency >= 0 ? (guint) MIN (directive.latency, G_MAXUINT)
                                                 : self->latency_ms);
}

static GBytes *
stats_body (SheafFakeProvider *self)
{
  char *text =
    g_strdup_printf ("{\"requests\":%u,\"connections\":%u,\"in_flight\":%u,\"max_in_flight\":%u,"
                     "\"status_429\":%u,\"tokens_admitted\":%" G_GINT64_FORMAT "}",
                     self->n_requests, self->n_connections, self->in_flight, self->max_in_flight,
                     self->n_status[429], self->tokens_admitted);

  return g_bytes_new_take (text, strlen (text));
}

static void
server_callback (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                 gpointer user_data)
{
  SheafFakeProvider *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  FakeApi api = strstr (path, "/messages") != NULL ? FAKE_API_ANTHROPIC : FAKE_API_OPENAI;
  g_autoptr (GBytes) body = NULL;

  if (g_str_equal (path, "/_stats") && g_str_equal (method, SOUP_METHOD_GET))
    {
      g_autoptr (GBytes) stats = stats_body (self);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (stats, NULL), g_bytes_get_size (stats));
      return;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  record_request (self, msg, body);

  if (!g_str_equal (method, SOUP_METHOD_POST))
    respond_now (self, msg, api, SOUP_STATUS_METHOD_NOT_ALLOWED,
                 sheaf_fake_status_error_body (api, 405, ""));
  else if (g_str_equal (path, "/v1/messages"))
    handle_chat (self, msg, FAKE_API_ANTHROPIC, body);
  else if (g_str_equal (path, "/v1/chat/completions") || g_str_equal (path, "/chat/completions"))
    handle_chat (self, msg, FAKE_API_OPENAI, body);
  else
    {
      g_autofree char *message = g_strdup_printf ("Invalid URL (%s %s)", method, path);

      respond_now (self, msg, api, SOUP_STATUS_NOT_FOUND,
                   api == FAKE_API_ANTHROPIC
                     ? sheaf_fake_anthropic_error_body ("not_found_error", "Not Found")
                     : sheaf_fake_openai_error_body ("invalid_request_error", NULL, message));
    }
}

/* GObject */

static void
sheaf_fake_provider_dispose (GObject *object)
{
  SheafFakeProvider *self = SHEAF_FAKE_PROVIDER (object);

  /* Forget held requests first, so that closing their connections below
   * does not call back into a half-disposed object. */
  g_hash_table_remove_all (self->pending);
  self->in_flight = 0;
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (sheaf_fake_provider_parent_class)->dispose (object);
}

static void
sheaf_fake_provider_finalize (GObject *object)
{
  SheafFakeProvider *self = SHEAF_FAKE_PROVIDER (object);

  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->prompts, g_hash_table_unref);
  g_clear_pointer (&self->no_arrivals, g_array_unref);
  g_clear_pointer (&self->last_headers, soup_message_headers_unref);
  g_clear_pointer (&self->last_body_bytes, g_bytes_unref);
  g_clear_pointer (&self->last_body, g_free);
  g_string_free (self->padding, TRUE);
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (sheaf_fake_provider_parent_class)->finalize (object);
}

static void
sheaf_fake_provider_class_init (SheafFakeProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sheaf_fake_provider_dispose;
  object_class->finalize = sheaf_fake_provider_finalize;

  socket_generation_quark = g_quark_from_static_string ("sheaf-fake-provider-generation");
}

static void
sheaf_fake_provider_init (SheafFakeProvider *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->generation = 1;
  self->prompts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, prompt_stats_free);
  self->no_arrivals = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->pending = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) pending_free, NULL);
  self->padding = g_string_new (NULL);
  self->token_rounding = 1000;
}

/* soup_server_listen_local() leaves the backlog at GLib's default of 10:
 * when a thousand connections open at once, the kernel drops those beyond
 * it and each client waits a second or more before it tries again. */
#define LISTEN_BACKLOG 1024

/* A socket listening on 127.0.0.1:@port (0: any free port). */
static GSocket *
listen_socket_new (guint port, GError **error)
{
  g_autoptr (GSocket) sock =
    g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, (guint16) port);

  if (sock == NULL)
    return NULL;
  g_socket_set_listen_backlog (sock, LISTEN_BACKLOG);
  /* SO_REUSEADDR, as libsoup sets it: a fixed port is free again at once
   * after the last server on it stopped. */
  if (!g_socket_bind (sock, address, TRUE, error) || !g_socket_listen (sock, error))
    return NULL;
  return g_steal_pointer (&sock);
}

SheafFakeProvider *
sheaf_fake_provider_new (guint port, GError **error)
{
  g_autoptr (SheafFakeProvider) self = g_object_new (SHEAF_TYPE_FAKE_PROVIDER, NULL);
  g_autoptr (GSocket) sock = NULL;
  g_autoslist (GUri) uris = NULL;

  g_return_val_if_fail (port <= G_MAXUINT16, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* A new server, maybe on the port of one that is gone: a new provider. */
  _sheaf_pacer_forget_all ();
  self->server = soup_server_new ("server-header", "sheaf-fake-provider ", NULL);
  soup_server_add_handler (self->server, NULL, server_callback, self, NULL);
  sock = listen_socket_new (port, error);
  if (sock == NULL || !soup_server_listen_socket (self->server, sock, 0, error))
    return NULL;

  uris = soup_server_get_uris (self->server);
  g_assert (uris != NULL);
  self->port = (guint) g_uri_get_port (uris->data);
  return g_steal_pointer (&self);
}

guint
sheaf_fake_provider_get_port (SheafFakeProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), 0);

  return self->port;
}

char *
sheaf_fake_provider_dup_base_url (SheafFakeProvider *self, SheafProviderKind kind)
{
  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), NULL);

  if (kind == SHEAF_PROVIDER_KIND_OPENAI)
    return g_strdup_printf ("http://127.0.0.1:%u/v1", self->port);
  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

void
sheaf_fake_provider_set_latency_ms (SheafFakeProvider *self, guint latency_ms)
{
  g_return_if_fail (SHEAF_IS_FAKE_PROVIDER (self));

  self->latency_ms = latency_ms;
}

void
sheaf_fake_provider_set_reply_lag_ms (SheafFakeProvider *self, guint lag_ms)
{
  g_return_if_fail (SHEAF_IS_FAKE_PROVIDER (self));

  self->reply_lag_ms = lag_ms;
}

void
sheaf_fake_provider_set_answer_bytes (SheafFakeProvider *self, gsize answer_bytes)
{
  g_return_if_fail (SHEAF_IS_FAKE_PROVIDER (self));

  self->answer_bytes = answer_bytes;
}

void
sheaf_fake_provider_set_api_key (SheafFakeProvider *self, const char *api_key)
{
  g_return_if_fail (SHEAF_IS_FAKE_PROVIDER (self));

  g_free (self->api_key);
  self->api_key = g_strdup (api_key);
}

guint
sheaf_fake_provider_get_n_requests (SheafFakeProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), 0);

  return self->n_requests;
}

guint
sheaf_fake_provider_get_n_connections (SheafFakeProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), 0);

  return self->n_connections;
}

guint
sheaf_fake_provider_get_in_flight (SheafFakeProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), 0);

  return self->in_flight;
}

guint
sheaf_fake_provider_get_max_in_flight (SheafFakeProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), 0);

  return self->max_in_flight;
}

void
sheaf_fake_provider_reset_max_in_flight (SheafFakeProvider *self)
{
  g_return_if_fail (SHEAF_IS_FAKE_PROVIDER (self));

  self->max_in_flight = self->in_flight;
}

guint
sheaf_fake_provider_get_attempts (SheafFakeProvider *self, const char *prompt)
{
  PromptStats *stats;

  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), 0);
  g_return_val_if_fail (prompt != NULL, 0);

  stats = g_hash_table_lookup (self->prompts, prompt);
  return stats != NULL ? stats->attempts : 0;
}

/* The times of @prompt's arrivals (@deliveries FALSE) or deliveries. */
static GArray *
prompt_times (SheafFakeProvider *self, const char *prompt, gboolean deliveries)
{
  PromptStats *stats;

  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), NULL);
  g_return_val_if_fail (prompt != NULL, NULL);

  stats = g_hash_table_lookup (self->prompts, prompt);
  if (stats == NULL)
    return self->no_arrivals;
  return deliveries ? stats->deliveries : stats->arrivals;
}

GArray *
sheaf_fake_provider_get_arrivals (SheafFakeProvider *self, const char *prompt)
{
  return prompt_times (self, prompt, FALSE);
}

GArray *
sheaf_fake_provider_get_deliveries (SheafFakeProvider *self, const char *prompt)
{
  return prompt_times (self, prompt, TRUE);
}

SoupMessageHeaders *
sheaf_fake_provider_get_last_headers (SheafFakeProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), NULL);

  return self->last_headers;
}

const char *
sheaf_fake_provider_get_last_body (SheafFakeProvider *self)
{
  g_return_val_if_fail (SHEAF_IS_FAKE_PROVIDER (self), NULL);

  if (self->last_body == NULL && self->last_body_bytes != NULL)
    self->last_body = g_strndup (g_bytes_get_data (self->last_body_bytes, NULL),
                                 g_bytes_get_size (self->last_body_bytes));
  return self->last_body;
}

void
sheaf_fake_provider_reset_counters (SheafFakeProvider *self)
{
  g_return_if_fail (SHEAF_IS_FAKE_PROVIDER (self));

  self->n_requests = 0;
  self->n_connections = 0;
  sheaf_fake_provider_reset_max_in_flight (self);
  memset (self->n_status, 0, sizeof self->n_status);
  self->tokens_admitted = 0;
  self->generation++;
  g_hash_table_remove_all (self->prompts);
  g_clear_pointer (&self->last_headers, soup_message_headers_unref);
  g_clear_pointer (&self->last_body_bytes, g_bytes_unref);
  g_clear_pointer (&self->last_body, g_free);
}
