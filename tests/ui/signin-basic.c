/* The welcome page, the Basic credentials form against the in-process
 * sandbox, and the preferences window. Runs inside tests/kt-test-env,
 * once with an unlocked keyring and once with none. KT_TEST_KEYRING gives
 * the mode. */
#define G_LOG_DOMAIN "test-signin-basic"

#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

#include "core/kt-secret-store.h"
#include "ui/kt-basic-dialog.h"
#include "ui/kt-preferences-window.h"
#include "ui/kt-welcome-page.h"
#include "ui/kt-window.h"
#include "signin-helpers.h"

static KtSandbox *sandbox;
static KtClient *client;
static KtAccountStore *store;

static gboolean
keyring_unlocked (void)
{
  return g_strcmp0 (g_getenv ("KT_TEST_KEYRING"), "unlocked") == 0;
}

static const char *
screenshot_name (const char *base)
{
  static char name[128];

  g_snprintf (name, sizeof name, "%s%s.png", base, keyring_unlocked () ? "" : "-no-keyring");
  return name;
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type,
             const char *label)
{
  if (g_type_is_a (G_OBJECT_TYPE (widget), type) &&
      (label == NULL || (GTK_IS_BUTTON (widget) &&
                         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
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

static char *
keyring_basic_item (void)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  attributes = kt_secret_store_new_attributes (KT_SECRET_KIND_BASIC,
                                               kt_sandbox_get_api_uri (sandbox),
                                               kt_sandbox_get_client_id (sandbox),
                                               kt_sandbox_get_company_id (sandbox));
  secret = secret_password_lookupv_sync (kt_secret_store_get_schema (), attributes, NULL, &error);

  /* Under kt-test-env --keyring=none there is no Secret Service to ask,
   * so nothing can have been stored. */
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN))
    return NULL;
  g_assert_no_error (error);

  return secret;
}

static void
on_action_activated_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  GPtrArray *activated = user_data;

  g_ptr_array_add (activated, g_strdup (g_action_get_name (G_ACTION (action))));
}

static void
test_welcome (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = kt_welcome_page_new ();
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GPtrArray) activated = g_ptr_array_new_with_free_func (g_free);
  const char *names[] = { "demo", "sign-in", "sign-in-basic" };
  GtkWidget *demo;
  GtkWidget *sign_in;
  GtkWidget *basic;
  g_autofree char *path = NULL;

  /* Stand-ins for the application's actions and icon, which a window
   * without a KtApplication lacks. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GSimpleAction) action = g_simple_action_new (names[i], NULL);

      g_signal_connect (action, "activate", G_CALLBACK (on_action_activated_cb), activated);
      g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
    }
  gtk_widget_insert_action_group (window, "app", G_ACTION_GROUP (group));
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/io/github/kounter/Kounter/icons");

  gtk_window_set_default_size (GTK_WINDOW (window), 720, 560);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));

  demo = find_widget (page, GTK_TYPE_BUTTON, "_Try the Demo");
  sign_in = find_widget (page, GTK_TYPE_BUTTON, "_Sign In to Kounta");
  basic = find_widget (page, GTK_TYPE_BUTTON, "Use _Basic Credentials");
  g_assert_nonnull (demo);
  g_assert_nonnull (sign_in);
  g_assert_nonnull (basic);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (demo)), ==, "app.demo");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (sign_in)), ==, "app.sign-in");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (basic)), ==, "app.sign-in-basic");

  path = signin_screenshot (window, screenshot_name ("signin-welcome"));

  g_signal_emit_by_name (demo, "clicked");
  g_signal_emit_by_name (sign_in, "clicked");
  g_signal_emit_by_name (basic, "clicked");
  g_assert_cmpuint (activated->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (activated, 0), ==, "demo");
  g_assert_cmpstr (g_ptr_array_index (activated, 1), ==, "sign-in");
  g_assert_cmpstr (g_ptr_array_index (activated, 2), ==, "sign-in-basic");

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  KtBasicDialog *dialog;
  KtAccount *account;
  gboolean destroyed;
} BasicOutcome;

static void
on_basic_signed_in_cb (KtBasicDialog *dialog,
                       KtAccount     *account,
                       BasicOutcome  *outcome)
{
  g_set_object (&outcome->account, account);
}

static void
on_basic_destroy_cb (GtkWidget    *widget,
                     BasicOutcome *outcome)
{
  outcome->destroyed = TRUE;
}

static gboolean
basic_idle (gpointer user_data)
{
  BasicOutcome *outcome = user_data;

  return outcome->destroyed || !kt_basic_dialog_get_busy (outcome->dialog);
}

static gboolean
basic_closed (gpointer user_data)
{
  BasicOutcome *outcome = user_data;

  return outcome->destroyed;
}

static KtBasicDialog *
open_basic_dialog (BasicOutcome *outcome)
{
  KtBasicDialog *dialog = kt_basic_dialog_new (client, store, kt_sandbox_get_api_uri (sandbox));

  outcome->dialog = dialog;
  g_signal_connect (dialog, "signed-in", G_CALLBACK (on_basic_signed_in_cb), outcome);
  g_signal_connect (dialog, "destroy", G_CALLBACK (on_basic_destroy_cb), outcome);
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}

static void
test_basic_missing (void)
{
  BasicOutcome outcome = { 0 };
  KtBasicDialog *dialog = open_basic_dialog (&outcome);

  kt_basic_dialog_submit (dialog);
  g_assert_false (kt_basic_dialog_get_busy (dialog));
  g_assert_nonnull (strstr (kt_basic_dialog_get_error_message (dialog), "client id is missing"));

  kt_basic_dialog_fill (dialog, kt_sandbox_get_client_id (sandbox), NULL);
  kt_basic_dialog_submit (dialog);
  g_assert_nonnull (strstr (kt_basic_dialog_get_error_message (dialog), "client secret is missing"));
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api"), ==, 0);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_basic_wrong (void)
{
  BasicOutcome outcome = { 0 };
  KtBasicDialog *dialog = open_basic_dialog (&outcome);
  g_autofree char *secret = NULL;
  g_autofree char *path = NULL;
  const char *message;

  kt_basic_dialog_fill (dialog, kt_sandbox_get_client_id (sandbox), "not-the-secret");
  kt_basic_dialog_submit (dialog);
  g_assert_true (kt_basic_dialog_get_busy (dialog));
  signin_wait_until (basic_idle, &outcome, "the Basic credentials check");

  g_assert_false (outcome.destroyed);
  g_assert_null (outcome.account);
  message = kt_basic_dialog_get_error_message (dialog);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "rejected"));
  g_assert_nonnull (strstr (message, kt_sandbox_get_client_id (sandbox)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  secret = keyring_basic_item ();
  g_assert_null (secret);
  path = signin_screenshot (GTK_WIDGET (dialog), screenshot_name ("signin-basic-wrong"));

  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Counts the sentences of advice in @message: each sentence that starts
 * with “Check”, “The service” or “Try”. */
static guint
count_advice (const char *message)
{
  guint count = 0;

  for (const char *p = strstr (message, ". "); p != NULL; p = strstr (p + 2, ". "))
    if (g_str_has_prefix (p + 2, "Check") || g_str_has_prefix (p + 2, "The service") ||
        g_str_has_prefix (p + 2, "Try"))
      count++;

  return count;
}

/* Submits the sandbox's client id and secret to a dialog for @api_uri and
 * returns the error it shows, which the caller frees. */
static char *
basic_error_for (const char *api_uri)
{
  BasicOutcome outcome = { 0 };
  KtBasicDialog *dialog = kt_basic_dialog_new (client, store, api_uri);
  char *message;

  outcome.dialog = dialog;
  g_signal_connect (dialog, "signed-in", G_CALLBACK (on_basic_signed_in_cb), &outcome);
  g_signal_connect (dialog, "destroy", G_CALLBACK (on_basic_destroy_cb), &outcome);
  gtk_window_present (GTK_WINDOW (dialog));

  kt_basic_dialog_fill (dialog, kt_sandbox_get_client_id (sandbox), kt_sandbox_get_client_secret (sandbox));
  kt_basic_dialog_submit (dialog);
  signin_wait_until (basic_idle, &outcome, "the Basic credentials check to fail");

  g_assert_false (outcome.destroyed);
  g_assert_null (outcome.account);
  message = g_strdup (kt_basic_dialog_get_error_message (dialog));
  g_assert_nonnull (message);
  gtk_window_destroy (GTK_WINDOW (dialog));

  return message;
}

static void
test_basic_refused (void)
{
  g_autofree char *message = NULL;
  double retry_delay;

  g_object_get (client, "retry-delay", &retry_delay, NULL);
  g_object_set (client, "retry-delay", 0.01, NULL);
  message = basic_error_for ("http://127.0.0.1:1/v1/");
  g_object_set (client, "retry-delay", retry_delay, NULL);

  g_test_message ("%s", message);
  g_assert_true (g_str_has_prefix (message, "Could not check the credentials at 127.0.0.1:1. "));
  g_assert_true (g_str_has_suffix (message, "Check the API URI and that the service is running."));
  g_assert_null (strstr (message, ".."));
  g_assert_null (strstr (message, "network"));
  g_assert_cmpuint (count_advice (message), ==, 1);
}

static void
test_basic_server_error (void)
{
  g_autoptr(KtSandbox) failing = kt_sandbox_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *message = NULL;
  double retry_delay;

  kt_sandbox_add_fault (failing, "server-error", &error);
  g_assert_no_error (error);
  kt_sandbox_start (failing, 0, &error);
  g_assert_no_error (error);

  g_object_get (client, "retry-delay", &retry_delay, NULL);
  g_object_set (client, "retry-delay", 0.01, NULL);
  message = basic_error_for (kt_sandbox_get_api_uri (failing));
  g_object_set (client, "retry-delay", retry_delay, NULL);
  expected = g_strdup_printf ("Could not check the credentials at 127.0.0.1:%u. ",
                              kt_sandbox_get_port (failing));
  kt_sandbox_stop (failing);

  g_test_message ("%s", message);
  g_assert_true (g_str_has_prefix (message, expected));
  g_assert_true (g_str_has_suffix (message, "The service has a problem; try again later."));
  g_assert_null (strstr (message, ".."));
  g_assert_cmpuint (count_advice (message), ==, 1);
}

static gboolean
store_has_one_less (gpointer user_data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (store)) == GPOINTER_TO_UINT (user_data);
}

static gboolean
basic_shows_wait (gpointer user_data)
{
  BasicOutcome *outcome = user_data;

  return kt_basic_dialog_get_wait_message (outcome->dialog) != NULL;
}

static void
test_basic_rate_limited (void)
{
  g_autoptr(KtSandbox) limiting = kt_sandbox_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) pattern = g_regex_new ("^Kounta is limiting requests; trying again in [0-9]+ s$", 0, 0, NULL);
  BasicOutcome outcome = { 0 };
  KtBasicDialog *dialog;
  GtkWidget *sign_in_button;
  guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (store));

  /* Every API request is answered 429 without rate headers, so the check
   * waits one, two, four… seconds before each next try. */
  kt_sandbox_add_fault (limiting, "bare-429", &error);
  g_assert_no_error (error);
  kt_sandbox_start (limiting, 0, &error);
  g_assert_no_error (error);

  dialog = kt_basic_dialog_new (client, store, kt_sandbox_get_api_uri (limiting));
  outcome.dialog = dialog;
  g_signal_connect (dialog, "signed-in", G_CALLBACK (on_basic_signed_in_cb), &outcome);
  g_signal_connect (dialog, "destroy", G_CALLBACK (on_basic_destroy_cb), &outcome);
  gtk_window_present (GTK_WINDOW (dialog));
  kt_basic_dialog_fill (dialog, kt_sandbox_get_client_id (limiting), kt_sandbox_get_client_secret (limiting));
  kt_basic_dialog_submit (dialog);

  signin_wait_until (basic_shows_wait, &outcome, "the Basic form to show the rate-limit wait");
  g_test_message ("%s", kt_basic_dialog_get_wait_message (dialog));
  g_assert_true (g_regex_match (pattern, kt_basic_dialog_get_wait_message (dialog), 0, NULL));
  g_assert_true (kt_basic_dialog_get_busy (dialog));
  g_free (signin_screenshot (GTK_WIDGET (dialog), screenshot_name ("signin-basic-rate-limited")));

  /* Cancel stops the check and leaves the form to edit or submit. */
  kt_basic_dialog_cancel (dialog);
  g_assert_false (outcome.destroyed);
  g_assert_false (kt_basic_dialog_get_busy (dialog));
  g_assert_null (kt_basic_dialog_get_wait_message (dialog));
  sign_in_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), KT_TYPE_BASIC_DIALOG, "sign_in_button"));
  g_assert_true (gtk_widget_get_sensitive (sign_in_button));
  signin_settle (300);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, n_accounts);
  g_assert_null (outcome.account);

  /* Without the fault the same form signs in. */
  kt_sandbox_add_fault (limiting, "bare-429:0", &error);
  g_assert_no_error (error);
  kt_basic_dialog_submit (dialog);
  signin_wait_until (basic_closed, &outcome, "the Basic form to close after a good check");
  g_assert_nonnull (outcome.account);
  g_assert_cmpint (kt_account_get_company_id (outcome.account), ==, kt_sandbox_get_company_id (limiting));

  /* Later tests expect the store as it was. */
  kt_account_store_sign_out_async (store, outcome.account, NULL, NULL, NULL);
  signin_wait_until (store_has_one_less, GUINT_TO_POINTER (n_accounts), "the sign-out to remove the account");
  g_clear_object (&outcome.account);
  kt_sandbox_stop (limiting);
}

static void
test_basic_right (void)
{
  BasicOutcome outcome = { 0 };
  KtBasicDialog *dialog = open_basic_dialog (&outcome);
  g_autofree char *secret = NULL;
  g_autofree char *path = NULL;
  g_autofree char *file = NULL;

  kt_basic_dialog_fill (dialog, kt_sandbox_get_client_id (sandbox), kt_sandbox_get_client_secret (sandbox));
  path = signin_screenshot (GTK_WIDGET (dialog), screenshot_name ("signin-basic-form"));
  kt_basic_dialog_submit (dialog);
  signin_wait_until (basic_closed, &outcome, "the Basic form to close after a good check");

  g_assert_nonnull (outcome.account);
  g_assert_cmpint (kt_account_get_kind (outcome.account), ==, KT_AUTH_KIND_BASIC);
  g_assert_cmpint (kt_account_get_company_id (outcome.account), ==, kt_sandbox_get_company_id (sandbox));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  secret = keyring_basic_item ();
  g_file_get_contents (kt_account_store_get_path (store), &file, NULL, NULL);
  if (keyring_unlocked ())
    {
      g_assert_nonnull (secret);
      g_assert_nonnull (strstr (secret, kt_sandbox_get_client_secret (sandbox)));
      g_assert_nonnull (file);
      g_assert_null (strstr (file, kt_sandbox_get_client_secret (sandbox)));
    }
  else
    {
      /* Kept for this session only: neither keyring nor file has it. */
      g_assert_null (secret);
      g_assert_true (file == NULL || strstr (file, kt_sandbox_get_client_id (sandbox)) == NULL);
      g_assert_false (kt_account_store_get_keyring_available (store));
    }

  g_clear_object (&outcome.account);
}

static void
test_keyring_banner (void)
{
  KtWindow *window;
  GtkWidget *revealer;
  g_autofree char *path = NULL;

  window = g_object_new (KT_TYPE_WINDOW, "client", client, "account-store", store, NULL);
  gtk_window_present (GTK_WINDOW (window));
  signin_wait_for_mapped (GTK_WIDGET (window));

  /* The main window over the empty store: the welcome page, and the
   * keyring banner when there is no keyring. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_cmpstr (kt_window_get_state (window), ==, "welcome");
  revealer = find_widget (GTK_WIDGET (window), GTK_TYPE_REVEALER, NULL);
  g_assert_nonnull (revealer);
  if (keyring_unlocked ())
    {
      g_assert_null (kt_account_store_get_keyring_message (store));
      g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
    }
  else
    {
      g_assert_nonnull (kt_account_store_get_keyring_message (store));
      g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
    }
  path = signin_screenshot (GTK_WIDGET (window), screenshot_name ("signin-main-window"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The row is emptied once the save completes. Its title alone may still
 * show an earlier secret. */
static gboolean
secret_shown_saved (gpointer user_data)
{
  return *gtk_editable_get_text (GTK_EDITABLE (user_data)) == '\0' &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (user_data)),
                    "Client Secret (Saved)") == 0;
}

/* The visible apply button (a suggested action) inside @widget, or NULL. */
static GtkWidget *
find_visible_apply_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "suggested-action")
      && gtk_widget_is_visible (widget))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_visible_apply_button (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  KtPreferencesWindow *window = kt_preferences_window_new (settings, store);
  GtkWidget *client_id_row;
  GtkWidget *secret_row;
  GtkWidget *token_row;
  GtkWidget *revoke_row;
  GtkWidget *warning;
  GtkWidget *problem;
  GtkWidget *reset;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *path = NULL;
  g_autofree char *default_token_uri = g_settings_get_string (settings, "token-uri");

  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (default_token_uri, ==, "https://api.kounta.com/v1/token.json");

  /* The rows in template order: client id, client secret, redirect URI,
   * authorize, token, revoke, API, extra hosts. */
  client_id_row = find_widget (GTK_WIDGET (window), ADW_TYPE_ENTRY_ROW, NULL);
  secret_row = find_widget (GTK_WIDGET (window), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  g_assert_nonnull (client_id_row);
  g_assert_nonnull (secret_row);

  gtk_editable_set_text (GTK_EDITABLE (client_id_row), "my-addon");
  g_signal_emit_by_name (client_id_row, "apply");
  value = g_settings_get_string (settings, "client-id");
  g_assert_cmpstr (value, ==, "my-addon");

  gtk_editable_set_text (GTK_EDITABLE (secret_row), "my-addon-secret");
  g_signal_emit_by_name (secret_row, "apply");
  signin_wait_until (secret_shown_saved, secret_row, "the secret row to show “Client Secret (Saved)”");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (secret_row)), ==, "");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (secret_row)), ==,
                   "Client Secret (Saved)");
  /* The saved row says so in place, with no apply button left over. */
  signin_settle (200);
  g_assert_null (find_visible_apply_button (secret_row));
  g_assert_nonnull (find_label (secret_row, "Saved"));
  g_assert_true (gtk_widget_is_visible (find_label (secret_row, "Saved")));
  g_assert_true (gtk_widget_is_visible (find_label (client_id_row, "Saved")));

  kt_account_store_lookup_client_secret_async (store, "my-addon", NULL, signin_result_cb, &result);
  signin_wait_result (&result, "the client secret lookup");
  secret = kt_account_store_lookup_client_secret_finish (store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "my-addon-secret");

  /* GSettings never receives the secret. */
  g_free (value);
  value = g_settings_get_string (settings, "client-id");
  g_assert_null (strstr (value, "secret"));

  /* An invalid token URI is rejected and the setting keeps its value. */
  token_row = find_row (GTK_WIDGET (window), "Token URI");
  g_assert_nonnull (token_row);
  gtk_editable_set_text (GTK_EDITABLE (token_row), "ftp://example.com/token");
  g_signal_emit_by_name (token_row, "apply");
  g_free (value);
  value = g_settings_get_string (settings, "token-uri");
  g_assert_cmpstr (value, ==, default_token_uri);
  g_assert_true (gtk_widget_has_css_class (token_row, "error"));
  problem = find_label (GTK_WIDGET (window), "Token URI “ftp://example.com/token” must start with "
                                             "https:// or http://. Enter a full address such as "
                                             "https://api.kounta.com/v1/token.json.");
  g_assert_nonnull (problem);
  g_assert_true (gtk_widget_is_visible (problem));

  path = signin_screenshot (GTK_WIDGET (window), screenshot_name ("signin-preferences"));

  /* A revoke URI at the API root is saved with a warning that it
   * probably lacks the endpoint's path. */
  revoke_row = find_row (GTK_WIDGET (window), "Revoke URI");
  g_assert_nonnull (revoke_row);
  gtk_editable_set_text (GTK_EDITABLE (revoke_row), "http://127.0.0.1:8080/v1/");
  g_signal_emit_by_name (revoke_row, "apply");
  g_free (value);
  value = g_settings_get_string (settings, "revoke-uri");
  g_assert_cmpstr (value, ==, "http://127.0.0.1:8080/v1/");
  warning = find_label (GTK_WIDGET (window), "Revoke URI “http://127.0.0.1:8080/v1/” was saved, but it "
                                             "ends at the API root and probably lacks the endpoint’s "
                                             "path, as in https://api.kounta.com/v1/revoke.json.");
  g_assert_nonnull (warning);
  g_assert_true (gtk_widget_is_visible (warning));
  g_free (path);
  path = signin_screenshot (GTK_WIDGET (window), screenshot_name ("signin-preferences-api-root"));

  /* A full endpoint is saved without a warning. */
  gtk_editable_set_text (GTK_EDITABLE (revoke_row), "http://127.0.0.1:8080/v1/revoke.json");
  g_signal_emit_by_name (revoke_row, "apply");
  g_assert_false (gtk_widget_is_visible (warning));

  /* Reset puts Kounta's addresses back, and the message on the page
   * says so in place of the one about them. */
  reset = find_widget (GTK_WIDGET (window), GTK_TYPE_BUTTON, "_Reset");
  g_assert_nonnull (reset);
  g_signal_emit_by_name (reset, "clicked");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (token_row)), ==, default_token_uri);
  g_assert_false (gtk_widget_has_css_class (token_row, "error"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (problem)), ==, "Service addresses reset to Kounta’s.");

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_entry_row (GtkWidget  *window,
                const char *title)
{
  GtkWidget *row = find_row (window, title);

  g_assert_nonnull (row);
  return row;
}

static void
apply_row (GtkWidget  *row,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

static gboolean
secret_shown_missing (gpointer user_data)
{
  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (user_data)),
                    "Client Secret") == 0;
}

static char *
lookup_client_secret (const char *client_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  kt_account_store_lookup_client_secret_async (store, client_id, NULL, signin_result_cb, &result);
  signin_wait_result (&result, "the client secret lookup");
  secret = kt_account_store_lookup_client_secret_finish (store, result, &error);
  g_assert_no_error (error);

  return secret;
}

/* Returns the number of client-secret items in the keyring, whatever
 * their other attributes; 0 without a Secret Service. */
static guint
count_client_secret_items (void)
{
  g_autoptr(GHashTable) attributes = kt_secret_store_new_client_secret_attributes (NULL);
  g_autoptr(GError) error = NULL;
  GList *items;
  guint count;

  items = secret_password_searchv_sync (kt_secret_store_get_schema (), attributes,
                                        SECRET_SEARCH_ALL, NULL, &error);
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN))
    return 0;
  g_assert_no_error (error);
  count = g_list_length (items);
  g_list_free_full (items, g_object_unref);

  return count;
}

/* Saves the client id, the secret and the API URI in Preferences in the
 * order @secret_first gives, then checks the secret is found. */
static void
save_in_order (gboolean secret_first)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  KtPreferencesWindow *window = kt_preferences_window_new (settings, store);
  GtkWidget *client_id_row;
  GtkWidget *secret_row;
  GtkWidget *api_row;
  g_autofree char *secret = NULL;
  g_autofree char *api_uri = NULL;

  gtk_window_present (GTK_WINDOW (window));
  client_id_row = find_entry_row (GTK_WIDGET (window), "Client ID");
  secret_row = find_widget (GTK_WIDGET (window), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  api_row = find_entry_row (GTK_WIDGET (window), "API URI");
  g_assert_nonnull (secret_row);

  apply_row (client_id_row, "order-addon");
  if (secret_first)
    {
      apply_row (secret_row, "order-secret");
      signin_wait_until (secret_shown_saved, secret_row, "the secret row to show “Client Secret (Saved)”");
      apply_row (api_row, kt_sandbox_get_api_uri (sandbox));
    }
  else
    {
      apply_row (api_row, kt_sandbox_get_api_uri (sandbox));
      apply_row (secret_row, "order-secret");
      signin_wait_until (secret_shown_saved, secret_row, "the secret row to show “Client Secret (Saved)”");
    }

  api_uri = g_settings_get_string (settings, "api-uri");
  g_assert_cmpstr (api_uri, ==, kt_sandbox_get_api_uri (sandbox));
  secret = lookup_client_secret ("order-addon");
  g_assert_cmpstr (secret, ==, "order-secret");
  g_assert_cmpuint (count_client_secret_items (), ==, keyring_unlocked () ? 1 : 0);

  /* Another client id drops the secret of the first, in the keyring too. */
  apply_row (client_id_row, "other-addon");
  signin_wait_until (secret_shown_missing, secret_row, "the secret row to show “Client Secret”");
  g_clear_pointer (&secret, g_free);
  secret = lookup_client_secret ("order-addon");
  g_assert_null (secret);
  g_assert_cmpuint (count_client_secret_items (), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "client-id");
  g_settings_reset (settings, "api-uri");
}

static void
test_preferences_rejects (void)
{
  static const struct
  {
    const char *row;
    const char *key;
    const char *value;
    const char *message;
  } cases[] = {
    { "API URI", "api-uri", "https://api.kounta.com/v1/ with spaces",
      "API URI “https://api.kounta.com/v1/ with spaces” contains a space, which a URI cannot "
      "contain. Enter a full address such as https://api.kounta.com/v1/." },
    { "API URI", "api-uri", "ftp://api.kounta.com/v1/",
      "API URI “ftp://api.kounta.com/v1/” must start with https:// or http://. "
      "Enter a full address such as https://api.kounta.com/v1/." },
    { "API URI", "api-uri", "https:v1",
      "API URI “https:v1” has no host name. Enter a full address such as https://api.kounta.com/v1/." },
    { "Redirect URI", "redirect-uri", "not a uri",
      "Redirect URI “not a uri” contains a space, which a URI cannot contain. "
      "Enter a full address such as http://127.0.0.1/kounter/callback." },
    { "Redirect URI", "redirect-uri", "callback",
      "Redirect URI “callback” is not a valid absolute URI. "
      "Enter a full address such as http://127.0.0.1/kounter/callback." },
    { "Redirect URI", "redirect-uri", "http://127.0.0.1/<callback>",
      "Redirect URI “http://127.0.0.1/<callback>” contains the character “<”, which a URI "
      "cannot contain. Enter a full address such as http://127.0.0.1/kounter/callback." },
    { "Redirect URI", "redirect-uri", "kounter:/callback",
      "Redirect URI “kounter:/callback” must start with https:// or http://. "
      "Enter a full address such as http://127.0.0.1/kounter/callback." },
    { "Client ID", "client-id", "bad id <>\"&;",
      "Client ID “bad id <>\"&;” contains a space. A client id has only letters, digits and "
      "punctuation, without spaces. Copy it again from the add-on’s settings in Kounta." },
    { "Client ID", "client-id", "tab\tid",
      "Client ID “tab\tid” contains a control character. A client id has only letters, digits "
      "and punctuation, without spaces. Copy it again from the add-on’s settings in Kounta." },
    { "Client ID", "client-id", "café",
      "Client ID “café” contains the character “é”. A client id has only letters, digits and "
      "punctuation, without spaces. Copy it again from the add-on’s settings in Kounta." },
  };
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  KtPreferencesWindow *window;
  g_autofree char *path = NULL;

  g_settings_set_string (settings, "client-id", "good-id");
  window = kt_preferences_window_new (settings, store);
  gtk_window_present (GTK_WINDOW (window));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GtkWidget *row = find_row (GTK_WIDGET (window), cases[i].row);
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      GtkWidget *label;

      g_test_message ("%s: %s", cases[i].row, cases[i].value);
      g_assert_nonnull (row);
      before = g_settings_get_string (settings, cases[i].key);
      gtk_editable_set_text (GTK_EDITABLE (row), cases[i].value);
      g_signal_emit_by_name (row, "apply");

      after = g_settings_get_string (settings, cases[i].key);
      g_assert_cmpstr (after, ==, before);
      g_assert_true (gtk_widget_has_css_class (row, "error"));
      label = find_label (GTK_WIDGET (window), cases[i].message);
      g_assert_nonnull (label);
      g_assert_true (gtk_widget_is_visible (label));

      if (i == 0)
        path = signin_screenshot (GTK_WIDGET (window), screenshot_name ("signin-preferences-bad-api-uri"));
      if (i == 7)
        {
          g_free (path);
          path = signin_screenshot (GTK_WIDGET (window), screenshot_name ("signin-preferences-bad-client-id"));
        }
    }

  /* A valid value is still saved after the rejections. */
  {
    GtkWidget *row = find_row (GTK_WIDGET (window), "Redirect URI");
    g_autofree char *value = NULL;

    gtk_editable_set_text (GTK_EDITABLE (row), "http://127.0.0.1:8080/kounter/callback");
    g_signal_emit_by_name (row, "apply");
    value = g_settings_get_string (settings, "redirect-uri");
    g_assert_cmpstr (value, ==, "http://127.0.0.1:8080/kounter/callback");
    g_assert_false (gtk_widget_has_css_class (row, "error"));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "redirect-uri");
  g_settings_reset (settings, "client-id");
}

static void
test_secret_then_api_uri (void)
{
  save_in_order (TRUE);
}

static void
test_api_uri_then_secret (void)
{
  save_in_order (FALSE);
}

static void
test_message_focuses_secret (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  KtPreferencesWindow *window;
  const char *message = "Enter and save the client secret of add-on “a-rather-long-client-id”, "
                        "then sign in again.";
  GtkWidget *client_id_row;
  GtkWidget *secret_row;
  GtkWidget *label;
  GtkWidget *focus;
  g_autofree char *path = NULL;
  g_autofree char *client_id = NULL;

  g_settings_set_string (settings, "client-id", "a-rather-long-client-id");
  window = kt_preferences_window_new (settings, store);
  gtk_window_present (GTK_WINDOW (window));
  kt_preferences_window_show_message (window, message, KT_PREFERENCES_ROW_CLIENT_SECRET);
  signin_wait_for_mapped (GTK_WIDGET (window));

  client_id_row = find_entry_row (GTK_WIDGET (window), "Client ID");
  secret_row = find_widget (GTK_WIDGET (window), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, secret_row));
  g_assert_false (gtk_widget_is_ancestor (focus, client_id_row));

  /* The message is a wrapping label on the page, not a toast. */
  label = find_label (GTK_WIDGET (window), message);
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_true (gtk_label_get_wrap (GTK_LABEL (label)));
  g_assert_cmpint (gtk_label_get_ellipsize (GTK_LABEL (label)), ==, PANGO_ELLIPSIZE_NONE);
  path = signin_screenshot (GTK_WIDGET (window), screenshot_name ("signin-preferences-message"));

  /* Typing goes to the secret row; the client id stays as it was. */
  gtk_editable_set_text (GTK_EDITABLE (focus), "typed-secret");
  client_id = g_settings_get_string (settings, "client-id");
  g_assert_cmpstr (client_id, ==, "a-rather-long-client-id");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (client_id_row)), ==, "a-rather-long-client-id");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (secret_row)), ==, "typed-secret");

  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "client-id");
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/signin-basic/welcome", test_welcome);
  g_test_add_func ("/signin-basic/keyring-banner", test_keyring_banner);
  g_test_add_func ("/signin-basic/missing", test_basic_missing);
  g_test_add_func ("/signin-basic/wrong", test_basic_wrong);
  g_test_add_func ("/signin-basic/refused", test_basic_refused);
  g_test_add_func ("/signin-basic/server-error", test_basic_server_error);
  g_test_add_func ("/signin-basic/rate-limited", test_basic_rate_limited);
  g_test_add_func ("/signin-basic/right", test_basic_right);
  g_test_add_func ("/signin-basic/preferences", test_preferences);
  g_test_add_func ("/signin-basic/preferences-rejects", test_preferences_rejects);
  g_test_add_func ("/signin-basic/secret-then-api-uri", test_secret_then_api_uri);
  g_test_add_func ("/signin-basic/api-uri-then-secret", test_api_uri_then_secret);
  g_test_add_func ("/signin-basic/message-focuses-secret", test_message_focuses_secret);

  sandbox = kt_sandbox_new ();
  if (!kt_sandbox_start (sandbox, 0, &error))
    g_error ("Starting the sandbox failed: %s", error->message);
  client = kt_client_new ();
  store = signin_new_loaded_store (client);
  g_assert_cmpint (kt_account_store_get_keyring_available (store), ==, keyring_unlocked ());

  status = g_test_run ();

  kt_sandbox_stop (sandbox);
  g_clear_object (&store);
  g_clear_object (&client);
  g_clear_object (&sandbox);

  return status;
}
