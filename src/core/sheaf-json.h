/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * Reading and writing the small JSON documents of a provider's API, on the
 * path every request takes.
 *
 * sheaf_json_parse() builds the same JsonNode tree as JsonParser for strict
 * RFC 8259 JSON in UTF-8, several times faster (JsonParser reads through
 * GScanner one character at a time: measured 160,000 instructions for a
 * 2 KB chat reply). It returns NULL for anything else — malformed input,
 * invalid UTF-8, a NUL byte, a lone surrogate, nesting deeper than 64, an
 * integer beyond 64 bits — and the caller then asks JsonParser, which also
 * says why.
 *
 * sheaf_json_append_string() appends @value (valid UTF-8) as a JSON string
 * literal, quotes included; sheaf_json_append_escaped() appends only what
 * goes between the quotes, for a string written in several pieces.
 */
JsonNode *sheaf_json_parse (const char *data, gsize length);

/* The deepest nesting Sheaf reads; no reply of an API comes near it. */
#define SHEAF_JSON_MAX_DEPTH 64
/* Whether @data nests arrays and objects deeper than @max_depth (what is
 * inside strings does not count). A recursive parser never sees such a
 * document: it would use the stack up. */
gboolean sheaf_json_nests_deeper (const char *data, gsize length, guint max_depth);
/* Whether JsonParser may be given @data: one array or object, nested no
 * deeper than SHEAF_JSON_MAX_DEPTH, with nothing but white space after it
 * and no \u escape of a surrogate. JsonParser recurses; json-glib 1.6
 * takes a value followed by an array or object ("[] []", "4 {}") as a
 * document, leaking the first, and leaks on a malformed surrogate pair. */
gboolean sheaf_json_fits_parser (const char *data, gsize length);
void sheaf_json_append_string (GString *out, const char *value);
void sheaf_json_append_escaped (GString *out, const char *value);
/* ,"@name":"@value" — or ,"@name":null when @value is NULL — for an
 * object written member by member; @name needs no escaping. */
void sheaf_json_append_string_member (GString *out, const char *name, const char *value);

/*
 * Lookups that take NULL for a missing object or array and give NULL (or
 * -1 for a number) for a member that is missing or of another type, so a
 * reply's shape is read in one line whatever a server sent.
 */
JsonNode *sheaf_json_member (JsonObject *object, const char *name);
JsonObject *sheaf_json_member_object (JsonObject *object, const char *name);
JsonArray *sheaf_json_member_array (JsonObject *object, const char *name);
const char *sheaf_json_node_string (JsonNode *node);
const char *sheaf_json_member_string (JsonObject *object, const char *name);
/* A whole number (a double is cut to one; one beyond 64 bits is not
 * read), or -1. */
gint64 sheaf_json_member_int (JsonObject *object, const char *name);
JsonObject *sheaf_json_element_object (JsonArray *array, guint index);

G_END_DECLS
