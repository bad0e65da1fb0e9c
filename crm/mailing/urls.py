from django.urls import path

from crm.mailing import views

urlpatterns = [
    path("settings/email-templates/", views.template_list, name="email_templates"),
    path("settings/email-templates/new/", views.template_form, name="email_template_create"),
    path("settings/email-templates/<int:pk>/", views.template_form, name="email_template_update"),
    path(
        "settings/email-templates/<int:pk>/delete/",
        views.template_delete,
        name="email_template_delete",
    ),
    path("contacts/<int:pk>/email/", views.contact_email, name="contact_email"),
    path("contacts/email/", views.contacts_email, name="contacts_email"),
]
