/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sheaf-application.h"

G_BEGIN_DECLS

#define SHEAF_TYPE_WINDOW (sheaf_window_get_type ())
G_DECLARE_FINAL_TYPE (SheafWindow, sheaf_window, SHEAF, WINDOW, AdwApplicationWindow)

SheafWindow *sheaf_window_new (SheafApplication *application);

/* Reads each file as one item, in the background; a file that cannot be
 * used is named in a toast and the others still come in. */
void sheaf_window_add_files (SheafWindow *self, GFile **files, guint n_files);

G_END_DECLS
