"""The API's domain-free plumbing: filters, errors, related fields and scoped viewsets.

Every app's API builds on these; nothing here knows about CMOCs, sources or
theories, only about reviews and who may read or change them
(ichub.permissions). DRF's settings name `exception_handler` below.
"""

import django_filters
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from ichub.models import Review
from ichub.permissions import EDITOR, ReviewAccess, require_role, scope_to_visible

SLUG_REGEX = r"[-a-zA-Z0-9_]+"
ID_REGEX = r"[0-9]+"
MAX_TEXT = 20_000


# Ids are signed 64-bit on both databases; a larger number is no id at all, and SQLite
# raised OverflowError (a 500) binding one.
MIN_ID, MAX_ID = -(2**63), 2**63 - 1


class _Int64Field(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=MIN_ID, max_value=MAX_ID, **kwargs)


class IntegerFilter(django_filters.NumberFilter):
    """An integer (an id, a year): "1.5" is refused instead of read as 1, 2**63 with a 400."""

    field_class = _Int64Field


_char_to_internal_value = serializers.CharField.to_internal_value


def _string_only(field, data):
    if not isinstance(data, str):
        field.fail("invalid")
    return _char_to_internal_value(field, data)


def require_strings():
    """Text fields take JSON strings only: `"notes": 0` is a 400, as the schema says.

    DRF's CharField turns numbers into text, so a body the schema forbids was
    stored as "0". Every text field (declared or from a model, SlugField and
    EmailField too) is a CharField, so the rule is set once, here, at start-up
    (IchubConfig.ready) rather than on each of the serializers' 70-odd fields.
    """
    serializers.CharField.to_internal_value = _string_only


class _RawValue(forms.Widget):
    """The query's text as given, so the field can refuse what is not a boolean."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class _TrueOrFalseField(forms.Field):
    widget = _RawValue

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("Give true or false.", code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    """`?flag=true|false`: anything else is a 400 (django-filter's own reads it as no filter)."""

    field_class = _TrueOrFalseField


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, except that an empty value is refused (400) where the schema
    declares a number, a boolean or a choice: `?rating=` or `?theory=` used to mean
    "no filter", a request the schema forbids. Text filters may still be empty."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            empty = sorted(
                name for name, declared in filterset_class.base_filters.items()
                if request.query_params.get(name) == ""
                and not isinstance(declared, django_filters.CharFilter)
            )
            if empty:
                message = ["Give a value or leave the parameter out."]
                raise serializers.ValidationError({name: message for name in empty})
        return super().filter_queryset(request, queryset, view)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Other records still depend on this one."
    default_code = "conflict"


def as_drf_validation_error(exc):
    """A Django ValidationError as DRF's, each message under the field it is about.

    A uniqueness error arrives as a whole-record error, but it is about the
    last field of its unique set (citation_key of (review, citation_key)),
    so it is filed there; other record-wide errors go under non_field_errors.
    """
    errors = getattr(exc, "error_dict", None) or {NON_FIELD_ERRORS: exc.error_list}
    detail = {}
    for field, field_errors in errors.items():
        for error in field_errors:
            target = field
            if field == NON_FIELD_ERRORS:
                unique_check = (error.params or {}).get("unique_check")
                target = unique_check[-1] if unique_check else api_settings.NON_FIELD_ERRORS_KEY
            detail.setdefault(target, []).extend(error.messages)
    return serializers.ValidationError(detail)


def full_clean(instance):
    """Run the model's own rules (clean, constraints) from a serializer, as DRF errors."""
    try:
        instance.full_clean()
    except DjangoValidationError as exc:
        raise as_drf_validation_error(exc) from exc


def exception_handler(exc, context):
    """Domain errors become the HTTP errors the API promises, never a 500.

    The services speak Django (ValidationError with a field dict) so that forms
    and admin can reuse them; this translates for DRF. An IntegrityError that
    gets past validation (two clients racing for one unique key) is a conflict.
    """
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_validation_error(exc)
    elif isinstance(exc, ProtectedError | RestrictedError):
        names = sorted({type(obj)._meta.verbose_name for obj in exc.protected_objects}
                       if isinstance(exc, ProtectedError)
                       else {type(obj)._meta.verbose_name for obj in exc.restricted_objects})
        exc = Conflict(f"Still used by: {', '.join(names)}. Remove those uses first.")
    elif isinstance(exc, IntegrityError):
        exc = Conflict("Someone else just made a conflicting change: reload and try again.")
    return drf_exception_handler(exc, context)


class ScopedViewSetMixin:
    """Rows only from reviews the user may read; writes only where they may edit.

    `review_path` leads from the model to its review. Creation checks the
    review the payload names (`review_for_create`); every write is one
    transaction and records its author.
    """

    review_path = "review"
    permission_classes = [ReviewAccess]
    read_role = None  # anyone who may see the review
    write_role = EDITOR
    lookup_value_regex = ID_REGEX

    def scope(self, queryset):
        return scope_to_visible(queryset, self.request.user, self.review_path)

    def review_for_create(self, validated_data):
        return validated_data["review"]

    def perform_create(self, serializer):
        require_role(self.request.user, self.review_for_create(serializer.validated_data),
                     self.write_role)
        with transaction.atomic():
            serializer.save(created_by=self.request.user)

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance._history_user = self.request.user
            instance.delete()


def refuse_reparenting(instance, attrs, field, message):
    """On update, refuse to move a row to another parent (review, source, CMOC).

    Rows are scoped by their parent's review; moving one would carry it past
    the permission check made on the old parent.
    """
    if instance is not None and field in attrs and attrs[field] != getattr(instance, field):
        raise serializers.ValidationError({field: message})


class TextKeyRelatedField(serializers.SlugRelatedField):
    """A related row named by a text key (slug, username), refusing NUL before any query.

    PostgreSQL rejects NUL in any string with a DataError, which DRF's own
    field would let through as a 500.
    """

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class VisibleReviewSlugField(TextKeyRelatedField):
    """A review named by slug, among those the requesting user may read."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return Review.objects.visible_to(request.user if request else None)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row by id, among rows of reviews the user may read.

    Rows of invisible reviews read as "does not exist", so ids cannot be
    probed; a visible row of another review reaches the model's clean(),
    which names the field.
    """

    def __init__(self, *, review_path="review", **kwargs):
        self.review_path = review_path
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        if request is None:
            return queryset.none()
        return scope_to_visible(queryset, request.user, self.review_path)

    def to_internal_value(self, data):
        """An integer or a string of digits: 1.5 was read as 1, and 1e400 overflowed."""
        if isinstance(data, str) and data.isascii() and data.isdigit():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not MIN_ID <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
