/* The detail pane on its own: numbers shown as the server wrote them in
 * the Raw and Fields tabs, the chevrons of nested rows, and titles, labels
 * and values worded as in the lists. */
#define G_LOG_DOMAIN "browse-detail"

#include "config.h"

#include <string.h>

#include "browse-helpers.h"
#include "core/kt-catalogue.h"
#include "core/kt-lookup.h"
#include "core/kt-oauth.h"
#include "ui/kt-detail-pane.h"
#include "ui/kt-format.h"

/* Numbers that json-glib and g_ascii_dtostr() write with 17 digits, an
 * integer past 32 bits, an exponent, and a nested object. */
static const char record_json[] =
  "{\"id\":4294966001,\"name\":\"GST\",\"rate\":0.1,\"weight\":7.8,"
  "\"ratio\":5.64,\"count\":4294967297,\"tiny\":1e-7,"
  "\"lines\":[{\"quantity\":0.7,\"product\":{\"id\":5,\"name\":\"Sourdough Loaf\"}}]}";

static const char record_indented[] =
  "{\n"
  "  \"id\": 4294966001,\n"
  "  \"name\": \"GST\",\n"
  "  \"rate\": 0.1,\n"
  "  \"weight\": 7.8,\n"
  "  \"ratio\": 5.64,\n"
  "  \"count\": 4294967297,\n"
  "  \"tiny\": 1e-7,\n"
  "  \"lines\": [\n"
  "    {\n"
  "      \"quantity\": 0.7,\n"
  "      \"product\": {\n"
  "        \"id\": 5,\n"
  "        \"name\": \"Sourdough Loaf\"\n"
  "      }\n"
  "    }\n"
  "  ]\n"
  "}";

static GtkWindow *window;
static KtDetailPane *pane;

/* The first row of @type titled @title under @widget, or NULL. */
static GtkWidget *
find_typed_row (GtkWidget  *widget,
                GType       type,
                const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_typed_row (child, type, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  return find_typed_row (widget, ADW_TYPE_ACTION_ROW, title);
}

/* The selectable label of @widget's subtree: a field's value. */
static GtkLabel *
find_value_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_label_get_selectable (GTK_LABEL (widget)))
    return GTK_LABEL (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_value_label (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static const char *
field_text (const char *title)
{
  GtkWidget *row = find_row (GTK_WIDGET (pane), title);
  GtkLabel *label;

  g_assert_nonnull (row);
  label = find_value_label (row);
  g_assert_nonnull (label);

  return gtk_label_get_label (label);
}

static void
show_record (void)
{
  kt_detail_pane_show (pane, kt_catalogue_lookup ("taxes"), record_json, NULL);
  browse_spin (200);
}

static void
test_raw_keeps_numbers (void)
{
  show_record ();

  g_assert_cmpstr (kt_detail_pane_get_text (pane), ==, record_indented);

  kt_detail_pane_set_tab (pane, "raw");
  browse_spin (200);
  browse_save_screenshot (GTK_WIDGET (window), "browse-detail-raw-numbers");
}

static void
test_fields_keep_numbers (void)
{
  static const struct
  {
    const char *title;
    const char *expected;
  } cases[] = {
    { "Rate", "0.1" },
    { "Weight", "7.8" },
    { "Ratio", "5.64" },
    { "Count", "4294967297" },
    { "Tiny", "1e-7" },
    { "Quantity", "0.7" },
  };

  show_record ();
  kt_detail_pane_set_tab (pane, "fields");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (field_text (cases[i].title), ==, cases[i].expected);

  browse_save_screenshot (GTK_WIDGET (window), "browse-detail-fields-numbers");
}

static void
test_nested_rows (void)
{
  GtkWidget *lines;
  GtkWidget *line;

  show_record ();
  kt_detail_pane_set_tab (pane, "fields");

  lines = find_typed_row (GTK_WIDGET (pane), ADW_TYPE_EXPANDER_ROW, "Lines");
  g_assert_nonnull (lines);
  line = find_typed_row (lines, ADW_TYPE_EXPANDER_ROW, "1 · 0.7 × Sourdough Loaf");
  g_assert_nonnull (line);
  /* The title names the product, so the subtitle does not repeat it. */
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (line)), ==, "2 fields");

  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (lines), TRUE);
  browse_spin (500);
  g_assert_false (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (line)));
  /* The nested row's arrow points down while it is collapsed. */
  browse_save_screenshot (GTK_WIDGET (window), "browse-detail-nested-collapsed");

  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (line), TRUE);
  browse_spin (500);
  browse_save_screenshot (GTK_WIDGET (window), "browse-detail-nested-expanded");
}

static const char *
title_text (void)
{
  GtkLabel *title = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (pane), KT_TYPE_DETAIL_PANE, "title_label"));

  return gtk_label_get_label (title);
}

static void
test_titles_singular (void)
{
  static const struct
  {
    const char *resource_id;
    const char *json;
    const char *expected;
  } cases[] = {
    { "products", "{\"id\":826017,\"name\":\"Orange Juice\"}", "Product · Orange Juice" },
    { "categories", "{\"id\":3,\"name\":\"Drinks\"}", "Category · Drinks" },
    { "staff", "{\"id\":7,\"name\":\"Ada\"}", "Staff Member · Ada" },
    { "taxes", "{\"id\":1,\"name\":\"GST\"}", "Tax · GST" },
    { "products", "[1]", "Product" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      kt_detail_pane_show (pane, kt_catalogue_lookup (cases[i].resource_id), cases[i].json, NULL);
      g_assert_cmpstr (title_text (), ==, cases[i].expected);
    }
}

static void
test_fields_as_lists_show (void)
{
  static const char staff_json[] =
    "{\"id\":7,\"first_name\":\"Ada\",\"is_admin\":false,\"can_refund\":true}";
  static const char order_json[] =
    "{\"id\":4294966001,\"status\":\"ON_HOLD\",\"notes\":\"COMPLETE\",\"register_id\":9}";
  static const char company_json[] =
    "{\"id\":21765,\"name\":\"Laneway Roasters\",\"timezone\":{\"name\":\"Australia/Sydney\"},"
    "\"created_at\":\"2024-01-02T03:04:05Z\"}";
  GtkWidget *timezone;

  /* Booleans read Yes and No, as in the lists, whether or not a column
   * shows them. */
  kt_detail_pane_show (pane, kt_catalogue_lookup ("staff"), staff_json, NULL);
  kt_detail_pane_set_tab (pane, "fields");
  browse_spin (100);
  g_assert_cmpstr (field_text ("Administrator"), ==, "No");
  g_assert_cmpstr (field_text ("Can Refund"), ==, "Yes");
  g_assert_null (find_row (GTK_WIDGET (pane), "Is Admin"));

  /* The status reads as words; the Raw tab keeps the code, and a text
   * outside the status column stays as sent. */
  kt_detail_pane_show (pane, kt_catalogue_lookup ("orders"), order_json, NULL);
  browse_spin (100);
  g_assert_cmpstr (field_text ("Status"), ==, "On Hold");
  g_assert_cmpstr (field_text ("Notes"), ==, "COMPLETE");
  g_assert_nonnull (find_row (GTK_WIDGET (pane), "Register"));
  g_assert_null (find_row (GTK_WIDGET (pane), "Register ID"));
  g_assert_nonnull (strstr (kt_detail_pane_get_text (pane), "\"ON_HOLD\""));
  browse_save_screenshot (GTK_WIDGET (window), "browse-detail-order-status");

  /* Labels of members with a column use the column's title. */
  kt_detail_pane_show (pane, kt_catalogue_lookup ("company"), company_json, NULL);
  browse_spin (100);
  g_assert_cmpstr (title_text (), ==, "Company · Laneway Roasters");
  timezone = find_typed_row (GTK_WIDGET (pane), ADW_TYPE_EXPANDER_ROW, "Time Zone");
  g_assert_nonnull (timezone);
  g_assert_null (find_typed_row (GTK_WIDGET (pane), ADW_TYPE_EXPANDER_ROW, "Timezone"));
  g_assert_nonnull (find_row (GTK_WIDGET (pane), "Created"));
  g_assert_nonnull (find_row (GTK_WIDGET (pane), "ID"));
  browse_save_screenshot (GTK_WIDGET (window), "browse-detail-company");
}

static void
test_status_words (void)
{
  static const struct
  {
    const char *code;
    const char *expected;
  } cases[] = {
    { "COMPLETE", "Complete" },
    { "ON_HOLD", "On Hold" },
    { "SUBMITTED", "Submitted" },
    { "PARTLY_PAID", "Partly Paid" },
    { "V2_READY", "V2 Ready" },
    { "complete", "complete" },
    { "Already Words", "Already Words" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *words = kt_format_status (cases[i].code);

      g_assert_cmpstr (words, ==, cases[i].expected);
    }
}

static void
test_indent_edge_cases (void)
{
  static const struct
  {
    const char *json;
    const char *expected;
  } cases[] = {
    { "[]", "[]" },
    { "{ }", "{}" },
    { "[1, 2.50]", "[\n  1,\n  2.50\n]" },
    /* Brackets, commas and escaped quotes inside strings stay as they are. */
    { "{\"a, [b]\":\"c\\\"{\"}", "{\n  \"a, [b]\": \"c\\\"{\"\n}" },
    { "{\"e\":[{}],\"n\":null}", "{\n  \"e\": [\n    {}\n  ],\n  \"n\": null\n}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = kt_format_json_indent (cases[i].json, -1);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_double_shortest_text (void)
{
  static const struct
  {
    double value;
    const char *expected;
  } cases[] = {
    { 0.1, "0.1" },
    { 7.8, "7.8" },
    { 5.64, "5.64" },
    { 1e-7, "1e-07" },
    { 10, "10" },
    { 123456.5, "123456.5" },
    { 1.0 / 3.0, "0.3333333333333333" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = kt_format_double (cases[i].value);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

/* Adds a lookup of @resource_id with the rows of @page to @lookups. */
static void
add_lookup (GHashTable *lookups,
            const char *resource_id,
            const char *page)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup (resource_id));
  g_autoptr(GBytes) bytes = g_bytes_new_static (page, strlen (page));
  g_autoptr(GError) error = NULL;
  KtLookup *lookup;

  g_assert_cmpint (kt_row_model_append_page (model, bytes, &error), >, 0);
  g_assert_no_error (error);
  lookup = kt_lookup_new (model);
  kt_lookup_set_complete (lookup, TRUE);
  g_hash_table_insert (lookups, (gpointer) kt_lookup_get_resource (lookup)->id, lookup);
}

static GHashTable *
new_lookups (void)
{
  GHashTable *lookups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);

  add_lookup (lookups, "sites", "[{\"id\":3,\"name\":\"Circular Quay\"}]");
  add_lookup (lookups, "registers", "[{\"id\":9,\"name\":\"Front Counter\",\"site_id\":3}]");
  add_lookup (lookups, "staff", "[{\"id\":7,\"first_name\":\"Ruby\",\"last_name\":\"Okafor\"}]");
  add_lookup (lookups, "products", "[{\"id\":826017,\"name\":\"Orange Juice\"}]");

  return lookups;
}

static KtAccount *
new_account (void)
{
  g_autoptr(KtOAuthConfig) config = kt_oauth_config_new ();
  KtAccount *account = kt_account_new (KT_AUTH_KIND_BASIC, config);

  kt_account_set_currency (account, "AUD");
  return account;
}

/* An order reads as a store owner would: names for the ids the window's
 * lookups know, with their links; None for null; one label style; and
 * its lines as quantity × product — total. */
static void
test_order_reads_names (void)
{
  static const char order_json[] =
    "{\"id\":51,\"notes\":null,\"site_id\":3,\"register_id\":9,\"staff_member_id\":7,"
    "\"customer_id\":44,\"created_at\":\"2026-12-05T06:34:00Z\",\"updated_at\":\"2026-12-05T06:35:00Z\","
    "\"lines\":[{\"line_id\":1,\"product\":{\"id\":826017,\"name\":\"Flat White\"},"
    "\"quantity\":2,\"unit_price\":3.72,\"unit_tax\":0.37,\"price_variation\":1,"
    "\"total\":8.18,\"total_tax\":0.74}]}";
  g_autoptr(GHashTable) lookups = new_lookups ();
  g_autoptr(KtAccount) account = new_account ();
  GtkWidget *lines;
  GtkWidget *notes;

  kt_detail_pane_set_account (pane, account);
  kt_detail_pane_set_lookups (pane, lookups);
  kt_detail_pane_show (pane, kt_catalogue_lookup ("orders"), order_json, NULL);
  kt_detail_pane_set_tab (pane, "fields");
  browse_spin (100);

  g_assert_cmpstr (field_text ("Notes"), ==, "None");
  notes = find_row (GTK_WIDGET (pane), "Notes");
  g_assert_true (gtk_widget_has_css_class (notes, "dim-label"));
  g_assert_cmpstr (field_text ("Site"), ==, "Circular Quay");
  g_assert_cmpstr (field_text ("Register"), ==, "Front Counter");
  g_assert_cmpstr (field_text ("Staff Member"), ==, "Ruby Okafor");
  /* No customers lookup: the id stays, and so does the link. */
  g_assert_cmpstr (field_text ("Customer"), ==, "44");
  g_assert_true (kt_detail_pane_activate_link (pane, "customers"));
  g_assert_nonnull (find_row (GTK_WIDGET (pane), "Created"));
  g_assert_nonnull (find_row (GTK_WIDGET (pane), "Updated"));
  g_assert_null (find_row (GTK_WIDGET (pane), "Updated At"));
  g_assert_null (find_row (GTK_WIDGET (pane), "Site ID"));

  g_assert_true (kt_detail_pane_activate_link (pane, "sites"));
  g_assert_true (kt_detail_pane_activate_link (pane, "registers"));
  g_assert_true (kt_detail_pane_activate_link (pane, "staff"));

  /* When a customers lookup brings the name, the record is shown again
   * with it. */
  add_lookup (lookups, "customers", "[{\"id\":44,\"first_name\":\"Sam\",\"last_name\":\"Rivera\"}]");
  kt_detail_pane_update_names (pane);
  browse_spin (100);
  g_assert_cmpstr (field_text ("Customer"), ==, "Sam Rivera");

  lines = find_typed_row (GTK_WIDGET (pane), ADW_TYPE_EXPANDER_ROW, "Lines");
  g_assert_nonnull (lines);
  g_assert_nonnull (find_typed_row (lines, ADW_TYPE_EXPANDER_ROW, "1 · 2 × Flat White — $8.18"));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (lines), TRUE);
  browse_spin (300);
  browse_save_screenshot (GTK_WIDGET (window), "browse-detail-order-names");

  kt_detail_pane_set_lookups (pane, NULL);
  kt_detail_pane_set_account (pane, NULL);
}

/* An inventory row is titled by its product at its site, and its id
 * reads as the product, linked. */
static void
test_inventory_title (void)
{
  g_autoptr(GHashTable) lookups = new_lookups ();

  kt_detail_pane_set_lookups (pane, lookups);
  kt_detail_pane_set_site_id (pane, 3);
  kt_detail_pane_show (pane, kt_catalogue_lookup ("inventory"), "{\"id\":826017,\"stock\":58}", NULL);
  kt_detail_pane_set_tab (pane, "fields");
  browse_spin (100);

  g_assert_cmpstr (title_text (), ==, "Orange Juice at Circular Quay");
  g_assert_cmpstr (field_text ("Product"), ==, "Orange Juice");
  g_assert_cmpstr (field_text ("Stock"), ==, "58");
  g_assert_null (find_row (GTK_WIDGET (pane), "Product ID"));
  g_assert_true (kt_detail_pane_activate_link (pane, "products"));
  browse_save_screenshot (GTK_WIDGET (window), "browse-detail-inventory");

  /* Without a known site the title is the product alone. */
  kt_detail_pane_set_site_id (pane, 0);
  kt_detail_pane_show (pane, kt_catalogue_lookup ("inventory"), "{\"id\":826017,\"stock\":58}", NULL);
  g_assert_cmpstr (title_text (), ==, "Orange Juice");

  /* Without the product's name it names the resource and the id. */
  kt_detail_pane_show (pane, kt_catalogue_lookup ("inventory"), "{\"id\":5,\"stock\":1}", NULL);
  g_assert_cmpstr (title_text (), ==, "Inventory Item · #5");

  kt_detail_pane_set_lookups (pane, NULL);
}

/* The reset header keeps its raw value, with the local time as tooltip. */
static void
test_reset_header_tooltip (void)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autoptr(GDateTime) reset = g_date_time_new_from_unix_local (1796428800);
  g_autofree char *expected = g_date_time_format (reset, "%Y-%m-%d %H:%M:%S");
  GtkWidget *row;
  GtkLabel *label;

  soup_message_headers_append (headers, "X-RateLimit-Reset", "1796428800");
  kt_detail_pane_show (pane, kt_catalogue_lookup ("taxes"), "{\"id\":1}", headers);
  kt_detail_pane_set_tab (pane, "headers");
  browse_spin (100);

  row = find_row (GTK_WIDGET (pane), "X-RateLimit-Reset");
  g_assert_nonnull (row);
  label = find_value_label (row);
  g_assert_cmpstr (gtk_label_get_label (label), ==, "1796428800");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (label)), ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  browse_init (&argc, &argv);

  window = GTK_WINDOW (gtk_window_new ());
  pane = KT_DETAIL_PANE (kt_detail_pane_new ());
  gtk_window_set_child (window, GTK_WIDGET (pane));
  gtk_window_set_default_size (window, 420, 700);
  gtk_window_present (window);

  g_test_add_func ("/detail/raw/keeps-numbers", test_raw_keeps_numbers);
  g_test_add_func ("/detail/fields/keep-numbers", test_fields_keep_numbers);
  g_test_add_func ("/detail/fields/nested-rows", test_nested_rows);
  g_test_add_func ("/detail/title/singular", test_titles_singular);
  g_test_add_func ("/detail/fields/as-lists-show", test_fields_as_lists_show);
  g_test_add_func ("/detail/status/words", test_status_words);
  g_test_add_func ("/detail/indent/edge-cases", test_indent_edge_cases);
  g_test_add_func ("/detail/double/shortest-text", test_double_shortest_text);
  g_test_add_func ("/detail/order/reads-names", test_order_reads_names);
  g_test_add_func ("/detail/inventory/title", test_inventory_title);
  g_test_add_func ("/detail/headers/reset-tooltip", test_reset_header_tooltip);

  status = g_test_run ();

  gtk_window_destroy (window);

  return status;
}
