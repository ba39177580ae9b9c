"""Dissonance signals' words become a code and parameters (quality.texts), written out when read
in the reader's language. Existing signals are recognised by their kind and the row they point
to; the counts of repeated complaints and unreached calls are read from their words (the first
number, in English and German alike). A signal that cannot be recognised keeps no code and shows
its stored words, which every signal keeps."""

from django.db import migrations, models

# The codes as they were when this migration was written (quality.texts.SIGNAL_CODES), by the
# column of the row the signal points to.
BY_SOURCE = {
    "complaint_id": [
        ("complaint", "quality.signal.complaint"),
        ("unsatisfied_resolution", "quality.signal.unsatisfied_resolution"),
        ("reopened_complaint", "quality.signal.reopened_complaint"),
    ],
    "followup_id": [
        ("followup_concern", "quality.signal.followup_concern"),
        ("missed_followup", "quality.signal.missed_followup"),
    ],
    "survey_response_id": [("low_survey", "quality.signal.low_survey")],
}
COUNTED = {
    "complaint_id": [("repeated_complaint", "quality.signal.repeated_complaint")],
    "followup_id": [("not_reached", "quality.signal.not_reached")],
}
CODE_BY = {
    "complaint_id": "UPDATE quality_dissonancesignal SET summary_code = %s "
    "WHERE kind = %s AND complaint_id IS NOT NULL AND summary_code = ''",
    "followup_id": "UPDATE quality_dissonancesignal SET summary_code = %s "
    "WHERE kind = %s AND followup_id IS NOT NULL AND summary_code = ''",
    "survey_response_id": "UPDATE quality_dissonancesignal SET summary_code = %s "
    "WHERE kind = %s AND survey_response_id IS NOT NULL AND summary_code = ''",
}
COUNT_BY = {
    "complaint_id": "UPDATE quality_dissonancesignal SET summary_code = %s, "
    "summary_params = jsonb_build_object('count', substring(summary from '[0-9]+')::int) "
    "WHERE kind = %s AND complaint_id IS NOT NULL AND summary_code = '' AND summary ~ '[0-9]+'",
    "followup_id": "UPDATE quality_dissonancesignal SET summary_code = %s, "
    "summary_params = jsonb_build_object('count', substring(summary from '[0-9]+')::int) "
    "WHERE kind = %s AND followup_id IS NOT NULL AND summary_code = '' AND summary ~ '[0-9]+'",
}
FORWARDS = [
    *(
        (CODE_BY[column], [code, kind])
        for column, kinds in BY_SOURCE.items()
        for kind, code in kinds
    ),
    *(
        (COUNT_BY[column], [code, kind])
        for column, kinds in COUNTED.items()
        for kind, code in kinds
    ),
]
BACKWARDS = "UPDATE quality_dissonancesignal SET summary_code = '', summary_params = '{}'"


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0009_complaint_corrections"),
    ]

    operations = [
        migrations.AddField(
            model_name="dissonancesignal",
            name="summary_code",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name="dissonancesignal",
            name="summary_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunSQL(FORWARDS, reverse_sql=[BACKWARDS]),
    ]
