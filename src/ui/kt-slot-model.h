#pragma once

#include <gtk/gtk.h>

#include "core/kt-row-model.h"

G_BEGIN_DECLS

#define KT_TYPE_ROW_SLOT (kt_row_slot_get_type ())
G_DECLARE_FINAL_TYPE (KtRowSlot, kt_row_slot, KT, ROW_SLOT, GObject)

/* One position of a KtSlotModel: the KtRow shown there, which changes when
 * the rows under the position change. Property: "row" (KtRow). */
KtRow       *kt_row_slot_get_row  (KtRowSlot  *self);

#define KT_TYPE_SLOT_MODEL (kt_slot_model_get_type ())
G_DECLARE_FINAL_TYPE (KtSlotModel, kt_slot_model, KT, SLOT_MODEL, GObject)

/*
 * A GListModel of KtRowSlot over a GListModel of KtRow. A position keeps
 * its slot object while the rows change, and the slot notifies "row", so a
 * list view rebinds the text of its visible rows instead of replacing
 * their widgets. Only a change in the number of rows is announced, as
 * items added or removed at the end. With a pacer, rows added near the top
 * are announced a few per frame (see kt_slot_model_set_pacer()), so for a
 * moment the model may have fewer items than its base.
 */
KtSlotModel *kt_slot_model_new          (GListModel  *base);
void         kt_slot_model_set_pacer    (KtSlotModel *self,
                                         GtkWidget   *pacer);
void         kt_slot_model_announce_all (KtSlotModel *self);
/* Notifies "row" on every slot made so far, without changing its row, so
 * bound cells redraw values that depend on more than the row. */
void         kt_slot_model_rebind       (KtSlotModel *self);

G_END_DECLS
