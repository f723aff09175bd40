/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sheaf-provider.h"

G_BEGIN_DECLS

/*
 * API keys live in the keyring (libsecret; the Secret portal in a Flatpak)
 * under the schema "io.github.sheafapp.Sheaf.ApiKey" with the attribute
 * "provider" ("anthropic" / "openai"). Every call is asynchronous so the
 * main loop never waits for the keyring.
 */

/* Tests turn the keyring off: lookups then find nothing, stores do nothing. */
void sheaf_secret_set_enabled (gboolean enabled);

/*
 * A key the keyring cannot take (no Secret Service, a locked collection, a
 * dismissed prompt) is never dropped: it is kept in memory, in the slot of
 * its provider kind, until Sheaf closes or
 * sheaf_secret_forget_session_keys () wipes it, and every lookup finds it
 * before asking the keyring.
 */

void sheaf_secret_lookup_async (SheafProviderKind kind, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
/* The key kept in memory, else the stored one. NULL without an error when
 * no key is stored; NULL with SHEAF_ERROR_KEYRING, whose message is written
 * for the person, when the keyring cannot be read. */
char *sheaf_secret_lookup_finish (GAsyncResult *result, GError **error);

/* Stores @key, or removes the stored key when @key is NULL or empty. When
 * the keyring cannot do it, @key (or "no key") is kept in memory instead
 * and this fails with SHEAF_ERROR_KEYRING, whose message says so in plain
 * words; what the keyring said is only logged. */
void sheaf_secret_store_async (SheafProviderKind kind, const char *key, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
gboolean sheaf_secret_store_finish (GAsyncResult *result, GError **error);

/* Whether the key of @kind lives only in memory, until Sheaf closes. */
gboolean sheaf_secret_has_session_key (SheafProviderKind kind);
/* Wipes the keys kept in memory (at shutdown, and in tests). */
void sheaf_secret_forget_session_keys (void);

/* TRUE for an http(s) URL whose host is this machine. */
gboolean sheaf_secret_is_local_url (const char *url);

/* The key from ANTHROPIC_API_KEY / OPENAI_API_KEY for the provider the
 * settings name, or NULL when that variable is unset or empty. */
const char *sheaf_secret_env_key (GSettings *settings);

/* The provider the settings describe, with @key. Fails with
 * SHEAF_ERROR_CONFIG when @key is empty and the server is not on this
 * machine. */
SheafProvider *sheaf_secret_provider_from_settings (GSettings *settings, const char *key,
                                                    GError **error);

/*
 * The provider the settings describe, with its key: from the environment
 * when ANTHROPIC_API_KEY / OPENAI_API_KEY is set, otherwise from the
 * keyring. Fails with SHEAF_ERROR_CONFIG and a message pointing to
 * Preferences when no key is found and the server is not on this machine.
 */
void sheaf_secret_make_provider_async (GSettings *settings, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
SheafProvider *sheaf_secret_make_provider_finish (GAsyncResult *result, GError **error);

G_END_DECLS
