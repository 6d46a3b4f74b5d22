"""AnswerAggregate and TellTally move here from the lessons app (they count purged answers).

The tables were made by lessons/migrations/0004_learners.py and are taken over in place: first
the models join the quiz app's state on their old tables (no SQL), then the tables are renamed
to the quiz app's names, rows and all. This is the one place the quiz app's history names the
lessons app: it must run after the lessons migration that made the tables and the one that
dropped them from the lessons state.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0001_initial"),
        ("lessons", "0005_answer_records_to_quiz"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AnswerAggregate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField()),
                        ('answers', models.PositiveIntegerField(default=0)),
                        ('right', models.PositiveIntegerField(default=0)),
                        ('confident_answers', models.PositiveIntegerField(default=0)),
                        ('confidence_sum', models.PositiveIntegerField(default=0)),
                        ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answer_aggregates', to='quiz.item')),
                    ],
                    options={
                        'db_table': 'lessons_answeraggregate',
                        'constraints': [models.UniqueConstraint(fields=('item', 'month'), name='answer_aggregate_once')],
                    },
                ),
                migrations.CreateModel(
                    name='TellTally',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('tell_category', models.CharField(choices=[('blinking', 'Blinking'), ('teeth_mouth', 'Teeth & mouth'), ('lighting', 'Lighting & reflections'), ('face_edges', 'Face edges & flicker'), ('skin', 'Skin tone & texture'), ('hair_detail', 'Hair & fine detail'), ('accessories', 'Accessories'), ('lip_sync', 'Lip sync'), ('voice_audio', 'Voice & audio'), ('background', 'Background'), ('speed_change', 'Speed change'), ('cut_splice', 'Cut / splice'), ('context_caption', 'Context / caption'), ('crop', 'Crop')], max_length=20)),
                        ('answers', models.PositiveIntegerField(default=0)),
                        ('right', models.PositiveIntegerField(default=0)),
                        ('student', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tell_tallies', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'lessons_telltally',
                        'constraints': [models.UniqueConstraint(fields=('student', 'tell_category'), name='tell_tally_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="answeraggregate", table=None),
        migrations.AlterModelTable(name="telltally", table=None),
    ]
