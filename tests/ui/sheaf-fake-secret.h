/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * A fake Secret Service (org.freedesktop.Secret.Service) on the session bus
 * of the test, just enough of it for libsecret's password calls: a "plain"
 * session, one collection (the default alias), one item per "provider"
 * attribute, kept in memory. Point libsecret at it by setting
 * SECRET_SERVICE_BUS_NAME to the same @bus_name before libsecret is first
 * used. It answers in the thread-default main context of whoever made it.
 *
 *   ABSENT  the name has no owner: calls fail as with no keyring at all
 *           ("The name … was not provided by any .service files")
 *   REFUSE  every call fails with org.freedesktop.Secret.Error.IsLocked
 *   WORK    stores, finds, returns and deletes secrets
 *
 * Changing the mode drops libsecret's cached connection to the service,
 * so the next call sees the new one.
 */
typedef enum
{
  SHEAF_FAKE_SECRET_ABSENT,
  SHEAF_FAKE_SECRET_REFUSE,
  SHEAF_FAKE_SECRET_WORK,
} SheafFakeSecretMode;

typedef struct _SheafFakeSecret SheafFakeSecret;

/* Starts ABSENT. */
SheafFakeSecret *sheaf_fake_secret_new (const char *bus_name, GError **error);
void sheaf_fake_secret_free (SheafFakeSecret *self);
void sheaf_fake_secret_set_mode (SheafFakeSecret *self, SheafFakeSecretMode mode);
/* The secret stored for @provider, or NULL. */
const char *sheaf_fake_secret_get_stored (SheafFakeSecret *self, const char *provider);
/* Method calls it answered (refusals included). */
guint sheaf_fake_secret_get_n_calls (SheafFakeSecret *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SheafFakeSecret, sheaf_fake_secret_free)

G_END_DECLS
