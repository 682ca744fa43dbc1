/*
 * Measures the heap kept by 100,000 order list rows in a KtRowModel, and
 * by json-glib trees of the same pages, against the bytes of JSON
 * received. The pages come from an in-process sandbox (large scale, 1,000
 * rows a page). The heap in use is read with mallinfo2() before and
 * after, and the page bodies stay allocated on both sides. It also times
 * kt_row_matches() over every row for three queries.
 *
 * Usage: bench-core-memory
 */
#include "config.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core/kt-catalogue.h"
#include "core/kt-row-model.h"
#include "sandbox/kt-sandbox.h"

#define PAGE_SIZE 1000

/* Passes over every row for each search query; the median is printed. */
#define SEARCH_PASSES 5

static gsize
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Prints the median time kt_row_matches() takes over every row of @model
 * for @query, and how many rows match. */
static void
time_search (KtRowModel *model,
             const char *query)
{
  g_autofree char *folded = g_utf8_casefold (query, -1);
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (model));
  double seconds[SEARCH_PASSES];
  guint matches = 0;

  for (guint pass = 0; pass < SEARCH_PASSES; pass++)
    {
      gint64 start = g_get_monotonic_time ();

      matches = 0;
      for (guint i = 0; i < n_rows; i++)
        {
          g_autoptr(KtRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);

          matches += kt_row_matches (row, folded);
        }
      seconds[pass] = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
    }

  qsort (seconds, SEARCH_PASSES, sizeof seconds[0], compare_doubles);
  g_print ("kt_row_matches over %u rows, query \"%s\": median %.1f ms of %d passes, %u matches\n",
           n_rows, query, seconds[SEARCH_PASSES / 2] * 1000, SEARCH_PASSES, matches);
}

static GPtrArray *
fetch_pages (KtSandbox *sandbox,
             gsize     *total_bytes)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *pair = g_strdup_printf ("%s:%s", kt_sandbox_get_client_id (sandbox),
                                           kt_sandbox_get_client_secret (sandbox));
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  g_autofree char *authorization = g_strconcat ("Basic ", encoded, NULL);
  g_autofree char *uri = g_strdup_printf ("%scompanies/%" G_GINT64_FORMAT "/orders.json",
                                          kt_sandbox_get_api_uri (sandbox),
                                          kt_sandbox_get_company_id (sandbox));
  GPtrArray *pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  *total_bytes = 0;
  while (uri != NULL)
    {
      g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
      g_autoptr(GError) error = NULL;
      GBytes *body;
      const char *next;

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", authorization);
      body = soup_session_send_and_read (session, message, NULL, &error);
      if (body == NULL || soup_message_get_status (message) != 200)
        g_error ("GET %s failed: %s", uri, error != NULL ? error->message : "bad status");

      *total_bytes += g_bytes_get_size (body);
      g_ptr_array_add (pages, body);
      next = soup_message_headers_get_one (soup_message_get_response_headers (message), "X-Next-Page");
      g_free (uri);
      uri = next != NULL && next[0] != '\0' ? g_strdup (next) : NULL;
    }

  return pages;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GPtrArray) parsers = NULL;
  KtRowModel *model;
  gsize json_bytes;
  gsize before;
  gsize model_bytes;
  gsize tree_bytes;
  guint rows;
  guint i;

  g_object_set (sandbox,
                "scale", KT_SANDBOX_SCALE_LARGE,
                "page-size", PAGE_SIZE,
                "basic-limit", 1000000,
                NULL);
  if (!kt_sandbox_start (sandbox, 0, &error))
    g_error ("Could not start the sandbox: %s", error->message);

  pages = fetch_pages (sandbox, &json_bytes);
  kt_sandbox_stop (sandbox);
  malloc_trim (0);

  /* The row model: each page is parsed, its rows kept, its tree dropped. */
  before = heap_in_use ();
  model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  for (i = 0; i < pages->len; i++)
    {
      if (kt_row_model_append_page (model, g_ptr_array_index (pages, i), &error) < 0)
        g_error ("A page could not be read: %s", error->message);
    }
  model_bytes = heap_in_use () - before;
  rows = g_list_model_get_n_items (G_LIST_MODEL (model));

  time_search (model, "Complete");
  time_search (model, "complete 1042");
  time_search (model, "no such order");
  g_object_unref (model);
  malloc_trim (0);

  /* json-glib's trees of the same pages, kept. */
  before = heap_in_use ();
  parsers = g_ptr_array_new_with_free_func (g_object_unref);
  for (i = 0; i < pages->len; i++)
    {
      GBytes *page = g_ptr_array_index (pages, i);
      JsonParser *parser = json_parser_new ();
      gsize size;
      const char *data = g_bytes_get_data (page, &size);

      if (!json_parser_load_from_data (parser, data, size, &error))
        g_error ("A page could not be parsed: %s", error->message);
      g_ptr_array_add (parsers, parser);
    }
  tree_bytes = heap_in_use () - before;

  g_print ("rows %u, pages %u, JSON received %" G_GSIZE_FORMAT " bytes (%.0f a row)\n",
           rows, pages->len, json_bytes, (double) json_bytes / rows);
  g_print ("KtRowModel: %" G_GSIZE_FORMAT " bytes, %.2f times the JSON, %.0f a row\n",
           model_bytes, (double) model_bytes / json_bytes, (double) model_bytes / rows);
  g_print ("json-glib trees: %" G_GSIZE_FORMAT " bytes, %.2f times the JSON, %.0f a row\n",
           tree_bytes, (double) tree_bytes / json_bytes, (double) tree_bytes / rows);

  return 0;
}
