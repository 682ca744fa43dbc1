#define G_LOG_DOMAIN "kt-slot-model"

#include "config.h"

#include "kt-slot-model.h"

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
  GPtrArray *slots;              /* KtRowSlot or NULL (not asked for yet) */
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
      g_ptr_array_set_size (self->slots, new_n);
      g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, new_n - old_n);
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
