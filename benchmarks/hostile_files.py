"""Hostile files: how long the check of an upload takes and how much memory it needs, for the
files an attacker would send (tests/hostile_files.py) beside ordinary ones.

Each file is checked in a process of its own (`uploads.check`, what a deposit runs), so that its
peak resident memory (RSS) is its own: printed above the RSS the process had before the check.
The time is the check's alone (the file is made before). A hostile file must be refused in well
under a second, with its memory bounded by the check's budget (cyclades/pdfcheck.py), however
much it would expand.

Run: `make benchmark` (or .venv/bin/python benchmarks/hostile_files.py).
"""
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILES = {
    "PDF : pages en flux d'objets (1,6 Go décodés)": "hostile.object_stream_bomb()",
    "PDF : contenu d'une page (512 Mo décodés)": "hostile.content_bomb()",
    "PDF : image de 100 000 × 100 000 px": "hostile.image_bomb()",
    "PDF : 300 000 objets": "hostile.many_objects()",
    "PDF : script à l'ouverture": "hostile.with_javascript()",
    "PDF : programme joint": "hostile.with_attachment()",
    "JPEG : 65 000 × 1 840 px": "hostile.long_thin_jpeg()",
    "JPEG progressif 6 000 × 5 000 px": "hostile.progressive_jpeg(size=(6000, 5000))",
    "PDF ordinaire de 300 pages": "pdf_bytes(pages=300)",
    "Photo ordinaire 4 000 × 3 000 px": "jpeg_bytes(size=(4000, 3000), noise=True)",
}


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def check_one(expression: str) -> None:
    """In the child: make the file, check it, print « size;seconds;peak Mo;outcome »."""
    import warnings

    from cyclades import uploads
    from tests import hostile_files as hostile  # noqa: F401 (used by the expression)
    from tests.test_uploads import jpeg_bytes, pdf_bytes  # noqa: F401

    warnings.simplefilter("ignore")
    data = eval(expression)  # one of FILES: made here, in this process
    # The kernel's high-water mark is reset, so the peak is the check's, not the making's.
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    before = _rss_kib()
    start = time.perf_counter()
    try:
        checked = uploads.check(data)
        outcome = f"accepté ({len(checked.data) // 1024} Ko gardés)"
    except uploads.Refused as refused:
        outcome = "refusé : " + refused.reason.split(":")[0].split("(")[0].strip()
    elapsed = time.perf_counter() - start
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    print(f"{len(data)};{elapsed:.3f};{max(0, peak - before) / 1024:.0f};{outcome}")


def main() -> None:
    print(f"{'fichier':<46} {'taille':>10} {'vérification':>13} {'mémoire':>9}  résultat")
    for label, expression in FILES.items():
        result = subprocess.run([sys.executable, __file__, "--one", expression], cwd=ROOT,
                                capture_output=True, text=True, check=True)
        size, seconds, peak, outcome = result.stdout.strip().splitlines()[-1].split(";", 3)
        size = int(size)
        shown = f"{size / 1024 / 1024:.1f} Mo" if size > 1024 * 1024 else f"{size / 1024:.0f} Ko"
        print(f"{label:<46} {shown:>10} {float(seconds) * 1000:>10.0f} ms {peak:>6} Mo  "
              f"{outcome}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        check_one(sys.argv[2])
    else:
        main()
