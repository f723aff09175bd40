/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-template"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sheaf-template.h"

#include "sheaf-error.h"

static void
assert_renders (const char *template_, const char *title, const char *text, const char *expected)
{
  g_autofree char *out = sheaf_template_render (template_, title, text);

  g_assert_cmpstr (out, ==, expected);
  g_assert_true (g_utf8_validate (out, -1, NULL));
}

static void
test_basic (void)
{
  assert_renders ("{text}", "T", "Hello", "Hello");
  assert_renders (SHEAF_DEFAULT_TEMPLATE, "T", "Hello", "Hello");
  assert_renders ("Summarize this article in one sentence:\n\n{text}", "T", "Body",
                  "Summarize this article in one sentence:\n\nBody");
  assert_renders ("# {title}\n{text}", "Report", "Body", "# Report\nBody");
  assert_renders ("no placeholder", "T", "Body", "no placeholder");
  assert_renders ("", "T", "Body", "");
}

static void
test_repeated (void)
{
  assert_renders ("{text}|{text}|{title}|{title}", "A", "b", "b|b|A|A");
  assert_renders ("{text}{text}{text}", NULL, "x", "xxx");
}

static void
test_null_values (void)
{
  assert_renders ("Title: {title}.", NULL, "x", "Title: .");
  assert_renders ("Text: {text}.", "T", NULL, "Text: .");
}

static void
test_other_braces_untouched (void)
{
  assert_renders ("Reply as JSON: {\"name\": \"...\", \"age\": 0}\n{text}", "T", "Bob",
                  "Reply as JSON: {\"name\": \"...\", \"age\": 0}\nBob");
  assert_renders ("{Text} {TEXT} { text } {texts} {title {text}} {{text}}", "T", "x",
                  "{Text} {TEXT} { text } {texts} {title x} {x}");
  assert_renders ("{", "T", "x", "{");
  assert_renders ("}{", "T", "x", "}{");
  assert_renders ("{tex", "T", "x", "{tex");
  assert_renders ("trailing {", "T", "x", "trailing {");
}

static void
test_no_second_expansion (void)
{
  /* A text that itself holds a placeholder is put in as it is. */
  assert_renders ("{title}: {text}", "{text}", "{title}", "{text}: {title}");
}

static void
test_unicode (void)
{
  assert_renders (
    "Résumé « {title} » — {text} 🚀", "Ünïcödé 日本語", "مرحبا بالعالم 👋🏽",
    "Résumé « Ünïcödé 日本語 » — مرحبا بالعالم 👋🏽 🚀");
  assert_renders ("{text}", "t", "\xe2\x80\x8f\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
                  "\xe2\x80\x8f\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d");
}

static void
test_has_text (void)
{
  g_assert_true (sheaf_template_has_text ("{text}"));
  g_assert_true (sheaf_template_has_text ("Summarize: {text}"));
  g_assert_true (sheaf_template_has_text ("{title} {text} {text}"));
  g_assert_false (sheaf_template_has_text ("{title}"));
  g_assert_false (sheaf_template_has_text ("{Text}"));
  g_assert_false (sheaf_template_has_text ("{ text }"));
  g_assert_false (sheaf_template_has_text (""));
  g_assert_false (sheaf_template_has_text (NULL));
}

static void
assert_names (const char *template_, const char *const *expected)
{
  g_auto (GStrv) names = sheaf_template_list_names (template_);

  g_assert_nonnull (names);
  g_assert_cmpstrv (names, expected);
}

static void
test_list_names (void)
{
  assert_names ("", (const char *[]){ NULL });
  assert_names ("no placeholder", (const char *[]){ NULL });
  assert_names ("{text}", (const char *[]){ "text", NULL });
  assert_names ("# {title}\n{text} {tilte} {text}",
                (const char *[]){ "title", "text", "tilte", NULL });
  assert_names ("{column name} and {Text}", (const char *[]){ "column name", "Text", NULL });
  /* JSON examples, spaced braces and unclosed ones are not placeholders. */
  assert_names ("Reply as JSON: {\"name\": \"...\", \"age\": 0}\n{text}",
                (const char *[]){ "text", NULL });
  assert_names ("{ text } {} {title {text}} {{text}} {tex", (const char *[]){ "text", NULL });
  assert_names ("{a\nb} {ü}", (const char *[]){ "ü", NULL });
}

static void
test_available_names (void)
{
  const char *const *names = sheaf_template_available_names ();

  g_assert_true (g_strv_contains (names, "text"));
  g_assert_true (g_strv_contains (names, "title"));
  g_assert_false (g_strv_contains (names, "tilte"));
}

/* The size of the rendering, from its parts, is exact. */
static void
test_rendered_size (void)
{
  static const char *const templates[] = { "{text}", "# {title}\n{text} {text}", "", "{x} {",
                                           "{text}{title}{text}" };

  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    {
      g_autofree char *out = sheaf_template_render (templates[i], "Title", "{text} body");

      g_assert_cmpuint (sheaf_template_rendered_size (templates[i], "Title", "{text} body"), ==,
                        strlen (out));
    }
  g_assert_cmpuint (sheaf_template_rendered_size ("{text}{title}", NULL, NULL), ==, 0);
}

/* 10,000 {text} with a 10 MiB text is a 100 GB prompt: refused, from its
 * size, before anything is rendered. */
static void
test_too_large (void)
{
  g_autoptr (GString) template_ = g_string_new (NULL);
  gsize text_size = 10 * 1024 * 1024;
  g_autofree char *text = g_malloc (text_size + 1);
  g_autofree char *fits_text = g_strnfill (SHEAF_PROMPT_MAX_SIZE - 2, 'b');
  g_autoptr (GError) error = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *fits = NULL;

  memset (text, 'a', text_size);
  text[text_size] = '\0';
  for (guint i = 0; i < 10000; i++)
    g_string_append (template_, "{text}\n");
  g_assert_cmpuint (sheaf_template_rendered_size (template_->str, "T", text), ==,
                    10000 * (text_size + 1));

  prompt = sheaf_template_render_checked (template_->str, "T", text, &error);
  g_assert_null (prompt);
  g_assert_error (error, SHEAF_ERROR, SHEAF_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "104.9"));
  g_assert_nonnull (strstr (error->message, "more than 32 MB (32,000,000 bytes)"));
  g_assert_nonnull (strstr (error->message, "It was not sent"));
  g_clear_error (&error);

  /* Exactly at the limit is still sent. */
  fits = sheaf_template_render_checked ("[{text}]", "T", fits_text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (fits), ==, SHEAF_PROMPT_MAX_SIZE);
  g_assert_false (sheaf_template_check_size (SHEAF_PROMPT_MAX_SIZE + 1, NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/template/basic", test_basic);
  g_test_add_func ("/template/repeated", test_repeated);
  g_test_add_func ("/template/null-values", test_null_values);
  g_test_add_func ("/template/other-braces-untouched", test_other_braces_untouched);
  g_test_add_func ("/template/no-second-expansion", test_no_second_expansion);
  g_test_add_func ("/template/unicode", test_unicode);
  g_test_add_func ("/template/has-text", test_has_text);
  g_test_add_func ("/template/rendered-size", test_rendered_size);
  g_test_add_func ("/template/too-large", test_too_large);
  g_test_add_func ("/template/list-names", test_list_names);
  g_test_add_func ("/template/available-names", test_available_names);

  return g_test_run ();
}
