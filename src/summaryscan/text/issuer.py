"""The issuing unit (发文单位) of a submission: the organ named by its title, by-line or signature."""
from __future__ import annotations

import re

# endings of an organ's name, longest first where one is a suffix of another
_ORG_END = ("机关党委", "机关党总支", "机关党支部", "机关工委", "纪委监委", "党工委", "党总支", "党支部", "党组",
            "党委", "工委", "监委", "纪委", "委员会", "办公室", "办公厅", "管委会", "局", "委", "办", "厅", "院",
            "署", "中心", "部", "所", "站", "队", "政府", "公司", "集团", "学校", "大学", "协会", "联合会", "分会")
_ORG_RE = re.compile("(?:%s)$" % "|".join(map(re.escape, _ORG_END)))
_ROLE_RE = re.compile(r"(书记|副局长|局长|副主任|主任|负责人|同志|本人|领导班子)$")
_GROUP_RE = re.compile(r"(联合调研组|专题调研组|调研课题组|课题组|调研组|调研专班|写作组|办公室调研组)$")
_TITLE_CUT = re.compile(r"(?:\d{4}|20[0-9XＸx×*＊]{2}|[一二〇○零]{4})年|创建|开展|推进|抓|关于|模范机关|工作|年度|"
                        r"述职|的|在|上半年|下半年|[（(“\"《：:，,\s]")
_LINE_OK = re.compile(r"^[\u4e00-\u9fff（）()·]{3,24}$")


def _org_name(s: str) -> str:
    s = s.strip(" 　：:，,。")
    s = re.sub(r"^中共", "中共", s)
    for rx in (_ROLE_RE, _GROUP_RE):
        s = rx.sub("", s)
    if 3 <= len(s) <= 24 and _ORG_RE.search(s) and _LINE_OK.match(s):
        if s.endswith("机关") or s in ("党组", "党委", "局"):
            return ""
        return s
    return ""


def guess_unit(title: str, text: str = "") -> str:
    """The issuing unit (发文单位) of a submission, or "" when not stated plainly.

    1. The title's head, from its start (after a leading 关于) to the first year,
       or to words such as 创建/开展/关于/工作/述职/的 — kept when it ends like an
       organ's name (局、委、办、党组、机关党委、纪委监委、工委 …), with a trailing
       role (书记、局长 …) removed: ``市交通运输局党组书记2024年度…述职报告`` ->
       ``市交通运输局党组``.
    2. Else a short by-line just under the title (``市直机关工委调研组`` ->
       ``市直机关工委``; an addressee line ending in ``：`` is skipped).
    3. Else the signature at the end (the last short line before a date).
    """
    head = re.sub(r"^(关于|中共)?", "", (title or "").strip())
    m = _TITLE_CUT.search(head)
    cand = head[: m.start()] if m else head
    unit = _org_name(cand)
    if unit:
        return ("中共" + unit) if (title or "").startswith("中共") and not unit.startswith("中共") else unit
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        return ""
    # by-line: the 1-3 lines after the title line
    t_idx = next((i for i, ln in enumerate(lines[:8]) if title and ln.startswith(title[:8])), 0)
    for ln in lines[t_idx + 1: t_idx + 4]:
        if ln.endswith(("：", ":")):
            continue
        unit = _org_name(ln)
        if unit:
            return unit
    # signature: short lines near the end, skipping dates
    for ln in reversed(lines[-4:]):
        if re.search(r"\d{4}\s*年|[〇○零一二]{4}年|\d{1,2}月\d{1,2}日", ln):
            continue
        unit = _org_name(ln)
        if unit:
            return unit
    return ""
