"""Provinces of mainland China as region ids.

Region ids are lowercase pinyin, the same ids the market file uses (``"jiangxi"``, ``"sichuan"``),
so a listing's region goes to the solver unchanged. Shanxi and Shaanxi keep their official
romanisations to stay distinct.
"""

from __future__ import annotations

PROVINCES: dict[str, tuple[str, str]] = {
    "beijing": ("北京", "Beijing"),
    "tianjin": ("天津", "Tianjin"),
    "hebei": ("河北", "Hebei"),
    "shanxi": ("山西", "Shanxi"),
    "neimenggu": ("内蒙古", "Inner Mongolia"),
    "liaoning": ("辽宁", "Liaoning"),
    "jilin": ("吉林", "Jilin"),
    "heilongjiang": ("黑龙江", "Heilongjiang"),
    "shanghai": ("上海", "Shanghai"),
    "jiangsu": ("江苏", "Jiangsu"),
    "zhejiang": ("浙江", "Zhejiang"),
    "anhui": ("安徽", "Anhui"),
    "fujian": ("福建", "Fujian"),
    "jiangxi": ("江西", "Jiangxi"),
    "shandong": ("山东", "Shandong"),
    "henan": ("河南", "Henan"),
    "hubei": ("湖北", "Hubei"),
    "hunan": ("湖南", "Hunan"),
    "guangdong": ("广东", "Guangdong"),
    "guangxi": ("广西", "Guangxi"),
    "hainan": ("海南", "Hainan"),
    "chongqing": ("重庆", "Chongqing"),
    "sichuan": ("四川", "Sichuan"),
    "guizhou": ("贵州", "Guizhou"),
    "yunnan": ("云南", "Yunnan"),
    "xizang": ("西藏", "Tibet"),
    "shaanxi": ("陕西", "Shaanxi"),
    "gansu": ("甘肃", "Gansu"),
    "qinghai": ("青海", "Qinghai"),
    "ningxia": ("宁夏", "Ningxia"),
    "xinjiang": ("新疆", "Xinjiang"),
}


def is_region(region_id: str) -> bool:
    return region_id in PROVINCES


def region_name(region_id: str, locale: str) -> str:
    """Display name in the UI language; an unknown id is shown as is rather than failing a page."""
    names = PROVINCES.get(region_id)
    if names is None:
        return region_id
    return names[0] if locale.startswith("zh") else names[1]


# First two digits of the GB/T 2260 administrative division code: the province part of
# characters 3-8 of a unified social credit code (``360000`` is Jiangxi).
DIVISION_CODES: dict[str, str] = {
    "beijing": "11", "tianjin": "12", "hebei": "13", "shanxi": "14", "neimenggu": "15",
    "liaoning": "21", "jilin": "22", "heilongjiang": "23", "shanghai": "31", "jiangsu": "32",
    "zhejiang": "33", "anhui": "34", "fujian": "35", "jiangxi": "36", "shandong": "37",
    "henan": "41", "hubei": "42", "hunan": "43", "guangdong": "44", "guangxi": "45",
    "hainan": "46", "chongqing": "50", "sichuan": "51", "guizhou": "52", "yunnan": "53",
    "xizang": "54", "shaanxi": "61", "gansu": "62", "qinghai": "63", "ningxia": "64",
    "xinjiang": "65",
}
