/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fake-secret"

#include "config.h"

#include "sheaf-fake-secret.h"

#include <libsecret/secret.h>

#define SERVICE_PATH    "/org/freedesktop/secrets"
#define COLLECTION_PATH "/org/freedesktop/secrets/aliases/default"
#define ITEM_PREFIX     "/org/freedesktop/secrets/collection/test/"
#define SESSION_PATH    "/org/freedesktop/secrets/session/plain"

static const char *const item_providers[] = { "anthropic", "openai" };

static const char introspection_xml[] =
  "<node>"
  " <interface name='org.freedesktop.Secret.Service'>"
  "  <method name='OpenSession'>"
  "   <arg type='s' direction='in'/><arg type='v' direction='in'/>"
  "   <arg type='v' direction='out'/><arg type='o' direction='out'/>"
  "  </method>"
  "  <method name='SearchItems'>"
  "   <arg type='a{ss}' direction='in'/>"
  "   <arg type='ao' direction='out'/><arg type='ao' direction='out'/>"
  "  </method>"
  "  <method name='GetSecrets'>"
  "   <arg type='ao' direction='in'/><arg type='o' direction='in'/>"
  "   <arg type='a{o(oayays)}' direction='out'/>"
  "  </method>"
  "  <method name='Unlock'>"
  "   <arg type='ao' direction='in'/>"
  "   <arg type='ao' direction='out'/><arg type='o' direction='out'/>"
  "  </method>"
  "  <method name='ReadAlias'>"
  "   <arg type='s' direction='in'/><arg type='o' direction='out'/>"
  "  </method>"
  "  <property name='Collections' type='ao' access='read'/>"
  " </interface>"
  " <interface name='org.freedesktop.Secret.Collection'>"
  "  <method name='CreateItem'>"
  "   <arg type='a{sv}' direction='in'/><arg type='(oayays)' direction='in'/>"
  "   <arg type='b' direction='in'/>"
  "   <arg type='o' direction='out'/><arg type='o' direction='out'/>"
  "  </method>"
  "  <method name='SearchItems'>"
  "   <arg type='a{ss}' direction='in'/><arg type='ao' direction='out'/>"
  "  </method>"
  "  <property name='Label' type='s' access='read'/>"
  "  <property name='Locked' type='b' access='read'/>"
  " </interface>"
  " <interface name='org.freedesktop.Secret.Item'>"
  "  <method name='Delete'><arg type='o' direction='out'/></method>"
  "  <property name='Label' type='s' access='read'/>"
  "  <property name='Locked' type='b' access='read'/>"
  " </interface>"
  "</node>";

struct _SheafFakeSecret
{
  GDBusConnection *connection;
  GDBusNodeInfo *info;
  char *bus_name;
  GArray *registrations;
  GHashTable *secrets; /* provider → secret */
  SheafFakeSecretMode mode;
  guint n_calls;
};

static char *
item_path (const char *provider)
{
  return g_strconcat (ITEM_PREFIX, provider, NULL);
}

/* The stored items whose "provider" attribute @attributes names (a{ss}). */
static GVariant *
matching_items (SheafFakeSecret *self, GVariant *attributes)
{
  const char *provider = NULL;
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("ao"));
  g_variant_lookup (attributes, "provider", "&s", &provider);
  if (provider != NULL && g_hash_table_contains (self->secrets, provider))
    {
      g_autofree char *path = item_path (provider);
      g_variant_builder_add (&builder, "o", path);
    }
  return g_variant_builder_end (&builder);
}

static void
open_session (GDBusMethodInvocation *invocation, GVariant *parameters)
{
  const char *algorithm;

  g_variant_get (parameters, "(&sv)", &algorithm, NULL);
  /* libsecret asks for an encrypted session first and falls back to plain. */
  if (!g_str_equal (algorithm, "plain"))
    {
      g_dbus_method_invocation_return_dbus_error (
        invocation, "org.freedesktop.DBus.Error.NotSupported", "Only plain sessions here");
      return;
    }
  g_dbus_method_invocation_return_value (
    invocation, g_variant_new ("(vo)", g_variant_new_string (""), SESSION_PATH));
}

static void
get_secrets (SheafFakeSecret *self, GDBusMethodInvocation *invocation, GVariant *parameters)
{
  g_autoptr (GVariantIter) paths = NULL;
  GVariantBuilder builder;
  const char *path;

  g_variant_get (parameters, "(ao&o)", &paths, NULL);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{o(oayays)}"));
  while (g_variant_iter_next (paths, "&o", &path))
    {
      const char *secret = g_hash_table_lookup (self->secrets, path + strlen (ITEM_PREFIX));

      if (!g_str_has_prefix (path, ITEM_PREFIX) || secret == NULL)
        continue;
      g_variant_builder_add (
        &builder, "{o(o@ay@ays)}", path, SESSION_PATH,
        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "", 0, 1),
        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, secret, strlen (secret), 1), "text/plain");
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a{o(oayays)})", &builder));
}

static void
create_item (SheafFakeSecret *self, GDBusMethodInvocation *invocation, GVariant *parameters)
{
  g_autoptr (GVariant) properties = NULL;
  g_autoptr (GVariant) attributes = NULL;
  g_autoptr (GVariant) value = NULL;
  g_autofree char *path = NULL;
  const char *provider = NULL;
  gsize length;
  const char *bytes;

  g_variant_get (parameters, "(@a{sv}(o@ay@ays)b)", &properties, NULL, NULL, &value, NULL, NULL);
  attributes = g_variant_lookup_value (properties, "org.freedesktop.Secret.Item.Attributes",
                                       G_VARIANT_TYPE ("a{ss}"));
  if (attributes == NULL || !g_variant_lookup (attributes, "provider", "&s", &provider))
    {
      g_dbus_method_invocation_return_dbus_error (
        invocation, "org.freedesktop.DBus.Error.InvalidArgs", "No provider attribute");
      return;
    }
  bytes = g_variant_get_fixed_array (value, &length, 1);
  g_hash_table_insert (self->secrets, g_strdup (provider), g_strndup (bytes, length));
  path = item_path (provider);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(oo)", path, "/"));
}

static void
delete_item (SheafFakeSecret *self, GDBusMethodInvocation *invocation, const char *object_path)
{
  g_hash_table_remove (self->secrets, object_path + strlen (ITEM_PREFIX));
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", "/"));
}

/* Nothing here is ever locked. */
static GVariant *
unlock_reply (GVariant *parameters)
{
  g_autoptr (GVariant) paths = NULL;

  g_variant_get (parameters, "(@ao)", &paths);
  return g_variant_new ("(@ao@o)", paths, g_variant_new_object_path ("/"));
}

static void
method_call (GDBusConnection *connection, const char *sender, const char *object_path,
             const char *interface_name, const char *method_name, GVariant *parameters,
             GDBusMethodInvocation *invocation, gpointer user_data)
{
  SheafFakeSecret *self = user_data;
  g_autoptr (GVariant) attributes = NULL;

  self->n_calls++;
  if (self->mode == SHEAF_FAKE_SECRET_REFUSE)
    g_dbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.Secret.Error.IsLocked",
                                                "The collection org.freedesktop.secrets is locked");
  else if (g_str_equal (method_name, "OpenSession"))
    open_session (invocation, parameters);
  else if (g_str_equal (method_name, "SearchItems"))
    {
      g_variant_get (parameters, "(@a{ss})", &attributes);
      g_dbus_method_invocation_return_value (
        invocation, g_str_equal (interface_name, "org.freedesktop.Secret.Service")
                      ? g_variant_new ("(@ao@ao)", matching_items (self, attributes),
                                       g_variant_new_objv (NULL, 0))
                      : g_variant_new ("(@ao)", matching_items (self, attributes)));
    }
  else if (g_str_equal (method_name, "GetSecrets"))
    get_secrets (self, invocation, parameters);
  else if (g_str_equal (method_name, "Unlock"))
    g_dbus_method_invocation_return_value (invocation, unlock_reply (parameters));
  else if (g_str_equal (method_name, "ReadAlias"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", COLLECTION_PATH));
  else if (g_str_equal (method_name, "CreateItem"))
    create_item (self, invocation, parameters);
  else
    delete_item (self, invocation, object_path);
}

static GVariant *
get_property (GDBusConnection *connection, const char *sender, const char *object_path,
              const char *interface_name, const char *property_name, GError **error,
              gpointer user_data)
{
  const char *collections[] = { COLLECTION_PATH };

  if (g_str_equal (property_name, "Collections"))
    return g_variant_new_objv (collections, 1);
  if (g_str_equal (property_name, "Locked"))
    return g_variant_new_boolean (FALSE);
  return g_variant_new_string ("Test");
}

static const GDBusInterfaceVTable vtable = { method_call, get_property, NULL, { 0 } };

static gboolean
register_object (SheafFakeSecret *self, const char *path, const char *interface_name,
                 GError **error)
{
  GDBusInterfaceInfo *interface = g_dbus_node_info_lookup_interface (self->info, interface_name);
  guint id = g_dbus_connection_register_object (self->connection, path, interface, &vtable, self,
                                                NULL, error);

  if (id == 0)
    return FALSE;
  g_array_append_val (self->registrations, id);
  return TRUE;
}

static gboolean
register_objects (SheafFakeSecret *self, GError **error)
{
  if (!register_object (self, SERVICE_PATH, "org.freedesktop.Secret.Service", error) ||
      !register_object (self, COLLECTION_PATH, "org.freedesktop.Secret.Collection", error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (item_providers); i++)
    {
      g_autofree char *path = item_path (item_providers[i]);
      if (!register_object (self, path, "org.freedesktop.Secret.Item", error))
        return FALSE;
    }
  return TRUE;
}

/* Its own connection, so that owning the name and answering never
 * depend on the one libsecret uses. */
static GDBusConnection *
private_session_bus (GError **error)
{
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, error);

  if (address == NULL)
    return NULL;
  return g_dbus_connection_new_for_address_sync (address,
                                                 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, error);
}

SheafFakeSecret *
sheaf_fake_secret_new (const char *bus_name, GError **error)
{
  g_autoptr (SheafFakeSecret) self = g_new0 (SheafFakeSecret, 1);

  self->bus_name = g_strdup (bus_name);
  self->registrations = g_array_new (FALSE, FALSE, sizeof (guint));
  self->secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->info = g_dbus_node_info_new_for_xml (introspection_xml, error);
  if (self->info == NULL)
    return NULL;
  self->connection = private_session_bus (error);
  if (self->connection == NULL || !register_objects (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
sheaf_fake_secret_free (SheafFakeSecret *self)
{
  sheaf_fake_secret_set_mode (self, SHEAF_FAKE_SECRET_ABSENT);
  for (guint i = 0; self->connection != NULL && i < self->registrations->len; i++)
    g_dbus_connection_unregister_object (self->connection,
                                         g_array_index (self->registrations, guint, i));
  if (self->connection != NULL)
    g_dbus_connection_close_sync (self->connection, NULL, NULL);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->info, g_dbus_node_info_unref);
  g_array_unref (self->registrations);
  g_hash_table_unref (self->secrets);
  g_free (self->bus_name);
  g_free (self);
}

/* RequestName or ReleaseName on the bus, answered before it returns. */
static void
call_bus (SheafFakeSecret *self, const char *method, GVariant *parameters)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
    self->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
    method, parameters, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

  g_assert_no_error (error);
}

void
sheaf_fake_secret_set_mode (SheafFakeSecret *self, SheafFakeSecretMode mode)
{
  gboolean owned = self->mode != SHEAF_FAKE_SECRET_ABSENT;
  gboolean own = mode != SHEAF_FAKE_SECRET_ABSENT;

  if (self->connection != NULL && own && !owned)
    call_bus (self, "RequestName", g_variant_new ("(su)", self->bus_name, 4u /* DO_NOT_QUEUE */));
  else if (self->connection != NULL && owned && !own)
    call_bus (self, "ReleaseName", g_variant_new ("(s)", self->bus_name));
  self->mode = mode;
  secret_service_disconnect ();
}

const char *
sheaf_fake_secret_get_stored (SheafFakeSecret *self, const char *provider)
{
  return g_hash_table_lookup (self->secrets, provider);
}

guint
sheaf_fake_secret_get_n_calls (SheafFakeSecret *self)
{
  return self->n_calls;
}
