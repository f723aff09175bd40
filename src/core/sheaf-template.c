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
