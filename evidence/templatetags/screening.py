"""{% screening_agreement review %}: the agreement table and a link, for the review dashboard."""

from django import template

from evidence.screening.agreement import review_agreement

register = template.Library()


@register.inclusion_tag("screening/_agreement.html")
def screening_agreement(review):
    return {"review": review, "agreement": review_agreement(review), "screening_links": True}
