"""Read a whole-review export back into the database, all or nothing.

References are resolved by natural key with one query per reference a section
holds, and rows are bulk-inserted (with their history), so the query count
grows with the number of sections, not rows. Timestamps are restored after the
insert, because bulk_create lets auto_now(_add) overwrite them.

Links to another review (an evidence link from a review that tests this one,
or a framework whose source is elsewhere) need that review in the database:
when it is missing, the row is skipped (or the optional reference left blank)
and the report says so. Users are matched by username; a user who does not
exist here leaves an attribution blank (and a required one skips the row).
Memberships are not part of the document: who may see a review belongs to the
instance, so the importing user becomes its owner.
"""

import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from ichub.models import Membership, Review
from ichub.transfer.export import FORMAT, REVIEW_FIELDS, VERSION, dumps, encode
from ichub.transfer.sections import SECTIONS

_BATCH_SIZE = 500


class TransferRefused(Exception):
    def __init__(self, message, *, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class RestoreReport:
    review: Review | None = None
    created: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    blanked: list = field(default_factory=list)

    @property
    def summary(self):
        total = sum(self.created.values())
        return (
            f"created: {total} rows in {len(self.created)} sections, "
            f"skipped: {len(self.skipped)}, blanked references: {len(self.blanked)}"
        )

    def as_dict(self):
        return {
            "review": self.review.slug if self.review else None,
            "created": self.created,
            "skipped": self.skipped,
            "blanked": self.blanked,
            "summary": self.summary,
        }


def parse_document(data):
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError) as error:
        raise TransferRefused(f"The file is not JSON: {error}.") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TransferRefused(f"This is not an ichub review export (format '{FORMAT}').")
    if document.get("version") != VERSION:
        raise TransferRefused(f"Export version {document.get('version')!r} is not supported.")
    return document


@transaction.atomic
def import_review(*, document, user=None):
    """Create the review a document holds; refuse (changing nothing) if it cannot."""
    if not isinstance(document.get("review"), dict) or not isinstance(
        document.get("sections"), dict
    ):
        raise TransferRefused("The document has no 'review' or 'sections'.")
    slug = document["review"].get("slug")
    if not isinstance(slug, str) or not slug:
        raise TransferRefused("The document's review has no slug.")
    if Review.objects.filter(slug=slug).exists():
        raise TransferRefused(
            f"A review with slug '{slug}' already exists; delete it before restoring it.",
            status=409,
        )
    report = RestoreReport()
    try:
        with transaction.atomic():
            report.review = _create_review(document["review"], report, user)
            for section in SECTIONS:
                rows = document["sections"].get(section.name, [])
                if not isinstance(rows, list):
                    raise TransferRefused(f"Section '{section.name}' is not a list.")
                _SectionLoader(section, report.review, report, user).load(rows)
            if user is not None and user.is_authenticated:
                Membership.objects.create(
                    review=report.review, user=user, role=Membership.Role.OWNER
                )
    except ValidationError as error:
        raise TransferRefused(f"The document holds invalid data: {error.messages}.") from error
    except (KeyError, TypeError, ValueError, AttributeError, DatabaseError) as error:
        raise TransferRefused(f"The document is malformed: {error!r}.") from error
    return report


def _create_review(record, report, user):
    review = Review(**{name: record[name] for name in REVIEW_FIELDS if name not in _TIMESTAMPS})
    review.full_clean(exclude=["tests_theories_of"])
    review.save()
    # Linking to a tested review needs read access to it; being tested by another
    # review changes that review, so it needs edit access (the command may do both).
    allowed = {
        "tests_theories_of": Review.objects.visible_to(user) if user else Review.objects.all(),
        "tested_by": Review.objects.editable_by(user) if user else Review.objects.all(),
    }
    for relation, label in (("tests_theories_of", "tested"), ("tested_by", "testing")):
        wanted = record.get(relation, [])
        found = list(allowed[relation].filter(slug__in=wanted))
        getattr(review, relation).set(found)
        for missing in sorted(set(wanted) - {r.slug for r in found}):
            report.skipped.append(
                {
                    "section": "review",
                    "row": missing,
                    "reason": f"{label} review not here or not yours",
                }
            )
    Review.objects.filter(pk=review.pk).update(
        **{name: _parse(Review, name, record[name]) for name in _TIMESTAMPS}
    )
    review.refresh_from_db()
    return review


_TIMESTAMPS = ("created_at", "updated_at")


def _parse(model, name, value):
    return model._meta.get_field(name).to_python(value)


def _key(values):
    """A natural key as text, so keys read from JSON and from the database compare equal."""
    return dumps([encode(v) for v in values])


class _SectionLoader:
    def __init__(self, section, review, report, user):
        self.section, self.review, self.report, self.user = section, review, report, user
        self.model = section.model
        self._belongs_to_review = any(
            f.name == "review" and f.related_model is Review for f in self.model._meta.fields
        )

    def load(self, rows):
        section = self.section
        deferred = {n: r for n, r in section.refs.items() if r.model is self.model}
        maps = {
            name: self._resolve(ref, [row[name] for row in rows if row.get(name) is not None])
            for name, ref in section.refs.items()
            if name not in deferred
        }
        for name, ref in section.many.items():
            maps[name] = self._resolve(ref, [value for row in rows for value in row[name]])
        existing = self._existing(rows, maps)
        objects, kept = [], []
        for row in rows:
            obj = self._build(row, maps, deferred)
            if obj is None:
                continue
            if section.unique_together and self._identity(obj) in existing:
                continue  # already imported with the review it links to
            objects.append(obj)
            kept.append(row)
        created = self._insert(objects)
        self._restore(created, kept, deferred)
        self._link_many(created, kept, maps)
        self.report.created[section.name] = len(created)

    def _resolve(self, ref, values):
        """{key text: pk} for the referenced rows, in one query."""
        keys = [v if isinstance(v, list) else [v] for v in values]
        if not keys:
            return {}
        queryset = ref.model._default_manager.all()
        if ref.scope:
            queryset = queryset.filter(**{ref.scope: self.review})
        else:
            queryset = queryset.filter(**{f"{ref.key[0]}__in": {k[0] for k in keys}})
            if ref.key[0].endswith("review__slug"):
                queryset = self._only_permitted(queryset, ref)
        return {_key(values[1:]): values[0] for values in queryset.values_list("pk", *ref.key)}

    def _only_permitted(self, queryset, ref):
        """Targets in this review, or in reviews the user may read (or edit, for writes).

        Without this, a crafted document could link a private review's excerpts
        (and so reveal them) or add evidence to a review its importer cannot edit.
        """
        if self.user is None:  # the management command: the operator may do anything
            return queryset
        review_path = ref.key[0].removesuffix("__slug")
        reviews = Review.objects.editable_by(self.user) if ref.access == "write" else (
            Review.objects.visible_to(self.user)
        )
        return queryset.filter(
            Q(**{review_path: self.review}) | Q(**{f"{review_path}__in": reviews.values("pk")})
        )

    def _existing(self, rows, maps):
        names = self.section.unique_together
        if not names or not rows:
            return set()
        ids = {name: set(maps[name].values()) for name in names if name in maps}
        queryset = self.model._default_manager.filter(
            **{f"{name}__in": pks for name, pks in ids.items()}
        )
        return set(queryset.values_list(*[self._attname(n) for n in names]))

    def _attname(self, name):
        model_field = self.model._meta.get_field(name)
        return model_field.attname

    def _identity(self, obj):
        return tuple(getattr(obj, self._attname(name)) for name in self.section.unique_together)

    def _build(self, row, maps, deferred):
        values = {name: _parse(self.model, name, row[name]) for name in self.section.fields}
        if self._belongs_to_review:
            values["review"] = self.review
        for name in self.section.refs:
            if name in deferred or row.get(name) is None:
                continue
            pk = maps[name].get(_key(row[name] if isinstance(row[name], list) else [row[name]]))
            if pk is None:
                if not self.model._meta.get_field(name).null:
                    self.report.skipped.append(
                        {
                            "section": self.section.name,
                            "row": row,
                            "reason": f"no {name} here, or not yours to link",
                        }
                    )
                    return None
                self.report.blanked.append(
                    {"section": self.section.name, "field": name, "value": row[name]}
                )
                continue
            values[self._attname(name)] = pk
        obj = self.model(**values)
        # Choices, lengths and formats are checked here; references were resolved above.
        obj.clean_fields(exclude=[*self.section.refs, *self.section.many, "review"])
        return obj

    def _insert(self, objects):
        if not objects:
            return []
        if getattr(self.model._meta, "simple_history_manager_attribute", None):
            return bulk_create_with_history(
                objects,
                self.model,
                batch_size=_BATCH_SIZE,
                default_change_reason="Restored from a review export",
            )
        return self.model._default_manager.bulk_create(objects, batch_size=_BATCH_SIZE)

    def _restore(self, created, rows, deferred):
        """Put back the exported timestamps, then the references to the section's own rows."""
        if not created:
            return
        stamps = self.section.timestamps
        if stamps:
            for obj, row in zip(created, rows, strict=True):
                for name in stamps:
                    setattr(obj, name, _parse(self.model, name, row[name]))
            self.model._default_manager.bulk_update(created, stamps, batch_size=_BATCH_SIZE)
        for name, ref in deferred.items():
            lookup = self._resolve(ref, [row[name] for row in rows if row.get(name) is not None])
            changed = []
            for obj, row in zip(created, rows, strict=True):
                if row.get(name) is not None:
                    key = _key(row[name] if isinstance(row[name], list) else [row[name]])
                    if key in lookup:
                        setattr(obj, self._attname(name), lookup[key])
                        changed.append(obj)
                    else:
                        self.report.blanked.append(
                            {"section": self.section.name, "field": name, "value": row[name]}
                        )
            if changed:
                self.model._default_manager.bulk_update(changed, [name], batch_size=_BATCH_SIZE)

    def _link_many(self, created, rows, maps):
        for name in self.section.many:
            descriptor = getattr(self.model, name)
            through = descriptor.through
            source_field = f"{self.model._meta.model_name}_id"
            target_field = f"{descriptor.field.related_model._meta.model_name}_id"
            links = []
            for obj, row in zip(created, rows, strict=True):
                for value in row.get(name, []):
                    pk = maps[name].get(_key(value if isinstance(value, list) else [value]))
                    if pk is None:
                        self.report.skipped.append(
                            {
                                "section": f"{self.section.name}.{name}",
                                "row": value,
                                "reason": "not in this database",
                            }
                        )
                        continue
                    links.append(through(**{source_field: obj.pk, target_field: pk}))
            through.objects.bulk_create(links, batch_size=_BATCH_SIZE)
