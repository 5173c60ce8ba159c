"""`manage.py restore_verify`: the last step of the restore drill (docs/deployment.md).
After `db_restore`, checks that the audit log's hash chain is intact, that the erasure
ledger and the database agree (every erased member listed, nobody in the ledger left
un-erased) and that every closed motion's result is what its ballots give. Prints one line
per check; exits non-zero when any fails."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Verify the audit chain, the erasure ledger and the tallies (after a restore)."

    def handle(self, *args, **options) -> None:
        from audit.models import AuditEvent
        from audit.services import verify_chain
        from governance.integrity import tallies_check
        from members import erasure_ledger
        from members.models import Member, MembershipState

        failed = []
        broken = verify_chain()
        events = AuditEvent.objects.count()
        if broken is None:
            self.stdout.write(f"audit chain: intact ({events} events)")
        else:
            failed.append("audit chain")
            self.stdout.write(f"audit chain: BROKEN at event {broken} (of {events})")

        ledger = erasure_ledger.ledger_member_ids()
        states = dict(Member.objects.filter(pk__in=ledger).values_list("pk", "state"))
        pending = [i for i in ledger if i in states and states[i] != MembershipState.ERASED]
        erased = Member.objects.filter(state=MembershipState.ERASED).values_list("pk", flat=True)
        missing = erasure_ledger.ledger_missing(list(erased))
        if pending or missing:
            failed.append("erasure ledger")
            self.stdout.write(
                f"erasure ledger: {len(pending)} listed but not erased (run db_restore's replay:"
                f" ids {pending[:10]}), {len(missing)} erased but not listed (ids {missing[:10]})"
            )
        else:
            self.stdout.write(
                f"erasure ledger: {len(ledger)} entries, every erased member listed, none pending"
            )

        checked, problems = tallies_check()
        if problems:
            failed.append("tallies")
            self.stdout.write(f"tallies: {len(problems)} of {checked} closed motions differ")
            for problem in problems:
                self.stdout.write(f"  {problem}")
        else:
            self.stdout.write(f"tallies: {checked} closed motions recounted, all match")

        if failed:
            raise CommandError(f"Restore verification failed: {', '.join(failed)}.")
        self.stdout.write("restore verified")
