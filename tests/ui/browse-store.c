/* The main window following the account store: it browses the account
 * added, signs out back to the welcome page, and shows the banner when
 * secrets cannot go to a keyring. */
#define G_LOG_DOMAIN "browse-store"

#include "config.h"

#include "browse-helpers.h"
#include "core/kt-account-store.h"
#include "core/kt-catalogue.h"
#include "ui/kt-detail-pane.h"
#include "ui/kt-inspector.h"
#include "ui/kt-resource-view.h"
#include "ui/kt-window.h"

static BrowseFixture fixture;

static gboolean
window_is_browsing (gpointer data)
{
  return g_strcmp0 (kt_window_get_state (KT_WINDOW (data)), "browse") == 0;
}

static gboolean
window_is_welcoming (gpointer data)
{
  return g_strcmp0 (kt_window_get_state (KT_WINDOW (data)), "welcome") == 0;
}

static KtWindow *
new_window_with_account (KtAccountStore **store_out)
{
  KtAccountStore *store = kt_account_store_new (fixture.client);
  KtWindow *window = g_object_new (KT_TYPE_WINDOW, "client", fixture.client, "account-store", store, NULL);
  BrowseAsync loaded = { FALSE, NULL };
  BrowseAsync async = { FALSE, NULL };

  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (kt_window_get_state (window), ==, "welcome");
  browse_spin (300);

  /* As the application does at start: read the saved accounts, which
   * also finds out whether a keyring responds. */
  kt_account_store_load_async (store, NULL, browse_on_store_loaded_cb, &loaded);
  g_assert_true (browse_wait_until (browse_async_done, &loaded, 20));
  g_assert_no_error (loaded.error);

  kt_account_store_add_async (store, fixture.account, NULL, browse_on_store_added_cb, &async);
  g_assert_true (browse_wait_until (browse_async_done, &async, 20));
  g_assert_no_error (async.error);
  g_assert_true (browse_wait_until (window_is_browsing, window, 20));
  g_assert_true (kt_window_get_account (window) == fixture.account);

  *store_out = store;
  return window;
}

/* Whether a button under @widget activates @action. */
static gboolean
has_button_for_action (GtkWidget  *widget,
                       const char *action)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (has_button_for_action (child, action))
        return TRUE;
    }

  return FALSE;
}

static void
test_sign_out (void)
{
  g_autoptr(KtAccountStore) store = NULL;
  KtWindow *window = new_window_with_account (&store);
  AdwMessageDialog *dialog;

  g_assert_null (kt_window_get_banner_text (window));
  browse_save_screenshot (GTK_WIDGET (window), "browse-store-signed-in");

  g_action_group_activate_action (G_ACTION_GROUP (window), "sign-out", NULL);
  dialog = browse_find_message_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "sign-out"), ==, ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  browse_spin (300);
  browse_save_screenshot (GTK_WIDGET (dialog), "browse-sign-out-confirm");

  /* Cancel keeps the company. */
  adw_message_dialog_response (dialog, "cancel");
  browse_spin (100);
  g_assert_true (kt_window_get_account (window) == fixture.account);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  g_action_group_activate_action (G_ACTION_GROUP (window), "sign-out", NULL);
  dialog = browse_find_message_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "sign-out");
  g_assert_true (browse_wait_until (window_is_welcoming, window, 20));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_null (kt_window_get_account (window));
  browse_save_screenshot (GTK_WIDGET (window), "browse-store-signed-out");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_keyring_banner (void)
{
  g_autoptr(KtAccountStore) store = NULL;
  KtWindow *window = new_window_with_account (&store);
  const char *message = kt_account_store_get_keyring_message (store);

  /* Run with kt-test-env --keyring=none: no Secret Service responds. */
  g_assert_nonnull (message);
  g_assert_cmpstr (kt_window_get_banner_text (window), ==, message);
  browse_save_screenshot (GTK_WIDGET (window), "browse-keyring-banner");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_switch_account (void)
{
  g_autoptr(KtAccountStore) store = NULL;
  KtWindow *window = new_window_with_account (&store);
  BrowseFixture second = { NULL, NULL, NULL };
  BrowseAsync async = { FALSE, NULL };
  GtkMenuButton *button;
  GtkPopover *popover;

  /* A second company, from a sandbox with other data. */
  browse_fixture_setup_seeded (&second, 7);
  g_assert_cmpint (kt_account_get_company_id (second.account), !=, kt_account_get_company_id (fixture.account));
  kt_account_store_add_async (store, second.account, NULL, browse_on_store_added_cb, &async);
  g_assert_true (browse_wait_until (browse_async_done, &async, 20));
  g_assert_no_error (async.error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_true (kt_window_get_account (window) == fixture.account);

  button = GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (window), KT_TYPE_WINDOW, "account_button"));
  popover = gtk_menu_button_get_popover (button);
  gtk_menu_button_popup (button);
  browse_save_screenshot (GTK_WIDGET (popover), "browse-account-switcher");
  /* A company is added in any of the welcome page's three ways. */
  g_assert_true (has_button_for_action (GTK_WIDGET (popover), "app.sign-in"));
  g_assert_true (has_button_for_action (GTK_WIDGET (popover), "app.sign-in-basic"));
  g_assert_true (has_button_for_action (GTK_WIDGET (popover), "app.demo"));
  gtk_menu_button_popdown (button);

  kt_window_show_account (window, second.account);
  g_assert_true (browse_wait_until (window_is_browsing, window, 20));
  g_assert_true (kt_window_get_account (window) == second.account);
  g_assert_cmpstr (gtk_menu_button_get_label (button), ==, kt_account_get_company_name (second.account));
  browse_save_screenshot (GTK_WIDGET (window), "browse-switched-account");

  gtk_window_destroy (GTK_WINDOW (window));
  browse_fixture_teardown (&second);
}

static gboolean
window_signed_out_of_fixture (gpointer data)
{
  return kt_window_get_account (KT_WINDOW (data)) != fixture.account;
}

static gboolean
store_contains_account (KtAccountStore *store,
                        KtAccount      *account)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr(KtAccount) item = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (item == account)
        return TRUE;
    }

  return FALSE;
}

static gboolean
view_has_rows (gpointer data)
{
  return kt_resource_view_get_rows_loaded (KT_RESOURCE_VIEW (data)) > 0;
}

static gboolean
view_has_many_rows (gpointer data)
{
  return kt_resource_view_get_rows_loaded (KT_RESOURCE_VIEW (data)) >= 500;
}

/* Leaves @window on the Orders list of its account sorted by total, with
 * a Load All in progress, a row's record on the Raw tab and the inspector
 * open: the state in which switching companies used to reach freed
 * views. */
static void
make_window_busy (KtWindow *window)
{
  KtResourceView *view = kt_window_show_resource (window, "orders");
  GtkColumnView *column_view;
  g_autoptr(GtkColumnViewColumn) column = NULL;
  int total;

  g_assert_nonnull (view);
  g_assert_true (browse_wait_until (view_has_rows, view, 20));

  /* Sorting matters: a sorted column view's disposal changes its sorter. */
  column_view = kt_resource_view_get_column_view (view);
  total = kt_catalogue_find_column (kt_resource_view_get_resource (view), "total");
  g_assert_cmpint (total, >=, 0);
  column = g_list_model_get_item (gtk_column_view_get_columns (column_view), total);
  gtk_column_view_sort_by_column (column_view, column, GTK_SORT_DESCENDING);
  kt_resource_view_load_all (view);
  g_assert_true (browse_wait_until (view_has_many_rows, view, 60));
  kt_resource_view_select (view, 0);
  kt_detail_pane_set_tab (kt_window_get_detail_pane (window), "raw");
  g_assert_nonnull (kt_window_open_inspector (window));
  browse_spin (200);
  g_assert_true (kt_resource_view_get_loading (view));
}

static void
test_switch_while_loading (void)
{
  g_autoptr(KtAccountStore) store = NULL;
  KtWindow *window = new_window_with_account (&store);
  BrowseFixture second = { NULL, NULL, NULL };
  BrowseAsync async = { FALSE, NULL };
  AdwMessageDialog *dialog;
  /* Warnings end the test too: the busy state shows order lines such as
   * "Bacon & Egg Roll", which libadwaita would read as markup. */
  GLogLevelFlags fatal_mask = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL
                                                      | G_LOG_LEVEL_WARNING);

  browse_fixture_setup_seeded (&second, 11);
  make_window_busy (window);

  /* As after adding a company: the store gains it, then the window
   * shows it. G_DEBUG=fatal-criticals turns any critical into a crash. */
  kt_account_store_add_async (store, second.account, NULL, browse_on_store_added_cb, &async);
  g_assert_true (browse_wait_until (browse_async_done, &async, 20));
  g_assert_no_error (async.error);
  kt_window_show_account (window, second.account);
  g_assert_true (browse_wait_until (window_is_browsing, window, 20));
  g_assert_true (kt_window_get_account (window) == second.account);
  g_assert_null (kt_window_get_resource_view (window, "orders"));
  browse_spin (1500);

  /* And back, from the same state on the second company. */
  make_window_busy (window);
  kt_window_show_account (window, fixture.account);
  g_assert_true (browse_wait_until (window_is_browsing, window, 20));
  g_assert_true (kt_window_get_account (window) == fixture.account);
  browse_spin (1500);

  /* Signing out of the busy company shows the other one. */
  make_window_busy (window);
  g_action_group_activate_action (G_ACTION_GROUP (window), "sign-out", NULL);
  dialog = browse_find_message_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "sign-out");
  g_assert_true (browse_wait_until (window_signed_out_of_fixture, window, 20));
  g_assert_false (store_contains_account (store, fixture.account));
  browse_spin (1500);

  gtk_window_destroy (GTK_WINDOW (window));
  browse_spin (500);
  browse_fixture_teardown (&second);
  g_log_set_always_fatal (fatal_mask);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  browse_init (&argc, &argv);
  browse_fixture_setup (&fixture, KT_SANDBOX_SCALE_DEMO, 5, 0);

  g_test_add_func ("/store/sign-out", test_sign_out);
  g_test_add_func ("/store/switch-account", test_switch_account);
  g_test_add_func ("/store/switch-while-loading", test_switch_while_loading);
  g_test_add_func ("/store/no-keyring/banner", test_keyring_banner);

  status = g_test_run ();
  browse_fixture_teardown (&fixture);

  return status;
}
