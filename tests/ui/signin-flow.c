/* The OAuth 2.0 sign-in in a real WebKit view against the in-process
 * sandbox: login and permission pages driven by JavaScript, the keyring
 * afterwards, a second process on the same keyring, Deny, a link to
 * another host, and a search for leaked secrets on disk and in the log.
 * Runs inside tests/kt-test-env. */
#define G_LOG_DOMAIN "test-signin-flow"

#include "config.h"

#include <string.h>
#include <libsecret/secret.h>

#include "core/kt-secret-store.h"
#include "signin-helpers.h"

static KtSandbox *sandbox;
static KtClient *client;
static KtAccountStore *store;
/* Every log line of this process, to search for secrets at the end. */
static GString *captured_log;
/* The secrets of the first sign-in, to search for. */
static char *known_access_token;
static char *known_refresh_token;

typedef struct
{
  KtAccount *account;
  gboolean cancelled;
  gboolean destroyed;
  GPtrArray *external_uris;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_object (&outcome->account);
  g_clear_pointer (&outcome->external_uris, g_ptr_array_unref);
}

static void
on_signed_in_cb (KtSignInWindow *window,
                 KtAccount      *account,
                 Outcome        *outcome)
{
  g_set_object (&outcome->account, account);
}

static void
on_cancelled_cb (KtSignInWindow *window,
                 Outcome        *outcome)
{
  outcome->cancelled = TRUE;
}

static void
on_destroy_cb (GtkWidget *widget,
               Outcome   *outcome)
{
  outcome->destroyed = TRUE;
}

static void
on_open_external_cb (KtSignInWindow *window,
                     const char     *uri,
                     Outcome        *outcome)
{
  g_ptr_array_add (outcome->external_uris, g_strdup (uri));
  /* Keep the default handler from starting a browser in the test. */
  g_signal_stop_emission_by_name (window, "open-external");
}

static gboolean
window_finished (gpointer user_data)
{
  Outcome *outcome = user_data;

  return outcome->destroyed;
}

static gboolean
opened_externally (gpointer user_data)
{
  Outcome *outcome = user_data;

  return outcome->external_uris->len > 0;
}

static KtSignInWindow *
open_window (Outcome *outcome)
{
  g_autoptr(KtOAuthConfig) config = signin_sandbox_config (sandbox);
  KtSignInWindow *window;

  outcome->external_uris = g_ptr_array_new_with_free_func (g_free);
  window = kt_sign_in_window_new (client, store, config, NULL, FALSE);
  g_signal_connect (window, "signed-in", G_CALLBACK (on_signed_in_cb), outcome);
  g_signal_connect (window, "cancelled", G_CALLBACK (on_cancelled_cb), outcome);
  g_signal_connect (window, "destroy", G_CALLBACK (on_destroy_cb), outcome);
  g_signal_connect (window, "open-external", G_CALLBACK (on_open_external_cb), outcome);
  gtk_window_present (GTK_WINDOW (window));
  kt_sign_in_window_start (window);

  return window;
}

static void
log_in (KtSignInWindow *window)
{
  g_autofree char *script = NULL;
  g_autofree char *ignored = NULL;

  signin_wait_for_element (window, "email");
  script = g_strdup_printf ("document.getElementById('email').value = '%s';"
                            "document.getElementById('password').value = '%s';"
                            "document.getElementById('sign-in').click(); 'sent'",
                            kt_sandbox_get_login_email (sandbox),
                            kt_sandbox_get_login_password (sandbox));
  ignored = signin_run_js (kt_sign_in_window_get_web_view (window), script);
  signin_wait_for_element (window, "allow");
}

static void
click (KtSignInWindow *window,
       const char     *element_id)
{
  g_autofree char *script = g_strdup_printf ("document.getElementById('%s').click(); 'clicked'",
                                             element_id);
  g_autofree char *ignored = signin_run_js (kt_sign_in_window_get_web_view (window), script);
}

static char *
keyring_item (gint64 company_id)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  attributes = kt_secret_store_new_attributes (KT_SECRET_KIND_OAUTH,
                                               kt_sandbox_get_api_uri (sandbox),
                                               kt_sandbox_get_client_id (sandbox),
                                               company_id);
  secret = secret_password_lookupv_sync (kt_secret_store_get_schema (), attributes, NULL, &error);
  g_assert_no_error (error);

  return secret;
}

static void
test_flow (void)
{
  Outcome outcome = { 0 };
  KtSignInWindow *window;
  const KtToken *token;
  g_autofree char *secret = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *path = NULL;

  window = open_window (&outcome);
  signin_wait_for_element (window, "email");
  /* WebKit paints the first page of a new view a few seconds after it
   * loads under Xvfb. */
  signin_settle (3000);
  path = signin_screenshot (GTK_WIDGET (window), "signin-login.png");

  log_in (window);
  g_clear_pointer (&path, g_free);
  path = signin_screenshot (GTK_WIDGET (window), "signin-permission.png");
  uri = g_strdup (webkit_web_view_get_uri (kt_sign_in_window_get_web_view (window)));
  g_assert_true (g_str_has_prefix (uri, kt_sandbox_get_base_uri (sandbox)));

  click (window, "allow");
  signin_wait_until (window_finished, &outcome, "the sign-in window to close");

  g_assert_false (outcome.cancelled);
  g_assert_nonnull (outcome.account);
  g_assert_cmpint (kt_account_get_company_id (outcome.account), ==, kt_sandbox_get_company_id (sandbox));
  g_assert_cmpstr (kt_account_get_company_name (outcome.account), ==, kt_sandbox_get_company_name (sandbox));
  g_assert_false (kt_account_get_demo (outcome.account));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  /* One code, exchanged once; the company read as the 302 and the record. */
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:authorization_code"), ==, 1);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "authorize:allow"), ==, 1);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api"), ==, 2);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:302"), >=, 1);

  token = kt_account_get_token (outcome.account);
  g_assert_nonnull (token);
  g_assert_nonnull (token->refresh_token);
  g_assert_nonnull (token->access_token);
  known_refresh_token = g_strdup (token->refresh_token);
  known_access_token = g_strdup (token->access_token);

  secret = keyring_item (kt_sandbox_get_company_id (sandbox));
  g_assert_nonnull (secret);
  g_assert_nonnull (strstr (secret, token->refresh_token));
  g_assert_nonnull (strstr (secret, token->access_token));

  outcome_clear (&outcome);
}

static void
test_restart (void)
{
  g_autofree char *pattern = NULL;

  if (g_test_subprocess ())
    {
      /* A second process on the same D-Bus session and keyring. */
      g_autoptr(KtClient) second_client = kt_client_new ();
      g_autoptr(KtAccountStore) second_store = signin_new_loaded_store (second_client);
      g_autoptr(KtAccount) account = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (second_store)), ==, 1);
      account = g_list_model_get_item (G_LIST_MODEL (second_store), 0);
      g_assert_nonnull (kt_account_get_token (account));
      g_assert_false (kt_token_needs_refresh (kt_account_get_token (account), g_get_real_time ()));

      kt_client_fetch_company_async (second_client, account, NULL, signin_result_cb, &result);
      signin_wait_result (&result, "the company in the second process");
      g_assert_true (kt_client_fetch_company_finish (second_client, result, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (kt_account_get_company_name (account), !=, NULL);
      return;
    }

  g_assert_nonnull (known_refresh_token);

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();

  /* The stored access token was still valid: no refresh was needed. */
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:refresh_token"), ==, 0);

  /* The second process logged everything (G_MESSAGES_DEBUG=all) and
   * still never printed a secret. */
  pattern = g_strdup_printf ("*%s*", known_refresh_token);
  g_test_trap_assert_stdout_unmatched (pattern);
  g_test_trap_assert_stderr_unmatched (pattern);
  g_free (pattern);
  pattern = g_strdup_printf ("*%s*", known_access_token);
  g_test_trap_assert_stdout_unmatched (pattern);
  g_test_trap_assert_stderr_unmatched (pattern);
  g_free (pattern);
  pattern = g_strdup_printf ("*%s*", kt_sandbox_get_client_secret (sandbox));
  g_test_trap_assert_stdout_unmatched (pattern);
  g_test_trap_assert_stderr_unmatched (pattern);
}

static void
test_deny (void)
{
  Outcome outcome = { 0 };
  KtSignInWindow *window;
  guint exchanges = kt_sandbox_get_counter (sandbox, "token:authorization_code");
  guint accounts = g_list_model_get_n_items (G_LIST_MODEL (store));

  window = open_window (&outcome);
  log_in (window);
  click (window, "deny");
  signin_wait_until (window_finished, &outcome, "the sign-in window to close after Deny");

  g_assert_true (outcome.cancelled);
  g_assert_null (outcome.account);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "authorize:deny"), ==, 1);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:authorization_code"), ==, exchanges);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, accounts);

  outcome_clear (&outcome);
}

static GtkWidget *
find_label_containing (GtkWidget  *widget,
                       const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_containing (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_other_host (void)
{
  Outcome outcome = { 0 };
  KtSignInWindow *window;
  g_autofree char *before = NULL;
  g_autofree char *href = NULL;
  g_autofree char *path = NULL;

  window = open_window (&outcome);
  signin_wait_for_element (window, "forgot-password");
  before = g_strdup (webkit_web_view_get_uri (kt_sign_in_window_get_web_view (window)));
  href = signin_run_js (kt_sign_in_window_get_web_view (window),
                        "document.getElementById('forgot-password').href");
  g_assert_nonnull (href);
  g_assert_false (g_str_has_prefix (href, kt_sandbox_get_base_uri (sandbox)));

  click (window, "forgot-password");
  signin_wait_until (opened_externally, &outcome, "the link to open in the browser");

  g_assert_cmpuint (outcome.external_uris->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (outcome.external_uris, 0), ==, href);
  g_assert_cmpstr (webkit_web_view_get_uri (kt_sign_in_window_get_web_view (window)), ==, before);
  g_assert_cmpint (kt_sign_in_window_get_status (window), ==, KT_SIGN_IN_STATUS_PAGE);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (window), "Opened www.example.com in your browser"));
  path = signin_screenshot (GTK_WIDGET (window), "signin-other-host.png");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (outcome.destroyed);
  outcome_clear (&outcome);
}

static void
test_close_cancels (void)
{
  Outcome outcome = { 0 };
  KtSignInWindow *window;
  guint accounts = g_list_model_get_n_items (G_LIST_MODEL (store));

  window = open_window (&outcome);
  log_in (window);
  /* Closing the window the way the title bar does it. */
  gtk_window_close (GTK_WINDOW (window));
  signin_wait_until (window_finished, &outcome, "the sign-in window to close");
  /* Nothing was in flight; run whatever the close queued. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_false (outcome.cancelled);
  g_assert_null (outcome.account);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, accounts);

  outcome_clear (&outcome);
}

static gboolean
contains_bytes (const char *haystack,
                gsize       length,
                const char *needle)
{
  gsize needle_length = strlen (needle);

  for (gsize i = 0; needle_length > 0 && i + needle_length <= length; i++)
    {
      if (haystack[i] == needle[0] && memcmp (haystack + i, needle, needle_length) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
test_sign_out (void)
{
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) refreshed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *file = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  account = g_list_model_get_item (G_LIST_MODEL (store), 0);

  kt_account_store_sign_out_async (store, account, NULL, signin_result_cb, &result);
  signin_wait_result (&result, "the sign-out");
  g_assert_true (kt_account_store_sign_out_finish (store, result, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "revoke"), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  secret = keyring_item (kt_sandbox_get_company_id (sandbox));
  g_assert_null (secret);
  g_assert_true (g_file_get_contents (kt_account_store_get_path (store), &file, NULL, NULL));
  g_assert_null (strstr (file, kt_sandbox_get_client_id (sandbox)));

  /* The server no longer accepts the revoked refresh token. */
  kt_client_refresh_async (client, account, NULL, signin_result_cb, &refreshed);
  signin_wait_result (&refreshed, "a refresh with the revoked token");
  g_assert_false (kt_client_refresh_finish (client, refreshed, &error));
  g_assert_nonnull (error);
}

/* Fails when a file under @path contains one of @needles. */
static void
assert_tree_clean (const char         *path,
                   const char * const *needles,
                   guint              *files_checked)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          assert_tree_clean (child, needles, files_checked);
          continue;
        }

      if (!g_file_test (child, G_FILE_TEST_IS_REGULAR) ||
          !g_file_get_contents (child, &contents, &length, NULL))
        continue;

      (*files_checked)++;
      for (guint i = 0; needles[i] != NULL; i++)
        {
          if (contains_bytes (contents, length, needles[i]))
            g_error ("The file %s contains a secret (needle %u)", child, i);
        }
    }
}

/* Fails when a regular file directly in @path contains one of @needles;
 * for shared directories such as /tmp, whose subdirectories belong to
 * other programs. */
static void
assert_files_clean (const char         *path,
                    const char * const *needles,
                    guint              *files_checked)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK) ||
          !g_file_test (child, G_FILE_TEST_IS_REGULAR) ||
          !g_file_get_contents (child, &contents, &length, NULL))
        continue;

      (*files_checked)++;
      for (guint i = 0; needles[i] != NULL; i++)
        {
          if (contains_bytes (contents, length, needles[i]))
            g_error ("The file %s contains a secret (needle %u)", child, i);
        }
    }
}

static void
test_no_secrets_leaked (void)
{
  const char *root = g_getenv ("KT_TEST_ROOT");
  const char *needles[4];
  const char *tokens[3];
  guint files_checked = 0;

  g_assert_nonnull (root);
  g_assert_nonnull (known_refresh_token);
  needles[0] = known_refresh_token;
  needles[1] = known_access_token;
  needles[2] = kt_sandbox_get_client_secret (sandbox);
  needles[3] = NULL;

  /* HOME, every XDG directory and TMPDIR live under KT_TEST_ROOT. */
  assert_tree_clean (root, needles, &files_checked);
  assert_tree_clean (g_get_tmp_dir (), needles, &files_checked);
  /* Outside the test's tree only the tokens are searched: the sandbox's
   * client secret is a fixed demo value that kounter-sandbox prints. */
  tokens[0] = known_refresh_token;
  tokens[1] = known_access_token;
  tokens[2] = NULL;
  assert_files_clean ("/tmp", tokens, &files_checked);
  g_test_message ("Searched %u files for secrets", files_checked);
  g_assert_cmpuint (files_checked, >, 0);

  g_assert_cmpuint (captured_log->len, >, 0);
  for (guint i = 0; needles[i] != NULL; i++)
    g_assert_null (strstr (captured_log->str, needles[i]));
}

static GLogWriterOutput
capture_log_writer (GLogLevelFlags   log_level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         user_data)
{
  g_autofree char *line = g_log_writer_format_fields (log_level, fields, n_fields, FALSE);

  g_string_append (captured_log, line);
  g_string_append_c (captured_log, '\n');

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* Log everything, so the search for secrets covers debug output too. */
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  captured_log = g_string_new (NULL);
  g_log_set_writer_func (capture_log_writer, NULL, NULL);

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/signin/flow", test_flow);
  g_test_add_func ("/signin/restart", test_restart);
  g_test_add_func ("/signin/deny", test_deny);
  g_test_add_func ("/signin/other-host", test_other_host);
  g_test_add_func ("/signin/close-cancels", test_close_cancels);
  g_test_add_func ("/signin/sign-out", test_sign_out);
  g_test_add_func ("/signin/no-secrets-leaked", test_no_secrets_leaked);

  client = kt_client_new ();
  if (!g_test_subprocess ())
    {
      sandbox = kt_sandbox_new ();
      if (!kt_sandbox_start (sandbox, 0, &error))
        g_error ("Starting the sandbox failed: %s", error->message);
      store = signin_new_loaded_store (client);
      g_assert_true (kt_account_store_get_keyring_available (store));
    }

  status = g_test_run ();

  if (sandbox != NULL)
    kt_sandbox_stop (sandbox);
  g_clear_object (&store);
  g_clear_object (&client);
  g_clear_object (&sandbox);
  g_clear_pointer (&known_access_token, g_free);
  g_clear_pointer (&known_refresh_token, g_free);

  return status;
}
