"""Demo rows for the published demo entries: generated deterministically (the same rows on every
machine), written as CSV and loaded through the same path as bureau loading. Safe to run again:
an entry that already has a live version is left alone."""

import csv
import random
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from django.db.models import Exists, OuterRef

from apps.catalog.choices import FieldType, Status
from apps.catalog.demo import FIXTURE
from apps.catalog.models import CatalogEntry, CatalogField
from apps.organisations.demo import department_user

from . import services
from .choices import VersionStatus
from .models import DataVersion

ROWS_PER_ENTRY = (2000, 4000)
EMPTY_SHARE = 0.03  # of the values of fields that may be empty
DISTRICTS = ["南明区", "云岩区", "花溪区", "乌当区", "白云区", "观山湖区", "清镇市", "修文县"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
ROADS = ["中华北路", "遵义路", "宝山北路", "花溪大道", "长岭南路", "北京路", "瑞金南路", "新添大道"]
WORDS = ["阳光", "新华", "黔灵", "观山", "南湖", "筑城", "金阳", "河滨", "文昌", "青云"]
# Values of the demo fields that name a category, by field name.
CHOICES: dict[str, list[str]] = {
    "stage": ["小学", "初中", "高中", "九年一贯制"],
    "ownership": ["公办", "民办"],
    "category": ["综合", "专科", "中医", "社区", "学科类", "艺术类", "体育类", "客运", "货运"],
    "level": ["三级甲等", "三级乙等", "二级甲等", "二级乙等", "一级", "未定级"],
    "kind": ["结婚登记", "离婚登记", "社会团体", "民办非企业单位", "基金会"],
    "entity_type": ["有限责任公司", "股份有限公司", "个体工商户", "农民专业合作社"],
    "scope": ["药品零售", "道路旅客运输", "道路货物运输", "内科", "外科", "全科医学"],
    "material": ["球墨铸铁", "PE", "钢管", "PPR"],
    "indicator": ["浑浊度", "余氯", "pH", "菌落总数", "总硬度"],
    "disease": ["流行性感冒", "手足口病", "其他感染性腹泻病", "肺结核", "病毒性肝炎"],
    "icd10": ["J06.9", "I10", "E11.9", "K29.7", "J18.9", "M54.5"],
    "hours": ["周一至周五 8:30-17:00", "周一至周六 8:00-12:00", "全天"],
    "vaccines": ["免疫规划疫苗", "免疫规划疫苗、流感疫苗", "狂犬病疫苗"],
}
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "year": (2015, 2025), "students": (150, 3200), "teachers": (12, 260), "planned": (40, 600),
    "grade_level": (1, 12), "beds": (10, 1500), "visits": (800, 26000), "contracts": (300, 9000),
    "stop_seq": (1, 40), "spaces": (20, 1200), "boardings": (0, 2400), "cases": (0, 180),
    "deaths": (0, 2), "marriages": (80, 1500), "divorces": (20, 500), "household": (1, 6),
    "households": (50, 3000), "diameter_mm": (100, 800), "laid_year": (1985, 2024),
}  # fmt: skip
DECIMAL_RANGES: dict[str, tuple[float, float, int]] = {
    "longitude": (106.55, 106.85, 6), "latitude": (26.45, 26.75, 6), "load_factor": (0, 1.3, 2),
    "value": (0, 8.5, 2), "volume_m3": (500, 90000, 1),
}  # fmt: skip


def seed_datazone() -> int:
    """Load generated rows for every published demo entry without a live version; returns
    how many versions were made."""
    made = 0
    for entry in _entries_without_data():
        with tempfile.TemporaryDirectory(prefix="portal-demo-rows-") as folder:
            path = Path(folder) / f"{entry.identifier}.csv"
            write_demo_csv(entry, path)
            version = services.data_version_load_file(
                entry=entry, path=path, actor=department_user(entry.department, "member")
            )
        if version.status != VersionStatus.LIVE:
            raise RuntimeError(f"demo rows for {entry} were refused: {version.errors[:3]}")
        made += 1
    return made


def _entries_without_data() -> list[CatalogEntry]:
    import json

    titles = [
        spec["title"]
        for spec in json.loads(FIXTURE.read_text(encoding="utf-8"))
        if spec["status"] == Status.PUBLISHED
    ]
    live = DataVersion.objects.live().filter(entry=OuterRef("pk"))
    return list(
        CatalogEntry.objects.published()
        .filter(title__in=titles)
        .exclude(Exists(live))
        .select_related("department")
        .order_by("identifier")
    )


def write_demo_csv(entry: CatalogEntry, path: Path) -> int:
    """The entry's demo rows as UTF-8 CSV with a header of field names; returns the row count."""
    # Seeded by the title: the same rows everywhere, every time (demo data, not secrets).
    rng = random.Random(f"datazone-demo:{entry.title}")  # noqa: S311
    fields = list(entry.fields.order_by("position", "pk"))
    count = rng.randint(*ROWS_PER_ENTRY)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([field.name for field in fields])
        writer.writerows(demo_rows(fields, count, rng))
    return count


def demo_rows(fields: list[CatalogField], count: int, rng: random.Random) -> Iterator[list[str]]:
    makers = [_maker(field, rng) for field in fields]
    for number in range(1, count + 1):
        yield [
            "" if field.nullable and rng.random() < EMPTY_SHARE else make(number)
            for field, make in zip(fields, makers, strict=True)
        ]


def _maker(field: CatalogField, rng: random.Random) -> Callable[[int], str]:
    by_type: dict[str, Callable[[CatalogField, random.Random], Callable[[int], str]]] = {
        FieldType.STRING: _text_maker,
        FieldType.INTEGER: _integer_maker,
        FieldType.DECIMAL: _decimal_maker,
        FieldType.DATE: _date_maker,
        FieldType.DATETIME: _datetime_maker,
        FieldType.BOOLEAN: lambda f, r: lambda n: r.choice(["是", "是", "是", "否"]),
    }
    return by_type[field.data_type](field, rng)


def _text_maker(field: CatalogField, rng: random.Random) -> Callable[[int], str]:
    name, label = field.name, field.label
    if name in CHOICES:
        return lambda n: rng.choice(CHOICES[name])
    if "区县" in label:
        return lambda n: rng.choice(DISTRICTS)
    if "名称" in label:
        kind = label.replace("名称", "") or "单位"
        return lambda n: f"{rng.choice(WORDS)}{kind}{n:04d}"
    if name in ("holder", "operator", "party", "hospital", "plant", "community", "supervisor"):
        return lambda n: f"贵阳{rng.choice(WORDS)}{label[:2]}{n:04d}"
    if "姓名" in label or "当事人" in label or name == "name":
        return lambda n: rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))
    if "地址" in label:
        return lambda n: f"贵阳市{rng.choice(DISTRICTS)}{rng.choice(ROADS)}{rng.randint(1, 400)}号"
    if name == "plate":
        return lambda n: f"贵A{rng.choice('BCDFT')}{rng.randint(1000, 9999)}"
    prefix = "".join(part[0] for part in name.split("_")).upper()
    return lambda n: f"{prefix}{rng.randint(0, 10**8):08d}"


def _integer_maker(field: CatalogField, rng: random.Random) -> Callable[[int], str]:
    low, high = INTEGER_RANGES.get(field.name, (0, 1000))
    return lambda n: str(rng.randint(low, high))


def _decimal_maker(field: CatalogField, rng: random.Random) -> Callable[[int], str]:
    low, high, places = DECIMAL_RANGES.get(field.name, (0, 100000, 2))
    if "元" not in field.label and field.name not in DECIMAL_RANGES:
        low, high = 0, 5000
    return lambda n: f"{rng.uniform(low, high):.{places}f}"


def _date_maker(field: CatalogField, rng: random.Random) -> Callable[[int], str]:
    if "月" in field.label or field.name in ("month", "period"):
        return lambda n: date(rng.randint(2022, 2025), rng.randint(1, 12), 1).isoformat()
    start = date(2010, 1, 1)
    return lambda n: (start + timedelta(days=rng.randrange(5800))).isoformat()


def _datetime_maker(field: CatalogField, rng: random.Random) -> Callable[[int], str]:
    start = datetime(2025, 6, 1, 6, 0)  # noqa: DTZ001 - local time, as the departments write it
    return lambda n: (start + timedelta(seconds=rng.randrange(90 * 86400))).isoformat(sep=" ")
