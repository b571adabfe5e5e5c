"""Load framework YAML files with errors that name the file, line and field.

The YAML is composed into a node tree first (nodes keep their line), then
constructed into plain data and validated by the pydantic models in
:mod:`.schema`.  Each pydantic error ``loc`` such as
``('dimensions', 2, 'indicators', 0, 'phrases')`` is walked down the node tree
to find the line, and reported as::

    five-types.yaml:42: dimensions[2].indicators[0].phrases: 至少需要一个短语 (Field required)

A user's bad file never yields a traceback: every problem is a
:class:`FrameworkError`.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, NamedTuple, Optional, Union

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .schema import Framework

YAML_SUFFIXES = (".yaml", ".yml")


# --------------------------------------------------------------------------- #
# errors
# --------------------------------------------------------------------------- #

class Issue(NamedTuple):
    line: Optional[int]      # 1-based; None when the file could not be read
    field: Optional[str]     # e.g. "dimensions[2].indicators[0].phrases"
    message: str


class FrameworkError(ValueError):
    """A framework file that cannot be used.

    ``path`` is the file as the user named it (for a built-in: its file name),
    ``line`` is 1-based, ``field`` the dotted path of the offending key.
    ``issues`` holds every problem found, sorted by line; the first one is
    also in ``line``/``field``/``message``.
    """

    def __init__(self, path: str, line: Optional[int], field: Optional[str],
                 message: str, issues: Optional[list[Issue]] = None):
        self.path = str(path)
        self.line = line
        self.field = field
        self.message = message
        self.issues = issues or [Issue(line, field, message)]
        super().__init__(self.path, line, field, message)

    @staticmethod
    def _format(path: str, line: Optional[int], field: Optional[str], message: str) -> str:
        head = path if line is None else f"{path}:{line}"
        return f"{head}: {field}: {message}" if field else f"{head}: {message}"

    def __str__(self) -> str:
        return "\n".join(self._format(self.path, *i) for i in self.issues)

    def __reduce__(self):
        return (type(self), (self.path, self.line, self.field, self.message, self.issues))


# --------------------------------------------------------------------------- #
# YAML with line numbers
# --------------------------------------------------------------------------- #

class _Loader(yaml.SafeLoader):
    """SafeLoader; kept as a subclass so tweaks stay local to frameworks."""


class _DuplicateKey(Exception):
    def __init__(self, loc: tuple, key: str, line: int, first: int):
        super().__init__(key)
        self.loc, self.key, self.line, self.first = loc, key, line, first


def _check_duplicate_keys(node: Node, loc: tuple = (), seen_nodes=None) -> None:
    """PyYAML silently keeps the last of two equal keys; make that an error."""
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:      # aliases may share nodes
        return
    seen_nodes.add(id(node))
    if isinstance(node, MappingNode):
        keys: dict[str, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key in keys and key != "<<":
                    raise _DuplicateKey(loc + (key,), key, line, keys[key])
                keys[key] = line
                _check_duplicate_keys(value_node, loc + (key,), seen_nodes)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicate_keys(item, loc + (i,), seen_nodes)


def _parse_yaml(text: str) -> tuple[Any, Optional[Node]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_duplicate_keys(node)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, node


def _yaml_error(path: str, exc: yaml.YAMLError) -> FrameworkError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    context = getattr(exc, "context", None)
    cmark = getattr(exc, "context_mark", None)
    if context and cmark is not None and cmark.line + 1 != line:
        context = f"{context}（第 {cmark.line + 1} 行）"
    parts = [context, getattr(exc, "problem", None)]
    detail = "; ".join(p for p in parts if p) or str(exc)
    return FrameworkError(path, line, None, f"YAML 语法错误 (YAML syntax error): {detail}")


def _locate(root: Optional[Node], loc: Iterable[Any]) -> tuple[Optional[int], str]:
    """(line, field path) of ``loc`` in the node tree.

    The line is the key's own line for a mapping entry, the item's line for a
    sequence item, and the parent's line for a key that is missing.  The path
    uses ``.key`` for mapping keys and ``[i]`` for sequence items, as the YAML
    has them (so a numeric mapping key is not shown as an index).
    """
    loc = list(loc)
    line = root.start_mark.line + 1 if root is not None else None
    node = root
    path = ""
    i = 0
    while node is not None and i < len(loc):
        part = loc[i]
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == str(part):
                    line = key_node.start_mark.line + 1
                    path += ("." if path else "") + str(part)
                    node = value_node
                    break
            else:
                break
        elif isinstance(node, SequenceNode) and isinstance(part, int) \
                and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
            path += f"[{part}]"
        else:
            break
        i += 1
    if i < len(loc):
        rest = field_path(loc[i:])
        path += rest if (not path or rest.startswith("[")) else "." + rest
    return line, path


def _line_of(root: Optional[Node], loc: Iterable[Any]) -> Optional[int]:
    return _locate(root, loc)[0]


def _clean_loc(loc: Iterable[Any]) -> tuple:
    # pydantic adds markers such as '[key]' for dict-key errors
    return tuple(p for p in loc if not (isinstance(p, str) and p.startswith("[")))


def field_path(loc: Iterable[Any]) -> str:
    """('dimensions', 2, 'indicators', 0, 'phrases') -> dimensions[2].indicators[0].phrases"""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段",
    "string_type": "应为文本",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "必须不小于 {ge}",
    "less_than_equal": "必须不大于 {le}",
    "string_pattern_mismatch": "只能包含字母、数字、- 和 _，且以字母或数字开头",
    "too_short": "至少需要 {min_length} 项",
}

_ZH_FIELD = {  # (error type, last field) -> message
    ("missing", "phrases"): "至少需要一个短语",
    ("too_short", "phrases"): "至少需要一个短语",
    ("missing", "indicators"): "至少需要一个指标",
    ("too_short", "indicators"): "至少需要一个指标",
    ("missing", "dimensions"): "至少需要一个维度",
    ("too_short", "dimensions"): "至少需要一个维度",
}


def _message(err: dict, loc: tuple, root: Optional[Node]) -> str:
    etype = err.get("type", "")
    ctx = err.get("ctx") or {}
    msg = err.get("msg", "")
    last = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if etype == "duplicate_id":
        first_line = _line_of(root, ctx.get("first_loc", ()))
        where = f"，首次定义于第 {first_line} 行" if first_line else ""
        return f"重复的{ctx.get('kind', 'id')} “{ctx.get('value')}”{where} (duplicate id)"
    if etype in ("bad_regex", "regex_matches_empty", "phrase_too_short", "empty_name"):
        return msg
    zh = _ZH_FIELD.get((etype, last)) or _ZH.get(etype)
    if zh is None:
        return msg
    try:
        zh = zh.format(**ctx)
    except (KeyError, IndexError, ValueError):
        pass
    if etype == "extra_forbidden":
        zh = f"未知字段 “{last}”"
    return f"{zh} ({msg})"


def _validation_error(path: str, exc: ValidationError, root: Optional[Node]) -> FrameworkError:
    issues = []
    for err in exc.errors(include_url=False):
        loc = _clean_loc(err.get("loc", ()))
        ctx = err.get("ctx") or {}
        if err.get("type") == "duplicate_id" and ctx.get("path"):
            # the validator names paths relative to the model it checked
            err = {**err, "ctx": {**ctx, "first_loc": loc + tuple(ctx.get("first", ()))}}
            loc = loc + tuple(ctx["path"])
        line, fpath = _locate(root, loc)
        issues.append(Issue(line, fpath or None, _message(err, loc, root)))
    issues.sort(key=lambda i: (i.line or 0))
    first = issues[0]
    return FrameworkError(path, first.line, first.field, first.message, issues)


# --------------------------------------------------------------------------- #
# loading
# --------------------------------------------------------------------------- #

def parse_framework(text: str, path: str = "<string>", source: Optional[str] = None) -> Framework:
    """Validate framework YAML given as text; errors name ``path``."""
    try:
        data, root = _parse_yaml(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    except _DuplicateKey as dup:
        raise FrameworkError(path, dup.line, field_path(dup.loc),
                             f"重复的键 “{dup.key}”，首次出现于第 {dup.first} 行 (duplicate key)") from None
    except RecursionError:
        raise FrameworkError(path, None, None, "YAML 嵌套过深 (YAML nested too deeply)") from None
    if data is None:
        raise FrameworkError(path, 1, None, "文件为空 (empty framework file)")
    if not isinstance(data, dict):
        line = root.start_mark.line + 1 if root is not None else 1
        raise FrameworkError(path, line, None,
                             "顶层应为映射（id、name、dimensions …） (top level must be a mapping)")
    try:
        fw = Framework.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(path, exc, root) from None
    fw._source = source
    return fw


def load_file(path: Union[str, os.PathLike], display: Optional[str] = None) -> Framework:
    """Load and validate one framework file."""
    p = Path(path)
    shown = display or str(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise FrameworkError(shown, None, None, "文件不存在 (file not found)") from None
    except IsADirectoryError:
        raise FrameworkError(shown, None, None, "是目录而不是文件 (is a directory)") from None
    except OSError as exc:
        raise FrameworkError(shown, None, None, f"无法读取文件 (cannot read): {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FrameworkError(shown, line, None,
                             "文件不是 UTF-8 编码 (file is not UTF-8)") from None
    return parse_framework(text, shown, source=str(p))


def _builtin_dir():
    return resources.files(__package__)


def builtin_ids() -> list[str]:
    """Ids of the frameworks shipped with the package (their file stems)."""
    ids = []
    for entry in _builtin_dir().iterdir():
        name = entry.name
        if entry.is_file() and name.endswith(YAML_SUFFIXES):
            ids.append(name.rsplit(".", 1)[0])
    return sorted(ids)


def _builtin_path(fid: str):
    for suffix in YAML_SUFFIXES:
        entry = _builtin_dir() / f"{fid}{suffix}"
        if entry.is_file():
            return entry
    return None


_cache: dict[tuple, Framework] = {}


def _load_builtin(fid: str) -> Framework:
    entry = _builtin_path(fid)
    with resources.as_file(entry) as real:
        st = os.stat(real)
        key = (str(real), st.st_mtime_ns, st.st_size)
        fw = _cache.get(key)
        if fw is None:
            fw = load_file(real, display=entry.name)
            _cache[key] = fw
        return fw


def default_id() -> str:
    """The id of the built-in framework marked ``default: true``."""
    marked = [fid for fid in builtin_ids() if _load_builtin(fid).default]
    if len(marked) != 1:
        raise FrameworkError("frameworks", None, None,
                             f"内置框架中应有且只有一个 default: true（现有 {len(marked)} 个）")
    return marked[0]


def load_framework(name_or_path: Union[str, os.PathLike, None] = None) -> Framework:
    """A built-in framework by id (``five-types``) or a YAML file by path; the default
    framework (:func:`default_id`) when None.

    Built-ins are cached (frameworks are immutable); files are read every time.
    """
    if name_or_path is None:
        return _load_builtin(default_id())
    name = os.fspath(name_or_path)
    looks_like_path = (name.endswith(YAML_SUFFIXES) or os.sep in name
                       or (os.altsep is not None and os.altsep in name))
    if not looks_like_path and _builtin_path(name) is not None:
        return _load_builtin(name)
    if looks_like_path or os.path.exists(name):
        return load_file(name)
    known = "、".join(builtin_ids()) or "（无）"
    raise FrameworkError(name, None, None,
                         f"未知的框架，内置框架有：{known}；或给出 .yaml 文件路径 "
                         f"(unknown framework id; built-ins: {', '.join(builtin_ids())})")


def list_frameworks(paths: Iterable[Union[str, os.PathLike]] = ()) -> list[dict]:
    """Built-in frameworks, then any given files: id, name, version,
    dimensions (count), path.  A file that fails to load is listed with its
    ``error`` text instead of being skipped."""
    rows: list[dict] = []
    targets: list[tuple[str, Any]] = [(fid, None) for fid in builtin_ids()]
    targets += [(None, os.fspath(p)) for p in paths]
    for fid, path in targets:
        try:
            fw = load_framework(fid) if fid is not None else load_file(path)
            rows.append({"id": fw.id, "name": fw.name, "version": fw.version,
                         "dimensions": len(fw.dimensions),
                         "path": fw.source or path, "builtin": fid is not None})
        except FrameworkError as exc:
            rows.append({"id": fid or Path(path).stem, "name": "", "version": "",
                         "dimensions": 0, "path": path or exc.path,
                         "builtin": fid is not None, "error": str(exc)})
    return rows
