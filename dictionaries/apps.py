from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DictionariesConfig(AppConfig):
    name = "dictionaries"
    verbose_name = _("Universal dictionaries")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from dictionaries.models import ActivityCategory, ActivityPriority, Currency
        from dictionaries.selectors import forget_dictionaries

        for model in (ActivityPriority, ActivityCategory, Currency):
            uid = f"forget-dictionaries-{model.__name__}"
            post_save.connect(forget_dictionaries, sender=model, dispatch_uid=uid)
            post_delete.connect(forget_dictionaries, sender=model, dispatch_uid=uid)
