#define G_LOG_DOMAIN "kt-secret-store"

#include "config.h"

#include <string.h>

#include "kt-error.h"
#include "kt-secret-store.h"

struct _KtSecretStore
{
  GObject parent_instance;

  SecretService *service;
};

G_DEFINE_FINAL_TYPE (KtSecretStore, kt_secret_store, G_TYPE_OBJECT)

static void
no_keyring_error (GTask      *task,
                  const char *reason)
{
  g_task_return_new_error (task, KT_ERROR, KT_ERROR_NO_KEYRING, "%s", reason);
}

static void
on_unlock_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *unlocked = NULL;
  int count;

  count = secret_service_unlock_finish (SECRET_SERVICE (source), result, &unlocked, &error);
  g_list_free_full (unlocked, g_object_unref);

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (error != NULL)
    {
      g_autofree char *reason = g_strdup_printf ("The keyring is locked and unlocking it failed: %s",
                                                 error->message);

      g_message ("Unlocking the default keyring failed: %s", error->message);
      no_keyring_error (task, reason);
      return;
    }

  if (count == 0)
    {
      no_keyring_error (task, "The keyring is locked and was not unlocked");
      return;
    }

  g_debug ("Unlocked the default keyring");
  g_task_return_boolean (task, TRUE);
}

static void
on_default_collection_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtSecretStore *self = g_task_get_source_object (task);
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  GList *objects;

  collection = secret_collection_for_alias_finish (result, &error);

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (error != NULL)
    {
      g_autofree char *reason = g_strdup_printf ("The default keyring could not be read: %s",
                                                 error->message);

      no_keyring_error (task, reason);
      return;
    }

  /* Creating a default collection would ask the user for a new keyring
   * password. That is the keyring manager's job, not Kounter's. */
  if (collection == NULL)
    {
      no_keyring_error (task, "There is no default keyring");
      return;
    }

  if (!secret_collection_get_locked (collection))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* NOTE: no test covers this prompt, because gcr-prompter under the
   * test wrapper shows a dialog that nothing answers. */
  g_debug ("The default keyring is locked; asking to unlock it");
  objects = g_list_append (NULL, collection);
  cancellable = g_task_get_cancellable (task);
  secret_service_unlock (self->service, objects, cancellable,
                         on_unlock_cb, g_steal_pointer (&task));
  g_list_free (objects);
}

static void
on_service_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtSecretStore *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  g_clear_object (&self->service);
  self->service = secret_service_get_finish (result, &error);

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->service == NULL)
    {
      g_autofree char *reason = g_strdup_printf ("No Secret Service is running: %s",
                                                 error ? error->message : "unknown error");

      no_keyring_error (task, reason);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  secret_collection_for_alias (self->service, SECRET_COLLECTION_DEFAULT,
                               SECRET_COLLECTION_NONE, cancellable,
                               on_default_collection_cb, g_steal_pointer (&task));
}

static void
on_probe_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *found;

  found = secret_password_lookup_finish (result, &error);
  secret_password_free (found);

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (error != NULL)
    {
      g_autofree char *reason = g_strdup_printf ("The keyring portal is not available: %s",
                                                 error->message);

      no_keyring_error (task, reason);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
on_save_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_lookup_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *found;
  char *secret;

  found = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* libsecret may hand out non-pageable memory that only
   * secret_password_free() releases; callers get plain memory. */
  secret = g_strdup (found);
  secret_password_free (found);
  g_task_return_pointer (task, secret, (GDestroyNotify) kt_secret_store_free_secret);
}

static void
on_delete_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* secret_password_clear_finish() returns FALSE without an error when
   * nothing matched, which is a success here. */
  secret_password_clear_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
kt_secret_store_finalize (GObject *object)
{
  KtSecretStore *self = KT_SECRET_STORE (object);

  g_clear_object (&self->service);

  G_OBJECT_CLASS (kt_secret_store_parent_class)->finalize (object);
}

static void
kt_secret_store_class_init (KtSecretStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kt_secret_store_finalize;
}

static void
kt_secret_store_init (KtSecretStore *self)
{
}

/* Returns the keyring schema; the struct is static. */
const SecretSchema *
kt_secret_store_get_schema (void)
{
  static const SecretSchema schema = {
    APPLICATION_ID, SECRET_SCHEMA_DONT_MATCH_NAME,
    {
      { "api-uri", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "client-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      /* A string, because libsecret's integers have 32 bits and company
       * ids may not fit. */
      { "company-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

/* Returns new attributes for one keyring item; the caller owns the table. */
GHashTable *
kt_secret_store_new_attributes (const char *kind,
                                const char *api_uri,
                                const char *client_id,
                                gint64      company_id)
{
  GHashTable *attributes;

  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (api_uri != NULL, NULL);
  g_return_val_if_fail (client_id != NULL, NULL);

  attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (attributes, (gpointer) "api-uri", g_strdup (api_uri));
  g_hash_table_insert (attributes, (gpointer) "client-id", g_strdup (client_id));
  g_hash_table_insert (attributes, (gpointer) "company-id",
                       g_strdup_printf ("%" G_GINT64_FORMAT, company_id));
  g_hash_table_insert (attributes, (gpointer) "kind", g_strdup (kind));

  return attributes;
}

/* Returns new attributes for an add-on's client secret from Preferences,
 * or for all of them when @client_id is NULL; the caller owns the table. */
GHashTable *
kt_secret_store_new_client_secret_attributes (const char *client_id)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (gpointer) "kind", g_strdup (KT_SECRET_KIND_CLIENT_SECRET));
  if (client_id != NULL)
    g_hash_table_insert (attributes, (gpointer) "client-id", g_strdup (client_id));

  return attributes;
}

/* Returns a new secret store; the caller owns it. */
KtSecretStore *
kt_secret_store_new (void)
{
  return g_object_new (KT_TYPE_SECRET_STORE, NULL);
}

/* Checks for a Secret Service with an unlocked default collection; may
 * show an unlock prompt. */
void
kt_secret_store_check_async (KtSecretStore       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_SECRET_STORE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_secret_store_check_async);

  /* Inside Flatpak, libsecret keeps items in a file encrypted with a key
   * from the Secret portal, and the Secret Service itself is out of
   * reach. A lookup that matches nothing shows whether that works.
   * NOTE: this branch is not covered by tests, which run outside Flatpak. */
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_autoptr(GHashTable) attributes = kt_secret_store_new_attributes ("probe", "", "", 0);

      secret_password_lookupv (kt_secret_store_get_schema (), attributes, cancellable,
                               on_probe_cb, g_steal_pointer (&task));
      return;
    }

  secret_service_get (SECRET_SERVICE_OPEN_SESSION | SECRET_SERVICE_LOAD_COLLECTIONS,
                      cancellable, on_service_cb, g_steal_pointer (&task));
}

/* Returns TRUE when secrets can be stored; otherwise FALSE and @error. */
gboolean
kt_secret_store_check_finish (KtSecretStore  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (KT_IS_SECRET_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Stores @secret under @attributes in the default collection, replacing
 * an item with the same attributes. */
void
kt_secret_store_save_async (KtSecretStore       *self,
                            GHashTable          *attributes,
                            const char          *label,
                            const char          *secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_SECRET_STORE (self));
  g_return_if_fail (attributes != NULL);
  g_return_if_fail (label != NULL);
  g_return_if_fail (secret != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_secret_store_save_async);

  secret_password_storev (kt_secret_store_get_schema (), attributes,
                          SECRET_COLLECTION_DEFAULT, label, secret, cancellable,
                          on_save_cb, g_steal_pointer (&task));
}

/* Returns TRUE when the secret was stored; otherwise FALSE and @error. */
gboolean
kt_secret_store_save_finish (KtSecretStore  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (KT_IS_SECRET_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Looks up the secret stored under @attributes. */
void
kt_secret_store_lookup_async (KtSecretStore       *self,
                              GHashTable          *attributes,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_SECRET_STORE (self));
  g_return_if_fail (attributes != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_secret_store_lookup_async);

  secret_password_lookupv (kt_secret_store_get_schema (), attributes, cancellable,
                           on_lookup_cb, g_steal_pointer (&task));
}

/* Returns the secret or NULL when none matched; the caller owns it and
 * frees it with kt_secret_store_free_secret(). */
char *
kt_secret_store_lookup_finish (KtSecretStore  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (KT_IS_SECRET_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Deletes every item stored under @attributes. */
void
kt_secret_store_delete_async (KtSecretStore       *self,
                              GHashTable          *attributes,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_SECRET_STORE (self));
  g_return_if_fail (attributes != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_secret_store_delete_async);

  secret_password_clearv (kt_secret_store_get_schema (), attributes, cancellable,
                          on_delete_cb, g_steal_pointer (&task));
}

/* Returns TRUE when no matching item is left; otherwise FALSE and @error. */
gboolean
kt_secret_store_delete_finish (KtSecretStore  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (KT_IS_SECRET_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Overwrites @secret with zeros and frees it. */
void
kt_secret_store_free_secret (char *secret)
{
  if (secret == NULL)
    return;

  secret_password_wipe (secret);
  g_free (secret);
}
