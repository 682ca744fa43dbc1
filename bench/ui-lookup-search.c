/* Search over 100,000 cash-ups whose Register column shows names from a
 * lookup: the time a query takes with and without the names in each row's
 * searched text, and the time to rebuild that text when the names arrive.
 * Runs without a display; results are in bench/README.md. */
#define G_LOG_DOMAIN "bench-ui-lookup-search"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/kt-lookup.h"
#include "ui/kt-search-model.h"

#define N_ROWS 100000
#define N_RUNS 5

static const char * const register_names[] = {
  "Front Counter", "Coffee Bar", "Takeaway Window", "Drive Through", "Kiosk",
  "Patio", "Bakery Counter", "Bar", "Pop-up Stall",
};

static KtRowModel *
new_cashups (void)
{
  KtRowModel *model = kt_row_model_new (kt_catalogue_lookup ("cashups"));
  g_autoptr(GString) page = g_string_new ("[");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < N_ROWS; i++)
    g_string_append_printf (page,
                            "%s{\"id\":%u,\"register_id\":%u,\"site_id\":%u,\"orders\":%u,"
                            "\"total\":%u.50,\"created_at\":\"2025-07-01T16:30:00+10:00\"}",
                            i > 0 ? "," : "", 55000 + i, 10 + i % (guint) G_N_ELEMENTS (register_names),
                            1 + i % 3, i % 9, i % 300);
  g_string_append_c (page, ']');

  bytes = g_string_free_to_bytes (g_steal_pointer (&page));
  if (kt_row_model_append_page (model, bytes, &error) != N_ROWS)
    g_error ("Could not build the rows: %s", error != NULL ? error->message : "duplicate ids");

  return model;
}

static KtRowModel *
new_registers (void)
{
  KtRowModel *model = kt_row_model_new (kt_catalogue_lookup ("registers"));
  g_autoptr(GString) page = g_string_new ("[");
  g_autoptr(GBytes) bytes = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (register_names); i++)
    g_string_append_printf (page, "%s{\"id\":%u,\"name\":\"%s\",\"site_id\":1}",
                            i > 0 ? "," : "", 10 + i, register_names[i]);
  g_string_append_c (page, ']');

  bytes = g_string_free_to_bytes (g_steal_pointer (&page));
  kt_row_model_append_page (model, bytes, NULL);

  return model;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The median time of setting @query on @search, in milliseconds; the
 * query is cleared between runs so each run filters every row. */
static double
time_query (KtSearchModel *search,
            const char    *query)
{
  double runs[N_RUNS];

  for (guint i = 0; i < N_RUNS; i++)
    {
      gint64 start;

      kt_search_model_set_query (search, NULL);
      start = g_get_monotonic_time ();
      kt_search_model_set_query (search, query);
      runs[i] = (g_get_monotonic_time () - start) / 1000.0;
    }

  qsort (runs, N_RUNS, sizeof runs[0], compare_doubles);
  return runs[N_RUNS / 2];
}

int
main (int   argc,
      char *argv[])
{
  static const char * const queries[] = { "front", "coffee bar", "55001", "no such register" };
  g_autoptr(KtRowModel) cashups = new_cashups ();
  g_autoptr(KtRowModel) registers = new_registers ();
  g_autoptr(KtLookup) lookup = kt_lookup_new (registers);
  const KtResource *resource = kt_catalogue_lookup ("cashups");
  int column = kt_catalogue_find_column (resource, "register");
  g_autoptr(KtSearchModel) plain = kt_search_model_new (G_LIST_MODEL (cashups), resource);
  g_autoptr(KtSearchModel) named = kt_search_model_new (G_LIST_MODEL (cashups), resource);
  double rebuilds[N_RUNS];

  /* The rebuild when names arrive during a search: the lookup is set on
   * a model with an active query, which rebuilds and filters at once. */
  for (guint i = 0; i < N_RUNS; i++)
    {
      g_autoptr(KtSearchModel) search = kt_search_model_new (G_LIST_MODEL (cashups), resource);
      gint64 start;

      kt_search_model_set_query (search, "front");
      start = g_get_monotonic_time ();
      kt_search_model_set_lookup (search, (guint) column, lookup);
      rebuilds[i] = (g_get_monotonic_time () - start) / 1000.0;
    }
  qsort (rebuilds, N_RUNS, sizeof rebuilds[0], compare_doubles);

  kt_search_model_set_lookup (named, (guint) column, lookup);

  printf ("%u rows, median of %u runs\n", N_ROWS, N_RUNS);
  printf ("rebuild of the searched text when names arrive: %.1f ms\n", rebuilds[N_RUNS / 2]);
  printf ("| query | without names | with names | rows matching with names |\n");
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      double without = time_query (plain, queries[i]);
      double with = time_query (named, queries[i]);

      printf ("| `%s` | %.1f ms | %.1f ms | %u |\n", queries[i], without, with,
              g_list_model_get_n_items (G_LIST_MODEL (named)));
    }

  return 0;
}
