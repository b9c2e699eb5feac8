"""The old date columns go once their values live on as EDTF dates (0005)."""

import briefing.dates
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("briefing", "0005_dates_to_edtf")]

    operations = [
        migrations.RemoveField(
            model_name='event',
            name='date_precision',
        ),
        migrations.RemoveField(
            model_name='event',
            name='end_date',
        ),
        migrations.RemoveField(
            model_name='event',
            name='is_ongoing',
        ),
        migrations.RemoveField(
            model_name='event',
            name='start_date',
        ),
        migrations.RemoveField(
            model_name='historicalevent',
            name='date_precision',
        ),
        migrations.RemoveField(
            model_name='historicalevent',
            name='end_date',
        ),
        migrations.RemoveField(
            model_name='historicalevent',
            name='is_ongoing',
        ),
        migrations.RemoveField(
            model_name='historicalevent',
            name='start_date',
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['stated', 'judgement', 'attributed', 'alleged', 'speculation', 'disputed', 'confirmed'])), name='claim_status_valid'),
        ),
        migrations.AlterField(
            model_name='event',
            name='date_edtf',
            field=models.CharField(help_text='As precise as the text allows, in EDTF: 2025-03-21, 2025-03 or 2025; 2025-03-21? uncertain, 2025~ approximate; 2024-10/2025-03 a span, 2022/.. still going on, 2022/ end unknown; [2024-10..2025-03] one moment somewhere in a window, [2025-03-21..] not before. Years 1800–2199.', max_length=64, validators=[briefing.dates.validate_edtf], verbose_name='date (EDTF)'),
        ),
        migrations.AlterField(
            model_name='historicalevent',
            name='date_edtf',
            field=models.CharField(help_text='As precise as the text allows, in EDTF: 2025-03-21, 2025-03 or 2025; 2025-03-21? uncertain, 2025~ approximate; 2024-10/2025-03 a span, 2022/.. still going on, 2022/ end unknown; [2024-10..2025-03] one moment somewhere in a window, [2025-03-21..] not before. Years 1800–2199.', max_length=64, validators=[briefing.dates.validate_edtf], verbose_name='date (EDTF)'),
        ),
    ]
