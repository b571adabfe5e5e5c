import pytest

from summaryscan.text.numerals import is_chinese_numeral, multiplier, parse_chinese, parse_number


@pytest.mark.parametrize("text,value", [
    ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("二十五", 25), ("一百", 100),
    ("一千二百", 1200), ("一百零五", 105), ("三百五十万", 3_500_000), ("两万", 20_000),
    ("一亿二千万", 120_000_000), ("二〇二三", 2023), ("叁佰", 300),
])
def test_parse_chinese(text, value):
    assert parse_chinese(text) == value


@pytest.mark.parametrize("text", ["", "十十", "百千", "abc"])
def test_parse_chinese_rejects_malformed(text):
    assert parse_chinese(text) is None


@pytest.mark.parametrize("text,value", [
    ("4.6", 4.6), ("1,200", 1200.0), ("１２００", 1200.0), ("１．５", 1.5), ("１，０００", 1000.0),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_multiplier():
    assert multiplier("万") == 10_000
    assert multiplier("亿") == 100_000_000
    assert multiplier("万亿") == 10 ** 12


def test_is_chinese_numeral():
    assert is_chinese_numeral("十二")
    assert not is_chinese_numeral("十二个")
