/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-test-json"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-json.h"

/* The fast reader must build exactly the tree JsonParser builds. */
static void
assert_same_as_json_glib (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonNode) fast = sheaf_json_parse (text, strlen (text));
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  if (fast == NULL)
    g_error ("the fast reader refused %s", text);
  g_assert_true (json_node_equal (fast, json_parser_get_root (parser)));
}

static void
test_json_same_tree (void)
{
  const char *documents[] = {
    "{}",
    "[]",
    " \r\n\t{ \"a\" : 1 , \"b\" : [ true , false , null ] } \n",
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
    "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":512}}",
    "{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\","
    "\"text\":\"b\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":1}}",
    "{\"s\":\"quote \\\" backslash \\\\ slash \\/ \\b\\f\\n\\r\\t end\"}",
    "{\"u\":\"\\u00e9\\u20ac \\ud83d\\ude00 \\u0041\"}",
    "{\"raw\":\"é € 😀 שלום\"}",
    "{\"n\":[0,-0,1,-1,12345678901234,9223372036854775807,-9223372036854775808]}",
    "{\"d\":[0.5,-1.25,1e3,1E-3,2.5e+10,-0.0,3.141592653589793]}",
    "{\"dup\":1,\"dup\":2}",
    "\"just a string\"",
    "42",
    "[[[[[[[[[[1]]]]]]]]]]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    assert_same_as_json_glib (documents[i]);
}

/* Strings are scanned eight bytes at a time: whatever ends a run of plain
 * characters (a quote, a backslash, a control character) or needs a UTF-8
 * check must be found at every position in a word, and past the last
 * whole word. */
static void
test_json_string_positions (void)
{
  const char *specials[] = { "\\\"", "\\\\", "\\n", "\\u0041", "é", "😀", "\x7f" };

  for (guint s = 0; s < G_N_ELEMENTS (specials); s++)
    for (guint before = 0; before < 20; before++)
      for (guint after = 0; after < 12; after++)
        {
          g_autofree char *head = g_strnfill (before, 'a');
          g_autofree char *tail = g_strnfill (after, 'b');
          g_autofree char *text =
            g_strdup_printf ("{\"k\":\"%s%s%s\",\"n\":1}", head, specials[s], tail);

          assert_same_as_json_glib (text);
        }

  /* A byte the fast reader must refuse, at every position. */
  for (guint before = 0; before < 20; before++)
    {
      g_autofree char *head = g_strnfill (before, 'a');
      g_autofree char *text = g_strdup_printf ("{\"k\":\"%s\x01tail text\"}", head);
      g_autofree char *bad = g_strdup_printf ("{\"k\":\"%s\xff tail text\"}", head);
      g_autoptr (JsonNode) control = sheaf_json_parse (text, strlen (text));
      g_autoptr (JsonNode) invalid = sheaf_json_parse (bad, strlen (bad));

      g_assert_null (control);
      g_assert_null (invalid);
    }
}

static void
test_json_refuses (void)
{
  const char *documents[] = {
    "",
    "   ",
    "{",
    "{\"a\":1,}",
    "[1,]",
    "{\"a\" 1}",
    "{a:1}",
    "{\"a\":01}",
    "{\"a\":1.}",
    "{\"a\":.5}",
    "{\"a\":1e}",
    "{\"a\":+1}",
    "{\"a\":tru}",
    "{\"a\":\"unterminated}",
    "{\"a\":\"tab\tinside\"}",
    "{\"a\":\"bad \\x escape\"}",
    "{\"a\":\"lone \\ud83d surrogate\"}",
    "{\"a\":\"low \\ude00 first\"}",
    "{\"a\":\"nul \\u0000 inside\"}",
    "{\"a\":99999999999999999999}",
    "{\"a\":\"\xff\xfe not UTF-8\"}",
    "{\"a\":1} trailing",
    "<html><body>Bad gateway</body></html>",
  };
  g_autoptr (GString) deep = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autoptr (JsonNode) node = sheaf_json_parse (documents[i], strlen (documents[i]));

      if (node != NULL)
        g_error ("the fast reader accepted %s", documents[i]);
    }

  /* A NUL byte inside the given length, and nesting beyond the limit. */
  g_assert_null (sheaf_json_parse ("{\"a\":1}\0", 8));
  for (guint i = 0; i < 100; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100; i++)
    g_string_append_c (deep, ']');
  g_assert_null (sheaf_json_parse (deep->str, deep->len));
  g_assert_null (sheaf_json_parse (NULL, 0));
}

/* What JsonParser may see: one array or object, not too deep, nothing
 * after it. json-glib 1.6 took "[] []" and "4 {}" as documents and leaked
 * the first value (found by tests/fuzz/fuzz-anthropic), and leaked on a
 * malformed surrogate pair (found by tests/fuzz/fuzz-json). */
static void
test_json_fits_parser (void)
{
  const char *fit[] = { "{}", " [1, {\"a\": \"]\"}] \n", "{\"a\":\"}\\\"\"}\r\n" };
  const char *unfit[] = { "",
                          "  ",
                          "4",
                          "\"s\"",
                          "[] []",
                          "4 {}",
                          "{} 4",
                          "[1] ]",
                          "[[]",
                          "[\"\\ud83d\\uce00\"]",
                          "{\"a\":\"\\uDC00\"}" };
  g_autoptr (GString) deep = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fit); i++)
    g_assert_true (sheaf_json_fits_parser (fit[i], strlen (fit[i])));
  for (guint i = 0; i < G_N_ELEMENTS (unfit); i++)
    if (sheaf_json_fits_parser (unfit[i], strlen (unfit[i])))
      g_error ("JsonParser would be given %s", unfit[i]);

  for (guint i = 0; i <= SHEAF_JSON_MAX_DEPTH; i++)
    g_string_prepend_c (g_string_append_c (deep, ']'), '[');
  g_assert_false (sheaf_json_fits_parser (deep->str, deep->len));
  g_assert_true (sheaf_json_fits_parser (deep->str + 1, deep->len - 2));
}

/* A double beyond 64 bits was cut to an integer, which is undefined; found
 * by tests/fuzz/fuzz-json under UBSan. */
static void
test_json_member_int (void)
{
  static const char document[] = "{\"i\":12,\"d\":2.9,\"huge\":666666666666666666666666666.2,"
                                 "\"low\":-1e300,\"s\":\"7\"}";
  g_autoptr (JsonNode) root = sheaf_json_parse (document, strlen (document));
  JsonObject *object = json_node_get_object (root);

  g_assert_cmpint (sheaf_json_member_int (object, "i"), ==, 12);
  g_assert_cmpint (sheaf_json_member_int (object, "d"), ==, 2);
  g_assert_cmpint (sheaf_json_member_int (object, "huge"), ==, -1);
  g_assert_cmpint (sheaf_json_member_int (object, "low"), ==, -1);
  g_assert_cmpint (sheaf_json_member_int (object, "s"), ==, -1);
  g_assert_cmpint (sheaf_json_member_int (object, "missing"), ==, -1);
}

static void
test_json_append_string (void)
{
  const char *values[] = {
    "",
    "plain",
    "quote \" backslash \\ slash /",
    "lines\nand\r\ntabs\t, bell \a, escape \x1b, del \x7f",
    "é € 😀 שלום",
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr (GString) out = g_string_new (NULL);
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;

      sheaf_json_append_string (out, values[i]);
      json_parser_load_from_data (parser, out->str, (gssize) out->len, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_node_get_string (json_parser_get_root (parser)), ==, values[i]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/same-tree", test_json_same_tree);
  g_test_add_func ("/json/string-positions", test_json_string_positions);
  g_test_add_func ("/json/refuses", test_json_refuses);
  g_test_add_func ("/json/fits-parser", test_json_fits_parser);
  g_test_add_func ("/json/member-int", test_json_member_int);
  g_test_add_func ("/json/append-string", test_json_append_string);

  return g_test_run ();
}
