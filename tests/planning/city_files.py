"""A demo city's planning inputs as the files of ``linli plan diagnose`` and ``plan batch``."""

from pathlib import Path

import pandas as pd

from linli.demo.city import DemoCity
from linli.demo.osm import write_osm


def write_city_files(city: DemoCity, folder: Path) -> Path:
    """``city.osm.pbf``, ``communities.csv``, ``demand.csv``, ``facilities.csv`` and
    ``sites.csv`` (the available candidate sites) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    write_osm(city, folder / "city.osm.pbf")
    columns = ["households", "population", "aged_0_2", "aged_3_5", "aged_60_plus"]
    pd.DataFrame(
        [
            {
                "code": c.code,
                "name": c.name,
                **{k: getattr(c, k) for k in columns},
                "service_area_m2": c.service_area_m2,
            }  # fmt: skip
            for c in city.communities
        ]
    ).to_csv(folder / "communities.csv", index=False)
    pd.DataFrame(
        [
            {
                "community": c.code,
                "lon": c.centroid_lon,
                "lat": c.centroid_lat,
                "population": c.population,
            }  # fmt: skip
            for c in city.communities
        ]
    ).to_csv(folder / "demand.csv", index=False)
    pd.DataFrame(
        [
            {
                "facility": f.code,
                "scenario": fn.scenario,
                "lon": f.lon,
                "lat": f.lat,
                "community": f.community_code,
                "beds": fn.capacity.beds,
            }  # fmt: skip
            for f in city.facilities
            for fn in f.functions
        ]
    ).to_csv(folder / "facilities.csv", index=False)
    pd.DataFrame(
        [
            {
                "code": s.code,
                "name": s.name,
                "community": s.community_code,
                "lon": s.lon,
                "lat": s.lat,
                "floor_area_m2": s.floor_area_m2,
                "cost_cny": float(s.renovation_cost_cny),
            }  # fmt: skip
            for s in city.sites
            if s.status == "available"
        ]
    ).to_csv(folder / "sites.csv", index=False)
    return folder
