"""The kinds of organisation a generated market is made of, and how big each side of it is.

Each role sells at most one product (by one production route) or buys finished goods. Volumes are
driven top-down from final demand for cells and systems, sized on MIIT's 2024 output of about
1,170 GWh of cells (~100 GWh a month), then pushed up the chain through the bills of materials.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .generate_catalog import CatalogProduct


@dataclass(frozen=True)
class Role:
    key: str
    kinds: tuple[str, ...]  # what the org is, for the "roles" field of the orgs list
    slug: str  # middle part of org ids: "jiangxi-lithium-017"
    name_en: str
    name_zh: str
    share: float  # relative number of orgs of this role
    regions: dict[str, float]
    sells: str | None = None
    # Bill of materials of this route; None takes products.csv's inputs_per_unit.
    inputs: tuple[tuple[str, float], ...] | None = None
    route_share: float = 1.0  # share of the national volume of `sells` made this way
    buys: tuple[str, ...] = ()  # finished goods bought without selling anything made from them
    holds: dict[str, float] = field(default_factory=dict)  # certification -> probability held
    requires: dict[str, float] = field(default_factory=dict)  # required on this role's demands
    captive: float = 0.0  # probability that an input demand has own_supply (integrated org)
    captive_kind: str | None = None  # what an integrated org also is

    def bill(self, catalog: dict[str, CatalogProduct]) -> tuple[tuple[str, float], ...]:
        if self.sells is None:
            return ()
        return self.inputs if self.inputs is not None else catalog[self.sells].inputs


# Final monthly demand at national scale, GWh: about 100 GWh of cells a month, a third for
# storage, half for vehicles (half LFP, half NCM), the rest cells bought by device makers.
FINAL_DEMAND: dict[str, float] = {"ess-system": 35.0, "ev-pack": 50.0, "lfp-cell": 10.0, "ncm-cell": 5.0}
# Share of a product's volume that traders buy and resell on top of the chain's needs.
TRADER_SHARE = 0.06

_QUALITY = {"ISO9001": 0.85, "ISO14001": 0.5}
_MATERIAL = {"ISO9001": 0.9, "ISO14001": 0.6, "IATF16949": 0.55}
_CELL = {"ISO9001": 0.95, "ISO14001": 0.7, "IATF16949": 0.75, "GB31241": 0.5, "GB40165": 0.35}
_PORTS = {"jiangsu": 0.35, "zhejiang": 0.25, "fujian": 0.2, "guangdong": 0.2}

ROLES: tuple[Role, ...] = (
    Role("spodumene-miner", ("miner",), "mining", "Mining", "矿业", 0.02,
         {"sichuan": 0.55, "jiangxi": 0.35, "hunan": 0.1}, sells="spodumene-sc6", route_share=0.45,
         holds={"ISO9001": 0.5, "ISO14001": 0.5}),
    Role("spodumene-importer", ("importer",), "resources", "Resources", "资源", 0.03, _PORTS,
         sells="spodumene-sc6", route_share=0.55, holds={"ISO9001": 0.4}),
    Role("brine-producer", ("brine-producer",), "saltlake", "Salt Lake", "盐湖", 0.02, {"qinghai": 1.0},
         sells="lithium-brine-concentrate", holds={"ISO9001": 0.5, "ISO14001": 0.6}),
    Role("nickel-importer", ("importer",), "nickel", "Nickel", "镍业", 0.02, _PORTS,
         sells="nickel-intermediate", holds={"ISO9001": 0.5}),
    Role("cobalt-importer", ("importer",), "cobalt", "Cobalt", "钴业", 0.015, _PORTS,
         sells="cobalt-intermediate", holds={"ISO9001": 0.5}),
    Role("battery-recycler", ("recycler",), "recycling", "Recycling", "循环", 0.05,
         {"guangdong": 0.25, "hunan": 0.2, "jiangxi": 0.2, "hubei": 0.15, "jiangsu": 0.1, "zhejiang": 0.1},
         sells="black-mass", holds={"ISO9001": 0.6, "ISO14001": 0.7}),
    Role("carbonate-refiner", ("refiner",), "lithium", "Lithium", "锂业", 0.045,
         {"sichuan": 0.35, "jiangxi": 0.4, "jiangsu": 0.1, "hunan": 0.1, "qinghai": 0.05},
         sells="lithium-carbonate", route_share=0.75, holds={**_QUALITY, "IATF16949": 0.3},
         requires={"ISO14001": 0.1}, captive=0.25, captive_kind="miner"),
    Role("brine-refiner", ("refiner",), "lithium", "Lithium", "锂业", 0.02, {"qinghai": 1.0},
         sells="lithium-carbonate", inputs=(("lithium-brine-concentrate", 10.0),), route_share=0.25,
         holds={**_QUALITY, "IATF16949": 0.2}, captive=0.5, captive_kind="brine-producer"),
    Role("hydroxide-refiner", ("refiner",), "lithium", "Lithium", "锂业", 0.025,
         {"sichuan": 0.5, "jiangxi": 0.3, "jiangsu": 0.2},
         sells="lithium-hydroxide", holds={**_QUALITY, "IATF16949": 0.35},
         requires={"ISO14001": 0.1}, captive=0.25, captive_kind="miner"),
    Role("precursor-maker", ("precursor-maker",), "newenergy", "New Energy", "新能源", 0.03,
         {"hunan": 0.25, "guizhou": 0.25, "hubei": 0.2, "zhejiang": 0.15, "guangdong": 0.15},
         sells="ncm-precursor", inputs=(("nickel-intermediate", 1.4), ("cobalt-intermediate", 0.2)),
         route_share=0.85, holds=_MATERIAL, requires={"ISO9001": 0.2}, captive=0.15,
         captive_kind="importer"),
    Role("hydromet-recycler", ("recycler", "precursor-maker"), "recycling", "Recycling", "循环", 0.02,
         {"hubei": 0.3, "guangdong": 0.3, "hunan": 0.4},
         sells="ncm-precursor", inputs=(("black-mass", 2.0),), route_share=0.15, holds=_MATERIAL),
    Role("lfp-cathode-maker", ("cathode-maker",), "cathode", "Cathode", "正极", 0.05,
         {"hunan": 0.2, "sichuan": 0.2, "guizhou": 0.15, "hubei": 0.15, "jiangxi": 0.15, "jiangsu": 0.15},
         sells="lfp-cathode", holds=_MATERIAL, requires={"ISO9001": 0.3}, captive=0.1,
         captive_kind="refiner"),
    Role("ncm-cathode-maker", ("cathode-maker",), "cathode", "Cathode", "正极", 0.03,
         {"hunan": 0.3, "jiangsu": 0.2, "zhejiang": 0.2, "guizhou": 0.15, "hubei": 0.15},
         sells="ncm811-cathode", holds=_MATERIAL, requires={"ISO9001": 0.3}, captive=0.2,
         captive_kind="precursor-maker"),
    Role("anode-maker", ("anode-maker",), "carbon", "Carbon", "碳素", 0.05,
         {"guangdong": 0.15, "jiangxi": 0.2, "hunan": 0.15, "sichuan": 0.15, "guizhou": 0.15,
          "zhejiang": 0.1, "jiangsu": 0.1}, sells="graphite-anode", holds=_MATERIAL),
    Role("separator-maker", ("separator-maker",), "membrane", "Membrane", "隔膜", 0.03,
         {"jiangsu": 0.35, "guangdong": 0.2, "hubei": 0.15, "fujian": 0.15, "jiangxi": 0.15},
         sells="separator", holds=_MATERIAL),
    Role("electrolyte-maker", ("electrolyte-maker",), "chemical", "Chemical", "化学", 0.04,
         {"guangdong": 0.3, "jiangsu": 0.25, "zhejiang": 0.15, "fujian": 0.1, "hubei": 0.1, "hunan": 0.1},
         sells="electrolyte", holds=_MATERIAL),
    Role("lfp-cell-maker", ("cell-maker",), "battery", "Battery", "电池", 0.06,
         {"fujian": 0.2, "jiangsu": 0.25, "sichuan": 0.15, "guangdong": 0.15, "hubei": 0.1,
          "jiangxi": 0.1, "guizhou": 0.05}, sells="lfp-cell", holds=_CELL,
         requires={"ISO9001": 0.4, "IATF16949": 0.25}, captive=0.15, captive_kind="cathode-maker"),
    Role("ncm-cell-maker", ("cell-maker",), "battery", "Battery", "电池", 0.03,
         {"fujian": 0.3, "jiangsu": 0.3, "guangdong": 0.2, "zhejiang": 0.2}, sells="ncm-cell",
         holds=_CELL, requires={"ISO9001": 0.4, "IATF16949": 0.4}, captive=0.15,
         captive_kind="cathode-maker"),
    Role("ess-integrator", ("ess-integrator",), "energy", "Energy Storage", "储能", 0.08,
         {"guangdong": 0.3, "jiangsu": 0.2, "zhejiang": 0.15, "fujian": 0.1, "hubei": 0.1,
          "sichuan": 0.05, "qinghai": 0.1}, sells="ess-system",
         holds={**_QUALITY, "IATF16949": 0.2, "GB40165": 0.6}, requires={"GB40165": 0.3, "ISO9001": 0.2},
         captive=0.1, captive_kind="cell-maker"),
    Role("lfp-pack-maker", ("pack-maker",), "power", "Power", "动力", 0.04,
         {"guangdong": 0.25, "jiangsu": 0.2, "zhejiang": 0.2, "fujian": 0.1, "hubei": 0.1,
          "hunan": 0.1, "sichuan": 0.05}, sells="ev-pack", inputs=(("lfp-cell", 1.0),), route_share=0.5,
         holds={**_QUALITY, "IATF16949": 0.9}, requires={"IATF16949": 0.6}, captive=0.1,
         captive_kind="cell-maker"),
    Role("ncm-pack-maker", ("pack-maker",), "power", "Power", "动力", 0.03,
         {"guangdong": 0.25, "jiangsu": 0.25, "zhejiang": 0.25, "fujian": 0.15, "hubei": 0.1},
         sells="ev-pack", inputs=(("ncm-cell", 1.0),), route_share=0.5,
         holds={**_QUALITY, "IATF16949": 0.9}, requires={"IATF16949": 0.6}, captive=0.1,
         captive_kind="cell-maker"),
    Role("lithium-trader", ("trader",), "trading", "Trading", "贸易", 0.03,
         {"jiangsu": 0.3, "zhejiang": 0.2, "guangdong": 0.2, "jiangxi": 0.15, "sichuan": 0.15},
         sells="lithium-carbonate", inputs=(("lithium-carbonate", 1.0),), route_share=TRADER_SHARE,
         holds={"ISO9001": 0.3}),
    Role("automaker", ("automaker",), "auto", "Automobile", "汽车", 0.08,
         {"guangdong": 0.2, "zhejiang": 0.15, "jiangsu": 0.15, "hubei": 0.15, "hunan": 0.1,
          "sichuan": 0.1, "fujian": 0.05, "jiangxi": 0.05, "guizhou": 0.05}, buys=("ev-pack",),
         holds={"ISO9001": 0.9, "IATF16949": 0.9}, requires={"IATF16949": 0.85, "ISO9001": 0.3}),
    Role("ess-developer", ("ess-developer",), "power-grid", "Power", "电力", 0.10,
         {"qinghai": 0.25, "sichuan": 0.1, "guizhou": 0.1, "jiangsu": 0.15, "guangdong": 0.15,
          "zhejiang": 0.1, "hubei": 0.1, "hunan": 0.05}, buys=("ess-system",),
         holds={"ISO9001": 0.7, "ISO14001": 0.6}, requires={"GB40165": 0.5, "ISO9001": 0.3}),
    Role("device-maker", ("device-maker",), "tech", "Technology", "科技", 0.08,
         {"guangdong": 0.45, "zhejiang": 0.25, "jiangsu": 0.2, "fujian": 0.1},
         buys=("lfp-cell", "ncm-cell"), holds={"ISO9001": 0.8}, requires={"GB31241": 0.8}),
)


def national_volumes(catalog: dict[str, CatalogProduct]) -> dict[str, float]:
    """Monthly national volume of every product, in its unit: final demand pushed up the chain.

    Products are visited downstream first (systems, cells, then materials) so that each product's
    volume is complete before its inputs are derived from it. Traders add volume on both sides of
    the market and are left out of the derivation.
    """
    order = ("system", "cell", "material1", "material2", "recycling", "resource")
    volume = {pid: FINAL_DEMAND.get(pid, 0.0) for pid in catalog}
    for tier in order:
        for pid in [p.id for p in catalog.values() if p.tier == tier]:
            for role in ROLES:
                if role.sells != pid or role.key == "lithium-trader":
                    continue
                for input_id, ratio in role.bill(catalog):
                    volume[input_id] += volume[pid] * role.route_share * ratio
    return volume
