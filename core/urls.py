"""URLs every host answers the same way: the icons browsers ask for at the root."""

from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("favicon.ico"), permanent=True),
        name="favicon",
    ),
    path(
        "apple-touch-icon.png",
        RedirectView.as_view(url=static("apple-touch-icon.png"), permanent=True),
        name="apple_touch_icon",
    ),
]
