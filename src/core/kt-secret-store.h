#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/* Values of the "kind" attribute of a keyring item. */
#define KT_SECRET_KIND_OAUTH "oauth"                 /* an OAuth 2.0 account: token and client secret */
#define KT_SECRET_KIND_BASIC "basic"                 /* a Basic account: client secret */
#define KT_SECRET_KIND_CLIENT_SECRET "client-secret" /* an add-on's client secret from Preferences, keyed by client id only */

#define KT_TYPE_SECRET_STORE (kt_secret_store_get_type ())
G_DECLARE_FINAL_TYPE (KtSecretStore, kt_secret_store, KT, SECRET_STORE, GObject)

/*
 * The keyring, through libsecret's asynchronous API. Items use the schema
 * named after the application id with SECRET_SCHEMA_DONT_MATCH_NAME and
 * the attributes "api-uri", "client-id", "company-id" and "kind", so one
 * company reached through two add-ons or two services gets two items.
 * The client secret from Preferences has only "client-id" and "kind".
 */

/* Returns the keyring schema; the struct is static. */
const SecretSchema *kt_secret_store_get_schema        (void);

/* Returns new attributes for one item, for the libsecret calls; the
 * caller owns the table. @company_id is 0 for a client secret. */
GHashTable         *kt_secret_store_new_attributes    (const char          *kind,
                                                       const char          *api_uri,
                                                       const char          *client_id,
                                                       gint64               company_id);

/* Returns new attributes for the client secret that Preferences keeps
 * for the add-on @client_id, or that match every such item when
 * @client_id is NULL; the caller owns the table. The API URI is left
 * out, so changing the service addresses keeps the secret. As a search,
 * the table also matches items saved with an "api-uri" attribute. */
GHashTable         *kt_secret_store_new_client_secret_attributes (const char *client_id);

/* Returns a new store for the session's Secret Service; the caller owns it. */
KtSecretStore      *kt_secret_store_new               (void);

/* Check whether secrets can be kept: a Secret Service responds and its
 * default collection exists and is unlocked (which may show an unlock
 * prompt), or inside Flatpak the Secret portal works. The finish function
 * returns FALSE with a KT_ERROR_NO_KEYRING error whose message gives the
 * reason. */
void                kt_secret_store_check_async       (KtSecretStore       *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            kt_secret_store_check_finish      (KtSecretStore       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* Store @secret (text) under @attributes in the default collection,
 * replacing an item with the same attributes. */
void                kt_secret_store_save_async        (KtSecretStore       *self,
                                                       GHashTable          *attributes,
                                                       const char          *label,
                                                       const char          *secret,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            kt_secret_store_save_finish       (KtSecretStore       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* Look up the secret stored under @attributes. */
void                kt_secret_store_lookup_async      (KtSecretStore       *self,
                                                       GHashTable          *attributes,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
/* Returns the secret, or NULL without an error when no item matches. The
 * caller owns the string and should free it with kt_secret_store_free_secret(). */
char               *kt_secret_store_lookup_finish     (KtSecretStore       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* Delete the items stored under @attributes. Deleting nothing succeeds. */
void                kt_secret_store_delete_async      (KtSecretStore       *self,
                                                       GHashTable          *attributes,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            kt_secret_store_delete_finish     (KtSecretStore       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* Overwrite and free a secret string; NULL is allowed. */
void                kt_secret_store_free_secret       (char                *secret);

G_END_DECLS
