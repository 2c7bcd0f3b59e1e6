"""Search covers extracted full texts; a hit opens the reader at its page with the match marked."""

from django.urls import reverse


def _link(source, query):
    return (f"/reviews/{source.review.slug}/sources/{source.pk}/full-text/"
            f"?page=2&amp;q={query.replace(' ', '%20')}")


def test_a_phrase_from_the_pdf_is_found_and_opens_the_reader_at_its_page(client, viewer,
                                                                           attached):
    client.force_login(viewer)
    results = client.get(reverse("hub:search"), {"q": "budgets were pooled"}).content.decode()
    link = _link(attached.source, "budgets were pooled")
    assert link in results and "Smith and Jones (2021), p. 2" in results
    reader = client.get(link.replace("&amp;", "&")).content.decode()
    assert '<mark class="hit">budgets were pooled</mark>' in reader


def test_words_found_apart_are_each_marked(client, viewer, attached):
    client.force_login(viewer)
    reader = client.get(_link(attached.source, "pooled budgets").replace("&amp;", "&"))
    page = reader.content.decode()
    assert '<mark class="hit">budgets</mark>' in page and '<mark class="hit">pooled</mark>' in page


def test_pages_of_reviews_one_may_not_read_are_not_found(client, outsider, attached):
    client.force_login(outsider)
    assert "p. 2" not in client.get(reverse("hub:search"), {"q": "pooled"}).content.decode()
