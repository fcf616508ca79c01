"""The monthly cost of a native solution type, set up to meet the profile as far as it can: points every H hours
kept R days (the profile's interval and minimum retention), copied to another Region when the profile requires it
and the solution can. AWS Backup's own rows are priced by figures.py on the plan (solutions.py).

Per resource of S GB changing by a fraction c a day, r = 24 / H points a day, D days a month:
- an incremental chain of points kept W days holds S x (1 + W x min(r, c)) GB (figures.warm_chain_gb, the same
  arithmetic as AWS Backup's chains);
- EBS / EC2 snapshots by Data Lifecycle Manager: the chain at the EBS snapshot price (what AWS Backup's EBS and EC2
  backups are billed too: they are EBS snapshots); a copy: the chain again in the copy's Region, plus the transfer
  S x min(r, c) x D GB; a copy in another account: the chain again;
- RDS / Aurora automated backups: the chain kept min(R, 35) days less the free allowance (backup storage up to the
  database's size, S), at the backup storage price; a replicated copy (RDS engines): the whole chain there (no
  allowance) plus the transfer;
- DynamoDB: point-in-time recovery, S at its price, plus, beyond 35 days, on-demand backups (full copies) r a day
  kept R - 35 days, at the backup price;
- EFS replication: the replica (in another Region, another account if asked), S at the EFS Standard price, plus
  the transfer S x c x D;
- S3 versioning and replication: the replica S, the old versions kept R days on both buckets (2 x S x c x R) at
  S3 Standard, plus the transfer and Replication Time Control, S x c x D each (Object Lock adds no charge line);
- AWS Backup for S3: the chain at its warm price (a copy as for snapshots).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retention_report.figures import DAYS_PER_MONTH, Tranche, price_caveats, warm_chain_gb
from retention_report.model import Workload
from retention_report.pricing import Price, PriceTable

AUTOMATED_BACKUP_DAYS = 35  # RDS/Aurora automated backups and DynamoDB point-in-time recovery keep at most 35 days


@dataclass(frozen=True)
class Setup:
    """The solution as the profile asks it: where, how often, how long, and the copy Region if one is required."""

    region: str
    retention_days: float
    points_a_day: float
    copy_region: str | None
    copy_account: bool = False  # a copy kept in another account too (in the copy Region when there is one)


@dataclass
class Cost:
    usd: float = 0.0  # per resource, a month
    caveats: set[str] = field(default_factory=set)

    def add(self, gb: float, price: Price, label: str) -> None:
        self.usd += gb * price.usd
        self.caveats |= price_caveats(price, label)


def _chain(workload: Workload, setup: Setup, days: float) -> float:
    return warm_chain_gb([Tranche("native", setup.region, None, setup.points_a_day, days, 0.0)],
                         workload.size_gb, workload.daily_change_rate)


def _changed_a_month(workload: Workload, setup: Setup) -> float:
    return workload.size_gb * min(setup.points_a_day, workload.daily_change_rate) * DAYS_PER_MONTH


def _copied(cost: Cost, gb: float, workload: Workload, setup: Setup, price: Price, prices: PriceTable,
            label: str) -> None:
    """A copy of `gb` kept in the copy Region (and what moves there a month), and one in another account."""
    if setup.copy_region is not None:
        cost.add(gb, price, f"{label} ({setup.copy_region})")
        cost.add(_changed_a_month(workload, setup), prices.transfer(setup.region), "cross-Region transfer")
    if setup.copy_account:
        cost.add(gb, price, f"{label} (another account)")


def snapshots(workload: Workload, setup: Setup, prices: PriceTable) -> Cost:
    cost, kind = Cost(), workload.resource_type
    chain = _chain(workload, setup, setup.retention_days)
    cost.add(chain, prices.storage(kind, setup.region, "warm"), f"{kind} snapshots")
    _copied(cost, chain, workload, setup, prices.storage(kind, setup.copy_region or setup.region, "warm"), prices,
            f"{kind} snapshot copies")
    return cost


def rds(workload: Workload, setup: Setup, prices: PriceTable) -> Cost:
    cost = Cost()
    name = "auroraBackup" if workload.resource_type == "Aurora" else "rdsBackup"
    chain = _chain(workload, setup, min(setup.retention_days, AUTOMATED_BACKUP_DAYS))
    cost.add(max(chain - workload.size_gb, 0.0), prices.solution(name, setup.region), "backup storage")
    _copied(cost, chain, workload, setup, prices.solution(name, setup.copy_region or setup.region), prices,
            "replicated automated backups")
    return cost


def dynamodb(workload: Workload, setup: Setup, prices: PriceTable) -> Cost:
    cost = Cost()
    cost.add(workload.size_gb, prices.solution("dynamodbPitr", setup.region), "point-in-time recovery")
    beyond = max(setup.retention_days - AUTOMATED_BACKUP_DAYS, 0.0)
    cost.add(workload.size_gb * setup.points_a_day * beyond, prices.storage("DynamoDB", setup.region, "warm"),
             "on-demand backups")
    return cost


def efs(workload: Workload, setup: Setup, prices: PriceTable) -> Cost:
    cost = Cost()
    cost.add(workload.size_gb, prices.solution("efsStandard", setup.copy_region or setup.region), "EFS replica")
    changed = workload.size_gb * workload.daily_change_rate * DAYS_PER_MONTH
    cost.add(changed, prices.transfer(setup.region), "cross-Region transfer")
    return cost


def s3(workload: Workload, setup: Setup, prices: PriceTable) -> Cost:
    cost = Cost()
    size, change = workload.size_gb, workload.daily_change_rate
    stored = size + 2 * size * change * setup.retention_days
    cost.add(stored, prices.solution("s3Standard", setup.copy_region or setup.region), "S3 replica and old versions")
    changed = size * change * DAYS_PER_MONTH
    cost.add(changed, prices.transfer(setup.region), "cross-Region transfer")
    cost.add(changed, prices.solution("s3ReplicationTimeControl", setup.region), "Replication Time Control")
    return cost


def backup_s3(workload: Workload, setup: Setup, prices: PriceTable) -> Cost:
    cost = Cost()
    chain = _chain(workload, setup, setup.retention_days)
    cost.add(chain, prices.solution("awsBackupS3Warm", setup.region), "AWS Backup S3 warm")
    _copied(cost, chain, workload, setup, prices.solution("awsBackupS3Warm", setup.copy_region or setup.region),
            prices, "AWS Backup S3 copies")
    return cost


COST_MODELS = {"snapshots": snapshots, "rds": rds, "dynamodb": dynamodb, "efs": efs, "s3": s3,
               "backup-s3": backup_s3}
