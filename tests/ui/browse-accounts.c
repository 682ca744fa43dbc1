/* The main window's account handling: the page shown when a saved sign-in
 * is rejected, the sign-out confirmation of each kind of account, and the
 * switcher's rows of companies with the same name. */
#define G_LOG_DOMAIN "browse-accounts"

#include "config.h"

#include <string.h>

#include "browse-helpers.h"
#include "core-test.h"
#include "core/kt-account-store.h"
#include "ui/kt-window.h"

/* Signs out of @account. A failed revoke is ignored: the account goes
 * from the store anyway. */
static void
sign_out (KtAccountStore *store,
          KtAccount      *account)
{
  BrowseAsync async = { FALSE, NULL };

  kt_account_store_sign_out_async (store, account, NULL, browse_on_store_signed_out_cb, &async);
  g_assert_true (browse_wait_until (browse_async_done, &async, 20));
  g_clear_error (&async.error);
}

static void
add_account (KtAccountStore *store,
             KtAccount      *account)
{
  BrowseAsync async = { FALSE, NULL };

  kt_account_store_add_async (store, account, NULL, browse_on_store_added_cb, &async);
  g_assert_true (browse_wait_until (browse_async_done, &async, 20));
  g_assert_no_error (async.error);
}

/* A store that has read the saved accounts, emptied of those that earlier
 * tests of this program saved. */
static KtAccountStore *
new_empty_store (KtClient *client)
{
  KtAccountStore *store = kt_account_store_new (client);
  BrowseAsync loaded = { FALSE, NULL };

  kt_account_store_load_async (store, NULL, browse_on_store_loaded_cb, &loaded);
  g_assert_true (browse_wait_until (browse_async_done, &loaded, 20));
  g_assert_no_error (loaded.error);

  while (g_list_model_get_n_items (G_LIST_MODEL (store)) > 0)
    {
      g_autoptr(KtAccount) account = g_list_model_get_item (G_LIST_MODEL (store), 0);

      sign_out (store, account);
    }

  return store;
}

static gboolean
window_is_signed_out (gpointer data)
{
  return g_strcmp0 (kt_window_get_state (KT_WINDOW (data)), "signed-out") == 0;
}

static gboolean
window_is_browsing (gpointer data)
{
  return g_strcmp0 (kt_window_get_state (KT_WINDOW (data)), "browse") == 0;
}

static gboolean
action_enabled (KtWindow   *window,
                const char *name)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (window), name);
}

static GtkWidget *
template_child (KtWindow   *window,
                const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), KT_TYPE_WINDOW, name));
}

static void
test_rejected_refresh (void)
{
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) oauth = NULL;
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  BrowseFixture other = { NULL, NULL, NULL };
  g_autofree char *expected = NULL;
  KtWindow *window;
  AdwStatusPage *page;
  GtkWidget *account_button;

  g_assert_true (kt_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  oauth = kt_core_test_sign_in (sandbox, client);
  browse_fixture_setup (&other, KT_SANDBOX_SCALE_DEMO, 5, 0);

  /* From now on every access token is found expired and every refresh
   * token revoked. */
  g_assert_true (kt_sandbox_add_fault (sandbox, "early-expiry", &error));
  g_assert_true (kt_sandbox_add_fault (sandbox, "revoked-refresh", &error));
  g_assert_no_error (error);

  store = new_empty_store (client);
  add_account (store, oauth);
  add_account (store, other.account);

  window = g_object_new (KT_TYPE_WINDOW, "client", client, "account-store", store, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (kt_window_get_account (window) == oauth);

  /* The company record comes from the sign-in, so the first request is
   * that of another list. */
  g_assert_true (browse_wait_until (window_is_browsing, window, 20));
  kt_window_show_resource (window, "sites");
  g_assert_true (browse_wait_until (window_is_signed_out, window, 30));
  browse_spin (300);

  /* One sentence with the server's reason and no address. */
  page = ADW_STATUS_PAGE (template_child (window, "signed_out_page"));
  expected = g_strdup_printf ("Kounta rejected the saved sign-in of %s (The refresh token has been revoked). "
                              "Sign in again to keep browsing.",
                              kt_account_get_company_name (oauth));
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "Signed Out");
  g_assert_cmpstr (adw_status_page_get_description (page), ==, expected);
  g_assert_null (strstr (adw_status_page_get_description (page), "http"));

  /* The switcher stays, and only what needs a signed-in company goes. */
  account_button = template_child (window, "account_button");
  g_assert_true (gtk_widget_is_ancestor (account_button, template_child (window, "signed_out_header")));
  g_assert_true (gtk_widget_get_mapped (account_button));
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (account_button)), ==, kt_account_get_company_name (oauth));
  g_assert_false (action_enabled (window, "reload"));
  g_assert_false (action_enabled (window, "load-all"));
  g_assert_false (action_enabled (window, "export"));
  g_assert_false (action_enabled (window, "search"));
  g_assert_false (action_enabled (window, "show-resource"));
  g_assert_true (action_enabled (window, "inspector"));
  g_assert_true (action_enabled (window, "sign-out"));
  browse_save_screenshot (GTK_WIDGET (window), "browse-accounts-signed-out");

  gtk_menu_button_popup (GTK_MENU_BUTTON (account_button));
  browse_spin (300);
  browse_save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (account_button))),
                          "browse-accounts-signed-out-switcher");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (account_button));

  /* The other company browses, with its actions back. */
  kt_window_show_account (window, other.account);
  g_assert_true (browse_wait_until (window_is_browsing, window, 20));
  g_assert_true (gtk_widget_is_ancestor (account_button, template_child (window, "sidebar_header")));
  g_assert_true (action_enabled (window, "reload"));
  g_assert_true (action_enabled (window, "load-all"));
  g_assert_true (action_enabled (window, "export"));

  gtk_window_destroy (GTK_WINDOW (window));
  browse_spin (200);
  browse_fixture_teardown (&other);
}

/* The subtitle of the switcher's row of @account. */
static const char *
switcher_subtitle (KtWindow  *window,
                   KtAccount *account)
{
  GtkListBox *list = GTK_LIST_BOX (template_child (window, "accounts_list"));

  for (int i = 0; gtk_list_box_get_row_at_index (list, i) != NULL; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);
      GtkWidget *box = gtk_list_box_row_get_child (row);
      GtkWidget *labels = gtk_widget_get_first_child (box);

      if (g_object_get_data (G_OBJECT (row), "kt-account") == account)
        return gtk_label_get_label (GTK_LABEL (gtk_widget_get_last_child (labels)));
    }

  return NULL;
}

static void
test_same_name_and_sign_out (void)
{
  BrowseFixture first = { NULL, NULL, NULL };
  BrowseFixture second = { NULL, NULL, NULL };
  g_autoptr(KtAccountStore) store = NULL;
  g_autofree char *first_subtitle = NULL;
  g_autofree char *second_subtitle = NULL;
  KtWindow *window;
  AdwMessageDialog *dialog;
  GtkMenuButton *account_button;
  const char *body;

  /* Two sandboxes with the same data: one company name, two ports. */
  browse_fixture_setup (&first, KT_SANDBOX_SCALE_DEMO, 5, 0);
  browse_fixture_setup (&second, KT_SANDBOX_SCALE_DEMO, 5, 0);
  g_assert_cmpstr (kt_account_get_company_name (first.account), ==, kt_account_get_company_name (second.account));

  store = new_empty_store (first.client);
  add_account (store, first.account);
  add_account (store, second.account);
  window = g_object_new (KT_TYPE_WINDOW, "client", first.client, "account-store", store, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (browse_wait_until (window_is_browsing, window, 20));

  first_subtitle = g_strdup_printf ("Basic credentials · 127.0.0.1:%u", kt_sandbox_get_port (first.sandbox));
  second_subtitle = g_strdup_printf ("Basic credentials · 127.0.0.1:%u", kt_sandbox_get_port (second.sandbox));
  g_assert_cmpstr (switcher_subtitle (window, first.account), ==, first_subtitle);
  g_assert_cmpstr (switcher_subtitle (window, second.account), ==, second_subtitle);

  account_button = GTK_MENU_BUTTON (template_child (window, "account_button"));
  gtk_menu_button_popup (account_button);
  browse_spin (300);
  browse_save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (account_button)), "browse-accounts-same-name");
  gtk_menu_button_popdown (account_button);

  /* Basic credentials have no token to revoke. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "sign-out", NULL);
  dialog = browse_find_message_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  body = adw_message_dialog_get_body (dialog);
  g_assert_cmpstr (body, ==, "Kounter removes the client id and secret of this company from the keyring "
                             "and forgets the company. To browse it again, enter them again.");
  g_assert_null (strstr (body, "revoke"));
  browse_spin (300);
  browse_save_screenshot (GTK_WIDGET (dialog), "browse-accounts-sign-out-basic");
  adw_message_dialog_response (dialog, "cancel");
  browse_spin (100);

  /* With one company of that name left, the host goes. */
  sign_out (store, second.account);
  browse_spin (100);
  g_assert_cmpstr (switcher_subtitle (window, first.account), ==, "Basic credentials");

  gtk_window_destroy (GTK_WINDOW (window));
  browse_spin (200);
  browse_fixture_teardown (&second);
  browse_fixture_teardown (&first);
}

static void
test_sign_out_oauth (void)
{
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) oauth = NULL;
  g_autoptr(KtAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  KtWindow *window;
  AdwMessageDialog *dialog;

  g_assert_true (kt_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  oauth = kt_core_test_sign_in (sandbox, client);
  store = new_empty_store (client);
  add_account (store, oauth);
  window = g_object_new (KT_TYPE_WINDOW, "client", client, "account-store", store, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (browse_wait_until (window_is_browsing, window, 20));

  g_action_group_activate_action (G_ACTION_GROUP (window), "sign-out", NULL);
  dialog = browse_find_message_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==,
                   "Kounter revokes its access to this company, removes the tokens from the keyring "
                   "and forgets the company. To browse it again, sign in again.");
  browse_spin (300);
  browse_save_screenshot (GTK_WIDGET (dialog), "browse-accounts-sign-out-oauth");
  adw_message_dialog_response (dialog, "cancel");
  browse_spin (100);

  gtk_window_destroy (GTK_WINDOW (window));
  browse_spin (200);
}

int
main (int   argc,
      char *argv[])
{
  browse_init (&argc, &argv);

  g_test_add_func ("/accounts/rejected-refresh", test_rejected_refresh);
  g_test_add_func ("/accounts/same-name-and-sign-out", test_same_name_and_sign_out);
  g_test_add_func ("/accounts/sign-out-oauth", test_sign_out_oauth);

  return g_test_run ();
}
