"""A CMOC's four element slots, named once: context, resource, reasoning, outcome.

Every surface (services, serializers, forms, pages, exports) reads the slots
from here, so that adding a label or changing a prefix happens in one place.
A slot's `name` is both the CMOC's field and the EvidenceLink.Element value
for evidence bearing on that element.
"""

from dataclasses import dataclass

from cmocs.models import Context, EvidenceLink, Mechanism, Outcome


@dataclass(frozen=True)
class Slot:
    name: str
    model: type
    kind: str | None  # the Mechanism.Kind a mechanism slot holds
    label: str

    def elements(self, review):
        """The review's elements that may fill this slot (mechanisms of the slot's kind)."""
        queryset = self.model.objects.filter(review=review)
        return queryset.filter(kind=self.kind) if self.kind else queryset


SLOTS = (
    Slot(EvidenceLink.Element.CONTEXT, Context, None, "Context (C)"),
    Slot(EvidenceLink.Element.MECHANISM_RESOURCE, Mechanism, Mechanism.Kind.RESOURCE,
         "Mechanism: resource (M-res)"),
    Slot(EvidenceLink.Element.MECHANISM_REASONING, Mechanism, Mechanism.Kind.REASONING,
         "Mechanism: reasoning (M-rea)"),
    Slot(EvidenceLink.Element.OUTCOME, Outcome, None, "Outcome (O)"),
)
SLOT_NAMES = tuple(str(slot.name) for slot in SLOTS)
BY_NAME = {str(slot.name): slot for slot in SLOTS}
LABELS = {str(slot.name): slot.label for slot in SLOTS}

# The key prefix of a new element, by model: one scheme (ichub.keys) for all of them.
KEY_PREFIXES = {Context: "c", Mechanism: "m", Outcome: "o"}
