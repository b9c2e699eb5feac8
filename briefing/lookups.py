"""Query lookups that keep a crafted number from reaching the database."""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    """`in` that leaves out the integers the column cannot hold: they could never match.

    Django already does so for `exact`, `gt`, `lt` … (IntegerFieldOverflow) but not for `in`,
    and SQLite cannot even bind an integer above 2**63: a crafted id in an admin action, an
    autocomplete field or a prefilled add form raised OverflowError, a 500.
    """

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            try:
                low, high = connection.ops.integer_field_range(
                    self.lhs.output_field.get_internal_type()
                )
            except KeyError:  # a field type the backend gives no range for
                low = high = None
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


# Primary keys are BigAutoFields on every backend the site runs on.
LARGEST_ID = 2**63 - 1


def as_id(value):
    """`value` as an id an object could have (a number from 1 to 2**63 - 1), else None."""
    try:
        number = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= LARGEST_ID else None
