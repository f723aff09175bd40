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
