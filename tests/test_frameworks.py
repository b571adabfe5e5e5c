"""Frameworks: built-in YAML data, the loader's error reporting, describe()."""
from __future__ import annotations

import pickle
import textwrap
from importlib import resources
from pathlib import Path

import pydantic
import pytest

from summaryscan.frameworks import (
    Framework,
    FrameworkError,
    builtin_ids,
    describe,
    list_frameworks,
    load_framework,
    parse_framework,
)

FIVE_TYPES = ["政治型", "学习型", "高效型", "廉洁型", "活力型"]
FOUR_REQUIREMENTS = ["讲政治", "守纪律", "负责任", "有效率"]
SIX_STANDARDS = ["政治建设", "思想建设", "组织建设", "党风廉政建设", "队伍建设", "制度建设"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load_error(path: Path) -> FrameworkError:
    with pytest.raises(FrameworkError) as info:
        load_framework(str(path))
    return info.value


# --------------------------------------------------------------------------- #
# built-ins
# --------------------------------------------------------------------------- #

def test_builtin_ids():
    assert builtin_ids() == ["five-types", "four-requirements", "six-standards"]


@pytest.mark.parametrize("fid, names", [
    ("five-types", FIVE_TYPES),
    ("four-requirements", FOUR_REQUIREMENTS),
    ("six-standards", SIX_STANDARDS),
])
def test_builtin_loads_with_expected_dimensions(fid, names):
    fw = load_framework(fid)
    assert isinstance(fw, Framework)
    assert fw.id == fid
    assert fw.dimension_names() == names
    assert fw.source and Path(fw.source).name == f"{fid}.yaml"
    for d in fw.dimensions:
        assert d.indicators, d.name
        for _, item in d.items():
            assert item.phrases and item.weight > 0
    for doc_type in ("工作总结", "调研报告", "述职报告", "工作汇报", "default"):
        assert fw.expected_sections_for(doc_type), (fid, doc_type)


def test_builtins_are_package_data():
    files = {p.name for p in resources.files("summaryscan.frameworks").iterdir()}
    assert {"five-types.yaml", "four-requirements.yaml", "six-standards.yaml"} <= files
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    if pyproject.exists():
        assert "frameworks/*.yaml" in pyproject.read_text(encoding="utf-8")


def test_five_types_is_rich():
    fw = load_framework("five-types")
    for d in fw.dimensions:
        assert 8 <= len(d.indicators) <= 15, (d.name, len(d.indicators))
        assert sum(len(i.phrases) for i in d.indicators) >= 60, d.name
        assert any(i.quantitative for i in d.indicators), d.name


def test_five_types_bonus_and_deductions_follow_the_source():
    fw = load_framework("five-types")

    def names(dim, field):
        return " ".join(item.name for item in getattr(fw.dimension(dim), field))

    assert "党建责任制考核" in names("政治型", "bonus")
    assert "综合考核" in names("政治型", "bonus")
    assert "行业系统考核" in names("政治型", "bonus")
    assert "意识形态" in names("政治型", "deductions")
    assert "网站信息" in names("政治型", "deductions")
    assert "省级以上媒体" in names("学习型", "bonus")
    assert "及时传达" in names("学习型", "deductions")
    for word in ("行风评议", "信访", "招商引资", "重大项目", "营商环境"):
        assert word in names("高效型", "bonus"), word
    for word in ("营商环境", "办不成事", "明察暗访"):
        assert word in names("高效型", "deductions"), word
    assert "廉政文化" in names("廉洁型", "bonus")
    assert "违纪" in names("廉洁型", "deductions")
    for word in ("一先两优", "星级党组织", "综合表彰"):
        assert word in names("活力型", "bonus"), word
    assert fw.dimension("活力型").deductions == []


@pytest.mark.parametrize("dimension, sentence", [
    ("政治型", "局党组严格落实第一议题制度，全年专题学习24次。"),
    ("政治型", "组织开展政治生态分析研判，形成研判报告3份。"),
    ("政治型", "教育引导党员干部带头践行“两个维护”。"),
    ("学习型", "全年召开理论学习中心组学习会12次。"),
    ("学习型", "举办青年干部读书分享会6期。"),
    ("高效型", "深化接诉即办，群众诉求按时办结率达98%。"),
    ("高效型", "为企业协调解决融资难题15个。"),
    ("廉洁型", "组织党员干部观看警示教育片，开展以案促改。"),
    ("廉洁型", "对新提拔干部开展任前廉政谈话20人次。"),
    ("活力型", "春节前走访慰问困难职工32人。"),
    ("活力型", "组建篮球、羽毛球兴趣小组，举办职工运动会。"),
])
def test_work_sentences_match_their_dimension(dimension, sentence):
    d = load_framework("five-types").dimension(dimension)
    assert any(ind.matches(sentence) for ind in d.indicators)


def test_slogan_alone_is_not_evidence_of_two_maintenances():
    fw = load_framework("five-types")
    loyalty = fw.dimension("政治型").indicator("political-loyalty")
    assert not loyalty.matches("坚决做到“两个维护”。")
    assert loyalty.matches("开展践行“两个维护”专题研讨3次。")


def test_bonus_and_deduction_patterns_match():
    fw = load_framework("five-types")
    pol = fw.dimension("政治型")
    bonus = {b.id: b for b in pol.bonus}
    assert bonus["party-assessment-excellent"].matches("年度机关党建责任制考核被评为优秀等次")
    ded = {d.id: d for d in pol.deductions}
    assert ded["ideology-criticized"].matches("意识形态工作受到上级主管部门通报批评一次")
    assert not ded["ideology-criticized"].matches("认真落实意识形态工作责任制")


def test_item_find_reports_positions():
    ind = load_framework("five-types").dimension("学习型").indicator("center-group")
    text = "本年度召开中心组学习会8次。"
    hits = ind.find(text)
    assert hits and text[hits[0].start:hits[0].end] == hits[0].text == "中心组学习"


def test_expected_sections_lookup():
    fw = load_framework("five-types")
    assert [s.id for s in fw.expected_sections_for("工作总结")] == ["results", "problems", "plans"]
    assert [s.id for s in fw.expected_sections_for("调研报告")][-1] == "suggestions"
    # a longer type name and an unknown one
    assert fw.expected_sections_for("2023年度工作总结") == fw.expected_sections_for("工作总结")
    assert fw.expected_sections_for("情况通报") == fw.expected_sections_for("default")
    assert fw.expected_sections_for(None) == fw.expected_sections_for("default")
    plans = fw.expected_sections_for("工作总结")[2]
    assert plans.matches("三、下一步工作打算") and not plans.matches("一、主要成效")


def test_framework_is_immutable():
    fw = load_framework("five-types")
    with pytest.raises(pydantic.ValidationError):
        fw.name = "别的"


# --------------------------------------------------------------------------- #
# list_frameworks / describe
# --------------------------------------------------------------------------- #

def test_list_frameworks():
    rows = list_frameworks()
    assert [r["id"] for r in rows] == builtin_ids()
    five = rows[0]
    assert five["name"] and five["version"] == "1.0"
    assert five["dimensions"] == 5
    assert Path(five["path"]).is_file()
    assert {r["id"]: r["dimensions"] for r in rows} == {
        "five-types": 5, "four-requirements": 4, "six-standards": 6}


def test_list_frameworks_with_user_files(tmp_path):
    good = write(tmp_path, "good.yaml", MINIMAL)
    bad = write(tmp_path, "bad.yaml", "id: [oops\n")
    rows = list_frameworks([good, bad])
    assert rows[-2]["id"] == "my-fw" and rows[-2]["dimensions"] == 2
    assert "error" not in rows[-2]
    assert rows[-1]["id"] == "bad" and "bad.yaml:" in rows[-1]["error"]


def test_describe_five_types():
    text = describe(load_framework("five-types"))
    for name in FIVE_TYPES:
        assert name in text
    assert "年度机关党建责任制考核优秀" in text      # a bonus item
    assert "意识形态工作受到通报批评" in text        # a deduction item
    assert "市级以上“一先两优”表彰" in text
    assert "加分项" in text and "扣分项" in text
    assert "（+2 分）" in text and "（-2 分）" in text
    assert "第一议题" in text                         # an indicator phrase
    assert "工作总结" in text and "下一步打算与工作计划" in text


@pytest.mark.parametrize("fid", ["four-requirements", "six-standards"])
def test_describe_accepts_an_id(fid):
    text = describe(fid, max_phrases=None)
    for name in load_framework(fid).dimension_names():
        assert name in text


# --------------------------------------------------------------------------- #
# user files
# --------------------------------------------------------------------------- #

MINIMAL = """
id: my-fw
name: 我的框架
version: 2.0
description: >
  一个用于测试的
  最小框架。
dimensions:
  - id: a
    name: 甲维度
    indicators:
      - id: i1
        name: 指标一
        phrases: [第一议题, 中心组学习]
        quantitative: true
    bonus:
      - id: b1
        name: 加分一
        phrases: [考核优秀]
        weight: 3
  - id: b
    name: 乙维度
    weight: 2
    indicators:
      - id: i1
        name: 指标
        phrases: [警示教育]
        patterns: ['以案促[改治]']
    deductions:
      - id: d1
        name: 扣分一
        phrases: [通报批评]
expected_sections:
  工作总结:
    - {id: results, name: 成效, phrases: [成效, 做法]}
"""


def test_user_file_loads(tmp_path):
    path = write(tmp_path, "mine.yaml", MINIMAL)
    fw = load_framework(str(path))
    assert fw.id == "my-fw"
    assert fw.version == "2.0"                        # a YAML float kept as text
    assert fw.description == "一个用于测试的最小框架。"  # folded lines joined
    assert fw.dimension_names() == ["甲维度", "乙维度"]
    assert fw.dimension("b").weight == 2
    assert fw.dimension("甲维度").bonus[0].weight == 3
    assert fw.dimension("b").deductions[0].weight == 1
    assert fw.scoring.covered_threshold == 0.35
    assert fw.source == str(path)
    assert fw.expected_sections_for("述职报告") == []   # no default given
    assert load_framework(path).id == "my-fw"           # a Path works too


def test_yml_suffix_and_bom(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_bytes(b"\xef\xbb\xbf" + textwrap.dedent(MINIMAL).encode("utf-8"))
    assert load_framework(str(path)).id == "my-fw"


# --------------------------------------------------------------------------- #
# errors: file, line, field
# --------------------------------------------------------------------------- #

def test_malformed_yaml(tmp_path):
    path = write(tmp_path, "broken.yaml", """
        id: broken
        name: 坏文件
        dimensions:
          - id: a
            name: 甲
            indicators: [ {id: i, name: n, phrases: [第一议题]
    """)
    err = load_error(path)
    assert err.path == str(path)
    assert err.line == 7
    assert str(err).startswith(f"{path}:7: ")
    assert "broken.yaml" in str(err)
    assert "YAML" in str(err)


def test_yaml_indentation_error(tmp_path):
    path = write(tmp_path, "indent.yaml", """
        id: x
        name: y
          version: 1
    """)
    err = load_error(path)
    assert err.line == 3 and "indent.yaml:3:" in str(err)


def test_missing_required_field(tmp_path):
    path = write(tmp_path, "missing.yaml", """
        id: my-fw
        name: 我的框架
        dimensions:
          - id: a
            name: 甲
            indicators:
              - id: i1
                name: 指标一
                phrases: [第一议题]
          - id: b
            name: 乙
            indicators:
              - id: i1
                name: 没有短语的指标
    """)
    err = load_error(path)
    assert err.line == 13
    assert err.field == "dimensions[1].indicators[0].phrases"
    assert str(err) == (f"{path}:13: dimensions[1].indicators[0].phrases: "
                        "至少需要一个短语 (Field required)")


def test_wrong_type(tmp_path):
    path = write(tmp_path, "wrongtype.yaml", """
        id: my-fw
        name: 我的框架
        dimensions:
          - id: a
            name: 甲
            indicators:
              - id: i1
                name: 指标一
                phrases: [第一议题]
                weight: 很高
    """)
    err = load_error(path)
    assert err.line == 10
    assert err.field == "dimensions[0].indicators[0].weight"
    assert "wrongtype.yaml:10: dimensions[0].indicators[0].weight: 应为数字" in str(err)


def test_phrases_must_be_a_list(tmp_path):
    path = write(tmp_path, "notlist.yaml", """
        id: my-fw
        name: 我的框架
        dimensions:
          - id: a
            name: 甲
            indicators:
              - id: i1
                name: 指标一
                phrases: 第一议题
    """)
    err = load_error(path)
    assert (err.line, err.field) == (9, "dimensions[0].indicators[0].phrases")
    assert "应为列表" in str(err)


def test_unknown_key(tmp_path):
    path = write(tmp_path, "unknown.yaml", """
        id: my-fw
        name: 我的框架
        dimensions:
          - id: a
            name: 甲
            indicators:
              - id: i1
                name: 指标一
                phrases: [第一议题]
                synonyms: [首要议题]
    """)
    err = load_error(path)
    assert err.line == 10
    assert err.field == "dimensions[0].indicators[0].synonyms"
    assert "unknown.yaml:10: dimensions[0].indicators[0].synonyms: 未知字段" in str(err)


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path, "top.yaml", MINIMAL + "autor: 某人\n")
    err = load_error(path)
    assert err.field == "autor"
    assert err.line == len(textwrap.dedent(MINIMAL).lstrip("\n").splitlines()) + 1


def test_duplicate_indicator_id(tmp_path):
    path = write(tmp_path, "dup.yaml", """
        id: my-fw
        name: 我的框架
        dimensions:
          - id: a
            name: 甲
            indicators:
              - id: same
                name: 指标一
                phrases: [第一议题]
              - id: same
                name: 指标二
                phrases: [政治监督]
    """)
    err = load_error(path)
    assert err.line == 10
    assert err.field == "dimensions[0].indicators[1].id"
    assert "dup.yaml:10: dimensions[0].indicators[1].id: 重复的条目 id “same”" in str(err)
    assert "第 7 行" in str(err)


def test_duplicate_dimension_id(tmp_path):
    path = write(tmp_path, "dupdim.yaml", """
        id: my-fw
        name: 我的框架
        dimensions:
          - id: a
            name: 甲
            indicators: [{id: i, name: n, phrases: [第一议题]}]
          - id: a
            name: 乙
            indicators: [{id: i, name: n, phrases: [中心组学习]}]
    """)
    err = load_error(path)
    assert (err.line, err.field) == (7, "dimensions[1].id")
    assert "重复的维度 id “a”，首次定义于第 4 行" in str(err)


def test_duplicate_yaml_key(tmp_path):
    path = write(tmp_path, "dupkey.yaml", """
        id: my-fw
        name: 我的框架
        dimensions:
          - id: a
            name: 甲
            name: 乙
            indicators: [{id: i, name: n, phrases: [第一议题]}]
    """)
    err = load_error(path)
    assert (err.line, err.field) == (6, "dimensions[0].name")
    assert "dupkey.yaml:6: dimensions[0].name: 重复的键" in str(err)


def test_bad_regex(tmp_path):
    path = write(tmp_path, "regex.yaml", """
        id: my-fw
        name: 我的框架
        dimensions:
          - id: a
            name: 甲
            indicators:
              - id: i1
                name: 指标一
                phrases: [第一议题]
                patterns:
                  - '第一议题.{0,5}\\d+次'
                  - '以案(促改'
    """)
    err = load_error(path)
    assert err.line == 12
    assert err.field == "dimensions[0].indicators[0].patterns[1]"
    assert "regex.yaml:12: dimensions[0].indicators[0].patterns[1]:" in str(err)
    assert "以案(促改" in str(err)


def test_regex_matching_empty_string_is_rejected(tmp_path):
    path = write(tmp_path, "empty-regex.yaml", """
        id: my-fw
        name: 我的框架
        dimensions:
          - id: a
            name: 甲
            indicators:
              - {id: i1, name: 指标一, phrases: [第一议题], patterns: ['(学习)*']}
    """)
    err = load_error(path)
    assert (err.line, err.field) == (7, "dimensions[0].indicators[0].patterns[0]")
    assert "空字符串" in str(err)


def test_all_issues_are_reported_in_line_order(tmp_path):
    path = write(tmp_path, "many.yaml", """
        id: Bad Id
        name: 我的框架
        scoring:
          covered_threshold: 1.5
        dimensions:
          - id: a
            name: 甲
            indicators:
              - {id: i1, name: 指标一, phrases: [学]}
    """)
    err = load_error(path)
    assert [(i.line, i.field) for i in err.issues] == [
        (1, "id"),
        (4, "scoring.covered_threshold"),
        (9, "dimensions[0].indicators[0].phrases[0]"),
    ]
    lines = str(err).splitlines()
    assert len(lines) == 3 and all(line.startswith(f"{path}:") for line in lines)


@pytest.mark.parametrize("text, line", [
    ("", 1),
    ("- 只是\n- 一个列表\n", 1),
])
def test_not_a_mapping(tmp_path, text, line):
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    err = load_error(path)
    assert err.line == line and "odd.yaml:1:" in str(err)


def test_missing_file_and_unknown_id(tmp_path):
    err = load_error(tmp_path / "nope.yaml")
    assert err.line is None and "nope.yaml" in str(err) and "文件不存在" in str(err)
    with pytest.raises(FrameworkError) as info:
        load_framework("seven-types")
    assert "seven-types" in str(info.value) and "five-types" in str(info.value)


def test_not_utf8(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("id: x\nname: 框架\n".encode("gbk"))
    err = load_error(path)
    assert err.line == 2 and "UTF-8" in str(err)


def test_parse_framework_from_text():
    with pytest.raises(FrameworkError) as info:
        parse_framework("id: x\nname: y\n", "inline.yaml")
    err = info.value
    assert isinstance(err, ValueError)
    assert (err.line, err.field) == (1, "dimensions")
    assert str(err).startswith("inline.yaml:1: dimensions: 至少需要一个维度")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err)



def test_duplicate_indicator_name(tmp_path):
    path = write(tmp_path, "dupname.yaml", """
        id: my-fw
        name: 我的框架
        dimensions:
          - id: a
            name: 甲
            indicators:
              - {id: i1, name: 同名指标, phrases: [第一议题]}
              - {id: i2, name: 同名指标, phrases: [政治监督]}
    """)
    err = load_error(path)
    assert (err.line, err.field) == (8, "dimensions[0].indicators[1].name")
    assert "重复的指标名称 “同名指标”，首次定义于第 7 行" in str(err)
