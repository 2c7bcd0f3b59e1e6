"""Read a whole-review export back into the database, all or nothing.

The document is read as a stream (`document.StreamedDocument`) and each
section is loaded in chunks of `_CHUNK_ROWS` rows, so memory stays bounded
whatever the review's size. For each chunk, references are resolved by
natural key with one query per reference the section holds, the rows are
inserted in one command with ids reserved for them and their exported
timestamps (`rows.insert_rows`), and their history is copied by one
INSERT ... SELECT (`history.insert_creation_history`): the query count grows
with sections and chunks, never with rows. Everything runs in one
transaction, so a document that turns out to be broken halfway leaves nothing.

Links to another review (an evidence link from a review that tests this one,
or a framework whose source is elsewhere) need that review in the database:
when it is missing, the row is skipped (or the optional reference left blank)
and the report says so. The operator's command matches users by username; a
user who does not exist here leaves an attribution blank (and a required one
skips the row). A restore by a user (the API) attributes every row to that
user instead, since a document may name anyone: the names it held are listed
in the report, and kept as labels where a row records a judgement
(`Section.judged_by`).
Memberships are not part of the document: who may see a review belongs to the
instance, so the importing user becomes its owner.
"""

import itertools
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, reset_queries, transaction
from django.db.models import Q

from evidence.screening.states import refresh_states
from ichub.budget import BudgetExceeded, spend
from ichub.bulk.history import insert_creation_history
from ichub.bulk.rows import insert_rows
from ichub.models import Membership, Review
from reports.transfer.document import (
    PARSE_ERRORS,
    DocumentError,
    StreamedDocument,
    not_json,
    open_document,
)
from reports.transfer.export import REVIEW_FIELDS, encode
from reports.transfer.rules import check_chunk, refuse_nul
from reports.transfer.sections import SECTIONS
from reports.transfer.source_keys import source_ids, to_ids

# Rows loaded at a time: big enough that per-chunk queries are few, small enough that
# a chunk's objects (and its lookups' parameters, under SQLite's 32,766) stay small.
_CHUNK_ROWS = 2_000
_BATCH_SIZE = 500
_SECTIONS_BY_NAME = {section.name: section for section in SECTIONS}


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
    attributed_to_you: set = field(default_factory=set)  # usernames the importer stands for
    files: dict = field(default_factory=dict)  # stored files put back from an archive

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
            "attributed_to_you": sorted(self.attributed_to_you),
            "summary": self.summary,
            **({"files": self.files} if self.files else {}),
        }


def parse_document(data):
    """The export in `data` (bytes, or a binary file read as it goes), its header checked."""
    try:
        return open_document(data)
    except DocumentError as error:
        raise TransferRefused(error.message) from error


@transaction.atomic
def import_review(*, document, user=None, on_chunk=None):
    """Create the review a document holds; refuse (changing nothing) if it cannot.

    `document` is what `parse_document` returns, or the export as a dict.
    `on_chunk`, if given, is called after each chunk of rows (a job's progress).
    """
    record, sections = _parts(document)
    if not isinstance(record, dict):
        raise TransferRefused("The document has no 'review' or 'sections'.")
    slug = record.get("slug")
    if not isinstance(slug, str) or not slug:
        raise TransferRefused("The document's review has no slug.")
    if Review.objects.filter(slug__iexact=slug).exists():
        raise TransferRefused(
            f"A review with slug '{slug}' already exists; delete it before restoring it.",
            status=409,
        )
    report = RestoreReport(created={section.name: 0 for section in SECTIONS})
    try:
        with transaction.atomic():
            report.review = _create_review(record, report, user)
            for name, rows in sections:
                loader = _SectionLoader(_SECTIONS_BY_NAME[name], report.review, report, user)
                loader.load(rows, on_chunk=on_chunk)
            # The restored decisions and resolutions settle the sources' screening states.
            refresh_states(review=report.review)
            if user is not None and user.is_authenticated:
                Membership.objects.create(
                    review=report.review, user=user, role=Membership.Role.OWNER
                )
    except DocumentError as error:
        raise TransferRefused(error.message) from error
    except BudgetExceeded as exceeded:
        raise TransferRefused(
            f"Restoring this review took over {exceeded.seconds:g} seconds, its time limit, "
            "so nothing was restored: ask an operator to run "
            "`manage.py import_review`.",
            status=413,
        ) from exceeded
    except PARSE_ERRORS as error:
        raise TransferRefused(not_json(error).message) from error
    except ValidationError as error:
        raise TransferRefused(f"The document holds invalid data: {error.messages}.") from error
    except (KeyError, TypeError, ValueError, AttributeError, DatabaseError) as error:
        raise TransferRefused(f"The document is malformed: {error!r}.") from error
    return report


def _parts(document):
    """(review record, iterable of (section name, rows)) from a streamed or an in-memory export."""
    if isinstance(document, StreamedDocument):
        return document.review, document.sections()
    if not isinstance(document.get("review"), dict) or not isinstance(
        document.get("sections"), dict
    ):
        raise TransferRefused("The document has no 'review' or 'sections'.")
    return document["review"], _listed_sections(document["sections"])


def _listed_sections(sections):
    for section in SECTIONS:
        rows = sections.get(section.name, [])
        if not isinstance(rows, list):
            raise TransferRefused(f"Section '{section.name}' is not a list.")
        yield section.name, rows


def _create_review(record, report, user):
    review = Review(**{name: record[name] for name in REVIEW_FIELDS if name not in _TIMESTAMPS})
    for name in REVIEW_FIELDS:
        refuse_nul(f"review.{name}", record[name])
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


def _key(value):
    """A natural key as a tuple, so keys read from JSON and from the database compare equal.

    `value` is one key part or a list of them (as the document writes it); a
    part that is not a scalar fails to hash, and the import is refused as malformed.
    """
    return tuple(encode(part) for part in (value if isinstance(value, list) else [value]))


def _forget_logged_queries():
    """Drop DEBUG's log of executed SQL, unless a test is capturing it.

    With DEBUG on, Django keeps up to 9,000 statements per connection, and a
    restore's carry a chunk's worth of ids each: memory would grow with the
    review. A request clears the log when it ends; a long restore does it per chunk.
    """
    if not any(connection.force_debug_cursor for connection in connections.all()):
        reset_queries()


def _chunks(rows, size):
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class _SectionLoader:
    def __init__(self, section, review, report, user):
        self.section, self.review, self.report, self.user = section, review, report, user
        self.model = section.model
        self._belongs_to_review = any(
            f.name == "review" and f.related_model is Review for f in self.model._meta.fields
        )
        self._plain_fields = [
            self.model._meta.get_field(name)
            for name in (*section.fields, *section.timestamps)
        ]
        # References to the section's own rows wait until the whole section is in.
        self.deferred = {n: r for n, r in section.refs.items() if r.model is self.model}
        # Citation keys -> this database's source ids, read once (the sources came earlier).
        self._source_ids = source_ids(review) if section.source_ids else None
        # Over the API the importer stands for every user the document names.
        self.attributed = set() if user is None else {
            n for n, r in section.refs.items() if r.model is get_user_model()
        }

    def load(self, rows, on_chunk=None):
        # (row id, reference name, exported key) for the self-references: small tuples,
        # only for the rows that have one.
        pending = []
        for chunk in _chunks(rows, _CHUNK_ROWS):
            created, kept = self._load_chunk(chunk)
            pending.extend(
                (obj.pk, name, row[name])
                for obj, row in zip(created, kept, strict=True)
                for name in self.deferred
                if row.get(name) is not None
            )
            self.report.created[self.section.name] += len(created)
            _forget_logged_queries()
            if on_chunk is not None:
                on_chunk()
        for chunk in _chunks(pending, _CHUNK_ROWS):
            self._link_deferred(chunk)

    def _load_chunk(self, rows):
        section = self.section
        maps = {
            name: self._resolve(ref, [row[name] for row in rows if row.get(name) is not None])
            for name, ref in section.refs.items()
            if name not in self.deferred and name not in self.attributed
        }
        for name, ref in section.many.items():
            maps[name] = self._resolve(ref, [value for row in rows for value in row[name]])
        existing = self._existing(rows, maps)
        objects, kept = [], []
        for row in rows:
            spend()
            obj = self._build(row, maps)
            if obj is None:
                continue
            if section.unique_together and self._identity(obj) in existing:
                continue  # already imported with the review it links to
            objects.append(obj)
            kept.append(row)
        kept_objects, skipped = check_chunk(self.model, objects)
        if skipped:
            rows_of = {id(obj): row for obj, row in zip(objects, kept, strict=True)}
            self.report.skipped.extend(
                {"section": self.section.name, "row": rows_of[id(obj)], "reason": reason}
                for obj, reason in skipped
            )
            kept = [rows_of[id(obj)] for obj in kept_objects]
            objects = kept_objects
        self._insert(objects)
        self._link_many(objects, kept, maps)
        return objects, kept

    def _resolve(self, ref, values):
        """{key text: pk} for the referenced rows, in one query.

        The query asks only for the values the chunk names (each key part
        filtered by the values it takes), so it reads a chunk's worth of rows
        whatever the size of the table.
        """
        keys = [v if isinstance(v, list) else [v] for v in values]
        if not keys:
            return {}
        queryset = ref.model._default_manager.all()
        if ref.scope:
            queryset = queryset.filter(**{ref.scope: self.review})
        for index, lookup in enumerate(ref.key):
            wanted = {key[index] for key in keys if len(key) > index}
            if all(isinstance(value, str) for value in wanted):
                queryset = queryset.filter(**{f"{lookup}__in": wanted})
        if not ref.scope and ref.key[0].endswith("review__slug"):
            queryset = self._only_permitted(queryset, ref)
        rows = queryset.values_list("pk", *ref.key)
        return {_key(list(values[1:])): values[0] for values in rows}

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

    def _build(self, row, maps):
        values = {
            field.name: field.get_default()
            if field.name in self.section.added and field.name not in row
            else field.to_python(row[field.name])
            for field in self._plain_fields
        }
        for name, shape in self.section.source_ids.items():
            values[name] = to_ids(f"{self.section.name}.{name}", shape, values[name],
                                  self._source_ids)
        for name, value in values.items():
            refuse_nul(f"{self.section.name}.{name}", value)
        if self._belongs_to_review:
            values["review"] = self.review
        for name in self.attributed:
            if not self._attribute(row, name, values):
                return None
        for name in self.section.refs:
            if name in self.deferred or name in self.attributed or row.get(name) is None:
                continue
            pk = maps[name].get(_key(row[name]))
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

    def _attribute(self, row, name, values):
        """Attribute the row to the importer; False when it records someone else's judgement."""
        named = row.get(name)
        named = str(named[0] if isinstance(named, list) and named else named or "")
        if named and named != self.user.username:
            self.report.attributed_to_you.add(named)
            if name in self.section.judged_by:
                label = self.section.judged_by[name]
                if label is None:
                    self.report.skipped.append({
                        "section": self.section.name,
                        "row": row,
                        "reason": f"screened by someone else ({named}); only the operator's "
                        "import_review command restores other people's decisions",
                    })
                    return False
                values[self._attname(name)] = None
                values[label] = values.get(label) or named
                return True
        values[self._attname(name)] = self.user.pk
        return True

    def _insert(self, objects):
        """Insert with reserved ids and the exported timestamps, then copy the history rows."""
        insert_rows(self.model, objects, keep_timestamps=True, assign_ids=True)
        if getattr(self.model._meta, "simple_history_manager_attribute", None):
            insert_creation_history(
                self.model,
                [obj.pk for obj in objects],
                user=self.user,
                change_reason="Restored from a review export",
            )

    def _link_deferred(self, pending):
        """Point rows at other rows of their own section, now that all of them are in."""
        for name, ref in self.deferred.items():
            wanted = [(pk, value) for pk, ref_name, value in pending if ref_name == name]
            lookup = self._resolve(ref, [value for _, value in wanted])
            changed = []
            for pk, value in wanted:
                target = lookup.get(_key(value))
                if target is None:
                    self.report.blanked.append(
                        {"section": self.section.name, "field": name, "value": value}
                    )
                    continue
                changed.append(self.model(pk=pk, **{self._attname(name): target}))
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
                    pk = maps[name].get(_key(value))
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
            insert_rows(through, links)
