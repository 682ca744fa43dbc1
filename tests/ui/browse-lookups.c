/* Names in place of ids: the inventory's products and the cash-ups'
 * registers and sites against the sandbox, the lists loaded for them once,
 * and a reference to a record that is gone. */
#define G_LOG_DOMAIN "browse-lookups"

#include "config.h"

#include <string.h>

#include "browse-helpers.h"
#include "core/kt-catalogue.h"
#include "core/kt-json.h"
#include "ui/kt-window.h"

static BrowseFixture fixture;
static KtWindow *window;

static gboolean
view_has_first_page (gpointer data)
{
  KtResourceView *view = data;

  return kt_resource_view_get_rows_loaded (view) > 0 && !kt_resource_view_get_loading (view);
}

static gboolean
lookup_is_complete (gpointer data)
{
  return kt_lookup_get_complete (KT_LOOKUP (data));
}

static KtLookup *
column_lookup (KtResourceView *view,
               const char     *column_id)
{
  int column = kt_catalogue_find_column (kt_resource_view_get_resource (view), column_id);

  g_assert_cmpint (column, >=, 0);
  return kt_resource_view_get_column_lookup (view, column);
}

static char *
cell (KtResourceView *view,
      guint           position,
      const char     *column_id)
{
  int column = kt_catalogue_find_column (kt_resource_view_get_resource (view), column_id);

  g_assert_cmpint (column, >=, 0);
  return kt_resource_view_dup_cell_text (view, position, column);
}

/* The "name" of record @id of @resource_id as the sandbox returns it. */
static char *
fetch_name (const char *resource_id,
            gint64      id)
{
  g_autofree char *path = NULL;
  JsonNode *node;
  char *name;

  path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/%s/%" G_GINT64_FORMAT ".json",
                          kt_sandbox_get_company_id (fixture.sandbox), resource_id, id);
  node = browse_fetch_json (&fixture, path);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  name = g_strdup (json_object_get_string_member (json_node_get_object (node), "name"));
  json_node_unref (node);

  g_assert_nonnull (name);
  return name;
}

/* The number of requests the sandbox received for the list @resource_id,
 * every page counted. */
static guint
list_requests (const char *resource_id)
{
  g_autoptr(GUri) api = g_uri_parse (kt_sandbox_get_api_uri (fixture.sandbox), G_URI_FLAGS_NONE, NULL);
  g_autofree char *name = NULL;

  g_assert_nonnull (api);
  name = g_strdup_printf ("path:%scompanies/%" G_GINT64_FORMAT "/%s.json", g_uri_get_path (api),
                          kt_sandbox_get_company_id (fixture.sandbox), resource_id);
  return kt_sandbox_get_counter (fixture.sandbox, name);
}

static gint64
row_value_id (KtResourceView *view,
              guint           position,
              const char     *column_id)
{
  int column = kt_catalogue_find_column (kt_resource_view_get_resource (view), column_id);
  g_autoptr(KtRow) row = g_list_model_get_item (kt_resource_view_get_shown_rows (view), position);

  g_assert_nonnull (row);
  return g_ascii_strtoll (kt_row_get_value (row, column), NULL, 10);
}

static void
test_inventory_product_names (void)
{
  KtResourceView *view = kt_window_show_resource (window, "inventory");
  KtLookup *products;
  guint n_rows;

  g_assert_true (browse_wait_until (view_has_first_page, view, 40));
  products = column_lookup (view, "product");
  g_assert_nonnull (products);
  g_assert_true (browse_wait_until (lookup_is_complete, products, 60));

  n_rows = g_list_model_get_n_items (kt_resource_view_get_shown_rows (view));
  g_assert_cmpuint (n_rows, >, 2);
  for (guint position = 0; position < n_rows; position += MAX (1, n_rows / 4))
    {
      g_autoptr(KtRow) row = g_list_model_get_item (kt_resource_view_get_shown_rows (view), position);
      g_autofree char *expected = fetch_name ("products", kt_row_get_id (row));
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, kt_row_get_id (row));
      g_autofree char *shown_id = cell (view, position, "id");
      g_autofree char *shown_name = cell (view, position, "product");

      g_assert_cmpstr (shown_id, ==, id_text);
      g_assert_cmpstr (shown_name, ==, expected);
    }

  browse_spin (200);
  browse_save_screenshot (GTK_WIDGET (window), "browse-inventory-names");
}

static void
test_cashups_register_and_site_names (void)
{
  KtResourceView *view = kt_window_show_resource (window, "cashups");
  KtLookup *registers;
  KtLookup *sites;
  guint n_rows;

  g_assert_true (browse_wait_until (view_has_first_page, view, 40));
  registers = column_lookup (view, "register");
  sites = column_lookup (view, "site");
  g_assert_nonnull (registers);
  g_assert_nonnull (sites);
  g_assert_true (browse_wait_until (lookup_is_complete, registers, 60));
  g_assert_true (browse_wait_until (lookup_is_complete, sites, 60));

  n_rows = g_list_model_get_n_items (kt_resource_view_get_shown_rows (view));
  g_assert_cmpuint (n_rows, >, 2);
  for (guint position = 0; position < n_rows; position += MAX (1, n_rows / 4))
    {
      g_autofree char *register_name = fetch_name ("registers", row_value_id (view, position, "register"));
      g_autofree char *site_name = fetch_name ("sites", row_value_id (view, position, "site"));
      g_autofree char *shown_register = cell (view, position, "register");
      g_autofree char *shown_site = cell (view, position, "site");

      g_assert_cmpstr (shown_register, ==, register_name);
      g_assert_cmpstr (shown_site, ==, site_name);
    }

  /* A search finds the rows of a register by its name. */
  {
    g_autofree char *name = cell (view, 0, "register");
    GListModel *shown = kt_resource_view_get_shown_rows (view);

    kt_resource_view_set_search_text (view, name);
    g_assert_cmpuint (g_list_model_get_n_items (shown), >, 0);
    for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
      {
        g_autofree char *register_name = cell (view, i, "register");
        g_autofree char *site_name = cell (view, i, "site");
        g_autofree char *id_text = cell (view, i, "id");

        g_assert_true (strstr (register_name, name) != NULL || strstr (site_name, name) != NULL
                       || strstr (id_text, name) != NULL);
      }
    kt_resource_view_set_search_text (view, NULL);
  }

  browse_spin (200);
  browse_save_screenshot (GTK_WIDGET (window), "browse-cashups-names");
}

/* Runs after the two tests above, which made the lookups. */
static void
test_lookup_lists_requested_once (void)
{
  guint sites = list_requests ("sites");
  guint registers = list_requests ("registers");
  guint products = list_requests ("products");
  KtResourceView *view;

  /* Both lists need the sites, and they fit on one page. */
  g_assert_cmpuint (sites, ==, 1);
  g_assert_cmpuint (registers, ==, 1);
  g_assert_cmpuint (products, >=, 1);

  /* The lists themselves show the rows the lookups loaded. */
  view = kt_window_show_resource (window, "registers");
  g_assert_true (kt_resource_view_get_complete (view));
  g_assert_cmpuint (kt_resource_view_get_rows_loaded (view), ==, kt_sandbox_count_rows (fixture.sandbox, "registers"));
  view = kt_window_show_resource (window, "products");
  g_assert_true (kt_resource_view_get_complete (view));
  g_assert_cmpuint (kt_resource_view_get_rows_loaded (view), ==, kt_sandbox_count_rows (fixture.sandbox, "products"));
  view = kt_window_show_resource (window, "sites");
  browse_spin (300);

  g_assert_cmpuint (list_requests ("sites"), ==, sites);
  g_assert_cmpuint (list_requests ("registers"), ==, registers);
  g_assert_cmpuint (list_requests ("products"), ==, products);
}

static KtRowModel *
model_from_json (const char *resource_id,
                 const char *json)
{
  KtRowModel *model = kt_row_model_new (kt_catalogue_lookup (resource_id));
  g_autoptr(GBytes) page = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (kt_row_model_append_page (model, page, &error), >, 0);
  g_assert_no_error (error);
  return model;
}

static void
test_missing_reference_marked (void)
{
  g_autoptr(KtRowModel) cashups = model_from_json ("cashups",
    "[{\"id\":1,\"register_id\":10,\"site_id\":5,\"orders\":3,\"total\":9.5,\"created_at\":\"2024-03-01T10:00:00Z\"},"
    " {\"id\":2,\"register_id\":99,\"site_id\":5,\"orders\":1,\"total\":2,\"created_at\":\"2024-03-01T11:00:00Z\"},"
    " {\"id\":3,\"register_id\":11,\"site_id\":5,\"orders\":1,\"total\":2,\"created_at\":\"2024-03-01T12:00:00Z\"}]");
  g_autoptr(KtRowModel) registers = model_from_json ("registers",
    "[{\"id\":10,\"name\":\"Front Counter\",\"code\":\"R1\",\"site_id\":5},"
    " {\"id\":11,\"name\":\"Bar\",\"code\":\"R2\",\"site_id\":5}]");
  g_autoptr(KtLookup) lookup = kt_lookup_new (registers);
  KtResourceView *view = KT_RESOURCE_VIEW (kt_resource_view_new (fixture.client, fixture.account,
                                                                 kt_catalogue_lookup ("cashups")));
  GListModel *shown = kt_resource_view_get_shown_rows (view);

  g_object_ref_sink (view);
  g_assert_true (kt_resource_view_show_rows (view, cashups));

  /* Until every register is loaded, an unknown id is shown bare. */
  kt_resource_view_set_lookup (view, lookup);
  {
    g_autofree char *named = cell (view, 0, "register");
    g_autofree char *pending = cell (view, 1, "register");

    g_assert_cmpstr (named, ==, "Front Counter");
    g_assert_cmpstr (pending, ==, "99");
  }

  kt_lookup_set_complete (lookup, TRUE);
  {
    g_autofree char *missing = cell (view, 1, "register");

    g_assert_cmpstr (missing, ==, "99 (not found)");
  }

  /* The search finds a row by the register's name. */
  kt_resource_view_set_search_text (view, "bar");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  {
    g_autoptr(KtRow) row = g_list_model_get_item (shown, 0);

    g_assert_cmpint (kt_row_get_id (row), ==, 3);
  }
  kt_resource_view_set_search_text (view, NULL);

  g_object_unref (view);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  browse_init (&argc, &argv);
  browse_fixture_setup (&fixture, KT_SANDBOX_SCALE_DEMO, 5, 0);

  window = g_object_new (KT_TYPE_WINDOW, "client", fixture.client, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  kt_window_show_account (window, fixture.account);

  g_test_add_func ("/lookups/inventory/product-names", test_inventory_product_names);
  g_test_add_func ("/lookups/cashups/register-and-site-names", test_cashups_register_and_site_names);
  g_test_add_func ("/lookups/requests/each-list-once", test_lookup_lists_requested_once);
  g_test_add_func ("/lookups/missing/marked-not-found", test_missing_reference_marked);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  browse_fixture_teardown (&fixture);

  return status;
}
