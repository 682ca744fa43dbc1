#include "config.h"

#include <string.h>

#include "core/kt-catalogue.h"

static void
test_every_resource (void)
{
  const char *expected[] = {
    "company", "sites", "products", "categories", "customers", "orders", "staff",
    "registers", "price_lists", "taxes", "payment_methods", "inventory", "shifts", "cashups",
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const KtResource *resource = kt_catalogue_lookup (expected[i]);

      g_test_message ("resource %s", expected[i]);
      g_assert_nonnull (resource);
      g_assert_cmpstr (resource->id, ==, expected[i]);
      g_assert_nonnull (resource->title);
      g_assert_nonnull (resource->icon_name);
      g_assert_true (g_str_has_prefix (resource->path_template, "companies/{company_id}"));
      g_assert_true (g_str_has_suffix (resource->path_template, ".json"));
      g_assert_cmpuint (resource->n_columns, >, 0);
    }
}

static void
test_columns_valid (void)
{
  guint n = 0;
  const KtResource *resources = kt_catalogue_get_resources (&n);

  g_assert_cmpuint (n, ==, 14);
  /* KtRow searches only its first 16 columns. */
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (resources[i].n_columns, <=, 16);
  for (guint i = 0; i < n; i++)
    {
      g_auto(GStrv) searched = g_strsplit (resources[i].search_columns, ",", -1);

      g_assert_cmpstr (resources[i].columns[0].id, ==, "id");
      for (guint j = 0; j < resources[i].n_columns; j++)
        {
          g_assert_nonnull (resources[i].columns[j].title);
          g_assert_nonnull (resources[i].columns[j].json_path);
          g_assert_cmpint (kt_catalogue_find_column (&resources[i], resources[i].columns[j].id), ==, (int) j);
        }
      for (guint j = 0; searched[j] != NULL; j++)
        {
          g_test_message ("%s searches %s", resources[i].id, searched[j]);
          g_assert_cmpint (kt_catalogue_find_column (&resources[i], searched[j]), >=, 0);
        }
    }
}

static void
test_lookup_unknown (void)
{
  g_assert_null (kt_catalogue_lookup ("webhooks-x"));
  g_assert_null (kt_catalogue_lookup (""));
}

static void
test_build_path (void)
{
  g_autofree char *orders = kt_catalogue_build_path (kt_catalogue_lookup ("orders"), 5678, 0, NULL, NULL);
  g_autofree char *filtered = kt_catalogue_build_path (kt_catalogue_lookup ("orders"), 5678, 0, NULL,
                                                       "created_gte=2024-03-01");
  g_autofree char *inventory = kt_catalogue_build_path (kt_catalogue_lookup ("inventory"), 5678,
                                                        G_GINT64_CONSTANT (5000000000), NULL, NULL);
  g_autofree char *shifts = kt_catalogue_build_path (kt_catalogue_lookup ("shifts"), 5678, 0,
                                                     "2024-03-02", NULL);
  g_autofree char *hostile = kt_catalogue_build_path (kt_catalogue_lookup ("shifts"), 5678, 0,
                                                      "../../x?y", NULL);
  g_autofree char *company = kt_catalogue_build_path (kt_catalogue_lookup ("company"), 5678, 0, NULL, NULL);

  g_assert_cmpstr (orders, ==, "companies/5678/orders.json");
  g_assert_cmpstr (filtered, ==, "companies/5678/orders.json?created_gte=2024-03-01");
  g_assert_cmpstr (inventory, ==, "companies/5678/sites/5000000000/inventory.json");
  g_assert_cmpstr (shifts, ==, "companies/5678/shifts/2024-03-02.json");
  g_assert_cmpstr (hostile, ==, "companies/5678/shifts/..%2F..%2Fx%3Fy.json");
  g_assert_cmpstr (company, ==, "companies/5678.json");
}

/* The oldest icon theme supported is Adwaita of GNOME 43 (Debian 12); its
 * symbolic icons are SVG files under scalable/. */
#define ADWAITA_DIR "/usr/share/icons/Adwaita/scalable"

static gboolean
adwaita_has_icon (const char *icon_name)
{
  g_autoptr(GDir) contexts = g_dir_open (ADWAITA_DIR, 0, NULL);
  g_autofree char *file_name = g_strconcat (icon_name, ".svg", NULL);
  const char *context;

  while (contexts != NULL && (context = g_dir_read_name (contexts)) != NULL)
    {
      g_autofree char *path = g_build_filename (ADWAITA_DIR, context, file_name, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
    }

  return FALSE;
}

static void
test_icons_in_adwaita (void)
{
  guint n = 0;
  const KtResource *resources = kt_catalogue_get_resources (&n);
  guint i;

  if (!g_file_test (ADWAITA_DIR, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("The Adwaita icon theme is not installed in " ADWAITA_DIR);
      return;
    }

  for (i = 0; i < n; i++)
    {
      g_test_message ("Icon of %s: %s", resources[i].id, resources[i].icon_name);
      g_assert_true (adwaita_has_icon (resources[i].icon_name));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/catalogue/every-resource", test_every_resource);
  g_test_add_func ("/catalogue/columns-valid", test_columns_valid);
  g_test_add_func ("/catalogue/lookup-unknown", test_lookup_unknown);
  g_test_add_func ("/catalogue/build-path", test_build_path);
  g_test_add_func ("/catalogue/icons-in-adwaita", test_icons_in_adwaita);

  return g_test_run ();
}
