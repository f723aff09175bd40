/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-json"

#include "config.h"

#include <glib/gi18n.h>

#include "sheaf-json.h"

#include <errno.h>
#include <string.h>

/* Deeper than any reply; the stack stays small whatever a server sends. */
#define MAX_DEPTH SHEAF_JSON_MAX_DEPTH

typedef struct
{
  const char *p;
  const char *end;
  GString *scratch; /* the string being decoded */
  guint depth;
} Reader;

static JsonNode *read_value (Reader *r);

static void
skip_space (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
    r->p++;
}

/* Consumes @c (after white space) if it comes next. */
static gboolean
take (Reader *r, char c)
{
  skip_space (r);
  if (r->p >= r->end || *r->p != c)
    return FALSE;
  r->p++;
  return TRUE;
}

static gboolean
take_word (Reader *r, const char *word, gsize length)
{
  if ((gsize) (r->end - r->p) < length || memcmp (r->p, word, length) != 0)
    return FALSE;
  r->p += length;
  return TRUE;
}

/* Strings */

static int
hex4 (const char *p)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* \uXXXX, or a surrogate pair of them; r->p is after the "u". */
static gboolean
read_unicode_escape (Reader *r)
{
  int high, low;
  gunichar c;

  if (r->end - r->p < 4 || (high = hex4 (r->p)) < 0)
    return FALSE;
  r->p += 4;
  c = (gunichar) high;
  if (high >= 0xDC00 && high <= 0xDFFF)
    return FALSE;
  if (high >= 0xD800 && high <= 0xDBFF)
    {
      if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
          (low = hex4 (r->p + 2)) < 0xDC00 || low > 0xDFFF)
        return FALSE;
      r->p += 6;
      c = 0x10000 + (((gunichar) high - 0xD800) << 10) + ((gunichar) low - 0xDC00);
    }
  /* A NUL would cut the C string short. */
  if (c == 0)
    return FALSE;
  g_string_append_unichar (r->scratch, c);
  return TRUE;
}

/* r->p is after the backslash. */
static gboolean
read_escape (Reader *r)
{
  static const char from[] = "\"\\/bfnrt";
  static const char to[] = "\"\\/\b\f\n\r\t";
  const char *found;

  if (r->p >= r->end)
    return FALSE;
  if (*r->p == 'u')
    {
      r->p++;
      return read_unicode_escape (r);
    }
  found = *r->p != '\0' ? strchr (from, *r->p) : NULL;
  if (found == NULL)
    return FALSE;
  g_string_append_c (r->scratch, to[found - from]);
  r->p++;
  return TRUE;
}

/* Skips plain characters: up to a quote, a backslash or a control
 * character (which JSON forbids there). Works on locals so that the
 * compiler keeps them in registers; ORs the bytes into @seen. */
#define ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/* Whether one of the 8 bytes of @word is below 0x20, a quote or a
 * backslash ("has less" and "has zero" from Bit Twiddling Hacks: exact as
 * to whether there is one, which is all that is asked). */
static inline gboolean
word_has_special (guint64 word)
{
  guint64 quote = word ^ (ONES * '"');
  guint64 backslash = word ^ (ONES * '\\');

  guint64 below_space = (word - ONES * 0x20) & ~word;
  guint64 is_quote = (quote - ONES) & ~quote;
  guint64 is_backslash = (backslash - ONES) & ~backslash;

  return ((below_space | is_quote | is_backslash) & HIGHS) != 0;
}

static const char *
skip_plain (const char *from, const char *end, guchar *seen)
{
  const guchar *p = (const guchar *) from;
  const guchar *stop = (const guchar *) end;
  guint64 words = 0;
  guchar bits = 0;

  /* Eight bytes at a time while none of them ends the run; long answers
   * are most of what a reply holds. */
  while (stop - p >= 8)
    {
      guint64 word;

      memcpy (&word, p, sizeof word);
      if (word_has_special (word))
        break;
      words |= word;
      p += 8;
    }
  while (p < stop && *p >= 0x20 && *p != '"' && *p != '\\')
    bits |= *p++;
  *seen |= bits | ((words & HIGHS) != 0 ? 0x80 : 0);
  return (const char *) p;
}

/* Decodes the string at r->p (its opening quote) into r->scratch. Only
 * strings hold bytes beyond ASCII (anywhere else they are a syntax error),
 * so only a string that has some needs its UTF-8 checked. */
static gboolean
read_string (Reader *r)
{
  guchar seen = 0;

  g_string_truncate (r->scratch, 0);
  r->p++;
  while (r->p < r->end)
    {
      const char *run = r->p;

      r->p = skip_plain (r->p, r->end, &seen);
      g_string_append_len (r->scratch, run, r->p - run);
      if (r->p >= r->end || (guchar) *r->p < 0x20)
        return FALSE;
      if (*r->p++ == '"')
        return (seen & 0x80) == 0 || g_utf8_validate_len (r->scratch->str, r->scratch->len, NULL);
      if (!read_escape (r))
        return FALSE;
    }
  return FALSE;
}

/* Numbers */

static gboolean
skip_digits (Reader *r)
{
  const char *start = r->p;

  while (r->p < r->end && g_ascii_isdigit (*r->p))
    r->p++;
  return r->p > start;
}

/* Moves past a number of JSON's grammar; says whether it is an integer. */
static gboolean
scan_number (Reader *r, gboolean *integer)
{
  *integer = TRUE;
  if (r->p < r->end && *r->p == '-')
    r->p++;
  if (r->p < r->end && *r->p == '0')
    r->p++;
  else if (r->p >= r->end || *r->p < '1' || *r->p > '9' || !skip_digits (r))
    return FALSE;
  if (r->p < r->end && *r->p == '.')
    {
      *integer = FALSE;
      r->p++;
      if (!skip_digits (r))
        return FALSE;
    }
  if (r->p < r->end && (*r->p == 'e' || *r->p == 'E'))
    {
      *integer = FALSE;
      r->p++;
      if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
        r->p++;
      if (!skip_digits (r))
        return FALSE;
    }
  return TRUE;
}

static JsonNode *
read_number (Reader *r)
{
  const char *start = r->p;
  char buffer[64];
  gboolean integer;
  gsize length;
  gint64 value;

  if (!scan_number (r, &integer))
    return NULL;
  length = (gsize) (r->p - start);
  if (length >= sizeof buffer)
    return NULL;
  memcpy (buffer, start, length);
  buffer[length] = '\0';

  if (!integer)
    return json_node_init_double (json_node_alloc (), g_ascii_strtod (buffer, NULL));
  errno = 0;
  value = g_ascii_strtoll (buffer, NULL, 10);
  if (errno == ERANGE)
    return NULL;
  return json_node_init_int (json_node_alloc (), value);
}

/* Containers */

static JsonNode *
read_object (Reader *r)
{
  g_autoptr (JsonObject) object = json_object_new ();

  r->p++;
  if (take (r, '}'))
    return json_node_init_object (json_node_alloc (), object);
  do
    {
      g_autofree char *name = NULL;
      JsonNode *value;

      skip_space (r);
      if (r->p >= r->end || *r->p != '"' || !read_string (r))
        return NULL;
      name = g_strndup (r->scratch->str, r->scratch->len);
      if (!take (r, ':') || (value = read_value (r)) == NULL)
        return NULL;
      json_object_set_member (object, name, value);
    }
  while (take (r, ','));
  if (!take (r, '}'))
    return NULL;
  return json_node_init_object (json_node_alloc (), object);
}

static JsonNode *
read_array (Reader *r)
{
  g_autoptr (JsonArray) array = json_array_new ();

  r->p++;
  if (take (r, ']'))
    return json_node_init_array (json_node_alloc (), array);
  do
    {
      JsonNode *value = read_value (r);

      if (value == NULL)
        return NULL;
      json_array_add_element (array, value);
    }
  while (take (r, ','));
  if (!take (r, ']'))
    return NULL;
  return json_node_init_array (json_node_alloc (), array);
}

static JsonNode *
read_container (Reader *r)
{
  JsonNode *node;

  if (r->depth >= MAX_DEPTH)
    return NULL;
  r->depth++;
  node = *r->p == '{' ? read_object (r) : read_array (r);
  r->depth--;
  return node;
}

static JsonNode *
read_value (Reader *r)
{
  skip_space (r);
  if (r->p >= r->end)
    return NULL;
  switch (*r->p)
    {
      case '{':
      case '[':
        return read_container (r);
      case '"':
        return read_string (r) ? json_node_init_string (json_node_alloc (), r->scratch->str) : NULL;
      case 't':
        return take_word (r, "true", 4) ? json_node_init_boolean (json_node_alloc (), TRUE) : NULL;
      case 'f':
        return take_word (r, "false", 5) ? json_node_init_boolean (json_node_alloc (), FALSE)
                                         : NULL;
      case 'n':
        return take_word (r, "null", 4) ? json_node_init_null (json_node_alloc ()) : NULL;
      default:
        return read_number (r);
    }
}

JsonNode *
sheaf_json_parse (const char *data, gsize length)
{
  g_autoptr (GString) scratch = NULL;
  g_autoptr (JsonNode) root = NULL;
  Reader r = { data, data + length, NULL, 0 };

  if (data == NULL || length == 0 || memchr (data, '\0', length) != NULL)
    return NULL;

  r.scratch = scratch = g_string_sized_new (256);
  root = read_value (&r);
  skip_space (&r);
  if (root == NULL || r.p != r.end)
    return NULL;
  return g_steal_pointer (&root);
}

/* Writing */

static void
append_escape (GString *out, guchar c)
{
  switch (c)
    {
      case '"':
        g_string_append (out, "\\\"");
        break;
      case '\\':
        g_string_append (out, "\\\\");
        break;
      case '\n':
        g_string_append (out, "\\n");
        break;
      case '\r':
        g_string_append (out, "\\r");
        break;
      case '\t':
        g_string_append (out, "\\t");
        break;
      default:
        g_string_append_printf (out, "\\u%04x", c);
    }
}

void
sheaf_json_append_escaped (GString *out, const char *value)
{
  const char *run = value;

  g_return_if_fail (out != NULL && value != NULL);

  for (const char *p = value; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, run, p - run);
      append_escape (out, c);
      run = p + 1;
    }
  g_string_append (out, run);
}

void
sheaf_json_append_string_member (GString *out, const char *name, const char *value)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (name != NULL);

  g_string_append_printf (out, ",\"%s\":", name);
  if (value != NULL)
    sheaf_json_append_string (out, value);
  else
    g_string_append (out, "null");
}

void
sheaf_json_append_string (GString *out, const char *value)
{
  g_return_if_fail (out != NULL && value != NULL);

  g_string_append_c (out, '"');
  sheaf_json_append_escaped (out, value);
  g_string_append_c (out, '"');
}

/* Lookups */

/* One lookup: json_object_get_member() returns NULL for a missing member. */
JsonNode *
sheaf_json_member (JsonObject *object, const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

JsonObject *
sheaf_json_member_object (JsonObject *object, const char *name)
{
  JsonNode *node = sheaf_json_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
sheaf_json_member_array (JsonObject *object, const char *name)
{
  JsonNode *node = sheaf_json_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

const char *
sheaf_json_node_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
             json_node_get_value_type (node) == G_TYPE_STRING
           ? json_node_get_string (node)
           : NULL;
}

const char *
sheaf_json_member_string (JsonObject *object, const char *name)
{
  return sheaf_json_node_string (sheaf_json_member (object, name));
}

gint64
sheaf_json_member_int (JsonObject *object, const char *name)
{
  JsonNode *node = sheaf_json_member (object, name);
  GType type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : 0;

  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      /* Beyond 64 bits (or NaN) the cut is undefined: not a number Sheaf reads. */
      if (value >= (double) G_MININT64 && value < -(double) G_MININT64)
        return (gint64) value;
    }
  return -1;
}

JsonObject *
sheaf_json_element_object (JsonArray *array, guint index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, index);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The deepest nesting of arrays and objects in @data (what is inside
 * strings does not count), read no further than one level beyond
 * @max_depth; *first_end is where the container that @data starts with
 * closes (0 when it does not). */
static guint
scan_nesting (const char *data, gsize length, guint max_depth, gsize *first_end)
{
  gboolean in_string = FALSE;
  guint depth = 0, deepest = 0;

  *first_end = 0;
  for (gsize i = 0; i < length && deepest <= max_depth; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          depth++;
          deepest = MAX (deepest, depth);
        }
      else if ((c == ']' || c == '}') && depth > 0 && --depth == 0 && *first_end == 0)
        *first_end = i + 1;
    }
  return deepest;
}

gboolean
sheaf_json_nests_deeper (const char *data, gsize length, guint max_depth)
{
  gsize first_end;

  return scan_nesting (data, length, max_depth, &first_end) > max_depth;
}

/* Whether @data has a \\u escape of a UTF-16 surrogate (which the fast
 * reader takes only in pairs). */
static gboolean
has_surrogate_escape (const char *data, gsize length)
{
  for (gsize i = 0; i + 3 < length; i++)
    if (data[i] == '\\' && data[i + 1] == 'u' && g_ascii_tolower (data[i + 2]) == 'd' &&
        data[i + 3] != '\0' && strchr ("89abcdefABCDEF", data[i + 3]) != NULL)
      return TRUE;
  return FALSE;
}

gboolean
sheaf_json_fits_parser (const char *data, gsize length)
{
  gsize start = 0, first_end;

  while (start < length && g_ascii_isspace (data[start]))
    start++;
  if (start == length || (data[start] != '[' && data[start] != '{'))
    return FALSE;
  if (scan_nesting (data + start, length - start, MAX_DEPTH, &first_end) > MAX_DEPTH ||
      first_end == 0 || has_surrogate_escape (data, length))
    return FALSE;
  for (gsize i = start + first_end; i < length; i++)
    if (!g_ascii_isspace (data[i]))
      return FALSE;
  return TRUE;
}
