"""The monthly cost of the stack's AWS Backup restore testing (`aws-backups:evidence.restoreTesting`), as the program
builds it (components/restore_testing.py): in each plan region one restore testing plan on the config's schedule,
and one selection per tested type picking every resource of that type the plans protect. "Each time a testing plan
runs, one eligible recovery point per protected resource in selection is restored" (AWS Backup Developer Guide,
"Restore testing"); AWS keeps the restored resource for the validation window, then deletes it.

    runs a month      = the schedule's runs a day (compliance.backup_times, the pack's cron reading) x DAYS_PER_MONTH
    restores a month  = runs a month x the type's resources (the cost model's count)
    restore $ a month = restores a month x S GB (a restore brings back the whole resource) x the type's price per GB
    fee $ a month     = restores a month x AWS's fee per restore test, when prices.json has that figure

Every resource is counted once, by the restore testing plan of its own region, whatever the number of plan regions
(the stack config refuses a tested type no plan selects: it would have no recovery point to restore).
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.backup_times import backup_rate

from components.config.stack import StackConfig
from retention_report.figures import DAYS_PER_MONTH, price_caveats
from retention_report.model import Workload
from retention_report.pricing import Price, PriceTable

FEE = "AWS's fee per restore test (one test per resource and run)"
RESTORE = "the restore itself: the resource's whole size restored at the type's price per GB restored"
ALWAYS_LEFT_OUT = (
    "the restored resource while it exists, from the restore until the validation window closes and AWS deletes "
    "it (instance hours, volume, table or file system storage, billed by the resource's own service)",
    "the cold restore rate: a test picking a recovery point older than a rule's coldStorageAfterDays (a selection "
    "window reaching past it) is priced at the warm restore rate",
    "validation code run on the restored resource (e.g. a Lambda function on the restore job's event)",
)


@dataclass(frozen=True)
class TypeRestores:
    """One tested resource type: its resources, restored once each per run."""

    workload: Workload
    runs_a_month: float
    restore_price: Price  # per GB restored

    @property
    def restores_a_month(self) -> float:
        return self.runs_a_month * self.workload.count

    @property
    def restored_gb(self) -> float:
        return self.restores_a_month * self.workload.size_gb

    @property
    def restore_usd(self) -> float:
        return self.restored_gb * self.restore_price.usd


@dataclass(frozen=True)
class RestoreTestingCost:
    schedule: str
    timezone: str
    regions: tuple[str, ...]  # where the program builds a restore testing plan; priced at the first one's figures
    validation_window_hours: int | None  # None: AWS deletes the restored resource once the restore completes
    runs_a_month: float
    types: tuple[TypeRestores, ...]
    fee: Price | None  # per restore test; None: prices.json has no figure for it
    caveats: tuple[str, ...]

    @property
    def restores_a_month(self) -> float:
        return sum(t.restores_a_month for t in self.types)

    @property
    def restore_usd(self) -> float:
        return sum(t.restore_usd for t in self.types)

    @property
    def fee_usd(self) -> float | None:
        return None if self.fee is None else self.restores_a_month * self.fee.usd

    @property
    def included(self) -> tuple[str, ...]:
        return (FEE, RESTORE) if self.fee else (RESTORE,)

    @property
    def not_included(self) -> tuple[str, ...]:
        return ALWAYS_LEFT_OUT if self.fee else (f"{FEE}: prices.json has no figure for it", *ALWAYS_LEFT_OUT)

    @property
    def total_usd(self) -> float:
        """What the estimate prices: the restores, and the fee when it has a figure."""
        return self.restore_usd + (self.fee_usd or 0.0)


def restore_testing_cost(config: StackConfig, workloads: dict[str, Workload],
                         prices: PriceTable) -> RestoreTestingCost | None:
    """None when the stack sets up no restore testing (no `evidence.restoreTesting`, or no plan to run it beside)."""
    testing = config.evidence.restore_testing if config.evidence else None
    regions = tuple(config.plan_regions())
    if testing is None or not regions:
        return None
    runs = backup_rate(testing.schedule, testing.timezone).per_day * DAYS_PER_MONTH
    types = tuple(TypeRestores(workloads[kind], runs, prices.restore(kind, regions[0]))
                  for kind in testing.tested_types(config.selected_resource_types()))
    fee = prices.restore_test_fee(regions[0])
    caveats: set[str] = set()
    for tested in types:
        caveats |= price_caveats(tested.restore_price, f"{tested.workload.resource_type} restore")
    if fee is None:
        caveats.add("no figure for the fee per restore test: left out of the dollars")
    else:
        caveats |= price_caveats(fee, "fee per restore test")
    return RestoreTestingCost(testing.schedule, testing.timezone, regions, testing.validation_window_hours, runs,
                              types, fee, tuple(sorted(caveats)))
