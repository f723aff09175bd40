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

G_END_DECLS
