/* The application's sign-in actions, run in process. With `kounter --demo`
 * the app starts its sandbox, and the demo company reaches the main
 * window without a keyring item or an accounts-file entry. Without a
 * client id, app.sign-in opens Preferences. With an add-on configured,
 * app.sign-in signs in through the sign-in window and saves the account.
 * Runs inside tests/kt-test-env. */
#define G_LOG_DOMAIN "test-signin-app"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "core/kt-secret-store.h"
#include "ui/kt-application.h"
#include "ui/kt-preferences-window.h"
#include "ui/kt-window.h"
#include "signin-helpers.h"

/* One run of the application and what a test's driver saw. */
typedef struct
{
  KtApplication *app;
  GType window_type;
  GSourceFunc driver;
  GtkWindow *window;
  gboolean driven;
  KtSandbox *sandbox;
  char *client_id;
} AppRun;

static gboolean
store_has_account (gpointer user_data)
{
  AppRun *run = user_data;
  KtAccountStore *store = kt_application_get_account_store (run->app);

  return g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

static GtkWindow *
find_main_window (AppRun *run)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (run->app)); l != NULL; l = l->next)
    {
      if (KT_IS_WINDOW (l->data))
        return l->data;
    }

  return NULL;
}

/* Logs in on the sandbox pages of @window with the login its page shows,
 * then presses the button @decision ("allow" or "deny"). */
static void
decide_on_pages (KtSignInWindow *window,
                 const char     *screenshot,
                 const char     *decision)
{
  WebKitWebView *web_view = kt_sign_in_window_get_web_view (window);
  g_autofree char *email = NULL;
  g_autofree char *password = NULL;
  g_autofree char *script = NULL;
  g_autofree char *ignored = NULL;
  g_autofree char *path = NULL;

  signin_wait_for_element (window, "email");
  if (screenshot != NULL)
    {
      /* WebKit paints the first page of a new view a few seconds after it
       * loads under Xvfb. */
      signin_settle (3000);
      path = signin_screenshot (GTK_WIDGET (window), screenshot);
    }

  email = signin_run_js (web_view, "document.querySelectorAll('.hint code')[0].textContent");
  password = signin_run_js (web_view, "document.querySelectorAll('.hint code')[1].textContent");
  g_assert_nonnull (email);
  g_assert_nonnull (password);

  script = g_strdup_printf ("document.getElementById('email').value = '%s';"
                            "document.getElementById('password').value = '%s';"
                            "document.getElementById('sign-in').click(); 'sent'",
                            email, password);
  ignored = signin_run_js (web_view, script);
  signin_wait_for_element (window, "allow");
  g_clear_pointer (&ignored, g_free);
  g_free (script);
  script = g_strdup_printf ("document.getElementById('%s').click(); 'clicked'", decision);
  ignored = signin_run_js (web_view, script);
}

static void
sign_in_on_pages (KtSignInWindow *window,
                  const char     *screenshot)
{
  decide_on_pages (window, screenshot, "allow");
}

static void
on_window_added_cb (GtkApplication *app,
                    GtkWindow      *window,
                    AppRun         *run)
{
  if (run->window == NULL && g_type_is_a (G_OBJECT_TYPE (window), run->window_type))
    {
      run->window = window;
      g_idle_add (run->driver, run);
    }
}

static gboolean
on_deadline_cb (gpointer user_data)
{
  g_error ("The application test did not finish within 90 s");
  return G_SOURCE_REMOVE;
}

/* Runs the application with @argv until a driver quits it. The driver
 * starts once a window of @window_type is added. */
static void
run_app (AppRun      *run,
         GType        window_type,
         GSourceFunc  driver,
         char       **argv)
{
  guint deadline_id;
  int status;

  run->app = kt_application_new ();
  run->window_type = window_type;
  run->driver = driver;
  /* Every run owns no bus name, so runs in one process never forward
   * their activation to an earlier one. */
  g_application_set_flags (G_APPLICATION (run->app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect (run->app, "window-added", G_CALLBACK (on_window_added_cb), run);

  deadline_id = g_timeout_add_seconds (90, on_deadline_cb, NULL);
  status = g_application_run (G_APPLICATION (run->app), g_strv_length (argv), argv);
  g_source_remove (deadline_id);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run->driven);
}

static void
app_run_clear (AppRun *run)
{
  g_clear_object (&run->app);
  if (run->sandbox != NULL)
    kt_sandbox_stop (run->sandbox);
  g_clear_object (&run->sandbox);
  g_clear_pointer (&run->client_id, g_free);
}

/* Counts the keyring items of @client_id, only those of @api_uri unless
 * it is NULL. */
static guint
count_keyring_items (const char *client_id,
                     const char *api_uri)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  GList *items;
  guint count;

  g_hash_table_insert (attributes, (gpointer) "client-id", (gpointer) client_id);
  if (api_uri != NULL)
    g_hash_table_insert (attributes, (gpointer) "api-uri", (gpointer) api_uri);
  items = secret_password_searchv_sync (kt_secret_store_get_schema (), attributes,
                                        SECRET_SEARCH_ALL, NULL, &error);
  g_assert_no_error (error);
  count = g_list_length (items);
  g_list_free_full (items, g_object_unref);

  return count;
}

static char *
read_accounts_file (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "kounter", "accounts.json", NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");

  return contents;
}

static gboolean
drive_demo_cb (gpointer user_data)
{
  AppRun *run = user_data;
  KtAccountStore *store = kt_application_get_account_store (run->app);
  g_autoptr(KtAccount) account = NULL;
  g_autofree char *path = NULL;
  GtkWindow *main_window;

  GListModel *client_log = kt_client_get_exchanges (kt_application_get_client (run->app));
  g_autoptr(KtExchange) code_exchange = NULL;

  /* The demo signs in with no typing: nothing is filled in on the
   * sandbox's pages, and the sign-in still goes through OAuth 2.0. */
  signin_wait_until (store_has_account, run, "the demo company in the account store");
  account = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (kt_account_get_demo (account));
  g_assert_cmpint (kt_account_get_kind (account), ==, KT_AUTH_KIND_OAUTH);
  g_assert_nonnull (kt_account_get_token (account));
  g_assert_cmpuint (g_list_model_get_n_items (client_log), >=, 1);
  code_exchange = g_list_model_get_item (client_log, 0);
  g_assert_cmpstr (kt_exchange_get_method (code_exchange), ==, "POST");
  g_assert_true (g_str_has_suffix (kt_exchange_get_uri (code_exchange), "/token.json"));
  g_assert_cmpuint (kt_exchange_get_status (code_exchange), ==, 200);
  g_assert_nonnull (kt_account_get_company_name (account));
  g_assert_true (g_str_has_prefix (kt_account_get_config (account)->api_uri, "http://127.0.0.1:"));
  run->client_id = g_strdup (kt_account_get_config (account)->client_id);

  main_window = find_main_window (run);
  g_assert_nonnull (main_window);
  g_assert_true (kt_window_get_account (KT_WINDOW (main_window)) == account);
  path = signin_screenshot (GTK_WIDGET (main_window), "signin-demo-main.png");

  run->driven = TRUE;
  g_application_quit (G_APPLICATION (run->app));

  return G_SOURCE_REMOVE;
}

static void
test_demo (void)
{
  AppRun run = { 0 };
  char *argv[] = { (char *) "kounter", (char *) "--demo", NULL };
  g_autofree char *contents = NULL;

  run_app (&run, KT_TYPE_SIGN_IN_WINDOW, drive_demo_cb, argv);

  /* No keyring item of the demo client, and no accounts-file entry. */
  g_assert_nonnull (run.client_id);
  g_assert_cmpuint (count_keyring_items (run.client_id, NULL), ==, 0);
  contents = read_accounts_file ();
  g_assert_null (strstr (contents, run.client_id));

  app_run_clear (&run);
}

static gboolean
drive_needs_client_cb (gpointer user_data)
{
  AppRun *run = user_data;
  GtkWindow *preferences = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (run->app), "sign-in", NULL);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (run->app)); l != NULL; l = l->next)
    {
      g_assert_false (KT_IS_SIGN_IN_WINDOW (l->data));
      if (KT_IS_PREFERENCES_WINDOW (l->data))
        preferences = l->data;
    }
  g_assert_nonnull (preferences);

  run->driven = TRUE;
  g_application_quit (G_APPLICATION (run->app));

  return G_SOURCE_REMOVE;
}

static void
test_sign_in_needs_client_id (void)
{
  AppRun run = { 0 };
  char *argv[] = { (char *) "kounter", NULL };
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  g_settings_reset (settings, "client-id");
  run_app (&run, KT_TYPE_WINDOW, drive_needs_client_cb, argv);

  app_run_clear (&run);
}

static gboolean
sign_in_window_open (gpointer user_data)
{
  AppRun *run = user_data;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (run->app)); l != NULL; l = l->next)
    {
      if (KT_IS_SIGN_IN_WINDOW (l->data))
        return TRUE;
    }

  return FALSE;
}

static guint
count_sign_in_windows (AppRun *run)
{
  guint count = 0;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (run->app)); l != NULL; l = l->next)
    {
      if (KT_IS_SIGN_IN_WINDOW (l->data))
        count++;
    }

  return count;
}

static gboolean
sign_in_window_closed (gpointer user_data)
{
  KtSignInWindow **window = user_data;

  return *window == NULL;
}

static gboolean
drive_configured_cb (gpointer user_data)
{
  AppRun *run = user_data;
  KtAccountStore *store = kt_application_get_account_store (run->app);
  g_autoptr(GAsyncResult) saved = NULL;
  g_autoptr(GAsyncResult) looked_up = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtAccount) account = NULL;
  g_autofree char *secret = NULL;
  KtSignInWindow *window = NULL;

  /* The client secret goes in the way Preferences puts it. */
  kt_account_store_save_client_secret_async (store, kt_sandbox_get_client_id (run->sandbox),
                                             kt_sandbox_get_client_secret (run->sandbox),
                                             NULL, signin_result_cb, &saved);
  signin_wait_result (&saved, "the client secret to be saved");
  g_assert_true (kt_account_store_save_client_secret_finish (store, saved, &error));
  g_assert_no_error (error);

  g_action_group_activate_action (G_ACTION_GROUP (run->app), "sign-in", NULL);
  signin_wait_until (sign_in_window_open, run, "the sign-in window of app.sign-in");
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (run->app)); l != NULL; l = l->next)
    {
      if (KT_IS_SIGN_IN_WINDOW (l->data))
        window = l->data;
    }

  /* A second request presents the same window instead of a new one. */
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "sign-in", NULL);
  /* The action reads the client secret from the keyring first. A lookup
   * started after it goes over the same D-Bus connection and completes
   * after it, so once it is back the action has acted. */
  kt_account_store_lookup_client_secret_async (store, kt_sandbox_get_client_id (run->sandbox),
                                               NULL, signin_result_cb, &looked_up);
  signin_wait_result (&looked_up, "a client secret lookup after the action's");
  secret = kt_account_store_lookup_client_secret_finish (store, looked_up, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, kt_sandbox_get_client_secret (run->sandbox));
  g_assert_cmpuint (count_sign_in_windows (run), ==, 1);

  /* The window closes once the account is saved, the file included. */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  sign_in_on_pages (window, NULL);
  signin_wait_until (sign_in_window_closed, &window, "the sign-in window to close");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  account = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_false (kt_account_get_demo (account));
  g_assert_cmpint (kt_account_get_kind (account), ==, KT_AUTH_KIND_OAUTH);
  g_assert_cmpint (kt_account_get_company_id (account), ==, kt_sandbox_get_company_id (run->sandbox));

  run->driven = TRUE;
  g_application_quit (G_APPLICATION (run->app));

  return G_SOURCE_REMOVE;
}

/* Starts a sandbox for @run and points the add-on settings at it. */
static void
configure_sandbox (AppRun *run)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GError) error = NULL;

  run->sandbox = kt_sandbox_new ();
  kt_sandbox_start (run->sandbox, 0, &error);
  g_assert_no_error (error);

  g_settings_set_string (settings, "client-id", kt_sandbox_get_client_id (run->sandbox));
  g_settings_set_string (settings, "redirect-uri", kt_sandbox_get_redirect_uri (run->sandbox));
  g_settings_set_string (settings, "authorize-uri", kt_sandbox_get_authorize_uri (run->sandbox));
  g_settings_set_string (settings, "token-uri", kt_sandbox_get_token_uri (run->sandbox));
  g_settings_set_string (settings, "revoke-uri", kt_sandbox_get_revoke_uri (run->sandbox));
  g_settings_set_string (settings, "api-uri", kt_sandbox_get_api_uri (run->sandbox));
}

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
toast_shown (gpointer user_data)
{
  AppRun *run = user_data;
  GtkWindow *main_window = find_main_window (run);

  return main_window != NULL && find_label (GTK_WIDGET (main_window), "Sign-in cancelled") != NULL;
}

static gboolean
drive_deny_cb (gpointer user_data)
{
  AppRun *run = user_data;
  KtAccountStore *store = kt_application_get_account_store (run->app);
  g_autoptr(GAsyncResult) saved = NULL;
  g_autoptr(GError) error = NULL;
  KtSignInWindow *window = NULL;
  g_autofree char *path = NULL;

  kt_account_store_save_client_secret_async (store, kt_sandbox_get_client_id (run->sandbox),
                                             kt_sandbox_get_client_secret (run->sandbox),
                                             NULL, signin_result_cb, &saved);
  signin_wait_result (&saved, "the client secret to be saved");
  g_assert_true (kt_account_store_save_client_secret_finish (store, saved, &error));

  g_action_group_activate_action (G_ACTION_GROUP (run->app), "sign-in", NULL);
  signin_wait_until (sign_in_window_open, run, "the sign-in window of app.sign-in");
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (run->app)); l != NULL; l = l->next)
    {
      if (KT_IS_SIGN_IN_WINDOW (l->data))
        window = l->data;
    }

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  decide_on_pages (window, NULL, "deny");
  signin_wait_until (sign_in_window_closed, &window, "the sign-in window to close after Deny");
  signin_wait_until (toast_shown, run, "the toast “Sign-in cancelled”");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  path = signin_screenshot (GTK_WIDGET (find_main_window (run)), "signin-app-cancelled.png");

  run->driven = TRUE;
  g_application_quit (G_APPLICATION (run->app));

  return G_SOURCE_REMOVE;
}

static GtkWindow *
find_preferences_window (AppRun *run)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (run->app)); l != NULL; l = l->next)
    {
      if (KT_IS_PREFERENCES_WINDOW (l->data))
        return l->data;
    }

  return NULL;
}

static gboolean
preferences_mapped (gpointer user_data)
{
  GtkWindow *preferences = find_preferences_window (user_data);

  return preferences != NULL && gtk_widget_get_mapped (GTK_WIDGET (preferences));
}

static GtkWidget *
find_widget_of_type (GtkWidget *widget,
                     GType      type)
{
  if (g_type_is_a (G_OBJECT_TYPE (widget), type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
drive_needs_secret_cb (gpointer user_data)
{
  AppRun *run = user_data;
  KtAccountStore *store = kt_application_get_account_store (run->app);
  const char *client_id = kt_sandbox_get_client_id (run->sandbox);
  g_autoptr(GAsyncResult) deleted = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *path = NULL;
  GtkWindow *preferences;
  GtkWidget *secret_row;
  GtkWidget *client_id_row;
  GtkWidget *focus;

  kt_account_store_delete_client_secret_async (store, client_id, NULL, signin_result_cb, &deleted);
  signin_wait_result (&deleted, "the client secret to be deleted");
  g_assert_true (kt_account_store_delete_client_secret_finish (store, deleted, &error));
  g_assert_no_error (error);

  g_action_group_activate_action (G_ACTION_GROUP (run->app), "sign-in", NULL);
  signin_wait_until (preferences_mapped, run, "Preferences to open for the missing secret");
  preferences = find_preferences_window (run);

  /* The whole instruction shows, and typing goes to the secret row. */
  expected = g_strdup_printf ("Enter and save the client secret of add-on “%s”, "
                              "then sign in again.", client_id);
  g_assert_nonnull (find_label (GTK_WIDGET (preferences), expected));
  g_assert_true (gtk_widget_get_mapped (find_label (GTK_WIDGET (preferences), expected)));
  secret_row = find_widget_of_type (GTK_WIDGET (preferences), ADW_TYPE_PASSWORD_ENTRY_ROW);
  client_id_row = find_widget_of_type (GTK_WIDGET (preferences), ADW_TYPE_ENTRY_ROW);
  g_assert_nonnull (secret_row);
  g_assert_nonnull (client_id_row);
  focus = gtk_root_get_focus (GTK_ROOT (preferences));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, secret_row));
  g_assert_false (gtk_widget_is_ancestor (focus, client_id_row));
  path = signin_screenshot (GTK_WIDGET (preferences), "signin-app-needs-secret.png");

  run->driven = TRUE;
  g_application_quit (G_APPLICATION (run->app));

  return G_SOURCE_REMOVE;
}

static void
test_sign_in_needs_secret (void)
{
  AppRun run = { 0 };
  char *argv[] = { (char *) "kounter", NULL };

  configure_sandbox (&run);
  run_app (&run, KT_TYPE_WINDOW, drive_needs_secret_cb, argv);
  g_assert_cmpuint (kt_sandbox_get_counter (run.sandbox, "authorize"), ==, 0);

  app_run_clear (&run);
}

static void
test_deny_shows_toast (void)
{
  AppRun run = { 0 };
  char *argv[] = { (char *) "kounter", NULL };

  configure_sandbox (&run);
  run_app (&run, KT_TYPE_WINDOW, drive_deny_cb, argv);
  g_assert_cmpuint (kt_sandbox_get_counter (run.sandbox, "authorize:deny"), ==, 1);
  g_assert_cmpuint (kt_sandbox_get_counter (run.sandbox, "token:authorization_code"), ==, 0);

  app_run_clear (&run);
}

static void
test_sign_in_configured (void)
{
  AppRun run = { 0 };
  char *argv[] = { (char *) "kounter", NULL };
  g_autofree char *contents = NULL;

  configure_sandbox (&run);
  run_app (&run, KT_TYPE_WINDOW, drive_configured_cb, argv);

  /* The account item and the client secret item, both in the keyring.
   * Only the account item carries the API URI. */
  g_assert_cmpuint (count_keyring_items (kt_sandbox_get_client_id (run.sandbox), NULL), ==, 2);
  g_assert_cmpuint (count_keyring_items (kt_sandbox_get_client_id (run.sandbox),
                                         kt_sandbox_get_api_uri (run.sandbox)), ==, 1);
  contents = read_accounts_file ();
  g_assert_nonnull (strstr (contents, kt_sandbox_get_company_name (run.sandbox)));
  g_assert_null (strstr (contents, kt_sandbox_get_client_secret (run.sandbox)));
  g_assert_cmpuint (kt_sandbox_get_counter (run.sandbox, "token:authorization_code"), ==, 1);

  app_run_clear (&run);
}

static GtkWindow *
find_message_dialog (AppRun *run)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (run->app)); l != NULL; l = l->next)
    {
      if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_mapped (l->data))
        return l->data;
    }

  return NULL;
}

static gboolean
message_dialog_shown (gpointer user_data)
{
  return find_message_dialog (user_data) != NULL;
}

static gboolean
drive_unreadable_accounts_cb (gpointer user_data)
{
  AppRun *run = user_data;
  AdwMessageDialog *dialog;
  g_autofree char *path = NULL;

  signin_wait_until (message_dialog_shown, run, "the dialog about the accounts file");
  dialog = ADW_MESSAGE_DIALOG (find_message_dialog (run));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Accounts Not Loaded");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "accounts.json"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "restart Kounter"));
  path = signin_screenshot (GTK_WIDGET (dialog), "signin-app-accounts-unreadable.png");

  run->driven = TRUE;
  g_application_quit (G_APPLICATION (run->app));

  return G_SOURCE_REMOVE;
}

static void
test_accounts_file_unreadable (void)
{
  AppRun run = { 0 };
  char *argv[] = { (char *) "kounter", NULL };
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "kounter", "accounts.json", NULL);
  g_autofree char *saved = g_strconcat (path, ".saved", NULL);

  /* A directory in place of the file cannot be read. */
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    g_assert_cmpint (g_rename (path, saved), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);

  run_app (&run, KT_TYPE_WINDOW, drive_unreadable_accounts_cb, argv);

  g_assert_cmpint (g_rmdir (path), ==, 0);
  if (g_file_test (saved, G_FILE_TEST_EXISTS))
    g_assert_cmpint (g_rename (saved, path), ==, 0);
  app_run_clear (&run);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/signin-app/demo", test_demo);
  g_test_add_func ("/signin-app/sign-in-needs-client-id", test_sign_in_needs_client_id);
  g_test_add_func ("/signin-app/sign-in-needs-secret", test_sign_in_needs_secret);
  g_test_add_func ("/signin-app/deny-shows-toast", test_deny_shows_toast);
  g_test_add_func ("/signin-app/sign-in-configured", test_sign_in_configured);
  g_test_add_func ("/signin-app/accounts-file-unreadable", test_accounts_file_unreadable);

  return g_test_run ();
}
