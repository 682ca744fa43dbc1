#define G_LOG_DOMAIN "kt-detail-pane"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "core/kt-lookup.h"
#include "kt-detail-pane.h"
#include "kt-format.h"
#include "kt-plain-text.h"

/* Nested objects deeper than this are shown as JSON text. */
#define MAX_DEPTH 4

typedef struct
{
  const KtResource *resource;
  char *json;
  SoupMessageHeaders *headers;
} KtDetailEntry;

typedef struct
{
  char *resource_id;
  gint64 id;
} KtDetailLink;

struct _KtDetailPane
{
  GtkWidget parent_instance;

  GtkButton *back_button;
  GtkButton *close_button;
  GtkButton *copy_button;
  GtkButton *fetch_button;
  GtkListBox *fields_list;
  GtkListBox *headers_list;
  GtkStack *headers_stack;
  AdwStatusPage *message_page;
  GtkStack *outer_stack;
  GtkScrolledWindow *raw_scrolled;
  GtkSearchEntry *raw_search;
  GtkSourceView *source_view;      /* made with the buffer */
  GtkStack *stack;
  GtkLabel *title_label;

  GtkSourceBuffer *buffer;
  GtkSourceSearchContext *search;
  KtAccount *account;
  GHashTable *lookups;             /* resource id → KtLookup, the window's */
  gint64 site_id;
  GTimeZone *tz;
  GPtrArray *history;              /* KtDetailEntry, current last */
  GPtrArray *links;                /* KtDetailLink of the shown record */
  GPtrArray *missing_names;        /* "resource_id:id" of links shown without a name */
  GHashTable *numbers;             /* of the shown record, see kt_format_json_numbers() */
  char *text;                      /* the record's JSON as received, re-indented */
};

enum {
  SIGNAL_OPEN_LINK,
  SIGNAL_FETCH_REQUESTED,
  SIGNAL_CLOSE_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KtDetailPane, kt_detail_pane, GTK_TYPE_WIDGET)

/* Members that name a related record, and the resource it belongs to. */
static const struct
{
  const char *member;
  const char *resource_id;
} link_members[] = {
  { "customer", "customers" },
  { "customer_id", "customers" },
  { "site", "sites" },
  { "site_id", "sites" },
  { "register", "registers" },
  { "register_id", "registers" },
  { "staff_member", "staff" },
  { "contact_staff_member", "staff" },
  { "staff_member_id", "staff" },
  { "staff_id", "staff" },
  { "product", "products" },
  { "product_id", "products" },
  { "category_id", "categories" },
  { "price_list_id", "price_lists" },
};

/* Members holding amounts of money. */
static const char * const money_members[] = {
  "amount", "cost_price", "paid", "price", "sale_price", "total", "total_tax",
  "unit_price", "unit_price_inc_tax", "unit_tax", "value",
};

static void
detail_entry_free (gpointer data)
{
  KtDetailEntry *entry = data;

  g_free (entry->json);
  g_clear_pointer (&entry->headers, soup_message_headers_unref);
  g_free (entry);
}

static void
detail_link_free (gpointer data)
{
  KtDetailLink *link = data;

  g_free (link->resource_id);
  g_free (link);
}

static const char *
lookup_link_resource (const char *member)
{
  for (guint i = 0; i < G_N_ELEMENTS (link_members); i++)
    {
      if (g_strcmp0 (link_members[i].member, member) == 0 && kt_catalogue_lookup (link_members[i].resource_id) != NULL)
        return link_members[i].resource_id;
    }

  return NULL;
}

/* The resource that a top-level member of the shown record refers to by
 * the catalogue's REFERENCE columns, such as an inventory row's "id",
 * which is a product's; NULL when none. */
static const char *
lookup_reference_resource (KtDetailPane *self,
                           const char   *member)
{
  const KtResource *resource = kt_detail_pane_get_resource (self);

  for (guint i = 0; resource != NULL && i < resource->n_columns; i++)
    {
      const KtColumn *column = &resource->columns[i];

      if (column->kind == KT_COLUMN_REFERENCE && g_strcmp0 (column->json_path, member) == 0
          && kt_catalogue_lookup (column->references) != NULL)
        return column->references;
    }

  return NULL;
}

static gboolean
is_money_member (const char *member)
{
  for (guint i = 0; i < G_N_ELEMENTS (money_members); i++)
    {
      if (g_strcmp0 (money_members[i], member) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The catalogue column of the shown resource that a top-level member
 * fills: its JSON path is the member, or the column has the member's name
 * and reads a field inside it ("timezone" from "timezone.name"). */
static const KtColumn *
find_member_column (KtDetailPane *self,
                    const char   *member)
{
  const KtResource *resource = kt_detail_pane_get_resource (self);

  /* A member that a REFERENCE column reads is shown as that record, so
   * an inventory row's "id" reads "Product", not "Product ID". */
  for (guint i = 0; resource != NULL && i < resource->n_columns; i++)
    {
      const KtColumn *column = &resource->columns[i];

      if (column->kind == KT_COLUMN_REFERENCE && g_strcmp0 (column->json_path, member) == 0)
        return column;
    }

  for (guint i = 0; resource != NULL && i < resource->n_columns; i++)
    {
      const KtColumn *column = &resource->columns[i];

      if (g_strcmp0 (column->json_path, member) == 0)
        return column;
      if (g_strcmp0 (column->id, member) == 0 && g_str_has_prefix (column->json_path, member)
          && column->json_path[strlen (member)] == '.')
        return column;
    }

  return NULL;
}

static gboolean
is_time_member (const char *member)
{
  return g_str_has_suffix (member, "_at") || g_strcmp0 (member, "created") == 0
         || g_strcmp0 (member, "updated") == 0;
}

/* "total_tax" → "Total Tax", "company_id" → "Company ID": the words of
 * a member, capitalised as the column titles are. A time drops its "_at"
 * as the columns do ("updated_at" → "Updated"), and a member that links
 * to a record drops its "_id", because the value names the record. */
static char *
humanize (const char *member)
{
  g_autofree char *stem = NULL;
  g_auto(GStrv) words = NULL;

  if ((g_str_has_suffix (member, "_at") || (g_str_has_suffix (member, "_id") && lookup_link_resource (member) != NULL))
      && strlen (member) > 3)
    stem = g_strndup (member, strlen (member) - 3);
  else
    stem = g_strdup (member);

  words = g_strsplit (stem, "_", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      char *word = words[i];

      if (g_str_equal (word, "id"))
        {
          words[i] = g_strdup ("ID");
          g_free (word);
        }
      else if (*word != '\0')
        {
          g_autofree char *first = g_utf8_strup (word, g_utf8_next_char (word) - word);

          words[i] = g_strconcat (first, g_utf8_next_char (word), NULL);
          g_free (word);
        }
    }

  return g_strjoinv (" ", words);
}

/* @value as the record spelled it, so 0.1 does not become
 * 0.10000000000000001. */
static char *
format_double (KtDetailPane *self,
               double        value)
{
  const char *spelling = NULL;

  if (self->numbers != NULL)
    spelling = kt_format_json_number_lookup (self->numbers, value);

  return spelling != NULL ? g_strdup (spelling) : kt_format_double (value);
}

/* Appends @node as compact JSON, with numbers spelled as received. */
static void
append_compact_json (KtDetailPane *self,
                     GString      *out,
                     JsonNode     *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      g_string_append_c (out, '{');
      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autoptr(JsonNode) name = json_node_init_string (json_node_alloc (), l->data);
          g_autofree char *quoted = json_to_string (name, FALSE);

          if (l != members)
            g_string_append_c (out, ',');
          g_string_append (out, quoted);
          g_string_append_c (out, ':');
          append_compact_json (self, out, json_object_get_member (object, l->data));
        }
      g_string_append_c (out, '}');
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          append_compact_json (self, out, json_array_get_element (array, i));
        }
      g_string_append_c (out, ']');
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      g_autofree char *number = format_double (self, json_node_get_double (node));

      g_string_append (out, number);
    }
  else
    {
      /* json-glib writes integers, booleans and null as received; a
       * string keeps its value but may differ in its escapes. */
      g_autofree char *text = json_to_string (node, FALSE);

      g_string_append (out, text);
    }
}

/* @column is the catalogue column that @node fills, or NULL. */
static char *
format_scalar (KtDetailPane   *self,
               const char     *member,
               const KtColumn *column,
               JsonNode       *node)
{
  GType type;
  g_autofree char *text = NULL;

  /* A shift or break with no finish is still going. */
  if (JSON_NODE_HOLDS_NULL (node) && g_strcmp0 (member, "finished_at") == 0)
    return g_strdup (_("Open"));
  if (JSON_NODE_HOLDS_NULL (node))
    /* TRANSLATORS: a field without a value (JSON null) */
    return g_strdup (_("None"));

  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    text = g_strdup (json_node_get_string (node));
  else if (type == G_TYPE_BOOLEAN)
    text = g_strdup (json_node_get_boolean (node) ? _("Yes") : _("No"));
  else if (type == G_TYPE_INT64)
    text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    text = format_double (self, json_node_get_double (node));
  else
    text = g_strdup ("");

  if (member != NULL && is_money_member (member) && type != G_TYPE_BOOLEAN)
    {
      const char *currency = self->account != NULL ? kt_account_get_currency (self->account) : NULL;
      char *money = kt_format_money (text, currency);

      if (money != NULL)
        return money;
    }

  if (column != NULL && column->kind == KT_COLUMN_STATUS && type == G_TYPE_STRING)
    return kt_format_status (text);

  if (member != NULL && is_time_member (member) && type == G_TYPE_STRING)
    {
      char *local = kt_format_datetime (text, self->tz);

      if (local != NULL)
        return local;
    }

  return g_steal_pointer (&text);
}

static gboolean
node_get_id (JsonNode *node,
             gint64   *out)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      guint64 parsed = 0;

      if (g_ascii_string_to_unsigned (json_node_get_string (node), 10, 1, G_MAXINT64, &parsed, NULL))
        {
          *out = (gint64) parsed;
          return TRUE;
        }
    }

  if (JSON_NODE_HOLDS_OBJECT (node) && json_object_has_member (json_node_get_object (node), "id"))
    return node_get_id (json_object_get_member (json_node_get_object (node), "id"), out);

  return FALSE;
}

/* "First Last" of row @id of a resource with name columns such as staff
 * and customers, or NULL. A linear scan of the rows, run only for the
 * few links of the record shown. */
static char *
find_person_name (KtLookup *lookup,
                  gint64    id)
{
  GListModel *rows = G_LIST_MODEL (kt_lookup_get_model (lookup));
  const KtResource *resource = kt_lookup_get_resource (lookup);
  int first = kt_catalogue_find_column (resource, "first_name");
  int last = kt_catalogue_find_column (resource, "last_name");
  guint n_rows = g_list_model_get_n_items (rows);

  if (first < 0 || last < 0 || !kt_lookup_contains (lookup, id))
    return NULL;

  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (rows, i);

      if (kt_row_get_id (row) == id)
        {
          const char *first_name = kt_row_get_value (row, first);
          const char *last_name = kt_row_get_value (row, last);
          g_autofree char *name = g_strjoin (" ", first_name != NULL ? first_name : "",
                                             last_name != NULL ? last_name : "", NULL);

          g_strstrip (name);
          return *name != '\0' ? g_steal_pointer (&name) : NULL;
        }
    }

  return NULL;
}

/* The name of record @id of @resource_id from the window's lookups, or
 * NULL when no lookup has it. */
static char *
peek_name (KtDetailPane *self,
           const char   *resource_id,
           gint64        id)
{
  KtLookup *lookup;
  const char *name;

  if (self->lookups == NULL || resource_id == NULL)
    return NULL;

  lookup = g_hash_table_lookup (self->lookups, resource_id);
  if (lookup == NULL)
    return NULL;

  name = kt_lookup_get_name (lookup, id);
  if (name != NULL && *name != '\0')
    return g_strdup (name);

  return find_person_name (lookup, id);
}

/* Like peek_name(), and remembers a name not known yet, so the record is
 * shown again when a lookup brings it (kt_detail_pane_update_names()). */
static char *
lookup_name (KtDetailPane *self,
             const char   *resource_id,
             gint64        id)
{
  char *name = peek_name (self, resource_id, id);

  if (name == NULL && resource_id != NULL)
    g_ptr_array_add (self->missing_names, g_strdup_printf ("%s:%" G_GINT64_FORMAT, resource_id, id));

  return name;
}

/* The product name of an order line: its "product" object's name, or the
 * products lookup's name of its product id. */
static char *
line_product_name (KtDetailPane *self,
                   JsonObject   *line)
{
  JsonNode *product = NULL;
  gint64 id = 0;

  if (json_object_has_member (line, "product"))
    product = json_object_get_member (line, "product");
  else if (json_object_has_member (line, "product_id"))
    product = json_object_get_member (line, "product_id");

  if (product == NULL)
    return NULL;

  if (JSON_NODE_HOLDS_OBJECT (product))
    {
      const char *name = json_object_get_string_member_with_default (json_node_get_object (product), "name", NULL);

      if (name != NULL)
        return g_strdup (name);
    }

  if (node_get_id (product, &id))
    return lookup_name (self, "products", id);

  return NULL;
}

/* A number member of @object as text spelled as received, or NULL. */
static char *
dup_number_member (KtDetailPane *self,
                   JsonObject   *object,
                   const char   *member)
{
  JsonNode *node;
  GType type;

  if (!json_object_has_member (object, member))
    return NULL;

  node = json_object_get_member (object, member);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (type == G_TYPE_DOUBLE)
    return format_double (self, json_node_get_double (node));
  if (type == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));

  return NULL;
}

/* "2 × Flat White — $8.18" for an order line with a quantity and a
 * product, the total in the company's currency; NULL for other objects. */
static char *
summarize_line (KtDetailPane *self,
                JsonObject   *object)
{
  const char *currency = self->account != NULL ? kt_account_get_currency (self->account) : NULL;
  g_autofree char *product = line_product_name (self, object);
  g_autofree char *quantity = dup_number_member (self, object, "quantity");
  g_autofree char *total = dup_number_member (self, object, "total");
  g_autofree char *money = NULL;

  if (product == NULL || quantity == NULL)
    return NULL;

  if (total != NULL)
    money = kt_format_money (total, currency);

  if (money != NULL)
    /* TRANSLATORS: an order line: quantity × product — line total, "2 × Flat White — $8.18" */
    return g_strdup_printf (_("%s × %s — %s"), quantity, product, money);

  /* TRANSLATORS: an order line without a total: quantity × product, "2 × Flat White" */
  return g_strdup_printf (_("%s × %s"), quantity, product);
}

/* A short description of an object for its collapsed row. */
static char *
summarize_object (JsonObject *object)
{
  const char *name = NULL;

  if (json_object_has_member (object, "name"))
    name = json_object_get_string_member_with_default (object, "name", NULL);

  if (name != NULL)
    return g_strdup (name);

  if (json_object_has_member (object, "first_name") || json_object_has_member (object, "last_name"))
    return g_strdup_printf ("%s %s",
                            json_object_get_string_member_with_default (object, "first_name", ""),
                            json_object_get_string_member_with_default (object, "last_name", ""));

  if (json_object_has_member (object, "product") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "product")))
    return summarize_object (json_object_get_object_member (object, "product"));

  if (json_object_has_member (object, "id"))
    {
      gint64 id = 0;

      if (node_get_id (json_object_get_member (object, "id"), &id))
        return g_strdup_printf ("#%" G_GINT64_FORMAT, id);
    }

  return g_strdup_printf (ngettext ("%u field", "%u fields", json_object_get_size (object)),
                          json_object_get_size (object));
}

static void
on_link_clicked_cb (GtkButton    *button,
                    KtDetailPane *self)
{
  KtDetailLink *link = g_object_get_data (G_OBJECT (button), "kt-link");

  g_signal_emit (self, signals[SIGNAL_OPEN_LINK], 0, link->resource_id, link->id);
}

static GtkWidget *
make_link_button (KtDetailPane *self,
                  const char   *resource_id,
                  gint64        id)
{
  const KtResource *resource = kt_catalogue_lookup (resource_id);
  KtDetailLink *link = g_new0 (KtDetailLink, 1);
  g_autofree char *tooltip = NULL;
  GtkWidget *button;

  link->resource_id = g_strdup (resource_id);
  link->id = id;
  g_ptr_array_add (self->links, link);

  /* TRANSLATORS: a link to a related record: "Open in Customers" */
  tooltip = g_strdup_printf (_("Open in %s"), _(resource->title));
  button = gtk_button_new_from_icon_name ("go-next-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data (G_OBJECT (button), "kt-link", link);
  g_signal_connect (button, "clicked", G_CALLBACK (on_link_clicked_cb), self);

  return button;
}

static GtkWidget *
make_value_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_widget_set_hexpand (label, TRUE);

  return label;
}

static void add_node_row (KtDetailPane *self,
                          GtkWidget    *parent,
                          const char   *member,
                          const char   *title,
                          JsonNode     *node,
                          guint         depth);

static void
add_child_row (GtkWidget *parent,
               GtkWidget *row)
{
  if (ADW_IS_EXPANDER_ROW (parent))
    adw_expander_row_add_row (ADW_EXPANDER_ROW (parent), row);
  else
    gtk_list_box_append (GTK_LIST_BOX (parent), row);
}

static void
add_object_rows (KtDetailPane *self,
                 GtkWidget    *parent,
                 JsonObject   *object,
                 guint         depth)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;
      const KtColumn *column = depth == 0 ? find_member_column (self, member) : NULL;
      g_autofree char *title = column != NULL ? g_strdup (_(column->title)) : humanize (member);

      add_node_row (self, parent, member, title, json_object_get_member (object, member), depth);
    }
}

static void
add_node_row (KtDetailPane *self,
              GtkWidget    *parent,
              const char   *member,
              const char   *title,
              JsonNode     *node,
              guint         depth)
{
  const char *link_resource = NULL;
  gint64 link_id = 0;
  GtkWidget *row;

  if (member != NULL && depth == 0)
    link_resource = lookup_reference_resource (self, member);
  if (member != NULL && link_resource == NULL)
    link_resource = lookup_link_resource (member);

  if (link_resource != NULL && !node_get_id (node, &link_id))
    link_resource = NULL;

  if (JSON_NODE_HOLDS_OBJECT (node) && depth < MAX_DEPTH)
    {
      JsonObject *object = json_node_get_object (node);
      guint size = json_object_get_size (object);
      g_autofree char *summary = NULL;

      /* An array element's title already carries its summary. */
      if (member == NULL && depth > 0)
        summary = g_strdup_printf (ngettext ("%u field", "%u fields", size), size);
      else
        summary = summarize_object (object);

      row = adw_expander_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), summary);
      add_object_rows (self, row, object, depth + 1);

      if (link_resource != NULL)
        adw_expander_row_add_action (ADW_EXPANDER_ROW (row), make_link_button (self, link_resource, link_id));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node) && depth < MAX_DEPTH)
    {
      JsonArray *array = json_node_get_array (node);
      guint length = json_array_get_length (array);
      g_autofree char *subtitle = g_strdup_printf (ngettext ("%u item", "%u items", length), length);

      row = adw_expander_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
      gtk_widget_set_sensitive (row, length > 0);

      for (guint i = 0; i < length; i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          g_autofree char *element_title = NULL;

          if (JSON_NODE_HOLDS_OBJECT (element))
            {
              g_autofree char *summary = summarize_line (self, json_node_get_object (element));

              if (summary == NULL)
                summary = summarize_object (json_node_get_object (element));

              element_title = g_strdup_printf ("%u · %s", i + 1, summary);
            }
          else
            {
              element_title = g_strdup_printf ("%u", i + 1);
            }

          add_node_row (self, row, NULL, element_title, element, depth + 1);
        }
    }
  else
    {
      g_autofree char *text = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node))
        {
          GString *compact = g_string_new (NULL);

          append_compact_json (self, compact, node);
          text = g_string_free (compact, FALSE);
        }
      else
        text = format_scalar (self, member, depth == 0 ? find_member_column (self, member) : NULL, node);

      if (link_resource != NULL && !JSON_NODE_HOLDS_OBJECT (node))
        {
          char *name = lookup_name (self, link_resource, link_id);

          if (name != NULL)
            {
              g_free (text);
              text = name;
            }
        }

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), make_value_label (text));
      if (JSON_NODE_HOLDS_NULL (node))
        gtk_widget_add_css_class (row, "dim-label");

      if (link_resource != NULL)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), make_link_button (self, link_resource, link_id));
    }

  add_child_row (parent, row);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static gboolean
is_secret_header (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_str_equal (lower, "authorization") || strstr (lower, "token") != NULL
         || g_str_equal (lower, "cookie") || g_str_equal (lower, "set-cookie");
}

static void
fill_headers (KtDetailPane       *self,
              SoupMessageHeaders *headers)
{
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  clear_list (self->headers_list);

  if (headers == NULL)
    {
      gtk_stack_set_visible_child_name (self->headers_stack, "none");
      return;
    }

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *label = make_value_label (is_secret_header (name) ? _("(hidden)") : value);
      guint64 seconds = 0;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

      /* The raw value stays for developers; the tooltip gives the time. */
      if (g_ascii_strcasecmp (name, "X-RateLimit-Reset") == 0
          && g_ascii_string_to_unsigned (value, 10, 1, G_MAXINT64, &seconds, NULL))
        {
          g_autoptr(GDateTime) reset = g_date_time_new_from_unix_local ((gint64) seconds);
          g_autofree char *local = reset != NULL ? g_date_time_format (reset, "%Y-%m-%d %H:%M:%S") : NULL;

          if (local != NULL)
            gtk_widget_set_tooltip_text (label, local);
        }

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (self->headers_list, row);
    }

  gtk_stack_set_visible_child_name (self->headers_stack, "list");
}

static void update_style_scheme (KtDetailPane *self);

/* The JSON view is made when the first record is shown: GtkSourceView's
 * set-up and its language definitions are a noticeable part of start-up
 * otherwise. */
static void
ensure_buffer (KtDetailPane *self)
{
  GtkSourceLanguageManager *languages;

  if (self->buffer != NULL)
    return;

  languages = gtk_source_language_manager_get_default ();
  self->buffer = gtk_source_buffer_new_with_language (gtk_source_language_manager_get_language (languages, "json"));
  self->source_view = GTK_SOURCE_VIEW (gtk_source_view_new_with_buffer (self->buffer));
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->source_view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (self->source_view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (self->source_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (self->source_view), 6);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (self->source_view), 6);
  gtk_source_view_set_show_line_numbers (self->source_view, TRUE);
  gtk_scrolled_window_set_child (self->raw_scrolled, GTK_WIDGET (self->source_view));
  self->search = gtk_source_search_context_new (self->buffer, NULL);
  gtk_source_search_context_set_highlight (self->search, TRUE);
  update_style_scheme (self);
}

static void
update_style_scheme (KtDetailPane *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (manager) ? "Adwaita-dark" : "Adwaita";
  GtkSourceStyleScheme *scheme;

  if (self->buffer == NULL)
    return;

  scheme = gtk_source_style_scheme_manager_get_scheme (schemes, id);
  gtk_source_buffer_set_style_scheme (self->buffer, scheme);
}

/* The pane's title: "Product · Orange Juice", or for a record that is
 * another resource's record at a site, its name there: "Orange Juice at
 * Circular Quay". */
static char *
make_record_title (KtDetailPane     *self,
                   const KtResource *resource,
                   JsonObject       *object)
{
  const KtColumn *column = find_member_column (self, "id");
  g_autofree char *summary = NULL;
  gint64 id = 0;

  if (column != NULL && column->kind == KT_COLUMN_REFERENCE && json_object_has_member (object, "id")
      && node_get_id (json_object_get_member (object, "id"), &id))
    {
      g_autofree char *name = lookup_name (self, column->references, id);
      g_autofree char *site = resource->scope == KT_SCOPE_SITE ? lookup_name (self, "sites", self->site_id) : NULL;

      if (name != NULL && site != NULL)
        /* TRANSLATORS: an inventory item's title: product at site, "Orange Juice at Circular Quay" */
        return g_strdup_printf (_("%s at %s"), name, site);
      if (name != NULL)
        return g_steal_pointer (&name);
    }

  summary = summarize_object (object);
  /* TRANSLATORS: a record's title, "Product · Orange Juice" */
  return g_strdup_printf (_("%s · %s"), _(resource->singular), summary);
}

static void
render_current (KtDetailPane *self)
{
  KtDetailEntry *entry;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  clear_list (self->fields_list);
  g_ptr_array_set_size (self->links, 0);
  g_ptr_array_set_size (self->missing_names, 0);
  g_clear_pointer (&self->numbers, g_hash_table_unref);
  g_clear_pointer (&self->text, g_free);

  if (self->history->len == 0)
    {
      gtk_stack_set_visible_child_name (self->outer_stack, "message");
      gtk_label_set_label (self->title_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->back_button), FALSE);
      return;
    }

  entry = g_ptr_array_index (self->history, self->history->len - 1);
  node = json_from_string (entry->json, &error);
  if (node == NULL)
    {
      g_warning ("Record of %s is not JSON: %s", entry->resource->id, error->message);
      node = json_node_init_string (json_node_alloc (), entry->json);
    }
  self->numbers = kt_format_json_numbers (entry->json, -1);

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);

      add_object_rows (self, GTK_WIDGET (self->fields_list), object, 0);
      title = make_record_title (self, entry->resource, object);
    }
  else
    {
      add_node_row (self, GTK_WIDGET (self->fields_list), NULL, _("Value"), node, 0);
      title = g_strdup (_(entry->resource->singular));
    }

  /* The text is re-indented, never re-serialised: json-glib would write
   * doubles with 17 digits ("7.7999999999999998" for 7.8). */
  self->text = kt_format_json_indent (entry->json, -1);
  ensure_buffer (self);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->buffer), self->text, -1);
  fill_headers (self, entry->headers);

  gtk_label_set_label (self->title_label, title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), title);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), self->history->len > 1);
  gtk_stack_set_visible_child_name (self->outer_stack, "record");
}

static KtDetailEntry *
detail_entry_new (const KtResource   *resource,
                  const char         *json,
                  SoupMessageHeaders *headers)
{
  KtDetailEntry *entry = g_new0 (KtDetailEntry, 1);

  entry->resource = resource;
  entry->json = g_strdup (json);
  entry->headers = headers != NULL ? soup_message_headers_ref (headers) : NULL;

  return entry;
}

/* Callbacks */

static void
on_back_clicked_cb (GtkButton    *button,
                    KtDetailPane *self)
{
  kt_detail_pane_go_back (self);
}

static void
on_close_clicked_cb (GtkButton    *button,
                     KtDetailPane *self)
{
  g_signal_emit (self, signals[SIGNAL_CLOSE_REQUESTED], 0);
}

static void
on_fetch_clicked_cb (GtkButton    *button,
                     KtDetailPane *self)
{
  g_signal_emit (self, signals[SIGNAL_FETCH_REQUESTED], 0);
}

static void
on_copy_clicked_cb (GtkButton    *button,
                    KtDetailPane *self)
{
  if (self->text != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->text);
}

static void
on_raw_search_changed_cb (GtkSearchEntry *entry,
                          KtDetailPane   *self)
{
  GtkSourceSearchSettings *settings;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  if (self->search == NULL)
    return;

  settings = gtk_source_search_context_get_settings (self->search);
  gtk_source_search_settings_set_search_text (settings, *text != '\0' ? text : NULL);
}

static void
on_raw_search_next_cb (GtkSearchEntry *entry,
                       KtDetailPane   *self)
{
  GtkTextIter start;
  GtkTextIter match_start;
  GtkTextIter match_end;
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);

  if (self->search == NULL)
    return;

  gtk_text_buffer_get_selection_bounds (buffer, NULL, &start);
  if (gtk_source_search_context_forward (self->search, &start, &match_start, &match_end, NULL))
    {
      gtk_text_buffer_select_range (buffer, &match_start, &match_end);
      gtk_text_view_scroll_to_iter (GTK_TEXT_VIEW (self->source_view), &match_start, 0.1, FALSE, 0, 0);
    }
}

static void
on_dark_changed_cb (AdwStyleManager *manager,
                    GParamSpec      *pspec,
                    KtDetailPane    *self)
{
  update_style_scheme (self);
}

static void
on_account_timezone_cb (KtAccount    *account,
                        GParamSpec   *pspec,
                        KtDetailPane *self)
{
  g_clear_pointer (&self->tz, g_time_zone_unref);
  self->tz = kt_format_time_zone (kt_account_get_timezone (account));
}

/* Lifecycle */

static void
kt_detail_pane_dispose (GObject *object)
{
  KtDetailPane *self = KT_DETAIL_PANE (object);
  GtkWidget *child;

  kt_detail_pane_set_account (self, NULL);
  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_DETAIL_PANE);
  /* The template's top box has no id, so dispose_template() leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->search);
  g_clear_object (&self->buffer);

  G_OBJECT_CLASS (kt_detail_pane_parent_class)->dispose (object);
}

static void
kt_detail_pane_finalize (GObject *object)
{
  KtDetailPane *self = KT_DETAIL_PANE (object);

  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_pointer (&self->missing_names, g_ptr_array_unref);
  g_clear_pointer (&self->links, g_ptr_array_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_pointer (&self->lookups, g_hash_table_unref);
  g_clear_pointer (&self->numbers, g_hash_table_unref);
  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (kt_detail_pane_parent_class)->finalize (object);
}

static void
kt_detail_pane_class_init (KtDetailPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_detail_pane_dispose;
  object_class->finalize = kt_detail_pane_finalize;

  signals[SIGNAL_OPEN_LINK] =
    g_signal_new ("open-link",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT64);
  signals[SIGNAL_FETCH_REQUESTED] =
    g_signal_new ("fetch-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_CLOSE_REQUESTED] =
    g_signal_new ("close-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "kt-detail-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, back_button);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, close_button);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, copy_button);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, fetch_button);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, fields_list);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, headers_list);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, headers_stack);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, message_page);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, outer_stack);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, raw_scrolled);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, raw_search);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, stack);
  gtk_widget_class_bind_template_child (widget_class, KtDetailPane, title_label);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_close_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_fetch_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_raw_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_raw_search_next_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "detail-pane");
}

static void
kt_detail_pane_init (KtDetailPane *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->history = g_ptr_array_new_with_free_func (detail_entry_free);
  self->links = g_ptr_array_new_with_free_func (detail_link_free);
  self->missing_names = g_ptr_array_new_with_free_func (g_free);
  self->tz = g_time_zone_new_utc ();

  g_signal_connect (style_manager, "notify::dark", G_CALLBACK (on_dark_changed_cb), self);

  render_current (self);
}

GtkWidget *
kt_detail_pane_new (void)
{
  return g_object_new (KT_TYPE_DETAIL_PANE, NULL);
}

void
kt_detail_pane_set_account (KtDetailPane *self,
                            KtAccount    *account)
{
  g_return_if_fail (KT_IS_DETAIL_PANE (self));
  g_return_if_fail (account == NULL || KT_IS_ACCOUNT (account));

  if (self->account == account)
    return;

  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);

  g_set_object (&self->account, account);

  if (self->account != NULL)
    {
      g_signal_connect (self->account, "notify::timezone", G_CALLBACK (on_account_timezone_cb), self);
      on_account_timezone_cb (self->account, NULL, self);
    }
}

void
kt_detail_pane_set_lookups (KtDetailPane *self,
                            GHashTable   *lookups)
{
  g_return_if_fail (KT_IS_DETAIL_PANE (self));

  if (lookups != NULL)
    g_hash_table_ref (lookups);
  g_clear_pointer (&self->lookups, g_hash_table_unref);
  self->lookups = lookups;
}

void
kt_detail_pane_set_site_id (KtDetailPane *self,
                            gint64        site_id)
{
  g_return_if_fail (KT_IS_DETAIL_PANE (self));

  self->site_id = site_id;
}

void
kt_detail_pane_show (KtDetailPane       *self,
                     const KtResource   *resource,
                     const char         *json,
                     SoupMessageHeaders *headers)
{
  g_return_if_fail (KT_IS_DETAIL_PANE (self));
  g_return_if_fail (resource != NULL);
  g_return_if_fail (json != NULL);

  g_ptr_array_set_size (self->history, 0);
  g_ptr_array_add (self->history, detail_entry_new (resource, json, headers));
  render_current (self);
}

void
kt_detail_pane_push (KtDetailPane       *self,
                     const KtResource   *resource,
                     const char         *json,
                     SoupMessageHeaders *headers)
{
  g_return_if_fail (KT_IS_DETAIL_PANE (self));
  g_return_if_fail (resource != NULL);
  g_return_if_fail (json != NULL);

  g_ptr_array_add (self->history, detail_entry_new (resource, json, headers));
  render_current (self);
}

void
kt_detail_pane_replace (KtDetailPane       *self,
                        const char         *json,
                        SoupMessageHeaders *headers)
{
  KtDetailEntry *entry;

  g_return_if_fail (KT_IS_DETAIL_PANE (self));
  g_return_if_fail (json != NULL);
  g_return_if_fail (self->history->len > 0);

  entry = g_ptr_array_index (self->history, self->history->len - 1);
  g_free (entry->json);
  entry->json = g_strdup (json);
  g_clear_pointer (&entry->headers, soup_message_headers_unref);
  entry->headers = headers != NULL ? soup_message_headers_ref (headers) : NULL;
  render_current (self);
}

void
kt_detail_pane_go_back (KtDetailPane *self)
{
  g_return_if_fail (KT_IS_DETAIL_PANE (self));

  if (self->history->len <= 1)
    return;

  g_ptr_array_set_size (self->history, self->history->len - 1);
  render_current (self);
}

void
kt_detail_pane_clear (KtDetailPane *self)
{
  g_return_if_fail (KT_IS_DETAIL_PANE (self));

  g_ptr_array_set_size (self->history, 0);
  adw_status_page_set_icon_name (self->message_page, "view-list-symbolic");
  adw_status_page_set_title (self->message_page, _("No Row Selected"));
  kt_status_page_set_plain_description (self->message_page,
                                   _("Select a row to see its fields, its JSON and its headers."));
  render_current (self);
}

void
kt_detail_pane_show_message (KtDetailPane *self,
                             const char   *message)
{
  g_return_if_fail (KT_IS_DETAIL_PANE (self));

  adw_status_page_set_icon_name (self->message_page, "dialog-error-symbolic");
  adw_status_page_set_title (self->message_page, _("Could Not Open the Record"));
  kt_status_page_set_plain_description (self->message_page, message);
  gtk_stack_set_visible_child_name (self->outer_stack, "message");
}

const KtResource *
kt_detail_pane_get_resource (KtDetailPane *self)
{
  KtDetailEntry *entry;

  g_return_val_if_fail (KT_IS_DETAIL_PANE (self), NULL);

  if (self->history->len == 0)
    return NULL;

  entry = g_ptr_array_index (self->history, self->history->len - 1);
  return entry->resource;
}

gint64
kt_detail_pane_get_record_id (KtDetailPane *self)
{
  g_autoptr(JsonNode) node = NULL;
  KtDetailEntry *entry;
  gint64 id = 0;

  g_return_val_if_fail (KT_IS_DETAIL_PANE (self), 0);

  if (self->history->len == 0)
    return 0;

  entry = g_ptr_array_index (self->history, self->history->len - 1);
  node = json_from_string (entry->json, NULL);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node)
      && json_object_has_member (json_node_get_object (node), "id"))
    node_get_id (json_object_get_member (json_node_get_object (node), "id"), &id);

  return id;
}

const char *
kt_detail_pane_get_text (KtDetailPane *self)
{
  g_return_val_if_fail (KT_IS_DETAIL_PANE (self), NULL);

  return self->text;
}

guint
kt_detail_pane_get_depth (KtDetailPane *self)
{
  g_return_val_if_fail (KT_IS_DETAIL_PANE (self), 0);

  return self->history->len;
}

gboolean
kt_detail_pane_has_headers (KtDetailPane *self)
{
  KtDetailEntry *entry;

  g_return_val_if_fail (KT_IS_DETAIL_PANE (self), FALSE);

  if (self->history->len == 0)
    return FALSE;

  entry = g_ptr_array_index (self->history, self->history->len - 1);
  return entry->headers != NULL;
}

gboolean
kt_detail_pane_activate_link (KtDetailPane *self,
                              const char   *resource_id)
{
  g_return_val_if_fail (KT_IS_DETAIL_PANE (self), FALSE);
  g_return_val_if_fail (resource_id != NULL, FALSE);

  for (guint i = 0; i < self->links->len; i++)
    {
      KtDetailLink *link = g_ptr_array_index (self->links, i);

      if (g_strcmp0 (link->resource_id, resource_id) == 0)
        {
          g_signal_emit (self, signals[SIGNAL_OPEN_LINK], 0, link->resource_id, link->id);
          return TRUE;
        }
    }

  return FALSE;
}

void
kt_detail_pane_set_tab (KtDetailPane *self,
                        const char   *name)
{
  g_return_if_fail (KT_IS_DETAIL_PANE (self));

  gtk_stack_set_visible_child_name (self->stack, name);
}

/* Shows the record again when a lookup now has a name that the record
 * was shown without. The window calls it whenever a lookup changes. */
void
kt_detail_pane_update_names (KtDetailPane *self)
{
  g_return_if_fail (KT_IS_DETAIL_PANE (self));

  for (guint i = 0; i < self->missing_names->len; i++)
    {
      const char *missing = g_ptr_array_index (self->missing_names, i);
      const char *colon = strrchr (missing, ':');
      g_autofree char *resource_id = g_strndup (missing, colon - missing);
      g_autofree char *name = peek_name (self, resource_id, g_ascii_strtoll (colon + 1, NULL, 10));

      if (name != NULL)
        {
          render_current (self);
          return;
        }
    }
}
