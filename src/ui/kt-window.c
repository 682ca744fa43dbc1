#define G_LOG_DOMAIN "kt-window"

#include "config.h"

#include <glib/gi18n.h>

#include "kt-window.h"

struct _KtWindow
{
  AdwApplicationWindow parent_instance;

  AdwStatusPage *empty_page;
};

G_DEFINE_FINAL_TYPE (KtWindow, kt_window, ADW_TYPE_APPLICATION_WINDOW)

static void
kt_window_close_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
}

static const GActionEntry win_actions[] = {
  { "close", kt_window_close_action },
};

static void
kt_window_class_init (KtWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "kt-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KtWindow, empty_page);
}

static void
kt_window_init (KtWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
}

/* Returns a new main window for @application; GTK owns it once shown. */
KtWindow *
kt_window_new (KtApplication *application)
{
  g_return_val_if_fail (KT_IS_APPLICATION (application), NULL);

  return g_object_new (KT_TYPE_WINDOW, "application", application, NULL);
}
