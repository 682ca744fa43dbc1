#define G_LOG_DOMAIN "kt-row-model"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "kt-error.h"
#include "kt-json-private.h"
#include "kt-row-model.h"

/* An offset meaning "no value" in a row's packed data. */
#define NO_VALUE G_MAXUINT32

/* A value offset's top two bits: which byte of the JSON its terminating
 * NUL replaced, if any. Rows of 1 GiB or more keep copies. */
#define OFFSET_MASK 0x3fffffffu
#define ENDS_COPY 0u
#define ENDS_QUOTE 1u
#define ENDS_COMMA 2u
#define ENDS_BRACE 3u
#define MAX_PATCH_POSITION OFFSET_MASK

/* ------------------------------------------------------------------ */
/* KtRow                                                               */

/*
 * A row keeps one allocation, @data:
 *   guint32 json_length;
 *   per column: guint32 value offset, NO_VALUE when absent, with the
 *               ENDS_* code of the byte its NUL replaced in the top bits;
 *   the compact JSON, NUL-terminated;
 *   copies of the values that could not stay in the JSON.
 *
 * Most column values are a string or number token of the row's JSON, so
 * they are not copied: the byte after the value (a closing quote, comma
 * or brace) is overwritten with NUL, and kt_row_dup_json() puts it back.
 * This keeps a row to about its JSON's size plus a few bytes a column.
 */
struct _KtRow
{
  GObject parent_instance;

  const KtResource *resource;
  gint64 id;
  char *data;
  /* Bit i: column i is searched and has a value that is ASCII without
   * capitals, ASCII with capitals, or not ASCII. Set at append time, so
   * kt_row_matches() casefolds only the last kind. */
  guint16 folded_searched;
  guint16 ascii_searched;
  guint16 other_searched;
};

/* Columns past this many are never searched.
 * NOTE: no resource of the catalogue has more than six columns. */
#define MAX_MASKED_COLUMNS 16

G_DEFINE_FINAL_TYPE (KtRow, kt_row, G_TYPE_OBJECT)

static void
kt_row_finalize (GObject *object)
{
  KtRow *self = (KtRow *)object;

  g_free (self->data);

  G_OBJECT_CLASS (kt_row_parent_class)->finalize (object);
}

static void
kt_row_class_init (KtRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kt_row_finalize;
}

static void
kt_row_init (KtRow *self)
{
}

static guint32
read_u32 (const char *data,
          gsize       offset)
{
  guint32 value;

  memcpy (&value, data + offset, sizeof value);
  return value;
}

static void
write_u32 (char    *data,
           gsize    offset,
           guint32  value)
{
  memcpy (data + offset, &value, sizeof value);
}

static gsize
header_size (const KtResource *resource)
{
  return sizeof (guint32) * (1 + resource->n_columns);
}

/* Returns the row's id, or 0 when the row has none. */
gint64
kt_row_get_id (KtRow *self)
{
  g_return_val_if_fail (KT_IS_ROW (self), 0);

  return self->id;
}

/* Returns the text of column @column or NULL; owned by the row. */
const char *
kt_row_get_value (KtRow *self,
                  guint  column)
{
  guint32 offset;

  g_return_val_if_fail (KT_IS_ROW (self), NULL);
  g_return_val_if_fail (column < self->resource->n_columns, NULL);

  offset = read_u32 (self->data, sizeof (guint32) * (1 + column));
  if (offset == NO_VALUE)
    return NULL;

  return self->data + (offset & OFFSET_MASK);
}

/* Returns whether column @column contains a number, and stores it in @out. */
gboolean
kt_row_get_number (KtRow  *self,
                   guint   column,
                   double *out)
{
  const char *text;
  char *end = NULL;
  double value;

  g_return_val_if_fail (KT_IS_ROW (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  text = kt_row_get_value (self, column);
  if (text == NULL || *text == '\0')
    return FALSE;

  errno = 0;
  value = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text || *end != '\0')
    return FALSE;

  *out = value;
  return TRUE;
}

/* Returns the row's JSON as compact text; the caller owns it. */
char *
kt_row_dup_json (KtRow *self)
{
  gsize header;
  guint32 length;
  char *json;
  guint i;

  g_return_val_if_fail (KT_IS_ROW (self), NULL);

  header = header_size (self->resource);
  length = read_u32 (self->data, 0);
  json = g_strndup (self->data + header, length);
  /* g_strndup() stops at the first NUL, so copy the bytes themselves. */
  memcpy (json, self->data + header, length);

  /* Two columns may share one value (inventory's "id" and "product"), so
   * every NUL is found in the stored data, which is never patched, and not
   * in @json. After the first restore in @json, a search from the shared
   * value would run on to the next value's NUL and overwrite its
   * terminating byte. */
  for (i = 0; i < self->resource->n_columns; i++)
    {
      static const char ends[] = { '\0', '"', ',', '}' };
      guint32 offset = read_u32 (self->data, sizeof (guint32) * (1 + i));
      guint32 end_code = offset >> 30;
      gsize position;

      if (offset == NO_VALUE || end_code == ENDS_COPY)
        continue;

      position = offset & OFFSET_MASK;
      position += strlen (self->data + position);
      json[position - header] = ends[end_code];
    }

  return json;
}

/* Returns the resource the row belongs to; static. */
const KtResource *
kt_row_get_resource (KtRow *self)
{
  g_return_val_if_fail (KT_IS_ROW (self), NULL);

  return self->resource;
}

static gboolean
column_is_searched (const KtResource *resource,
                    const char       *column_id)
{
  const char *list = resource->search_columns;
  gsize length = strlen (column_id);

  while (list != NULL && *list != '\0')
    {
      const char *comma = strchr (list, ',');
      gsize item_length = comma != NULL ? (gsize) (comma - list) : strlen (list);

      if (item_length == length && strncmp (list, column_id, length) == 0)
        return TRUE;
      list = comma != NULL ? comma + 1 : NULL;
    }

  return FALSE;
}

/* What a searched value needs before a casefolded word can be looked up
 * in it. */
typedef enum
{
  VALUE_FOLDED,   /* ASCII without capitals: casefolding leaves it as is */
  VALUE_ASCII,    /* ASCII with capitals: compared with ASCII case folding */
  VALUE_OTHER,    /* not ASCII: casefolded when a query reaches it */
} ValueKind;

static ValueKind
classify_value (const char *text)
{
  ValueKind kind = VALUE_FOLDED;

  for (; *text != '\0'; text++)
    {
      if ((guchar) *text >= 0x80)
        return VALUE_OTHER;
      if (g_ascii_isupper (*text))
        kind = VALUE_ASCII;
    }

  return kind;
}

/* Records, for each searched column with a value, what kt_row_matches()
 * needs to do with it. */
static void
mark_searched_columns (KtRow *self)
{
  guint i;

  self->folded_searched = 0;
  self->ascii_searched = 0;
  self->other_searched = 0;
  for (i = 0; i < self->resource->n_columns && i < MAX_MASKED_COLUMNS; i++)
    {
      const char *value = kt_row_get_value (self, i);

      if (value == NULL || !column_is_searched (self->resource, self->resource->columns[i].id))
        continue;

      switch (classify_value (value))
        {
        case VALUE_FOLDED:
          self->folded_searched |= 1u << i;
          break;
        case VALUE_ASCII:
          self->ascii_searched |= 1u << i;
          break;
        case VALUE_OTHER:
        default:
          self->other_searched |= 1u << i;
          break;
        }
    }
}

/* Whether @ascii_text contains @casefolded_word, ASCII letters compared in
 * either case. Casefolding ASCII text only lowers its capitals, and a word
 * with other bytes cannot occur in it. */
static gboolean
ascii_contains (const char *ascii_text,
                const char *casefolded_word,
                gsize       word_length)
{
  char first = casefolded_word[0];

  for (; *ascii_text != '\0'; ascii_text++)
    {
      if (g_ascii_tolower (*ascii_text) == first
          && g_ascii_strncasecmp (ascii_text, casefolded_word, word_length) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Whether searched column @column contains @casefolded_word. Values that
 * are not ASCII are casefolded once per call and kept in @folded. */
static gboolean
column_contains (KtRow      *self,
                 guint       column,
                 const char *casefolded_word,
                 gsize       word_length,
                 char      **folded)
{
  const char *value = kt_row_get_value (self, column);

  if (self->folded_searched & (1u << column))
    return strstr (value, casefolded_word) != NULL;
  if (self->ascii_searched & (1u << column))
    return ascii_contains (value, casefolded_word, word_length);

  if (folded[column] == NULL)
    folded[column] = g_utf8_casefold (value, -1);
  return strstr (folded[column], casefolded_word) != NULL;
}

/* Whether a searched column of the row contains @casefolded_word. */
static gboolean
row_contains (KtRow      *self,
              const char *casefolded_word,
              gsize       word_length,
              char      **folded)
{
  guint16 searched = self->folded_searched | self->ascii_searched | self->other_searched;
  guint i;

  for (i = 0; i < MAX_MASKED_COLUMNS; i++)
    {
      if ((searched & (1u << i)) != 0 && column_contains (self, i, casefolded_word, word_length, folded))
        return TRUE;
    }

  return FALSE;
}

/* Returns whether every space-separated word of @casefolded_query occurs
 * in one of the resource's searched columns. An empty query matches. */
gboolean
kt_row_matches (KtRow      *self,
                const char *casefolded_query)
{
  char buffer[256];
  g_autofree char *heap_copy = NULL;
  char *folded[MAX_MASKED_COLUMNS] = { NULL, };
  char *words;
  char *word;
  gboolean matches = TRUE;
  gsize length;
  guint i;

  g_return_val_if_fail (KT_IS_ROW (self), FALSE);

  if (casefolded_query == NULL || casefolded_query[0] == '\0')
    return TRUE;

  /* The words are cut out of a copy of the query: on the stack, as this
   * runs for every row on every keystroke. */
  length = strlen (casefolded_query);
  if (length < sizeof buffer)
    words = memcpy (buffer, casefolded_query, length + 1);
  else
    words = heap_copy = g_strdup (casefolded_query);

  word = words;
  while (matches && *word != '\0')
    {
      gsize word_length = strcspn (word, " \t");
      char *next = word + word_length;

      if (*next != '\0')
        *next++ = '\0';
      if (word_length > 0)
        matches = row_contains (self, word, word_length, folded);
      word = next;
    }

  for (i = 0; i < MAX_MASKED_COLUMNS; i++)
    g_free (folded[i]);

  return matches;
}

/* ------------------------------------------------------------------ */
/* A set of ids: open addressing, 8 bytes a slot, at most half full.   */

typedef struct
{
  gint64 *slots;      /* 0 marks an empty slot, so id 0 is kept aside */
  gsize capacity;
  gsize count;
  gboolean has_zero;
} IdSet;

static guint64
mix (gint64 id)
{
  guint64 x = (guint64) id;

  x ^= x >> 33;
  x *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  x ^= x >> 33;
  return x;
}

static gboolean id_set_add (IdSet *set, gint64 id);

static void
id_set_grow (IdSet *set)
{
  gint64 *old = set->slots;
  gsize old_capacity = set->capacity;
  gsize i;

  set->capacity = old_capacity == 0 ? 64 : old_capacity * 2;
  set->slots = g_new0 (gint64, set->capacity);
  set->count = set->has_zero ? 1 : 0;

  for (i = 0; i < old_capacity; i++)
    {
      if (old[i] != 0)
        id_set_add (set, old[i]);
    }

  g_free (old);
}

/* Returns FALSE when @id was already present. */
static gboolean
id_set_add (IdSet  *set,
            gint64  id)
{
  gsize mask;
  gsize index;

  if (id == 0)
    {
      if (set->has_zero)
        return FALSE;
      set->has_zero = TRUE;
      set->count++;
      return TRUE;
    }

  if ((set->count + 1) * 2 > set->capacity)
    id_set_grow (set);

  mask = set->capacity - 1;
  for (index = mix (id) & mask; set->slots[index] != 0; index = (index + 1) & mask)
    {
      if (set->slots[index] == id)
        return FALSE;
    }

  set->slots[index] = id;
  set->count++;
  return TRUE;
}

static void
id_set_clear (IdSet *set)
{
  g_clear_pointer (&set->slots, g_free);
  set->capacity = 0;
  set->count = 0;
  set->has_zero = FALSE;
}

/* ------------------------------------------------------------------ */
/* KtRowModel                                                          */

struct _KtRowModel
{
  GObject parent_instance;

  const KtResource *resource;
  GPtrArray *rows;
  IdSet ids;
};

static void kt_row_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KtRowModel, kt_row_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      kt_row_model_list_model_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Finds where each element of a JSON array (or the one object) lies in the
 * page's text. The text has already been validated by JsonParser, so only
 * strings and nesting need tracking. Stores start and end pairs. */
static void
find_elements (const char *text,
               gsize       length,
               GArray     *spans)
{
  gsize i = 0;
  int depth = 0;
  gsize start = 0;
  gboolean in_string = FALSE;
  gboolean top_is_array;

  while (i < length && g_ascii_isspace (text[i]))
    i++;
  if (i >= length)
    return;

  top_is_array = text[i] == '[';
  if (!top_is_array)
    {
      gsize end = length;

      while (end > i && g_ascii_isspace (text[end - 1]))
        end--;
      g_array_append_val (spans, i);
      g_array_append_val (spans, end);
      return;
    }

  for (; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          if (depth == 1 && start == 0)
            start = i;
          in_string = TRUE;
          break;

        case '[':
        case '{':
          depth++;
          if (depth == 2 && start == 0)
            start = i;
          break;

        case ']':
        case '}':
          if (depth == 1)
            {
              if (start != 0)
                {
                  gsize end = i;

                  while (end > start && g_ascii_isspace (text[end - 1]))
                    end--;
                  g_array_append_val (spans, start);
                  g_array_append_val (spans, end);
                  start = 0;
                }
            }
          depth--;
          break;

        case ',':
          if (depth == 1 && start != 0)
            {
              gsize end = i;

              while (end > start && g_ascii_isspace (text[end - 1]))
                end--;
              g_array_append_val (spans, start);
              g_array_append_val (spans, end);
              start = 0;
            }
          break;

        default:
          if (depth == 1 && start == 0 && !g_ascii_isspace (c))
            start = i;
          break;
        }
    }
}

/* Copies @text without the whitespace outside strings. */
static gsize
copy_compact (char       *out,
              const char *text,
              gsize       length)
{
  gboolean in_string = FALSE;
  gsize written = 0;
  gsize i;

  for (i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          out[written++] = c;
          if (c == '\\' && i + 1 < length)
            out[written++] = text[++i];
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        {
          out[written++] = c;
          in_string = TRUE;
        }
      else if (!g_ascii_isspace (c))
        out[written++] = c;
    }

  out[written] = '\0';
  return written;
}

/* Returns the end of the string token starting at @i (its opening quote),
 * just past the closing quote, or 0 when it is cut off. */
static gsize
skip_string (const char *text,
             gsize       length,
             gsize       i)
{
  for (i++; i < length; i++)
    {
      if (text[i] == '\\')
        i++;
      else if (text[i] == '"')
        return i + 1;
    }

  return 0;
}

/* Returns the end of the value starting at @i of compact JSON, or 0. */
static gsize
skip_value (const char *text,
            gsize       length,
            gsize       i)
{
  int depth = 0;

  if (i >= length)
    return 0;
  if (text[i] == '"')
    return skip_string (text, length, i);

  if (text[i] != '{' && text[i] != '[')
    {
      while (i < length && text[i] != ',' && text[i] != '}' && text[i] != ']')
        i++;
      return i < length ? i : 0;
    }

  for (; i < length; i++)
    {
      if (text[i] == '"')
        {
          i = skip_string (text, length, i);
          if (i == 0)
            return 0;
          i--;
        }
      else if (text[i] == '{' || text[i] == '[')
        depth++;
      else if ((text[i] == '}' || text[i] == ']') && --depth == 0)
        return i + 1;
    }

  return 0;
}

/* Finds the value of the member at @path ("customer.first_name") in the
 * compact JSON object text[start, end). Keys with escapes are not matched,
 * so such a member falls back to a copy. */
static gboolean
find_member (const char *text,
             gsize       start,
             gsize       end,
             const char *path,
             gsize      *value_start,
             gsize      *value_end)
{
  const char *dot = strchr (path, '.');
  gsize name_length = dot != NULL ? (gsize) (dot - path) : strlen (path);
  gsize i = start + 1;

  if (start >= end || text[start] != '{')
    return FALSE;

  while (i < end && text[i] == '"')
    {
      gsize key_end = skip_string (text, end, i);
      gsize after;

      if (key_end == 0 || key_end >= end || text[key_end] != ':')
        return FALSE;

      after = skip_value (text, end, key_end + 1);
      if (after == 0)
        return FALSE;

      if (key_end - i - 2 == name_length && memcmp (text + i + 1, path, name_length) == 0)
        {
          if (dot != NULL)
            return find_member (text, key_end + 1, after, dot + 1, value_start, value_end);

          *value_start = key_end + 1;
          *value_end = after;
          return TRUE;
        }

      if (text[after] != ',')
        return FALSE;
      i = after + 1;
    }

  return FALSE;
}

static KtRow *
row_new (const KtResource *resource,
         JsonObject       *object,
         gint64            id,
         const char       *json,
         gsize             json_length)
{
  KtRow *row;
  g_autofree char *compact = g_malloc (json_length + 1);
  g_autofree guint32 *offsets = g_new0 (guint32, resource->n_columns);
  g_autofree gsize *patches = g_new0 (gsize, resource->n_columns);
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func (g_free);
  gsize header = header_size (resource);
  gsize length = copy_compact (compact, json, json_length);
  gsize size;
  gsize position;
  guint i;

  size = header + length + 1;
  for (i = 0; i < resource->n_columns; i++)
    {
      gsize start = 0;
      gsize end = 0;
      char *copy;

      g_ptr_array_add (copies, NULL);
      offsets[i] = NO_VALUE;

      if (length < MAX_PATCH_POSITION
          && find_member (compact, 0, length, resource->columns[i].json_path, &start, &end))
        {
          char first = compact[start];

          if (first == 'n')
            continue;   /* null */

          /* Two columns may name the same member: that value is already
           * terminated in place. */
          if (first == '"' && memchr (compact + start, '\\', end - start) == NULL)
            {
              offsets[i] = (guint32) (header + start + 1) | (ENDS_QUOTE << 30);
              patches[i] = end;
              continue;
            }

          if (first != '"' && first != '{' && first != '[' && end < length
              && (compact[end] == ',' || compact[end] == '}'))
            {
              offsets[i] = (guint32) (header + start) | ((compact[end] == ',' ? ENDS_COMMA : ENDS_BRACE) << 30);
              patches[i] = end + 1;
              continue;
            }
        }

      copy = kt_json_node_dup_text (kt_json_lookup (object, resource->columns[i].json_path));
      if (copy != NULL)
        {
          size += strlen (copy) + 1;
          g_ptr_array_index (copies, i) = copy;
        }
    }

  row = g_object_new (KT_TYPE_ROW, NULL);
  row->resource = resource;
  row->id = id;
  row->data = g_malloc (size);

  write_u32 (row->data, 0, (guint32) length);
  memcpy (row->data + header, compact, length + 1);

  position = header + length + 1;
  for (i = 0; i < resource->n_columns; i++)
    {
      const char *copy = g_ptr_array_index (copies, i);

      if (copy != NULL)
        {
          gsize copy_length = strlen (copy);

          offsets[i] = (guint32) position;
          memcpy (row->data + position, copy, copy_length + 1);
          position += copy_length + 1;
        }
      else if (patches[i] != 0)
        row->data[header + patches[i] - 1] = '\0';

      write_u32 (row->data, sizeof (guint32) * (1 + i), offsets[i]);
    }

  mark_searched_columns (row);

  return row;
}

static GType
kt_row_model_get_item_type (GListModel *model)
{
  return KT_TYPE_ROW;
}

static guint
kt_row_model_get_n_items (GListModel *model)
{
  return KT_ROW_MODEL (model)->rows->len;
}

static gpointer
kt_row_model_get_item (GListModel *model,
                       guint       position)
{
  KtRowModel *self = KT_ROW_MODEL (model);

  if (position >= self->rows->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->rows, position));
}

static void
kt_row_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = kt_row_model_get_item_type;
  iface->get_n_items = kt_row_model_get_n_items;
  iface->get_item = kt_row_model_get_item;
}

static void
kt_row_model_finalize (GObject *object)
{
  KtRowModel *self = (KtRowModel *)object;

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  id_set_clear (&self->ids);

  G_OBJECT_CLASS (kt_row_model_parent_class)->finalize (object);
}

static void
kt_row_model_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  KtRowModel *self = KT_ROW_MODEL (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->rows->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_row_model_class_init (KtRowModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kt_row_model_finalize;
  object_class->get_property = kt_row_model_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kt_row_model_init (KtRowModel *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Returns a new, empty model for @resource; the caller owns it. */
KtRowModel *
kt_row_model_new (const KtResource *resource)
{
  KtRowModel *self;

  g_return_val_if_fail (resource != NULL, NULL);

  self = g_object_new (KT_TYPE_ROW_MODEL, NULL);
  self->resource = resource;

  return self;
}

/* Returns the resource the rows belong to; static. */
const KtResource *
kt_row_model_get_resource (KtRowModel *self)
{
  g_return_val_if_fail (KT_IS_ROW_MODEL (self), NULL);

  return self->resource;
}

/* Returns the number of rows added from @page (objects whose id is
 * already present are dropped, as are elements that are not objects), or
 * -1 with @error set (KT_ERROR_INVALID_RESPONSE) when @page is not a JSON
 * array or object; then no row is added. */
int
kt_row_model_append_page (KtRowModel  *self,
                          GBytes      *page,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) spans = NULL;
  const char *text;
  gsize length;
  JsonNode *root;
  guint old_length;
  guint n_elements;
  guint i;

  g_return_val_if_fail (KT_IS_ROW_MODEL (self), -1);
  g_return_val_if_fail (page != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  text = g_bytes_get_data (page, &length);
  if (text == NULL)
    {
      text = "";
      length = 0;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, length, &local_error))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                   _("A page of %s is not valid JSON (%s). Reload to try again."),
                   self->resource->id, local_error->message);
      return -1;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || (!JSON_NODE_HOLDS_ARRAY (root) && !JSON_NODE_HOLDS_OBJECT (root)))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                   _("A page of %s is neither a JSON array nor an object. Reload to try again."),
                   self->resource->id);
      return -1;
    }

  spans = g_array_new (FALSE, FALSE, sizeof (gsize));
  find_elements (text, length, spans);

  n_elements = JSON_NODE_HOLDS_ARRAY (root) ? json_array_get_length (json_node_get_array (root)) : 1;
  if (spans->len != n_elements * 2)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                   _("A page of %s could not be split into rows. Reload to try again."),
                   self->resource->id);
      return -1;
    }

  old_length = self->rows->len;
  for (i = 0; i < n_elements; i++)
    {
      JsonNode *node = JSON_NODE_HOLDS_ARRAY (root)
                       ? json_array_get_element (json_node_get_array (root), i)
                       : root;
      gsize start = g_array_index (spans, gsize, 2 * i);
      gsize end = g_array_index (spans, gsize, 2 * i + 1);
      gint64 id = 0;
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);

      if (kt_json_get_id (object, "id", &id) && !id_set_add (&self->ids, id))
        continue;

      g_ptr_array_add (self->rows, row_new (self->resource, object, id, text + start, end - start));
    }

  if (self->rows->len > old_length)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), old_length, 0, self->rows->len - old_length);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }

  return (int) (self->rows->len - old_length);
}

/* Removes every row. */
void
kt_row_model_clear (KtRowModel *self)
{
  guint old_length;

  g_return_if_fail (KT_IS_ROW_MODEL (self));

  old_length = self->rows->len;
  if (old_length == 0)
    return;

  g_ptr_array_set_size (self->rows, 0);
  id_set_clear (&self->ids);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_length, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}
