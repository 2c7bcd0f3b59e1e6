"""Full texts over the API: upload and status, pages, and excerpts from a selection."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cmocs import services as cmoc_services
from cmocs.models import CMOC, EvidenceLink
from evidence.models import Excerpt, FullText, SourceDocument
from ichub.parsers import JSONParser
from ichub.permissions import EDITOR, get_review_for_user, require_role, scope_to_visible

from . import services
from .extraction import Refused


def _get_source_for_user(request, pk, *, role=None):
    source = scope_to_visible(SourceDocument.objects.select_related("review"),
                              request.user).filter(pk=pk).first()
    if source is None:
        raise Http404("No such source.")
    require_role(request.user, source.review, role)
    return source


def _get_full_text_for_user(request, pk, *, role=None):
    full_text = FullText.objects.filter(source=_get_source_for_user(request, pk, role=role))
    if not full_text.exists():
        raise Http404("This source has no full text.")
    return full_text.select_related("source__review").get()


class FullTextSerializer(serializers.ModelSerializer):
    class Meta:
        model = FullText
        fields = ["source", "format", "original_name", "size", "sha256", "status",
                  "failure_reason", "pages_done", "page_count", "char_count", "uploaded_at",
                  "extracted_at"]
        read_only_fields = fields


class FullTextJobSerializer(FullTextSerializer):
    job = serializers.IntegerField(help_text="The extraction job (GET its url for progress).")
    url = serializers.CharField(help_text="The job's API URL.")

    class Meta(FullTextSerializer.Meta):
        fields = [*FullTextSerializer.Meta.fields, "job", "url"]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, HTML, plain text or Markdown; judged by content.")


class FullTextView(APIView):
    """GET a source's full text and its extraction status; POST a file to attach or replace it."""

    parser_classes = [MultiPartParser]
    serializer_class = UploadSerializer

    @extend_schema(responses={200: FullTextSerializer})
    def get(self, request, pk):
        return Response(FullTextSerializer(_get_full_text_for_user(request, pk)).data)

    @extend_schema(request=UploadSerializer, responses={202: FullTextJobSerializer,
                                                        400: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        """Store the file (checked by content first) and start its extraction job: 202 with
        the full text, the job's id and its URL (also in Location)."""
        source = _get_source_for_user(request, pk, role=EDITOR)
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            full_text = services.attach_full_text(
                source=source, data=services.read_upload(upload), name=upload.name,
                user=request.user)
        except Refused as refusal:
            return Response({"file": [str(refusal)]}, status=status.HTTP_400_BAD_REQUEST)
        job = full_text.job
        full_text.refresh_from_db()
        url = reverse("api:job-detail", args=[job.pk])
        return Response({**FullTextSerializer(full_text).data, "job": job.pk, "url": url},
                        status=status.HTTP_202_ACCEPTED, headers={"Location": url})


class PageSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    text = serializers.CharField()


class FullTextPagesView(APIView):
    """GET one page of extracted text (?page=N, default 1) with its document offsets."""

    @extend_schema(parameters=[OpenApiParameter("page", int)], responses={200: PageSerializer})
    def get(self, request, pk):
        full_text = _get_full_text_for_user(request, pk)
        try:
            number = int(request.query_params.get("page", 1))
        except ValueError:
            return Response({"page": ["Give a page number."]}, status=400)
        page = full_text.pages.filter(number=number).first()
        if page is None:
            return Response({"page": [f"The full text has pages 1–{full_text.page_count}."]},
                            status=404)
        return Response(PageSerializer(page).data)


class SelectionSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    exact = serializers.CharField(trim_whitespace=False, max_length=100_000)
    kind = serializers.ChoiceField(choices=Excerpt.Kind.choices, default=Excerpt.Kind.QUOTE)
    cmoc = serializers.PrimaryKeyRelatedField(queryset=CMOC.objects.all(), required=False,
                                              allow_null=True)
    element = serializers.ChoiceField(choices=EvidenceLink.Element.choices,
                                      default=EvidenceLink.Element.WHOLE)
    stance = serializers.ChoiceField(choices=EvidenceLink.Stance.choices,
                                     default=EvidenceLink.Stance.SUPPORTS)
    note = serializers.CharField(required=False, allow_blank=True, default="")


def anchored_excerpt_data(excerpt):
    anchor = excerpt.anchor
    return {
        "id": excerpt.pk, "key": excerpt.key, "text": excerpt.text, "kind": excerpt.kind,
        "page": anchor.page, "orphaned": anchor.orphaned, "selectors": anchor.as_selectors(),
        "evidence_links": [{"id": link.pk, "cmoc": link.cmoc_id, "element": link.element,
                            "stance": link.stance, "note": link.note}
                           for link in excerpt.evidence_links.all()],
    }


class AnchoredExcerptView(APIView):
    """POST a selection (offsets + exact quote) to make an anchored excerpt in one request,
    optionally linked to a CMOC element with a stance and a note."""

    parser_classes = [JSONParser]
    serializer_class = SelectionSerializer

    @extend_schema(request=SelectionSerializer, responses={201: OpenApiTypes.OBJECT,
                                                           400: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        full_text = _get_full_text_for_user(request, pk, role=EDITOR)
        serializer = SelectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        link = None
        if data.get("cmoc") is not None:
            if data["cmoc"].review_id != full_text.source.review_id:
                return Response({"cmoc": ["The CMOC is not in this source's review."]},
                                status=400)
            link = {"cmoc": data["cmoc"], "element": data["element"], "stance": data["stance"],
                    "note": data["note"]}
        try:
            excerpt = cmoc_services.code_passage(
                full_text=full_text, start=data["start"], end=data["end"], exact=data["exact"],
                user=request.user, kind=data["kind"], link=link)
        except services.Invalid as problem:
            return Response({"detail": str(problem)}, status=400)
        except ValidationError as problem:
            return Response({"detail": problem.messages}, status=400)
        return Response(anchored_excerpt_data(excerpt), status=201)


class QdaImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A REFI-QDA project (.qdpx) or codebook (.qdc).")


class QdaImportView(APIView):
    """POST a .qdpx or .qdc into the review; answers with the import report."""

    parser_classes = [MultiPartParser]
    serializer_class = QdaImportSerializer

    @extend_schema(request=QdaImportSerializer, responses={201: OpenApiTypes.OBJECT,
                                                           400: OpenApiTypes.OBJECT})
    def post(self, request, slug):
        from evidence.importers.refiqda.safety import Refused as ArchiveRefused
        from evidence.importers.refiqda.views import import_file

        review = get_review_for_user(request.user, slug, role=EDITOR)
        serializer = QdaImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report = import_file(review=review, upload=serializer.validated_data["file"],
                                 user=request.user)
        except ArchiveRefused as refusal:
            return Response({"file": [str(refusal)]}, status=400)
        return Response(report.as_dict(), status=201)
