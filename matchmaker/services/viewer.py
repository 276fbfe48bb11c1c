"""Who is asking: the facts services need to decide what a user may see and do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewer:
    user_id: int
    org_id: int
    role: str
    org_status: str

    @property
    def is_staff(self) -> bool:
        return self.role in ("staff", "admin")

    @property
    def may_trade(self) -> bool:
        """Members of approved organisations post offers and demands; staff review, never trade."""
        return self.role == "member" and self.org_status == "approved"
