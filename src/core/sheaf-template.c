/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sheaf-template"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sheaf-template.h"

#define TEXT_PLACEHOLDER  "{text}"
#define TITLE_PLACEHOLDER "{title}"

char *
sheaf_template_render (const char *template_, const char *title, const char *text)
{
  GString *out;
  const char *p;

  g_return_val_if_fail (template_ != NULL, NULL);

  out = g_string_sized_new (strlen (template_) + (text != NULL ? strlen (text) : 0));

  /* One pass, so a title or text that itself contains "{text}" is never
   * expanded a second time. */
  for (p = template_; *p != '\0';)
    {
      if (g_str_has_prefix (p, TEXT_PLACEHOLDER))
        {
          g_string_append (out, text != NULL ? text : "");
          p += strlen (TEXT_PLACEHOLDER);
        }
      else if (g_str_has_prefix (p, TITLE_PLACEHOLDER))
        {
          g_string_append (out, title != NULL ? title : "");
          p += strlen (TITLE_PLACEHOLDER);
        }
      else
        {
          const char *next = strchr (p + 1, '{');
          gsize len = next != NULL ? (gsize) (next - p) : strlen (p);

          g_string_append_len (out, p, len);
          p += len;
        }
    }

  return g_string_free (out, FALSE);
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
