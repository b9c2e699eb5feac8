"""Who acts on whom: directed links between actors, read from the events' participants.

A visitor visits a host (meets them at a meeting, holds talks with them at talks), a supplier
supplies a recipient, a captor captures a captive; two negotiators negotiate with each other.
The page draws them as a small SVG on the server, with the same links as a list beside it for
those who do not see the picture.
"""

from dataclasses import dataclass, field

from markupsafe import Markup

from briefing.escaping import html_text

# (role acting, role acted on) → what the first does to the second: (as a fact, base form).
DIRECTED = {
    ("visitor", "host"): ("visits", "visit"),
    ("supplier", "recipient"): ("supplies", "supply"),
    ("aggressor", "target"): ("attacks", "attack"),
    ("combatant", "target"): ("fights", "fight"),
    ("captor", "captive"): ("captures", "capture"),
    ("offeror", "recipient"): ("makes an offer to", "make an offer to"),
}
MUTUAL = {"negotiator": ("negotiates with", "negotiate with")}
# Some events say more exactly what a visitor does to its host, or negotiators to each other:
# Rudenko "holds talks with" Choe, Shoigu "is to meet" Kim, not "visits" them.
BY_EVENT_KIND = {
    ("meeting", "visitor"): ("meets", "meet"),
    ("talks", "visitor"): ("holds talks with", "hold talks with"),
    ("talks", "negotiator"): ("holds talks with", "hold talks with"),
}
# An event the article does not report as having happened says no more than it does.
NOT_YET = {"planned": "is to {}", "expected": "is expected to {}", "speculated": "may {}"}

# The picture is an arc diagram: the actors' dots in a column, their names to its right, each
# link an arc to its left. Unlike a circle with names around it, it stays narrow, so the names
# can still be read when a phone shrinks it.
ROW = 22  # from one actor's dot to the next
MARGIN = 14
NAME_GAP = 9  # from a dot to its name
CHARACTER_WIDTH = 8  # wide enough for a 13px sans-serif name (site.css)
ARC_END = 7  # where an arc stops short of its dot
PAIR_SPREAD = 10  # a second link between the same two actors arcs wider


@dataclass
class Link:
    source: object
    target: object
    verb: str
    mutual: bool = False  # negotiators: each does it to the other
    events: list = field(default_factory=list)

    @property
    def sentence(self):
        return f"{self.source.name} {self.verb} {self.target.name}"


@dataclass
class Node:
    """An actor's dot and name. Coordinates are whole numbers, written by Python, so that no
    locale ever writes a decimal comma or a thousands separator into the SVG."""

    actor: object
    x: int
    y: int

    def svg(self):
        """The dot and, beside it, the actor's name."""
        name = html_text(self.actor.name)
        return (
            f'<circle cx="{self.x}" cy="{self.y}" r="5"/>'
            f'<text x="{self.x + NAME_GAP}" y="{self.y + 4}">{name}</text>'
        )


@dataclass
class Arc:
    """A link, left of the column of dots: from the actor who acts to the one acted on."""

    x: int
    y1: int
    y2: int
    bulge: int
    mutual: bool
    not_yet: bool

    def svg(self):
        """Half an ellipse, its arrowhead at the end (both ends between negotiators), dashed
        between negotiators, dotted for what has not happened (CSS)."""
        classes = "relation"
        if self.mutual:
            classes += " relation-mutual"
        if self.not_yet:
            classes += " relation-not-yet"
        # Drawn downwards it turns anticlockwise, upwards clockwise: always out to the left.
        sweep = 0 if self.y2 > self.y1 else 1
        radius_y = abs(self.y2 - self.y1) // 2
        return (
            f'<path class="{classes}" '
            f'd="M{self.x} {self.y1}A{self.bulge} {radius_y} 0 0 {sweep} {self.x} {self.y2}"/>'
        )


def _verb(forms, status, plural=False):
    fact, base = forms
    if status in NOT_YET:
        phrase = NOT_YET[status].format(base)
        return phrase.replace("is ", "are ", 1) if plural else phrase
    return base if plural else fact


def links(events):
    """Every directed link the events' participants make, merged across events."""
    found = {}
    for event in events:
        by_role = {}
        for participant in event.participants:
            by_role.setdefault(participant.role, []).append(participant.actor)
        pairs = []
        for (acting, acted_on), forms in DIRECTED.items():
            forms = BY_EVENT_KIND.get((event.kind, acting), forms)
            pairs += [
                (a, b, _verb(forms, event.status, a.plural_name), False)
                for a in by_role.get(acting, [])
                for b in by_role.get(acted_on, [])
                if a.slug != b.slug
            ]
        for role, forms in MUTUAL.items():
            forms = BY_EVENT_KIND.get((event.kind, role), forms)
            actors = sorted(by_role.get(role, []), key=lambda actor: actor.name.casefold())
            pairs += [
                (a, b, _verb(forms, event.status, a.plural_name), True)
                for i, a in enumerate(actors)
                for b in actors[i + 1 :]
            ]
        for source, target, verb, mutual in pairs:
            link = found.setdefault(
                (source.slug, target.slug, verb, mutual), Link(source, target, verb, mutual)
            )
            if event not in link.events:
                link.events.append(event)
    return list(found.values())


def column_order(found):
    """The actors of the links, in an order that keeps linked actors near each other: first the
    actor with the most links, then each time the one most linked to those already placed (then
    the one with more links, then by name)."""
    actors, neighbours = {}, {}
    for link in found:
        for one, other in ((link.source, link.target), (link.target, link.source)):
            actors[one.slug] = one
            neighbours.setdefault(one.slug, set()).add(other.slug)
    placed = []
    while len(placed) < len(actors):
        slug = min(
            (slug for slug in actors if slug not in placed),
            key=lambda slug: (
                -len(neighbours[slug].intersection(placed)),
                -len(neighbours[slug]),
                actors[slug].name.casefold(),
            ),
        )
        placed.append(slug)
    return [actors[slug] for slug in placed]


def drawing(events):
    """The links with the positions to draw them at: the actors in a column, the links as arcs
    to its left, the column as far right as the widest arc needs."""
    found = links(events)
    ordered = column_order(found)
    y_of = {actor.slug: MARGIN + row * ROW for row, actor in enumerate(ordered)}
    spans, drawn_between = [], {}
    for link in found:
        y1, y2 = y_of[link.source.slug], y_of[link.target.slug]
        pair = frozenset((y1, y2))
        earlier = drawn_between.get(pair, 0)
        drawn_between[pair] = earlier + 1
        spans.append((link, y1, y2, abs(y2 - y1) // 2 + earlier * PAIR_SPREAD))
    column_x = MARGIN + ARC_END + max((bulge for *_, bulge in spans), default=0)
    arcs = [
        Arc(
            x=column_x - ARC_END,
            y1=y1,
            y2=y2,
            bulge=bulge,
            mutual=link.mutual,
            not_yet=all(event.status in NOT_YET for event in link.events),
        )
        for link, y1, y2, bulge in spans
    ]
    nodes = [Node(actor, column_x, y_of[actor.slug]) for actor in ordered]
    longest_name = max((len(actor.name) for actor in ordered), default=0)
    # Written here rather than in the template, like the timeline's marks (briefing.timeline).
    marks = [arc.svg() for arc in arcs] + [node.svg() for node in nodes]
    return {
        "nodes": nodes,
        "marks": Markup("".join(marks)),  # noqa: S704 - names escaped, numbers ours
        "links": found,
        "width": column_x + NAME_GAP + longest_name * CHARACTER_WIDTH + MARGIN,
        "height": 2 * MARGIN + max(len(ordered) - 1, 0) * ROW,
    }
