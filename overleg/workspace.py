"""The workspace: the folder with overleg.toml, finding it, and creating a new one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from overleg.config import Config, load_config
from overleg.errors import WorkspaceExists, WorkspaceNotFound

CONFIG_NAME = "overleg.toml"


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config

    @property
    def cases_dir(self) -> Path:
        return self.root / self.config.casussen

    @property
    def db_path(self) -> Path:
        return self.root / "overleg.db"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def out_dir(self) -> Path:
        return self.root / "uit"

    def rel(self, path: Path) -> str:
        """A path as the user sees it: relative to the workspace where possible."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def find_workspace(explicit: Path | None = None, cwd: Path | None = None) -> Path:
    """The workspace folder: -w, else $OVERLEG_WORKSPACE, else the nearest overleg.toml upwards."""
    chosen = explicit or (Path(env) if (env := os.environ.get("OVERLEG_WORKSPACE")) else None)
    if chosen is not None:
        if not (chosen / CONFIG_NAME).is_file():
            raise WorkspaceNotFound(
                f"'{chosen}' is geen werkmap van overleg: {CONFIG_NAME} ontbreekt. "
                f"Maak er een met 'overleg init {chosen}'."
            )
        return chosen.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise WorkspaceNotFound(
        f"geen {CONFIG_NAME} gevonden in '{here}' of een map daarboven. "
        "Maak een werkmap met 'overleg init' of kies er een met -w PAD."
    )


def load_workspace(explicit: Path | None = None) -> Workspace:
    """Find the workspace and read its configuration."""
    root = find_workspace(explicit)
    return Workspace(root, load_config(root / CONFIG_NAME))


def package_dir(name: str) -> Path:
    """A folder shipped with overleg (templates, examples): in the wheel, else the repository."""
    here = Path(__file__).resolve().parent
    installed = here / name
    return installed if installed.is_dir() else here.parent / name


def init_workspace(path: Path, example: bool = False) -> list[Path]:
    """Create a new workspace at `path`; with `example`, a copy of the example workspace."""
    import shutil

    target = path / CONFIG_NAME
    if target.exists():
        raise WorkspaceExists(f"in '{path}' staat al een {CONFIG_NAME}; er is niets veranderd.")
    path.mkdir(parents=True, exist_ok=True)
    created = [target, path / "casussen", path / "templates"]
    if example:
        source = package_dir("examples")
        shutil.copyfile(source / CONFIG_NAME, target)
        shutil.copytree(source / "casussen", path / "casussen", dirs_exist_ok=True)
    else:
        shutil.copyfile(Path(__file__).parent / "data" / CONFIG_NAME, target)
        (path / "casussen").mkdir(exist_ok=True)
    (path / "templates").mkdir(exist_ok=True)
    return created
