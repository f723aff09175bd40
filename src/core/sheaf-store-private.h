/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sheaf-store.h"

G_BEGIN_DECLS

/* Tests only: runs @sql on the store's connection, e.g. to make the next
 * writes fail as on a full disk (PRAGMA max_page_count) or a read-only one
 * (PRAGMA query_only). Returns the SQLite result code. */
int _sheaf_store_exec (SheafStore *self, const char *sql);

G_END_DECLS
