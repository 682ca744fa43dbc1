#define G_LOG_DOMAIN "kt-search-model"

#include "config.h"

#include <string.h>

#include "core/kt-row-model.h"
#include "kt-format.h"
#include "kt-search-model.h"

struct _KtSearchModel
{
  GObject parent_instance;

  GListModel *base;
  const KtResource *resource;
  GArray *searched_columns;      /* guint column indexes */
  GPtrArray *rows;               /* KtRow, the base's items in its order */
  GPtrArray *haystacks;          /* char *, parallel to rows */
  GPtrArray *matches;            /* KtRow, borrowed from rows */
  GStrv words;                   /* casefolded query words, or NULL */
  int filter_column;             /* with filter_value: a column to match exactly */
  char *filter_value;
  GPtrArray *lookups;            /* KtLookup or NULL, one per column */
  gboolean haystacks_stale;      /* a lookup changed since they were built */
};

static void kt_search_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KtSearchModel, kt_search_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, kt_search_model_list_model_init))

static char *
build_haystack (KtSearchModel *self,
                KtRow         *row)
{
  GString *haystack = g_string_new (NULL);

  /* Values are joined by line breaks, which no query word contains, so a
   * word never matches across two columns. */
  for (guint i = 0; i < self->searched_columns->len; i++)
    {
      guint column = g_array_index (self->searched_columns, guint, i);
      const char *value = kt_row_get_value (row, column);
      KtLookup *lookup = g_ptr_array_index (self->lookups, column);
      const char *name = NULL;

      if (value != NULL)
        {
          g_autofree char *folded = g_utf8_casefold (value, -1);

          g_string_append (haystack, folded);
          g_string_append_c (haystack, '\n');
        }

      /* A status matches both its code and the words the list shows. */
      if (value != NULL && self->resource->columns[column].kind == KT_COLUMN_STATUS)
        {
          g_autofree char *words = kt_format_status (value);
          g_autofree char *folded = g_utf8_casefold (words, -1);

          g_string_append (haystack, folded);
          g_string_append_c (haystack, '\n');
        }

      if (lookup != NULL && value != NULL)
        name = kt_lookup_get_name (lookup, g_ascii_strtoll (value, NULL, 10));

      if (name != NULL)
        {
          g_autofree char *folded = g_utf8_casefold (name, -1);

          g_string_append (haystack, folded);
          g_string_append_c (haystack, '\n');
        }
    }

  return g_string_free (haystack, FALSE);
}

/* Builds every row's haystack again, after a lookup brought new names. */
static void
rebuild_haystacks (KtSearchModel *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      g_free (self->haystacks->pdata[i]);
      self->haystacks->pdata[i] = build_haystack (self, g_ptr_array_index (self->rows, i));
    }

  self->haystacks_stale = FALSE;
}

static gboolean
haystack_matches (KtSearchModel *self,
                  const char    *haystack)
{
  if (self->words == NULL)
    return TRUE;

  for (guint i = 0; self->words[i] != NULL; i++)
    {
      if (strstr (haystack, self->words[i]) == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
column_matches (KtSearchModel *self,
                KtRow         *row)
{
  if (self->filter_value == NULL)
    return TRUE;

  return g_strcmp0 (kt_row_get_value (row, self->filter_column), self->filter_value) == 0;
}

static GPtrArray *
filter_rows (KtSearchModel *self,
             guint          first)
{
  GPtrArray *matches = g_ptr_array_sized_new (self->rows->len - first);

  for (guint i = first; i < self->rows->len; i++)
    {
      KtRow *row = g_ptr_array_index (self->rows, i);

      if (haystack_matches (self, g_ptr_array_index (self->haystacks, i)) && column_matches (self, row))
        g_ptr_array_add (matches, row);
    }

  return matches;
}

/* Replace the matches with @matches and announce the change, sparing the
 * rows equal at both ends so the view keeps their widgets. */
static void
replace_matches (KtSearchModel *self,
                 GPtrArray     *matches)
{
  GPtrArray *old = self->matches;
  guint old_n = old->len;
  guint new_n = matches->len;
  guint prefix = 0;
  guint suffix = 0;

  while (prefix < old_n && prefix < new_n && old->pdata[prefix] == matches->pdata[prefix])
    prefix++;
  while (suffix < old_n - prefix && suffix < new_n - prefix
         && old->pdata[old_n - 1 - suffix] == matches->pdata[new_n - 1 - suffix])
    suffix++;

  self->matches = matches;
  g_ptr_array_unref (old);

  if (old_n - prefix - suffix > 0 || new_n - prefix - suffix > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, old_n - prefix - suffix, new_n - prefix - suffix);
}

static void
on_base_items_changed_cb (GListModel    *base,
                          guint          position,
                          guint          removed,
                          guint          added,
                          KtSearchModel *self)
{
  guint n_base = g_list_model_get_n_items (base);

  if (removed == 0 && position == self->rows->len)
    {
      /* Rows appended, as each page does: filter only them. */
      g_autoptr(GPtrArray) new_matches = NULL;
      guint old_n = self->matches->len;

      for (guint i = position; i < n_base; i++)
        {
          KtRow *row = g_list_model_get_item (base, i);

          g_ptr_array_add (self->haystacks, build_haystack (self, row));
          g_ptr_array_add (self->rows, row);
        }

      new_matches = filter_rows (self, position);
      for (guint i = 0; i < new_matches->len; i++)
        g_ptr_array_add (self->matches, new_matches->pdata[i]);

      if (new_matches->len > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, new_matches->len);
      return;
    }

  /* Anything else (a new sort order, a reload): read the base again,
   * keeping the casefolded text of rows already seen. */
  if (self->haystacks_stale)
    rebuild_haystacks (self);
  {
    g_autoptr(GHashTable) known = g_hash_table_new (NULL, NULL);
    GPtrArray *rows = g_ptr_array_new_full (n_base, g_object_unref);
    GPtrArray *haystacks = g_ptr_array_new_full (n_base, g_free);

    for (guint i = 0; i < self->rows->len; i++)
      g_hash_table_insert (known, self->rows->pdata[i], self->haystacks->pdata[i]);

    for (guint i = 0; i < n_base; i++)
      {
        KtRow *row = g_list_model_get_item (base, i);
        const char *haystack = g_hash_table_lookup (known, row);

        g_ptr_array_add (rows, row);
        g_ptr_array_add (haystacks, haystack != NULL ? g_strdup (haystack) : build_haystack (self, row));
      }

    /* The old matches borrow from the old rows: swap both before they go. */
    {
      GPtrArray *old_rows = self->rows;
      GPtrArray *old_haystacks = self->haystacks;

      self->rows = rows;
      self->haystacks = haystacks;
      replace_matches (self, filter_rows (self, 0));
      g_ptr_array_unref (old_rows);
      g_ptr_array_unref (old_haystacks);
    }
  }
}

static void
unref_lookup (gpointer lookup)
{
  if (lookup != NULL)
    g_object_unref (lookup);
}

static GType
kt_search_model_get_item_type (GListModel *model)
{
  return KT_TYPE_ROW;
}

static guint
kt_search_model_get_n_items (GListModel *model)
{
  return KT_SEARCH_MODEL (model)->matches->len;
}

static gpointer
kt_search_model_get_item (GListModel *model,
                          guint       position)
{
  KtSearchModel *self = KT_SEARCH_MODEL (model);

  if (position >= self->matches->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->matches, position));
}

static void
kt_search_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = kt_search_model_get_item_type;
  iface->get_n_items = kt_search_model_get_n_items;
  iface->get_item = kt_search_model_get_item;
}

static void
kt_search_model_dispose (GObject *object)
{
  KtSearchModel *self = KT_SEARCH_MODEL (object);

  if (self->base != NULL)
    g_signal_handlers_disconnect_by_data (self->base, self);
  g_clear_object (&self->base);

  for (guint i = 0; self->lookups != NULL && i < self->lookups->len; i++)
    {
      KtLookup *lookup = g_ptr_array_index (self->lookups, i);

      if (lookup != NULL)
        g_signal_handlers_disconnect_by_data (lookup, self);
    }
  if (self->lookups != NULL)
    g_ptr_array_set_size (self->lookups, 0);

  G_OBJECT_CLASS (kt_search_model_parent_class)->dispose (object);
}

static void
kt_search_model_finalize (GObject *object)
{
  KtSearchModel *self = KT_SEARCH_MODEL (object);

  g_clear_pointer (&self->matches, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->haystacks, g_ptr_array_unref);
  g_clear_pointer (&self->searched_columns, g_array_unref);
  g_clear_pointer (&self->words, g_strfreev);
  g_clear_pointer (&self->filter_value, g_free);
  g_clear_pointer (&self->lookups, g_ptr_array_unref);

  G_OBJECT_CLASS (kt_search_model_parent_class)->finalize (object);
}

static void
kt_search_model_class_init (KtSearchModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_search_model_dispose;
  object_class->finalize = kt_search_model_finalize;
}

static void
kt_search_model_init (KtSearchModel *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->haystacks = g_ptr_array_new_with_free_func (g_free);
  self->matches = g_ptr_array_new ();
  self->searched_columns = g_array_new (FALSE, FALSE, sizeof (guint));
}

/* Returns a new model of the rows of @base (a GListModel of KtRow of
 * @resource) that match the query; the caller owns it. */
KtSearchModel *
kt_search_model_new (GListModel       *base,
                     const KtResource *resource)
{
  KtSearchModel *self;
  g_auto(GStrv) ids = NULL;

  g_return_val_if_fail (G_IS_LIST_MODEL (base), NULL);
  g_return_val_if_fail (resource != NULL, NULL);

  self = g_object_new (KT_TYPE_SEARCH_MODEL, NULL);
  self->base = g_object_ref (base);
  self->resource = resource;
  self->lookups = g_ptr_array_new_with_free_func (unref_lookup);
  g_ptr_array_set_size (self->lookups, resource->n_columns);

  ids = g_strsplit (resource->search_columns != NULL ? resource->search_columns : "", ",", -1);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      int column = kt_catalogue_find_column (resource, g_strstrip (ids[i]));

      if (column >= 0)
        {
          guint index = (guint) column;

          g_array_append_val (self->searched_columns, index);
        }
    }

  g_signal_connect (base, "items-changed", G_CALLBACK (on_base_items_changed_cb), self);
  on_base_items_changed_cb (base, 0, 0, g_list_model_get_n_items (base), self);

  return self;
}

gboolean
kt_search_model_set_query (KtSearchModel *self,
                           const char    *query)
{
  g_autofree char *folded = NULL;
  g_auto(GStrv) old_words = NULL;
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) split = NULL;
  GPtrArray *matches;
  guint old_n;

  g_return_val_if_fail (KT_IS_SEARCH_MODEL (self), FALSE);

  folded = g_utf8_casefold (query != NULL ? query : "", -1);
  split = g_strsplit_set (folded, " \t", -1);
  for (guint i = 0; split[i] != NULL; i++)
    {
      if (*split[i] != '\0')
        g_ptr_array_add (words, g_strdup (split[i]));
    }

  old_words = g_steal_pointer (&self->words);
  if (words->len > 0)
    {
      g_ptr_array_add (words, NULL);
      self->words = (GStrv) g_ptr_array_free (g_steal_pointer (&words), FALSE);
    }

  if ((old_words == NULL && self->words == NULL)
      || (old_words != NULL && self->words != NULL && g_strv_equal ((const char * const *) old_words,
                                                                    (const char * const *) self->words)))
    return FALSE;

  if (self->haystacks_stale && self->words != NULL)
    rebuild_haystacks (self);

  old_n = self->matches->len;
  matches = filter_rows (self, 0);
  replace_matches (self, matches);

  return old_n != self->matches->len || old_n > 0;
}

gboolean
kt_search_model_is_active (KtSearchModel *self)
{
  g_return_val_if_fail (KT_IS_SEARCH_MODEL (self), FALSE);

  return self->words != NULL || self->filter_value != NULL;
}

void
kt_search_model_set_column_filter (KtSearchModel *self,
                                   int            column,
                                   const char    *value)
{
  g_return_if_fail (KT_IS_SEARCH_MODEL (self));
  g_return_if_fail (value == NULL || (column >= 0 && (guint) column < self->resource->n_columns));

  if (self->filter_column == column && g_strcmp0 (self->filter_value, value) == 0)
    return;

  self->filter_column = column;
  g_free (self->filter_value);
  self->filter_value = g_strdup (value);
  replace_matches (self, filter_rows (self, 0));
}

static void
on_lookup_changed_cb (KtLookup      *lookup,
                      KtSearchModel *self)
{
  /* Rebuilding costs a casefold of every row (about 40 ms for 100,000
   * cash-ups, bench/ui-lookup-search.c), so without a search it waits for
   * the next query. NOTE: during a search it runs once for every page of
   * the lookup that arrives, which can stall a list that large. */
  self->haystacks_stale = TRUE;
  if (self->words == NULL)
    return;

  rebuild_haystacks (self);
  replace_matches (self, filter_rows (self, 0));
}

void
kt_search_model_set_lookup (KtSearchModel *self,
                            guint          column,
                            KtLookup      *lookup)
{
  KtLookup *old;

  g_return_if_fail (KT_IS_SEARCH_MODEL (self));
  g_return_if_fail (column < self->resource->n_columns);
  g_return_if_fail (lookup == NULL || KT_IS_LOOKUP (lookup));

  old = g_ptr_array_index (self->lookups, column);
  if (old == lookup)
    return;

  if (old != NULL)
    g_signal_handlers_disconnect_by_data (old, self);
  g_ptr_array_index (self->lookups, column) = lookup != NULL ? g_object_ref (lookup) : NULL;
  if (old != NULL)
    g_object_unref (old);

  if (lookup != NULL)
    g_signal_connect (lookup, "changed", G_CALLBACK (on_lookup_changed_cb), self);
  on_lookup_changed_cb (lookup, self);
}
