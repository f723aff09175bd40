/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-template"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sheaf-template.h"

#include "sheaf-error.h"

#define TEXT_PLACEHOLDER  "{text}"
#define TITLE_PLACEHOLDER "{title}"

typedef struct
{
  const char *value;
  gsize length;
} Value;

static Value
value_of (const char *value)
{
  return (Value){ value != NULL ? value : "", value != NULL ? strlen (value) : 0 };
}

/*
 * Walks @template_ in one pass, so a title or text that itself contains
 * "{text}" is never expanded a second time, appending to @out unless it
 * is NULL. Returns the rendered size in bytes, G_MAXSIZE when that does not
 * fit in a gsize.
 */
static gsize
expand (const char *template_, Value title, Value text, GString *out)
{
  gsize size = 0;

  for (const char *p = template_; *p != '\0';)
    {
      Value piece;

      if (g_str_has_prefix (p, TEXT_PLACEHOLDER))
        {
          piece = text;
          p += strlen (TEXT_PLACEHOLDER);
        }
      else if (g_str_has_prefix (p, TITLE_PLACEHOLDER))
        {
          piece = title;
          p += strlen (TITLE_PLACEHOLDER);
        }
      else
        {
          const char *next = strchr (p + 1, '{');

          piece = (Value){ p, next != NULL ? (gsize) (next - p) : strlen (p) };
          p += piece.length;
        }
      size = size > G_MAXSIZE - piece.length ? G_MAXSIZE : size + piece.length;
      if (out != NULL)
        g_string_append_len (out, piece.value, (gssize) piece.length);
    }

  return size;
}

char *
sheaf_template_render (const char *template_, const char *title, const char *text)
{
  GString *out;

  g_return_val_if_fail (template_ != NULL, NULL);

  out = g_string_sized_new (strlen (template_) + (text != NULL ? strlen (text) : 0));
  expand (template_, value_of (title), value_of (text), out);
  return g_string_free (out, FALSE);
}

gsize
sheaf_template_rendered_size (const char *template_, const char *title, const char *text)
{
  g_return_val_if_fail (template_ != NULL, 0);

  return expand (template_, value_of (title), value_of (text), NULL);
}

gboolean
sheaf_template_check_size (gsize size, GError **error)
{
  g_autofree char *size_str = NULL;

  if (size <= SHEAF_PROMPT_MAX_SIZE)
    return TRUE;

  size_str = g_format_size (size);
  g_set_error (error, SHEAF_ERROR, SHEAF_ERROR_TOO_LARGE,
               _ ("This prompt would be %s, more than 32 MB (32,000,000 bytes), the most a "
                  "provider takes in one request. It was not sent: shorten the text, or use "
                  "{text} fewer times in the template."),
               size_str);
  return FALSE;
}

char *
sheaf_template_render_checked (const char *template_, const char *title, const char *text,
                               GError **error)
{
  g_return_val_if_fail (template_ != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sheaf_template_check_size (sheaf_template_rendered_size (template_, title, text), error))
    return NULL;
  return sheaf_template_render (template_, title, text);
}

gboolean
sheaf_template_has_text (const char *template_)
{
  return template_ != NULL && strstr (template_, TEXT_PLACEHOLDER) != NULL;
}

static gboolean
is_placeholder_name (const char *name, gsize len)
{
  if (len == 0 || g_ascii_isspace (name[0]) || g_ascii_isspace (name[len - 1]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (strchr ("{}\"\n\r", name[i]) != NULL)
      return FALSE;
  return g_utf8_validate (name, (gssize) len, NULL);
}

GStrv
sheaf_template_list_names (const char *template_)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *p = template_;

  g_return_val_if_fail (template_ != NULL, NULL);

  while ((p = strchr (p, '{')) != NULL)
    {
      const char *end = strpbrk (p + 1, "{}");
      gsize len;

      if (end == NULL)
        break;
      len = (gsize) (end - p - 1);
      if (*end == '}' && is_placeholder_name (p + 1, len))
        {
          char *name = g_strndup (p + 1, len);

          if (g_hash_table_add (seen, name))
            g_strv_builder_add (builder, name);
        }
      p = end;
    }
  return g_strv_builder_end (builder);
}

const char *const *
sheaf_template_available_names (void)
{
  static const char *const names[] = { "text", "title", NULL };

  return names;
}
