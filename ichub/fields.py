"""Model fields the apps share that Django does not have."""

import re

from django.db import models
from django.db.models.signals import pre_save

_DIGITS = re.compile(r"(\d+)")
_WIDTH = 12  # digit runs up to a trillion compare as numbers


def natural_sort_key(text):
    """`text` so that plain string order is natural order: "CMOC 2" < "CMOC 10", "1a" < "2".

    Digit runs are zero-padded to a fixed width and letters lower-cased, so
    `1a, 2, 9b, 10, 11` sort as people number them. The database stores this
    (NaturalSortKeyField) and pages sort fetched rows with it, so every list
    agrees.
    """
    return _DIGITS.sub(lambda m: m.group().zfill(_WIDTH), (text or "").lower())


class NaturalSortKeyField(models.CharField):
    """`natural_sort_key(<source field>)`, kept by every path that writes the row.

    save() and bulk_create compute it in pre_save; fixtures (loaddata saves
    "raw", skipping pre_save) through a pre_save signal; ichub.bulk.insert_rows
    through `computes_on_save`.
    """

    computes_on_save = True

    def __init__(self, *args, source=None, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 255)
        kwargs["editable"] = False
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = natural_sort_key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not cls._meta.abstract:
            pre_save.connect(self._fill_raw, sender=cls, weak=False)

    def _fill_raw(self, sender, instance, raw=False, **kwargs):
        if raw:
            self.pre_save(instance, add=False)
