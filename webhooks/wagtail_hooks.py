from wagtail import hooks

from .schema import ChangesQuery
from .views import DeliveryViewSet


@hooks.register("register_schema_query")
def register_changes_query(query_mixins):
    query_mixins.append(ChangesQuery)


@hooks.register("register_admin_viewset")
def register_delivery_viewset():
    return DeliveryViewSet("webhook_deliveries")
