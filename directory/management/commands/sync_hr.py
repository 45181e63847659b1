from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from directory.imports import do_confirm_import, do_create_import, run_import
from directory.models import ImportJob
from rse.accounts.models import User
from rse.accounts.roles import Role


class Command(BaseCommand):
    help = "Synchronise the directory with the HR system's employee CSV (for a scheduled job)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV: employee_id, email, first_name, last_name, title, org_unit_path, …")
        parser.add_argument(
            "--as", dest="as_email", help="E-mail of the HR analyst or administrator recorded as the author."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show the preview and change nothing.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="The file is the complete list: deactivate provisioned employees missing from it.",
        )

    def handle(self, path, as_email=None, dry_run=False, full=False, **options):
        actor = self._actor(as_email)
        try:
            with open(path, "rb") as handle:
                upload = SimpleUploadedFile(path.rsplit("/", 1)[-1], handle.read())
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            job = do_create_import(actor, ImportJob.Kind.HR, upload, full_sync=full)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{actor} may not provision employees (HR analyst or administrator only).") from exc
        counts = job.preview["counts"]
        self.stdout.write(
            f"{job.total} valid rows ({job.encoding}): {counts['create']} to create, {counts['update']} to update, "
            f"{counts['skip']} unchanged, {counts['deactivate']} leavers, {len(job.rejected)} rejected, "
            f"{counts['reject']} refused (conflicts)."
        )
        for row in job.rejected:
            self.stdout.write(f"  line {row['line']}: {row['reason']}")
        for row in job.preview.get("rows", []):
            if row["action"] == "reject":  # a conflict with the directory (accounts HR may not change)
                self.stdout.write(f"  line {row['line']}: refused: {row['reason']}")
        for warning in job.preview.get("warnings", []):
            self.stdout.write(f"  {warning}")
        if job.blocking_errors:
            for error in job.blocking_errors:
                self.stderr.write(error)
            job.status = ImportJob.Status.CANCELLED
            job.save(update_fields=["status", "updated_at"])
            raise CommandError("Nothing was imported.")
        if dry_run:
            job.status = ImportJob.Status.CANCELLED
            job.save(update_fields=["status", "updated_at"])
            self.stdout.write("Dry run: nothing changed.")
            return
        do_confirm_import(actor, job)
        run_import(job.pk)  # apply here: a scheduled sync wants the result now, not in a queue
        job.refresh_from_db()
        if job.status != ImportJob.Status.DONE:
            raise CommandError(f"Import failed: {job.error}")
        result = job.result
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {result['create']} created, {result['update']} updated, {result['skip']} unchanged, "
                f"{result['deactivate']} deactivated, {result['managers']} manager links changed."
            )
        )

    def _actor(self, email):
        users = User.objects.filter(is_active=True)
        if email:
            actor = users.filter(email__iexact=email).first()
            if actor is None:
                raise CommandError(f"No active user {email}.")
            return actor
        actor = (
            users.filter(is_superuser=True).order_by("pk").first()
            or users.filter(groups__name__in=[Role.ADMINISTRATOR.value, Role.HR_ANALYST.value]).order_by("pk").first()
        )
        if actor is None:
            raise CommandError("No administrator or HR analyst to act as: pass --as <email>.")
        return actor
