/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sheaf-preferences-window.h"

G_BEGIN_DECLS

/* For the tests: what a person reads and types in the window. */
const char *_sheaf_preferences_window_get_last_toast (SheafPreferencesWindow *self);
AdwEntryRow *_sheaf_preferences_window_get_key_row (SheafPreferencesWindow *self);
AdwActionRow *_sheaf_preferences_window_get_key_warning_row (SheafPreferencesWindow *self);

G_END_DECLS
