"""Money (prices, freight, amounts in CNY) always shows two decimals; quantities drop trailing zeros."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from matchmaker.i18n import fmt_money, fmt_number


@pytest.mark.parametrize(("value", "shown"), [(33_904.4, "33,904.40"), (73_500, "73,500.00"), (294.4, "294.40"),
                                              (-1_250.5, "-1,250.50")])
def test_money_has_two_decimals(app, value, shown):
    with app.test_request_context():
        assert fmt_money(value) == shown


def test_money_without_a_value_is_a_dash(app):
    with app.test_request_context():
        assert fmt_money(None) == "—"


def test_a_quantity_keeps_its_own_format(app):
    with app.test_request_context():
        assert fmt_number(1_250.5) == "1,250.5" and fmt_number(300.0) == "300"


def test_money_follows_the_language(app):
    with app.test_request_context(), force_locale("en"):
        assert fmt_money(33_904.4) == "33,904.40"
