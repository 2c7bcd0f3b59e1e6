from django.db.models import Count, Q
from django.shortcuts import render

from ichub.models import Review


def home(request):
    reviews = (
        Review.objects.visible_to(request.user)
        .annotate(
            n_theories=Count("theories", distinct=True),
            n_cmocs=Count("cmocs", distinct=True),
            n_included=Count(
                "sources", filter=Q(sources__inclusion_status="included"), distinct=True
            ),
        )
        .order_by("title")
    )
    return render(request, "ichub/home.html", {"reviews": reviews})
