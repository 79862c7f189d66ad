"""Reading and writing vector files (GeoJSON, GeoPackage, Shapefile) as WGS 84 shapely data.

Reading reprojects from the file's CRS to WGS 84 and, when the user says the coordinates were
taken from 高德/腾讯 (``gcj02``) or 百度 (``bd09``), removes that offset. Every problem raises
:class:`VectorFileError`, which names the file and, where it applies, the feature and field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from linli.geo.crs import CRSLike, as_crs, is_wgs84_equivalent, to_wgs84
from linli.geo.offsets import SOURCES, to_wgs84_from

DRIVERS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".shp": "ESRI Shapefile"}
# shapely geometry type ids → OGR layer geometry types, for files of one geometry type.
_GEOMETRY_TYPES = {
    0: "Point",
    1: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
}


class VectorFileError(ValueError):
    """A vector file that cannot be read as asked; the message names the file."""

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        features: Sequence[int] = (),
        field: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.features = tuple(features)  # every feature with this problem, 0-based
        self.feature = self.features[0] if self.features else None
        self.field = field
        self.reason = message
        where = [self.path.name]
        if self.features:
            more = f" (and {len(self.features) - 1} more)" if len(self.features) > 1 else ""
            where.append(f"feature {self.feature}{more}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{': '.join(where)}: {message}")


@dataclass(frozen=True, slots=True)
class VectorData:
    """Features read from a file: WGS 84 geometries (``None`` where a feature has none) and
    their attributes, row for row; ``source_crs`` is the CRS the file declared or was given."""

    path: Path
    geometries: np.ndarray  # object array of shapely geometries
    attributes: pd.DataFrame
    source_crs: CRS


def read_vector(
    path: str | Path,
    *,
    layer: str | int | None = None,
    source: str = "wgs84",
    crs: CRSLike | None = None,
    encoding: str | None = None,
    required_fields: Sequence[str] = (),
) -> VectorData:
    """Read a vector file and return its features in WGS 84.

    Parameters
    ----------
    path
        A GeoJSON, GeoPackage or Shapefile (or any format GDAL reads).
    layer
        The layer of a multi-layer file (GeoPackage); the first by default.
    source
        Where lon/lat coordinates came from (:data:`linli.geo.offsets.SOURCES`): ``gcj02``
        for 高德/腾讯, ``bd09`` for 百度; the offset is removed after reprojection.
    crs
        The CRS to assume when the file declares none (a Shapefile without ``.prj``); a file
        that declares one must agree with it.
    encoding
        Attribute encoding for files that do not declare one (``"GBK"`` for many Chinese
        Shapefiles without ``.cpg``).
    required_fields
        Attribute fields that must exist.
    """
    path = Path(path)
    if source not in SOURCES:
        raise VectorFileError(
            path, f"unknown coordinate source {source!r}; expected one of {', '.join(SOURCES)}"
        )
    if not path.exists():
        raise VectorFileError(path, "file not found")
    try:
        meta, _fids, wkb, field_data = _read_raw(path, layer, encoding)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise VectorFileError(path, f"not a readable vector file ({error})") from error
    except (
        pyogrio.errors.FieldError,
        pyogrio.errors.FeatureError,
        pyogrio.errors.GeometryError,
    ) as error:
        raise VectorFileError(path, str(error)) from error

    fields = [str(name) for name in meta["fields"]]
    for name in required_fields:
        if name not in fields:
            raise VectorFileError(
                path, f"missing (the file has: {', '.join(fields) or 'none'})", field=name
            )
    attributes = pd.DataFrame(dict(zip(fields, field_data, strict=True)), columns=fields)
    source_crs = _source_crs(path, meta["crs"], crs)
    if source in ("gcj02", "bd09") and not is_wgs84_equivalent(source_crs):
        raise VectorFileError(
            path,
            f"{source} coordinates must be longitude/latitude, but the file is in "
            f"{source_crs.name}",
        )
    geometries = _decode(path, wkb)
    geometries = _to_wgs84(path, geometries, source_crs, source)
    return VectorData(path, geometries, attributes, source_crs)


def _read_raw(path: Path, layer, encoding):
    try:
        return pyogrio.raw.read(path, layer=layer, encoding=encoding)
    except (ValueError, OverflowError) as error:
        # A value GDAL took for a date that Python cannot hold (2024-02-30). GeoJSON can give
        # its dates as text, so that the caller says which feature and field holds it.
        if DRIVERS.get(path.suffix.lower()) != "GeoJSON":
            raise VectorFileError(path, f"a date or number cannot be read ({error})") from None
        return pyogrio.raw.read(path, layer=layer, encoding=encoding, DATE_AS_STRING="YES")


def _source_crs(path: Path, declared: str | None, given: CRSLike | None) -> CRS:
    try:
        given_crs = as_crs(given) if given is not None else None
        declared_crs = CRS.from_user_input(declared) if declared else None
    except CRSError as error:
        raise VectorFileError(
            path, f"unrecognised coordinate reference system ({error})"
        ) from error
    if declared_crs is None:
        if given_crs is None:
            raise VectorFileError(
                path,
                "declares no coordinate reference system (a Shapefile without .prj?); "
                "say which one it uses",
            )
        return given_crs
    if given_crs is not None and not (
        declared_crs == given_crs
        or (is_wgs84_equivalent(declared_crs) and is_wgs84_equivalent(given_crs))
    ):
        raise VectorFileError(
            path, f"declares {declared_crs.name}, not the {given_crs.name} it was said to use"
        )
    return declared_crs


def _decode(path: Path, wkb: np.ndarray | None) -> np.ndarray:
    if wkb is None:
        raise VectorFileError(path, "has no geometry column")
    geometries = shapely.from_wkb(wkb, on_invalid="ignore")
    broken = np.flatnonzero(shapely.is_missing(geometries) & np.not_equal(wkb, None))
    if broken.size:
        raise VectorFileError(path, "geometry cannot be decoded", features=broken.tolist())
    return geometries


def _to_wgs84(path: Path, geometries: np.ndarray, source_crs: CRS, source: str) -> np.ndarray:
    def reproject(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1], source_crs)
        if source in ("gcj02", "bd09"):
            lon, lat = to_wgs84_from(source, lon, lat)
        return np.column_stack([lon, lat])

    result = shapely.transform(geometries, reproject)
    counts = shapely.get_num_coordinates(result)
    coords = shapely.get_coordinates(result)
    bad = ~(
        np.isfinite(coords).all(axis=1)
        & (np.abs(coords[:, 0]) <= 180.0)
        & (np.abs(coords[:, 1]) <= 90.0)
    )
    if bad.any():
        bad_index = np.flatnonzero(bad)
        features = np.unique(np.searchsorted(np.cumsum(counts), bad_index, side="right"))
        lon, lat = coords[bad_index[0]]
        raise VectorFileError(
            path,
            f"coordinates reproject to ({lon:.6g}, {lat:.6g}), outside the longitude/latitude "
            f"range; is {source_crs.name} the right CRS?",
            features=features.tolist(),
        )
    return result


def write_vector(
    path: str | Path,
    geometries: Sequence[shapely.Geometry | None] | np.ndarray,
    attributes: pd.DataFrame | Mapping[str, Sequence[object]] | None = None,
    *,
    layer: str | None = None,
) -> Path:
    """Write WGS 84 geometries and their attributes as GeoJSON (``.geojson``/``.json``) or
    GeoPackage (``.gpkg``), replacing the file; the driver follows the suffix."""
    path = Path(path)
    driver = DRIVERS.get(path.suffix.lower())
    if driver not in ("GeoJSON", "GPKG"):
        raise VectorFileError(path, "write GeoJSON (.geojson) or GeoPackage (.gpkg)")
    geometry_array = np.asarray(geometries, dtype=object)
    frame = pd.DataFrame(attributes if attributes is not None else {})
    if len(frame.columns) and len(frame) != len(geometry_array):
        raise VectorFileError(
            path, f"{len(geometry_array)} geometries but {len(frame)} attribute rows"
        )
    types = set(shapely.get_type_id(geometry_array[~shapely.is_missing(geometry_array)]).tolist())
    if path.exists():
        path.unlink()
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(geometry_array),
        field_data=[frame[column].to_numpy() for column in frame.columns],
        fields=[str(column) for column in frame.columns],
        layer=layer,
        driver=driver,
        geometry_type=_GEOMETRY_TYPES.get(types.pop(), "Unknown") if len(types) == 1 else "Unknown",
        crs="EPSG:4326",
    )
    return path
