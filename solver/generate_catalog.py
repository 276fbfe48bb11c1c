"""Catalogue, regions and freight for generated markets.

The catalogue comes from `solver/data/products.csv`; where the CSV leaves a reference price or a
bill of materials empty, the assumptions below fill it and `docs/generator.md` explains them.
Freight is not published for these lanes, so it is modelled as road haulage at
0.35 CNY per tonne-km (the figure `solver/data/README.md` gives) between provincial centres.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

FREIGHT_CNY_PER_TONNE_KM = 0.35
# Lanes up to this length get an explicit any-product entry; longer ones fall back to each
# product's default, which is priced on the average long-haul distance.
REGULAR_LANE_KM = 1500

# Reference prices the CSV leaves empty (CNY per unit), with their reasoning in docs/generator.md.
ASSUMED_PRICES: dict[str, float] = {
    "lithium-brine-concentrate": 3_000.0,  # so that 10 t per t LCE costs ~30,000: salt-lake cash cost
    "nickel-intermediate": 35_000.0,  # MHP, ~38% Ni paid at ~75% of ~120,000 CNY/t nickel
    "cobalt-intermediate": 60_000.0,  # hydroxide, ~33% Co at ~60% payable of ~300,000 CNY/t cobalt
    "ev-pack": 700_000_000.0,  # 0.70 CNY/Wh: cells plus ~0.2-0.35 CNY/Wh for modules and BMS
}

# Products whose every lane gets its own transport entry: freight weighs most on bulk ore, and a
# per-unit cost for GWh or million m2 is far from the per-tonne any-product entries.
PRODUCT_LANES = ("spodumene-sc6",)


@dataclass(frozen=True)
class CatalogProduct:
    id: str
    name: str
    name_zh: str
    tier: str
    unit: str
    reference_price: float
    tonnes_per_unit: float
    inputs: tuple[tuple[str, float], ...]  # from products.csv: (input product, units per unit)


# Provincial centres: (English city, Chinese city) pairs used for names, first one the capital.
REGIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "qinghai": ("青海", (("Xining", "西宁"), ("Golmud", "格尔木"), ("Haixi", "海西"))),
    "sichuan": ("四川", (("Chengdu", "成都"), ("Suining", "遂宁"), ("Yibin", "宜宾"), ("Aba", "阿坝"))),
    "jiangxi": ("江西", (("Nanchang", "南昌"), ("Yichun", "宜春"), ("Xinyu", "新余"), ("Ganzhou", "赣州"))),
    "hunan": ("湖南", (("Changsha", "长沙"), ("Xiangtan", "湘潭"), ("Ningxiang", "宁乡"))),
    "fujian": ("福建", (("Fuzhou", "福州"), ("Ningde", "宁德"), ("Xiamen", "厦门"))),
    "guangdong": ("广东", (("Guangzhou", "广州"), ("Shenzhen", "深圳"), ("Huizhou", "惠州"), ("Foshan", "佛山"))),
    "jiangsu": ("江苏", (("Nanjing", "南京"), ("Changzhou", "常州"), ("Wuxi", "无锡"), ("Yancheng", "盐城"))),
    "zhejiang": ("浙江", (("Hangzhou", "杭州"), ("Ningbo", "宁波"), ("Quzhou", "衢州"), ("Huzhou", "湖州"))),
    "guizhou": ("贵州", (("Guiyang", "贵阳"), ("Tongren", "铜仁"), ("Zunyi", "遵义"))),
    "hubei": ("湖北", (("Wuhan", "武汉"), ("Jingmen", "荆门"), ("Yichang", "宜昌"))),
}

# Approximate road distances between provincial capitals, km (rounded; map-service orders of
# magnitude, not surveyed). Symmetric: each lane is listed once.
ROAD_KM: dict[tuple[str, str], int] = {
    ("qinghai", "sichuan"): 1100, ("qinghai", "jiangxi"): 2000, ("qinghai", "hunan"): 1900,
    ("qinghai", "fujian"): 2600, ("qinghai", "guangdong"): 2500, ("qinghai", "jiangsu"): 1900,
    ("qinghai", "zhejiang"): 2100, ("qinghai", "guizhou"): 1700, ("qinghai", "hubei"): 1600,
    ("sichuan", "jiangxi"): 1300, ("sichuan", "hunan"): 1000, ("sichuan", "fujian"): 1900,
    ("sichuan", "guangdong"): 1600, ("sichuan", "jiangsu"): 1600, ("sichuan", "zhejiang"): 1700,
    ("sichuan", "guizhou"): 600, ("sichuan", "hubei"): 1150,
    ("jiangxi", "hunan"): 350, ("jiangxi", "fujian"): 600, ("jiangxi", "guangdong"): 800,
    ("jiangxi", "jiangsu"): 600, ("jiangxi", "zhejiang"): 550, ("jiangxi", "guizhou"): 1100,
    ("jiangxi", "hubei"): 350,
    ("hunan", "fujian"): 900, ("hunan", "guangdong"): 700, ("hunan", "jiangsu"): 900,
    ("hunan", "zhejiang"): 900, ("hunan", "guizhou"): 800, ("hunan", "hubei"): 350,
    ("fujian", "guangdong"): 850, ("fujian", "jiangsu"): 900, ("fujian", "zhejiang"): 600,
    ("fujian", "guizhou"): 1500, ("fujian", "hubei"): 900,
    ("guangdong", "jiangsu"): 1400, ("guangdong", "zhejiang"): 1250, ("guangdong", "guizhou"): 850,
    ("guangdong", "hubei"): 1000,
    ("jiangsu", "zhejiang"): 280, ("jiangsu", "guizhou"): 1600, ("jiangsu", "hubei"): 550,
    ("zhejiang", "guizhou"): 1600, ("zhejiang", "hubei"): 750,
    ("guizhou", "hubei"): 1100,
}

REGION_IDS: tuple[str, ...] = tuple(REGIONS)


def road_km(a: str, b: str) -> int:
    if a == b:
        return 0
    return ROAD_KM.get((a, b)) or ROAD_KM[(b, a)]


def _parse_inputs(text: str) -> tuple[tuple[str, float], ...]:
    if not text.strip():
        return ()
    parts = (item.split(":") for item in text.split(";"))
    return tuple((name.strip(), float(ratio)) for name, ratio in parts)


def load_catalog() -> dict[str, CatalogProduct]:
    """Products in CSV order, reference prices completed from ASSUMED_PRICES."""
    text = (Path(__file__).parent / "data" / "products.csv").read_text(encoding="utf-8")
    catalog: dict[str, CatalogProduct] = {}
    for row in csv.DictReader(io.StringIO(text)):
        price_text = row["reference_price_cny"].strip()
        price = float(price_text) if price_text else ASSUMED_PRICES[row["id"]]
        catalog[row["id"]] = CatalogProduct(
            id=row["id"],
            name=row["name_en"],
            name_zh=row["name_zh"],
            tier=row["tier"],
            unit=row["unit"],
            reference_price=price,
            tonnes_per_unit=float(row["tonnes_per_unit"]),
            inputs=_parse_inputs(row["inputs_per_unit"]),
        )
    return catalog


def freight_per_unit(product: CatalogProduct, km: float) -> float:
    return round(FREIGHT_CNY_PER_TONNE_KM * km * product.tonnes_per_unit, 2)


def _long_haul_km() -> float:
    long = [km for km in ROAD_KM.values() if km > REGULAR_LANE_KM]
    return sum(long) / len(long)


def default_transport_cost(product: CatalogProduct) -> float:
    """Freight on an average long-haul lane: what a lane without an entry costs."""
    return freight_per_unit(product, _long_haul_km())


def transport_entries(catalog: dict[str, CatalogProduct]) -> list[dict[str, object]]:
    """Any-product entries (per tonne) on regular lanes, then per-product entries on every lane for
    the products whose unit is not one tonne and for those in PRODUCT_LANES."""
    entries: list[dict[str, object]] = []
    lanes = list(combinations(REGION_IDS, 2))
    for a, b in lanes:
        km = road_km(a, b)
        if km <= REGULAR_LANE_KM:
            entries.append({"from": a, "to": b, "cost": round(FREIGHT_CNY_PER_TONNE_KM * km, 2)})
    for product in catalog.values():
        if product.tonnes_per_unit == 1 and product.id not in PRODUCT_LANES:
            continue
        for a, b in lanes:
            cost = freight_per_unit(product, road_km(a, b))
            entries.append({"from": a, "to": b, "product": product.id, "cost": cost})
    return entries
