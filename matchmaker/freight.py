"""Freight between provinces, estimated where nobody publishes it: road haulage between capitals.

Freight rates between Chinese provinces are not published, so the platform estimates them: the
great-circle distance between the two provincial capitals, lengthened by ``ROAD_FACTOR`` to road
kilometres, times a rate per tonne-km (0.35 CNY by default, the assumption of
``solver/data/README.md``; staff can change it), times the product's tonnes per unit. Staff
override particular lanes with a figure per tonne they know better. Within one province freight
is 0 unless staff set a lane from the province to itself, as the market-file spec does.

Pure functions and data only: the database side is ``matchmaker.services.freight``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_RATE_CNY_PER_TONNE_KM = 0.35
# Road distance over great-circle distance. Across the 45 lanes between ten provincial capitals
# for which ``solver/generate_catalog.ROAD_KM`` holds map-service road distances, the ratio is
# 1.10-1.56, median 1.22, mean 1.24; 1.25 rounds the mean up a little for the mountain lanes of
# the south-west and west, which that table covers least.
ROAD_FACTOR = 1.25
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


@dataclass(frozen=True)
class Capital:
    name_zh: str
    name_en: str
    lat: float  # degrees north
    lon: float  # degrees east


# The seat of government of every province in ``matchmaker.regions.PROVINCES`` (the city centre;
# municipalities stand for themselves), to three decimals: about 100 m, far finer than the estimate.
CAPITALS: dict[str, Capital] = {
    "beijing": Capital("北京", "Beijing", 39.904, 116.407),
    "tianjin": Capital("天津", "Tianjin", 39.084, 117.201),
    "hebei": Capital("石家庄", "Shijiazhuang", 38.042, 114.515),
    "shanxi": Capital("太原", "Taiyuan", 37.870, 112.549),
    "neimenggu": Capital("呼和浩特", "Hohhot", 40.842, 111.749),
    "liaoning": Capital("沈阳", "Shenyang", 41.806, 123.432),
    "jilin": Capital("长春", "Changchun", 43.817, 125.324),
    "heilongjiang": Capital("哈尔滨", "Harbin", 45.803, 126.535),
    "shanghai": Capital("上海", "Shanghai", 31.230, 121.474),
    "jiangsu": Capital("南京", "Nanjing", 32.060, 118.797),
    "zhejiang": Capital("杭州", "Hangzhou", 30.274, 120.155),
    "anhui": Capital("合肥", "Hefei", 31.821, 117.227),
    "fujian": Capital("福州", "Fuzhou", 26.074, 119.296),
    "jiangxi": Capital("南昌", "Nanchang", 28.682, 115.858),
    "shandong": Capital("济南", "Jinan", 36.651, 117.120),
    "henan": Capital("郑州", "Zhengzhou", 34.746, 113.625),
    "hubei": Capital("武汉", "Wuhan", 30.593, 114.305),
    "hunan": Capital("长沙", "Changsha", 28.228, 112.939),
    "guangdong": Capital("广州", "Guangzhou", 23.129, 113.264),
    "guangxi": Capital("南宁", "Nanning", 22.817, 108.366),
    "hainan": Capital("海口", "Haikou", 20.044, 110.199),
    "chongqing": Capital("重庆", "Chongqing", 29.563, 106.551),
    "sichuan": Capital("成都", "Chengdu", 30.573, 104.066),
    "guizhou": Capital("贵阳", "Guiyang", 26.647, 106.630),
    "yunnan": Capital("昆明", "Kunming", 25.038, 102.718),
    "xizang": Capital("拉萨", "Lhasa", 29.652, 91.172),
    "shaanxi": Capital("西安", "Xi'an", 34.341, 108.940),
    "gansu": Capital("兰州", "Lanzhou", 36.061, 103.834),
    "qinghai": Capital("西宁", "Xining", 36.617, 101.778),
    "ningxia": Capital("银川", "Yinchuan", 38.487, 106.231),
    "xinjiang": Capital("乌鲁木齐", "Urumqi", 43.825, 87.617),
}

Lane = tuple[str, str]


def lane(a: str, b: str) -> Lane:
    """The key of a lane whatever the direction: freight is the same both ways."""
    return (a, b) if a <= b else (b, a)


def great_circle_km(a: str, b: str) -> float:
    """Haversine distance between the capitals of provinces ``a`` and ``b``. Raises KeyError."""
    p, q = CAPITALS[a], CAPITALS[b]
    lat1, lon1, lat2, lon2 = map(math.radians, (p.lat, p.lon, q.lat, q.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def road_km(a: str, b: str) -> float:
    """Estimated road distance between two provinces' capitals; 0 within a province."""
    return 0.0 if a == b else great_circle_km(a, b) * ROAD_FACTOR


@dataclass(frozen=True)
class FreightRates:
    """The rate staff set and their lane overrides; answers freight per tonne and per unit."""

    rate: float = DEFAULT_RATE_CNY_PER_TONNE_KM  # CNY per tonne-km
    overrides: Mapping[Lane, float] = field(default_factory=dict)  # CNY per tonne, keyed by ``lane()``

    def override(self, a: str, b: str) -> float | None:
        return self.overrides.get(lane(a, b))

    def per_tonne(self, a: str, b: str) -> float:
        """CNY per tonne from ``a`` to ``b``: the override of the lane, else road km x rate."""
        fixed = self.override(a, b)
        if fixed is not None:
            return fixed
        return road_km(a, b) * self.rate

    def per_unit(self, a: str, b: str, tonnes_per_unit: float | None) -> float | None:
        """CNY per product unit, to the cent; None when the product's weight is unknown (no
        tonnes per unit in the catalogue), since a per-tonne figure cannot then be applied."""
        if tonnes_per_unit is None:
            return None
        return round(self.per_tonne(a, b) * tonnes_per_unit, 2)
