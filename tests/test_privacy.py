"""What a user types about themselves never reaches a log in full."""
from __future__ import annotations

import logging

from bot.privacy import mask


def test_id_card_and_phone_numbers_are_masked():
    text = "我的身份证650102199001011234，手机13912345678，座机0991-2337209"
    masked = mask(text)
    assert "650102199001011234" not in masked and "13912345678" not in masked and "2337209" not in masked
    assert "1399" not in masked.replace("139****5678", "")
    assert "139****5678" in masked and masked.startswith("我的身份证650102")


def test_x_checksum_and_plain_numbers():
    assert "11010519491231002X" not in mask("11010519491231002X")
    assert mask("1530元/月，2023年12月31日") == "1530元/月，2023年12月31日"


def test_engine_logs_are_masked(loaded_bot, caplog):
    with caplog.at_level(logging.INFO, logger="policybot"):
        loaded_bot.handle("privacy", "我电话13912345678，身份证650102199001011234，能领失业金吗")
    assert "13912345678" not in caplog.text and "650102199001011234" not in caplog.text
    assert "139****5678" in caplog.text


def test_separators_and_country_code_are_masked():
    for typed in ("138-1234-5678", "138 1234 5678", "+86 138 1234 5678", "+8613812345678", "138.1234.5678"):
        masked = mask(f"我的手机{typed}，请回电")
        assert "1234" not in masked.replace("****", "") and masked.endswith("5678，请回电"), masked
    masked = mask("身份证 650102 1990 0101 123X")
    assert "19900101" not in masked.replace(" ", "") and "1990" not in masked and masked.endswith("X")
    assert mask("0991 233 7209") == "0991 ****7209"
    assert mask("失业金1530元，2023 年 12 月") == "失业金1530元，2023 年 12 月"  # figures and dates stay
