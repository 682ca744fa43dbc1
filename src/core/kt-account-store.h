#pragma once

#include <gio/gio.h>

#include "kt-account.h"
#include "kt-client.h"

G_BEGIN_DECLS

#define KT_TYPE_ACCOUNT_STORE (kt_account_store_get_type ())
G_DECLARE_FINAL_TYPE (KtAccountStore, kt_account_store, KT, ACCOUNT_STORE, GObject)

/*
 * The signed-in accounts, a GListModel of KtAccount. Non-secret data is
 * kept in a file under the XDG config dir. Secrets go to the keyring
 * (libsecret, async), or are kept for this session only when there is no
 * usable keyring.
 *
 * Properties: "keyring-available" (gboolean), "keyring-message"
 * (string: why secrets are kept for this session only, or NULL),
 * "loaded" (gboolean: the first load has completed), "busy" (gboolean: a
 * write to the keyring or the accounts file is still running).
 *
 * Demo accounts are kept in memory only, never in the file or keyring.
 */
KtAccountStore *kt_account_store_new               (KtClient        *client);
gboolean        kt_account_store_get_keyring_available (KtAccountStore *self);
const char     *kt_account_store_get_keyring_message   (KtAccountStore *self);
gboolean        kt_account_store_get_loaded        (KtAccountStore  *self);
gboolean        kt_account_store_get_busy          (KtAccountStore  *self);
const char     *kt_account_store_get_path          (KtAccountStore  *self);

/* Read the saved accounts and their secrets. */
void            kt_account_store_load_async        (KtAccountStore     *self,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
gboolean        kt_account_store_load_finish       (KtAccountStore     *self,
                                                    GAsyncResult       *result,
                                                    GError            **error);

/* Save @account (replacing one for the same API, client and company) and
 * add it to the list. */
void            kt_account_store_add_async         (KtAccountStore     *self,
                                                    KtAccount          *account,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
gboolean        kt_account_store_add_finish        (KtAccountStore     *self,
                                                    GAsyncResult       *result,
                                                    GError            **error);

/* Revoke the refresh token at the server, delete the keyring items and
 * forget the account. The local removal happens even when the revoke
 * fails; then the finish function returns FALSE with the revoke's error. */
void            kt_account_store_sign_out_async    (KtAccountStore     *self,
                                                    KtAccount          *account,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
gboolean        kt_account_store_sign_out_finish   (KtAccountStore     *self,
                                                    GAsyncResult       *result,
                                                    GError            **error);

/* Keep the client secret of an OAuth 2.0 add-on (from Preferences) in
 * the keyring, or for this session when there is none. The secret is
 * keyed by @client_id only, so it survives changes of the service URIs,
 * and it replaces every client secret kept before. */
void            kt_account_store_save_client_secret_async    (KtAccountStore     *self,
                                                              const char         *client_id,
                                                              const char         *secret,
                                                              GCancellable       *cancellable,
                                                              GAsyncReadyCallback callback,
                                                              gpointer            user_data);
gboolean        kt_account_store_save_client_secret_finish   (KtAccountStore     *self,
                                                              GAsyncResult       *result,
                                                              GError            **error);
void            kt_account_store_lookup_client_secret_async  (KtAccountStore     *self,
                                                              const char         *client_id,
                                                              GCancellable       *cancellable,
                                                              GAsyncReadyCallback callback,
                                                              gpointer            user_data);
char           *kt_account_store_lookup_client_secret_finish (KtAccountStore     *self,
                                                              GAsyncResult       *result,
                                                              GError            **error);
/* Forget the client secret of @client_id, such as when Preferences
 * switches to another add-on. Deleting nothing succeeds. */
void            kt_account_store_delete_client_secret_async  (KtAccountStore     *self,
                                                              const char         *client_id,
                                                              GCancellable       *cancellable,
                                                              GAsyncReadyCallback callback,
                                                              gpointer            user_data);
gboolean        kt_account_store_delete_client_secret_finish (KtAccountStore     *self,
                                                              GAsyncResult       *result,
                                                              GError            **error);

G_END_DECLS
