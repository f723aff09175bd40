/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SHEAF_TYPE_PREFERENCES_WINDOW (sheaf_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (SheafPreferencesWindow, sheaf_preferences_window, SHEAF, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

SheafPreferencesWindow *sheaf_preferences_window_new (GtkWindow *parent);

G_END_DECLS
