"""`manage.py run_scheduled`: run the registered scheduled jobs once.

Meant for cron or a systemd timer on every app server (every few minutes); only the run
that takes the advisory lock does the work (see core.scheduling).
"""

from django.core.management.base import BaseCommand, CommandError

from core import scheduling


class Command(BaseCommand):
    help = "Run the registered scheduled jobs once, unless another server is running them."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--job",
            action="append",
            dest="jobs",
            metavar="NAME",
            help="Run only this job (repeatable). Default: all registered jobs.",
        )
        parser.add_argument(
            "--list", action="store_true", dest="list_jobs", help="List the jobs and exit."
        )

    def handle(self, *args, jobs: list[str] | None, list_jobs: bool, **options) -> None:
        if list_jobs:
            for name in scheduling.registered_jobs():
                self.stdout.write(name)
            return
        try:
            result = scheduling.run_jobs(jobs)
        except KeyError as error:
            raise CommandError(error.args[0]) from error
        if not result.lock_taken:
            self.stdout.write("skipped: another run holds the scheduling lock")
            return
        for outcome in result.outcomes:
            parts = [f"{outcome.name}:", "ok" if outcome.ok else "FAILED", outcome.summary]
            parts.append(f"({outcome.seconds:.2f}s)")
            self.stdout.write(" ".join(part for part in parts if part))
        if not result.ok:
            # A non-zero exit makes cron mail and systemd mark the unit failed.
            raise CommandError("Some scheduled jobs failed; see the log.")
