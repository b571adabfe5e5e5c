"""The numeral reader: every form Chinese text writes a number in, read whole or not at all."""
import pytest

from summaryscan.text.numerals import is_chinese_numeral, multiplier, parse_chinese, parse_number, read_numeral


@pytest.mark.parametrize("text,value", [
    ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("二十五", 25), ("一百", 100),
    ("一千二百", 1200), ("一百零五", 105), ("三百五十万", 3_500_000), ("两万", 20_000),
    ("一亿二千万", 120_000_000), ("二〇二三", 2023), ("叁佰", 300),
])
def test_parse_chinese(text, value):
    assert parse_chinese(text) == value


@pytest.mark.parametrize("text", ["", "十十", "百千", "abc", "12", "负三", "二点五"])
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


def _reads(cases):
    for text, value in cases:
        got = read_numeral(text)
        assert got == pytest.approx(value, rel=1e-12), (text, got, value)


def test_a_last_unit_left_off_is_the_next_unit_down():
    _reads([("五万八", 58_000), ("三千二", 3_200), ("六百五", 650), ("一亿五", 150_000_000), ("千三", 1_300),
            ("百三", 130), ("九十二万四", 924_000), ("一百二十万三", 1_203_000), ("两千三点一", 2_300.1)])
    # 零 says the unit is not left off; 十 has no unit below it
    _reads([("五万零八", 50_008), ("三千零二", 3_002), ("二十五", 25)])


def test_wan_inside_the_part_before_yi():
    _reads([("四万亿", 4e12), ("十万亿", 1e13), ("两万三千亿", 2.3e12), ("三百五十万亿", 3.5e14),
            ("一千一百一十一万一千一百一十一亿一千一百一十一万一千一百一十一", 1_111_111_111_111_111),
            ("四万万", 4e8), ("5亿1万4千6百", 500_014_600)])


def test_zero_and_hedges_inside_yi_and_wan():
    _reads([("四亿零七百万", 407_000_000), ("拾亿零六万零五百零六", 1_000_060_506), ("一百零十万", 1_100_000)])


def test_decimals_with_dian():
    _reads([("二点五", 2.5), ("一百二十点五", 120.5), ("三点零五", 3.05), ("零点七", 0.7), ("一点五万", 15_000),
            ("四百亿点零五", 40_000_000_000.05), ("一百点25", 100.25)])


def test_signs():
    _reads([("负三点九", -3.9), ("-22.2", -22.2), ("－１２", -12), ("负一万", -10_000), ("负零点一", -0.1)])


def test_mixed_arabic_and_chinese():
    _reads([("1万600", 10_600), ("3万4000", 34_000), ("2千零30万", 20_300_000), ("200亿零四千230", 20_000_004_230),
            ("25万6千", 256_000), ("1,100.9亿", 110_090_000_000), ("3.5千万", 35_000_000), ("4.78万亿", 4.78e12),
            ("1百01", 101)])


def test_an_arabic_part_after_a_unit_is_written_in_full_in_running_text():
    assert read_numeral("1万600") == 10_600                       # one number, read alone
    assert read_numeral("1万0600", isolated=False) == 10_600
    assert read_numeral("1万零600", isolated=False) == 10_600
    assert read_numeral("3万4000", isolated=False) == 34_000
    for text in ("1万600", "390万65"):                           # 390万65岁: two numbers side by side
        assert read_numeral(text, isolated=False) is None


def test_formal_digits_and_rare_characters():
    _reads([("壹万贰仟叁佰", 12_300), ("玖佰零伍", 905), ("拾万零五十六点叁叁", 100_056.33), ("廿三", 23), ("卅", 30),
            ("兩千", 2_000), ("幺二零", 120)])


def test_thousands_separators():
    _reads([("1,234", 1_234), ("１，２３４，５６７", 1_234_567), ("12,345.5", 12_345.5)])
    assert read_numeral("1,23") is None and read_numeral("12,3456") is None


def test_digit_strings_only_in_an_isolated_span():
    _reads([("二〇二三", 2023), ("一一", 11), ("零零三", 3), ("一七二零点一", 1720.1)])
    for text in ("二〇二三", "三四", "一一"):
        assert read_numeral(text, isolated=False) is None       # 三四个: three or four, a range


@pytest.mark.parametrize("text", [
    "十一十二", "百十一", "三五", "二三十", "一点两", "两两", "万", "万万", "10.1万零100", "10..1万", "3万4",
    "5万亿两", "零点", "点五", "一亿一万亿", "十万零", "五十千", "一万二万", "二十几万", "负", "", "1.5点3",
])
def test_a_form_not_understood_is_no_number(text):
    assert read_numeral(text, isolated=False) is None


def test_values_past_float_range_are_no_number():
    assert read_numeral("9" * 400) is None
    assert read_numeral("9" * 22 + "万亿") == float("9" * 22 + "0" * 12)
