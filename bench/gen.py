"""Generate a large fictional case folder for benchmarks (never real data)."""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTNERS = ["RN", "POL", "GEM", "OM", "GGZ", "VT", "WT", "WC", "VZ"]
WIJKEN = ["Zuiderpark", "Moerwijk", "Morgenstond", "Bouwlust", "Vrederust", "Leyenburg"]
THEMA = ["overlast", "verward", "huiselijk geweld", "schulden", "verslaving", "recidive"]
# A region's folder: most cases running or closed, a few new ones each week, and reviews
# spread over the year, so a weekly agenda holds tens of items, not thousands.
STATUS = ["aangemeld"] * 1 + ["actief"] * 55 + ["nazorg"] * 14 + ["afgesloten"] * 30
PARAGRAPH = (
    "Meneer woont alleen en heeft weinig contact met zijn netwerk. De buren melden geregeld "
    "geluidsoverlast en de wijkagent is meerdere keren langs geweest. Het wijkteam heeft "
    "contact gelegd maar afspraken worden niet nagekomen. De woningcorporatie overweegt "
    "juridische stappen vanwege een oplopende huurachterstand. "
)


def case_text(n: int, rng: random.Random) -> str:
    """One ~1.5 KB case file."""
    status = rng.choice(STATUS)
    partners = rng.sample(PARTNERS, rng.randint(2, 5))
    lines = [
        "---",
        f"id: B{n:05d}",
        f"initialen: {chr(65 + n % 26)}.{chr(65 + (n // 26) % 26)}.",
        f"geboortejaar: {1950 + n % 55}",
        f"wijk: {rng.choice(WIJKEN)}",
        f"thema: [{', '.join(rng.sample(THEMA, 2))}]",
        f"status: {status}",
        f"prioriteit: {rng.choice(['hoog', 'midden', 'laag'])}",
        f"aangemeld_op: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
        f"aangemeld_door: {partners[0]}",
        f"regie: {partners[-1]}",
        "regisseur: B. Jansen",
        f"partners: [{', '.join(partners)}]",
        "geinformeerd: ja",
        f"bespreken: {rng.randint(1, 28)}-{rng.randint(1, 12)}-"
        f"{2026 if rng.random() < 0.004 else 2027}",
        f"agenda: {'ja' if rng.random() < 0.005 else 'nee'}",
    ]
    if status == "afgesloten":
        lines.append("afgesloten_op: 2025-06-30")
    if rng.random() < 0.2:
        lines += ["toezicht:", f"  einde: {2026 if rng.random() < 0.02 else 2027}-12-"
                  f"{rng.randint(1, 28):02d}",
                  "  voorwaarden: [meldplicht]"]
    lines += ["---", f"# Casus B{n:05d}", "", "## Situatie", PARAGRAPH * 3, "",
              "## Vraag aan het overleg", "Welke partner neemt de regie en wat is nodig?", ""]
    return "\n".join(lines)


def make_workspace(target: Path, count: int, seed: int = 7) -> Path:
    """A workspace with the example config and `count` generated case files."""
    if target.exists():
        shutil.rmtree(target)
    (target / "casussen").mkdir(parents=True)
    # Triage off: every new referral goes on the agenda, as in the figures measured before
    # triage existed (the agenda of 2026-12-01 keeps its 197 items).
    config = (ROOT / "examples" / "overleg.toml").read_text(encoding="utf-8")
    (target / "overleg.toml").write_text(config.replace("\ntriage = true\n",
                                                        "\ntriage = false\n"),
                                         encoding="utf-8")
    rng = random.Random(seed)
    for n in range(count):
        (target / "casussen" / f"b{n:05d}.md").write_text(case_text(n, rng), encoding="utf-8")
    return target


if __name__ == "__main__":
    make_workspace(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 10_000)
