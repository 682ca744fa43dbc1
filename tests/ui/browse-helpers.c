#define G_LOG_DOMAIN "browse-helpers"

#include "config.h"

#include <gtksourceview/gtksource.h>
#include <string.h>

#include "browse-helpers.h"

void
browse_init (int    *argc,
             char ***argv)
{
  g_autoptr(GtkCssProvider) provider = NULL;

  g_test_init (argc, argv, NULL);
  gtk_init ();
  adw_init ();
  gtk_source_init ();
  provider = gtk_css_provider_new ();

  /* An AdwApplication loads the style sheet by itself; tests have none. */
  gtk_css_provider_load_from_resource (provider, RESOURCE_PREFIX "style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
on_company_fetched_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GError **error = user_data;

  if (!kt_client_fetch_company_finish (KT_CLIENT (source), result, error) && *error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no error given");
  if (*error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

static gboolean
error_is_set (gpointer data)
{
  GError **error = data;

  return *error != NULL;
}

static void
setup_with_seed (BrowseFixture  *fixture,
                 KtSandboxScale  scale,
                 double          rate_window,
                 guint           basic_limit,
                 guint64         seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtOAuthConfig) config = kt_oauth_config_new ();

  fixture->sandbox = kt_sandbox_new ();
  g_object_set (fixture->sandbox, "scale", scale, NULL);
  if (seed != 0)
    g_object_set (fixture->sandbox, "seed", seed, NULL);
  if (rate_window > 0)
    g_object_set (fixture->sandbox, "rate-window", rate_window, NULL);
  if (basic_limit > 0)
    g_object_set (fixture->sandbox, "basic-limit", basic_limit, NULL);
  kt_sandbox_start (fixture->sandbox, 0, &error);
  g_assert_no_error (error);

  config->client_id = g_strdup (kt_sandbox_get_client_id (fixture->sandbox));
  config->client_secret = g_strdup (kt_sandbox_get_client_secret (fixture->sandbox));
  config->api_uri = g_strdup (kt_sandbox_get_api_uri (fixture->sandbox));
  config->token_uri = g_strdup (kt_sandbox_get_token_uri (fixture->sandbox));
  config->revoke_uri = g_strdup (kt_sandbox_get_revoke_uri (fixture->sandbox));
  config->authorize_uri = g_strdup (kt_sandbox_get_authorize_uri (fixture->sandbox));

  fixture->client = kt_client_new ();
  fixture->account = kt_account_new (KT_AUTH_KIND_BASIC, config);

  kt_client_fetch_company_async (fixture->client, fixture->account, NULL, on_company_fetched_cb, &error);
  g_assert_true (browse_wait_until (error_is_set, &error, 20));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpint (kt_account_get_company_id (fixture->account), ==, kt_sandbox_get_company_id (fixture->sandbox));
}

void
browse_fixture_setup (BrowseFixture  *fixture,
                      KtSandboxScale  scale,
                      double          rate_window,
                      guint           basic_limit)
{
  setup_with_seed (fixture, scale, rate_window, basic_limit, 0);
}

void
browse_fixture_setup_seeded (BrowseFixture *fixture,
                             guint64        seed)
{
  setup_with_seed (fixture, KT_SANDBOX_SCALE_DEMO, 5, 0, seed);
}

void
browse_fixture_teardown (BrowseFixture *fixture)
{
  g_clear_object (&fixture->account);
  g_clear_object (&fixture->client);
  if (fixture->sandbox != NULL)
    kt_sandbox_stop (fixture->sandbox);
  g_clear_object (&fixture->sandbox);
}

static gboolean
on_wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
browse_wait_until (BrowseCondition condition,
                   gpointer        data,
                   guint           timeout_seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  guint wake_id = g_timeout_add (20, on_wake_cb, NULL);
  gboolean holds;

  while (!(holds = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake_id);
  return holds;
}

void
browse_spin (guint milliseconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) milliseconds * 1000;
  guint wake_id = g_timeout_add (10, on_wake_cb, NULL);

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake_id);
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gpointer       user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Waits until @widget's window has laid out and painted a frame, so a
 * resize queued since then does not leave a widget unallocated while it
 * is drawn. */
static void
wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong handler;

  if (clock == NULL)
    return;

  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  browse_wait_until (flag_is_set, &painted, 2);
  g_signal_handler_disconnect (clock, handler);
}

char *
browse_save_screenshot (GtkWidget  *widget,
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

  g_mkdir_with_parents (dir, 0755);
  /* Let layout and drawing settle first. */
  browse_spin (300);
  wait_for_frame (widget);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);

  /* A window that is being resized or remapped draws nothing for a
   * moment; try again for up to two seconds. */
  for (guint attempt = 0; node == NULL && attempt < 20; attempt++)
    {
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (node == NULL)
        {
          browse_spin (100);
          wait_for_frame (widget);
        }
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  if (!g_str_has_suffix (path, ".png"))
    {
      char *with_suffix = g_strconcat (path, ".png", NULL);

      g_free (path);
      path = with_suffix;
    }

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot saved to %s", path);
  return g_steal_pointer (&path);
}

JsonNode *
browse_fetch_json (BrowseFixture *fixture,
                   const char    *path)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strconcat (kt_sandbox_get_api_uri (fixture->sandbox), path, NULL);
  g_autofree char *credential = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *text = NULL;
  JsonNode *node;

  credential = g_strdup_printf ("%s:%s", kt_sandbox_get_client_id (fixture->sandbox),
                                kt_sandbox_get_client_secret (fixture->sandbox));
  encoded = g_base64_encode ((const guchar *) credential, strlen (credential));
  message = soup_message_new ("GET", uri);
  g_assert_nonnull (message);
  authorization = g_strdup_printf ("Basic %s", encoded);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", authorization);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept", "application/json");

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);

  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  node = json_from_string (text, &error);
  g_assert_no_error (error);

  return node;
}

gboolean
browse_async_done (gpointer data)
{
  return ((BrowseAsync *) data)->done;
}

void
browse_on_store_loaded_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  BrowseAsync *async = user_data;

  kt_account_store_load_finish (KT_ACCOUNT_STORE (source), result, &async->error);
  async->done = TRUE;
}

void
browse_on_store_added_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  BrowseAsync *async = user_data;

  kt_account_store_add_finish (KT_ACCOUNT_STORE (source), result, &async->error);
  async->done = TRUE;
}

void
browse_on_store_signed_out_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  BrowseAsync *async = user_data;

  kt_account_store_sign_out_finish (KT_ACCOUNT_STORE (source), result, &async->error);
  async->done = TRUE;
}

AdwMessageDialog *
browse_find_message_dialog (GtkWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_window_get_transient_for (toplevel) == window
          && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return ADW_MESSAGE_DIALOG (toplevel);
    }

  return NULL;
}
