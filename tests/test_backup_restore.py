"""The backup and restore procedure of docs/deployment.md, run for real on PostgreSQL: pg_dump -Fc
and a tar of MEDIA_ROOT, pg_restore into a fresh database and the files into a fresh folder,
then `migrate` and `check_media` against them, and every answer and every file found again.

PostgreSQL only (the procedure is pg_dump's): skipped unless DATABASE_URL is PostgreSQL and
pg_dump, pg_restore, createdb, dropdb and tar are on PATH.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from unittest import skipUnless
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, TransactionTestCase

from media_library.management.commands.check_media import file_fields
from media_library.models import Clip, ProcessingStatus, PublicationState, Verdict
from quiz.models import Answer, Attempt
from tests.base import isolated_media
from tests.factories import answer_key, make_image, make_item, make_quiz, make_user
from tests.factories import start as start_attempt

TOOLS = ("pg_dump", "pg_restore", "createdb", "dropdb", "tar")
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
BASE_DIR = Path(settings.BASE_DIR)


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}{port}/{name}"


def run(*command: str | Path, env: dict | None = None) -> str:
    """One command of the procedure, as an operator types it; its output, or the test fails."""
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=BASE_DIR,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"{command[0]} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def hashes(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@skipUnless(ON_POSTGRES, "backup and restore are pg_dump's: run with DATABASE_URL=postgres://…")
@skipUnless(all(shutil.which(tool) for tool in TOOLS), f"needs {', '.join(TOOLS)} on PATH")
class BackupRestoreTests(TransactionTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.media_root, self.work, self.backup, self.restored_media = isolated_media(
            self, "media", "work", "backup", "restored-media"
        )

    def make_library_with_answers(self) -> int:
        """Two processed image clips (uploads, library files, posters, quiz renditions) and a
        learner's answers to a quiz over them, in two attempts."""
        curator = make_user("curator_of_the_backup", curator=True)
        clips = []
        for number, (verdict, colour_size) in enumerate(
            [(Verdict.REAL, (96, 64)), (Verdict.SHALLOWFAKE, (80, 64))], start=1
        ):
            image = make_image(
                self.work.parent / f"photo-{number}.png", size=colour_size, fmt="PNG"
            )
            upload = SimpleUploadedFile(image.name, image.read_bytes())
            fields = {"technique": "crop"} if verdict == Verdict.SHALLOWFAKE else {}
            clip = Clip.objects.create_from_upload(
                upload, curator, title=f"Backed-up photo {number}", verdict=verdict, **fields
            )
            clip.refresh_from_db()
            self.assertEqual(clip.processing_status, ProcessingStatus.READY, clip.processing_error)
            clips.append(clip)
        Clip.objects.filter(pk__in=[c.pk for c in clips]).update(
            publication_state=PublicationState.PUBLISHED, licence="CC0", depicts_people=False
        )
        quiz = make_quiz([make_item(clip) for clip in clips], title="Backed-up quiz")
        learner = make_user("learner_of_the_backup")
        client = Client()
        client.force_login(learner)
        for _round in range(2):
            attempt = start_attempt(client, quiz)
            for position in (1, 2):
                data = {"key": answer_key(client, attempt, position), "verdict": "real"}
                response = client.post(
                    f"/attempts/{attempt.uid}/items/{position}/answer/",
                    {**data, "confidence": "70"},
                )
                self.assertEqual(response.status_code, 302)
        return Answer.objects.count()

    def rows(self, url: str | None, table: str) -> list[str]:
        """Every row of `table` as JSON text, in the test database (url None) or another one
        (text in UTC on both sides, so the two drivers' types do not differ)."""
        query = f'SELECT to_jsonb(t)::text FROM "{table}" t ORDER BY 1'  # noqa: S608 (a model's table)
        if url is None:
            with connection.cursor() as cursor:
                cursor.execute("SET TIME ZONE 'UTC'")
                cursor.execute(query)
                return [row[0] for row in cursor.fetchall()]
        with psycopg.connect(url) as restored, restored.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
            cursor.execute(query)
            return [row[0] for row in cursor.fetchall()]

    def test_it_restores_every_answer_and_every_file_into_a_fresh_database_and_folder(
        self,
    ) -> None:
        answers = self.make_library_with_answers()
        self.assertEqual(answers, 4)
        named = {
            getattr(row, field.attname).name
            for model, field in file_fields()
            for row in model._default_manager.all()
            if getattr(row, field.attname)
        }
        self.assertGreaterEqual(len(named), 10)  # uploads, library files, posters, renditions
        original_files = hashes(self.media_root)
        self.assertTrue(named <= set(original_files), named - set(original_files))

        # Back up, as docs/deployment.md says: the database first, then the files.
        source_url = database_url(connection.settings_dict["NAME"])
        dump = self.backup / "telltale.dump"
        run("pg_dump", "-Fc", "--no-owner", "-d", source_url, "-f", dump)
        archive = self.backup / "telltale-media.tar.gz"
        run("tar", "-C", self.media_root, "-czf", archive, ".")

        # Restore into a fresh database and a fresh folder.
        fresh = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
        fresh_url = database_url(fresh)
        admin = database_url("postgres")
        run("createdb", "--maintenance-db", admin, fresh)
        self.addCleanup(run, "dropdb", "--if-exists", "--maintenance-db", admin, fresh)
        run("pg_restore", "--no-owner", "--exit-on-error", "-d", fresh_url, dump)
        run("tar", "-C", self.restored_media, "-xzf", archive)

        # Then, pointed at them, migrate and check every row's file.
        site = {
            "DATABASE_URL": fresh_url,
            "MEDIA_ROOT": str(self.restored_media),
            "TELLTALE_ALLOW_DEV_SECRET": "1",
        }
        manage = (sys.executable, "manage.py")
        run(*manage, "migrate", "--no-input", env=site)
        output = run(*manage, "check_media", env=site)
        self.assertIn(f"Checked {len(named)} files", output)
        self.assertIn("all present.", output)

        # Every answer, attempt and clip row is there as it was, and every file byte for byte.
        for model in (Answer, Attempt, Clip):
            table = model._meta.db_table
            self.assertEqual(self.rows(fresh_url, table), self.rows(None, table), table)
        self.assertEqual(len(self.rows(fresh_url, Answer._meta.db_table)), answers)
        self.assertEqual(hashes(self.restored_media), original_files)

        # And the check is not a formality: a file lost in the restore is named.
        lost = sorted(name for name in named if name.startswith("quiz/"))[0]
        (self.restored_media / lost).unlink()
        done = subprocess.run(
            [*manage, "check_media"],
            capture_output=True,
            text=True,
            env={**os.environ, **site},
            cwd=BASE_DIR,
            check=False,
        )
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn(f"Missing 1 of {len(named)} files:", done.stdout)
        self.assertIn(f": {lost}", done.stdout)
