"""``vendor``: the pinned front-end packages, copied from npm into ``static/vendor/``."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from config.devenv.output import DevenvError, relative, say
from config.devenv.paths import VENDOR_DIR


@dataclass(frozen=True)
class VendorPackage:
    """A front-end package copied from the npm registry into ``static/vendor/``."""

    name: str
    version: str
    licence: str
    #: Paths inside the package. Files they reference (source maps, fonts) come along.
    files: tuple[str, ...]

    @property
    def slug(self) -> str:
        return self.name.lstrip("@").replace("/", "-")

    @property
    def directory(self) -> Path:
        return VENDOR_DIR / f"{self.slug}-{self.version}"


#: The one place where front-end versions are pinned. ``make vendor`` regenerates
#: ``static/vendor/`` (and its README) from this list.
VENDOR_PACKAGES: tuple[VendorPackage, ...] = (
    VendorPackage(
        name="@tabler/core",
        version="1.4.0",
        licence="MIT",
        files=("dist/css/tabler.min.css", "dist/js/tabler.min.js"),
    ),
    VendorPackage(
        name="@tabler/icons-webfont",
        version="3.35.0",
        licence="MIT",
        # Only the font files this stylesheet references (woff2, woff, ttf): the package's
        # other weights (200, 300, outline, filled) add 21 MB nobody loads.
        files=("dist/tabler-icons.min.css",),
    ),
    VendorPackage(
        name="sortablejs",
        version="1.15.6",
        licence="MIT",
        files=("Sortable.min.js",),
    ),
    VendorPackage(
        name="chart.js",
        version="4.5.1",
        licence="MIT",
        files=("dist/chart.umd.min.js",),
    ),
    VendorPackage(
        name="tom-select",
        version="2.4.3",
        licence="Apache-2.0",
        files=("dist/css/tom-select.bootstrap5.min.css", "dist/js/tom-select.complete.min.js"),
    ),
    # Fonts of the PDFs (quotes, letters): WeasyPrint embeds only the glyphs a document uses.
    # One script subset and the Latin subset, regular and bold, as woff2 (no woff twins):
    # about 3 MB per script. The fonts are SIL OFL 1.1; the npm packaging is MIT.
    VendorPackage(
        name="@fontsource/noto-sans-sc",
        version="4.5.12",
        licence="OFL-1.1",
        files=tuple(
            f"files/noto-sans-sc-{subset}-{weight}-normal.woff2"
            for subset in ("latin", "chinese-simplified")
            for weight in (400, 700)
        ),
    ),
    VendorPackage(
        name="@fontsource/noto-sans-tc",
        version="4.5.12",
        licence="OFL-1.1",
        files=tuple(
            f"files/noto-sans-tc-{subset}-{weight}-normal.woff2"
            for subset in ("latin", "chinese-traditional")
            for weight in (400, 700)
        ),
    ),
)


CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
SOURCE_MAP = re.compile(r"[#@] sourceMappingURL=([^\s*]+)")


def npm(*args: str, cwd: Path) -> str:
    executable = shutil.which("npm")
    if executable is None:
        raise DevenvError("`vendor` needs npm: install Node.js (`apt-get install npm`)")
    result = subprocess.run(  # noqa: S603 -- npm with fixed arguments
        [executable, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DevenvError(f"npm {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout


def references(path: Path) -> list[str]:
    """Relative files a CSS or JS file loads: fonts and images (CSS), source maps (both).

    Django's ManifestStaticFilesStorage (collectstatic in production) fails on a missing one.
    """
    text = path.read_text(errors="replace")
    found = SOURCE_MAP.findall(text)
    if path.suffix == ".css":
        found += [match[1] for match in CSS_URL.findall(text)]
    refs = []
    for ref in found:
        ref = ref.split("?", 1)[0].split("#", 1)[0]
        if ref and not re.match(r"^([a-z]+:|/|#)", ref):
            refs.append(ref)
    return refs


def destination(package: VendorPackage, inner: str) -> Path:
    return package.directory / inner.removeprefix("dist/")


def vendor_package(package: VendorPackage, workdir: Path) -> list[str]:
    """Fetch one package with ``npm pack`` and copy its files; return the copied paths."""
    spec = f"{package.name}@{package.version}"
    if npm("view", spec, "version", cwd=workdir).strip() != package.version:
        raise DevenvError(f"{spec} is not on the npm registry: pick another version in devenv")
    packed = json.loads(npm("pack", spec, "--json", cwd=workdir))
    archive = workdir / packed[0]["filename"]
    unpacked = workdir / package.slug
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    source_root = unpacked / "package"

    if package.directory.exists():
        shutil.rmtree(package.directory)
    for stale in VENDOR_DIR.glob(f"{package.slug}-*"):
        if re.fullmatch(rf"{re.escape(package.slug)}-\d[\w.\-]*", stale.name) and stale.is_dir():
            say(f"removing {relative(stale)}")
            shutil.rmtree(stale)

    copied: list[str] = []
    queue = list(package.files)
    while queue:
        inner = queue.pop(0)
        source = (source_root / inner).resolve()
        if not source.is_relative_to(source_root.resolve()) or not source.is_file():
            raise DevenvError(f"{spec} has no file {inner}")
        inner = str(source.relative_to(source_root.resolve()))
        if inner in copied:
            continue
        target = destination(package, inner)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copied.append(inner)
        if source.suffix in (".css", ".js"):
            for ref in references(source):
                ref_inner = (source.parent / ref).resolve()
                if not ref_inner.is_relative_to(source_root.resolve()):
                    raise DevenvError(f"{spec}: {inner} references {ref} outside the package")
                queue.append(str(ref_inner.relative_to(source_root.resolve())))
    for licence in ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE"):
        if (source_root / licence).is_file():
            shutil.copyfile(source_root / licence, package.directory / licence)
            copied.append(licence)
            break
    return copied


def vendor_readme() -> str:
    rows = "\n".join(
        f"| `{p.name}` | {p.version} | {p.licence} | `{relative(p.directory)}/` |"
        for p in VENDOR_PACKAGES
    )
    static_paths = "\n".join(
        f"- `{destination(p, inner).relative_to(VENDOR_DIR.parent)}`"
        for p in VENDOR_PACKAGES
        for inner in p.files
    )
    return f"""# Vendored front-end packages

Third-party CSS, JavaScript and fonts, copied from the npm registry so that running Rapport
needs no Node.js. Every directory carries its version in its name, so templates reference an
exact version and a browser cache never serves a stale file after an upgrade.

| package | version | licence | directory |
|---|---|---|---|
{rows}

Templates load them with `{{% static %}}`:

{static_paths}

Each directory holds the package's built files (with `dist/` dropped from the path), the
source maps and fonts they reference (so `collectstatic` with the manifest storage finds
every referenced file), and the package's licence file when it ships one. `@tabler/core`
ships none: its licence (MIT) is stated in its `package.json` and in the header of
`tabler.min.css`.

## Regenerating

The versions live in one place, `VENDOR_PACKAGES` in `config/devenv/vendor.py`. Change them there,
then run

```
make vendor        # = .venv/bin/python -m config.devenv vendor
```

which runs `npm pack <name>@<version>` for each package in a temporary directory, unpacks
it and copies the files listed there into this directory, replacing older versions. It
needs `npm` (Node.js) on the machine that runs it, nowhere else. Commit the result.

Do not edit files here by hand; this README is generated too.
"""


def cmd_vendor(args: Sequence[str], stack: contextlib.ExitStack) -> int:
    if args:
        raise DevenvError(f"vendor takes no arguments, not {' '.join(args)}", exit_code=2)
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rapport-vendor-") as workdir:
        for package in VENDOR_PACKAGES:
            say(f"vendoring {package.name}@{package.version}")
            for inner in vendor_package(package, Path(workdir)):
                print(f"    {relative(destination(package, inner))}")
    (VENDOR_DIR / "README.md").write_text(vendor_readme())
    say(f"wrote {relative(VENDOR_DIR)}; commit it")
    return 0
