"""Rebuild the monthly spend rollup (costs.SpendMonth) from the X call ledger, and put the triggers back if gone."""

from django.core.management.base import BaseCommand

from costs import rollup
from costs.prices import usd


class Command(BaseCommand):
    help = "Sum the X call ledger per month, client and X app again (the dashboard's spend panel) and repair the rollup."

    def handle(self, *args, **options):
        if not rollup.installed():
            rollup.install()
            self.stdout.write(self.style.WARNING("The spend rollup triggers were missing: installed them again."))
        wrong = rollup.recount()
        for month, client, x_app, (had_micros, had_calls), (has_micros, has_calls) in wrong:
            self.stdout.write(f"{month:%Y-%m}, client {client or 'none'}, X app {x_app}: "
                              f"was {usd(had_micros)} in {had_calls} calls, now {usd(has_micros)} in {has_calls} calls")
        if wrong:
            self.stdout.write(self.style.WARNING(f"Fixed {len(wrong)} monthly total(s)."))
        else:
            self.stdout.write(self.style.SUCCESS("The monthly spend totals were exact."))
