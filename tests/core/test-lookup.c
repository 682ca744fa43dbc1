#include "config.h"

#include <string.h>

#include "core/kt-lookup.h"

static void
append (KtRowModel *model,
        const char *json)
{
  g_autoptr(GBytes) page = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (kt_row_model_append_page (model, page, &error), >=, 0);
  g_assert_no_error (error);
}

static void
on_changed_cb (KtLookup *lookup,
               guint    *calls)
{
  (*calls)++;
}

static void
test_lookup_names_by_id (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("sites"));
  g_autoptr(KtLookup) lookup = NULL;
  guint calls = 0;

  append (model, "[{\"id\":7,\"name\":\"Bondi\",\"code\":\"B\"}]");
  lookup = kt_lookup_new (model);
  g_signal_connect (lookup, "changed", G_CALLBACK (on_changed_cb), &calls);

  g_assert_cmpstr (kt_lookup_get_name (lookup, 7), ==, "Bondi");
  g_assert_null (kt_lookup_get_name (lookup, 8));
  g_assert_false (kt_lookup_contains (lookup, 8));
  g_assert_false (kt_lookup_get_complete (lookup));

  /* A later page adds its names. */
  append (model, "[{\"id\":8,\"name\":\"Newtown\"},{\"id\":9,\"name\":null}]");
  g_assert_cmpuint (calls, ==, 1);
  g_assert_cmpstr (kt_lookup_get_name (lookup, 8), ==, "Newtown");
  g_assert_true (kt_lookup_contains (lookup, 9));
  g_assert_null (kt_lookup_get_name (lookup, 9));

  kt_lookup_set_complete (lookup, TRUE);
  g_assert_cmpuint (calls, ==, 2);
  g_assert_true (kt_lookup_get_complete (lookup));

  /* A cleared model leaves no stale name. */
  kt_row_model_clear (model);
  g_assert_cmpuint (calls, ==, 3);
  g_assert_null (kt_lookup_get_name (lookup, 7));
  g_assert_false (kt_lookup_contains (lookup, 7));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lookup/names-by-id", test_lookup_names_by_id);

  return g_test_run ();
}
