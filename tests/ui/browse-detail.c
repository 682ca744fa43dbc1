/* The detail pane on its own: numbers shown as the server wrote them in
 * the Raw and Fields tabs, the chevrons of nested rows, and titles, labels
 * and values worded as in the lists. */
#define G_LOG_DOMAIN "browse-detail"

#include "config.h"

#include <string.h>

#include "browse-helpers.h"
#include "core/kt-catalogue.h"
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
  line = find_typed_row (lines, ADW_TYPE_EXPANDER_ROW, "1 · Sourdough Loaf");
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
  g_assert_nonnull (find_row (GTK_WIDGET (pane), "Register ID"));
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

  status = g_test_run ();

  gtk_window_destroy (window);

  return status;
}
