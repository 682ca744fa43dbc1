/* Tests of KtAccountStore and KtSecretStore against a real gnome-keyring.
 * Run through tests/kt-test-env. KT_TEST_KEYRING (set by the wrapper)
 * is "unlocked", "locked" or "none". */
#define G_LOG_DOMAIN "test-account-store"

#include "config.h"

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "core/kt-account-store.h"
#include "core/kt-error.h"
#include "core/kt-secret-store.h"
#include "sandbox/kt-sandbox.h"

/* Seconds any single asynchronous step may take before the test fails. */
#define WAIT_SECONDS 30

static gboolean
on_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@result is set or WAIT_SECONDS pass. */
static void
wait_for_result (GAsyncResult **result,
                 const char    *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (WAIT_SECONDS, on_timeout_cb, &timed_out);

  while (*result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("Timed out after %d s waiting for %s", WAIT_SECONDS, what);

  g_source_remove (timeout_id);
}

static void
on_result_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static KtAccountStore *
new_loaded_store (KtClient *client)
{
  KtAccountStore *store = kt_account_store_new (client);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  kt_account_store_load_async (store, NULL, on_result_cb, &result);
  wait_for_result (&result, "the account store to load");
  g_assert_true (kt_account_store_load_finish (store, result, &error));
  g_assert_no_error (error);

  return store;
}

static gboolean
add_account (KtAccountStore *store,
             KtAccount      *account,
             GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kt_account_store_add_async (store, account, NULL, on_result_cb, &result);
  wait_for_result (&result, "an account to be added");

  return kt_account_store_add_finish (store, result, error);
}

static gboolean
sign_out (KtAccountStore *store,
          KtAccount      *account,
          GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kt_account_store_sign_out_async (store, account, NULL, on_result_cb, &result);
  wait_for_result (&result, "a sign-out");

  return kt_account_store_sign_out_finish (store, result, error);
}

static KtAccount *
new_account (KtAuthKind  kind,
             const char *api_uri,
             const char *client_id,
             const char *client_secret,
             gint64      company_id,
             const char *refresh_token)
{
  g_autoptr(KtOAuthConfig) config = kt_oauth_config_new ();
  KtAccount *account;

  config->client_id = g_strdup (client_id);
  config->client_secret = g_strdup (client_secret);
  config->api_uri = g_strdup (api_uri);
  config->redirect_uri = g_strdup ("http://127.0.0.1/kounter/callback");
  config->authorize_uri = g_strdup ("http://127.0.0.1:1/authorize");
  config->token_uri = g_strdup ("http://127.0.0.1:1/v1/token.json");
  /* Port 1 on loopback refuses connections: a revoke there fails fast. */
  config->revoke_uri = g_strdup ("http://127.0.0.1:1/v1/revoke.json");

  account = kt_account_new (kind, config);
  kt_account_set_company_id (account, company_id);
  kt_account_set_company_name (account, "Harbour Espresso");

  if (refresh_token != NULL)
    {
      g_autoptr(KtToken) token = kt_token_new ();

      token->access_token = g_strconcat ("access-for-", refresh_token, NULL);
      token->refresh_token = g_strdup (refresh_token);
      token->token_type = g_strdup ("bearer");
      token->expires_at = g_get_real_time () + (gint64) 3600 * G_USEC_PER_SEC;
      kt_account_set_token (account, token);
    }

  return account;
}

/* The keyring item's secret for these attributes, or NULL. */
static char *
keyring_lookup (const char *kind,
                const char *api_uri,
                const char *client_id,
                gint64      company_id)
{
  g_autoptr(GHashTable) attributes = kt_secret_store_new_attributes (kind, api_uri, client_id, company_id);
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookupv_sync (kt_secret_store_get_schema (), attributes, NULL, &error);

  /* Under kt-test-env --keyring=none there is no Secret Service to ask,
   * so nothing can have been stored. */
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN))
    return NULL;
  g_assert_no_error (error);

  return secret;
}

static char *
read_accounts_file (KtAccountStore *store)
{
  char *contents = NULL;

  if (!g_file_get_contents (kt_account_store_get_path (store), &contents, NULL, NULL))
    return g_strdup ("");

  return contents;
}

static void
remove_accounts (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "kounter", "accounts.json", NULL);
  const char *kinds[] = { KT_SECRET_KIND_OAUTH, KT_SECRET_KIND_BASIC, KT_SECRET_KIND_CLIENT_SECRET };

  g_unlink (path);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

      g_hash_table_insert (attributes, (gpointer) "kind", (gpointer) kinds[i]);
      secret_password_clearv_sync (kt_secret_store_get_schema (), attributes, NULL, NULL);
    }
}

static gboolean
keyring_unlocked (void)
{
  return g_strcmp0 (g_getenv ("KT_TEST_KEYRING"), "unlocked") == 0;
}

static void
test_add_and_reload (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(KtAccountStore) reloaded = NULL;
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(KtAccount) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *file = NULL;
  const KtToken *token;
  gint64 expires_at;

  remove_accounts ();
  store = new_loaded_store (client);
  g_assert_true (kt_account_store_get_keyring_available (store));
  g_assert_null (kt_account_store_get_keyring_message (store));
  g_assert_true (kt_account_store_get_loaded (store));

  account = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a",
                         "secret-a-1234", 5678, "refresh-a-1234");
  expires_at = kt_account_get_token (account)->expires_at;
  g_assert_true (add_account (store, account, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  secret = keyring_lookup (KT_SECRET_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", 5678);
  g_assert_nonnull (secret);
  g_assert_nonnull (strstr (secret, "refresh-a-1234"));
  g_assert_nonnull (strstr (secret, "secret-a-1234"));

  file = read_accounts_file (store);
  g_assert_nonnull (strstr (file, "Harbour Espresso"));
  g_assert_null (strstr (file, "refresh-a-1234"));
  g_assert_null (strstr (file, "access-for-refresh-a-1234"));
  g_assert_null (strstr (file, "secret-a-1234"));

  reloaded = new_loaded_store (client);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 1);
  loaded = g_list_model_get_item (G_LIST_MODEL (reloaded), 0);
  g_assert_cmpint (kt_account_get_company_id (loaded), ==, 5678);
  g_assert_cmpstr (kt_account_get_company_name (loaded), ==, "Harbour Espresso");
  g_assert_cmpint (kt_account_get_kind (loaded), ==, KT_AUTH_KIND_OAUTH);
  g_assert_cmpstr (kt_account_get_config (loaded)->client_secret, ==, "secret-a-1234");
  g_assert_cmpstr (kt_account_get_config (loaded)->token_uri, ==, "http://127.0.0.1:1/v1/token.json");
  token = kt_account_get_token (loaded);
  g_assert_nonnull (token);
  g_assert_cmpstr (token->refresh_token, ==, "refresh-a-1234");
  g_assert_cmpstr (token->access_token, ==, "access-for-refresh-a-1234");
  g_assert_cmpint (token->expires_at, ==, expires_at);
}

static void
test_busy_while_writing (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  remove_accounts ();
  store = new_loaded_store (client);
  g_assert_false (kt_account_store_get_busy (store));

  account = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", "s1", 12, "r12");
  kt_account_store_add_async (store, account, NULL, on_result_cb, &result);
  g_assert_true (kt_account_store_get_busy (store));

  wait_for_result (&result, "an account to be added");
  g_assert_true (kt_account_store_add_finish (store, result, &error));
  g_assert_no_error (error);
  /* The task completes after its callback returns. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (kt_account_store_get_busy (store));
}

static void
test_add_waits_for_load (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(GAsyncResult) loaded = NULL;
  g_autoptr(GAsyncResult) added = NULL;
  g_autoptr(GAsyncResult) looked_up = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *client_secret = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  remove_accounts ();
  /* An item as older versions saved it, with the API URI. */
  attributes = kt_secret_store_new_attributes (KT_SECRET_KIND_CLIENT_SECRET, "http://127.0.0.1:1/v1/", "client-w", 0);
  secret_password_storev_sync (kt_secret_store_get_schema (), attributes, NULL, "test", "early-secret", NULL, &error);
  g_assert_no_error (error);

  /* Both calls start before the load has found the keyring. */
  store = kt_account_store_new (client);
  account = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-w", "s1", 21, "early-refresh");
  kt_account_store_load_async (store, NULL, on_result_cb, &loaded);
  kt_account_store_add_async (store, account, NULL, on_result_cb, &added);
  kt_account_store_lookup_client_secret_async (store, "client-w", NULL, on_result_cb, &looked_up);

  wait_for_result (&loaded, "the account store to load");
  wait_for_result (&added, "the early add");
  wait_for_result (&looked_up, "the early client secret lookup");
  g_assert_true (kt_account_store_load_finish (store, loaded, &error));
  g_assert_true (kt_account_store_add_finish (store, added, &error));
  client_secret = kt_account_store_lookup_client_secret_finish (store, looked_up, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (client_secret, ==, "early-secret");
  g_assert_true (kt_account_store_get_keyring_available (store));
  secret = keyring_lookup (KT_SECRET_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-w", 21);
  g_assert_nonnull (secret);
  g_assert_nonnull (strstr (secret, "early-refresh"));
}

static void
test_keys_separate (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(KtAccount) first = NULL;
  g_autoptr(KtAccount) other_client = NULL;
  g_autoptr(KtAccount) other_api = NULL;
  g_autoptr(KtAccount) basic = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret_first = NULL;
  g_autofree char *secret_client = NULL;
  g_autofree char *secret_api = NULL;
  g_autofree char *secret_basic = NULL;

  remove_accounts ();
  store = new_loaded_store (client);

  first = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", "s1", 5678, "r1");
  other_client = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-b", "s2", 5678, "r2");
  other_api = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:2/v1/", "client-a", "s3", 5678, "r3");
  basic = new_account (KT_AUTH_KIND_BASIC, "http://127.0.0.1:1/v1/", "client-a", "s4", 5678, NULL);

  g_assert_true (add_account (store, first, &error));
  g_assert_true (add_account (store, other_client, &error));
  g_assert_true (add_account (store, other_api, &error));
  g_assert_true (add_account (store, basic, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 4);

  secret_first = keyring_lookup (KT_SECRET_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", 5678);
  secret_client = keyring_lookup (KT_SECRET_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-b", 5678);
  secret_api = keyring_lookup (KT_SECRET_KIND_OAUTH, "http://127.0.0.1:2/v1/", "client-a", 5678);
  secret_basic = keyring_lookup (KT_SECRET_KIND_BASIC, "http://127.0.0.1:1/v1/", "client-a", 5678);
  g_assert_nonnull (strstr (secret_first, "\"r1\""));
  g_assert_nonnull (strstr (secret_client, "\"r2\""));
  g_assert_nonnull (strstr (secret_api, "\"r3\""));
  g_assert_nonnull (strstr (secret_basic, "\"s4\""));
}

static void
test_add_replaces (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(KtAccount) first = NULL;
  g_autoptr(KtAccount) second = NULL;
  g_autoptr(KtAccount) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  remove_accounts ();
  store = new_loaded_store (client);

  first = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", "s1", 77, "old-refresh");
  second = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", "s1", 77, "new-refresh");
  g_assert_true (add_account (store, first, &error));
  g_assert_true (add_account (store, second, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  listed = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (listed == second);

  secret = keyring_lookup (KT_SECRET_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", 77);
  g_assert_nonnull (strstr (secret, "new-refresh"));
  g_assert_null (strstr (secret, "old-refresh"));
}

static void
test_demo_memory_only (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(KtAccountStore) reloaded = NULL;
  g_autoptr(KtAccount) demo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *file = NULL;

  remove_accounts ();
  store = new_loaded_store (client);

  demo = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:1/v1/", "kounter-demo", "demo-secret", 9, "demo-refresh");
  kt_account_set_demo (demo, TRUE);
  g_assert_true (add_account (store, demo, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  secret = keyring_lookup (KT_SECRET_KIND_OAUTH, "http://127.0.0.1:1/v1/", "kounter-demo", 9);
  g_assert_null (secret);
  file = read_accounts_file (store);
  g_assert_null (strstr (file, "kounter-demo"));

  reloaded = new_loaded_store (client);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 0);
}

static void
test_token_change_saved (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(KtToken) token = kt_token_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  gint64 deadline;

  remove_accounts ();
  store = new_loaded_store (client);
  account = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", "s1", 88, "first-refresh");
  g_assert_true (add_account (store, account, &error));

  token->access_token = g_strdup ("second-access");
  token->refresh_token = g_strdup ("second-refresh");
  token->expires_at = g_get_real_time () + (gint64) 3600 * G_USEC_PER_SEC;
  kt_account_set_token (account, token);
  g_signal_emit_by_name (account, "token-changed");

  /* The save is fire-and-forget; poll the keyring for it. */
  deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_clear_pointer (&secret, g_free);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      secret = keyring_lookup (KT_SECRET_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", 88);
      if (secret != NULL && strstr (secret, "second-refresh") != NULL)
        break;
      g_usleep (20000);
    }

  g_assert_nonnull (secret);
  g_assert_nonnull (strstr (secret, "second-refresh"));
}

static void
test_sign_out_revoked (void)
{
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(KtOAuthConfig) config = kt_oauth_config_new ();
  g_autoptr(KtToken) token = kt_token_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *file = NULL;

  g_assert_true (kt_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);

  remove_accounts ();
  store = new_loaded_store (client);

  config->client_id = g_strdup (kt_sandbox_get_client_id (sandbox));
  config->client_secret = g_strdup (kt_sandbox_get_client_secret (sandbox));
  config->api_uri = g_strdup (kt_sandbox_get_api_uri (sandbox));
  config->token_uri = g_strdup (kt_sandbox_get_token_uri (sandbox));
  config->revoke_uri = g_strdup (kt_sandbox_get_revoke_uri (sandbox));
  account = kt_account_new (KT_AUTH_KIND_OAUTH, config);
  kt_account_set_company_id (account, 31);
  token->access_token = g_strdup ("revoke-me-access");
  token->refresh_token = g_strdup ("revoke-me-refresh");
  token->expires_at = g_get_real_time () + (gint64) 3600 * G_USEC_PER_SEC;
  kt_account_set_token (account, token);
  g_assert_true (add_account (store, account, &error));

  g_assert_true (sign_out (store, account, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "revoke"), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  secret = keyring_lookup (KT_SECRET_KIND_OAUTH, kt_sandbox_get_api_uri (sandbox),
                           kt_sandbox_get_client_id (sandbox), 31);
  g_assert_null (secret);
  file = read_accounts_file (store);
  g_assert_null (strstr (file, "\"company_id\" : 31"));

  kt_sandbox_stop (sandbox);
}

static void
test_sign_out_offline (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(KtAccountStore) reloaded = NULL;
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  remove_accounts ();
  store = new_loaded_store (client);
  account = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", "s1", 99, "offline-refresh");
  g_assert_true (add_account (store, account, &error));

  g_assert_false (sign_out (store, account, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "did not revoke"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  secret = keyring_lookup (KT_SECRET_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", 99);
  g_assert_null (secret);

  reloaded = new_loaded_store (client);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 0);
}

static gboolean
save_client_secret (KtAccountStore *store,
                    const char     *client_id,
                    const char     *secret,
                    GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kt_account_store_save_client_secret_async (store, client_id, secret, NULL, on_result_cb, &result);
  wait_for_result (&result, "the client secret to be saved");

  return kt_account_store_save_client_secret_finish (store, result, error);
}

static char *
lookup_client_secret (KtAccountStore *store,
                      const char     *client_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  kt_account_store_lookup_client_secret_async (store, client_id, NULL, on_result_cb, &result);
  wait_for_result (&result, "the client secret lookup");
  secret = kt_account_store_lookup_client_secret_finish (store, result, &error);
  g_assert_no_error (error);

  return secret;
}

static gboolean
delete_client_secret (KtAccountStore *store,
                      const char     *client_id,
                      GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kt_account_store_delete_client_secret_async (store, client_id, NULL, on_result_cb, &result);
  wait_for_result (&result, "the client secret to be deleted");

  return kt_account_store_delete_client_secret_finish (store, result, error);
}

/* Returns every client-secret item of the schema, whatever its other
 * attributes; the caller frees the list. */
static GList *
search_client_secret_items (void)
{
  g_autoptr(GHashTable) attributes = kt_secret_store_new_client_secret_attributes (NULL);
  g_autoptr(GError) error = NULL;
  GList *items;

  items = secret_password_searchv_sync (kt_secret_store_get_schema (), attributes,
                                        SECRET_SEARCH_ALL, NULL, &error);
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN))
    return NULL;
  g_assert_no_error (error);

  return items;
}

static void
test_client_secret (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *in_keyring = NULL;
  g_autoptr(GHashTable) attributes = kt_secret_store_new_client_secret_attributes ("addon-1");

  remove_accounts ();
  store = new_loaded_store (client);

  g_assert_true (save_client_secret (store, "addon-1", "addon-secret-5678", &error));
  g_assert_no_error (error);
  secret = lookup_client_secret (store, "addon-1");
  g_assert_cmpstr (secret, ==, "addon-secret-5678");

  in_keyring = secret_password_lookupv_sync (kt_secret_store_get_schema (), attributes, NULL, &error);
  if (keyring_unlocked ())
    {
      g_assert_no_error (error);
      g_assert_cmpstr (in_keyring, ==, "addon-secret-5678");
    }
  else
    {
      g_assert_null (in_keyring);
    }
}

static void
test_client_secret_replaces_old (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(GHashTable) legacy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *other = NULL;
  GList *items;
  SecretRetrievable *item;
  g_autoptr(GHashTable) item_attributes = NULL;

  remove_accounts ();
  /* An item as older versions saved it, keyed by the API URI too. */
  legacy = kt_secret_store_new_attributes (KT_SECRET_KIND_CLIENT_SECRET, "https://api.kounta.com/v1/",
                                           "addon-1", 0);
  secret_password_storev_sync (kt_secret_store_get_schema (), legacy, NULL, "test", "old-secret",
                               NULL, &error);
  g_assert_no_error (error);
  store = new_loaded_store (client);

  /* A lookup by client id finds the old item. */
  secret = lookup_client_secret (store, "addon-1");
  g_assert_cmpstr (secret, ==, "old-secret");
  g_clear_pointer (&secret, g_free);

  /* A secret of another add-on, then a new one of the first: each
   * replaces every client secret kept before. */
  g_assert_true (save_client_secret (store, "addon-2", "second-secret", &error));
  g_assert_no_error (error);
  g_assert_true (save_client_secret (store, "addon-1", "new-secret", &error));
  g_assert_no_error (error);

  secret = lookup_client_secret (store, "addon-1");
  g_assert_cmpstr (secret, ==, "new-secret");
  other = lookup_client_secret (store, "addon-2");
  g_assert_null (other);

  items = search_client_secret_items ();
  g_assert_cmpuint (g_list_length (items), ==, 1);
  item = items->data;
  item_attributes = secret_retrievable_get_attributes (item);
  g_assert_cmpstr (g_hash_table_lookup (item_attributes, "client-id"), ==, "addon-1");
  g_assert_null (g_hash_table_lookup (item_attributes, "api-uri"));
  g_list_free_full (items, g_object_unref);

  /* Deleting it leaves no client-secret item at all. */
  g_assert_true (delete_client_secret (store, "addon-1", &error));
  g_assert_no_error (error);
  g_clear_pointer (&secret, g_free);
  secret = lookup_client_secret (store, "addon-1");
  g_assert_null (secret);
  items = search_client_secret_items ();
  g_assert_cmpuint (g_list_length (items), ==, 0);
}

static void
test_client_secret_session_only (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *other = NULL;

  store = new_loaded_store (client);
  g_assert_false (kt_account_store_get_keyring_available (store));

  g_assert_true (save_client_secret (store, "addon-2", "second-secret", &error));
  g_assert_no_error (error);
  g_assert_true (save_client_secret (store, "addon-1", "session-secret", &error));
  g_assert_no_error (error);
  secret = lookup_client_secret (store, "addon-1");
  g_assert_cmpstr (secret, ==, "session-secret");
  other = lookup_client_secret (store, "addon-2");
  g_assert_null (other);

  g_assert_true (delete_client_secret (store, "addon-1", &error));
  g_assert_no_error (error);
  g_clear_pointer (&secret, g_free);
  secret = lookup_client_secret (store, "addon-1");
  g_assert_null (secret);
}

static void
test_no_keyring_session_only (void)
{
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(KtAccountStore) reloaded = NULL;
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *file = NULL;

  store = new_loaded_store (client);
  g_assert_false (kt_account_store_get_keyring_available (store));
  g_assert_nonnull (kt_account_store_get_keyring_message (store));
  g_assert_nonnull (strstr (kt_account_store_get_keyring_message (store), "this session only"));

  account = new_account (KT_AUTH_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", "nokeyring-secret", 5, "nokeyring-refresh");
  g_assert_true (add_account (store, account, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  file = read_accounts_file (store);
  g_assert_null (strstr (file, "nokeyring"));

  secret = keyring_lookup (KT_SECRET_KIND_OAUTH, "http://127.0.0.1:1/v1/", "client-a", 5);
  g_assert_null (secret);

  reloaded = new_loaded_store (client);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 0);
}

static void
test_no_secret_service (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(KtClient) client = kt_client_new ();
      g_autoptr(KtAccountStore) store = NULL;

      store = new_loaded_store (client);
      g_assert_false (kt_account_store_get_keyring_available (store));
      g_assert_nonnull (strstr (kt_account_store_get_keyring_message (store), "No Secret Service"));
      return;
    }

  /* A bus address without a listener, so no Secret Service can respond
   * or be started by D-Bus activation. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/kounter-test-bus", TRUE);
  g_test_trap_subprocess (NULL, WAIT_SECONDS * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (keyring_unlocked ())
    {
      g_test_add_func ("/account-store/add-reload", test_add_and_reload);
      g_test_add_func ("/account-store/busy-while-writing", test_busy_while_writing);
      g_test_add_func ("/account-store/add-waits-for-load", test_add_waits_for_load);
      g_test_add_func ("/account-store/keys-separate", test_keys_separate);
      g_test_add_func ("/account-store/add-replaces", test_add_replaces);
      g_test_add_func ("/account-store/demo-memory-only", test_demo_memory_only);
      g_test_add_func ("/account-store/token-change-saved", test_token_change_saved);
      g_test_add_func ("/account-store/sign-out-revoked", test_sign_out_revoked);
      g_test_add_func ("/account-store/sign-out-offline", test_sign_out_offline);
      g_test_add_func ("/account-store/client-secret-replaces-old", test_client_secret_replaces_old);
    }
  else
    {
      g_test_add_func ("/account-store/no-keyring-session-only", test_no_keyring_session_only);
      g_test_add_func ("/account-store/client-secret-session-only", test_client_secret_session_only);
    }
  g_test_add_func ("/account-store/client-secret", test_client_secret);
  g_test_add_func ("/account-store/no-secret-service", test_no_secret_service);

  return g_test_run ();
}
