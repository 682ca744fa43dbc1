#define G_LOG_DOMAIN "kt-sign-in-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/kt-error.h"
#include "kt-format.h"
#include "kt-sign-in-window.h"
#include "kt-plain-text.h"

struct _KtSignInWindow
{
  AdwWindow parent_instance;

  AdwStatusPage *error_page;
  GtkLabel *host_label;
  GtkProgressBar *progress_bar;
  GtkButton *retry_button;
  GtkMenuButton *security_button;
  GtkLabel *security_details;
  GtkLabel *security_title;
  GtkStack *stack;
  AdwToastOverlay *toast_overlay;
  GtkBox *web_box;
  AdwStatusPage *working_page;

  KtClient *client;
  KtAccountStore *store;
  KtOAuthConfig *config;
  GStrv extra_hosts;
  gboolean demo;

  WebKitNetworkSession *network_session;
  WebKitWebView *web_view;
  GCancellable *cancellable;
  char *state;
  char *authorize_host;
  int authorize_port;
  /* Set when the redirect is seen, so a code is exchanged only once even
   * when WebKit reports the same URI again. */
  gboolean redirect_seen;
  KtSignInStatus status;
  char *error_message;
  KtAccount *account;
  guint wait_timeout_id;           /* counts a rate-limit wait down */
};

enum {
  PROP_0,
  PROP_STATUS,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

enum {
  SIGNED_IN,
  CANCELLED,
  OPEN_EXTERNAL,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (KtSignInStatus, kt_sign_in_status,
                    G_DEFINE_ENUM_VALUE (KT_SIGN_IN_STATUS_LOADING, "loading"),
                    G_DEFINE_ENUM_VALUE (KT_SIGN_IN_STATUS_PAGE, "page"),
                    G_DEFINE_ENUM_VALUE (KT_SIGN_IN_STATUS_EXCHANGING, "exchanging"),
                    G_DEFINE_ENUM_VALUE (KT_SIGN_IN_STATUS_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (KT_SIGN_IN_STATUS_DONE, "done"))

G_DEFINE_FINAL_TYPE (KtSignInWindow, kt_sign_in_window, ADW_TYPE_WINDOW)

static int
default_port (const char *scheme)
{
  if (g_strcmp0 (scheme, "https") == 0)
    return 443;
  if (g_strcmp0 (scheme, "http") == 0)
    return 80;
  return -1;
}

/* Splits @uri into a lower-case host and a port (the scheme's default when
 * absent); FALSE for a URI without a host. */
static gboolean
split_host (const char  *uri,
            char       **host,
            int         *port)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

  if (parsed == NULL || g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    return FALSE;

  *host = g_ascii_strdown (g_uri_get_host (parsed), -1);
  *port = g_uri_get_port (parsed);
  if (*port == -1)
    *port = default_port (g_uri_get_scheme (parsed));

  return TRUE;
}

static char *
dup_host (const char *uri)
{
  g_autofree char *host = NULL;
  int port;

  if (uri == NULL || !split_host (uri, &host, &port))
    return g_strdup (uri != NULL ? uri : "");

  return g_steal_pointer (&host);
}

/* TRUE when @uri may load in the view: the authorize page's host and port,
 * or one of the extra hosts from Preferences ("host" or "host:port"). */
static gboolean
uri_allowed (KtSignInWindow *self,
             const char     *uri)
{
  g_autofree char *host = NULL;
  g_autofree char *scheme = g_uri_parse_scheme (uri);
  int port;

  if (g_strcmp0 (uri, "about:blank") == 0)
    return TRUE;

  if (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    return FALSE;

  if (!split_host (uri, &host, &port))
    return FALSE;

  if (g_strcmp0 (host, self->authorize_host) == 0 && port == self->authorize_port)
    return TRUE;

  for (guint i = 0; self->extra_hosts != NULL && self->extra_hosts[i] != NULL; i++)
    {
      g_autofree char *extra = g_ascii_strdown (g_strstrip (g_strdup (self->extra_hosts[i])), -1);
      g_autofree char *host_port = g_strdup_printf ("%s:%d", host, port);

      if (*extra != '\0' && (g_strcmp0 (extra, host) == 0 || g_strcmp0 (extra, host_port) == 0))
        return TRUE;
    }

  return FALSE;
}

static void
set_status (KtSignInWindow *self,
            KtSignInStatus  status)
{
  if (self->status == status)
    return;

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
show_error_with_icon (KtSignInWindow *self,
                      const char     *icon_name,
                      const char     *title,
                      const char     *message,
                      gboolean        can_retry)
{
  g_debug ("Showing the error page: %s", title);

  adw_status_page_set_icon_name (self->error_page, icon_name);
  adw_status_page_set_title (self->error_page, title);
  kt_status_page_set_plain_description (self->error_page, message);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), can_retry);
  gtk_stack_set_visible_child_name (self->stack, "error");

  g_free (self->error_message);
  self->error_message = g_strdup (message);
  set_status (self, KT_SIGN_IN_STATUS_FAILED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static void
show_error (KtSignInWindow *self,
            const char     *title,
            const char     *message,
            gboolean        can_retry)
{
  show_error_with_icon (self, "dialog-warning-symbolic", title, message, can_retry);
}

static const char *
describe_tls_errors (GTlsCertificateFlags errors)
{
  if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return _("it is not signed by a trusted certificate authority");
  if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return _("it was issued for a different host");
  if (errors & G_TLS_CERTIFICATE_EXPIRED)
    return _("it has expired");
  if (errors & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return _("it is not valid yet");
  if (errors & G_TLS_CERTIFICATE_REVOKED)
    return _("it has been revoked");
  if (errors & G_TLS_CERTIFICATE_INSECURE)
    return _("it uses an insecure algorithm");
  return _("it could not be verified");
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup (_("unknown"));

  local = g_date_time_to_local (time);
  return g_date_time_format (local, "%x %X");
}

static void
update_security (KtSignInWindow *self)
{
  GTlsCertificate *certificate = NULL;
  GTlsCertificateFlags errors = 0;
  const char *uri = webkit_web_view_get_uri (self->web_view);
  g_autofree char *host = dup_host (uri);
  g_autofree char *details = NULL;
  g_autofree char *title = NULL;

  if (webkit_web_view_get_tls_info (self->web_view, &certificate, &errors) && certificate != NULL)
    {
      g_autofree char *subject = g_tls_certificate_get_subject_name (certificate);
      g_autofree char *issuer = g_tls_certificate_get_issuer_name (certificate);
      g_autoptr(GDateTime) not_before = g_tls_certificate_get_not_valid_before (certificate);
      g_autoptr(GDateTime) not_after = g_tls_certificate_get_not_valid_after (certificate);
      g_autofree char *from = format_time (not_before);
      g_autofree char *until = format_time (not_after);

      details = g_strdup_printf (_("Issued to: %s\nIssued by: %s\nValid from: %s\nValid until: %s"),
                                 subject ? subject : _("unknown"),
                                 issuer ? issuer : _("unknown"),
                                 from, until);

      /* Pages with certificate errors are refused before they load, so
       * this shows only when WebKit was set to accept one anyway. */
      if (errors != 0)
        {
          gtk_menu_button_set_icon_name (self->security_button, "channel-insecure-symbolic");
          gtk_widget_set_tooltip_text (GTK_WIDGET (self->security_button),
                                       _("Certificate Not Trusted"));
          title = g_strdup_printf (_("The certificate of %s is not trusted: %s"),
                                   host, describe_tls_errors (errors));
        }
      else
        {
          gtk_menu_button_set_icon_name (self->security_button, "channel-secure-symbolic");
          gtk_widget_set_tooltip_text (GTK_WIDGET (self->security_button), _("Secure Connection"));
          title = g_strdup_printf (_("The connection to %s is encrypted"), host);
        }
    }
  else
    {
      gtk_menu_button_set_icon_name (self->security_button, "channel-insecure-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->security_button), _("Connection Not Encrypted"));
      title = g_strdup_printf (_("The connection to %s is not encrypted"), host);
      if (g_strcmp0 (host, "127.0.0.1") == 0 || g_strcmp0 (host, "localhost") == 0 ||
          g_strcmp0 (host, "[::1]") == 0 || g_strcmp0 (host, "::1") == 0)
        details = g_strdup (_("The page comes from this computer, so the data never leaves it."));
      else
        details = g_strdup (_("Others on the network can read what is sent. "
                              "Use an https authorize URI in Preferences."));
    }

  gtk_label_set_label (self->security_title, title);
  gtk_label_set_label (self->security_details, details);
}

static void
update_host (KtSignInWindow *self)
{
  const char *uri = webkit_web_view_get_uri (self->web_view);
  g_autofree char *host = NULL;

  if (uri == NULL || g_strcmp0 (uri, "about:blank") == 0)
    return;

  host = dup_host (uri);
  gtk_label_set_label (self->host_label, host);
}

static void
finish_success (KtSignInWindow *self)
{
  g_autoptr(KtSignInWindow) hold = g_object_ref (self);

  g_debug ("Signed in to company %" G_GINT64_FORMAT, kt_account_get_company_id (self->account));
  set_status (self, KT_SIGN_IN_STATUS_DONE);
  g_signal_emit (self, signals[SIGNED_IN], 0, self->account);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_account_added_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(KtSignInWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!kt_account_store_add_finish (KT_ACCOUNT_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_message ("Saving the account failed: %s", error->message);
      message = g_strdup_printf (_("Saving the account failed: %s"), error->message);
      show_error (self, _("Account Not Saved"), message, TRUE);
      return;
    }

  finish_success (self);
}

/* Shows, below "Reading the company…", how long the request waits for the
 * rate limit of the new account, or nothing when it does not wait. */
static void
update_company_wait (KtSignInWindow *self)
{
  g_autofree char *text = NULL;

  if (self->account != NULL)
    text = kt_format_rate_wait (kt_account_get_rate_limit (self->account));

  kt_status_page_set_plain_description (self->working_page, text);
}

static void
on_rate_limit_notify_cb (KtRateLimit    *rate_limit,
                         GParamSpec     *pspec,
                         KtSignInWindow *self)
{
  update_company_wait (self);
}

static gboolean
on_wait_tick_cb (gpointer user_data)
{
  update_company_wait (KT_SIGN_IN_WINDOW (user_data));
  return G_SOURCE_CONTINUE;
}

/* Stops following the rate limit of the account whose company is read. */
static void
stop_company_wait (KtSignInWindow *self)
{
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (kt_account_get_rate_limit (self->account), self);
  g_clear_handle_id (&self->wait_timeout_id, g_source_remove);
  if (self->working_page != NULL)
    kt_status_page_set_plain_description (self->working_page, NULL);
}

static void
on_company_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(KtSignInWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *message = NULL;

  if (!kt_client_fetch_company_finish (KT_CLIENT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      stop_company_wait (self);
      g_message ("Reading the company failed: %s", error->message);
      host = dup_host (self->config->api_uri);
      message = g_strdup_printf (_("Reading the company at %s failed: %s. "
                                   "Check the API URI in Preferences and retry."),
                                 host, error->message);
      show_error (self, _("Company Not Found"), message, TRUE);
      return;
    }

  stop_company_wait (self);
  kt_account_store_add_async (self->store, self->account, self->cancellable,
                              on_account_added_cb, g_object_ref (self));
}

static void
on_code_exchanged_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(KtSignInWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtToken) token = NULL;
  g_autofree char *host = NULL;
  g_autofree char *message = NULL;

  token = kt_client_exchange_code_finish (KT_CLIENT (source), result, &error);
  if (token == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_message ("Exchanging the authorization code failed: %s", error->message);
      host = dup_host (self->config->token_uri);
      if (g_error_matches (error, KT_ERROR, KT_ERROR_INVALID_CLIENT))
        message = g_strdup_printf (_("%s rejected the client id “%s” or its secret. "
                                     "Check both in Preferences and retry."),
                                   host, self->config->client_id);
      else
        message = g_strdup_printf (_("Exchanging the authorization code at %s failed: %s. "
                                     "Retry to start again."),
                                   host, error->message);
      show_error (self, _("Sign-In Failed"), message, TRUE);
      return;
    }

  stop_company_wait (self);
  g_clear_object (&self->account);
  self->account = kt_account_new (KT_AUTH_KIND_OAUTH, self->config);
  kt_account_set_token (self->account, token);
  kt_account_set_demo (self->account, self->demo);

  /* Requests of a new account may wait for the rate limit after 429
   * responses, for up to a minute each. */
  adw_status_page_set_title (self->working_page, _("Reading the Company…"));
  g_signal_connect (kt_account_get_rate_limit (self->account), "notify::queued",
                    G_CALLBACK (on_rate_limit_notify_cb), self);
  g_signal_connect (kt_account_get_rate_limit (self->account), "notify::reset-time",
                    G_CALLBACK (on_rate_limit_notify_cb), self);
  self->wait_timeout_id = g_timeout_add_seconds (1, on_wait_tick_cb, self);
  update_company_wait (self);

  kt_client_fetch_company_async (self->client, self->account, self->cancellable,
                                 on_company_cb, g_object_ref (self));
}

static void
handle_redirect (KtSignInWindow *self,
                 const char     *uri)
{
  g_autoptr(KtOAuthRedirect) redirect = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (self->redirect_seen)
    {
      g_debug ("Ignoring a repeated redirect");
      return;
    }
  self->redirect_seen = TRUE;

  webkit_web_view_stop_loading (self->web_view);
  set_status (self, KT_SIGN_IN_STATUS_EXCHANGING);
  adw_status_page_set_title (self->working_page, _("Signing In…"));
  gtk_stack_set_visible_child_name (self->stack, "working");

  redirect = kt_oauth_parse_redirect (uri, &error);
  if (redirect == NULL)
    {
      message = g_strdup_printf (_("The redirect from the sign-in page could not be parsed: %s. "
                                   "Retry to start again."), error->message);
      show_error (self, _("Sign-In Failed"), message, TRUE);
      return;
    }

  if (!kt_oauth_redirect_check (redirect, self->state, &error))
    {
      if (g_error_matches (error, KT_ERROR, KT_ERROR_ACCESS_DENIED))
        {
          g_autoptr(KtSignInWindow) hold = g_object_ref (self);

          g_debug ("The user denied access");
          g_signal_emit (self, signals[CANCELLED], 0);
          gtk_window_destroy (GTK_WINDOW (self));
          return;
        }

      if (g_error_matches (error, KT_ERROR, KT_ERROR_STATE_MISMATCH))
        {
          g_message ("Rejected a redirect whose state does not match the request");
          show_error (self, _("Sign-In Rejected"),
                      _("The answer to this sign-in carried a different state value than "
                        "the request, so Kounter rejected it to protect your account. "
                        "Retry to start again."),
                      TRUE);
          return;
        }

      g_message ("The sign-in page returned an error: %s", error->message);
      message = g_strdup_printf (_("Kounta reported: %s. Retry to start again."),
                                 redirect->error_description ? redirect->error_description
                                                             : error->message);
      show_error (self, _("Sign-In Failed"), message, TRUE);
      return;
    }

  g_debug ("Caught the redirect; exchanging the authorization code");
  kt_client_exchange_code_async (self->client, self->config, redirect->code,
                                 self->cancellable, on_code_exchanged_cb,
                                 g_object_ref (self));
}

static gboolean
on_decide_policy_cb (WebKitWebView            *web_view,
                     WebKitPolicyDecision     *decision,
                     WebKitPolicyDecisionType  type,
                     KtSignInWindow           *self)
{
  WebKitNavigationAction *action;
  WebKitNavigationType navigation_type;
  const char *uri;

  /* A sign-in page has nothing to download: a response the view cannot
   * show is dropped instead of being saved to disk. */
  if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE)
    {
      WebKitResponsePolicyDecision *response = WEBKIT_RESPONSE_POLICY_DECISION (decision);

      if (webkit_response_policy_decision_is_mime_type_supported (response))
        return FALSE;

      g_debug ("Dropped a response the sign-in view cannot show");
      webkit_policy_decision_ignore (decision);
      return TRUE;
    }

  if (type != WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION &&
      type != WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
    return FALSE;

  action = webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));
  navigation_type = webkit_navigation_action_get_navigation_type (action);

  /* The redirect never loads: the code and state stay out of the page's
   * history and no request reaches the redirect URI's host. */
  if (kt_oauth_is_redirect (self->config->redirect_uri, uri))
    {
      webkit_policy_decision_ignore (decision);
      handle_redirect (self, uri);
      return TRUE;
    }

  if (self->redirect_seen)
    {
      webkit_policy_decision_ignore (decision);
      return TRUE;
    }

  if (!uri_allowed (self, uri))
    {
      webkit_policy_decision_ignore (decision);

      /* Only navigations the user or the server started go to the
       * browser, and a script loading frames of other hosts is only
       * blocked. NOTE: the navigation action of WebKitGTK 6.0 does not say
       * whether it targets the main frame, so a frame of another host (a
       * CAPTCHA, say) is blocked too unless its host is an extra sign-in
       * host. */
      if (type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION ||
          navigation_type == WEBKIT_NAVIGATION_TYPE_LINK_CLICKED ||
          navigation_type == WEBKIT_NAVIGATION_TYPE_FORM_SUBMITTED ||
          webkit_navigation_action_is_user_gesture (action) ||
          webkit_navigation_action_is_redirect (action))
        {
          g_autofree char *host = dup_host (uri);
          g_autofree char *message = NULL;
          AdwToast *toast;

          g_debug ("Opening a page of %s in the default browser", host);
          g_signal_emit (self, signals[OPEN_EXTERNAL], 0, uri);

          /* A toast has room for one short line. Hosts that must load
           * here go into the extra sign-in hosts of Preferences. */
          message = g_strdup_printf (_("Opened %s in your browser"), host);
          toast = kt_toast_new_plain (message);
          adw_toast_set_timeout (toast, 10);
          adw_toast_overlay_add_toast (self->toast_overlay, toast);
        }
      else
        {
          g_debug ("Blocked a load from another host");
        }
      return TRUE;
    }

  if (type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
    {
      /* No second window: an allowed page opens in this view. */
      webkit_policy_decision_ignore (decision);
      webkit_web_view_load_uri (self->web_view, uri);
      return TRUE;
    }

  return FALSE;
}

static void
on_load_changed_cb (WebKitWebView   *web_view,
                    WebKitLoadEvent  event,
                    KtSignInWindow  *self)
{
  if (self->redirect_seen || self->status == KT_SIGN_IN_STATUS_FAILED)
    return;

  switch (event)
    {
    case WEBKIT_LOAD_STARTED:
      set_status (self, KT_SIGN_IN_STATUS_LOADING);
      break;

    case WEBKIT_LOAD_COMMITTED:
      update_host (self);
      update_security (self);
      gtk_stack_set_visible_child_name (self->stack, "web");
      break;

    case WEBKIT_LOAD_FINISHED:
      set_status (self, KT_SIGN_IN_STATUS_PAGE);
      break;

    case WEBKIT_LOAD_REDIRECTED:
    default:
      break;
    }
}

static gboolean
on_load_failed_cb (WebKitWebView   *web_view,
                   WebKitLoadEvent  event,
                   const char      *failing_uri,
                   GError          *error,
                   KtSignInWindow  *self)
{
  g_autofree char *host = NULL;
  g_autofree char *message = NULL;

  /* Our own ignore decisions and stop_loading() end loads this way. */
  if (g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED) ||
      g_error_matches (error, WEBKIT_POLICY_ERROR, WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE))
    return TRUE;

  if (self->redirect_seen || self->status == KT_SIGN_IN_STATUS_FAILED)
    return TRUE;

  host = dup_host (failing_uri);
  g_message ("Loading a page of %s failed: %s", host, error->message);
  message = g_strdup_printf (_("Could not load the sign-in page of %s: %s. "
                               "Check your network connection and the authorize URI "
                               "in Preferences, then retry."),
                             host, error->message);
  show_error_with_icon (self, "network-offline-symbolic", _("Page Not Loaded"), message, TRUE);

  return TRUE;
}

static gboolean
on_load_failed_with_tls_errors_cb (WebKitWebView        *web_view,
                                   const char           *failing_uri,
                                   GTlsCertificate      *certificate,
                                   GTlsCertificateFlags  errors,
                                   KtSignInWindow       *self)
{
  g_autofree char *host = dup_host (failing_uri);
  g_autofree char *message = NULL;

  g_message ("Refused %s: its certificate has errors (flags 0x%x)", host, errors);

  /* There is deliberately no way to accept the certificate anyway. */
  message = g_strdup_printf (_("Kounter did not load %s because its certificate is not "
                               "trusted: %s. Sign-in pages with certificate errors are "
                               "never loaded. Check the authorize URI in Preferences or "
                               "try another network."),
                             host, describe_tls_errors (errors));
  gtk_menu_button_set_icon_name (self->security_button, "channel-insecure-symbolic");
  gtk_label_set_label (self->host_label, host);
  show_error_with_icon (self, "channel-insecure-symbolic", _("Certificate Not Trusted"),
                        message, FALSE);

  return TRUE;
}

static void
on_web_process_terminated_cb (WebKitWebView                     *web_view,
                              WebKitWebProcessTerminationReason  reason,
                              KtSignInWindow                    *self)
{
  if (reason == WEBKIT_WEB_PROCESS_TERMINATED_BY_API)
    return;

  g_message ("The web process of the sign-in view ended (reason %d)", reason);
  show_error (self, _("Page Not Loaded"),
              _("The page stopped working because its web process ended. Retry to start again."),
              TRUE);
}

static void
on_cancel_clicked_cb (GtkButton      *button,
                      KtSignInWindow *self)
{
  kt_sign_in_window_cancel (self);
}

static void
on_retry_clicked_cb (GtkButton      *button,
                     KtSignInWindow *self)
{
  g_debug ("Retrying the sign-in");
  kt_sign_in_window_start (self);
}

static void
kt_sign_in_window_real_open_external (KtSignInWindow *self,
                                      const char     *uri)
{
  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

static void
create_web_view (KtSignInWindow *self)
{
  WebKitSettings *settings;

  /* WebKitGTK 6.0 always runs its web processes in its sandbox. An
   * ephemeral session keeps the service's cookies and caches in memory
   * and drops them with the window. */
  self->network_session = webkit_network_session_new_ephemeral ();
  webkit_network_session_set_tls_errors_policy (self->network_session,
                                                WEBKIT_TLS_ERRORS_POLICY_FAIL);

  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "network-session", self->network_session,
                                 "hexpand", TRUE,
                                 "vexpand", TRUE,
                                 NULL);

  settings = webkit_web_view_get_settings (self->web_view);
  webkit_settings_set_enable_developer_extras (settings, FALSE);
  webkit_settings_set_javascript_can_open_windows_automatically (settings, FALSE);

  /* The app connects to navigation, load and TLS signals only: it never
   * reads form fields, so what the user types stays in the page. */
  g_signal_connect (self->web_view, "decide-policy", G_CALLBACK (on_decide_policy_cb), self);
  g_signal_connect (self->web_view, "load-changed", G_CALLBACK (on_load_changed_cb), self);
  g_signal_connect (self->web_view, "load-failed", G_CALLBACK (on_load_failed_cb), self);
  g_signal_connect (self->web_view, "load-failed-with-tls-errors",
                    G_CALLBACK (on_load_failed_with_tls_errors_cb), self);
  g_signal_connect (self->web_view, "web-process-terminated",
                    G_CALLBACK (on_web_process_terminated_cb), self);

  g_object_bind_property (self->web_view, "estimated-load-progress",
                          self->progress_bar, "fraction", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->web_view, "is-loading",
                          self->progress_bar, "visible", G_BINDING_SYNC_CREATE);

  gtk_box_append (self->web_box, GTK_WIDGET (self->web_view));
}

static void
kt_sign_in_window_dispose (GObject *object)
{
  KtSignInWindow *self = KT_SIGN_IN_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  stop_company_wait (self);
  if (self->web_view != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->web_view, self);
      webkit_web_view_stop_loading (self->web_view);
      self->web_view = NULL;
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_SIGN_IN_WINDOW);

  G_OBJECT_CLASS (kt_sign_in_window_parent_class)->dispose (object);
}

static void
kt_sign_in_window_finalize (GObject *object)
{
  KtSignInWindow *self = KT_SIGN_IN_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->network_session);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_pointer (&self->config, kt_oauth_config_free);
  g_clear_pointer (&self->extra_hosts, g_strfreev);
  g_clear_pointer (&self->state, g_free);
  g_clear_pointer (&self->authorize_host, g_free);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (kt_sign_in_window_parent_class)->finalize (object);
}

static void
kt_sign_in_window_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  KtSignInWindow *self = KT_SIGN_IN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_sign_in_window_class_init (KtSignInWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_sign_in_window_dispose;
  object_class->finalize = kt_sign_in_window_finalize;
  object_class->get_property = kt_sign_in_window_get_property;

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       KT_TYPE_SIGN_IN_STATUS, KT_SIGN_IN_STATUS_LOADING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNED_IN] =
    g_signal_new ("signed-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, KT_TYPE_ACCOUNT);

  signals[CANCELLED] =
    g_signal_new ("cancelled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  signals[OPEN_EXTERNAL] =
    g_signal_new_class_handler ("open-external",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                G_CALLBACK (kt_sign_in_window_real_open_external),
                                NULL, NULL, NULL,
                                G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "kt-sign-in-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KtSignInWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, KtSignInWindow, host_label);
  gtk_widget_class_bind_template_child (widget_class, KtSignInWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, KtSignInWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, KtSignInWindow, security_button);
  gtk_widget_class_bind_template_child (widget_class, KtSignInWindow, security_details);
  gtk_widget_class_bind_template_child (widget_class, KtSignInWindow, security_title);
  gtk_widget_class_bind_template_child (widget_class, KtSignInWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KtSignInWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KtSignInWindow, web_box);
  gtk_widget_class_bind_template_child (widget_class, KtSignInWindow, working_page);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_clicked_cb);
}

static void
kt_sign_in_window_init (KtSignInWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->status = KT_SIGN_IN_STATUS_LOADING;
  create_web_view (self);
}

/* Returns a new sign-in window for the add-on in @config; GTK owns it once
 * presented. Call kt_sign_in_window_start() to load the authorize page. */
KtSignInWindow *
kt_sign_in_window_new (KtClient            *client,
                       KtAccountStore      *store,
                       const KtOAuthConfig *config,
                       const char * const  *extra_hosts,
                       gboolean             demo)
{
  KtSignInWindow *self;

  g_return_val_if_fail (KT_IS_CLIENT (client), NULL);
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (store), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (KT_TYPE_SIGN_IN_WINDOW, NULL);
  self->client = g_object_ref (client);
  self->store = g_object_ref (store);
  self->config = kt_oauth_config_copy (config);
  self->extra_hosts = g_strdupv ((char **) extra_hosts);
  self->demo = demo;

  if (config->authorize_uri == NULL ||
      !split_host (config->authorize_uri, &self->authorize_host, &self->authorize_port))
    {
      self->authorize_host = g_strdup ("");
      self->authorize_port = -1;
    }
  gtk_label_set_label (self->host_label, self->authorize_host);

  return self;
}

/* Loads the authorize page with a new state, starting the sign-in over. */
void
kt_sign_in_window_start (KtSignInWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *message = NULL;

  g_return_if_fail (KT_IS_SIGN_IN_WINDOW (self));

  /* Whatever the last attempt left running is dropped. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  stop_company_wait (self);
  g_clear_object (&self->account);
  self->redirect_seen = FALSE;
  g_clear_pointer (&self->error_message, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
  set_status (self, KT_SIGN_IN_STATUS_LOADING);

  if (*self->authorize_host == '\0')
    {
      message = g_strdup_printf (_("The authorize URI “%s” is not a valid web address. "
                                   "Correct it in Preferences."),
                                 self->config->authorize_uri ? self->config->authorize_uri : "");
      show_error (self, _("Sign-In Not Possible"), message, FALSE);
      return;
    }

  g_free (self->state);
  self->state = kt_oauth_new_state (&error);
  if (self->state == NULL)
    {
      message = g_strdup_printf (_("Could not create a random state value: %s"), error->message);
      show_error (self, _("Sign-In Not Possible"), message, TRUE);
      return;
    }

  uri = kt_oauth_build_authorize_uri (self->config, self->state);
  g_debug ("Loading the authorize page of %s", self->authorize_host);
  message = g_strdup_printf (_("Connecting to %s…"), self->authorize_host);
  adw_status_page_set_title (self->working_page, message);
  gtk_stack_set_visible_child_name (self->stack, "working");
  webkit_web_view_load_uri (self->web_view, uri);
}

/* Returns the stage of the sign-in. */
KtSignInStatus
kt_sign_in_window_get_status (KtSignInWindow *self)
{
  g_return_val_if_fail (KT_IS_SIGN_IN_WINDOW (self), KT_SIGN_IN_STATUS_FAILED);

  return self->status;
}

/* Returns the text of the error page or NULL; the window owns it. */
const char *
kt_sign_in_window_get_error_message (KtSignInWindow *self)
{
  g_return_val_if_fail (KT_IS_SIGN_IN_WINDOW (self), NULL);

  return self->error_message;
}

/* Returns the web view; the window owns it. */
WebKitWebView *
kt_sign_in_window_get_web_view (KtSignInWindow *self)
{
  g_return_val_if_fail (KT_IS_SIGN_IN_WINDOW (self), NULL);

  return self->web_view;
}

/* Stops the sign-in, requests in flight included, emits "cancelled" and
 * closes the window. */
void
kt_sign_in_window_cancel (KtSignInWindow *self)
{
  g_autoptr(KtSignInWindow) hold = NULL;

  g_return_if_fail (KT_IS_SIGN_IN_WINDOW (self));

  hold = g_object_ref (self);
  g_debug ("The user cancelled the sign-in");
  g_cancellable_cancel (self->cancellable);
  stop_company_wait (self);
  g_signal_emit (self, signals[CANCELLED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Returns the rate-limit wait shown while the company is read, or NULL;
 * the window owns the string. */
const char *
kt_sign_in_window_get_wait_message (KtSignInWindow *self)
{
  const char *description;

  g_return_val_if_fail (KT_IS_SIGN_IN_WINDOW (self), NULL);

  description = adw_status_page_get_description (self->working_page);
  return description != NULL && *description != '\0' ? description : NULL;
}
