/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The JSON reader every reply goes through: sheaf_json_parse() and the
 * depth check that keeps JsonParser from recursing on a deep document. */
#include "sheaf-fuzz.h"

#include "sheaf-json.h"

/* What the fast reader takes is no deeper than it reads, and JsonParser
 * reads it as the same tree. */
static void
check_against_json_glib (const char *data, gsize length, JsonNode *root)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert (!sheaf_json_nests_deeper (data, length, SHEAF_JSON_MAX_DEPTH));
  g_assert (json_parser_load_from_data (parser, data, (gssize) length, NULL));
  g_assert (json_node_equal (root, json_parser_get_root (parser)));
}

/* What the fast reader refuses goes to JsonParser only past the gate, as
 * replies do: there it must neither leak nor recurse too deep. */
static void
parse_past_gate (const char *data, gsize length)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (sheaf_json_fits_parser (data, length))
    json_parser_load_from_data (parser, data, (gssize) length, NULL);
}

/* A string written by sheaf_json_append_string() reads back the same. */
static void
check_string_round_trip (const char *data, gsize length)
{
  g_autofree char *value = g_strndup (data, length);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (JsonNode) back = NULL;

  if (!g_utf8_validate (value, -1, NULL))
    return;
  sheaf_json_append_string (out, value);
  back = sheaf_json_parse (out->str, out->len);
  g_assert (back != NULL);
  g_assert_cmpstr (json_node_get_string (back), ==, value);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  g_autoptr (JsonNode) root = sheaf_json_parse (text, size);

  if (root != NULL)
    check_against_json_glib (text, size, root);
  else
    parse_past_gate (text, size);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);

      sheaf_json_member_int (object, "n");
      sheaf_json_member_string (object, "s");
      sheaf_json_element_object (sheaf_json_member_array (object, "a"), 0);
    }
  check_string_round_trip (text, size);
  return 0;
}
