/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sheaf-secret.h"

G_BEGIN_DECLS

/* The keys kept in memory for this session, one slot per provider kind, as
 * the keyring has one item per kind. An empty key is the person's word that
 * there is none. Called from the main thread only. */
const char *_sheaf_secret_session_get (SheafProviderKind kind);
void _sheaf_secret_session_keep (SheafProviderKind kind, const char *key);
void _sheaf_secret_session_forget (SheafProviderKind kind);

/* Overwrites @key before freeing it, so a key does not linger in freed
 * memory; NULL is fine. */
void _sheaf_secret_wipe (char *key);

G_END_DECLS
