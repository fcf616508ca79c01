"""The price table (`prices.json`): per-GB-month warm and cold storage by resource type and region, cross-Region
transfer per GB, and restore testing (the fee per restore test, the restore per GB by resource type), each with its
source. A region without figures gets the fallback region's, and the report lists it as a caveat."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

DEFAULT_PRICES = Path(__file__).with_name("prices.json")
Tier = Literal["warm", "cold"]


class PriceError(Exception):
    """The price table lacks a figure the report needs."""


@dataclass(frozen=True)
class Price:
    usd: float
    source: str  # a key of the table's `sources`
    assumed: bool  # a stated assumption in the table (no stored figure for it)
    note: str = ""
    fallback_for: str | None = None  # the region asked for, when the fallback region's figure stands in


class PriceTable:
    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.fallback_region: str = document["fallbackRegion"]
        self.sources: dict[str, dict[str, str]] = document["sources"]

    @classmethod
    def load(cls, path: Path = DEFAULT_PRICES) -> PriceTable:
        try:
            return cls(json.loads(Path(path).read_text()))
        except OSError as error:
            raise PriceError(f"cannot read price table {path}: {error.strerror}") from error
        except (json.JSONDecodeError, KeyError) as error:
            raise PriceError(f"price table {path} is not a price table: {error}") from error

    def _type(self, resource_type: str) -> dict[str, Any]:
        try:
            return self.document["resourceTypes"][resource_type]
        except KeyError:
            raise PriceError(f"prices.json has no prices for resource type {resource_type!r}") from None

    def incremental(self, resource_type: str) -> bool:
        """After the first full backup, each backup of this type stores only the changes."""
        return bool(self._type(resource_type)["incremental"])

    def _regional(self, by_region: dict[str, Any], region: str, what: str) -> tuple[dict[str, Any], str | None]:
        """The region's entry, and the region asked for when the fallback region's entry stands in for it."""
        if region in by_region:
            return by_region[region], None
        if self.fallback_region in by_region:
            return by_region[self.fallback_region], region
        raise PriceError(f"prices.json has no {what} figure for {region} nor for {self.fallback_region}")

    @staticmethod
    def _price(entry: dict[str, Any], fallback_for: str | None) -> Price:
        return Price(usd=entry["price"], source=entry["source"], assumed=entry["assumed"],
                     note=entry.get("note", ""), fallback_for=fallback_for)

    def storage(self, resource_type: str, region: str, tier: Tier) -> Price:
        tiers, fallback_for = self._regional(self._type(resource_type)["regions"], region, f"{resource_type} storage")
        if tier not in tiers:
            raise PriceError(f"prices.json has no {tier} storage price for {resource_type} in {region}")
        return self._price(tiers[tier], fallback_for)

    def transfer(self, source_region: str) -> Price:
        return self._price(*self._regional(self.document["crossRegionTransfer"], source_region,
                                           "cross-Region transfer"))

    def restore(self, resource_type: str, region: str) -> Price:
        """The restore of a recovery point of `resource_type`, per GB restored."""
        by_type = self.document["restoreTesting"]["restorePerGb"]
        if resource_type not in by_type:
            raise PriceError(f"prices.json has no restore price for resource type {resource_type!r}")
        return self._price(*self._regional(by_type[resource_type], region, f"{resource_type} restore"))

    def restore_test_fee(self, region: str) -> Price | None:
        """AWS's fee per restore test; None when the table has no figure for it (`price: null`)."""
        entry, fallback_for = self._regional(self.document["restoreTesting"]["feePerTest"], region, "restore test fee")
        return None if entry["price"] is None else self._price(entry, fallback_for)

    def solution(self, name: str, region: str) -> Price:
        """What an alternative to AWS Backup stores or replicates, per GB(-month) (`solutionStorage`)."""
        return self._price(*self._regional(self.document["solutionStorage"][name], region, name))
