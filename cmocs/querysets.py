"""Which cross-review evidence links a review's reads may show, and to whom (issue 17)."""

from django.db import models
from django.db.models import Q

from ichub.models import Review


class EvidenceLinkQuerySet(models.QuerySet):
    """Which links a review's reads may show.

    A link crosses reviews when a realist evaluation's excerpt bears on a tested
    review's CMOC. Everyone who reads one side need not see the other, and a
    review's nested reads (API, pages, reports, exports, search) are shared by
    all its readers (and cached as such), so a cross-review link shows in one
    side's reads only when the other side is public (issue 17).
    """

    def shown_with_cmocs(self, reader=None):
        """Links as the CMOCs' review shows them to `reader`: its own excerpts, and those
        of other reviews the reader may read (public ones for anybody).

        Two private reviews' links are seen by their members (who may read both
        sides) and hidden from everyone else.
        """
        # Column comparisons and a subquery, not joins to the review table: joining it
        # twice made PostgreSQL pick a nested loop that read every link for each one.
        if _reads_everything(reader):
            return self.all()
        return self.filter(
            Q(excerpt__source__review_id=models.F("cmoc__review_id"))
            | Q(excerpt__source__review_id__in=_readable(reader))
        )

    def shown_with_excerpts(self, reader=None):
        """Links as the excerpts' review shows them to `reader`: its own CMOCs, and those
        of other reviews the reader may read."""
        if _reads_everything(reader):
            return self.all()
        return self.filter(
            Q(cmoc__review_id=models.F("excerpt__source__review_id"))
            | Q(cmoc__review_id__in=_readable(reader))
        )


def _reads_everything(reader):
    return reader is not None and reader.is_authenticated and reader.is_staff


def _readable(reader):
    """Ids of the reviews `reader` may read; public ones for no reader (an anonymous one)."""
    if reader is None:
        return Review.objects.filter(visibility=Review.Visibility.PUBLIC).values("pk")
    return Review.objects.visible_to(reader).values("pk")
