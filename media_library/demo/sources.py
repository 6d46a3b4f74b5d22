"""The genuine photographs the demo pack is built from: files shipped inside installed packages.

Each is read straight from the package's folder (found with importlib, without importing the
package: scikit-image and matplotlib are heavy) and is public domain by the package's own word,
quoted in docs/demo-pack.md. No package ships a public-domain video or sound recording, so every
real item is a photograph; see docs/demo-pack.md.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from PIL import Image


class SourceMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class PackagePhoto:
    key: str
    distribution: str  # the name pip knows
    module: str  # the import name whose folder holds the file
    relative_path: str  # inside the module's folder
    title: str
    author: str
    licence_statement: str  # the package's own words
    source_url: str
    people: str = ""  # who is recognisable, when anyone is

    @property
    def version(self) -> str:
        try:
            return importlib.metadata.version(self.distribution)
        except importlib.metadata.PackageNotFoundError as error:
            raise SourceMissing(self.missing_message) from error

    @property
    def missing_message(self) -> str:
        return (
            f"The demo pack needs {self.distribution} (for {self.relative_path}); "
            "install requirements.txt."
        )

    @cached_property
    def path(self) -> Path:
        spec = importlib.util.find_spec(self.module)
        if spec is None or not spec.submodule_search_locations:
            raise SourceMissing(self.missing_message)
        path = Path(next(iter(spec.submodule_search_locations))) / self.relative_path
        if not path.is_file():
            raise SourceMissing(f"{self.distribution} is installed but lacks {self.relative_path}.")
        return path

    @property
    def package_file(self) -> str:
        """How the record names the file: package, version and path inside it."""
        return f"{self.distribution} {self.version}: {self.module}/{self.relative_path}"

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()

    def pixels(self) -> np.ndarray:
        """The decoded photo as an RGB array."""
        with Image.open(self.path) as image:
            return np.asarray(image.convert("RGB"))


COLLINS = PackagePhoto(
    key="collins",
    distribution="scikit-image",
    module="skimage",
    relative_path="data/astronaut.png",
    title="Astronaut Eileen Collins, NASA portrait",
    author="NASA",
    licence_statement="No known copyright restrictions, released into the public domain.",
    source_url="https://flic.kr/p/r9qvLn",
    people="Eileen Collins, NASA astronaut (a public figure)",
)
HOPPER = PackagePhoto(
    key="hopper",
    distribution="matplotlib",
    module="matplotlib",
    relative_path="mpl-data/sample_data/grace_hopper.jpg",
    title="Commodore Grace M. Hopper, US Navy portrait",
    author="United States Navy",
    licence_statement=(
        "Added to matplotlib as one of the “public domain images of Ada Lovelace and Grace "
        "Murray Hopper” (matplotlib pull request 1599); an official US Navy photograph, a work "
        "of the US federal government."
    ),
    source_url="https://github.com/matplotlib/matplotlib/pull/1599",
    people="Grace Hopper, US Navy rear admiral and computer scientist (a public figure)",
)
ROCKET = PackagePhoto(
    key="rocket",
    distribution="scikit-image",
    module="skimage",
    relative_path="data/rocket.jpg",
    title="Falcon 9 carrying DSCOVR on the pad at Cape Canaveral, 2015",
    author="SpaceX",
    licence_statement="The image was captured by SpaceX and released in the public domain.",
    source_url="https://www.flickr.com/photos/spacexphotos/16511594820/",
)
HUBBLE = PackagePhoto(
    key="hubble",
    distribution="scikit-image",
    module="skimage",
    relative_path="data/hubble_deep_field.jpg",
    title="Hubble eXtreme Deep Field",
    author="NASA",
    licence_statement="The image was captured by NASA and may be freely used in the public domain.",
    source_url="http://hubblesite.org/newscenter/archive/releases/2012/37/image/a/",
)

PHOTOS = (COLLINS, HOPPER, ROCKET, HUBBLE)
