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
