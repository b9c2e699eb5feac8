"""Who acts on whom: directed links between actors, read from the events' participants.

A visitor visits a host (meets them at a meeting, holds talks with them at talks), a supplier
supplies a recipient, a captor captures a captive; two negotiators negotiate with each other.
The page draws them as a small SVG on the server, with the same links as a list beside it for
those who do not see the picture.
"""

import math
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

WIDTH, HEIGHT = 760, 380
RADIUS = 150
NODE_GAP = 16  # where a line stops short of its node's dot


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
    """An actor's dot and name. Coordinates are strings, so that no locale ever writes a
    decimal comma into the SVG."""

    actor: object
    x: str
    y: str
    label_x: str
    label_y: str
    anchor: str

    def svg(self):
        """The dot and, beside it, the actor's name."""
        anchor = ' text-anchor="end"' if self.anchor == "end" else ""
        name = html_text(self.actor.name)
        return (
            f'<circle cx="{self.x}" cy="{self.y}" r="5"/>'
            f'<text x="{self.label_x}" y="{self.label_y}"{anchor}>{name}</text>'
        )


@dataclass
class Line:
    x1: str
    y1: str
    x2: str
    y2: str
    mutual: bool
    not_yet: bool

    def svg(self):
        """The line, dashed between negotiators, dotted for what has not happened (CSS)."""
        classes = "relation"
        if self.mutual:
            classes += " relation-mutual"
        if self.not_yet:
            classes += " relation-not-yet"
        return f'<path class="{classes}" d="M{self.x1} {self.y1}L{self.x2} {self.y2}"/>'


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


def drawing(events):
    """The links with the positions to draw them at: actors on a circle, in name order."""
    found = links(events)
    actors = {}
    for link in found:
        actors.setdefault(link.source.slug, link.source)
        actors.setdefault(link.target.slug, link.target)
    ordered = sorted(actors.values(), key=lambda actor: actor.name.casefold())
    centre_x, centre_y = WIDTH / 2, HEIGHT / 2
    nodes, position = [], {}
    for index, actor in enumerate(ordered):
        angle = -math.pi / 2 + 2 * math.pi * index / max(len(ordered), 1)
        x, y = centre_x + RADIUS * math.cos(angle), centre_y + RADIUS * math.sin(angle)
        position[actor.slug] = (x, y)
        right = math.cos(angle) >= -0.01
        nodes.append(
            Node(
                actor=actor,
                x=f"{x:.1f}",
                y=f"{y:.1f}",
                label_x=f"{x + (9 if right else -9):.1f}",
                label_y=f"{y + 4 + (10 if math.sin(angle) > 0.9 else 0):.1f}",
                anchor="start" if right else "end",
            )
        )
    lines = []
    for link in found:
        (x1, y1), (x2, y2) = position[link.source.slug], position[link.target.slug]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        dx, dy = (x2 - x1) / length, (y2 - y1) / length
        lines.append(
            Line(
                x1=f"{x1 + dx * 6:.1f}",
                y1=f"{y1 + dy * 6:.1f}",
                x2=f"{x2 - dx * NODE_GAP:.1f}",
                y2=f"{y2 - dy * NODE_GAP:.1f}",
                mutual=link.mutual,
                not_yet=all(event.status in NOT_YET for event in link.events),
            )
        )
    # Written here rather than in the template, like the timeline's marks (briefing.timeline).
    marks = [line.svg() for line in lines] + [node.svg() for node in nodes]
    return {
        "nodes": nodes,
        "marks": Markup("".join(marks)),  # noqa: S704 - names escaped, numbers ours
        "links": found,
        "width": WIDTH,
        "height": HEIGHT,
    }
