/* Error states of the sign-in window against the in-process sandbox: a
 * changed state, redirect look-alikes, an error from the service, a
 * self-signed certificate, and a server that is down, then back for
 * Retry. Runs inside tests/kt-test-env. */
#define G_LOG_DOMAIN "test-signin-errors"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "signin-helpers.h"

static KtClient *client;
static KtAccountStore *store;

typedef struct
{
  gboolean cancelled;
  gboolean signed_in;
  GPtrArray *external_uris;
} Outcome;

static void
on_signed_in_cb (KtSignInWindow *window,
                 KtAccount      *account,
                 Outcome        *outcome)
{
  outcome->signed_in = TRUE;
}

static void
on_cancelled_cb (KtSignInWindow *window,
                 Outcome        *outcome)
{
  outcome->cancelled = TRUE;
}

static void
on_open_external_cb (KtSignInWindow *window,
                     const char     *uri,
                     Outcome        *outcome)
{
  g_ptr_array_add (outcome->external_uris, g_strdup (uri));
  g_signal_stop_emission_by_name (window, "open-external");
}

static KtSandbox *
start_sandbox (const char      *fault,
               GTlsCertificate *certificate,
               guint16          port)
{
  KtSandbox *sandbox = kt_sandbox_new ();
  g_autoptr(GError) error = NULL;

  if (fault != NULL)
    {
      kt_sandbox_add_fault (sandbox, fault, &error);
      g_assert_no_error (error);
    }
  if (certificate != NULL)
    g_object_set (sandbox, "tls-certificate", certificate, NULL);

  kt_sandbox_start (sandbox, port, &error);
  g_assert_no_error (error);

  return sandbox;
}

static KtSignInWindow *
open_window_with_hosts (KtSandbox          *sandbox,
                        const char * const *extra_hosts,
                        Outcome            *outcome)
{
  g_autoptr(KtOAuthConfig) config = signin_sandbox_config (sandbox);
  KtSignInWindow *window;

  outcome->external_uris = g_ptr_array_new_with_free_func (g_free);
  window = kt_sign_in_window_new (client, store, config, extra_hosts, FALSE);
  g_signal_connect (window, "signed-in", G_CALLBACK (on_signed_in_cb), outcome);
  g_signal_connect (window, "cancelled", G_CALLBACK (on_cancelled_cb), outcome);
  g_signal_connect (window, "open-external", G_CALLBACK (on_open_external_cb), outcome);
  gtk_window_present (GTK_WINDOW (window));
  kt_sign_in_window_start (window);

  return window;
}

static KtSignInWindow *
open_window (KtSandbox *sandbox,
             Outcome   *outcome)
{
  return open_window_with_hosts (sandbox, NULL, outcome);
}

static void
close_window (KtSignInWindow *window,
              Outcome        *outcome)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_pointer (&outcome->external_uris, g_ptr_array_unref);
}

static void
run_script (KtSignInWindow *window,
            const char     *script)
{
  g_autofree char *ignored = signin_run_js (kt_sign_in_window_get_web_view (window), script);
}

static char *
page_state (KtSignInWindow *window)
{
  return signin_run_js (kt_sign_in_window_get_web_view (window),
                        "new URLSearchParams(location.search).get('state')");
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (g_type_is_a (G_OBJECT_TYPE (widget), type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_changed_state (void)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox ("changed-state", NULL, 0);
  Outcome outcome = { 0 };
  KtSignInWindow *window = open_window (sandbox, &outcome);
  g_autofree char *script = NULL;
  g_autofree char *path = NULL;
  g_autofree char *state = NULL;
  g_autofree char *replay = NULL;

  signin_wait_for_element (window, "email");
  script = g_strdup_printf ("document.getElementById('email').value = '%s';"
                            "document.getElementById('password').value = '%s';"
                            "document.getElementById('sign-in').click(); 'sent'",
                            kt_sandbox_get_login_email (sandbox),
                            kt_sandbox_get_login_password (sandbox));
  run_script (window, script);
  signin_wait_for_element (window, "allow");
  run_script (window, "document.getElementById('allow').click(); 'clicked'");
  signin_wait_for_status (window, KT_SIGN_IN_STATUS_FAILED);

  g_assert_nonnull (strstr (kt_sign_in_window_get_error_message (window), "state"));
  g_assert_false (outcome.signed_in);
  g_assert_false (outcome.cancelled);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "authorize:allow"), ==, 1);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:authorization_code"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  path = signin_screenshot (GTK_WIDGET (window), "signin-error-state.png");

  /* The same window reporting a redirect again, now with the state it
   * sent, still exchanges nothing: a redirect is handled once. */
  state = signin_run_js (kt_sign_in_window_get_web_view (window),
                         "document.querySelector('input[name=state]').value");
  g_assert_nonnull (state);
  g_free (script);
  replay = g_strdup_printf ("%s?code=replayed&state=%s", kt_sandbox_get_redirect_uri (sandbox), state);
  script = g_strdup_printf ("location.href = '%s'; 'sent'", replay);
  signin_run_js_until_decided (window, script, replay);
  g_assert_cmpint (kt_sign_in_window_get_status (window), ==, KT_SIGN_IN_STATUS_FAILED);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:authorization_code"), ==, 0);
  g_assert_false (outcome.signed_in);

  close_window (window, &outcome);
  kt_sandbox_stop (sandbox);
}

static gboolean
company_request_held (gpointer user_data)
{
  return kt_sandbox_get_counter (KT_SANDBOX (user_data), "fault:slow") > 0;
}

static void
test_close_while_exchanging (void)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox ("slow", NULL, 0);
  Outcome outcome = { 0 };
  KtSignInWindow *window = open_window (sandbox, &outcome);
  g_autofree char *script = NULL;
  double delay = 0;

  signin_wait_for_element (window, "email");
  script = g_strdup_printf ("document.getElementById('email').value = '%s';"
                            "document.getElementById('password').value = '%s';"
                            "document.getElementById('sign-in').click(); 'sent'",
                            kt_sandbox_get_login_email (sandbox),
                            kt_sandbox_get_login_password (sandbox));
  run_script (window, script);
  signin_wait_for_element (window, "allow");
  run_script (window, "document.getElementById('allow').click(); 'clicked'");
  signin_wait_for_status (window, KT_SIGN_IN_STATUS_EXCHANGING);
  signin_wait_until (company_request_held, sandbox, "the company request to be held back");

  /* The company request is held back by the "slow" fault; closing the
   * window now must cancel it and save nothing. Nothing signals that a
   * cancelled request stays without effect, so the test watches for
   * longer than the hold-back lasts. */
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  g_object_get (sandbox, "fault-delay", &delay, NULL);
  signin_settle ((guint) (delay * 1000) + 1000);

  g_assert_cmpint (kt_sign_in_window_get_status (window), ==, KT_SIGN_IN_STATUS_EXCHANGING);
  g_assert_false (outcome.signed_in);
  g_assert_false (outcome.cancelled);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_false (kt_account_store_get_busy (store));

  g_object_unref (window);
  g_clear_pointer (&outcome.external_uris, g_ptr_array_unref);
  kt_sandbox_stop (sandbox);
}

static void
test_lookalike_redirects (void)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox (NULL, NULL, 0);
  Outcome outcome = { 0 };
  KtSignInWindow *window = open_window (sandbox, &outcome);
  const char *redirect = kt_sandbox_get_redirect_uri (sandbox);
  g_autofree char *state = NULL;
  g_autofree char *inside = NULL;
  g_autofree char *longer_path = NULL;
  g_autofree char *other_port = NULL;
  g_autofree char *script = NULL;
  g_autoptr(GUri) redirect_uri = g_uri_parse (redirect, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (redirect_uri);
  signin_wait_for_element (window, "email");
  state = page_state (window);
  g_assert_nonnull (state);

  /* A page of the sandbox whose query carries the whole redirect URI. */
  inside = g_strdup_printf ("%s/lookalike?next=%s%%3Fcode%%3Dfake%%26state%%3D%s",
                            kt_sandbox_get_base_uri (sandbox), redirect, state);
  script = g_strdup_printf ("location.href = '%s'; 'sent'", inside);
  run_script (window, script);
  signin_wait_for_uri (window, inside);
  g_assert_cmpstr (webkit_web_view_get_uri (kt_sign_in_window_get_web_view (window)), ==, inside);

  /* The redirect URI's path with more after it. */
  longer_path = g_strdup_printf ("%s-evil?code=fake&state=%s", redirect, state);
  g_free (script);
  script = g_strdup_printf ("location.href = '%s'; 'sent'", longer_path);
  signin_run_js_until_decided (window, script, longer_path);

  /* The same path on another port. */
  other_port = g_strdup_printf ("%s://%s:%d%s?code=fake&state=%s",
                                g_uri_get_scheme (redirect_uri), g_uri_get_host (redirect_uri),
                                g_uri_get_port (redirect_uri) == 8081 ? 8082 : 8081,
                                g_uri_get_path (redirect_uri), state);
  g_free (script);
  script = g_strdup_printf ("location.href = '%s'; 'sent'", other_port);
  signin_run_js_until_decided (window, script, other_port);

  g_assert_cmpint (kt_sign_in_window_get_status (window), ==, KT_SIGN_IN_STATUS_PAGE);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:authorization_code"), ==, 0);
  g_assert_false (outcome.signed_in);
  g_assert_false (outcome.cancelled);
  /* Neither look-alike loaded in the view: they went to the browser. */
  g_assert_cmpuint (outcome.external_uris->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (outcome.external_uris, 0), ==, longer_path);
  g_assert_cmpstr (g_ptr_array_index (outcome.external_uris, 1), ==, other_port);
  g_assert_cmpstr (webkit_web_view_get_uri (kt_sign_in_window_get_web_view (window)), ==, inside);

  close_window (window, &outcome);
  kt_sandbox_stop (sandbox);
}

static void
test_service_error (void)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox (NULL, NULL, 0);
  Outcome outcome = { 0 };
  KtSignInWindow *window = open_window (sandbox, &outcome);
  g_autofree char *state = NULL;
  g_autofree char *script = NULL;
  g_autofree char *path = NULL;

  signin_wait_for_element (window, "email");
  state = page_state (window);
  script = g_strdup_printf ("location.href = '%s?error=temporarily_unavailable"
                            "&error_description=Kounta%%20is%%20down%%20for%%20maintenance"
                            "&state=%s'; 'sent'",
                            kt_sandbox_get_redirect_uri (sandbox), state);
  run_script (window, script);
  signin_wait_for_status (window, KT_SIGN_IN_STATUS_FAILED);

  g_assert_nonnull (strstr (kt_sign_in_window_get_error_message (window),
                            "Kounta is down for maintenance"));
  g_assert_false (outcome.cancelled);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:authorization_code"), ==, 0);
  path = signin_screenshot (GTK_WIDGET (window), "signin-error-service.png");

  close_window (window, &outcome);
  kt_sandbox_stop (sandbox);
}

static void
test_extra_host (void)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox (NULL, NULL, 0);
  const char *extra_hosts[] = { "login.invalid", " LOCALHOST ", NULL };
  Outcome outcome = { 0 };
  KtSignInWindow *window = open_window_with_hosts (sandbox, extra_hosts, &outcome);
  g_autofree char *other = NULL;
  g_autofree char *script = NULL;

  signin_wait_for_element (window, "email");

  /* The same server under a host name listed in Preferences loads in
   * the view, although it is not the authorize URI's host. */
  other = g_strdup_printf ("http://localhost:%u/single-sign-on", kt_sandbox_get_port (sandbox));
  script = g_strdup_printf ("location.href = '%s'; 'sent'", other);
  run_script (window, script);
  signin_wait_for_uri (window, other);

  g_assert_cmpstr (webkit_web_view_get_uri (kt_sign_in_window_get_web_view (window)), ==, other);
  g_assert_cmpuint (outcome.external_uris->len, ==, 0);

  close_window (window, &outcome);
  kt_sandbox_stop (sandbox);
}

static GTlsCertificate *
new_self_signed_certificate (void)
{
  g_autofree char *dir = g_dir_make_tmp ("signin-tls-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
    "-keyout", key, "-out", cert, "-days", "2",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    NULL
  };
  int wait_status = 0;

  g_assert_nonnull (dir);
  g_spawn_sync (NULL, (char **) argv, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));

  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);

  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);

  return g_steal_pointer (&certificate);
}

static void
test_tls_refused (void)
{
  g_autoptr(GTlsCertificate) certificate = new_self_signed_certificate ();
  g_autoptr(KtSandbox) sandbox = start_sandbox (NULL, certificate, 0);
  Outcome outcome = { 0 };
  KtSignInWindow *window;
  GtkWidget *retry;
  const char *message;
  g_autofree char *path = NULL;

  g_assert_true (g_str_has_prefix (kt_sandbox_get_authorize_uri (sandbox), "https://"));
  window = open_window (sandbox, &outcome);
  signin_wait_for_status (window, KT_SIGN_IN_STATUS_FAILED);

  message = kt_sign_in_window_get_error_message (window);
  g_assert_nonnull (strstr (message, "certificate"));
  g_assert_nonnull (strstr (message, "127.0.0.1"));
  g_assert_nonnull (strstr (message, "trusted certificate authority"));
  /* No page of the server was shown, and there is no way to go on. */
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "login"), ==, 0);
  retry = find_button (GTK_WIDGET (window), "_Retry");
  g_assert_nonnull (retry);
  g_assert_false (gtk_widget_get_visible (retry));
  path = signin_screenshot (GTK_WIDGET (window), "signin-error-tls.png");

  close_window (window, &outcome);
  kt_sandbox_stop (sandbox);
}

static void
test_https_details (void)
{
  g_autoptr(GTlsCertificate) certificate = new_self_signed_certificate ();
  g_autoptr(KtSandbox) sandbox = start_sandbox (NULL, certificate, 0);
  g_autoptr(KtOAuthConfig) config = signin_sandbox_config (sandbox);
  Outcome outcome = { 0 };
  KtSignInWindow *window;
  WebKitWebView *web_view;
  GtkWidget *button;
  GtkPopover *popover;
  GtkWidget *details;
  const char *text;
  g_autofree char *path = NULL;

  /* The app never accepts an untrusted certificate. The test does so
   * through WebKit itself, to see the certificate details of an HTTPS
   * page. */
  outcome.external_uris = g_ptr_array_new_with_free_func (g_free);
  window = kt_sign_in_window_new (client, store, config, NULL, FALSE);
  web_view = kt_sign_in_window_get_web_view (window);
  webkit_network_session_allow_tls_certificate_for_host (webkit_web_view_get_network_session (web_view),
                                                         certificate, "127.0.0.1");
  gtk_window_present (GTK_WINDOW (window));
  kt_sign_in_window_start (window);
  signin_wait_for_element (window, "email");

  button = find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (button);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  signin_wait_for_mapped (GTK_WIDGET (popover));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (popover)));

  /* WebKit still reports the certificate's errors, and the header says so. */
  g_assert_cmpstr (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (button)), ==,
                   "channel-insecure-symbolic");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (find_widget (GTK_WIDGET (popover), GTK_TYPE_LABEL))),
                            "is not trusted"));

  /* The second label of the popover lists the certificate. */
  details = gtk_widget_get_next_sibling (find_widget (GTK_WIDGET (popover), GTK_TYPE_LABEL));
  g_assert_true (GTK_IS_LABEL (details));
  text = gtk_label_get_label (GTK_LABEL (details));
  g_assert_nonnull (strstr (text, "Issued to: CN=127.0.0.1"));
  g_assert_nonnull (strstr (text, "Issued by: CN=127.0.0.1"));
  g_assert_nonnull (strstr (text, "Valid until:"));
  path = signin_screenshot (GTK_WIDGET (popover), "signin-security-https.png");
  gtk_popover_popdown (popover);

  close_window (window, &outcome);
  kt_sandbox_stop (sandbox);
}

static void
test_offline_retry (void)
{
  g_autoptr(KtSandbox) probe = start_sandbox (NULL, NULL, 0);
  g_autoptr(KtSandbox) sandbox = NULL;
  guint16 port = kt_sandbox_get_port (probe);
  Outcome outcome = { 0 };
  KtSignInWindow *window;
  GtkWidget *retry;
  g_autofree char *path = NULL;

  /* The probe only reserves a free port; with it stopped, nothing listens. */
  kt_sandbox_stop (probe);
  window = open_window (probe, &outcome);
  signin_wait_for_status (window, KT_SIGN_IN_STATUS_FAILED);

  g_assert_nonnull (strstr (kt_sign_in_window_get_error_message (window), "127.0.0.1"));
  retry = find_button (GTK_WIDGET (window), "_Retry");
  g_assert_nonnull (retry);
  g_assert_true (gtk_widget_get_visible (retry));
  path = signin_screenshot (GTK_WIDGET (window), "signin-error-offline.png");

  sandbox = start_sandbox (NULL, NULL, port);
  g_signal_emit_by_name (retry, "clicked");
  signin_wait_for_element (window, "email");
  g_assert_null (kt_sign_in_window_get_error_message (window));
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "authorize"), ==, 1);

  close_window (window, &outcome);
  kt_sandbox_stop (sandbox);
}

static void
test_security_details (void)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox (NULL, NULL, 0);
  Outcome outcome = { 0 };
  KtSignInWindow *window = open_window (sandbox, &outcome);
  GtkWidget *button;
  GtkPopover *popover;
  g_autofree char *path = NULL;

  signin_wait_for_element (window, "email");
  button = find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON);
  g_assert_true (GTK_IS_MENU_BUTTON (button));
  g_assert_cmpstr (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (button)), ==,
                   "channel-insecure-symbolic");

  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  signin_wait_for_mapped (GTK_WIDGET (popover));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (popover)));
  path = signin_screenshot (GTK_WIDGET (popover), "signin-security-popover.png");
  gtk_popover_popdown (popover);

  close_window (window, &outcome);
  kt_sandbox_stop (sandbox);
}

static gboolean
window_shows_wait (gpointer user_data)
{
  return kt_sign_in_window_get_wait_message (KT_SIGN_IN_WINDOW (user_data)) != NULL;
}

static void
test_rate_limited_company (void)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox ("bare-429", NULL, 0);
  g_autoptr(GRegex) pattern = g_regex_new ("^Kounta is limiting requests; trying again in [0-9]+ s$", 0, 0, NULL);
  Outcome outcome = { 0 };
  KtSignInWindow *window = open_window (sandbox, &outcome);
  g_autofree char *script = NULL;
  GtkWidget *cancel_button;
  guint company_requests;

  signin_wait_for_element (window, "email");
  script = g_strdup_printf ("document.getElementById('email').value = '%s';"
                            "document.getElementById('password').value = '%s';"
                            "document.getElementById('sign-in').click(); 'sent'",
                            kt_sandbox_get_login_email (sandbox),
                            kt_sandbox_get_login_password (sandbox));
  run_script (window, script);
  signin_wait_for_element (window, "allow");
  run_script (window, "document.getElementById('allow').click(); 'clicked'");

  /* Every API request is answered 429 without rate headers, so reading
   * the company waits one, two, four… seconds between tries. */
  signin_wait_until (window_shows_wait, window, "the sign-in window to show the rate-limit wait");
  g_test_message ("%s", kt_sign_in_window_get_wait_message (window));
  g_assert_true (g_regex_match (pattern, kt_sign_in_window_get_wait_message (window), 0, NULL));
  cancel_button = find_button (GTK_WIDGET (window), "_Cancel");
  g_assert_nonnull (cancel_button);
  g_assert_true (gtk_widget_get_mapped (cancel_button));
  g_free (signin_screenshot (GTK_WIDGET (window), "signin-rate-limited-company.png"));

  /* Cancel ends the sign-in: no more requests and nothing saved. */
  g_object_ref (window);
  g_signal_emit_by_name (cancel_button, "clicked");
  g_assert_true (outcome.cancelled);
  company_requests = kt_sandbox_get_counter (sandbox, "api");
  signin_settle (2500);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api"), ==, company_requests);
  g_assert_false (outcome.signed_in);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  g_object_unref (window);
  g_clear_pointer (&outcome.external_uris, g_ptr_array_unref);
  kt_sandbox_stop (sandbox);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/signin-errors/changed-state", test_changed_state);
  g_test_add_func ("/signin-errors/close-while-exchanging", test_close_while_exchanging);
  g_test_add_func ("/signin-errors/rate-limited-company", test_rate_limited_company);
  g_test_add_func ("/signin-errors/lookalike-redirects", test_lookalike_redirects);
  g_test_add_func ("/signin-errors/service-error", test_service_error);
  g_test_add_func ("/signin-errors/extra-host", test_extra_host);
  g_test_add_func ("/signin-errors/tls-refused", test_tls_refused);
  g_test_add_func ("/signin-errors/https-details", test_https_details);
  g_test_add_func ("/signin-errors/offline-retry", test_offline_retry);
  g_test_add_func ("/signin-errors/security-details", test_security_details);

  client = kt_client_new ();
  store = signin_new_loaded_store (client);

  status = g_test_run ();

  g_clear_object (&store);
  g_clear_object (&client);

  return status;
}
