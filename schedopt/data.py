"""Where benchmark data lives: ``$SCHEDOPT_DATA`` or a user cache directory.

schedopt never ships third-party benchmark files. It reads them from a data
directory laid out like ``psplib/j30/*.sm``, ``psplib/values/reference.csv``,
``orlib_wt/wt40.txt``, ``smtt_unweighted/...``.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "SCHEDOPT_DATA"

#: Data sets schedopt knows, with a file that must exist for each.
DATASETS: dict[str, str] = {
    "psplib": "psplib/values/reference.csv",
    "orlib_wt": "orlib_wt/wt40.txt",
    "smtt_unweighted": "smtt_unweighted",
    "dags": "dags",
    "llm_traces": "llm_traces",
}


def data_dir() -> Path:
    """The data directory: ``$SCHEDOPT_DATA`` if set, else the user cache."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("schedopt")) / "data"


def data_path(*parts: str) -> Path:
    """A path inside the data directory (which need not exist)."""
    return data_dir().joinpath(*parts)


def has_dataset(name: str) -> bool:
    """True when the data set ``name`` (a key of :data:`DATASETS`) is present."""
    return data_path(DATASETS[name]).exists()


def require_dataset(name: str) -> Path:
    """The data set's folder, or a ``FileNotFoundError`` that says how to provide it."""
    if not has_dataset(name):
        raise FileNotFoundError(
            f"data set {name!r} not found under {data_dir()} (expected {DATASETS[name]}); "
            f"set {ENV_VAR} to a directory that holds it"
        )
    return data_path(name)


#: Public sources ``schedopt data fetch`` knows: data set -> [(url, destination folder)].
#: ``.zip`` files are unpacked into the destination; other files are stored as they are.
PSPLIB_URL = "https://www.om-db.wi.tum.de/psplib/files"
ORLIB_URL = "http://people.brunel.ac.uk/~mastjjb/jeb/orlib/files"
SOURCES: dict[str, list[tuple[str, str]]] = {
    "psplib": [
        *((f"{PSPLIB_URL}/{s}.sm.zip", f"psplib/{s}") for s in ("j30", "j60", "j90", "j120")),
        (f"{PSPLIB_URL}/j30opt.sm", "psplib/values/psplib_hrs"),
        *((f"{PSPLIB_URL}/{s}hrs.sm", "psplib/values/psplib_hrs") for s in ("j60", "j90", "j120")),
    ],
    "orlib_wt": [
        (f"{ORLIB_URL}/{name}", "orlib_wt")
        for name in ("wt40.txt", "wt50.txt", "wt100.txt", "wtopt40.txt", "wtopt50.txt", "wtbest100b.txt")
    ],
}


def fetch(name: str, base_urls: dict[str, str] | None = None, timeout: float = 60.0) -> list[Path]:
    """Download a public data set into the data directory.

    Parameters
    ----------
    name
        A key of :data:`SOURCES`.
    base_urls
        Replace a source's base URL (``{PSPLIB_URL: "http://mirror/..."}``), for mirrors and tests.
    timeout
        Seconds per request.

    Returns
    -------
    list of Path
        The files written. Files already present are kept (nothing is fetched twice).

    Notes
    -----
    The merged best-known bounds table ``psplib/values/reference.csv`` is derived
    from several sources and is not fetched; without it, reports use the PSPLIB
    ``hrs`` upper bounds only.
    """
    import io
    import urllib.request
    import zipfile

    if name not in SOURCES:
        raise ValueError(f"unknown data set {name!r}; fetchable: {', '.join(SOURCES)}")
    written: list[Path] = []
    for url, dest in SOURCES[name]:
        for old, new in (base_urls or {}).items():
            url = url.replace(old, new)
        folder = data_path(dest)
        filename = url.rsplit("/", 1)[-1]
        marker = folder / (filename + ".done") if filename.endswith(".zip") else folder / filename
        if marker.exists():
            continue
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                payload = resp.read()
        except OSError as exc:
            raise OSError(f"could not download {url}: {exc}") from exc
        folder.mkdir(parents=True, exist_ok=True)
        if filename.endswith(".zip"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(payload))
            except zipfile.BadZipFile:
                raise OSError(f"{url} is not a zip archive") from None
            for member in archive.namelist():
                target = folder / Path(member).name
                if member.endswith("/") or not Path(member).name:
                    continue
                target.write_bytes(archive.read(member))
                written.append(target)
            marker.write_text(url + "\n")
        else:
            tmp = marker.with_suffix(marker.suffix + ".part")
            tmp.write_bytes(payload)
            tmp.replace(marker)
            written.append(marker)
    return written
