"""Organisations of a generated market: how many of each role, where they are, what they hold."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .generate_catalog import REGIONS
from .generate_roles import FINAL_DEMAND, ROLES, Role

# Trade-name syllables (pinyin, hanzi): two of them make a plausible company name.
_SYLLABLES = (
    ("Heng", "恒"), ("Sheng", "盛"), ("Hua", "华"), ("Tian", "天"), ("Rui", "瑞"), ("Xin", "鑫"),
    ("Yuan", "源"), ("Da", "达"), ("Tai", "泰"), ("Feng", "丰"), ("Long", "隆"), ("Kai", "凯"),
    ("Chuang", "创"), ("Bang", "邦"), ("Jia", "嘉"), ("Hong", "鸿"), ("Yu", "宇"), ("Ke", "科"),
    ("Neng", "能"), ("Jin", "金"), ("Fu", "富"), ("Cheng", "诚"), ("Xiang", "祥"), ("Ning", "宁"),
    ("Ming", "明"), ("Hai", "海"), ("Shan", "山"), ("Rong", "荣"), ("Tong", "通"), ("Wei", "威"),
)


@dataclass
class Org:
    id: str
    name: str
    name_zh: str
    region: str
    role: Role
    weight: float  # relative size within its role
    certifications: list[str]
    integrated: bool  # has captive supply of its main input
    buys: str | None = None  # for pure buyers: the finished good this org buys
    tiers: set[str] = field(default_factory=set)

    def describe(self, tier_order: tuple[str, ...]) -> dict[str, object]:
        kinds = list(self.role.kinds)
        if self.integrated and self.role.captive_kind and self.role.captive_kind not in kinds:
            kinds.append(self.role.captive_kind)
        return {
            "id": self.id,
            "name": self.name,
            "name_zh": self.name_zh,
            "region": self.region,
            "tiers": [t for t in tier_order if t in self.tiers],
            "certifications": self.certifications,
            "roles": kinds,
        }


def allocate(orgs: int) -> list[tuple[Role, int]]:
    """Number of orgs per role by largest remainder, every role present when there are enough
    orgs; with fewer orgs than roles the most common roles come first."""
    total = sum(r.share for r in ROLES)
    exact = [orgs * r.share / total for r in ROLES]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(ROLES)), key=lambda i: (counts[i] - exact[i], -ROLES[i].share))
    for i in by_remainder[: orgs - sum(counts)]:
        counts[i] += 1
    if orgs >= len(ROLES):
        for i, n in enumerate(counts):
            if n == 0:
                counts[i] = 1
                biggest = max(range(len(counts)), key=lambda k: counts[k])
                counts[biggest] -= 1
    return [(role, n) for role, n in zip(ROLES, counts) if n > 0]


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def make_orgs(orgs: int, rng: random.Random) -> list[Org]:
    """Every org of the market with region, size, certifications and (for buyers) what it buys.

    Sizes are lognormal within a role: a few large groups and a long tail of small firms.
    """
    width = max(3, len(str(orgs)))
    result: list[Org] = []
    for role, count in allocate(orgs):
        for _ in range(count):
            number = len(result) + 1
            region = _weighted(rng, role.regions)
            city_en, city_zh = rng.choice(REGIONS[region][1])
            (a_en, a_zh), (b_en, b_zh) = rng.sample(_SYLLABLES, 2)
            held = [c for c, p in role.holds.items() if rng.random() < p]
            org = Org(
                id=f"{region}-{role.slug}-{number:0{width}d}",
                name=f"{city_en} {a_en}{b_en.lower()} {role.name_en} Co., Ltd.",
                name_zh=f"{city_zh}{a_zh}{b_zh}{role.name_zh}有限公司",
                region=region,
                role=role,
                weight=rng.lognormvariate(0.0, 0.7),
                certifications=sorted(held),
                integrated=rng.random() < role.captive,
            )
            if role.buys:
                org.buys = rng.choices(role.buys, [FINAL_DEMAND[p] for p in role.buys])[0]
            result.append(org)
    return result
