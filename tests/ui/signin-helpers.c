#define G_LOG_DOMAIN "signin-helpers"

#include "config.h"

#include <glib/gstdio.h>

#include "signin-helpers.h"

static gboolean
on_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
signin_wait_until (SigninCondition  condition,
                   gpointer         user_data,
                   const char      *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id;
  guint tick_id;

  if (condition (user_data))
    return;

  /* The tick wakes the loop so conditions that poll get checked again. */
  timeout_id = g_timeout_add_seconds (SIGNIN_WAIT_SECONDS, on_timeout_cb, &timed_out);
  tick_id = g_timeout_add (50, on_tick_cb, NULL);
  while (!condition (user_data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("Timed out after %d s waiting for %s", SIGNIN_WAIT_SECONDS, what);

  g_source_remove (tick_id);
  g_source_remove (timeout_id);
}

static gboolean
result_is_set (gpointer user_data)
{
  GAsyncResult **result = user_data;

  return *result != NULL;
}

void
signin_wait_result (GAsyncResult **result,
                    const char    *what)
{
  signin_wait_until (result_is_set, result, what);
}

void
signin_result_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
on_settled_cb (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

void
signin_settle (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_settled_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

KtAccountStore *
signin_new_loaded_store (KtClient *client)
{
  KtAccountStore *store = kt_account_store_new (client);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  kt_account_store_load_async (store, NULL, signin_result_cb, &result);
  signin_wait_result (&result, "the account store to load");
  g_assert_true (kt_account_store_load_finish (store, result, &error));
  g_assert_no_error (error);

  return store;
}

KtOAuthConfig *
signin_sandbox_config (KtSandbox *sandbox)
{
  KtOAuthConfig *config = kt_oauth_config_new ();

  config->client_id = g_strdup (kt_sandbox_get_client_id (sandbox));
  config->client_secret = g_strdup (kt_sandbox_get_client_secret (sandbox));
  config->redirect_uri = g_strdup (kt_sandbox_get_redirect_uri (sandbox));
  config->authorize_uri = g_strdup (kt_sandbox_get_authorize_uri (sandbox));
  config->token_uri = g_strdup (kt_sandbox_get_token_uri (sandbox));
  config->revoke_uri = g_strdup (kt_sandbox_get_revoke_uri (sandbox));
  config->api_uri = g_strdup (kt_sandbox_get_api_uri (sandbox));

  return config;
}

char *
signin_run_js (WebKitWebView *web_view,
               const char    *script)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JSCValue) value = NULL;
  g_autoptr(GError) error = NULL;

  webkit_web_view_evaluate_javascript (web_view, script, -1, NULL, NULL, NULL,
                                       signin_result_cb, &result);
  signin_wait_result (&result, "a script in the page");

  value = webkit_web_view_evaluate_javascript_finish (web_view, result, &error);
  g_assert_no_error (error);

  if (value == NULL || jsc_value_is_undefined (value) || jsc_value_is_null (value))
    return NULL;

  return jsc_value_to_string (value);
}

typedef struct
{
  KtSignInWindow *window;
  const char *element_id;
  gint64 next_probe;
} ElementWait;

static gboolean
element_present (gpointer user_data)
{
  ElementWait *wait = user_data;
  WebKitWebView *web_view = kt_sign_in_window_get_web_view (wait->window);
  g_autofree char *script = NULL;
  g_autofree char *found = NULL;

  if (kt_sign_in_window_get_status (wait->window) == KT_SIGN_IN_STATUS_FAILED)
    g_error ("The sign-in window failed while waiting for #%s: %s", wait->element_id,
             kt_sign_in_window_get_error_message (wait->window));

  if (kt_sign_in_window_get_status (wait->window) != KT_SIGN_IN_STATUS_PAGE ||
      webkit_web_view_is_loading (web_view))
    return FALSE;

  /* Probe the page at most every 100 ms. */
  if (g_get_monotonic_time () < wait->next_probe)
    return FALSE;
  wait->next_probe = g_get_monotonic_time () + 100000;

  script = g_strdup_printf ("document.readyState === 'complete' && "
                            "document.getElementById('%s') !== null ? 'yes' : 'no'",
                            wait->element_id);
  found = signin_run_js (web_view, script);

  return g_strcmp0 (found, "yes") == 0;
}

void
signin_wait_for_element (KtSignInWindow *window,
                         const char     *element_id)
{
  ElementWait wait = { window, element_id, 0 };
  g_autofree char *what = g_strdup_printf ("a page with #%s", element_id);

  signin_wait_until (element_present, &wait, what);
}

typedef struct
{
  KtSignInWindow *window;
  KtSignInStatus status;
} StatusWait;

static gboolean
status_reached (gpointer user_data)
{
  StatusWait *wait = user_data;

  return kt_sign_in_window_get_status (wait->window) == wait->status;
}

void
signin_wait_for_status (KtSignInWindow *window,
                        KtSignInStatus  status)
{
  StatusWait wait = { window, status };
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (KT_TYPE_SIGN_IN_STATUS);
  GEnumValue *value = g_enum_get_value (enum_class, status);
  g_autofree char *what = g_strdup_printf ("the sign-in status “%s”", value->value_nick);

  signin_wait_until (status_reached, &wait, what);
}

typedef struct
{
  KtSignInWindow *window;
  const char *uri;
} UriWait;

static gboolean
uri_loaded (gpointer user_data)
{
  UriWait *wait = user_data;
  WebKitWebView *web_view = kt_sign_in_window_get_web_view (wait->window);

  if (kt_sign_in_window_get_status (wait->window) == KT_SIGN_IN_STATUS_FAILED)
    g_error ("The sign-in window failed while waiting for %s: %s", wait->uri,
             kt_sign_in_window_get_error_message (wait->window));

  return g_strcmp0 (webkit_web_view_get_uri (web_view), wait->uri) == 0 &&
         !webkit_web_view_is_loading (web_view) &&
         kt_sign_in_window_get_status (wait->window) == KT_SIGN_IN_STATUS_PAGE;
}

void
signin_wait_for_uri (KtSignInWindow *window,
                     const char     *uri)
{
  UriWait wait = { window, uri };
  g_autofree char *what = g_strdup_printf ("the view to show %s", uri);

  signin_wait_until (uri_loaded, &wait, what);
}

typedef struct
{
  WebKitWebView *web_view;
  const char *uri;
  gboolean decided;
} DecisionWait;

/* Runs before the window's own handler, which may stop the emission. */
static gboolean
on_decide_policy_hook (GSignalInvocationHint *hint,
                       guint                  n_values,
                       const GValue          *values,
                       gpointer               user_data)
{
  DecisionWait *wait = user_data;
  WebKitPolicyDecision *decision = g_value_get_object (&values[1]);
  WebKitNavigationAction *action;
  const char *uri;

  if (g_value_get_object (&values[0]) != (gpointer) wait->web_view ||
      !WEBKIT_IS_NAVIGATION_POLICY_DECISION (decision))
    return TRUE;

  action = webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));
  if (g_strcmp0 (uri, wait->uri) == 0)
    wait->decided = TRUE;

  return TRUE;
}

static gboolean
decision_made (gpointer user_data)
{
  DecisionWait *wait = user_data;

  return wait->decided;
}

void
signin_run_js_until_decided (KtSignInWindow *window,
                             const char     *script,
                             const char     *uri)
{
  DecisionWait wait = { kt_sign_in_window_get_web_view (window), uri, FALSE };
  guint signal_id = g_signal_lookup ("decide-policy", WEBKIT_TYPE_WEB_VIEW);
  g_autofree char *what = g_strdup_printf ("a navigation decision on %s", uri);
  g_autofree char *ignored = NULL;
  gulong hook_id;

  hook_id = g_signal_add_emission_hook (signal_id, 0, on_decide_policy_hook, &wait, NULL);
  ignored = signin_run_js (wait.web_view, script);
  /* The emission that set the flag has run every handler by the time the
   * loop checks it again. */
  signin_wait_until (decision_made, &wait, what);
  g_signal_remove_emission_hook (signal_id, hook_id);
}

static gboolean
widget_mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (user_data));
}

void
signin_wait_for_mapped (GtkWidget *widget)
{
  g_autofree char *what = g_strdup_printf ("a %s to be mapped", G_OBJECT_TYPE_NAME (widget));

  signin_wait_until (widget_mapped, widget, what);
}

char *
signin_screenshot (GtkWidget  *widget,
                   const char *name)
{
  const char *dir = g_getenv ("KT_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width;
  int height;

  if (dir == NULL)
    return NULL;

  /* Give GTK and WebKit time to draw the current state. */
  signin_settle (1200);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);

  /* A window that is being mapped or resized draws nothing for a moment,
   * longer on a busy machine; try again for up to ten seconds. */
  for (guint attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (node == NULL)
        signin_settle (200);
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Saved the screenshot %s", path);

  return g_steal_pointer (&path);
}
