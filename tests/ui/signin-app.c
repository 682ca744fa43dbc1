/* `kounter --demo` in process: the application starts its sandbox, opens
 * the sign-in window on the sandbox's pages, and the demo company lands
 * in the main window without touching the keyring or the accounts file.
 * Runs inside tests/kt-test-env. */
#define G_LOG_DOMAIN "test-signin-demo"

#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

#include "core/kt-secret-store.h"
#include "ui/kt-application.h"
#include "ui/kt-window.h"
#include "signin-helpers.h"

typedef struct
{
  KtApplication *app;
  KtSignInWindow *sign_in;
  gboolean driven;
  char *api_uri;
  char *client_id;
} Demo;

static gboolean
store_has_account (gpointer user_data)
{
  Demo *demo = user_data;
  KtAccountStore *store = kt_application_get_account_store (demo->app);

  return g_list_model_get_n_items (G_LIST_MODEL (store)) > 0;
}

static gboolean
drive_demo_cb (gpointer user_data)
{
  Demo *demo = user_data;
  WebKitWebView *web_view = kt_sign_in_window_get_web_view (demo->sign_in);
  KtAccountStore *store = kt_application_get_account_store (demo->app);
  g_autoptr(KtAccount) account = NULL;
  g_autofree char *email = NULL;
  g_autofree char *password = NULL;
  g_autofree char *script = NULL;
  g_autofree char *ignored = NULL;
  g_autofree char *path = NULL;
  GtkWindow *main_window;

  signin_wait_for_element (demo->sign_in, "email");
  signin_settle (3000);
  path = signin_screenshot (GTK_WIDGET (demo->sign_in), "signin-demo-login.png");

  /* The sandbox's page shows the demo login; read it from there. */
  email = signin_run_js (web_view, "document.querySelectorAll('.hint code')[0].textContent");
  password = signin_run_js (web_view, "document.querySelectorAll('.hint code')[1].textContent");
  g_assert_nonnull (email);
  g_assert_nonnull (password);

  script = g_strdup_printf ("document.getElementById('email').value = '%s';"
                            "document.getElementById('password').value = '%s';"
                            "document.getElementById('sign-in').click(); 'sent'",
                            email, password);
  ignored = signin_run_js (web_view, script);
  signin_wait_for_element (demo->sign_in, "allow");
  g_clear_pointer (&ignored, g_free);
  ignored = signin_run_js (web_view, "document.getElementById('allow').click(); 'clicked'");

  signin_wait_until (store_has_account, demo, "the demo company in the account store");
  account = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (kt_account_get_demo (account));
  g_assert_nonnull (kt_account_get_company_name (account));
  demo->api_uri = g_strdup (kt_account_get_config (account)->api_uri);
  demo->client_id = g_strdup (kt_account_get_config (account)->client_id);
  g_assert_true (g_str_has_prefix (demo->api_uri, "http://127.0.0.1:"));

  main_window = NULL;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (demo->app)); l != NULL; l = l->next)
    {
      if (KT_IS_WINDOW (l->data))
        main_window = l->data;
    }
  g_assert_nonnull (main_window);
  g_assert_true (kt_window_get_account (KT_WINDOW (main_window)) == account);
  if (g_getenv ("KT_DEMO_MAIN_SCREENSHOT") != NULL)
    {
      /* TODO: laying out the main window right after it switches from the
       * welcome page to a company fails with GTK criticals about negative
       * widths in the detail flap. Take this screenshot by default once
       * that is fixed. */
      g_clear_pointer (&path, g_free);
      path = signin_screenshot (GTK_WIDGET (main_window), "signin-demo-main.png");
    }

  demo->driven = TRUE;
  g_application_quit (G_APPLICATION (demo->app));

  return G_SOURCE_REMOVE;
}

static void
on_window_added_cb (GtkApplication *app,
                    GtkWindow      *window,
                    Demo           *demo)
{
  if (KT_IS_SIGN_IN_WINDOW (window) && demo->sign_in == NULL)
    {
      demo->sign_in = KT_SIGN_IN_WINDOW (window);
      g_idle_add (drive_demo_cb, demo);
    }
}

static gboolean
on_deadline_cb (gpointer user_data)
{
  g_error ("The demo did not finish within 90 s");
  return G_SOURCE_REMOVE;
}

static void
test_demo (void)
{
  Demo demo = { 0 };
  char *argv[] = { (char *) "kounter", (char *) "--demo", NULL };
  g_autoptr(GHashTable) attributes = NULL;
  GList *items;
  g_autoptr(GError) error = NULL;
  g_autofree char *accounts_file = NULL;
  g_autofree char *contents = NULL;
  guint deadline_id;
  int status;

  demo.app = kt_application_new ();
  g_signal_connect (demo.app, "window-added", G_CALLBACK (on_window_added_cb), &demo);
  deadline_id = g_timeout_add_seconds (90, on_deadline_cb, NULL);
  status = g_application_run (G_APPLICATION (demo.app), 2, argv);
  g_source_remove (deadline_id);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (demo.driven);

  /* No keyring item of the demo client, and no accounts-file entry. */
  attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (attributes, (gpointer) "client-id", demo.client_id);
  items = secret_password_searchv_sync (kt_secret_store_get_schema (), attributes,
                                        SECRET_SEARCH_ALL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), ==, 0);
  g_list_free_full (items, g_object_unref);

  accounts_file = g_build_filename (g_get_user_config_dir (), "kounter", "accounts.json", NULL);
  if (g_file_get_contents (accounts_file, &contents, NULL, NULL))
    g_assert_null (strstr (contents, demo.client_id));

  g_clear_object (&demo.app);
  g_free (demo.api_uri);
  g_free (demo.client_id);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/signin-demo/demo", test_demo);

  return g_test_run ();
}
