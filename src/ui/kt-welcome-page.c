#define G_LOG_DOMAIN "kt-welcome-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kt-welcome-page.h"

struct _KtWelcomePage
{
  AdwBin parent_instance;

  GtkButton *basic_button;
  GtkButton *demo_button;
  GtkButton *sign_in_button;
};

G_DEFINE_FINAL_TYPE (KtWelcomePage, kt_welcome_page, ADW_TYPE_BIN)

static void
kt_welcome_page_class_init (KtWelcomePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "kt-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, KtWelcomePage, basic_button);
  gtk_widget_class_bind_template_child (widget_class, KtWelcomePage, demo_button);
  gtk_widget_class_bind_template_child (widget_class, KtWelcomePage, sign_in_button);
}

static void
kt_welcome_page_init (KtWelcomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Returns a new welcome page; the caller owns the floating reference. */
GtkWidget *
kt_welcome_page_new (void)
{
  return g_object_new (KT_TYPE_WELCOME_PAGE, NULL);
}
