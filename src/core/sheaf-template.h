/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SHEAF_DEFAULT_TEMPLATE "{text}"

/*
 * Replaces every "{text}" and "{title}" in @template. Any other braces stay
 * as they are, so prompts that show JSON examples survive untouched.
 */
char *sheaf_template_render (const char *template_, const char *title, const char *text);

/* The most bytes one rendered prompt may have: 32 MB, 32,000,000 bytes
 * (decimal), the request limit of the providers' own APIs. */
#define SHEAF_PROMPT_MAX_SIZE 32000000

/* The size in bytes sheaf_template_render() would return, computed from
 * the template's parts without rendering (G_MAXSIZE if it overflows). */
gsize sheaf_template_rendered_size (const char *template_, const char *title, const char *text);
/* Fails with SHEAF_ERROR_TOO_LARGE, a message that names the limit, when
 * @size is above SHEAF_PROMPT_MAX_SIZE. */
gboolean sheaf_template_check_size (gsize size, GError **error);
/* sheaf_template_render(), unless the prompt would be larger than
 * SHEAF_PROMPT_MAX_SIZE: then NULL and that error, nothing rendered. */
char *sheaf_template_render_checked (const char *template_, const char *title, const char *text,
                                     GError **error);
gboolean sheaf_template_has_text (const char *template_);

/*
 * The names of the "{name}" placeholders in @template, without braces, each
 * once, in the order they first appear. A name is what stands between "{"
 * and the next "}" when it is not empty, does not start or end with a space
 * and holds no brace, quote or line break, so JSON examples are not taken
 * for placeholders.
 */
GStrv sheaf_template_list_names (const char *template_);
/* The names the inputs provide today: "text" and "title". */
const char *const *sheaf_template_available_names (void);

G_END_DECLS
