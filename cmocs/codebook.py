"""The mapping step: imported codes become CMOC elements, or are skipped."""

from django.db import transaction
from django.utils.text import slugify

from cmocs.slots import BY_NAME
from evidence.models import ImportedCode


@transaction.atomic
def apply_mapping(*, review, user, choices) -> dict:
    """Map codes ({code id: mapping}) of the review; a slot mapping makes one element.

    A code already mapped to a slot keeps its element (mapping twice must not
    make two). Returns counts by mapping for the report.
    """
    codes = ImportedCode.objects.filter(review=review, pk__in=list(choices)).select_for_update()
    made = {}
    for code in codes:
        mapping = choices[code.pk]
        if mapping not in ImportedCode.Mapping.values or mapping == code.mapping:
            continue
        if mapping in BY_NAME and not code.element_key:
            model, kind = BY_NAME[mapping].model, BY_NAME[mapping].kind
            key = _free_key(model, review, f"qda-{slugify(code.name)[:80] or code.pk}")
            model.objects.create(review=review, key=key, text=code.description or code.name,
                                 created_by=user, **({"kind": kind} if kind else {}))
            code.element_key = key
        code.mapping = mapping
        code.save(update_fields=["mapping", "element_key"])
        made[mapping] = made.get(mapping, 0) + 1
    return made


def _free_key(model, review, key):
    candidate, n = key, 1
    while model.objects.filter(review=review, key=candidate).exists():
        n += 1
        candidate = f"{key}-{n}"
    return candidate
