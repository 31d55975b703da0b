"""Copy the frontend files the pages use from node_modules into fpa/static/vendor (no CDN)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap/bootstrap.min.css.map",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap/bootstrap.bundle.min.js.map",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
    # The in-browser ledger verifier's fallback where Web Crypto is missing (plain-http origins
    # other than localhost): ES modules that import each other by relative path, copied as is.
    "@noble/ed25519/index.js": "noble/ed25519.js",
    "@noble/ed25519/LICENSE": "noble/LICENSE-ed25519",
    "@noble/hashes/sha2.js": "noble/hashes/sha2.js",
    "@noble/hashes/_md.js": "noble/hashes/_md.js",
    "@noble/hashes/_u64.js": "noble/hashes/_u64.js",
    "@noble/hashes/utils.js": "noble/hashes/utils.js",
    "@noble/hashes/LICENSE": "noble/hashes/LICENSE",
}


def main() -> None:
    target = ROOT / "fpa" / "static" / "vendor"
    for source, dest in FILES.items():
        out = target / dest
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "node_modules" / source, out)
    print(f"Copied {len(FILES)} asset files into {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
