/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The schema keeps the base id in the development flavour too. */
#define SHEAF_SCHEMA_ID "io.github.sheafapp.Sheaf"

#define SHEAF_TYPE_APPLICATION (sheaf_application_get_type ())
G_DECLARE_FINAL_TYPE (SheafApplication, sheaf_application, SHEAF, APPLICATION, AdwApplication)

SheafApplication *sheaf_application_new (void);

G_END_DECLS
