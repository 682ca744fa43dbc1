/* Names in place of ids: the inventory's products and the cash-ups'
 * registers and sites against the sandbox, the lists loaded for them once,
 * each products page fetched once for the Products list and the names in
 * either order, and a reference to a record that is gone. */
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

/* Returns how often the sandbox of @sandboxed served the page of the list
 * @resource_id without filters that starts at row @offset. */
static guint
page_served (BrowseFixture *sandboxed,
             const char    *resource_id,
             guint          offset)
{
  g_autoptr(GUri) api = g_uri_parse (kt_sandbox_get_api_uri (sandboxed->sandbox), G_URI_FLAGS_NONE, NULL);
  g_autofree char *name = NULL;

  g_assert_nonnull (api);
  name = g_strdup_printf ("page:%scompanies/%" G_GINT64_FORMAT "/%s.json@%u", g_uri_get_path (api),
                          kt_sandbox_get_company_id (sandboxed->sandbox), resource_id, offset);
  return kt_sandbox_get_counter (sandboxed->sandbox, name);
}

typedef struct
{
  BrowseFixture *sandboxed;
  const char *resource_id;
  guint offset;
} PageWatch;

static gboolean
page_was_served (gpointer data)
{
  PageWatch *watch = data;

  return page_served (watch->sandboxed, watch->resource_id, watch->offset) > 0;
}

static gboolean
view_is_idle (gpointer data)
{
  return !kt_resource_view_get_loading (KT_RESOURCE_VIEW (data));
}

static gboolean
view_is_complete (gpointer data)
{
  return kt_resource_view_get_complete (KT_RESOURCE_VIEW (data));
}

/* Checks that every page of the products of @sandboxed was served once
 * and that @rows contains each product once. */
static void
assert_products_loaded_once (BrowseFixture *sandboxed,
                             GListModel    *rows)
{
  guint expected_rows = kt_sandbox_count_rows (sandboxed->sandbox, "products");
  gint64 previous_id = G_MININT64;
  guint page_size;

  g_object_get (sandboxed->sandbox, "page-size", &page_size, NULL);
  for (guint offset = 0; offset < expected_rows; offset += page_size)
    g_assert_cmpuint (page_served (sandboxed, "products", offset), ==, 1);

  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, expected_rows);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (rows, i);

      /* The sandbox sends rows by ascending id, so a repeated row would
       * break the order. */
      g_assert_cmpint (kt_row_get_id (row), >, previous_id);
      previous_id = kt_row_get_id (row);
    }
}

/* Checks the product names of the first rows of the inventory @view
 * against the sandbox of @sandboxed. */
static void
assert_inventory_names (BrowseFixture  *sandboxed,
                        KtResourceView *view)
{
  guint n_rows = g_list_model_get_n_items (kt_resource_view_get_shown_rows (view));

  g_assert_cmpuint (n_rows, >, 2);
  for (guint position = 0; position < 3; position++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (kt_resource_view_get_shown_rows (view), position);
      g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/products/%" G_GINT64_FORMAT ".json",
                                               kt_sandbox_get_company_id (sandboxed->sandbox),
                                               kt_row_get_id (row));
      JsonNode *node = browse_fetch_json (sandboxed, path);
      g_autofree char *shown_name = cell (view, position, "product");

      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      g_assert_cmpstr (shown_name, ==, json_object_get_string_member (json_node_get_object (node), "name"));
      json_node_unref (node);
    }
}

static GtkLabel *
count_label (KtResourceView *view)
{
  return GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "count_label"));
}

static void
test_products_list_then_names (void)
{
  BrowseFixture shared = { NULL, NULL, NULL };
  KtWindow *own_window;
  KtResourceView *products;
  KtResourceView *inventory;
  KtLookup *names;
  g_autofree char *footer = NULL;
  guint page_size;

  browse_fixture_setup (&shared, KT_SANDBOX_SCALE_DEMO, 0, 0);
  g_object_get (shared.sandbox, "page-size", &page_size, NULL);
  g_assert_cmpuint (kt_sandbox_count_rows (shared.sandbox, "products"), >, 2 * page_size);

  own_window = g_object_new (KT_TYPE_WINDOW, "client", shared.client, NULL);
  gtk_window_present (GTK_WINDOW (own_window));
  kt_window_show_account (own_window, shared.account);

  /* The Products list loads its first page only. */
  products = kt_window_show_resource (own_window, "products");
  g_assert_true (browse_wait_until (view_has_first_page, products, 30));
  g_assert_cmpuint (kt_resource_view_get_rows_loaded (products), ==, page_size);
  g_assert_false (kt_resource_view_get_complete (products));

  /* The inventory's names go on from the second page. */
  inventory = kt_window_show_resource (own_window, "inventory");
  g_assert_true (browse_wait_until (view_has_first_page, inventory, 30));
  names = column_lookup (inventory, "product");
  g_assert_nonnull (names);
  g_assert_true (browse_wait_until (lookup_is_complete, names, 60));
  assert_products_loaded_once (&shared, G_LIST_MODEL (kt_lookup_get_model (names)));
  assert_inventory_names (&shared, inventory);

  /* The Products list has every row, and its footer shows their count
   * with no more on the server. */
  g_assert_true (kt_window_show_resource (own_window, "products") == products);
  g_assert_true (browse_wait_until (view_is_complete, products, 10));
  assert_products_loaded_once (&shared, G_LIST_MODEL (kt_resource_view_get_row_model (products)));
  footer = g_strdup_printf ("%u rows", kt_sandbox_count_rows (shared.sandbox, "products"));
  g_assert_cmpstr (gtk_label_get_label (count_label (products)), ==, footer);

  gtk_window_destroy (GTK_WINDOW (own_window));
  browse_fixture_teardown (&shared);
}

static void
test_names_then_products_list (void)
{
  BrowseFixture shared = { NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;
  KtWindow *own_window;
  KtResourceView *products;
  KtResourceView *inventory;
  KtLookup *names;
  GtkWidget *progress_bar;
  PageWatch first_page;
  g_autofree char *footer = NULL;
  guint page_size;

  browse_fixture_setup (&shared, KT_SANDBOX_SCALE_DEMO, 0, 0);
  g_object_get (shared.sandbox, "page-size", &page_size, NULL);
  g_assert_cmpuint (kt_sandbox_count_rows (shared.sandbox, "products"), >, 2 * page_size);

  own_window = g_object_new (KT_TYPE_WINDOW, "client", shared.client, NULL);
  gtk_window_present (GTK_WINDOW (own_window));
  kt_window_show_account (own_window, shared.account);

  /* Each response takes two seconds, so the names are still loading when
   * the Products list opens. */
  g_assert_true (kt_sandbox_add_fault (shared.sandbox, "slow", &error));
  g_assert_no_error (error);
  inventory = kt_window_show_resource (own_window, "inventory");
  names = column_lookup (inventory, "product");
  g_assert_nonnull (names);
  first_page = (PageWatch) { &shared, "products", 0 };
  g_assert_true (browse_wait_until (page_was_served, &first_page, 20));
  g_assert_false (kt_lookup_get_complete (names));

  /* The list waits for the names' load and shows its progress. */
  products = kt_window_show_resource (own_window, "products");
  progress_bar = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (products), KT_TYPE_RESOURCE_VIEW,
                                                            "progress_bar"));
  g_assert_true (kt_resource_view_get_loading (products));
  g_assert_true (gtk_widget_get_visible (progress_bar));
  g_assert_true (browse_wait_until (view_is_complete, products, 60));
  g_assert_true (kt_lookup_get_complete (names));
  g_assert_false (gtk_widget_get_visible (progress_bar));
  g_assert_cmpstr (kt_resource_view_get_state (products), ==, "list");
  footer = g_strdup_printf ("%u rows", kt_sandbox_count_rows (shared.sandbox, "products"));
  g_assert_cmpstr (gtk_label_get_label (count_label (products)), ==, footer);
  assert_products_loaded_once (&shared, G_LIST_MODEL (kt_resource_view_get_row_model (products)));

  /* The inventory shows the names. */
  g_assert_true (kt_sandbox_add_fault (shared.sandbox, "slow:0", &error));
  g_assert_no_error (error);
  g_assert_true (kt_window_show_resource (own_window, "inventory") == inventory);
  g_assert_true (browse_wait_until (view_has_first_page, inventory, 30));
  assert_inventory_names (&shared, inventory);
  assert_products_loaded_once (&shared, G_LIST_MODEL (kt_lookup_get_model (names)));

  gtk_window_destroy (GTK_WINDOW (own_window));
  browse_fixture_teardown (&shared);
}

static void
test_left_list_stops_names (void)
{
  BrowseFixture shared = { NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;
  KtWindow *own_window;
  KtResourceView *products;
  KtResourceView *inventory;
  KtLookup *names;
  PageWatch first_page;
  PageWatch second_page;
  guint page_size;

  browse_fixture_setup (&shared, KT_SANDBOX_SCALE_DEMO, 0, 0);
  g_object_get (shared.sandbox, "page-size", &page_size, NULL);
  g_assert_cmpuint (kt_sandbox_count_rows (shared.sandbox, "products"), >, 2 * page_size);

  own_window = g_object_new (KT_TYPE_WINDOW, "client", shared.client, NULL);
  gtk_window_present (GTK_WINDOW (own_window));
  kt_window_show_account (own_window, shared.account);

  /* Each response takes two seconds. The Products list opens while the
   * names load, and is left while their second page is on the wire. */
  g_assert_true (kt_sandbox_add_fault (shared.sandbox, "slow", &error));
  g_assert_no_error (error);
  inventory = kt_window_show_resource (own_window, "inventory");
  names = column_lookup (inventory, "product");
  first_page = (PageWatch) { &shared, "products", 0 };
  g_assert_true (browse_wait_until (page_was_served, &first_page, 20));
  products = kt_window_show_resource (own_window, "products");
  second_page = (PageWatch) { &shared, "products", page_size };
  g_assert_true (browse_wait_until (page_was_served, &second_page, 20));
  kt_window_show_resource (own_window, "staff");

  /* The page on the wire arrives, and no page follows it. */
  g_assert_true (browse_wait_until (view_is_idle, products, 20));
  g_assert_cmpuint (kt_resource_view_get_rows_loaded (products), ==, 2 * page_size);
  g_assert_cmpuint (page_served (&shared, "products", 2 * page_size), ==, 0);
  g_assert_false (kt_lookup_get_complete (names));

  /* The inventory shown again needs the names, so they load on from the
   * third page. */
  g_assert_true (kt_sandbox_add_fault (shared.sandbox, "slow:0", &error));
  g_assert_no_error (error);
  g_assert_true (kt_window_show_resource (own_window, "inventory") == inventory);
  g_assert_true (browse_wait_until (lookup_is_complete, names, 30));
  assert_products_loaded_once (&shared, G_LIST_MODEL (kt_lookup_get_model (names)));
  g_assert_true (browse_wait_until (view_has_first_page, inventory, 30));
  assert_inventory_names (&shared, inventory);

  /* The Products list shown again has every row without a request. */
  g_assert_true (kt_window_show_resource (own_window, "products") == products);
  g_assert_true (browse_wait_until (view_is_complete, products, 10));
  g_assert_cmpstr (kt_resource_view_get_state (products), ==, "list");
  assert_products_loaded_once (&shared, G_LIST_MODEL (kt_resource_view_get_row_model (products)));

  gtk_window_destroy (GTK_WINDOW (own_window));
  browse_fixture_teardown (&shared);
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
  g_test_add_func ("/lookups/shared/list-then-names", test_products_list_then_names);
  g_test_add_func ("/lookups/shared/names-then-list", test_names_then_products_list);
  g_test_add_func ("/lookups/shared/left-list-stops-names", test_left_list_stops_names);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  browse_fixture_teardown (&fixture);

  return status;
}
