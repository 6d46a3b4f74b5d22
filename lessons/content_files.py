"""Reading lesson and glossary files from lessons/content/: a small front matter header
(`key: value` lines, and lists as `  - item` lines under `key:`) between `---` lines, then
Markdown. Hand-parsed so the content needs no YAML library; see docs/lessons.md."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"
GLOSSARY = "glossary"
# The translations, per language code of settings.LANGUAGES: the same files by slug, in a
# folder named for the language as a locale is (zh-Hans, like locale/zh_Hans), holding only
# what is written per language (docs/lessons.md).
TRANSLATION_FOLDERS = {"es": "es", "zh-hans": "zh-Hans"}


class ContentError(ValueError):
    """A content file that cannot be loaded; the message names the file and the problem."""


@dataclass(frozen=True)
class ContentFile:
    path: Path
    meta: dict[str, str | list[str]]
    body: str
    root: Path = CONTENT_DIR

    @property
    def name(self) -> str:
        """The path as stored in Lesson.content_file: relative to lessons/content/."""
        return self.path.relative_to(self.root).as_posix()

    def text(self, key: str, default: str = "") -> str:
        value = self.meta.get(key, default)
        if isinstance(value, list):
            raise ContentError(f"{self.name}: '{key}' must be one value, not a list")
        return value

    def lines(self, key: str) -> list[str]:
        value = self.meta.get(key, [])
        return value if isinstance(value, list) else [value] if value else []


def parse(path: Path, root: Path = CONTENT_DIR) -> ContentFile:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    if not lines or lines[0].strip() != "---":
        raise ContentError(f"{name}: must start with a '---' front matter line")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ContentError(f"{name}: front matter is not closed by '---'") from None
    meta: dict[str, str | list[str]] = {}
    current_list: list[str] | None = None
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        stripped = line.strip()
        if stripped.startswith("- ") and current_list is not None:
            current_list.append(_unquote(stripped[2:]))
            continue
        key, sep, value = line.partition(":")
        if not sep or line[0].isspace():
            raise ContentError(f"{name}, line {number}: expected 'key: value'")
        key, value = key.strip(), value.strip()
        if value:
            meta[key], current_list = _unquote(value), None
        else:
            current_list = meta[key] = []
    body = "\n".join(lines[end + 1 :]).strip() + "\n"
    return ContentFile(path=path, meta=meta, body=body, root=root)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _files(folder: Path, root: Path) -> list[ContentFile]:
    return [parse(path, root) for path in sorted(folder.glob("*.md"))]


def lesson_files(root: Path = CONTENT_DIR) -> list[ContentFile]:
    return _files(root, root)


def glossary_files(root: Path = CONTENT_DIR) -> list[ContentFile]:
    return _files(root / GLOSSARY, root)


def translated_lesson_files(language: str, root: Path = CONTENT_DIR) -> list[ContentFile]:
    return _files(root / TRANSLATION_FOLDERS[language], root)


def translated_glossary_files(language: str, root: Path = CONTENT_DIR) -> list[ContentFile]:
    return _files(root / TRANSLATION_FOLDERS[language] / GLOSSARY, root)
