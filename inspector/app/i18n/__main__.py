"""Update and compile the app's translations: ``python -m inspector.app.i18n [--list-unfinished] [--check]``.

1. ``pyside6-lupdate`` reads every ``inspector/app`` source for ``tr()`` / ``QCoreApplication.translate`` /
   ``QT_TRANSLATE_NOOP`` texts and merges them into ``inspector_ja.ts``: new texts come in "unfinished" (to be
   translated), texts no longer in the sources are dropped, translations of unchanged texts are kept.
2. ``pyside6-lrelease`` compiles the ``.ts`` to ``inspector_ja.qm``, which the app loads (unfinished texts are
   left out of it: the app shows them in English).
3. It reports how many texts are translated and how many are not; ``--list-unfinished`` lists the latter
   (context and English text), to translate them in the ``.ts`` (a text editor or ``pyside6-linguist``), then
   run the command again to compile.

``--export-unfinished FILE.json`` writes the texts still to translate as a JSON list of
``{"context", "source", "translation": ""}``; fill in the translations (by hand or by a translator) and
``--apply FILE.json`` puts them into the ``.ts`` (unfinished texts only: a matching context first, else the same
English text in any context) and compiles it.

``--check`` changes nothing: it runs lupdate on a temporary copy and fails (exit 1) when a text is
unfinished or the committed ``.qm`` is not the compiled ``.ts`` (the tests run the same check).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from . import CATALOGUE_DIR, TRANSLATED, catalogue

APP_DIR = CATALOGUE_DIR.parent  # inspector/app: every source with user-visible texts


def tool(name: str) -> str:
    """``pyside6-lupdate`` / ``pyside6-lrelease``: beside this Python (a virtual environment's bin), else on PATH."""
    for candidate in (Path(sys.executable).parent / name, Path(sys.executable).parent / f"{name}.exe"):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: it comes with PySide6 (pip install PySide6-Essentials)")
    return found


def sources() -> list[Path]:
    return sorted(p for p in APP_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def lupdate(ts: Path, files: list[Path] | None = None) -> None:
    """Merge the texts of ``files`` (default: the app's sources) into ``ts`` (created when missing). No source
    locations are kept: line numbers would change the catalogue at every edit of the code."""
    files = sources() if files is None else files
    subprocess.run([tool("pyside6-lupdate"), *map(str, files), "-ts", str(ts), "-no-obsolete", "-locations", "none",
                    "-silent"], check=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(qm), "-silent"], check=True)


@dataclass
class Catalogue:
    """What a ``.ts`` holds: the translated texts and the unfinished ones, as (context, English text)."""

    finished: list[tuple[str, str]] = field(default_factory=list)
    unfinished: list[tuple[str, str]] = field(default_factory=list)


def read(ts: Path) -> Catalogue:
    result = Catalogue()
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type", "") if translation is not None else "unfinished"
            if kind in ("vanished", "obsolete"):
                continue
            texts = [translation.text or ""] if translation is not None and not message.get("numerus") else [
                n.text or "" for n in (translation.iter("numerusform") if translation is not None else [])]
            done = kind != "unfinished" and all(t.strip() for t in texts) and texts
            (result.finished if done else result.unfinished).append((name, message.findtext("source", "")))
    return result


def export_unfinished(ts: Path, target: Path) -> int:
    """Write the unfinished texts of ``ts`` as JSON to translate; how many."""
    rows = [{"context": c, "source": s, "translation": ""} for c, s in read(ts).unfinished]
    target.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(rows)


def apply(ts: Path, source: Path) -> int:
    """Fill the unfinished messages of ``ts`` from a JSON list of {context, source, translation}; how many.
    A plural text (``%n``) gets the translation as its one form (Japanese has one)."""
    rows = [r for r in json.loads(source.read_text(encoding="utf-8")) if (r.get("translation") or "").strip()]
    by_context = {(r.get("context", ""), r["source"]): r["translation"] for r in rows}
    by_source = {r["source"]: r["translation"] for r in rows}
    tree = ET.parse(ts)
    filled = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None or translation.get("type") != "unfinished":
                continue
            text = by_context.get((name, message.findtext("source", "")), by_source.get(message.findtext("source", "")))
            if text is None:
                continue
            if message.get("numerus") == "yes":
                for form in list(translation):
                    translation.remove(form)
                ET.SubElement(translation, "numerusform").text = text
            else:
                translation.text = text
            del translation.attrib["type"]
            filled += 1
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return filled


def check(language: str, files: list[Path] | None = None) -> tuple[Catalogue, bool]:
    """lupdate on a temporary copy of the catalogue: what it holds once merged with today's sources (or
    ``files``), and whether the committed ``.qm`` is the compiled ``.ts`` as committed."""
    ts, qm = catalogue(language, compiled=False), catalogue(language)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / ts.name
        shutil.copyfile(ts, copy)
        lupdate(copy, files)
        merged = read(copy)
        fresh = Path(tmp) / qm.name
        lrelease(ts, fresh)
        current = qm.is_file() and fresh.read_bytes() == qm.read_bytes()
    return merged, current


def report(language: str, cat: Catalogue, list_unfinished: bool) -> None:
    print(f"{language}: {len(cat.finished)} text(s) translated, {len(cat.unfinished)} unfinished")
    if list_unfinished:
        for context, source in cat.unfinished:
            print(f"  [{context}] {source!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inspector.app.i18n", description=__doc__.split("\n\n")[0])
    parser.add_argument("--list-unfinished", action="store_true", help="list the texts still to translate")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a text is unfinished or a .qm is stale")
    parser.add_argument("--export-unfinished", metavar="FILE.json", help="write the texts still to translate as JSON")
    parser.add_argument("--apply", metavar="FILE.json", help="fill unfinished texts from a JSON list of "
                                                           "{context, source, translation}, then compile")
    args = parser.parse_args(argv)
    failed = False
    for language in TRANSLATED:
        ts, qm = catalogue(language, compiled=False), catalogue(language)
        if args.check:
            cat, current = check(language)
            report(language, cat, args.list_unfinished or bool(cat.unfinished))
            if not current:
                print(f"{qm.name} is not the compiled {ts.name}: run python -m inspector.app.i18n")
            failed |= bool(cat.unfinished) or not current
            continue
        lupdate(ts)
        if args.apply:
            print(f"{language}: {apply(ts, Path(args.apply))} text(s) filled from {args.apply}")
            lupdate(ts)  # lupdate's own layout of the file again
        lrelease(ts, qm)
        if args.export_unfinished:
            print(f"{language}: {export_unfinished(ts, Path(args.export_unfinished))} text(s) written to "
                  f"{args.export_unfinished}")
        cat = read(ts)
        report(language, cat, args.list_unfinished)
        if cat.unfinished and not args.list_unfinished:
            print("  (--list-unfinished lists them; translate them in the .ts, then run this again)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
