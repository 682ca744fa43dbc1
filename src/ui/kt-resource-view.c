#define G_LOG_DOMAIN "kt-resource-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "core/kt-error.h"
#include "kt-format.h"
#include "kt-resource-view.h"
#include "kt-search-model.h"
#include "kt-slot-model.h"
#include "kt-plain-text.h"

/* Order statuses in the order of the status drop-down after "All". */
static const char * const order_statuses[] = {
  "SUBMITTED", "ON_HOLD", "PENDING", "ACCEPTED", "REJECTED", "COMPLETE",
};

typedef struct
{
  KtResourceView *view;
  guint column;
  KtColumnKind kind;
  KtLookup *lookup;                /* REFERENCE columns: the names, or NULL */
  GtkSorter *sorter;               /* owned by the view's column */
} KtColumnData;

/* What a REFERENCE cell can show. */
typedef enum
{
  REFERENCE_PENDING,   /* the names have not arrived: the id */
  REFERENCE_NAMED,     /* the record's name */
  REFERENCE_MISSING,   /* every name is loaded and none has the id */
} KtReferenceState;

struct _KtResourceView
{
  GtkWidget parent_instance;

  GtkButton *cancel_button;
  GtkDropDown *category_dropdown;
  GtkColumnView *column_view;
  GtkLabel *count_label;
  GtkLabel *progress_detail_label;
  GtkEntry *date_entry;
  GtkLabel *date_error_label;
  GtkButton *empty_button;
  AdwStatusPage *empty_page;
  AdwStatusPage *error_page;
  GtkFlowBox *filter_box;
  GtkWidget *footer;
  GtkEntry *from_entry;
  GtkButton *load_all_button;
  GtkLabel *loading_label;
  AdwStatusPage *no_matches_page;
  GtkProgressBar *progress_bar;
  GtkButton *retry_button;
  GtkScrolledWindow *scrolled;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkButton *sign_in_button;
  GtkDropDown *site_dropdown;
  GtkSpinner *spinner;
  GtkStack *stack;
  GtkDropDown *status_dropdown;
  GtkEntry *to_entry;

  KtClient *client;
  KtAccount *account;
  const KtResource *resource;
  GTimeZone *tz;

  /* The rows shown: own_model, or the model of the lookup of this
   * resource while the list has no server-side filter. */
  KtRowModel *row_model;
  KtRowModel *own_model;
  /* The lookup of this resource's names, which owns the list without
   * filters. Its loader serves this view and the lists that show the
   * names, so no page is fetched for both. NULL when nothing is shared. */
  KtLookup *shared;
  KtLoader *loader;
  GCancellable *cancellable;       /* loads of own_model */
  GCancellable *shared_cancellable; /* this view's calls on the shared loader */
  guint own_calls;                 /* calls of this view that the loader has not finished */
  GtkSortListModel *sort_model;
  KtSearchModel *search_model;
  KtSlotModel *slot_model;
  GtkSingleSelection *selection;
  GPtrArray *column_data;          /* KtColumnData, one per column */
  char *query;                     /* casefolded search text, or NULL */
  char *search_text;               /* the search as typed, for messages */

  /* Names of other resources by id (resource id → KtLookup), for
   * REFERENCE columns and the filter drop-downs. */
  GHashTable *lookups;

  /* Filter drop-downs: ids of the sites and categories after "All". The
   * models are those of the "sites" and "categories" lookups. */
  KtRowModel *sites;
  KtRowModel *categories;
  GArray *site_ids;
  GArray *category_ids;
  gboolean updating_filters;

  /* Applied server-side filters. */
  char *status;
  gint64 site_id;
  gint64 category_id;
  char *from_date;
  char *to_date;
  char *date;

  char *load_error;                /* the last failure of a page after the first */
  guint failed_page;               /* the page that load_error is about, from 1 */
  gboolean first_page_failed;      /* the error page is shown */
  gboolean started;
  gboolean loading_all;
  guint scroll_to_top_id;
  gboolean preloaded;              /* shows a record fetched elsewhere, with no loader */
  gboolean suspended;              /* hidden while loading; see kt_resource_view_suspend() */
  gboolean resume_all;             /* the suspended load was a Load All */
  gboolean resume_when_stopped;    /* shown again before its stopped load finished */
  gboolean load_all_when_stopped;  /* Load All pressed while a stopped load finished */
  guint progress_timer_id;         /* refreshes the time left during Load All */
  gboolean stopping;               /* Cancel was pressed; the page already sent finishes */
  gboolean has_status_filter;
  gboolean has_site_filter;
  gboolean has_category_filter;
  gboolean has_date_range;
  gboolean has_date;
  gboolean site_required;

  guint last_rows_loaded;
  gboolean last_complete;
  gboolean last_loading;
};

enum {
  PROP_0,
  PROP_ROWS_LOADED,
  PROP_COMPLETE,
  PROP_LOADING,
  PROP_SELECTED_ROW,
  N_PROPS
};

enum {
  SIGNAL_SIGN_IN_REQUIRED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KtResourceView, kt_resource_view, GTK_TYPE_WIDGET)

static void start_load (KtResourceView *self);
static void update_footer (KtResourceView *self);
static void set_state (KtResourceView *self,
                       const char     *name);

static gboolean
is_resource (KtResourceView *self,
             const char     *id)
{
  return g_strcmp0 (self->resource->id, id) == 0;
}

static gboolean
kind_is_numeric (KtColumnKind kind)
{
  return kind == KT_COLUMN_ID || kind == KT_COLUMN_NUMBER || kind == KT_COLUMN_MONEY;
}

static GtkSorter *
kt_resource_view_get_sorter (KtResourceView *self)
{
  return gtk_column_view_get_sorter (self->column_view);
}

/* Cells */

/* Cells are GtkInscription, which GTK 4.8 added for list cells: it skips
 * the label's size negotiation, which counts when a search replaces every
 * visible row. */
static void
on_cell_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  KtColumnData             *data)
{
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), kind_is_numeric (data->kind) ? 10 : 16);

  if (kind_is_numeric (data->kind))
    {
      gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 1.0);
      gtk_widget_add_css_class (cell, "numeric");
    }
  else
    {
      gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 0.0);
    }

  g_object_set_data (G_OBJECT (cell), "kt-column", data);
  gtk_list_item_set_child (item, cell);
}

/* The text of REFERENCE column @column of @row, and which of the states
 * it is in. A marked id shows plainly that the record is not found, so
 * a dangling reference never looks like an empty cell. */
static char *
format_reference (KtResourceView   *self,
                  KtRow            *row,
                  guint             column,
                  KtReferenceState *state)
{
  KtColumnData *data = g_ptr_array_index (self->column_data, column);
  const char *value = kt_row_get_value (row, column);
  const char *name = NULL;

  *state = REFERENCE_PENDING;
  if (value == NULL)
    return NULL;

  if (data->lookup != NULL)
    name = kt_lookup_get_name (data->lookup, g_ascii_strtoll (value, NULL, 10));

  if (name != NULL)
    {
      *state = REFERENCE_NAMED;
      return g_strdup (name);
    }

  if (data->lookup != NULL && kt_lookup_get_complete (data->lookup)
      && !kt_lookup_contains (data->lookup, g_ascii_strtoll (value, NULL, 10)))
    {
      *state = REFERENCE_MISSING;
      /* TRANSLATORS: %s is the id of a record that no longer exists, such as a deleted product */
      return g_strdup_printf (_("%s (not found)"), value);
    }

  return g_strdup (value);
}

/* The text of @row's value in @column as the list shows it. */
static char *
format_cell (KtResourceView *self,
             KtRow          *row,
             guint           column)
{
  const char *value = row != NULL ? kt_row_get_value (row, column) : NULL;
  char *text = NULL;

  if (row != NULL && self->resource->columns[column].kind == KT_COLUMN_REFERENCE)
    {
      KtReferenceState state;

      return format_reference (self, row, column, &state);
    }

  /* A tax's rate is a fraction: 0.1 is 10 %. */
  if (value != NULL && is_resource (self, "taxes") && g_str_equal (self->resource->columns[column].id, "rate"))
    text = kt_format_percent (value);

  if (text == NULL)
    text = kt_format_value (self->resource->columns[column].kind, value,
                            kt_account_get_currency (self->account), self->tz);

  return text;
}

/* A REFERENCE cell shows the name, and its tooltip shows the id for
 * add-on developers. The detail pane shows the id as well. */
static void
render_reference_cell (GtkInscription *cell,
                       KtRow          *row)
{
  KtColumnData *data = g_object_get_data (G_OBJECT (cell), "kt-column");
  KtResourceView *self = data->view;
  const KtResource *referenced = kt_catalogue_lookup (self->resource->columns[data->column].references);
  KtReferenceState state = REFERENCE_PENDING;
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  if (row != NULL)
    text = format_reference (self, row, data->column, &state);
  gtk_inscription_set_text (cell, text);

  if (state == REFERENCE_NAMED)
    /* TRANSLATORS: the tooltip of a name in a list: "ID 4201" */
    tooltip = g_strdup_printf (_("ID %s"), kt_row_get_value (row, data->column));
  else if (state == REFERENCE_MISSING && referenced != NULL)
    /* TRANSLATORS: %s is a resource title such as "Products" */
    tooltip = g_strdup_printf (_("No record of %s has this id. It may have been deleted."),
                               _(referenced->title));
  kt_widget_set_lazy_tooltip (GTK_WIDGET (cell), tooltip);

  if (state == REFERENCE_MISSING)
    gtk_widget_add_css_class (GTK_WIDGET (cell), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (cell), "dim-label");
}

static void
render_cell (GtkInscription *cell,
             KtRow          *row)
{
  KtColumnData *data = g_object_get_data (G_OBJECT (cell), "kt-column");
  KtResourceView *self = data->view;
  g_autofree char *text = NULL;

  if (data->kind == KT_COLUMN_REFERENCE)
    {
      render_reference_cell (cell, row);
      return;
    }

  text = format_cell (self, row, data->column);
  gtk_inscription_set_text (cell, text);
}

static void
on_slot_row_changed_cb (KtRowSlot      *slot,
                        GParamSpec     *pspec,
                        GtkInscription *cell)
{
  render_cell (cell, kt_row_slot_get_row (slot));
}

/* Items are slots whose row changes under a search, so a cell follows its
 * slot's "row" while bound. */
static void
on_cell_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 KtColumnData             *data)
{
  KtRowSlot *slot = gtk_list_item_get_item (item);
  GtkWidget *cell = gtk_list_item_get_child (item);

  g_signal_connect_object (slot, "notify::row", G_CALLBACK (on_slot_row_changed_cb), cell, 0);
  render_cell (GTK_INSCRIPTION (cell), kt_row_slot_get_row (slot));
}

static void
on_cell_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   KtColumnData             *data)
{
  KtRowSlot *slot = gtk_list_item_get_item (item);
  GtkWidget *cell = gtk_list_item_get_child (item);

  if (slot != NULL)
    g_signal_handlers_disconnect_by_func (slot, on_slot_row_changed_cb, cell);
}

static int
compare_numbers (KtRow *row_a,
                 KtRow *row_b,
                 guint  column)
{
  double number_a = 0;
  double number_b = 0;
  gboolean has_a = kt_row_get_number (row_a, column, &number_a);
  gboolean has_b = kt_row_get_number (row_b, column, &number_b);

  if (has_a != has_b)
    return has_a ? GTK_ORDERING_LARGER : GTK_ORDERING_SMALLER;

  return number_a < number_b ? GTK_ORDERING_SMALLER
       : number_a > number_b ? GTK_ORDERING_LARGER
       : GTK_ORDERING_EQUAL;
}

/* REFERENCE columns sort by the name shown. Rows whose name is not known
 * come last, by id. */
/* Statuses sort by the words shown, so the order reads alphabetically in
 * every language. Rows without a status come last. */
static int
compare_statuses (KtRow *row_a,
                  KtRow *row_b,
                  guint  column)
{
  const char *value_a = kt_row_get_value (row_a, column);
  const char *value_b = kt_row_get_value (row_b, column);
  g_autofree char *words_a = NULL;
  g_autofree char *words_b = NULL;

  if (value_a == NULL || value_b == NULL)
    return gtk_ordering_from_cmpfunc ((value_a == NULL) - (value_b == NULL));
  if (g_str_equal (value_a, value_b))
    return GTK_ORDERING_EQUAL;

  words_a = kt_format_status (value_a);
  words_b = kt_format_status (value_b);

  return gtk_ordering_from_cmpfunc (g_utf8_collate (words_a, words_b));
}

static int
compare_references (KtColumnData *data,
                    KtRow        *row_a,
                    KtRow        *row_b)
{
  const char *value_a = kt_row_get_value (row_a, data->column);
  const char *value_b = kt_row_get_value (row_b, data->column);
  const char *name_a = NULL;
  const char *name_b = NULL;
  int order;

  if (data->lookup != NULL && value_a != NULL)
    name_a = kt_lookup_get_name (data->lookup, g_ascii_strtoll (value_a, NULL, 10));
  if (data->lookup != NULL && value_b != NULL)
    name_b = kt_lookup_get_name (data->lookup, g_ascii_strtoll (value_b, NULL, 10));

  if ((name_a == NULL) != (name_b == NULL))
    return name_a != NULL ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;

  order = g_strcmp0 (name_a, name_b);
  if (order != 0)
    return gtk_ordering_from_cmpfunc (order);

  return compare_numbers (row_a, row_b, data->column);
}

static int
compare_rows_cb (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  KtColumnData *data = user_data;
  KtRow *row_a = KT_ROW ((gpointer) a);
  KtRow *row_b = KT_ROW ((gpointer) b);

  if (data->kind == KT_COLUMN_REFERENCE)
    return compare_references (data, row_a, row_b);

  if (kind_is_numeric (data->kind))
    return compare_numbers (row_a, row_b, data->column);

  if (data->kind == KT_COLUMN_STATUS)
    return compare_statuses (row_a, row_b, data->column);

  /* NOTE: times are compared as ISO 8601 text, which orders them
   * correctly only when they share one UTC offset. */
  return gtk_ordering_from_cmpfunc (g_strcmp0 (kt_row_get_value (row_a, data->column),
                                               kt_row_get_value (row_b, data->column)));
}

/* Starting widths in pixels; a narrow window scrolls sideways instead of
 * squeezing every column to an ellipsis. */
static int
column_width (KtColumnKind kind)
{
  switch (kind)
    {
    case KT_COLUMN_ID:
      return 110;
    case KT_COLUMN_NUMBER:
    case KT_COLUMN_BOOLEAN:
      return 90;
    case KT_COLUMN_MONEY:
      return 110;
    case KT_COLUMN_DATETIME:
      return 150;
    case KT_COLUMN_REFERENCE:
    case KT_COLUMN_STATUS:
    case KT_COLUMN_TEXT:
    case KT_COLUMN_LIST:
    default:
      /* Text columns also share the room left over (they expand), so a
       * small start keeps the other columns in a 1100 px window. */
      return 120;
    }
}

/* The width that shows @title in full in a column header, with the
 * header's padding and sort arrow. */
static int
title_width (KtResourceView *self,
             const char     *title)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), title);
  PangoAttrList *attributes = pango_attr_list_new ();
  int width = 0;

  /* Column headers are bold in Adwaita. */
  pango_attr_list_insert (attributes, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (layout, attributes);
  pango_attr_list_unref (attributes);
  pango_layout_get_pixel_size (layout, &width, NULL);

  return width + 36;
}

static void
add_columns (KtResourceView *self)
{
  const char *currency = kt_account_get_currency (self->account);

  for (guint i = 0; i < self->resource->n_columns; i++)
    {
      const KtColumn *column = &self->resource->columns[i];
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) view_column = NULL;
      g_autoptr(GtkSorter) sorter = NULL;
      g_autofree char *title = NULL;
      KtColumnData *data = g_new0 (KtColumnData, 1);

      data->view = self;
      data->column = i;
      data->kind = column->kind;
      g_ptr_array_add (self->column_data, data);

      g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup_cb), data);
      g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind_cb), data);
      g_signal_connect (factory, "unbind", G_CALLBACK (on_cell_unbind_cb), data);

      if (column->kind == KT_COLUMN_MONEY && currency != NULL)
        title = g_strdup_printf ("%s (%s)", _(column->title), currency);
      else
        title = g_strdup (_(column->title));

      view_column = gtk_column_view_column_new (title, g_steal_pointer (&factory));
      sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows_cb, data, NULL));
      data->sorter = sorter;
      gtk_column_view_column_set_sorter (view_column, sorter);
      gtk_column_view_column_set_resizable (view_column, TRUE);
      gtk_column_view_column_set_expand (view_column,
                                         column->kind == KT_COLUMN_TEXT || column->kind == KT_COLUMN_LIST
                                         || column->kind == KT_COLUMN_REFERENCE
                                         || column->kind == KT_COLUMN_STATUS);
      gtk_column_view_column_set_fixed_width (view_column, MAX (column_width (column->kind), title_width (self, title)));
      gtk_column_view_append_column (self->column_view, view_column);
    }
}

/* Search */

/* A new search or sort shows its first rows, not the position the list
 * had before. */
static gboolean
on_scroll_to_top_cb (gpointer user_data)
{
  KtResourceView *self = KT_RESOURCE_VIEW (user_data);

  self->scroll_to_top_id = 0;

  /* GTK 4.8 has no gtk_column_view_scroll_to(); the inner list view's
   * action makes the first row the list's anchor. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child) && g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
        gtk_widget_activate_action (child, "list.scroll-to-item", "u", 0);
    }
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled), 0);

  return G_SOURCE_REMOVE;
}

/* The list keeps the row it showed at the top through the change, so the
 * scroll waits until the list has laid out the new order. */
static void
scroll_to_top (KtResourceView *self)
{
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled), 0);
  if (self->scroll_to_top_id == 0)
    self->scroll_to_top_id = g_idle_add (on_scroll_to_top_cb, self);
}

static void
on_sorter_changed_cb (GtkSorter       *sorter,
                      GtkSorterChange  change,
                      KtResourceView  *self)
{
  scroll_to_top (self);
}

/* A search that still matches no row changes no item of the shown model,
 * so the no-matches page would keep naming the previous text. */
static void
refresh_no_matches (KtResourceView *self)
{
  const char *state = gtk_stack_get_visible_child_name (self->stack);

  if (g_strcmp0 (state, "list") == 0 || g_strcmp0 (state, "no-matches") == 0)
    set_state (self, "list");
}

static void
apply_search (KtResourceView *self,
              const char     *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autofree char *old_query = g_steal_pointer (&self->query);

  if (*stripped != '\0')
    self->query = g_utf8_casefold (stripped, -1);
  g_free (self->search_text);
  self->search_text = g_strdup (stripped);

  if (g_strcmp0 (old_query, self->query) == 0)
    return;

  /* The selected position would silently show another row. */
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  if (kt_search_model_set_query (self->search_model, self->query))
    update_footer (self);
  scroll_to_top (self);
  refresh_no_matches (self);
}

static void
on_search_changed_cb (GtkSearchEntry *entry,
                      KtResourceView *self)
{
  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_stop_search_cb (GtkSearchEntry *entry,
                   KtResourceView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

/* Footer and states */

static void
set_state (KtResourceView *self,
           const char     *name)
{
  /* Loaded rows of which none matches the search get a page of their own. */
  if (g_strcmp0 (name, "list") == 0 && kt_search_model_is_active (self->search_model)
      && g_list_model_get_n_items (G_LIST_MODEL (self->search_model)) == 0
      && g_list_model_get_n_items (G_LIST_MODEL (self->row_model)) > 0)
    {
      g_autofree char *description = NULL;

      /* TRANSLATORS: %s is the searched text */
      description = g_strdup_printf (_("No loaded row contains “%s”. Try other words, or load every page to search them all."),
                                     self->search_text);
      kt_status_page_set_plain_description (self->no_matches_page, description);
      name = "no-matches";
    }

  gtk_stack_set_visible_child_name (self->stack, name);
  gtk_spinner_set_spinning (self->spinner, g_strcmp0 (name, "loading") == 0);
}

static char *
format_seconds (double seconds)
{
  guint whole = (guint) (seconds + 0.5);

  if (whole >= 60)
    return g_strdup_printf (_("%u min %02u s"), whole / 60, whole % 60);

  return g_strdup_printf (_("%u s"), whole);
}

/* Appends @part to the footer text, after a separator unless it is the
 * first part. */
static void
append_progress_part (GString    *text,
                      const char *part)
{
  if (text->len > 0)
    g_string_append (text, " · ");

  g_string_append (text, part);
}

static void
update_progress (KtResourceView *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *tooltip = NULL;
  g_autofree char *pages = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *requests = NULL;
  guint pages_loaded = 0;
  guint pages_total = 0;
  guint rows_loaded = 0;
  guint requests_spent = 0;
  gboolean waiting = FALSE;
  double estimated_seconds = 0;

  if (self->loader == NULL)
    return;

  g_object_get (self->loader,
                "pages-loaded", &pages_loaded,
                "pages-total", &pages_total,
                "rows-loaded", &rows_loaded,
                "requests-spent", &requests_spent,
                "waiting", &waiting,
                "estimated-seconds", &estimated_seconds,
                NULL);

  if (pages_total > 0)
    {
      pages = g_strdup_printf (_("Page %u of %u"), pages_loaded, pages_total);
      gtk_progress_bar_set_fraction (self->progress_bar, (double) pages_loaded / pages_total);
    }
  else
    {
      pages = g_strdup_printf (ngettext ("%u page", "%u pages", pages_loaded), pages_loaded);
      gtk_progress_bar_pulse (self->progress_bar);
    }
  append_progress_part (text, pages);

  rows = g_strdup_printf (ngettext ("%u row", "%u rows", rows_loaded), rows_loaded);
  append_progress_part (text, rows);
  requests = g_strdup_printf (ngettext ("%u request spent", "%u requests spent", requests_spent),
                              requests_spent);
  append_progress_part (detail, requests);

  if (estimated_seconds > 0)
    {
      g_autofree char *seconds = format_seconds (estimated_seconds);
      g_autofree char *left = NULL;

      /* TRANSLATORS: the least time the rate limit allows for the remaining pages */
      left = g_strdup_printf (_("at least %s left"), seconds);
      append_progress_part (detail, left);
    }

  if (self->stopping)
    {
      /* TRANSLATORS: after Cancel, the request already sent is charged, so its rows are kept */
      append_progress_part (detail, _("stopping after the page already requested"));
    }
  else if (waiting || kt_resource_view_get_waiting (self))
    {
      append_progress_part (detail, _("waiting for the rate limit to reset"));
    }

  /* The progress replaces the row count in the footer: where the load is
   * on the first line, its cost and what it waits for on the second. The
   * bar lies over the list. */
  tooltip = g_strconcat (text->str, " · ", detail->str, NULL);
  gtk_label_set_label (self->count_label, text->str);
  kt_widget_set_lazy_tooltip (GTK_WIDGET (self->count_label), tooltip);
  gtk_label_set_label (self->progress_detail_label, detail->str);
  kt_widget_set_lazy_tooltip (GTK_WIDGET (self->progress_detail_label), tooltip);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_detail_label), TRUE);
}

/* The time left counts down while the load waits for the reset, when no
 * page arrives to update the footer. */
static gboolean
on_progress_timer_cb (gpointer user_data)
{
  KtResourceView *self = KT_RESOURCE_VIEW (user_data);
  gboolean loading_all = self->loading_all || (self->loader != NULL && kt_loader_get_loading_all (self->loader));

  if (!loading_all)
    {
      self->progress_timer_id = 0;
      return G_SOURCE_REMOVE;
    }

  update_progress (self);
  return G_SOURCE_CONTINUE;
}

static void
update_footer (KtResourceView *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *count = NULL;
  g_autofree char *tooltip = NULL;
  guint rows_loaded = self->row_model != NULL
                      ? g_list_model_get_n_items (G_LIST_MODEL (self->row_model)) : 0;
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->search_model));
  gboolean has_more = self->loader != NULL && kt_loader_get_has_more (self->loader) && !self->first_page_failed;
  gboolean loading = FALSE;
  gboolean loading_all;
  gboolean waiting_first_page;
  gboolean complete;

  if (self->loader != NULL)
    g_object_get (self->loader, "loading", &loading, NULL);
  /* A lookup that shares the loader may be loading every page. */
  loading_all = self->loading_all || (self->loader != NULL && kt_loader_get_loading_all (self->loader));
  waiting_first_page = loading && rows_loaded == 0 && kt_resource_view_get_waiting (self);

  complete = self->preloaded
             || (self->started && self->loader != NULL && !has_more && !loading && self->load_error == NULL
                 && !self->first_page_failed);

  if (waiting_first_page)
    count = g_strdup (_("Waiting for the rate limit…"));
  else if (kt_search_model_is_active (self->search_model))
    count = g_strdup_printf (ngettext ("%u of %u loaded row matches", "%u of %u loaded rows match", rows_loaded),
                             shown, rows_loaded);
  else if (has_more)
    count = g_strdup_printf (ngettext ("%u row loaded, more on the server", "%u rows loaded, more on the server", rows_loaded),
                             rows_loaded);
  else
    count = g_strdup_printf (ngettext ("%u row", "%u rows", rows_loaded), rows_loaded);
  append_progress_part (text, count);
  tooltip = g_strdup (text->str);

  if (self->load_error != NULL)
    {
      g_autofree char *advice = NULL;
      g_autofree char *summary = NULL;
      const char *newline = strchr (self->load_error, '\n');

      /* The first line of the error is for the store owner; the rest,
       * such as a parser's message, goes only to the tooltip. */
      summary = newline != NULL ? g_strndup (self->load_error, newline - self->load_error)
                                : g_strdup (self->load_error);

      /* The loader keeps its place, so Load All (or scrolling down)
       * requests the failed page again, while Reload starts from page 1. */
      if (has_more)
        advice = g_strdup_printf (_("Load All resumes from page %u."), self->failed_page);
      else
        advice = g_strdup (_("Reload to try again."));

      g_string_append_printf (text, " · %s %s", summary, advice);
      g_free (tooltip);
      tooltip = g_strdup_printf ("%s · %s %s\n\n%s", count, summary, advice,
                                 newline != NULL ? newline + 1 : "");
      g_strchomp (tooltip);
    }

  /* Whether more pages exist is not known before the first page arrives. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->load_all_button),
                            has_more && !loading_all && !(loading && rows_loaded == 0));
  gtk_widget_set_visible (GTK_WIDGET (self->loading_label), waiting_first_page);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), loading && !self->stopping);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), loading_all);

  if (loading_all)
    {
      update_progress (self);
      if (self->progress_timer_id == 0)
        self->progress_timer_id = g_timeout_add_seconds (1, on_progress_timer_cb, self);
    }
  else
    {
      /* The footer is one line that ends in "…" when it is too narrow;
       * the tooltip has the whole text. */
      gtk_widget_set_visible (GTK_WIDGET (self->progress_detail_label), FALSE);
      gtk_label_set_label (self->count_label, text->str);
      kt_widget_set_lazy_tooltip (GTK_WIDGET (self->count_label), tooltip);
    }

  if (rows_loaded != self->last_rows_loaded)
    {
      self->last_rows_loaded = rows_loaded;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROWS_LOADED]);
    }

  if (complete != self->last_complete)
    {
      self->last_complete = complete;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
    }

  if (loading != self->last_loading)
    {
      self->last_loading = loading;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
}

static gboolean
filters_are_set (KtResourceView *self)
{
  return self->status != NULL || self->category_id != 0 || self->from_date != NULL
         || self->to_date != NULL || (self->site_id != 0 && !self->site_required);
}

static void
show_empty (KtResourceView *self)
{
  g_autofree char *title = NULL;

  if (self->has_date && self->date != NULL)
    /* TRANSLATORS: "No Shifts on 2024-03-01" */
    title = g_strdup_printf (_("No %s on %s"), _(self->resource->title), self->date);
  else
    /* TRANSLATORS: %s is a resource title such as "Orders" */
    title = g_strdup_printf (_("No %s"), _(self->resource->title));
  adw_status_page_set_title (self->empty_page, title);

  if (self->has_date && self->date != NULL)
    {
      /* The list opens on today, which need not have any yet; the API has
       * no way to ask for the latest day that has some. */
      kt_status_page_set_plain_description (self->empty_page,
                                       _("This list shows one day at a time. Type another date above, such as an earlier day, and press Enter."));
      gtk_button_set_label (self->empty_button, _("_Reload"));
    }
  else if (filters_are_set (self))
    {
      kt_status_page_set_plain_description (self->empty_page,
                                       _("Nothing matches the filters. Clear them to see every row."));
      gtk_button_set_label (self->empty_button, _("_Clear Filters"));
    }
  else
    {
      kt_status_page_set_plain_description (self->empty_page,
                                       _("The company has none yet. Reload after adding some in Kounta."));
      gtk_button_set_label (self->empty_button, _("_Reload"));
    }

  set_state (self, "empty");
}

static void
show_error (KtResourceView *self,
            const GError   *error)
{
  gboolean sign_in = g_error_matches (error, KT_ERROR, KT_ERROR_UNAUTHORIZED)
                     || g_error_matches (error, KT_ERROR, KT_ERROR_INVALID_GRANT)
                     || g_error_matches (error, KT_ERROR, KT_ERROR_INVALID_CLIENT);
  g_autofree char *title = NULL;

  /* TRANSLATORS: %s is a resource title such as "Orders" */
  title = g_strdup_printf (_("Could Not Load %s"), _(self->resource->title));
  adw_status_page_set_title (self->error_page, title);
  kt_status_page_set_plain_description (self->error_page, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_button), sign_in);
  self->first_page_failed = TRUE;
  set_state (self, "error");

  if (sign_in)
    g_signal_emit (self, signals[SIGNAL_SIGN_IN_REQUIRED], 0);
}

/* The user stopped the load before its first page was sent, so the list
 * is not known to be empty. */
static void
show_stopped (KtResourceView *self)
{
  g_autofree char *title = NULL;

  /* TRANSLATORS: %s is a resource title such as "Orders" */
  title = g_strdup_printf (_("Loading %s Stopped"), _(self->resource->title));
  adw_status_page_set_title (self->error_page, title);
  kt_status_page_set_plain_description (self->error_page,
                                   _("No page was requested, so no rows are shown. Retry to load the first page."));
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_button), FALSE);
  self->first_page_failed = TRUE;
  set_state (self, "error");
}

static void
show_rows_or_empty (KtResourceView *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->row_model)) == 0)
    show_empty (self);
  else
    set_state (self, "list");
}

/* Loading */

static gboolean loader_is_busy (KtResourceView *self);

static void
on_loader_notify_cb (KtLoader       *loader,
                     GParamSpec     *pspec,
                     KtResourceView *self)
{
  /* A load of a lookup that this view only watched has ended. */
  if (self->own_calls == 0 && !loader_is_busy (self))
    self->stopping = FALSE;

  /* A lookup loaded the pages after one that failed here. */
  if (!kt_loader_get_has_more (loader))
    g_clear_pointer (&self->load_error, g_free);

  /* Rows that a lookup's load brings are shown as they arrive. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "loading") == 0
      && g_list_model_get_n_items (G_LIST_MODEL (self->row_model)) > 0)
    set_state (self, "list");

  update_footer (self);
}

static gboolean
is_shared_loader (KtResourceView *self)
{
  return self->shared != NULL && self->loader != NULL
         && self->row_model == kt_lookup_get_model (self->shared);
}

/* The cancellable of this view's calls on its loader. */
static GCancellable *
call_cancellable (KtResourceView *self)
{
  GCancellable **cancellable = is_shared_loader (self) ? &self->shared_cancellable : &self->cancellable;

  if (*cancellable == NULL || g_cancellable_is_cancelled (*cancellable))
    {
      g_clear_object (cancellable);
      *cancellable = g_cancellable_new ();
    }

  return *cancellable;
}

static void on_load_next_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data);
static void on_load_all_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data);

static void
call_load_next (KtResourceView *self)
{
  self->own_calls++;
  kt_loader_load_next_async (self->loader, call_cancellable (self), on_load_next_cb, g_object_ref (self));
}

static void
call_load_all (KtResourceView *self)
{
  self->own_calls++;
  kt_loader_load_all_async (self->loader, call_cancellable (self), on_load_all_cb, g_object_ref (self));
}

static void
finish_call (KtResourceView *self,
             KtLoader       *loader)
{
  if (loader == self->loader && self->own_calls > 0)
    self->own_calls--;
}

static void resume_stopped_load (KtResourceView *self);

static void
on_load_finished (KtResourceView *self,
                  KtLoader       *loader,
                  const GError   *error)
{
  gboolean stopped = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gboolean resume = self->resume_when_stopped;
  gboolean load_all = self->load_all_when_stopped;

  if (loader != self->loader)
    return;

  self->loading_all = FALSE;
  self->stopping = FALSE;
  self->resume_when_stopped = FALSE;
  self->load_all_when_stopped = FALSE;

  /* A hidden view keeps its page as it was until it is shown again. */
  if (self->suspended && stopped)
    {
      update_footer (self);
      return;
    }

  /* The load ended while hidden with nothing left to resume. */
  self->suspended = FALSE;

  if (stopped && resume)
    {
      self->resume_all = self->resume_all || load_all;
      resume_stopped_load (self);
      return;
    }

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("Loading %s failed: %s", self->resource->id, error->message);

      if (g_list_model_get_n_items (G_LIST_MODEL (self->row_model)) == 0)
        {
          show_error (self, error);
        }
      else
        {
          guint pages_loaded = 0;

          g_object_get (loader, "pages-loaded", &pages_loaded, NULL);
          g_free (self->load_error);
          self->load_error = g_strdup (error->message);
          self->failed_page = pages_loaded + 1;
          set_state (self, "list");
        }
    }
  else if (stopped && g_list_model_get_n_items (G_LIST_MODEL (self->row_model)) == 0)
    {
      show_stopped (self);
    }
  else
    {
      show_rows_or_empty (self);
    }

  update_footer (self);

  /* The user asked for every page while a stopped load was finishing. */
  if (load_all && (error == NULL || stopped))
    kt_resource_view_load_all (self);
}

static void
on_load_next_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(KtResourceView) self = user_data;
  g_autoptr(GError) error = NULL;

  kt_loader_load_next_finish (KT_LOADER (source), result, &error);
  finish_call (self, KT_LOADER (source));
  on_load_finished (self, KT_LOADER (source), error);
}

static void
on_load_all_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KtResourceView) self = user_data;
  g_autoptr(GError) error = NULL;

  kt_loader_load_all_finish (KT_LOADER (source), result, &error);
  finish_call (self, KT_LOADER (source));
  on_load_finished (self, KT_LOADER (source), error);
}

/* Carries on with a load stopped while the view was hidden. The rows of
 * pages that arrived stay, so it goes on from the next page. */
static void
resume_stopped_load (KtResourceView *self)
{
  g_debug ("Resuming %s", self->resource->id);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->row_model)) == 0)
    start_load (self);
  else if (!kt_loader_get_has_more (self->loader))
    {
      show_rows_or_empty (self);
      update_footer (self);
    }
  else if (self->resume_all)
    kt_resource_view_load_all (self);
  else
    kt_resource_view_load_more (self);
}

/* Cancels the loads of own_model. Calls on the shared loader go on,
 * because lookups wait for the same pages, and their results are no
 * longer this view's. */
static void
stop_loader (KtResourceView *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->loader != NULL)
    g_signal_handlers_disconnect_by_data (self->loader, self);
  g_clear_object (&self->loader);
  self->loading_all = FALSE;
  self->own_calls = 0;
}

static void
use_model (KtResourceView *self,
           KtRowModel     *model)
{
  if (self->row_model == model)
    return;

  g_set_object (&self->row_model, model);
  gtk_sort_list_model_set_model (self->sort_model, G_LIST_MODEL (model));
}

/* Whether the list without server-side filters is shown, which is the
 * list the lookup of this resource loads. */
static gboolean
path_is_shared (KtResourceView *self,
                const char     *path)
{
  g_autofree char *unfiltered = NULL;

  if (self->shared == NULL || path == NULL)
    return FALSE;

  unfiltered = kt_catalogue_build_path (self->resource, kt_account_get_company_id (self->account), 0, NULL, NULL);
  return g_str_equal (path, unfiltered);
}

/* Shows the rows of the shared loader and requests only what it has not
 * loaded: the first page, or nothing. A load that runs, of a lookup or
 * of this view before a filter was set, is waited for. */
static void
start_shared_load (KtResourceView *self)
{
  gboolean busy = FALSE;

  use_model (self, kt_lookup_get_model (self->shared));
  self->loader = g_object_ref (kt_lookup_ensure_loader (self->shared, self->client, self->account));
  g_signal_connect (self->loader, "notify", G_CALLBACK (on_loader_notify_cb), self);
  g_object_get (self->loader, "loading", &busy, NULL);

  if (busy)
    {
      g_debug ("Showing %s while its rows load for a lookup", self->resource->id);
      self->loading_all = kt_loader_get_loading_all (self->loader);
      /* A load stopped when another list was left carries on here. */
      self->resume_all = self->loading_all;
      self->resume_when_stopped = TRUE;
      set_state (self, g_list_model_get_n_items (G_LIST_MODEL (self->row_model)) > 0 ? "list" : "loading");
      if (self->loading_all)
        call_load_all (self);
      else
        call_load_next (self);
    }
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->row_model)) == 0
           && kt_loader_get_has_more (self->loader))
    {
      set_state (self, "loading");
      call_load_next (self);
    }
  else
    {
      g_debug ("Showing %u rows of %s loaded before", g_list_model_get_n_items (G_LIST_MODEL (self->row_model)),
               self->resource->id);
      show_rows_or_empty (self);
    }

  update_footer (self);
}

static void
start_load (KtResourceView *self)
{
  g_autofree char *path = NULL;

  stop_loader (self);
  g_clear_pointer (&self->load_error, g_free);
  self->suspended = FALSE;
  self->resume_when_stopped = FALSE;
  self->load_all_when_stopped = FALSE;
  self->stopping = FALSE;
  self->first_page_failed = FALSE;
  self->preloaded = FALSE;
  self->started = TRUE;

  path = kt_resource_view_build_path (self);
  if (path_is_shared (self, path))
    {
      start_shared_load (self);
      return;
    }

  use_model (self, self->own_model);
  kt_row_model_clear (self->row_model);

  if (path == NULL)
    {
      /* A site-scoped list waits for the site list to arrive. */
      adw_status_page_set_title (self->empty_page, _("Choose a Site"));
      kt_status_page_set_plain_description (self->empty_page,
                                       _("This list is kept per site. Choose one above once the sites have loaded."));
      gtk_button_set_label (self->empty_button, _("_Reload"));
      set_state (self, "empty");
      update_footer (self);
      return;
    }

  g_debug ("Loading %s from %s", self->resource->id, path);

  self->loader = kt_loader_new (self->client, self->account, path, self->row_model);
  g_signal_connect (self->loader, "notify", G_CALLBACK (on_loader_notify_cb), self);

  set_state (self, "loading");
  call_load_next (self);
  update_footer (self);
}

static gboolean
loader_is_busy (KtResourceView *self)
{
  gboolean loading = FALSE;

  if (self->loader == NULL)
    return FALSE;

  g_object_get (self->loader, "loading", &loading, NULL);
  return loading;
}

static void
on_scroll_value_changed_cb (GtkAdjustment  *adjustment,
                            KtResourceView *self)
{
  double value = gtk_adjustment_get_value (adjustment);
  double page_size = gtk_adjustment_get_page_size (adjustment);
  double upper = gtk_adjustment_get_upper (adjustment);

  /* Ask for the next page when less than a screenful is left below. */
  if (value + 2 * page_size >= upper)
    kt_resource_view_load_more (self);
}

/* Filters */

static const char *
row_title (KtRowModel *model,
           KtRow      *row)
{
  const KtResource *resource = kt_row_model_get_resource (model);
  int name_column = kt_catalogue_find_column (resource, "name");
  const char *name = name_column >= 0 ? kt_row_get_value (row, name_column) : NULL;

  return name;
}

static void
fill_lookup_dropdown (GtkDropDown *dropdown,
                      KtRowModel  *model,
                      GArray      *ids,
                      const char  *all_label,
                      gint64       selected_id)
{
  g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
  guint selected = 0;
  guint n_rows = model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0;

  g_array_set_size (ids, 0);
  gtk_string_list_append (strings, all_label);

  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);
      const char *name = row_title (model, row);
      gint64 id = kt_row_get_id (row);
      g_autofree char *fallback = NULL;

      if (name == NULL)
        name = fallback = g_strdup_printf ("%" G_GINT64_FORMAT, id);

      g_array_append_val (ids, id);
      gtk_string_list_append (strings, name);

      if (id == selected_id)
        selected = i + 1;
    }

  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (strings));
  gtk_drop_down_set_selected (dropdown, selected);
}

static void
refill_lookups (KtResourceView *self)
{
  gboolean was_waiting = self->site_required && self->site_id == 0;

  self->updating_filters = TRUE;

  if (self->has_site_filter)
    {
      if (self->site_required && self->site_id == 0 && self->sites != NULL
          && g_list_model_get_n_items (G_LIST_MODEL (self->sites)) > 0)
        {
          g_autoptr(KtRow) first = g_list_model_get_item (G_LIST_MODEL (self->sites), 0);

          self->site_id = kt_row_get_id (first);
        }

      fill_lookup_dropdown (self->site_dropdown, self->sites, self->site_ids,
                            self->site_required ? _("Choose a Site") : _("All Sites"),
                            self->site_id);
    }

  if (self->has_category_filter)
    fill_lookup_dropdown (self->category_dropdown, self->categories, self->category_ids,
                          _("All Categories"), self->category_id);

  self->updating_filters = FALSE;

  if (was_waiting && self->site_id != 0 && self->started)
    start_load (self);
}

static void
on_lookup_items_changed_cb (GListModel     *model,
                            guint           position,
                            guint           removed,
                            guint           added,
                            KtResourceView *self)
{
  refill_lookups (self);
}

/* Lookups of names */

static gboolean
column_is_searched (const KtResource *resource,
                    guint             column)
{
  g_auto(GStrv) ids = g_strsplit (resource->search_columns != NULL ? resource->search_columns : "", ",", -1);

  return g_strv_contains ((const char * const *) ids, resource->columns[column].id);
}

/* New names redraw the cells in place: the rows, their order, the
 * selection and the scroll position stay. */
static void
on_lookup_changed_cb (KtLookup       *lookup,
                      KtResourceView *self)
{
  kt_slot_model_rebind (self->slot_model);
}

/* Once every name is in, a list sorted by a name column sorts again. */
static void
on_lookup_complete_cb (KtLookup       *lookup,
                       GParamSpec     *pspec,
                       KtResourceView *self)
{
  for (guint i = 0; i < self->column_data->len; i++)
    {
      KtColumnData *data = g_ptr_array_index (self->column_data, i);

      if (data->lookup == lookup && data->sorter != NULL)
        gtk_sorter_changed (data->sorter, GTK_SORTER_CHANGE_DIFFERENT);
    }
}

static void
forget_lookup (KtResourceView *self,
               const char     *resource_id)
{
  KtLookup *lookup = g_hash_table_lookup (self->lookups, resource_id);

  if (lookup == NULL)
    return;

  g_signal_handlers_disconnect_by_data (lookup, self);
  for (guint i = 0; i < self->column_data->len; i++)
    {
      KtColumnData *data = g_ptr_array_index (self->column_data, i);

      if (data->lookup == lookup)
        {
          data->lookup = NULL;
          if (self->search_model != NULL)
            kt_search_model_set_lookup (self->search_model, i, NULL);
        }
    }

  if (self->sites != NULL && self->sites == kt_lookup_get_model (lookup))
    {
      g_signal_handlers_disconnect_by_data (self->sites, self);
      g_clear_object (&self->sites);
    }
  if (self->categories != NULL && self->categories == kt_lookup_get_model (lookup))
    {
      g_signal_handlers_disconnect_by_data (self->categories, self);
      g_clear_object (&self->categories);
    }

  g_hash_table_remove (self->lookups, resource_id);
}

static void
clear_lookups (KtResourceView *self)
{
  g_autofree gpointer *ids = NULL;
  guint n_ids = 0;

  if (self->lookups == NULL)
    return;

  ids = g_hash_table_get_keys_as_array (self->lookups, &n_ids);
  for (guint i = 0; i < n_ids; i++)
    forget_lookup (self, ids[i]);
}

static gint64
selected_lookup_id (GtkDropDown *dropdown,
                    GArray      *ids)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || selected > ids->len)
    return 0;

  return g_array_index (ids, gint64, selected - 1);
}

/* Reads a date entry: *@out is its YYYY-MM-DD text, or NULL when empty.
 * An invalid date is marked on the entry and in its tooltip; a valid one
 * gets the entry's help tooltip back. */
static gboolean
parse_date_entry (GtkEntry  *entry,
                  char     **out)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  const char *help = g_object_get_data (G_OBJECT (entry), "kt-help");
  g_autoptr(GDateTime) parsed = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autofree char *midnight = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry), help);

  if (*stripped == '\0')
    {
      *out = NULL;
      return TRUE;
    }

  midnight = g_strdup_printf ("%sT00:00:00Z", stripped);
  parsed = g_date_time_new_from_iso8601 (midnight, NULL);
  if (parsed == NULL || strlen (stripped) != 10)
    {
      g_autofree char *message = NULL;

      /* TRANSLATORS: %s is what the user typed in a date field */
      message = g_strdup_printf (_("“%s” is not a date; type one like 2024-03-01"), stripped);
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (entry), message);
      *out = NULL;
      return FALSE;
    }

  *out = g_steal_pointer (&stripped);
  return TRUE;
}

/* Reads the From and To entries into *@from_out and *@to_out (NULL when
 * empty or invalid). Returns FALSE when both are dates and From is after
 * To, and marks both entries then. */
static gboolean
parse_date_range (KtResourceView  *self,
                  char           **from_out,
                  char           **to_out)
{
  g_autofree char *message = NULL;

  parse_date_entry (self->from_entry, from_out);
  parse_date_entry (self->to_entry, to_out);

  /* YYYY-MM-DD texts sort as their dates do. */
  if (*from_out == NULL || *to_out == NULL || strcmp (*from_out, *to_out) <= 0)
    return TRUE;

  /* TRANSLATORS: the first %s is the From date, the second the To date */
  message = g_strdup_printf (_("From (%s) is after To (%s); swap the dates or change one"),
                             *from_out, *to_out);
  gtk_widget_add_css_class (GTK_WIDGET (self->from_entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->from_entry), message);
  gtk_widget_add_css_class (GTK_WIDGET (self->to_entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->to_entry), message);

  return FALSE;
}

/* Checks the shown date entries and writes the first problem under the
 * filters. Returns whether every shown date is valid or empty and the
 * range, if any, is in order. */
static gboolean
check_date_entries (KtResourceView *self)
{
  const char *problem = NULL;

  if (self->has_date_range)
    {
      g_autofree char *from_date = NULL;
      g_autofree char *to_date = NULL;

      parse_date_range (self, &from_date, &to_date);
      if (gtk_widget_has_css_class (GTK_WIDGET (self->from_entry), "error"))
        problem = gtk_widget_get_tooltip_text (GTK_WIDGET (self->from_entry));
      else if (gtk_widget_has_css_class (GTK_WIDGET (self->to_entry), "error"))
        problem = gtk_widget_get_tooltip_text (GTK_WIDGET (self->to_entry));
    }

  if (self->has_date)
    {
      g_autofree char *date = NULL;

      if (!parse_date_entry (self->date_entry, &date) && problem == NULL)
        problem = gtk_widget_get_tooltip_text (GTK_WIDGET (self->date_entry));
    }

  gtk_label_set_label (self->date_error_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->date_error_label), problem != NULL);

  return problem == NULL;
}

static void
read_filters (KtResourceView *self)
{
  guint status_index = gtk_drop_down_get_selected (self->status_dropdown);
  gint64 site_id = selected_lookup_id (self->site_dropdown, self->site_ids);
  gint64 category_id = selected_lookup_id (self->category_dropdown, self->category_ids);
  char *from_date = NULL;
  char *to_date = NULL;
  char *date = NULL;

  g_clear_pointer (&self->status, g_free);
  if (self->has_status_filter && status_index > 0 && status_index <= G_N_ELEMENTS (order_statuses))
    self->status = g_strdup (order_statuses[status_index - 1]);

  /* The API lists products of one site or of one category, not both: the
   * filter changed last wins. */
  if (self->has_category_filter && site_id != self->site_id && site_id != 0)
    category_id = 0;
  else if (self->has_category_filter && category_id != self->category_id && category_id != 0)
    site_id = 0;

  if (self->has_site_filter)
    self->site_id = site_id;
  if (self->has_category_filter)
    self->category_id = category_id;

  /* A reversed range keeps the dates in use, like an invalid date does. */
  if (self->has_date_range && parse_date_range (self, &from_date, &to_date))
    {
      if (from_date != NULL || !gtk_widget_has_css_class (GTK_WIDGET (self->from_entry), "error"))
        {
          g_free (self->from_date);
          self->from_date = g_steal_pointer (&from_date);
        }
      if (to_date != NULL || !gtk_widget_has_css_class (GTK_WIDGET (self->to_entry), "error"))
        {
          g_free (self->to_date);
          self->to_date = g_steal_pointer (&to_date);
        }
    }
  g_free (from_date);
  g_free (to_date);

  if (self->has_date && parse_date_entry (self->date_entry, &date) && date != NULL)
    {
      g_free (self->date);
      self->date = date;
    }

  self->updating_filters = TRUE;
  if (self->has_site_filter)
    gtk_drop_down_set_selected (self->site_dropdown,
                                self->site_id == 0 ? 0 : gtk_drop_down_get_selected (self->site_dropdown));
  if (self->has_category_filter)
    gtk_drop_down_set_selected (self->category_dropdown,
                                self->category_id == 0 ? 0 : gtk_drop_down_get_selected (self->category_dropdown));
  self->updating_filters = FALSE;
}

/* Shifts: the API lists a day's shifts of every site, so the site filter
 * narrows the loaded rows instead of asking again. */
static void
narrow_shifts_by_site (KtResourceView *self)
{
  int column = kt_catalogue_find_column (self->resource, "site");
  g_autofree char *value = NULL;
  guint n_sites = self->sites != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->sites)) : 0;

  if (column < 0)
    return;

  /* The catalogue's site column may hold the site's id or its name. */
  if (self->site_id != 0 && self->resource->columns[column].kind == KT_COLUMN_ID)
    value = g_strdup_printf ("%" G_GINT64_FORMAT, self->site_id);

  for (guint i = 0; self->site_id != 0 && value == NULL && i < n_sites; i++)
    {
      g_autoptr(KtRow) site = g_list_model_get_item (G_LIST_MODEL (self->sites), i);

      if (kt_row_get_id (site) == self->site_id)
        value = g_strdup (row_title (self->sites, site));
    }

  kt_search_model_set_column_filter (self->search_model, column, value);
  update_footer (self);
}

static void
on_filter_changed_cb (GObject        *object,
                      GParamSpec     *pspec,
                      KtResourceView *self)
{
  if (self->updating_filters || !self->started)
    return;

  /* The dates apply only when valid, so show why they did not. */
  check_date_entries (self);
  read_filters (self);

  if (is_resource (self, "shifts"))
    {
      narrow_shifts_by_site (self);
      return;
    }

  start_load (self);
}

static void
on_date_activate_cb (GtkEntry       *entry,
                     KtResourceView *self)
{
  /* An invalid date changes nothing: the list keeps its rows and its
   * filter until the date is corrected. */
  if (!check_date_entries (self) || !self->started)
    return;

  read_filters (self);
  start_load (self);
}

static void
set_filter_widgets (KtResourceView *self)
{
  gboolean any;

  self->has_status_filter = is_resource (self, "orders");
  self->has_date_range = is_resource (self, "orders");
  self->has_category_filter = is_resource (self, "products");
  self->site_required = self->resource->scope == KT_SCOPE_SITE;
  /* Shifts are listed by day only, so their site is narrowed here. */
  self->has_site_filter = is_resource (self, "orders") || is_resource (self, "products")
                          || is_resource (self, "shifts") || self->site_required;
  self->has_date = self->resource->scope == KT_SCOPE_DATE;

  any = self->has_status_filter || self->has_date_range || self->has_category_filter
        || self->has_site_filter || self->has_date;

  gtk_widget_set_visible (GTK_WIDGET (self->filter_box), any);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->status_dropdown)), self->has_status_filter);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->site_dropdown)), self->has_site_filter);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->category_dropdown)), self->has_category_filter);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->from_entry)), self->has_date_range);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->to_entry)), self->has_date_range);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->date_entry)), self->has_date);
}

/* Buttons */

static void
on_empty_button_clicked_cb (GtkButton      *button,
                            KtResourceView *self)
{
  if (filters_are_set (self))
    {
      kt_resource_view_set_filters (self, NULL, self->site_required ? self->site_id : 0, 0, NULL, NULL);
      return;
    }

  kt_resource_view_reload (self);
}

static void
on_retry_clicked_cb (GtkButton      *button,
                     KtResourceView *self)
{
  /* Unlike Reload, a shared list keeps the pages a lookup has loaded
   * since, and its loader requests the page that failed again. */
  start_load (self);
}

static void
on_load_all_clicked_cb (GtkButton      *button,
                        KtResourceView *self)
{
  kt_resource_view_load_all (self);
}

static void
on_cancel_clicked_cb (GtkButton      *button,
                      KtResourceView *self)
{
  kt_resource_view_cancel (self);
}

static void
on_selection_changed_cb (GObject        *object,
                         GParamSpec     *pspec,
                         KtResourceView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ROW]);
}

/* A new sort order or a reload moves rows under the selected position, so
 * the selection goes; appended pages leave it. */
static void
on_sorted_items_changed_cb (GListModel     *model,
                            guint           position,
                            guint           removed,
                            guint           added,
                            KtResourceView *self)
{
  if (removed > 0)
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
}

static void
on_shown_items_changed_cb (GListModel     *model,
                           guint           position,
                           guint           removed,
                           guint           added,
                           KtResourceView *self)
{
  refresh_no_matches (self);
  update_footer (self);
}

static void
on_account_timezone_cb (KtAccount      *account,
                        GParamSpec     *pspec,
                        KtResourceView *self)
{
  g_clear_pointer (&self->tz, g_time_zone_unref);
  self->tz = kt_format_time_zone (kt_account_get_timezone (account));
}

static void
on_rate_limit_queued_cb (KtRateLimit    *rate_limit,
                         GParamSpec     *pspec,
                         KtResourceView *self)
{
  if (self->loading_all || loader_is_busy (self))
    update_footer (self);
}

/* Lifecycle */

static void
kt_resource_view_dispose (GObject *object)
{
  KtResourceView *self = KT_RESOURCE_VIEW (object);
  GtkWidget *child;

  stop_loader (self);
  if (self->shared_cancellable != NULL)
    g_cancellable_cancel (self->shared_cancellable);
  g_clear_object (&self->shared_cancellable);
  g_clear_object (&self->shared);
  clear_lookups (self);

  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);

  /* Disposing a sorted column view removes its columns from its sorter,
   * which re-sorts the models and emits "changed" and "items-changed".
   * Those handlers would then run on a half-disposed view, and the idle
   * that scroll_to_top() adds would run after the view was freed. */
  if (self->column_view != NULL)
    {
      g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);
      g_signal_handlers_disconnect_by_data (gtk_scrolled_window_get_vadjustment (self->scrolled), self);
    }
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->search_model != NULL)
    g_signal_handlers_disconnect_by_data (self->search_model, self);
  if (self->sort_model != NULL)
    g_signal_handlers_disconnect_by_data (self->sort_model, self);
  g_clear_handle_id (&self->scroll_to_top_id, g_source_remove);
  g_clear_handle_id (&self->progress_timer_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_RESOURCE_VIEW);
  /* The template's top box has no id, so dispose_template() leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->selection);
  g_clear_object (&self->slot_model);
  g_clear_object (&self->search_model);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->row_model);
  g_clear_object (&self->own_model);
  g_clear_object (&self->client);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (kt_resource_view_parent_class)->dispose (object);
}

/* A view leaves its window when the window closes or the account is
 * signed out, and is never shown again. Its requests are cancelled for
 * real there, because a callback of a request in flight keeps the view
 * alive, so dispose may come only after the response. */
static void
kt_resource_view_unroot (GtkWidget *widget)
{
  KtResourceView *self = KT_RESOURCE_VIEW (widget);

  stop_loader (self);
  if (self->shared_cancellable != NULL)
    g_cancellable_cancel (self->shared_cancellable);

  GTK_WIDGET_CLASS (kt_resource_view_parent_class)->unroot (widget);
}

static void
kt_resource_view_finalize (GObject *object)
{
  KtResourceView *self = KT_RESOURCE_VIEW (object);

  g_clear_pointer (&self->column_data, g_ptr_array_unref);
  g_clear_pointer (&self->lookups, g_hash_table_unref);
  g_clear_pointer (&self->site_ids, g_array_unref);
  g_clear_pointer (&self->category_ids, g_array_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_pointer (&self->query, g_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->status, g_free);
  g_clear_pointer (&self->from_date, g_free);
  g_clear_pointer (&self->to_date, g_free);
  g_clear_pointer (&self->date, g_free);
  g_clear_pointer (&self->load_error, g_free);

  G_OBJECT_CLASS (kt_resource_view_parent_class)->finalize (object);
}

static void
kt_resource_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KtResourceView *self = KT_RESOURCE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ROWS_LOADED:
      g_value_set_uint (value, kt_resource_view_get_rows_loaded (self));
      break;

    case PROP_COMPLETE:
      g_value_set_boolean (value, kt_resource_view_get_complete (self));
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, kt_resource_view_get_loading (self));
      break;

    case PROP_SELECTED_ROW:
      g_value_set_object (value, kt_resource_view_get_selected_row (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_resource_view_class_init (KtResourceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_resource_view_dispose;
  object_class->finalize = kt_resource_view_finalize;
  object_class->get_property = kt_resource_view_get_property;
  widget_class->unroot = kt_resource_view_unroot;

  properties[PROP_ROWS_LOADED] =
    g_param_spec_uint ("rows-loaded", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_ROW] =
    g_param_spec_object ("selected-row", NULL, NULL, KT_TYPE_ROW,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SIGN_IN_REQUIRED] =
    g_signal_new ("sign-in-required",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "kt-resource-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, category_dropdown);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, column_view);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, count_label);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, progress_detail_label);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, date_entry);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, date_error_label);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, empty_button);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, error_page);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, filter_box);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, footer);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, from_entry);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, load_all_button);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, loading_label);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, no_matches_page);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, retry_button);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, scrolled);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, search_bar);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, site_dropdown);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, spinner);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, stack);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, KtResourceView, to_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_date_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_empty_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_load_all_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "resource-view");
}

static void
kt_resource_view_init (KtResourceView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->column_data = g_ptr_array_new_with_free_func (g_free);
  self->lookups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->site_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->category_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* The date entries' tooltips, given back once a bad date is corrected. */
  g_object_set_data_full (G_OBJECT (self->from_entry), "kt-help",
                          g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (self->from_entry))), g_free);
  g_object_set_data_full (G_OBJECT (self->to_entry), "kt-help",
                          g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (self->to_entry))), g_free);
  g_object_set_data_full (G_OBJECT (self->date_entry), "kt-help",
                          g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (self->date_entry))), g_free);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  /* Searching the loaded rows takes a few milliseconds, so each keystroke
   * applies at once instead of after the entry's default delay. */
  gtk_search_entry_set_search_delay (self->search_entry, 0);

  g_signal_connect (gtk_scrolled_window_get_vadjustment (self->scrolled), "value-changed",
                    G_CALLBACK (on_scroll_value_changed_cb), self);
}

/* Returns a new view of @resource of @account's company; nothing loads until
 * kt_resource_view_ensure_loaded(). */
GtkWidget *
kt_resource_view_new (KtClient         *client,
                      KtAccount        *account,
                      const KtResource *resource)
{
  KtResourceView *self;

  g_return_val_if_fail (KT_IS_CLIENT (client), NULL);
  g_return_val_if_fail (KT_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (resource != NULL, NULL);

  self = g_object_new (KT_TYPE_RESOURCE_VIEW, NULL);
  self->client = g_object_ref (client);
  self->account = g_object_ref (account);
  self->resource = resource;
  self->tz = kt_format_time_zone (kt_account_get_timezone (account));
  g_signal_connect (account, "notify::timezone", G_CALLBACK (on_account_timezone_cb), self);
  g_signal_connect_object (kt_account_get_rate_limit (account), "notify::queued",
                           G_CALLBACK (on_rate_limit_queued_cb), self, 0);

  self->own_model = kt_row_model_new (resource);
  self->row_model = g_object_ref (self->own_model);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->row_model)),
                                              g_object_ref (kt_resource_view_get_sorter (self)));
  /* A GtkFilterListModel with a GtkCustomFilter took 60 to 200 ms a
   * keystroke over 100,000 rows (bench/ui-browse.c). This model keeps each
   * row's casefolded text and spares unchanged rows. */
  self->search_model = kt_search_model_new (G_LIST_MODEL (self->sort_model), resource);
  /* Replacing the widgets of every visible row took up to 65 ms when a
   * keystroke changed them all; slots let the rows rebind their text. */
  self->slot_model = kt_slot_model_new (G_LIST_MODEL (self->search_model));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->slot_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (on_selection_changed_cb), self);
  g_signal_connect (self->search_model, "items-changed", G_CALLBACK (on_shown_items_changed_cb), self);
  g_signal_connect (self->sort_model, "items-changed", G_CALLBACK (on_sorted_items_changed_cb), self);
  /* After the sort model's own handler, so the rows are already sorted. */
  g_signal_connect (kt_resource_view_get_sorter (self), "changed", G_CALLBACK (on_sorter_changed_cb), self);

  add_columns (self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  kt_slot_model_set_pacer (self->slot_model, GTK_WIDGET (self->column_view));
  set_filter_widgets (self);
  update_footer (self);

  return GTK_WIDGET (self);
}

const KtResource *
kt_resource_view_get_resource (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);

  return self->resource;
}

gint64
kt_resource_view_get_site_id (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), 0);

  return self->site_id;
}

char **
kt_resource_view_dup_lookup_ids (KtResourceView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();

  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);

  if (self->has_site_filter)
    g_ptr_array_add (ids, (gpointer) "sites");
  if (self->has_category_filter)
    g_ptr_array_add (ids, (gpointer) "categories");
  for (guint i = 0; i < self->resource->n_columns; i++)
    {
      if (self->resource->columns[i].kind == KT_COLUMN_REFERENCE)
        g_ptr_array_add (ids, (gpointer) self->resource->columns[i].references);
    }

  for (guint i = 0; i < ids->len; i++)
    {
      gboolean seen = FALSE;

      for (guint j = 0; j < i && !seen; j++)
        seen = g_str_equal (ids->pdata[i], ids->pdata[j]);
      if (!seen)
        g_strv_builder_add (builder, ids->pdata[i]);
    }

  return g_strv_builder_end (builder);
}

void
kt_resource_view_set_lookup (KtResourceView *self,
                             KtLookup       *lookup)
{
  const KtResource *resource;

  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));
  g_return_if_fail (KT_IS_LOOKUP (lookup));

  resource = kt_lookup_get_resource (lookup);
  if (g_hash_table_lookup (self->lookups, resource->id) == lookup)
    return;

  forget_lookup (self, resource->id);
  g_hash_table_insert (self->lookups, (gpointer) resource->id, g_object_ref (lookup));
  g_signal_connect (lookup, "changed", G_CALLBACK (on_lookup_changed_cb), self);
  g_signal_connect (lookup, "notify::complete", G_CALLBACK (on_lookup_complete_cb), self);

  for (guint i = 0; i < self->resource->n_columns; i++)
    {
      KtColumnData *data = g_ptr_array_index (self->column_data, i);

      if (self->resource->columns[i].kind != KT_COLUMN_REFERENCE
          || g_strcmp0 (self->resource->columns[i].references, resource->id) != 0)
        continue;

      data->lookup = lookup;
      if (column_is_searched (self->resource, i))
        kt_search_model_set_lookup (self->search_model, i, lookup);
    }

  if (g_str_equal (resource->id, "sites"))
    {
      g_set_object (&self->sites, kt_lookup_get_model (lookup));
      g_signal_connect (self->sites, "items-changed", G_CALLBACK (on_lookup_items_changed_cb), self);
      refill_lookups (self);
    }
  else if (g_str_equal (resource->id, "categories"))
    {
      g_set_object (&self->categories, kt_lookup_get_model (lookup));
      g_signal_connect (self->categories, "items-changed", G_CALLBACK (on_lookup_items_changed_cb), self);
      refill_lookups (self);
    }

  kt_slot_model_rebind (self->slot_model);
}

void
kt_resource_view_set_shared_list (KtResourceView *self,
                                  KtLookup       *lookup)
{
  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));
  g_return_if_fail (KT_IS_LOOKUP (lookup));
  g_return_if_fail (kt_lookup_get_resource (lookup) == self->resource);
  g_return_if_fail (self->resource->scope == KT_SCOPE_COMPANY);
  g_return_if_fail (!self->started);

  g_set_object (&self->shared, lookup);
}

KtLookup *
kt_resource_view_get_column_lookup (KtResourceView *self,
                                    guint           column)
{
  KtColumnData *data;

  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);
  g_return_val_if_fail (column < self->column_data->len, NULL);

  data = g_ptr_array_index (self->column_data, column);
  return data->lookup;
}

gboolean
kt_resource_view_show_rows (KtResourceView *self,
                            KtRowModel     *rows)
{
  g_autoptr(GString) page = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *unfiltered = NULL;
  guint n_rows;

  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), FALSE);
  g_return_val_if_fail (KT_IS_ROW_MODEL (rows), FALSE);

  if (self->started || kt_row_model_get_resource (rows) != self->resource
      || self->resource->scope != KT_SCOPE_COMPANY)
    return FALSE;

  /* Only the list without filters is the one the rows came from. */
  path = kt_resource_view_build_path (self);
  unfiltered = kt_catalogue_build_path (self->resource, kt_account_get_company_id (self->account), 0, NULL, NULL);
  if (g_strcmp0 (path, unfiltered) != 0)
    return FALSE;

  n_rows = g_list_model_get_n_items (G_LIST_MODEL (rows));
  page = g_string_new ("[");
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (G_LIST_MODEL (rows), i);
      g_autofree char *json = kt_row_dup_json (row);

      if (i > 0)
        g_string_append_c (page, ',');
      g_string_append (page, json);
    }
  g_string_append_c (page, ']');

  bytes = g_string_free_to_bytes (g_steal_pointer (&page));
  if (kt_row_model_append_page (self->row_model, bytes, &error) < 0)
    {
      g_warning ("Could not show the loaded rows of %s: %s", self->resource->id, error->message);
      kt_row_model_clear (self->row_model);
      return FALSE;
    }

  g_debug ("Showing %u loaded rows of %s without a request", n_rows, self->resource->id);
  self->started = TRUE;
  self->preloaded = TRUE;
  show_rows_or_empty (self);
  update_footer (self);

  return TRUE;
}

void
kt_resource_view_ensure_loaded (KtResourceView *self)
{
  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));

  if (self->suspended)
    {
      self->suspended = FALSE;

      /* The page sent before the view was left is still on its way: the
       * load carries on once it has arrived. */
      if (loader_is_busy (self))
        self->resume_when_stopped = TRUE;
      else
        resume_stopped_load (self);
      return;
    }

  if (self->started)
    return;

  if (self->has_date && self->date == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now (self->tz);

      self->date = g_date_time_format (now, "%Y-%m-%d");
      gtk_editable_set_text (GTK_EDITABLE (self->date_entry), self->date);
    }

  start_load (self);
}

void
kt_resource_view_reload (KtResourceView *self)
{
  g_autofree char *path = NULL;

  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));

  /* The user asks for the rows again, so the shared list starts over
   * for the lookup too. */
  path = kt_resource_view_build_path (self);
  if (path_is_shared (self, path))
    {
      stop_loader (self);
      if (self->shared_cancellable != NULL)
        g_cancellable_cancel (self->shared_cancellable);
      g_clear_object (&self->shared_cancellable);
      kt_lookup_reset (self->shared);
    }

  start_load (self);
}

void
kt_resource_view_load_more (KtResourceView *self)
{
  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));

  if (self->loader == NULL || !kt_loader_get_has_more (self->loader) || loader_is_busy (self))
    return;

  call_load_next (self);
  update_footer (self);
}

void
kt_resource_view_load_all (KtResourceView *self)
{
  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));

  if (self->loader == NULL || !kt_loader_get_has_more (self->loader) || self->loading_all)
    return;

  /* A stopped load cannot become a load of every page, so this one
   * starts when the stopped one ends, in on_load_finished(). */
  if (self->stopping)
    {
      self->load_all_when_stopped = TRUE;
      return;
    }

  /* A page already on its way finishes first; the loader never fetches a
   * page twice, so the bulk load continues after it. */
  g_clear_pointer (&self->load_error, g_free);
  self->loading_all = TRUE;
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  call_load_all (self);
  update_footer (self);
}

void
kt_resource_view_cancel (KtResourceView *self)
{
  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));

  /* A page request already sent has been charged against the rate limit,
   * so it completes and its rows stay. One still queued is dropped. The
   * load ends in on_load_finished(). */
  self->resume_when_stopped = FALSE;
  self->load_all_when_stopped = FALSE;
  if (loader_is_busy (self))
    {
      self->stopping = TRUE;
      kt_loader_stop (self->loader);
    }
  else
    self->loading_all = FALSE;
  update_footer (self);
}

gboolean
kt_resource_view_show_record (KtResourceView *self,
                              GBytes         *record)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (self->started || self->resource->scope != KT_SCOPE_SINGLE)
    return FALSE;

  if (kt_row_model_append_page (self->row_model, record, &error) <= 0)
    {
      g_debug ("Not showing the fetched %s record: %s", self->resource->id,
               error != NULL ? error->message : "no object");
      kt_row_model_clear (self->row_model);
      return FALSE;
    }

  self->started = TRUE;
  self->preloaded = TRUE;
  show_rows_or_empty (self);
  update_footer (self);

  return TRUE;
}

void
kt_resource_view_suspend (KtResourceView *self)
{
  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));

  /* A load of a lookup that shares the loader goes on: a list that needs
   * the names may be shown next. */
  if (self->loader == NULL || self->own_calls == 0 || (!loader_is_busy (self) && !self->loading_all))
    return;

  /* After Cancel the load ends with the page already sent; nothing
   * resumes it. */
  if (self->stopping)
    return;

  g_debug ("Suspending %s: the view is hidden", self->resource->id);
  self->suspended = TRUE;
  self->resume_all = self->loading_all;
  self->resume_when_stopped = FALSE;
  kt_loader_stop (self->loader);
}

void
kt_resource_view_start_search (KtResourceView *self)
{
  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
kt_resource_view_set_search_text (KtResourceView *self,
                                  const char     *text)
{
  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));

  /* Apply now, and keep the entry from applying the empty text it passes
   * through while its text is replaced. */
  apply_search (self, text);
  g_signal_handlers_block_by_func (self->search_entry, on_search_changed_cb, self);
  gtk_search_bar_set_search_mode (self->search_bar, text != NULL && *text != '\0');
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed_cb, self);
}

void
kt_resource_view_set_filters (KtResourceView *self,
                              const char     *status,
                              gint64          site_id,
                              gint64          category_id,
                              const char     *from_date,
                              const char     *to_date)
{
  guint status_index = 0;

  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));

  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (order_statuses); i++)
    {
      if (g_ascii_strcasecmp (order_statuses[i], status) == 0)
        status_index = i + 1;
    }

  g_free (self->status);
  self->status = status_index > 0 ? g_strdup (order_statuses[status_index - 1]) : NULL;
  self->site_id = site_id;
  self->category_id = site_id != 0 && self->has_category_filter ? 0 : category_id;
  g_free (self->from_date);
  self->from_date = g_strdup (from_date);
  g_free (self->to_date);
  self->to_date = g_strdup (to_date);

  self->updating_filters = TRUE;
  gtk_drop_down_set_selected (self->status_dropdown, status_index);
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from_date != NULL ? from_date : "");
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to_date != NULL ? to_date : "");
  self->updating_filters = FALSE;
  refill_lookups (self);

  if (is_resource (self, "shifts"))
    narrow_shifts_by_site (self);

  start_load (self);
}

void
kt_resource_view_set_day (KtResourceView *self,
                          const char     *date)
{
  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));
  g_return_if_fail (date != NULL);

  g_free (self->date);
  self->date = g_strdup (date);
  gtk_editable_set_text (GTK_EDITABLE (self->date_entry), date);
  start_load (self);
}

char *
kt_resource_view_build_path (KtResourceView *self)
{
  g_autoptr(GString) path = NULL;
  g_autoptr(GString) query = NULL;
  gint64 company_id;

  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);

  company_id = kt_account_get_company_id (self->account);

  if (self->resource->scope == KT_SCOPE_SITE)
    {
      if (self->site_id == 0)
        return NULL;
      return kt_catalogue_build_path (self->resource, company_id, self->site_id, NULL, NULL);
    }

  if (self->resource->scope == KT_SCOPE_DATE)
    return kt_catalogue_build_path (self->resource, company_id, 0, self->date, NULL);

  if (is_resource (self, "orders"))
    {
      path = g_string_new (NULL);
      query = g_string_new (NULL);

      g_string_append_printf (path, "companies/%" G_GINT64_FORMAT, company_id);
      if (self->site_id != 0)
        g_string_append_printf (path, "/sites/%" G_GINT64_FORMAT, self->site_id);
      g_string_append (path, "/orders");
      if (self->status != NULL)
        {
          g_autofree char *lower = g_ascii_strdown (self->status, -1);

          g_string_append_printf (path, "/%s", lower);
        }
      g_string_append (path, ".json");

      if (self->from_date != NULL)
        g_string_append_printf (query, "%screated_gte=%s", query->len > 0 ? "&" : "", self->from_date);
      if (self->to_date != NULL)
        g_string_append_printf (query, "%screated_lte=%s", query->len > 0 ? "&" : "", self->to_date);
      if (query->len > 0)
        g_string_append_printf (path, "?%s", query->str);

      return g_string_free (g_steal_pointer (&path), FALSE);
    }

  if (is_resource (self, "products") && self->category_id != 0)
    return g_strdup_printf ("companies/%" G_GINT64_FORMAT "/categories/%" G_GINT64_FORMAT "/products.json",
                            company_id, self->category_id);
  if (is_resource (self, "products") && self->site_id != 0)
    return g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites/%" G_GINT64_FORMAT "/products.json",
                            company_id, self->site_id);

  return kt_catalogue_build_path (self->resource, company_id, 0, NULL, NULL);
}

guint
kt_resource_view_get_rows_loaded (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->row_model));
}

gboolean
kt_resource_view_get_complete (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), FALSE);

  return self->last_complete;
}

gboolean
kt_resource_view_get_loading (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), FALSE);

  return loader_is_busy (self);
}

gboolean
kt_resource_view_get_waiting (KtResourceView *self)
{
  gboolean waiting = FALSE;

  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), FALSE);

  if (self->loader == NULL || !loader_is_busy (self))
    return FALSE;

  g_object_get (self->loader, "waiting", &waiting, NULL);

  /* The loader counts only a spent budget as waiting. A bulk load also
   * waits while the reserve for interactive requests keeps it back. */
  return waiting || kt_rate_limit_get_queued (kt_account_get_rate_limit (self->account)) > 0;
}

KtRow *
kt_resource_view_get_selected_row (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);

  if (self->selection == NULL || gtk_single_selection_get_selected_item (self->selection) == NULL)
    return NULL;

  return kt_row_slot_get_row (gtk_single_selection_get_selected_item (self->selection));
}

KtRowModel *
kt_resource_view_get_row_model (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);

  return self->row_model;
}

GListModel *
kt_resource_view_get_shown_rows (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);

  return G_LIST_MODEL (self->search_model);
}

KtLoader *
kt_resource_view_get_loader (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);

  return self->loader;
}

GtkColumnView *
kt_resource_view_get_column_view (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);

  return self->column_view;
}

char *
kt_resource_view_dup_cell_text (KtResourceView *self,
                                guint           position,
                                guint           column)
{
  g_autoptr(KtRow) row = NULL;

  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);
  g_return_val_if_fail (column < self->resource->n_columns, NULL);

  row = g_list_model_get_item (G_LIST_MODEL (self->search_model), position);
  if (row == NULL)
    return NULL;

  return format_cell (self, row, column);
}

void
kt_resource_view_select (KtResourceView *self,
                         guint           position)
{
  g_return_if_fail (KT_IS_RESOURCE_VIEW (self));

  kt_slot_model_announce_all (self->slot_model);
  gtk_single_selection_set_selected (self->selection, position);
}

const char *
kt_resource_view_get_state (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/* Returns the footer's whole text, which its tooltip shows; owned by the
 * view. */
const char *
kt_resource_view_get_footer_text (KtResourceView *self)
{
  g_return_val_if_fail (KT_IS_RESOURCE_VIEW (self), NULL);

  return kt_widget_get_lazy_tooltip (GTK_WIDGET (self->count_label));
}
