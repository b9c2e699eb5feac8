"""Who acts on whom, read from events' participants (briefing.relations)."""

from types import SimpleNamespace

from briefing import relations


def actor(name, plural=False):
    return SimpleNamespace(slug=name.lower().replace(" ", "-"), name=name, plural_name=plural)


def event(kind, status="occurred", **roles):
    participants = [
        SimpleNamespace(actor=member, role=role)
        for role, members in roles.items()
        for member in members
    ]
    return SimpleNamespace(kind=kind, status=status, participants=participants)


def sentences(events):
    return {(link.sentence, link.mutual) for link in relations.links(events)}


RUDENKO, CHOE = actor("Andrey Rudenko"), actor("Choe Son Hui")
RUSSIA, NORTH_KOREA = actor("Russia"), actor("North Korea")


def test_what_a_visitor_does_to_its_host_follows_the_event():
    assert sentences([event("visit", visitor=[RUDENKO], host=[CHOE])]) == {
        ("Andrey Rudenko visits Choe Son Hui", False)
    }
    assert sentences([event("meeting", "planned", visitor=[RUDENKO], host=[CHOE])]) == {
        ("Andrey Rudenko is to meet Choe Son Hui", False)
    }
    assert sentences([event("talks", visitor=[RUDENKO], host=[CHOE])]) == {
        ("Andrey Rudenko holds talks with Choe Son Hui", False)
    }


def test_negotiators_at_talks_hold_talks_with_each_other_and_are_drawn_both_ways():
    talks = event("talks", negotiator=[RUSSIA, NORTH_KOREA], visitor=[RUDENKO], host=[CHOE])
    assert sentences([talks]) == {
        ("North Korea holds talks with Russia", True),
        ("Andrey Rudenko holds talks with Choe Son Hui", False),
    }
    drawn = relations.drawing([talks])["marks"]
    assert drawn.count('class="relation relation-mutual"') == 1
    assert drawn.count('class="relation"') == 1
    assert sentences([event("negotiation", negotiator=[RUSSIA, NORTH_KOREA])]) == {
        ("North Korea negotiates with Russia", True)
    }


def test_a_plural_name_takes_a_plural_verb_and_what_has_not_happened_is_not_said_to_have():
    soldiers = actor("Paek and Ri", plural=True)
    assert sentences([event("talks", "planned", visitor=[soldiers], host=[CHOE])]) == {
        ("Paek and Ri are to hold talks with Choe Son Hui", False)
    }
    assert sentences([event("combat", "speculated", combatant=[soldiers], target=[RUSSIA])]) == {
        ("Paek and Ri may fight Russia", False)
    }
