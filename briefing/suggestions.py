"""What the desk proposes from an article's own words: never saved without an editor.

Sentences come from pysbd and keep the article's text verbatim with their offsets, so a quote
cut from them always passes the claim's verbatim check. Attribution cues, dates, the dateline and
mentions of known actors are found in a sentence and offered with the words they rest on.
"""

import datetime
import re
from dataclasses import dataclass, field

import dateparser
import pysbd
from django.utils.dateformat import format as format_date
from rapidfuzz import fuzz

# Sentences --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """One sentence of a paragraph: its text exactly as the paragraph has it, and where."""

    text: str
    start: int
    end: int


_segmenter = pysbd.Segmenter(language="en", clean=False)


def split_sentences(text):
    """The paragraph's sentences, verbatim, with their offsets in `text`; whitespace between."""
    sentences = []
    cursor = 0
    for segment in _segmenter.segment(text):
        words = segment.strip()
        if not words:
            continue
        start = text.find(words, cursor)
        if start < 0:
            # The segmenter changed the text (it should not): keep the rest as one sentence.
            rest = text[cursor:].strip()
            if rest:
                start = text.index(rest, cursor)
                sentences.append(Sentence(rest, start, start + len(rest)))
            return sentences
        sentences.append(Sentence(words, start, start + len(words)))
        cursor = start + len(words)
    return sentences


# Attribution cues -------------------------------------------------------------------------

# A name as a news report writes one: capitalised words, possibly joined by "of" or "the".
_WORD = r"[A-Z](?:[\w'’-]|\.(?=\w))*"
_NAME = rf"{_WORD}(?:\s+(?:of\s+the\s+|of\s+|for\s+|de\s+)?{_WORD})*"
_SPEAKER = rf"(?:the\s+)?(?:{_NAME}|state media|officials|analysts|experts)"
_SAYING = r"said|says|told|reported|reports|suggested|suggests|stated|claimed|claims|added|announced|warned|wrote"  # noqa: E501


@dataclass(frozen=True)
class Cue:
    """Words in a sentence that say whose claim it is, or how sure it is."""

    phrase: str
    start: int
    end: int
    status: str  # a Claim.Status value
    who: str = ""


_CUES = [
    (re.compile(rf"\b[Aa]ccording to (?P<who>{_SPEAKER})"), "attributed"),
    (re.compile(rf"(?P<who>{_SPEAKER}),?\s+(?:was|were)\s+quoted\s+as\s+saying"), "attributed"),
    (re.compile(rf"(?P<who>{_SPEAKER}),?\s+(?:{_SAYING})\b"), "attributed"),
    (re.compile(rf"\b(?:{_SAYING})\s+(?P<who>{_NAME})"), "attributed"),
    (re.compile(r"\b(?:reportedly|allegedly|purportedly)\b", re.IGNORECASE), "alleged"),
    (re.compile(r"[“\"][^”\"]{3,}[”\"]"), "attributed"),
    (re.compile(r"\b(?:may|might|could)\b"), "speculation"),
]

# Which status a sentence gets when it carries several cues.
_STATUS_STRENGTH = ["alleged", "attributed", "speculation"]
_NOT_A_SPEAKER = {"He", "She", "They", "It", "We", "I", "This", "That", "The"}


def find_cues(text):
    """Attribution cues in a sentence, in order, without overlaps."""
    found = []
    for pattern, status in _CUES:
        for match in pattern.finditer(text):
            who = (match.groupdict().get("who") or "").strip()
            who = re.sub(r"^the\s+", "", who, flags=re.IGNORECASE)
            if who in _NOT_A_SPEAKER:
                who = ""
            found.append(Cue(match.group(), match.start(), match.end(), status, who))
    return without_overlaps(found)


def suggested_status(cues):
    """Stated, unless a cue says attributed, alleged or speculation."""
    statuses = {cue.status for cue in cues}
    for status in _STATUS_STRENGTH:
        if status in statuses:
            return status
    return "stated"


def without_overlaps(spans, key=None):
    """Keep the longest of overlapping spans (or the best by `key`), in text order."""
    key = key or (lambda span: span.end - span.start)
    kept = []
    for span in sorted(spans, key=key, reverse=True):
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda span: span.start)


# Dates ------------------------------------------------------------------------------------

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?"
)
_FUTURE = re.compile(r"\b(?:will|shall|is to|are to|plans?|planned|expected|next|due)\b", re.I)

_DATE_PHRASES = re.compile(
    rf"""
    (?P<absolute>\b\d{{1,2}}\s+(?:{_MONTHS})(?:,?\s+\d{{4}})?\b
      |\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b)
    |(?P<month_year>\b(?:{_MONTHS})\s+\d{{4}}\b)
    |(?P<year>\b(?:in|since|by|until|of)\s+(?:1[89]|2[01])\d\d\b)
    |(?P<weekday>\b(?:on\s+|last\s+|this\s+|next\s+)?(?:{"|".join(_WEEKDAYS)})\b)
    |(?P<relative_day>\b(?:yesterday|today|tonight|last\s+night)\b)
    |(?P<within>\b(?:earlier|later)\s+this\s+(?:week|month|year)\b)
    |(?P<period>\b(?:this|last|next)\s+(?:week|month|year)\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class DateSuggestion:
    """A dated phrase and the EDTF date it gives, with how it was worked out in words."""

    phrase: str
    start: int
    end: int
    edtf: str
    basis: str  # an Event.DateBasis value: stated or inferred
    note: str


def words_of(day):
    return format_date(day, "j F Y")


def find_dates(text, article_date):
    """Dated phrases of a sentence, resolved against the article's date where they need it."""
    found = []
    for match in _DATE_PHRASES.finditer(text):
        # The future is read from the phrase's own clause: "will" in a quote elsewhere is not it.
        clause = re.split(r"[,;:“”\"]", text[: match.start()])[-1] + match.group()
        future = bool(_FUTURE.search(clause))
        resolved = resolve_date(match.group(), article_date, future=future)
        if resolved is not None:
            edtf, basis, note = resolved
            found.append(
                DateSuggestion(match.group(), match.start(), match.end(), edtf, basis, note)
            )
    return found


def resolve_date(phrase, article_date, future=False):
    """(EDTF, basis, note) for a dated phrase of a report dated `article_date`, or None.

    A report's weekday means the day itself or the nearest one before it ("on Wednesday" in
    a report of Wednesday 19 June is 19 June, where a general parser preferring the past says
    12 June), the nearest after it when the sentence speaks of the future; a day without a year
    is the nearest such day not after the report (before it, for the future).
    """
    words = " ".join(phrase.split())
    lowered = words.lower()
    if article_date is None:
        return _stated_only(words)
    dated = f"in an article dated {words_of(article_date)}"

    def inferred(edtf):
        return edtf, "inferred", f"‘{words}’ {dated} → {edtf}, inferred"

    weekday = next((day for day in _WEEKDAYS if day in lowered), None)
    if weekday is not None:
        target = _WEEKDAYS.index(weekday)
        if lowered.startswith("next") or (future and not lowered.startswith("last")):
            ahead = (target - article_date.weekday()) % 7
            day = article_date + datetime.timedelta(days=ahead)
        else:
            back = (article_date.weekday() - target) % 7
            if lowered.startswith("last") and back == 0:
                back = 7
            day = article_date - datetime.timedelta(days=back)
        return inferred(day.isoformat())
    if lowered in ("yesterday", "last night"):
        return inferred((article_date - datetime.timedelta(days=1)).isoformat())
    if lowered in ("today", "tonight"):
        return inferred(article_date.isoformat())
    if lowered.endswith("week"):
        monday = article_date - datetime.timedelta(days=article_date.weekday())
        if lowered.startswith("earlier"):
            return inferred(f"[{monday.isoformat()}..{article_date.isoformat()}]")
        if lowered.startswith("later"):
            sunday = monday + datetime.timedelta(days=6)
            return inferred(f"[{article_date.isoformat()}..{sunday.isoformat()}]")
        shift = {"last": -7, "next": 7}.get(lowered.split()[0], 0)
        first = monday + datetime.timedelta(days=shift)
        return inferred(f"{first.isoformat()}/{(first + datetime.timedelta(days=6)).isoformat()}")
    if lowered.endswith("month"):
        first = article_date.replace(day=1)
        if lowered.startswith("earlier"):
            return inferred(f"[{first.isoformat()}..{article_date.isoformat()}]")
        if lowered.startswith("later"):
            last = (first + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
            return inferred(f"[{article_date.isoformat()}..{last.isoformat()}]")
        if lowered.startswith("last"):
            first = (first - datetime.timedelta(days=1)).replace(day=1)
        elif lowered.startswith("next"):
            first = (first + datetime.timedelta(days=31)).replace(day=1)
        return inferred(f"{first:%Y-%m}")
    if lowered.endswith("year"):
        year = article_date.year
        if lowered.startswith("earlier"):
            return inferred(f"[{year}-01-01..{article_date.isoformat()}]")
        if lowered.startswith("later"):
            return inferred(f"[{article_date.isoformat()}..{year}-12-31]")
        year += {"last": -1, "next": 1}.get(lowered.split()[0], 0)
        return inferred(f"{year:04d}")
    if re.search(r"\d{4}$", lowered):
        return _stated_only(words)
    return _without_year(words, article_date, future, inferred)


def _stated_only(words):
    """A phrase that carries its own year: the date it states, or None."""
    year_only = re.fullmatch(r"(?:in|since|by|until|of)\s+(\d{4})", words, re.IGNORECASE)
    if year_only:
        return year_only.group(1), "stated", f"‘{words}’ → {year_only.group(1)}, stated"
    if not re.search(r"\d{4}", words):
        return None
    parsed = dateparser.parse(words, languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first"})
    if parsed is None:
        return None
    has_day = bool(
        re.search(r"(?:^|\D)\d{1,2}(?:st|nd|rd|th)?(?:\D|$)", words.replace(str(parsed.year), ""))
    )
    edtf = parsed.date().isoformat() if has_day else f"{parsed:%Y-%m}"
    return edtf, "stated", f"‘{words}’ → {edtf}, stated"


def _without_year(words, article_date, future, inferred):
    """A day and month without a year: the nearest such day on the side the sentence speaks of."""
    base = datetime.datetime.combine(article_date, datetime.time())
    parsed = dateparser.parse(
        words,
        languages=["en"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future" if future else "past"},
    )
    if parsed is None:
        return None
    day = parsed.date()
    # The parser's choice of year is checked, not trusted: the nearest day on the right side.
    day = day.replace(year=article_date.year) if _valid_in(day, article_date.year) else day
    try:
        if future and day < article_date:
            day = day.replace(year=article_date.year + 1)
        elif not future and day > article_date:
            day = day.replace(year=article_date.year - 1)
    except ValueError:
        return None  # 29 February in a year without one: no honest guess
    return inferred(day.isoformat())


def _valid_in(day, year):
    try:
        day.replace(year=year)
    except ValueError:
        return False
    return True


# The dateline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dateline:
    """“MOSCOW, June 19 (AFP):” read as the place, the date and the outlet."""

    phrase: str
    place: str
    outlet: str
    date: datetime.date | None
    note: str


_DATELINE = re.compile(
    rf"""^\s*(?P<place>[A-Z][A-Z .'’-]+?)
    (?:,\s*(?P<date>(?:{_MONTHS})\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+(?:{_MONTHS})(?:\s+\d{{4}})?))?
    \s*\((?P<outlet>[^)]{{2,60}})\)\s*(?:[:\-–—]+)\s*""",
    re.VERBOSE,
)


def parse_dateline(text, today=None):
    """The dateline that opens an article, or None; a date without a year is the latest not
    after `today` (the day the article was pasted)."""
    match = _DATELINE.match(text)
    if match is None:
        return None
    place = match.group("place").strip().title()
    outlet = match.group("outlet").strip()
    day, note = None, ""
    if match.group("date"):
        words = " ".join(match.group("date").split())
        if re.search(r"\d{4}", words):
            parsed = dateparser.parse(words, languages=["en"])
            day = parsed.date() if parsed else None
            note = f"‘{words}’ → {day}, stated" if day else ""
        else:
            today = today or datetime.date.today()
            resolved = _without_year(words, today, False, lambda edtf: (edtf, "", ""))
            if resolved:
                day = datetime.date.fromisoformat(resolved[0])
                note = f"‘{words}’ without a year, read as the latest not after {words_of(today)}"
    return Dateline(match.group().strip(), place, outlet, day, note)


# Actors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """Words of a sentence that name an actor (`actor` None: a name no actor has yet)."""

    text: str
    start: int
    end: int
    actor: object = None
    name: str = ""
    score: float = 100.0


@dataclass
class NameIndex:
    """Every name and alias of some objects (actors or sources), to find and to compare."""

    entries: list = field(default_factory=list)  # (name, object)

    @classmethod
    def of(cls, objects):
        index = cls()
        for obj in objects:
            for name in names_of(obj):
                index.entries.append((name, obj))
        return index


def names_of(obj):
    """An actor's or source's name and every alias it has."""
    names = [obj.name]
    for attribute in ("alias_list", "editors_alias_list"):
        names += getattr(obj, attribute, [])
    return [name for name in dict.fromkeys(names) if name]


FUZZY_CUTOFF = 88


def find_actors(text, index):
    """Known actors named in a sentence, by name or alias, spelled closely enough."""
    found = []
    for name, actor in index.entries:
        if len(name) < 2:
            continue
        exact = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
        if exact:
            found.append(Mention(exact.group(), exact.start(), exact.end(), actor, name, 100.0))
            continue
        if len(name) < 5:
            continue
        aligned = fuzz.partial_ratio_alignment(
            _comparable(name), _comparable(text), score_cutoff=FUZZY_CUTOFF
        )
        if aligned is None:
            continue
        start, end = _widen_to_words(text, aligned.dest_start, aligned.dest_end)
        found.append(Mention(text[start:end], start, end, actor, name, aligned.score))
    best = without_overlaps(found, key=lambda m: (m.score, m.end - m.start))
    seen, mentions = set(), []
    for mention in best:
        if mention.actor.pk not in seen:
            seen.add(mention.actor.pk)
            mentions.append(mention)
    return mentions


def _comparable(text):
    """Lower case, punctuation as spaces, every character where it was: offsets still hold."""
    return "".join(c.lower() if c.isalnum() else " " for c in text)


def _widen_to_words(text, start, end):
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


_CAPITALISED = re.compile(r"(?<![\w’'])[A-Z][\w’'-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w’'-]*)*")
_NOT_NAMES = {
    *(day.title() for day in _WEEKDAYS),
    *(month for month in _MONTHS.split("|") if month.isalpha()),
    *[
        "The",
        "A",
        "An",
        "He",
        "She",
        "It",
        "They",
        "We",
        "I",
        "On",
        "In",
        "At",
        "By",
        "For",
        "But",
        "And",
        "Or",
        "As",
        "After",
        "Before",
        "While",
        "When",
        "This",
        "That",
        "His",
        "Her",
        "Their",
        "Its",
        "Our",
        "According",
        "Meanwhile",
        "However",
        "Earlier",
        "Later",
        "Last",
        "Next",
    ],
}


def unknown_names(text, mentions):
    """Capitalised names in a sentence that no known actor matched: candidates for new actors."""
    names = []
    for match in _CAPITALISED.finditer(text):
        words = match.group().split()
        while words and words[0] in _NOT_NAMES:
            words.pop(0)
        if not words:
            continue
        name = " ".join(words)
        start = match.start() + match.group().index(words[0])
        end = start + len(name)
        if any(start < m.end and end > m.start for m in mentions):
            continue
        names.append(Mention(name, start, end))
    return names


def close_matches(name, index, cutoff=FUZZY_CUTOFF):
    """Objects whose name or alias closely matches `name`: (object, their name, score), best first.

    Close is a spelling within the cutoff, or one name contained in the other as whole words
    (“Putin” and “Vladimir Putin”).
    """
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return []
    best = {}
    for other, obj in index.entries:
        candidate = other.casefold()
        score = fuzz.ratio(wanted, candidate)
        if score < cutoff and min(len(wanted), len(candidate)) >= 4:
            shorter, longer = sorted((wanted, candidate), key=len)
            if re.search(rf"(?<!\w){re.escape(shorter)}(?!\w)", longer):
                score = max(score, 90.0)
        if score >= cutoff and score > best.get(obj.pk, (None, None, 0))[2]:
            best[obj.pk] = (obj, other, score)
    return sorted(best.values(), key=lambda match: -match[2])


def best_match(name, index):
    """The object `name` most likely means, or None."""
    matches = close_matches(name, index)
    return matches[0][0] if matches else None
