#define G_LOG_DOMAIN "kt-window"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/kt-account-store.h"
#include "core/kt-catalogue.h"
#include "core/kt-error.h"
#include "core/kt-exchange.h"
#include "core/kt-json.h"
#include "kt-detail-pane.h"
#include "kt-export.h"
#include "kt-inspector.h"
#include "kt-rate-meter.h"
#include "kt-resource-view.h"
#include "kt-welcome-page.h"
#include "kt-window.h"
#include "kt-plain-text.h"

/* Resources whose list rows are short: selecting one fetches the record. */
static const char * const full_record_resources[] = { "orders", "sites" };

typedef enum
{
  FETCH_FULL_RECORD,   /* the selected row's full record replaces the row */
  FETCH_LINK,          /* a related record opens on top */
  FETCH_CURRENT,       /* the shown record, for its headers */
} KtFetchMode;

typedef struct
{
  KtWindow *self;
  const KtResource *resource;
  KtFetchMode mode;
  guint generation;
} KtFetchData;

/* A record fetched for a list's selected row, with its response headers. */
typedef struct
{
  gint64 id;
  char *json;
  SoupMessageHeaders *headers;
} KtFetchedRecord;

static void
kt_fetched_record_free (KtFetchedRecord *record)
{
  g_free (record->json);
  g_clear_pointer (&record->headers, soup_message_headers_unref);
  g_free (record);
}

struct _KtWindow
{
  AdwApplicationWindow parent_instance;

  GtkMenuButton *account_button;
  GtkPopover *account_popover;
  GtkListBox *accounts_list;
  GtkButton *back_button;
  GtkWidget *content;
  AdwWindowTitle *content_title;
  AdwLeaflet *detail_leaflet;
  KtDetailPane *detail_pane;
  GtkWidget *detail_separator;
  GtkLabel *keyring_label;
  GtkRevealer *keyring_revealer;
  AdwLeaflet *leaflet;
  GtkStack *main_stack;
  KtRateMeter *rate_meter;
  GtkButton *search_button;
  AdwHeaderBar *sidebar_header;
  GtkListBox *sidebar_list;
  AdwHeaderBar *signed_out_header;
  AdwStatusPage *signed_out_page;
  GtkButton *sign_in_again_button;
  AdwToastOverlay *toast_overlay;
  GtkStack *view_stack;

  KtClient *client;
  KtAccountStore *store;
  KtAccount *account;
  GCancellable *cancellable;       /* requests made for the shown account */
  GCancellable *record_cancellable; /* fetches for the selected row */
  GHashTable *views;               /* resource id → KtResourceView, owned by view_stack */
  GHashTable *count_labels;        /* resource id → GtkLabel */
  GHashTable *company_counts;      /* resource id → count from the company record */
  GHashTable *sidebar_rows;        /* resource id → GtkListBoxRow */
  GHashTable *counts;              /* resource id → char *, as shown */
  /* resource id → KtFetchedRecord of the list's selected row, kept while
   * the row stays selected, so coming back to the list shows the record
   * with its headers without fetching it again */
  GHashTable *fetched_records;
  KtResourceView *current_view;
  GHashTable *lookups;             /* resource id → KtLookup, for the shown account */
  KtInspector *inspector;          /* weak */
  guint fetch_generation;
  gboolean keyring_dismissed;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_ACCOUNT_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KtWindow, kt_window, ADW_TYPE_APPLICATION_WINDOW)

static void show_resource_view (KtWindow       *self,
                                KtResourceView *view);
static GtkWidget *create_account_row_cb (gpointer item,
                                         gpointer user_data);

static void
toast (KtWindow   *self,
       const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, kt_toast_new_plain (message));
}

static gboolean
is_full_record_resource (const KtResource *resource)
{
  for (guint i = 0; i < G_N_ELEMENTS (full_record_resources); i++)
    {
      if (g_strcmp0 (full_record_resources[i], resource->id) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The path of one record of @resource, or NULL when the API has no such
 * path for it. The caller owns the string. */
static char *
build_record_path (KtWindow         *self,
                   const KtResource *resource,
                   gint64            id)
{
  gint64 company_id = kt_account_get_company_id (self->account);
  g_autofree char *list_path = NULL;
  gsize length;

  if (resource->scope == KT_SCOPE_SINGLE)
    return kt_catalogue_build_path (resource, company_id, 0, NULL, NULL);

  if (resource->scope != KT_SCOPE_COMPANY || id <= 0)
    return NULL;

  list_path = kt_catalogue_build_path (resource, company_id, 0, NULL, NULL);
  length = strlen (list_path);
  if (g_str_has_suffix (list_path, ".json"))
    list_path[length - strlen (".json")] = '\0';

  return g_strdup_printf ("%s/%" G_GINT64_FORMAT ".json", list_path, id);
}

/* The detail pane sits beside the list, or, in a narrow window, replaces
 * it until Back. It is not an AdwFlap because libadwaita 1.2's flap
 * sometimes allocated the list a width of INT_MIN when it first opened. */
static void
set_details_shown (KtWindow *self,
                   gboolean  shown)
{
  gtk_widget_set_visible (GTK_WIDGET (self->detail_pane), shown);
  gtk_widget_set_visible (self->detail_separator, shown);

  if (shown)
    adw_leaflet_set_visible_child (self->detail_leaflet, GTK_WIDGET (self->detail_pane));
  else
    adw_leaflet_set_visible_child (self->detail_leaflet, GTK_WIDGET (self->view_stack));
}

/* Sidebar */

/* An estimate of a list's rows from the page count of the X-Pages
 * header: every page as full as the pages loaded so far. Only the last
 * page may hold fewer rows, so the estimate is an upper bound, and it is
 * never below the rows already loaded. */
static gboolean
estimate_rows (KtResourceView *view,
               guint          *out)
{
  KtLoader *loader = kt_resource_view_get_loader (view);
  guint pages_total = 0;
  guint pages_loaded = 0;
  guint loader_rows = 0;
  guint rows = kt_resource_view_get_rows_loaded (view);

  if (loader == NULL)
    return FALSE;

  /* The loader's own row count, not the view's: the view counts a page's
   * rows as soon as they are added, before the loader counts the page,
   * which made 13 pages of 100 rows look like 12 pages of 108. */
  g_object_get (loader,
                "pages-total", &pages_total,
                "pages-loaded", &pages_loaded,
                "rows-loaded", &loader_rows,
                NULL);
  if (pages_total == 0 || pages_loaded == 0)
    return FALSE;

  *out = MAX (pages_total * (loader_rows / pages_loaded), rows);
  return TRUE;
}

static void
update_count (KtWindow       *self,
              KtResourceView *view)
{
  const KtResource *resource = kt_resource_view_get_resource (view);
  GtkLabel *label = g_hash_table_lookup (self->count_labels, resource->id);
  guint rows = kt_resource_view_get_rows_loaded (view);
  g_autofree char *text = NULL;
  g_autofree char *accessible = NULL;
  guint estimate = 0;

  if (label == NULL || resource->scope == KT_SCOPE_SINGLE)
    return;

  if (kt_resource_view_get_complete (view))
    {
      text = g_strdup_printf ("%u", rows);
      accessible = g_strdup_printf (ngettext ("%u row", "%u rows", rows), rows);
    }
  else if (rows > 0 && estimate_rows (view, &estimate))
    {
      /* TRANSLATORS: an estimated count in the sidebar: "≈20000" */
      text = g_strdup_printf (_("≈%u"), estimate);
      accessible = g_strdup_printf (ngettext ("About %u row", "About %u rows", estimate), estimate);
    }
  else if (rows == 0 && g_hash_table_contains (self->company_counts, resource->id))
    {
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->company_counts, resource->id));

      text = g_strdup_printf ("%u", count);
      accessible = g_strdup_printf (ngettext ("%u row", "%u rows", count), count);
    }
  else if (rows > 0)
    {
      /* TRANSLATORS: a count in the sidebar when more pages remain: "100+" */
      text = g_strdup_printf (_("%u+"), rows);
      accessible = g_strdup_printf (ngettext ("%u row loaded, more on the server",
                                              "%u rows loaded, more on the server", rows), rows);
    }
  else
    {
      text = g_strdup ("");
    }

  gtk_label_set_label (label, text);
  if (accessible != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                    -1);
  g_hash_table_replace (self->counts, g_strdup (resource->id), g_steal_pointer (&text));
}

/* The catalogue's icon, or a stand-in when the icon theme lacks it (the
 * Adwaita theme of GNOME 43 has no building or credit-card icon). */
static const char *
sidebar_icon_name (const KtResource *resource)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());

  if (resource->icon_name != NULL && gtk_icon_theme_has_icon (theme, resource->icon_name))
    return resource->icon_name;
  if (resource->scope == KT_SCOPE_SINGLE)
    return "go-home-symbolic";

  return "view-list-symbolic";
}

static void
build_sidebar (KtWindow *self)
{
  guint n_resources = 0;
  const KtResource *resources = kt_catalogue_get_resources (&n_resources);

  for (guint i = 0; i < n_resources; i++)
    {
      const KtResource *resource = &resources[i];
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *icon = gtk_image_new_from_icon_name (sidebar_icon_name (resource));
      GtkWidget *title = gtk_label_new (_(resource->title));
      GtkWidget *count = gtk_label_new (NULL);

      gtk_widget_set_hexpand (title, TRUE);
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (count, "dim-label");
      gtk_widget_add_css_class (count, "numeric");
      gtk_widget_add_css_class (count, "caption");

      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), title);
      gtk_box_append (GTK_BOX (box), count);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      g_object_set_data (G_OBJECT (row), "kt-resource", (gpointer) resource);
      gtk_list_box_append (self->sidebar_list, row);

      g_hash_table_insert (self->count_labels, (gpointer) resource->id, count);
      g_hash_table_insert (self->sidebar_rows, (gpointer) resource->id, row);
    }
}

static void
on_sidebar_row_activated_cb (GtkListBox    *list,
                             GtkListBoxRow *row,
                             KtWindow      *self)
{
  const KtResource *resource = g_object_get_data (G_OBJECT (row), "kt-resource");

  if (resource != NULL && self->account != NULL)
    kt_window_show_resource (self, resource->id);
}

/* A folded window is narrow: drop what Ctrl+F and the meter's label
 * already offer, so the header bar fits. */
static void
on_leaflet_folded_cb (AdwLeaflet *leaflet,
                      GParamSpec *pspec,
                      KtWindow   *self)
{
  gboolean folded = adw_leaflet_get_folded (leaflet);

  gtk_widget_set_visible (GTK_WIDGET (self->search_button), !folded);
  kt_rate_meter_set_compact (self->rate_meter, folded);
}

static void
on_back_clicked_cb (GtkButton *button,
                    KtWindow  *self)
{
  /* A narrow window showing a record goes back to the list first. */
  if (adw_leaflet_get_folded (self->detail_leaflet)
      && adw_leaflet_get_visible_child (self->detail_leaflet) == GTK_WIDGET (self->detail_pane))
    set_details_shown (self, FALSE);
  else
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* Lookups of names */

/* Returns the lookup of @resource_id's names, made once per account
 * without loading; owned by the window. It owns the resource's list
 * without filters, which the list view of the resource shows too. */
static KtLookup *
get_lookup (KtWindow   *self,
            const char *resource_id)
{
  KtLookup *lookup = g_hash_table_lookup (self->lookups, resource_id);
  g_autoptr(KtRowModel) model = NULL;

  if (lookup == NULL)
    {
      model = kt_row_model_new (kt_catalogue_lookup (resource_id));
      lookup = kt_lookup_new (model);
      g_signal_connect_object (lookup, "changed", G_CALLBACK (kt_detail_pane_update_names),
                               self->detail_pane, G_CONNECT_SWAPPED);
      g_hash_table_insert (self->lookups, (gpointer) kt_lookup_get_resource (lookup)->id, lookup);
    }

  return lookup;
}

/* Returns the lookup of @resource_id's names for @requester and starts
 * loading every name. Price lists name their parent from their own rows,
 * so their list loads only the pages the user asks for. */
static KtLookup *
ensure_lookup (KtWindow       *self,
               const char     *resource_id,
               KtResourceView *requester)
{
  KtLookup *lookup = get_lookup (self, resource_id);

  if (!g_str_equal (kt_resource_view_get_resource (requester)->id, resource_id))
    kt_lookup_load (lookup, self->client, self->account, self->cancellable);

  return lookup;
}

/* Resumes the loads of @view's lookups that failed or were stopped, so
 * a name missing after a failure comes back when the list is shown. */
static void
resume_lookups (KtWindow       *self,
                KtResourceView *view)
{
  g_auto(GStrv) lookup_ids = kt_resource_view_dup_lookup_ids (view);

  for (guint i = 0; lookup_ids[i] != NULL; i++)
    {
      KtLookup *lookup = g_hash_table_lookup (self->lookups, lookup_ids[i]);

      if (lookup != NULL && kt_lookup_get_loading_started (lookup))
        kt_lookup_load (lookup, self->client, self->account, self->cancellable);
    }
}

/* Records in the detail pane */

/* The body as received, so the pane shows exactly what the server sent;
 * the caller owns the string. */
static char *
dup_body_text (KtResponse *response)
{
  GBytes *body = kt_response_get_body (response);
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;

  return g_strndup (data != NULL ? data : "", size);
}

static void
on_record_fetched_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  KtFetchData *data = user_data;
  g_autoptr(KtWindow) self = data->self;
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  KtFetchMode mode = data->mode;
  const KtResource *resource = data->resource;
  gboolean current = data->generation == self->fetch_generation;

  g_free (data);

  response = kt_client_request_finish (KT_CLIENT (source), result, &error);
  if (response != NULL)
    node = kt_response_parse_json (response, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !current)
    return;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      const char *reason = error != NULL ? error->message : _("The response is not a JSON object; the Inspector (F12) shows what the server sent.");

      g_warning ("Fetching a record of %s failed: %s", resource->id, reason);
      if (mode == FETCH_FULL_RECORD)
        {
          g_autofree char *message = g_strdup_printf (_("Only the list's fields are shown: %s"), reason);

          toast (self, message);
        }
      else
        {
          kt_detail_pane_show_message (self->detail_pane, reason);
        }
      return;
    }

  json = dup_body_text (response);

  if (mode == FETCH_LINK)
    kt_detail_pane_push (self->detail_pane, resource, json, kt_response_get_headers (response));
  else
    kt_detail_pane_replace (self->detail_pane, json, kt_response_get_headers (response));

  /* The pane's only record is the selected row's. */
  if (mode != FETCH_LINK && kt_detail_pane_get_depth (self->detail_pane) == 1)
    {
      KtFetchedRecord *record = g_new0 (KtFetchedRecord, 1);

      record->id = kt_detail_pane_get_record_id (self->detail_pane);
      record->json = g_steal_pointer (&json);
      record->headers = soup_message_headers_ref (kt_response_get_headers (response));
      g_hash_table_replace (self->fetched_records, (gpointer) resource->id, record);
    }
}

static void
fetch_record (KtWindow         *self,
              const KtResource *resource,
              gint64            id,
              KtFetchMode       mode)
{
  g_autofree char *path = build_record_path (self, resource, id);
  KtFetchData *data;

  if (path == NULL)
    {
      /* TRANSLATORS: %s is a resource title such as "Inventory" */
      g_autofree char *message = g_strdup_printf (_("The API has no path for a single record of %s; its list shows every field."),
                                                  _(resource->title));

      toast (self, message);
      return;
    }

  data = g_new0 (KtFetchData, 1);
  data->self = g_object_ref (self);
  data->resource = resource;
  data->mode = mode;
  data->generation = self->fetch_generation;

  if (self->record_cancellable == NULL)
    self->record_cancellable = g_cancellable_new ();

  kt_client_request_async (self->client, self->account, "GET", path, NULL,
                           KT_PRIORITY_INTERACTIVE, self->record_cancellable,
                           on_record_fetched_cb, data);
}

/* Cancels the fetches of a record that is no longer selected. */
static void
cancel_record_fetches (KtWindow *self)
{
  if (self->record_cancellable != NULL)
    g_cancellable_cancel (self->record_cancellable);
  g_clear_object (&self->record_cancellable);
}

static void
on_view_selected_row_cb (KtResourceView *view,
                         GParamSpec     *pspec,
                         KtWindow       *self)
{
  KtRow *row = kt_resource_view_get_selected_row (view);
  const KtResource *resource = kt_resource_view_get_resource (view);
  KtFetchedRecord *fetched = g_hash_table_lookup (self->fetched_records, resource->id);
  g_autofree char *json = NULL;

  if (fetched != NULL && (row == NULL || kt_row_get_id (row) != fetched->id))
    {
      g_hash_table_remove (self->fetched_records, resource->id);
      fetched = NULL;
    }

  if (view != self->current_view)
    return;

  self->fetch_generation++;
  cancel_record_fetches (self);

  if (row == NULL)
    {
      kt_detail_pane_clear (self->detail_pane);
      set_details_shown (self, FALSE);
      return;
    }
  kt_detail_pane_set_site_id (self->detail_pane, kt_resource_view_get_site_id (view));

  if (fetched != NULL)
    {
      kt_detail_pane_show (self->detail_pane, resource, fetched->json, fetched->headers);
      set_details_shown (self, TRUE);
      return;
    }

  json = kt_row_dup_json (row);
  kt_detail_pane_show (self->detail_pane, resource, json, NULL);
  set_details_shown (self, TRUE);

  if (is_full_record_resource (resource))
    fetch_record (self, resource, kt_row_get_id (row), FETCH_FULL_RECORD);
}

static void
on_detail_open_link_cb (KtDetailPane *pane,
                        const char   *resource_id,
                        gint64        id,
                        KtWindow     *self)
{
  const KtResource *resource = kt_catalogue_lookup (resource_id);

  if (resource == NULL || self->account == NULL)
    return;

  self->fetch_generation++;
  fetch_record (self, resource, id, FETCH_LINK);
}

static void
on_detail_fetch_cb (KtDetailPane *pane,
                    KtWindow     *self)
{
  const KtResource *resource = kt_detail_pane_get_resource (pane);

  if (resource == NULL || self->account == NULL)
    return;

  self->fetch_generation++;
  fetch_record (self, resource, kt_detail_pane_get_record_id (pane), FETCH_CURRENT);
}

static void
on_detail_close_cb (KtDetailPane *pane,
                    KtWindow     *self)
{
  set_details_shown (self, FALSE);
}

/* Views */

/* The company record counts its sites and registers ("sites": {"count":
 * 2}), so their sidebar rows show a count before their lists load. */
static void
read_company_counts (KtWindow       *self,
                     KtResourceView *company_view)
{
  static const struct
  {
    const char *resource_id;
    const char *path;
  } counted[] = {
    { "sites", "sites.count" },
    { "registers", "registers.count" },
  };
  g_autoptr(KtRow) row = g_list_model_get_item (G_LIST_MODEL (kt_resource_view_get_row_model (company_view)), 0);
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (row == NULL)
    return;

  json = kt_row_dup_json (row);
  node = json_from_string (json, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (counted); i++)
    {
      const char *resource_id = counted[i].resource_id;
      KtResourceView *view = g_hash_table_lookup (self->views, resource_id);
      GtkLabel *label = g_hash_table_lookup (self->count_labels, resource_id);
      gint64 count = -1;

      if (!kt_json_get_id (json_node_get_object (node), counted[i].path, &count) || count < 0 || count > G_MAXUINT)
        continue;

      g_hash_table_insert (self->company_counts, (gpointer) resource_id, GUINT_TO_POINTER ((guint) count));

      /* A list that has loaded rows counts them itself. */
      if (view != NULL)
        update_count (self, view);
      else if (label != NULL)
        {
          g_autofree char *text = g_strdup_printf ("%u", (guint) count);

          gtk_label_set_label (label, text);
          g_hash_table_replace (self->counts, g_strdup (resource_id), g_steal_pointer (&text));
        }
    }
}

static void
on_view_count_cb (KtResourceView *view,
                  GParamSpec     *pspec,
                  KtWindow       *self)
{
  update_count (self, view);

  if (kt_resource_view_get_resource (view)->scope == KT_SCOPE_SINGLE
      && kt_resource_view_get_rows_loaded (view) > 0)
    read_company_counts (self, view);

  /* The company is one record: show it as soon as it arrives. */
  if (view == self->current_view
      && kt_resource_view_get_resource (view)->scope == KT_SCOPE_SINGLE
      && kt_resource_view_get_rows_loaded (view) > 0
      && kt_resource_view_get_selected_row (view) == NULL)
    kt_resource_view_select (view, 0);
}

static void
on_view_sign_in_required_cb (KtResourceView *view,
                             KtWindow       *self)
{
  g_debug ("A list reported the credential rejected");
}

static KtResourceView *
ensure_view (KtWindow         *self,
             const KtResource *resource)
{
  KtResourceView *view = g_hash_table_lookup (self->views, resource->id);
  g_auto(GStrv) lookup_ids = NULL;

  if (view != NULL)
    return view;

  view = KT_RESOURCE_VIEW (kt_resource_view_new (self->client, self->account, resource));
  /* A callback of a request in flight keeps a reference to its view, so
   * a view may outlive the window. The handlers go with the window. */
  g_signal_connect_object (view, "notify::rows-loaded", G_CALLBACK (on_view_count_cb), self, 0);
  g_signal_connect_object (view, "notify::complete", G_CALLBACK (on_view_count_cb), self, 0);
  /* The page count of X-Pages is read after the page's rows are added. */
  g_signal_connect_object (view, "notify::loading", G_CALLBACK (on_view_count_cb), self, 0);
  g_signal_connect_object (view, "notify::selected-row", G_CALLBACK (on_view_selected_row_cb), self, 0);
  g_signal_connect_object (view, "sign-in-required", G_CALLBACK (on_view_sign_in_required_cb), self, 0);

  gtk_stack_add_named (self->view_stack, GTK_WIDGET (view), resource->id);
  g_hash_table_insert (self->views, (gpointer) resource->id, view);

  /* The list shares its rows and loader with the lookup of its names, so
   * a page that one of them loaded is not fetched again for the other. */
  if (resource->scope == KT_SCOPE_COMPANY)
    kt_resource_view_set_shared_list (view, get_lookup (self, resource->id));

  lookup_ids = kt_resource_view_dup_lookup_ids (view);
  for (guint i = 0; lookup_ids[i] != NULL; i++)
    kt_resource_view_set_lookup (view, ensure_lookup (self, lookup_ids[i], view));

  return view;
}

static void
show_resource_view (KtWindow       *self,
                    KtResourceView *view)
{
  const KtResource *resource = kt_resource_view_get_resource (view);
  GtkListBoxRow *row = g_hash_table_lookup (self->sidebar_rows, resource->id);

  /* Requests of the list being left would spend the budget ahead of the
   * list on screen. The company record is one request, and its counts
   * fill the sidebar, so it finishes. */
  if (self->current_view != NULL && self->current_view != view
      && kt_resource_view_get_resource (self->current_view)->scope != KT_SCOPE_SINGLE)
    kt_resource_view_suspend (self->current_view);

  self->current_view = view;
  gtk_stack_set_visible_child (self->view_stack, GTK_WIDGET (view));
  adw_window_title_set_title (self->content_title, _(resource->title));
  if (row != NULL && gtk_list_box_get_selected_row (self->sidebar_list) != row)
    gtk_list_box_select_row (self->sidebar_list, row);

  adw_leaflet_set_visible_child (self->leaflet, self->content);

  kt_resource_view_ensure_loaded (view);
  resume_lookups (self, view);
  on_view_selected_row_cb (view, NULL, self);
  if (kt_resource_view_get_selected_row (view) == NULL)
    set_details_shown (self, FALSE);
  on_view_count_cb (view, NULL, self);
}

/* Pages */

/* Actions that act on the shown list or record, so only while browsing. */
static const char * const browse_actions[] = {
  "search", "reload", "load-all", "cancel-load", "rate-meter", "details",
  "back", "show-resource", "export",
};

static void
set_action_enabled (KtWindow   *self,
                    const char *name,
                    gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* Shows the "welcome", "signed-out" or "browse" page. The company switcher
 * moves to the header bar of the page shown, so a company whose sign-in
 * was rejected still offers the others and adding one. */
static void
set_main_page (KtWindow   *self,
               const char *name)
{
  gboolean browsing = g_strcmp0 (name, "browse") == 0;
  gboolean signed_out = g_strcmp0 (name, "signed-out") == 0;
  GtkWidget *button = GTK_WIDGET (self->account_button);
  AdwHeaderBar *header = signed_out ? self->signed_out_header : self->sidebar_header;

  if (gtk_widget_get_parent (button) != NULL
      && adw_header_bar_get_title_widget (header) != button)
    {
      g_object_ref (button);
      adw_header_bar_set_title_widget (signed_out ? self->sidebar_header : self->signed_out_header, NULL);
      adw_header_bar_set_title_widget (header, button);
      g_object_unref (button);
    }

  for (guint i = 0; i < G_N_ELEMENTS (browse_actions); i++)
    set_action_enabled (self, browse_actions[i], browsing);
  set_action_enabled (self, "inspector", self->account != NULL);
  set_action_enabled (self, "sign-out", self->account != NULL);

  gtk_stack_set_visible_child_name (self->main_stack, name);
}

/* Accounts */

static void
update_account_title (KtWindow *self)
{
  const char *name = self->account != NULL ? kt_account_get_company_name (self->account) : NULL;

  if (name == NULL || *name == '\0')
    name = _("Company");

  gtk_menu_button_set_label (self->account_button, name);
  adw_window_title_set_subtitle (self->content_title, name);
}

static void
on_account_name_cb (KtAccount  *account,
                    GParamSpec *pspec,
                    KtWindow   *self)
{
  update_account_title (self);
}

/* The reason the server gave for rejecting @account's saved sign-in: the
 * error_description (or error) of the last token request, when it
 * returned 400 or 401, as the inspector lists it. NULL when no such
 * response is logged. The caller owns the string. */
static char *
dup_rejection_reason (KtAccount *account)
{
  GListModel *exchanges = kt_account_get_exchanges (account);
  const char *token_uri = kt_account_get_config (account)->token_uri;

  for (guint i = g_list_model_get_n_items (exchanges); i > 0; i--)
    {
      g_autoptr(KtExchange) exchange = g_list_model_get_item (exchanges, i - 1);
      guint status = kt_exchange_get_status (exchange);
      GBytes *body = kt_exchange_get_response_body (exchange);
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *text = NULL;
      JsonObject *object;
      const char *reason;

      if (token_uri == NULL || g_strcmp0 (kt_exchange_get_uri (exchange), token_uri) != 0)
        continue;
      if (status != SOUP_STATUS_BAD_REQUEST && status != SOUP_STATUS_UNAUTHORIZED)
        return NULL;
      if (body == NULL || g_bytes_get_size (body) == 0)
        return NULL;

      text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      node = json_from_string (text, NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return NULL;

      object = json_node_get_object (node);
      reason = json_object_get_string_member_with_default (object, "error_description", NULL);
      if (reason == NULL)
        reason = json_object_get_string_member_with_default (object, "error", NULL);

      return g_strdup (reason);
    }

  return NULL;
}

static void
on_sign_in_required_cb (KtAccount *account,
                        GError    *error,
                        KtWindow  *self)
{
  const char *name = kt_account_get_company_name (account);
  g_autofree char *reason = NULL;
  g_autofree char *description = NULL;

  if (name == NULL || *name == '\0')
    name = _("this company");

  /* The request URI and the full response are in the inspector, which stays
   * available on this page. */
  g_debug ("The saved sign-in of %s was rejected: %s", name,
           error != NULL ? error->message : "no error given");

  if (kt_account_get_kind (account) == KT_AUTH_KIND_BASIC)
    {
      /* TRANSLATORS: %s is a company name */
      description = g_strdup_printf (_("Kounta rejected the saved client id and secret of %s. Enter them again to keep browsing."),
                                     name);
    }
  else if ((reason = dup_rejection_reason (account)) != NULL)
    {
      /* TRANSLATORS: the first %s is a company name, the second the
       * server's reason, such as "The refresh token has been revoked" */
      description = g_strdup_printf (_("Kounta rejected the saved sign-in of %s (%s). Sign in again to keep browsing."),
                                     name, reason);
    }
  else
    {
      /* TRANSLATORS: %s is a company name */
      description = g_strdup_printf (_("Kounta rejected the saved sign-in of %s. Sign in again to keep browsing."),
                                     name);
    }

  adw_status_page_set_icon_name (self->signed_out_page, "system-lock-screen-symbolic");
  adw_status_page_set_title (self->signed_out_page, _("Signed Out"));
  kt_status_page_set_plain_description (self->signed_out_page, description);
  gtk_button_set_label (self->sign_in_again_button, _("_Sign In Again"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->sign_in_again_button),
                                  kt_account_get_kind (account) == KT_AUTH_KIND_BASIC
                                  ? "app.sign-in-basic" : "app.sign-in");
  set_main_page (self, "signed-out");
}

static gboolean
error_means_signed_out (const GError *error)
{
  return g_error_matches (error, KT_ERROR, KT_ERROR_UNAUTHORIZED)
         || g_error_matches (error, KT_ERROR, KT_ERROR_INVALID_GRANT)
         || g_error_matches (error, KT_ERROR, KT_ERROR_INVALID_CLIENT);
}

/* Reading the company failed for another reason than the credential: the
 * same page offers to try again. */
static void
show_company_unreachable (KtWindow     *self,
                          const GError *error)
{
  adw_status_page_set_icon_name (self->signed_out_page, "network-offline-symbolic");
  adw_status_page_set_title (self->signed_out_page, _("Could Not Read the Company"));
  kt_status_page_set_plain_description (self->signed_out_page, error->message);
  gtk_button_set_label (self->sign_in_again_button, _("_Retry"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->sign_in_again_button), "win.retry-company");
  set_main_page (self, "signed-out");
}

/* A view whose load was cancelled may outlive its account's turn in the
 * window, or the window itself, until the cancelled request returns. Its
 * notifications would then count its rows in the sidebar of another
 * company, or reach a freed window. */
static void
disconnect_views (KtWindow *self)
{
  GHashTableIter iter;
  gpointer view;

  g_hash_table_iter_init (&iter, self->views);
  while (g_hash_table_iter_next (&iter, NULL, &view))
    g_signal_handlers_disconnect_by_data (view, self);
}

static void
clear_account (KtWindow *self)
{
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->fetch_generation++;
  cancel_record_fetches (self);

  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_clear_object (&self->account);

  self->current_view = NULL;
  g_hash_table_remove_all (self->fetched_records);
  disconnect_views (self);
  g_hash_table_remove_all (self->views);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->view_stack))) != NULL)
    gtk_stack_remove (self->view_stack, child);

  g_hash_table_remove_all (self->lookups);

  g_hash_table_remove_all (self->counts);
  g_hash_table_remove_all (self->company_counts);
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, self->count_labels);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      gtk_label_set_label (GTK_LABEL (value), "");
  }

  if (self->inspector != NULL)
    gtk_window_destroy (GTK_WINDOW (self->inspector));

  kt_rate_meter_set_rate_limit (self->rate_meter, NULL);
  kt_detail_pane_set_account (self->detail_pane, NULL);
  kt_detail_pane_clear (self->detail_pane);
  set_details_shown (self, FALSE);
}

/* The body of the company record that kt_client_fetch_company_async() read
 * at sign-in (the target of companies/me), from the account's log, or
 * NULL. Showing it saves the Company list a request. */
static GBytes *
find_company_record (KtWindow *self)
{
  GListModel *exchanges = kt_account_get_exchanges (self->account);
  g_autofree char *suffix = g_strdup_printf ("/companies/%" G_GINT64_FORMAT, kt_account_get_company_id (self->account));

  for (guint i = g_list_model_get_n_items (exchanges); i > 0; i--)
    {
      g_autoptr(KtExchange) exchange = g_list_model_get_item (exchanges, i - 1);
      g_autoptr(GUri) uri = g_uri_parse (kt_exchange_get_uri (exchange), G_URI_FLAGS_NONE, NULL);
      GBytes *body = kt_exchange_get_response_body (exchange);

      if (uri != NULL && kt_exchange_get_status (exchange) == SOUP_STATUS_OK
          && g_strcmp0 (kt_exchange_get_method (exchange), "GET") == 0
          && g_str_has_suffix (g_uri_get_path (uri), suffix) && body != NULL)
        return g_bytes_ref (body);
    }

  return NULL;
}

static void
start_browsing (KtWindow *self)
{
  guint n_resources = 0;
  const KtResource *resources = kt_catalogue_get_resources (&n_resources);

  /* The lists stay hidden until first needed, so the welcome page's first
   * frame does not style them. */
  gtk_widget_set_visible (GTK_WIDGET (self->leaflet), TRUE);
  set_main_page (self, "browse");
  if (n_resources > 0)
    {
      const KtResource *company = kt_catalogue_lookup ("company");
      g_autoptr(GBytes) record = find_company_record (self);

      if (company != NULL && record != NULL)
        kt_resource_view_show_record (ensure_view (self, company), record);

      kt_window_show_resource (self, resources[0].id);
    }
}

static void
on_company_fetched_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(KtWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!kt_client_fetch_company_finish (KT_CLIENT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_debug ("Reading the company failed: %s", error->message);
      if (error_means_signed_out (error))
        on_sign_in_required_cb (self->account, error, self);
      else
        show_company_unreachable (self, error);
      return;
    }

  start_browsing (self);
}

static gboolean
store_contains (KtWindow  *self,
                KtAccount *account)
{
  guint n_items;

  if (self->store == NULL || account == NULL)
    return FALSE;

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(KtAccount) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (item == account)
        return TRUE;
    }

  return FALSE;
}

static void
follow_store (KtWindow *self)
{
  g_autoptr(KtAccount) first = NULL;

  if (self->store == NULL || store_contains (self, self->account))
    return;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
    first = g_list_model_get_item (G_LIST_MODEL (self->store), 0);

  kt_window_show_account (self, first);
}

static void
on_store_items_changed_cb (GListModel *model,
                           guint       position,
                           guint       removed,
                           guint       added,
                           KtWindow   *self)
{
  follow_store (self);

  /* A row's subtitle names the API host only while another company has
   * the same name, so every row may change. */
  gtk_list_box_bind_model (self->accounts_list, G_LIST_MODEL (self->store),
                           create_account_row_cb, self, NULL);
}

static void
update_keyring_banner (KtWindow *self)
{
  const char *message = self->store != NULL ? kt_account_store_get_keyring_message (self->store) : NULL;

  if (message != NULL)
    gtk_label_set_label (self->keyring_label, message);

  gtk_revealer_set_reveal_child (self->keyring_revealer, message != NULL && !self->keyring_dismissed);
}

static void
on_keyring_message_cb (KtAccountStore *store,
                       GParamSpec     *pspec,
                       KtWindow       *self)
{
  self->keyring_dismissed = FALSE;
  update_keyring_banner (self);
}

static void
on_keyring_dismiss_clicked_cb (GtkButton *button,
                               KtWindow  *self)
{
  self->keyring_dismissed = TRUE;
  update_keyring_banner (self);
}

/* The host and port of @account's API, such as "127.0.0.1:8080", or NULL
 * when its API URI does not parse. The caller owns the string. */
static char *
dup_api_host (KtAccount *account)
{
  const char *api_uri = kt_account_get_config (account)->api_uri;
  g_autoptr(GUri) uri = api_uri != NULL ? g_uri_parse (api_uri, G_URI_FLAGS_NONE, NULL) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));

  return g_strdup (g_uri_get_host (uri));
}

/* Whether another account in the store has @account's company name. */
static gboolean
shares_company_name (KtWindow  *self,
                     KtAccount *account)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(KtAccount) other = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (other != account && g_strcmp0 (kt_account_get_company_name (other), kt_account_get_company_name (account)) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The switcher's subtitle of @account: how it signs in, and, when another
 * company has the same name, the API host that distinguishes
 * them. The caller owns the string. */
static char *
describe_account (KtWindow  *self,
                  KtAccount *account)
{
  const char *kind = kt_account_get_demo (account) ? _("Demo company")
                     : kt_account_get_kind (account) == KT_AUTH_KIND_BASIC
                     ? _("Basic credentials") : _("OAuth 2.0");
  g_autofree char *host = shares_company_name (self, account) ? dup_api_host (account) : NULL;

  if (host == NULL)
    return g_strdup (kind);

  /* TRANSLATORS: a kind of sign-in and an API host, such as
   * "Basic credentials · 127.0.0.1:8080" */
  return g_strdup_printf (_("%s · %s"), kind, host);
}

static GtkWidget *
create_account_row_cb (gpointer item,
                       gpointer user_data)
{
  KtAccount *account = KT_ACCOUNT (item);
  KtWindow *self = user_data;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *name = gtk_label_new (kt_account_get_company_name (account));
  g_autofree char *subtitle = describe_account (self, account);
  GtkWidget *kind = gtk_label_new (subtitle);
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (kind), 0);
  gtk_widget_add_css_class (kind, "dim-label");
  gtk_widget_add_css_class (kind, "caption");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_opacity (check, account == self->account ? 1.0 : 0.0);

  gtk_box_append (GTK_BOX (labels), name);
  gtk_box_append (GTK_BOX (labels), kind);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), check);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "kt-account", g_object_ref (account), g_object_unref);

  return row;
}

static void
on_account_row_activated_cb (GtkListBox    *list,
                             GtkListBoxRow *row,
                             KtWindow      *self)
{
  KtAccount *account = g_object_get_data (G_OBJECT (row), "kt-account");

  gtk_popover_popdown (self->account_popover);
  if (account != NULL)
    kt_window_show_account (self, account);
}

/* Actions */

static void
on_signed_out_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(KtWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!kt_account_store_sign_out_finish (KT_ACCOUNT_STORE (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Signed out here, but Kounta did not confirm the token was revoked: %s"),
                                                  error->message);

      g_warning ("Revoking at sign-out failed: %s", error->message);
      toast (self, message);
    }

  follow_store (self);
}

static void
on_sign_out_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         KtWindow         *self)
{
  KtAccount *account = g_object_get_data (G_OBJECT (dialog), "kt-account");

  if (g_strcmp0 (response, "sign-out") != 0 || !store_contains (self, account))
    return;

  kt_account_store_sign_out_async (self->store, account, NULL, on_signed_out_cb, g_object_ref (self));
}

static void
sign_out_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  KtWindow *self = KT_WINDOW (user_data);
  const char *name;
  GtkWidget *dialog;

  if (self->account == NULL)
    return;

  gtk_popover_popdown (self->account_popover);

  /* An account outside the store is only shown, so nothing is revoked. */
  if (!store_contains (self, self->account))
    {
      kt_window_show_account (self, NULL);
      return;
    }

  /* Forgetting the credentials cannot be undone, so ask first. */
  name = kt_account_get_company_name (self->account);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL);
  /* TRANSLATORS: %s is a company name */
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Sign Out of %s?"),
                                     name != NULL && *name != '\0' ? name : _("Company"));
  /* Basic credentials are sent with every request, so the server has no
   * token of them to revoke. */
  if (kt_account_get_kind (self->account) == KT_AUTH_KIND_BASIC)
    adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                                 _("Kounter removes the client id and secret of this company from the keyring and forgets the company. To browse it again, enter them again."));
  else if (kt_account_get_demo (self->account))
    adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                                 _("Kounter revokes its access to the demo company and forgets it. To browse it again, start the demo again."));
  else
    adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                                 _("Kounter revokes its access to this company, removes the tokens from the keyring and forgets the company. To browse it again, sign in again."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "sign-out", _("_Sign Out"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign-out", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "kt-account", g_object_ref (self->account), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_sign_out_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  KtWindow *self = KT_WINDOW (user_data);

  if (self->current_view != NULL)
    kt_resource_view_start_search (self->current_view);
}

static void
reload_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  KtWindow *self = KT_WINDOW (user_data);

  if (self->current_view != NULL)
    kt_resource_view_reload (self->current_view);
}

static void
load_all_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  KtWindow *self = KT_WINDOW (user_data);

  if (self->current_view != NULL)
    kt_resource_view_load_all (self->current_view);
}

static void
cancel_load_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  KtWindow *self = KT_WINDOW (user_data);

  if (self->current_view != NULL)
    kt_resource_view_cancel (self->current_view);
}

static void
inspector_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  kt_window_open_inspector (KT_WINDOW (user_data));
}

static void
rate_meter_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  KtWindow *self = KT_WINDOW (user_data);

  if (self->account != NULL)
    kt_rate_meter_popup (self->rate_meter);
}

static void
details_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  KtWindow *self = KT_WINDOW (user_data);

  set_details_shown (self, !gtk_widget_get_visible (GTK_WIDGET (self->detail_pane)));
}

static void
back_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  KtWindow *self = KT_WINDOW (user_data);

  if (kt_detail_pane_get_depth (self->detail_pane) > 1)
    kt_detail_pane_go_back (self->detail_pane);
  else if (adw_leaflet_get_folded (self->detail_leaflet)
           && adw_leaflet_get_visible_child (self->detail_leaflet) == GTK_WIDGET (self->detail_pane))
    set_details_shown (self, FALSE);
  else if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
show_resource_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  KtWindow *self = KT_WINDOW (user_data);

  if (self->account != NULL && kt_catalogue_lookup (g_variant_get_string (parameter, NULL)) != NULL)
    kt_window_show_resource (self, g_variant_get_string (parameter, NULL));
}

typedef struct
{
  KtWindow *self;
  GListModel *rows;
  const KtResource *resource;
  GPtrArray *lookups;              /* KtLookup or NULL, one per column */
  char *format;
} KtExportData;

static void
unref_if_set (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
export_data_free (KtExportData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->rows);
  g_clear_pointer (&data->lookups, g_ptr_array_unref);
  g_free (data->format);
  g_free (data);
}

static void
on_export_written_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  KtExportData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!kt_export_write_finish (result, &error))
    {
      g_warning ("Export failed: %s", error->message);
      toast (data->self, error->message);
    }
  else
    {
      guint n_rows = g_list_model_get_n_items (data->rows);
      g_autofree char *message = g_strdup_printf (ngettext ("Exported %u row", "Exported %u rows", n_rows), n_rows);

      toast (data->self, message);
    }

  export_data_free (data);
}

static void
on_export_chooser_response_cb (GtkNativeDialog *chooser,
                               int              response,
                               KtExportData    *data)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);

  if (file == NULL)
    {
      export_data_free (data);
      return;
    }

  kt_export_write_async (data->rows, data->resource, (KtLookup * const *) data->lookups->pdata, data->format, file, NULL, on_export_written_cb, data);
}

static void
export_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  KtWindow *self = KT_WINDOW (user_data);
  const char *format = g_variant_get_string (parameter, NULL);
  GtkFileChooserNative *chooser;
  KtExportData *data;
  g_autofree char *name = NULL;
  g_autoptr(GFile) folder = NULL;

  if (self->current_view == NULL)
    return;

  data = g_new0 (KtExportData, 1);
  data->self = g_object_ref (self);
  data->resource = kt_resource_view_get_resource (self->current_view);
  data->lookups = g_ptr_array_new_with_free_func (unref_if_set);
  for (guint i = 0; i < data->resource->n_columns; i++)
    {
      KtLookup *lookup = kt_resource_view_get_column_lookup (self->current_view, i);

      g_ptr_array_add (data->lookups, lookup != NULL ? g_object_ref (lookup) : NULL);
    }
  data->format = g_strdup (g_strcmp0 (format, "csv") == 0 ? "csv" : "json");
  /* The rows as shown now: searching or loading more afterwards does not
   * change what is written. */
  data->rows = G_LIST_MODEL (g_list_store_new (KT_TYPE_ROW));
  {
    GListModel *shown = kt_resource_view_get_shown_rows (self->current_view);
    guint n_rows = g_list_model_get_n_items (shown);

    for (guint i = 0; i < n_rows; i++)
      {
        g_autoptr(KtRow) row = g_list_model_get_item (shown, i);

        g_list_store_append (G_LIST_STORE (data->rows), row);
      }
  }

  name = g_strdup_printf ("%s.%s", data->resource->id, data->format);
  chooser = gtk_file_chooser_native_new (g_strcmp0 (data->format, "csv") == 0 ? _("Export as CSV") : _("Export as JSON"),
                                         GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  folder = kt_export_dup_default_folder ();
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_chooser_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
retry_company_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  KtWindow *self = KT_WINDOW (user_data);

  if (self->account == NULL)
    return;

  kt_client_fetch_company_async (self->client, self->account, self->cancellable,
                                 on_company_fetched_cb, g_object_ref (self));
}

static void
close_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
}

static const GActionEntry win_actions[] = {
  { "close", close_action },
  { "search", search_action },
  { "reload", reload_action },
  { "load-all", load_all_action },
  { "cancel-load", cancel_load_action },
  { "inspector", inspector_action },
  { "rate-meter", rate_meter_action },
  { "details", details_action },
  { "back", back_action },
  { "show-resource", show_resource_action, "s" },
  { "export", export_action, "s" },
  { "sign-out", sign_out_action },
  { "retry-company", retry_company_action },
};

/* Start-up benchmark */

static gboolean
webkit_is_mapped (void)
{
  g_autofree char *maps = NULL;

  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return FALSE;

  return strstr (maps, "libwebkitgtk") != NULL;
}

/* With KT_BENCH_FIRST_FRAME_FD set, bench/ui-startup.c waits on that file
 * descriptor: write one line when the first frame is drawn. */
static void
on_first_frame_cb (GdkFrameClock *clock,
                   KtWindow      *self)
{
  const char *fd_text = g_getenv ("KT_BENCH_FIRST_FRAME_FD");
  g_autofree char *line = NULL;
  int fd;

  g_signal_handlers_disconnect_by_func (clock, on_first_frame_cb, self);

  fd = fd_text != NULL ? atoi (fd_text) : -1;
  if (fd < 0)
    return;

  line = g_strdup_printf ("drawn webkit-mapped=%s\n", webkit_is_mapped () ? "yes" : "no");
  if (write (fd, line, strlen (line)) < 0)
    g_warning ("Writing to KT_BENCH_FIRST_FRAME_FD %d failed: %s", fd, g_strerror (errno));
  close (fd);
}

static void
kt_window_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (kt_window_parent_class)->realize (widget);

  if (g_getenv ("KT_BENCH_FIRST_FRAME_FD") != NULL)
    g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                      G_CALLBACK (on_first_frame_cb), widget);
}

/* Lifecycle */

static void
kt_window_constructed (GObject *object)
{
  KtWindow *self = KT_WINDOW (object);

  G_OBJECT_CLASS (kt_window_parent_class)->constructed (object);

  if (self->store != NULL)
    {
      gtk_list_box_bind_model (self->accounts_list, G_LIST_MODEL (self->store),
                               create_account_row_cb, self, NULL);
      g_signal_connect_object (self->store, "items-changed", G_CALLBACK (on_store_items_changed_cb), self, 0);
      g_signal_connect_object (self->store, "notify::keyring-message", G_CALLBACK (on_keyring_message_cb), self, 0);
      update_keyring_banner (self);
      follow_store (self);
    }
}

static void
kt_window_dispose (GObject *object)
{
  KtWindow *self = KT_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  cancel_record_fetches (self);

  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_clear_object (&self->account);

  if (self->inspector != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->inspector), (gpointer *) &self->inspector);
      gtk_window_destroy (GTK_WINDOW (self->inspector));
      self->inspector = NULL;
    }

  if (self->views != NULL)
    disconnect_views (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_WINDOW);

  if (self->lookups != NULL)
    g_hash_table_remove_all (self->lookups);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (kt_window_parent_class)->dispose (object);
}

static void
kt_window_finalize (GObject *object)
{
  KtWindow *self = KT_WINDOW (object);

  g_clear_pointer (&self->views, g_hash_table_unref);
  g_clear_pointer (&self->count_labels, g_hash_table_unref);
  g_clear_pointer (&self->company_counts, g_hash_table_unref);
  g_clear_pointer (&self->sidebar_rows, g_hash_table_unref);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_clear_pointer (&self->fetched_records, g_hash_table_unref);
  g_clear_pointer (&self->lookups, g_hash_table_unref);

  G_OBJECT_CLASS (kt_window_parent_class)->finalize (object);
}

static void
kt_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  KtWindow *self = KT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_ACCOUNT_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  KtWindow *self = KT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    case PROP_ACCOUNT_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_window_class_init (KtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = kt_window_constructed;
  object_class->dispose = kt_window_dispose;
  object_class->finalize = kt_window_finalize;
  object_class->get_property = kt_window_get_property;
  object_class->set_property = kt_window_set_property;

  widget_class->realize = kt_window_realize;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, KT_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT_STORE] =
    g_param_spec_object ("account-store", NULL, NULL, KT_TYPE_ACCOUNT_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KT_TYPE_DETAIL_PANE);
  g_type_ensure (KT_TYPE_RATE_METER);
  g_type_ensure (KT_TYPE_WELCOME_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "kt-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KtWindow, account_button);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, account_popover);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, content);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, detail_leaflet);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, detail_pane);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, detail_separator);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, keyring_label);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, keyring_revealer);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, rate_meter);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, sidebar_header);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, signed_out_header);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, signed_out_page);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, sign_in_again_button);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KtWindow, view_stack);
  gtk_widget_class_bind_template_callback (widget_class, on_account_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_detail_close_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_detail_fetch_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_detail_open_link_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_keyring_dismiss_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated_cb);

  /* Shortcuts of the window's actions; the shortcuts window lists them. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_L, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.load-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK, "win.cancel-load", NULL);
  /* Not Ctrl+Shift+I: GTK keeps Ctrl+Shift+I and Ctrl+Shift+D for its own
   * inspector, and its binding runs before the window's. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F12, 0, "win.inspector", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "win.rate-meter", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_ALT_MASK, "win.details", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", "s", "csv");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_E, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.export", "s", "json");
  {
    guint n_resources = 0;
    const KtResource *resources = kt_catalogue_get_resources (&n_resources);

    for (guint i = 0; i < n_resources && i < 9; i++)
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                           "win.show-resource", "s", resources[i].id);
  }
}

static void
kt_window_init (KtWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->views = g_hash_table_new (g_str_hash, g_str_equal);
  self->count_labels = g_hash_table_new (g_str_hash, g_str_equal);
  self->company_counts = g_hash_table_new (g_str_hash, g_str_equal);
  self->sidebar_rows = g_hash_table_new (g_str_hash, g_str_equal);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->fetched_records = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                 (GDestroyNotify) kt_fetched_record_free);
  self->lookups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  kt_detail_pane_set_lookups (self->detail_pane, self->lookups);
  self->cancellable = g_cancellable_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);

  build_sidebar (self);
  update_account_title (self);
  g_signal_connect (self->leaflet, "notify::folded", G_CALLBACK (on_leaflet_folded_cb), self);
  on_leaflet_folded_cb (self->leaflet, NULL, self);
  set_main_page (self, "welcome");
}

/* Returns a new main window for @application; GTK owns it once shown. */
KtWindow *
kt_window_new (KtApplication *application)
{
  g_return_val_if_fail (KT_IS_APPLICATION (application), NULL);

  return g_object_new (KT_TYPE_WINDOW,
                       "application", application,
                       "client", kt_application_get_client (application),
                       "account-store", kt_application_get_account_store (application),
                       NULL);
}

void
kt_window_show_account (KtWindow  *self,
                        KtAccount *account)
{
  g_return_if_fail (KT_IS_WINDOW (self));
  g_return_if_fail (account == NULL || KT_IS_ACCOUNT (account));

  if (self->account == account && account != NULL)
    return;

  clear_account (self);

  if (account == NULL)
    {
      update_account_title (self);
      set_main_page (self, "welcome");
      return;
    }

  g_return_if_fail (self->client != NULL);

  self->account = g_object_ref (account);
  g_signal_connect (account, "notify::company-name", G_CALLBACK (on_account_name_cb), self);
  g_signal_connect (account, "sign-in-required", G_CALLBACK (on_sign_in_required_cb), self);

  kt_rate_meter_set_rate_limit (self->rate_meter, kt_account_get_rate_limit (account));
  kt_detail_pane_set_account (self->detail_pane, account);
  update_account_title (self);

  /* Rebuild the switcher's rows so the check mark follows. */
  if (self->store != NULL)
    gtk_list_box_bind_model (self->accounts_list, G_LIST_MODEL (self->store),
                             create_account_row_cb, self, NULL);

  if (kt_account_get_company_id (account) == 0)
    {
      kt_client_fetch_company_async (self->client, account, self->cancellable,
                                     on_company_fetched_cb, g_object_ref (self));
      return;
    }

  start_browsing (self);
}

KtAccount *
kt_window_get_account (KtWindow *self)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);

  return self->account;
}

KtResourceView *
kt_window_show_resource (KtWindow   *self,
                         const char *resource_id)
{
  const KtResource *resource;
  KtResourceView *view;

  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);
  g_return_val_if_fail (self->account != NULL, NULL);

  resource = kt_catalogue_lookup (resource_id);
  g_return_val_if_fail (resource != NULL, NULL);

  view = ensure_view (self, resource);
  show_resource_view (self, view);

  return view;
}

KtResourceView *
kt_window_get_resource_view (KtWindow   *self,
                             const char *resource_id)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);

  return g_hash_table_lookup (self->views, resource_id);
}

const char *
kt_window_get_sidebar_count (KtWindow   *self,
                             const char *resource_id)
{
  const char *count;

  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);

  count = g_hash_table_lookup (self->counts, resource_id);
  return count != NULL ? count : "";
}

KtDetailPane *
kt_window_get_detail_pane (KtWindow *self)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);

  return self->detail_pane;
}

KtRateMeter *
kt_window_get_rate_meter (KtWindow *self)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);

  return self->rate_meter;
}

KtInspector *
kt_window_open_inspector (KtWindow *self)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);

  if (self->account == NULL)
    return NULL;

  if (self->inspector == NULL)
    {
      self->inspector = kt_inspector_new (self->account);
      /* Code exchanges at sign-in and revocations belong to no account
       * yet or any more; the client keeps them. */
      kt_inspector_add_exchanges (self->inspector, kt_client_get_exchanges (self->client));
      g_object_add_weak_pointer (G_OBJECT (self->inspector), (gpointer *) &self->inspector);
      if (gtk_window_get_application (GTK_WINDOW (self)) != NULL)
        gtk_window_set_application (GTK_WINDOW (self->inspector), gtk_window_get_application (GTK_WINDOW (self)));
    }

  gtk_window_present (GTK_WINDOW (self->inspector));
  return self->inspector;
}

const char *
kt_window_get_state (KtWindow *self)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->main_stack);
}

const char *
kt_window_get_banner_text (KtWindow *self)
{
  g_return_val_if_fail (KT_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->keyring_revealer))
    return NULL;

  return gtk_label_get_label (self->keyring_label);
}
