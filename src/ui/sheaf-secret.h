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

void sheaf_secret_lookup_async (SheafProviderKind kind, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
/* The stored key, or NULL (also when the keyring cannot be reached). */
char *sheaf_secret_lookup_finish (GAsyncResult *result);

/* Stores @key, or removes the stored key when @key is NULL or empty. */
void sheaf_secret_store_async (SheafProviderKind kind, const char *key, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
gboolean sheaf_secret_store_finish (GAsyncResult *result, GError **error);

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
