from wagtail import hooks

from .views import DeliveryViewSet


@hooks.register("register_admin_viewset")
def register_delivery_viewset():
    return DeliveryViewSet("webhook_deliveries")
