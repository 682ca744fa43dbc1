#define G_LOG_DOMAIN "kt-slot-model"

#include "config.h"

#include "kt-slot-model.h"

/* GtkListView in GTK 4.8 keeps row widgets for up to 200 positions (plus
 * 2 on each side) around its anchor, whatever its height, and creates them
 * inside "items-changed". While fewer positions than that are announced, a
 * paced model announces FIRST_ROWS new rows at once, enough to fill a
 * window, and then ROWS_PER_FRAME a frame, so no single frame creates,
 * styles and lays out 200 rows. bench/ui-browse.c measures the effect. */
#define LIST_VIEW_ROW_WIDGETS 210
#define FIRST_ROWS 30
#define ROWS_PER_FRAME 10

struct _KtRowSlot
{
  GObject parent_instance;

  KtRow *row;
};

enum {
  SLOT_PROP_0,
  SLOT_PROP_ROW,
  SLOT_N_PROPS
};

static GParamSpec *slot_properties[SLOT_N_PROPS];

G_DEFINE_FINAL_TYPE (KtRowSlot, kt_row_slot, G_TYPE_OBJECT)

struct _KtSlotModel
{
  GObject parent_instance;

  GListModel *base;
  GPtrArray *slots;              /* KtRowSlot or NULL (not asked for yet); one per announced position */
  GtkWidget *pacer;              /* weak; its frames pace the announcements, or NULL */
  guint tick_id;
  gboolean skip_tick;            /* rows were announced since the last frame */
};

static void kt_slot_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KtSlotModel, kt_slot_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, kt_slot_model_list_model_init))

/* Slots */

static void
kt_row_slot_set_row (KtRowSlot *self,
                     KtRow     *row)
{
  if (g_set_object (&self->row, row))
    g_object_notify_by_pspec (G_OBJECT (self), slot_properties[SLOT_PROP_ROW]);
}

static void
kt_row_slot_dispose (GObject *object)
{
  KtRowSlot *self = KT_ROW_SLOT (object);

  g_clear_object (&self->row);

  G_OBJECT_CLASS (kt_row_slot_parent_class)->dispose (object);
}

static void
kt_row_slot_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  KtRowSlot *self = KT_ROW_SLOT (object);

  switch (prop_id)
    {
    case SLOT_PROP_ROW:
      g_value_set_object (value, self->row);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_row_slot_class_init (KtRowSlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_row_slot_dispose;
  object_class->get_property = kt_row_slot_get_property;

  slot_properties[SLOT_PROP_ROW] =
    g_param_spec_object ("row", NULL, NULL, KT_TYPE_ROW,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, SLOT_N_PROPS, slot_properties);
}

static void
kt_row_slot_init (KtRowSlot *self)
{
}

KtRow *
kt_row_slot_get_row (KtRowSlot *self)
{
  g_return_val_if_fail (KT_IS_ROW_SLOT (self), NULL);

  return self->row;
}

/* Model */

static gboolean on_tick_cb (GtkWidget     *widget,
                            GdkFrameClock *frame_clock,
                            gpointer       user_data);
static void on_tick_removed_cb (gpointer user_data);

/* Announces the base's rows from the last announced position up to
 * position @end. */
static void
announce_rows (KtSlotModel *self,
               guint        end)
{
  guint old_n = self->slots->len;

  if (end <= old_n)
    return;

  g_ptr_array_set_size (self->slots, end);
  g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, end - old_n);
}

/* Returns where the next paced announcement of @share rows ends: every
 * row once the list view makes no widgets for the new ones. */
static guint
paced_end (KtSlotModel *self,
           guint        n_rows,
           guint        share)
{
  if (self->slots->len >= LIST_VIEW_ROW_WIDGETS)
    return n_rows;

  return MIN (n_rows, self->slots->len + share);
}

static gboolean
on_tick_cb (GtkWidget     *widget,
            GdkFrameClock *frame_clock,
            gpointer       user_data)
{
  KtSlotModel *self = KT_SLOT_MODEL (user_data);
  guint n_rows = g_list_model_get_n_items (self->base);

  /* Rows announced between two frames are laid out in the next one, so
   * that frame gets no more. */
  if (self->skip_tick)
    {
      self->skip_tick = FALSE;
      return G_SOURCE_CONTINUE;
    }

  announce_rows (self, paced_end (self, n_rows, ROWS_PER_FRAME));

  return self->slots->len < n_rows ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
on_tick_removed_cb (gpointer user_data)
{
  KT_SLOT_MODEL (user_data)->tick_id = 0;
}

/* Announces the rows the base gained. Without a pacer, or when the list
 * view makes no widgets for them, all are announced now. Otherwise the
 * first share is announced now, so the list shows rows at once, and the
 * pacer's frame ticks announce the rest. */
static void
announce_new_rows (KtSlotModel *self,
                   guint        n_rows)
{
  if (self->pacer == NULL)
    {
      announce_rows (self, n_rows);
      return;
    }

  if (self->tick_id != 0)
    return;

  announce_rows (self, paced_end (self, n_rows, self->slots->len == 0 ? FIRST_ROWS : ROWS_PER_FRAME));
  if (self->slots->len < n_rows)
    {
      self->skip_tick = TRUE;
      self->tick_id = gtk_widget_add_tick_callback (self->pacer, on_tick_cb, self, on_tick_removed_cb);
    }
}

static void
on_base_items_changed_cb (GListModel  *base,
                          guint        position,
                          guint        removed,
                          guint        added,
                          KtSlotModel *self)
{
  guint old_n = self->slots->len;
  guint new_n = g_list_model_get_n_items (base);
  guint common = MIN (old_n, new_n);

  /* Positions from @position on may show other rows now. */
  for (guint i = position; i < common; i++)
    {
      KtRowSlot *slot = g_ptr_array_index (self->slots, i);

      if (slot != NULL)
        {
          g_autoptr(KtRow) row = g_list_model_get_item (base, i);

          kt_row_slot_set_row (slot, row);
        }
    }

  if (new_n < old_n)
    {
      g_ptr_array_remove_range (self->slots, new_n, old_n - new_n);
      g_list_model_items_changed (G_LIST_MODEL (self), new_n, old_n - new_n, 0);
    }
  else if (new_n > old_n)
    {
      announce_new_rows (self, new_n);
    }
}

static GType
kt_slot_model_get_item_type (GListModel *model)
{
  return KT_TYPE_ROW_SLOT;
}

static guint
kt_slot_model_get_n_items (GListModel *model)
{
  return KT_SLOT_MODEL (model)->slots->len;
}

static gpointer
kt_slot_model_get_item (GListModel *model,
                        guint       position)
{
  KtSlotModel *self = KT_SLOT_MODEL (model);
  KtRowSlot *slot;

  if (position >= self->slots->len)
    return NULL;

  slot = g_ptr_array_index (self->slots, position);
  if (slot == NULL)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (self->base, position);

      slot = g_object_new (KT_TYPE_ROW_SLOT, NULL);
      slot->row = g_steal_pointer (&row);
      g_ptr_array_index (self->slots, position) = slot;
    }

  return g_object_ref (slot);
}

static void
kt_slot_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = kt_slot_model_get_item_type;
  iface->get_n_items = kt_slot_model_get_n_items;
  iface->get_item = kt_slot_model_get_item;
}

static void
kt_slot_model_dispose (GObject *object)
{
  KtSlotModel *self = KT_SLOT_MODEL (object);

  if (self->base != NULL)
    g_signal_handlers_disconnect_by_data (self->base, self);
  g_clear_object (&self->base);
  kt_slot_model_set_pacer (self, NULL);

  G_OBJECT_CLASS (kt_slot_model_parent_class)->dispose (object);
}

static void
kt_slot_model_finalize (GObject *object)
{
  KtSlotModel *self = KT_SLOT_MODEL (object);

  g_clear_pointer (&self->slots, g_ptr_array_unref);

  G_OBJECT_CLASS (kt_slot_model_parent_class)->finalize (object);
}

static void
kt_slot_model_class_init (KtSlotModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_slot_model_dispose;
  object_class->finalize = kt_slot_model_finalize;
}

static void
unref_slot (gpointer slot)
{
  if (slot != NULL)
    g_object_unref (slot);
}

static void
kt_slot_model_init (KtSlotModel *self)
{
  self->slots = g_ptr_array_new_with_free_func (unref_slot);
}

/* Returns a new model of slots over @base; the caller owns it. */
KtSlotModel *
kt_slot_model_new (GListModel *base)
{
  KtSlotModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (base), NULL);

  self = g_object_new (KT_TYPE_SLOT_MODEL, NULL);
  self->base = g_object_ref (base);
  g_ptr_array_set_size (self->slots, g_list_model_get_n_items (base));
  g_signal_connect (base, "items-changed", G_CALLBACK (on_base_items_changed_cb), self);

  return self;
}

/* Paces the announcements of new rows with the frames of @pacer, the list
 * view that shows the model, of which the model keeps a weak reference.
 * A NULL @pacer stops pacing. Rows not announced yet are announced on
 * @pacer's next frames, which only come while it is realized. */
void
kt_slot_model_set_pacer (KtSlotModel *self,
                         GtkWidget   *pacer)
{
  g_return_if_fail (KT_IS_SLOT_MODEL (self));
  g_return_if_fail (pacer == NULL || GTK_IS_WIDGET (pacer));

  if (self->pacer == pacer)
    return;

  if (self->pacer != NULL)
    {
      if (self->tick_id != 0)
        gtk_widget_remove_tick_callback (self->pacer, self->tick_id);
      g_object_remove_weak_pointer (G_OBJECT (self->pacer), (gpointer *) &self->pacer);
    }

  self->pacer = pacer;
  self->tick_id = 0;

  if (self->pacer != NULL)
    g_object_add_weak_pointer (G_OBJECT (self->pacer), (gpointer *) &self->pacer);
  else
    kt_slot_model_announce_all (self);
}

/* Announces every row of the base at once, for a caller about to select
 * or scroll to a position that pacing has not announced yet. */
void
kt_slot_model_announce_all (KtSlotModel *self)
{
  g_return_if_fail (KT_IS_SLOT_MODEL (self));

  if (self->base != NULL)
    announce_rows (self, g_list_model_get_n_items (self->base));
}

void
kt_slot_model_rebind (KtSlotModel *self)
{
  g_return_if_fail (KT_IS_SLOT_MODEL (self));

  for (guint i = 0; i < self->slots->len; i++)
    {
      KtRowSlot *slot = g_ptr_array_index (self->slots, i);

      if (slot != NULL)
        g_object_notify_by_pspec (G_OBJECT (slot), slot_properties[SLOT_PROP_ROW]);
    }
}
