"""A quote that is not verbatim gets an error that says where it differs and offers the text."""

import pytest
from django.core.exceptions import ValidationError

from briefing.quotes import quote_mismatch
from tests.factories import ClaimFactory, ParagraphFactory

PARAGRAPH = "Putin said: “We will stand together,” before the talks on Wednesday."


def test_straight_quotes_for_curly_ones_are_named_with_the_articles_words():
    message = quote_mismatch('Putin said: "We will stand together,"', PARAGRAPH)
    assert message.startswith(
        "The quote differs from the paragraph up to “Putin said: ”, then has "
        '“"” (quotation mark, U+0022) where the article has '
        "““” (left double quotation mark, U+201C)."
    )
    assert "The article's exact words are most likely: “Putin said: “We will stand together,”" in (
        message
    )


def test_a_quote_running_past_the_paragraph_says_so():
    message = quote_mismatch("talks on Wednesday. And more", PARAGRAPH)
    assert "then has “ ” (space, U+0020) where the article has the end of the paragraph" in message


def test_a_quote_with_nothing_in_common_offers_nothing():
    assert quote_mismatch("§§§", PARAGRAPH) == (
        "Not even the quote's first character occurs in the paragraph."
    )


@pytest.mark.django_db
def test_the_claims_own_check_gives_the_helpful_message():
    paragraph = ParagraphFactory(text=PARAGRAPH)
    claim = ClaimFactory.build(
        briefing=paragraph.briefing, paragraph=paragraph, quote="we will stand together"
    )
    with pytest.raises(ValidationError) as refused:
        claim.clean()
    message = refused.value.message_dict["quote"][0]
    assert message.startswith(f"The quote does not occur verbatim in paragraph {paragraph.number}.")
    assert (
        "differs from the paragraph from its first character: has “w” (latin small letter w, "
        "U+0077) where the article has “W” (latin capital letter w, U+0057)" in message
    )
    assert "most likely: “We will stand together" in message
