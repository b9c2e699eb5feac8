"""Why a quote is not verbatim: where it stops matching its paragraph, and the article's words."""

import unicodedata

from rapidfuzz import fuzz


def _longest_matching_prefix(quote, text):
    """(length, position in text) of the longest start of `quote` found in `text`."""
    low, high, position = 0, len(quote), 0
    while low < high:
        middle = (low + high + 1) // 2
        found = text.find(quote[:middle])
        if found >= 0:
            low, position = middle, found
        else:
            high = middle - 1
    return low, position


def _character(char):
    if not char:
        return "the end of the paragraph"
    name = unicodedata.name(char, "").lower() or "a character"
    return f"“{char}” ({name}, U+{ord(char):04X})"


def closest_words(quote, text):
    """The paragraph's words most like `quote`, or ""."""
    aligned = fuzz.partial_ratio_alignment(quote, text, score_cutoff=60)
    if aligned is None:
        return ""
    return text[aligned.dest_start : aligned.dest_end].strip()


def _common_run(quote, text, position):
    run = 0
    while run < len(quote) and position + run < len(text) and quote[run] == text[position + run]:
        run += 1
    return run


def quote_mismatch(quote, text):
    """Say where `quote` stops matching `text` and offer the article's exact words."""
    matched, position = _longest_matching_prefix(quote, text)
    exact = closest_words(quote, text)
    if exact:
        # Where the quote most likely begins, even when its first character differs (“we”/“We”).
        start = text.index(exact)
        if _common_run(quote, text, start) >= matched or matched < 3:
            position, matched = start, _common_run(quote, text, start)
    offer = f" The article's exact words are most likely: “{exact}”." if exact else ""
    has = quote[matched]
    article_has = text[position + matched : position + matched + 1]
    if matched == 0 and not exact:
        return "Not even the quote's first character occurs in the paragraph."
    where = f"up to “{quote[:matched][-40:]}”, then" if matched else "from its first character:"
    return (
        f"The quote differs from the paragraph {where} has {_character(has)} where the article "
        f"has {_character(article_has)}.{offer}"
    )
