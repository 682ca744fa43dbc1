#define G_LOG_DOMAIN "kt-export"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "core/kt-row-model.h"
#include "kt-export.h"
#include "kt-format.h"

static void
append_csv_field (GString    *out,
                  const char *value)
{
  if (value == NULL)
    return;

  /* Quote a field holding a separator, a quote or a line break, and
   * double its quotes. */
  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (out, value);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* Whether REFERENCE column @column reads the same member as an earlier
 * column (inventory rows name their product by their own id), so the id
 * is in the file already. */
static gboolean
repeats_earlier_column (const KtResource *resource,
                        guint             column)
{
  for (guint c = 0; c < column; c++)
    {
      if (g_str_equal (resource->columns[c].json_path, resource->columns[column].json_path))
        return TRUE;
    }

  return FALSE;
}

char *
kt_export_to_csv (GListModel       *rows,
                  const KtResource *resource,
                  KtLookup * const *lookups)
{
  GString *out;
  guint n_rows;
  gboolean first = TRUE;

  g_return_val_if_fail (G_IS_LIST_MODEL (rows), NULL);
  g_return_val_if_fail (resource != NULL, NULL);

  out = g_string_new (NULL);
  for (guint c = 0; c < resource->n_columns; c++)
    {
      const KtColumn *column = &resource->columns[c];

      if (column->kind != KT_COLUMN_REFERENCE || !repeats_earlier_column (resource, c))
        {
          if (!first)
            g_string_append_c (out, ',');
          append_csv_field (out, column->id);
          first = FALSE;
        }

      if (column->kind == KT_COLUMN_REFERENCE)
        {
          g_autofree char *name_id = g_strdup_printf ("%s_name", column->id);

          if (!first)
            g_string_append_c (out, ',');
          append_csv_field (out, name_id);
          first = FALSE;
        }
    }
  g_string_append (out, "\r\n");

  n_rows = g_list_model_get_n_items (rows);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (rows, i);

      first = TRUE;
      for (guint c = 0; c < resource->n_columns; c++)
        {
          const KtColumn *column = &resource->columns[c];
          const char *value = kt_row_get_value (row, c);

          if (column->kind != KT_COLUMN_REFERENCE || !repeats_earlier_column (resource, c))
            {
              if (!first)
                g_string_append_c (out, ',');
              append_csv_field (out, value);
              first = FALSE;
            }

          if (column->kind == KT_COLUMN_REFERENCE)
            {
              KtLookup *lookup = lookups != NULL ? lookups[c] : NULL;

              if (!first)
                g_string_append_c (out, ',');
              if (lookup != NULL && value != NULL)
                append_csv_field (out, kt_lookup_get_name (lookup, g_ascii_strtoll (value, NULL, 10)));
              first = FALSE;
            }
        }
      g_string_append (out, "\r\n");
    }

  return g_string_free (out, FALSE);
}

char *
kt_export_to_json (GListModel *rows)
{
  g_autoptr(GString) array = g_string_new ("[");
  guint n_rows;

  g_return_val_if_fail (G_IS_LIST_MODEL (rows), NULL);

  /* The rows' own text, joined and re-indented: parsing and writing them
   * again would write doubles with 17 digits ("7.7999999999999998"). */
  n_rows = g_list_model_get_n_items (rows);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (rows, i);
      g_autofree char *json = kt_row_dup_json (row);

      if (i > 0)
        g_string_append_c (array, ',');
      g_string_append (array, json);
    }
  g_string_append_c (array, ']');

  return kt_format_json_indent (array->str, array->len);
}

GFile *
kt_export_dup_default_folder (void)
{
  const GUserDirectory candidates[] = { G_USER_DIRECTORY_DOCUMENTS, G_USER_DIRECTORY_DOWNLOAD };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      const char *path = g_get_user_special_dir (candidates[i]);

      if (path != NULL && g_file_test (path, G_FILE_TEST_IS_DIR))
        return g_file_new_for_path (path);
    }

  return g_file_new_for_path (g_get_home_dir ());
}

static void
on_replace_contents_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *name = g_file_get_parse_name (G_FILE (source));

      g_task_return_new_error (task, error->domain, error->code,
                               _("Could not write “%s”: %s. Choose another folder or free some space."),
                               name, error->message);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
kt_export_write_async (GListModel          *rows,
                       const KtResource    *resource,
                       KtLookup * const    *lookups,
                       const char          *format,
                       GFile               *file,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  g_return_if_fail (G_IS_LIST_MODEL (rows));
  g_return_if_fail (resource != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_export_write_async);

  if (g_strcmp0 (format, "csv") == 0)
    text = kt_export_to_csv (rows, resource, lookups);
  else
    text = kt_export_to_json (rows);

  bytes = g_bytes_new_take (text, strlen (text));
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, on_replace_contents_cb, g_steal_pointer (&task));
}

gboolean
kt_export_write_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
