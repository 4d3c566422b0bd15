"""Demo reference data: Kazakhstan's regions, their towns and generated schools.

Pure data plus a deterministic generator. Nothing here touches the database;
seeding code elsewhere turns these records into rows.

The administrative division is the one in force in 2024: 17 regions (oblys)
and 3 cities of republican significance (Astana, Almaty, Shymkent).
For the three cities the "towns" are their city districts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = [
    "REGIONS",
    "REGIONS_BY_CODE",
    "DemoRegion",
    "DemoSchool",
    "DemoTown",
    "demo_schools",
]


@dataclass(frozen=True, slots=True)
class DemoTown:
    """A town or district inside a region, named in Kazakh, Russian and English."""

    name_kk: str
    name_ru: str
    name_en: str


@dataclass(frozen=True, slots=True)
class DemoRegion:
    """A region or city of republican significance; ``towns[0]`` is its centre."""

    code: str
    name_kk: str
    name_ru: str
    name_en: str
    towns: tuple[DemoTown, ...]


@dataclass(frozen=True, slots=True)
class DemoSchool:
    """A generated demo school. ``code`` looks like ``AST-007``."""

    code: str
    region_code: str
    name_kk: str
    name_ru: str
    name_en: str
    town_kk: str
    town_ru: str
    town_en: str


def _t(name_kk: str, name_ru: str, name_en: str) -> DemoTown:
    return DemoTown(name_kk=name_kk, name_ru=name_ru, name_en=name_en)


REGIONS: tuple[DemoRegion, ...] = (
    DemoRegion(
        code="ABA",
        name_kk="Абай облысы",
        name_ru="Абайская область",
        name_en="Abai Region",
        towns=(
            _t("Семей", "Семей", "Semey"),
            _t("Аягөз", "Аягоз", "Ayagoz"),
            _t("Курчатов", "Курчатов", "Kurchatov"),
            _t("Үржар ауданы", "Урджарский район", "Urzhar District"),
            _t("Бесқарағай ауданы", "Бескарагайский район", "Beskaragay District"),
        ),
    ),
    DemoRegion(
        code="AKM",
        name_kk="Ақмола облысы",
        name_ru="Акмолинская область",
        name_en="Akmola Region",
        towns=(
            _t("Көкшетау", "Кокшетау", "Kokshetau"),
            _t("Степногорск", "Степногорск", "Stepnogorsk"),
            _t("Атбасар", "Атбасар", "Atbasar"),
            _t("Ақкөл", "Акколь", "Akkol"),
            _t("Бурабай ауданы", "Бурабайский район", "Burabay District"),
        ),
    ),
    DemoRegion(
        code="AKT",
        name_kk="Ақтөбе облысы",
        name_ru="Актюбинская область",
        name_en="Aktobe Region",
        towns=(
            _t("Ақтөбе", "Актобе", "Aktobe"),
            _t("Хромтау", "Хромтау", "Khromtau"),
            _t("Қандыағаш", "Кандыагаш", "Kandyagash"),
            _t("Шалқар", "Шалкар", "Shalkar"),
            _t("Алға", "Алга", "Alga"),
        ),
    ),
    DemoRegion(
        code="ALR",
        name_kk="Алматы облысы",
        name_ru="Алматинская область",
        name_en="Almaty Region",
        towns=(
            _t("Қонаев", "Конаев", "Konaev"),
            _t("Есік", "Есик", "Yesik"),
            _t("Қаскелең", "Каскелен", "Kaskelen"),
            _t("Талғар", "Талгар", "Talgar"),
            _t("Іле ауданы", "Илийский район", "Ile District"),
        ),
    ),
    DemoRegion(
        code="ATY",
        name_kk="Атырау облысы",
        name_ru="Атырауская область",
        name_en="Atyrau Region",
        towns=(
            _t("Атырау", "Атырау", "Atyrau"),
            _t("Құлсары", "Кульсары", "Kulsary"),
            _t("Мақат ауданы", "Макатский район", "Makat District"),
            _t("Индер ауданы", "Индерский район", "Inder District"),
            _t("Исатай ауданы", "Исатайский район", "Isatay District"),
        ),
    ),
    DemoRegion(
        code="EKZ",
        name_kk="Шығыс Қазақстан облысы",
        name_ru="Восточно-Казахстанская область",
        name_en="East Kazakhstan Region",
        towns=(
            _t("Өскемен", "Усть-Каменогорск", "Oskemen"),
            _t("Риддер", "Риддер", "Ridder"),
            _t("Алтай", "Алтай", "Altai"),
            _t("Шемонаиха", "Шемонаиха", "Shemonaikha"),
            _t("Зайсан", "Зайсан", "Zaisan"),
        ),
    ),
    DemoRegion(
        code="ZHA",
        name_kk="Жамбыл облысы",
        name_ru="Жамбылская область",
        name_en="Jambyl Region",
        towns=(
            _t("Тараз", "Тараз", "Taraz"),
            _t("Қаратау", "Каратау", "Karatau"),
            _t("Жаңатас", "Жанатас", "Zhanatas"),
            _t("Шу", "Шу", "Shu"),
            _t("Қордай ауданы", "Кордайский район", "Korday District"),
        ),
    ),
    DemoRegion(
        code="ZHE",
        name_kk="Жетісу облысы",
        name_ru="Область Жетісу",
        name_en="Jetisu Region",
        towns=(
            _t("Талдықорған", "Талдыкорган", "Taldykorgan"),
            _t("Текелі", "Текели", "Tekeli"),
            _t("Жаркент", "Жаркент", "Zharkent"),
            _t("Үштөбе", "Уштобе", "Ushtobe"),
            _t("Сарқан", "Сарканд", "Sarkand"),
        ),
    ),
    DemoRegion(
        code="KAR",
        name_kk="Қарағанды облысы",
        name_ru="Карагандинская область",
        name_en="Karaganda Region",
        towns=(
            _t("Қарағанды", "Караганда", "Karaganda"),
            _t("Теміртау", "Темиртау", "Temirtau"),
            _t("Балқаш", "Балхаш", "Balkhash"),
            _t("Шахтинск", "Шахтинск", "Shakhtinsk"),
            _t("Саран", "Сарань", "Saran"),
            _t("Абай", "Абай", "Abai"),
        ),
    ),
    DemoRegion(
        code="KOS",
        name_kk="Қостанай облысы",
        name_ru="Костанайская область",
        name_en="Kostanay Region",
        towns=(
            _t("Қостанай", "Костанай", "Kostanay"),
            _t("Рудный", "Рудный", "Rudny"),
            _t("Лисаков", "Лисаковск", "Lisakovsk"),
            _t("Арқалық", "Аркалык", "Arkalyk"),
            _t("Жітіқара", "Житикара", "Zhitikara"),
        ),
    ),
    DemoRegion(
        code="KZY",
        name_kk="Қызылорда облысы",
        name_ru="Кызылординская область",
        name_en="Kyzylorda Region",
        towns=(
            _t("Қызылорда", "Кызылорда", "Kyzylorda"),
            _t("Арал", "Аральск", "Aralsk"),
            _t("Қазалы", "Казалинск", "Kazalinsk"),
            _t("Шиелі ауданы", "Шиелийский район", "Shieli District"),
            _t("Жаңақорған ауданы", "Жанакорганский район", "Zhanakorgan District"),
        ),
    ),
    DemoRegion(
        code="MAN",
        name_kk="Маңғыстау облысы",
        name_ru="Мангистауская область",
        name_en="Mangystau Region",
        towns=(
            _t("Ақтау", "Актау", "Aktau"),
            _t("Жаңаөзен", "Жанаозен", "Zhanaozen"),
            _t("Форт-Шевченко", "Форт-Шевченко", "Fort-Shevchenko"),
            _t("Бейнеу ауданы", "Бейнеуский район", "Beineu District"),
            _t("Мұнайлы ауданы", "Мунайлинский район", "Munaily District"),
        ),
    ),
    DemoRegion(
        code="NKZ",
        name_kk="Солтүстік Қазақстан облысы",
        name_ru="Северо-Казахстанская область",
        name_en="North Kazakhstan Region",
        towns=(
            _t("Петропавл", "Петропавловск", "Petropavl"),
            _t("Булаев", "Булаево", "Bulayevo"),
            _t("Мамлют", "Мамлютка", "Mamlyutka"),
            _t("Сергеев", "Сергеевка", "Sergeyevka"),
            _t("Тайынша", "Тайынша", "Tayynsha"),
        ),
    ),
    DemoRegion(
        code="PAV",
        name_kk="Павлодар облысы",
        name_ru="Павлодарская область",
        name_en="Pavlodar Region",
        towns=(
            _t("Павлодар", "Павлодар", "Pavlodar"),
            _t("Екібастұз", "Экибастуз", "Ekibastuz"),
            _t("Ақсу", "Аксу", "Aksu"),
            _t("Ертіс ауданы", "Иртышский район", "Irtysh District"),
            _t("Баянауыл ауданы", "Баянаульский район", "Bayanaul District"),
        ),
    ),
    DemoRegion(
        code="TUR",
        name_kk="Түркістан облысы",
        name_ru="Туркестанская область",
        name_en="Turkestan Region",
        towns=(
            _t("Түркістан", "Туркестан", "Turkestan"),
            _t("Кентау", "Кентау", "Kentau"),
            _t("Арыс", "Арыс", "Arys"),
            _t("Жетісай", "Жетысай", "Zhetysai"),
            _t("Сарыағаш", "Сарыагаш", "Saryagash"),
            _t("Ленгер", "Ленгер", "Lenger"),
        ),
    ),
    DemoRegion(
        code="ULY",
        name_kk="Ұлытау облысы",
        name_ru="Область Ұлытау",
        name_en="Ulytau Region",
        towns=(
            _t("Жезқазған", "Жезказган", "Zhezkazgan"),
            _t("Сәтбаев", "Сатпаев", "Satpayev"),
            _t("Қаражал", "Каражал", "Karazhal"),
            _t("Ұлытау ауданы", "Улытауский район", "Ulytau District"),
            _t("Жаңаарқа ауданы", "Жанааркинский район", "Zhanaarka District"),
        ),
    ),
    DemoRegion(
        code="WKZ",
        name_kk="Батыс Қазақстан облысы",
        name_ru="Западно-Казахстанская область",
        name_en="West Kazakhstan Region",
        towns=(
            _t("Орал", "Уральск", "Oral"),
            _t("Ақсай", "Аксай", "Aksai"),
            _t("Теректі ауданы", "Теректинский район", "Terekti District"),
            _t("Жәнібек ауданы", "Жанибекский район", "Zhanibek District"),
            _t("Жаңақала ауданы", "Жангалинский район", "Zhangala District"),
        ),
    ),
    DemoRegion(
        code="AST",
        name_kk="Астана қаласы",
        name_ru="город Астана",
        name_en="Astana",
        towns=(
            _t("Есіл ауданы", "район Есиль", "Yesil District"),
            _t("Алматы ауданы", "район Алматы", "Almaty District"),
            _t("Байқоңыр ауданы", "район Байконур", "Baikonur District"),
            _t("Сарыарқа ауданы", "район Сарыарка", "Saryarka District"),
            _t("Нұра ауданы", "район Нура", "Nura District"),
        ),
    ),
    DemoRegion(
        code="ALA",
        name_kk="Алматы қаласы",
        name_ru="город Алматы",
        name_en="Almaty",
        towns=(
            _t("Алмалы ауданы", "Алмалинский район", "Almaly District"),
            _t("Әуезов ауданы", "Ауэзовский район", "Auezov District"),
            _t("Бостандық ауданы", "Бостандыкский район", "Bostandyk District"),
            _t("Медеу ауданы", "Медеуский район", "Medeu District"),
            _t("Алатау ауданы", "Алатауский район", "Alatau District"),
            _t("Түрксіб ауданы", "Турксибский район", "Turksib District"),
        ),
    ),
    DemoRegion(
        code="SHY",
        name_kk="Шымкент қаласы",
        name_ru="город Шымкент",
        name_en="Shymkent",
        towns=(
            _t("Әл-Фараби ауданы", "Аль-Фарабийский район", "Al-Farabi District"),
            _t("Абай ауданы", "Абайский район", "Abay District"),
            _t("Еңбекші ауданы", "Енбекшинский район", "Enbekshi District"),
            _t("Қаратау ауданы", "Каратауский район", "Karatau District"),
            _t("Тұран ауданы", "Туранский район", "Turan District"),
        ),
    ),
)

REGIONS_BY_CODE: dict[str, DemoRegion] = {region.code: region for region in REGIONS}


# --- School name generation -------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SchoolKind:
    kk: str  # follows the number: "№ 12 {kk}"
    ru: str  # precedes the number: "{ru} № 12"
    en: str  # precedes the number: "{en} No. 12"
    weight: int


_KINDS: tuple[_SchoolKind, ...] = (
    _SchoolKind("жалпы білім беретін мектеп", "Общеобразовательная школа", "Secondary School", 6),
    _SchoolKind("орта мектеп", "Средняя школа", "Secondary School", 3),
    _SchoolKind("мектеп-гимназия", "Школа-гимназия", "School-Gymnasium", 3),
    _SchoolKind("мектеп-лицей", "Школа-лицей", "School-Lyceum", 2),
    _SchoolKind("гимназия", "Гимназия", "Gymnasium", 1),
)
_KIND_WEIGHTS: tuple[int, ...] = tuple(kind.weight for kind in _KINDS)


@dataclass(frozen=True, slots=True)
class _Namesake:
    kk: str  # nominative, followed by "атындағы"
    ru: str  # genitive, follows "имени"
    en: str


_NAMESAKES: tuple[_Namesake, ...] = (
    _Namesake("Абай", "Абая", "Abai"),
    _Namesake("Ы. Алтынсарин", "Ы. Алтынсарина", "Y. Altynsarin"),
    _Namesake("Ш. Уәлиханов", "Ш. Уалиханова", "Sh. Ualikhanov"),
    _Namesake("М. Әуезов", "М. Ауэзова", "M. Auezov"),
    _Namesake("А. Байтұрсынұлы", "А. Байтурсынулы", "A. Baitursynuly"),
    _Namesake("Жамбыл", "Жамбыла", "Zhambyl"),
    _Namesake("М. Жұмабаев", "М. Жумабаева", "M. Zhumabayev"),
    _Namesake("Әл-Фараби", "аль-Фараби", "Al-Farabi"),
    _Namesake("Қ. Сәтбаев", "К. Сатпаева", "K. Satbayev"),
    _Namesake("Ә. Молдағұлова", "А. Молдагуловой", "A. Moldagulova"),
    _Namesake("М. Мәметова", "М. Маметовой", "M. Mametova"),
    _Namesake("Б. Момышұлы", "Б. Момышулы", "B. Momyshuly"),
    _Namesake("Ғ. Мүсірепов", "Г. Мусрепова", "G. Musrepov"),
    _Namesake("Ә. Бөкейханов", "А. Букейханова", "A. Bokeikhanov"),
)

# Roughly one school in five carries a person's name.
_NAMED_SHARE = 0.2
_SEED_PREFIX = "school_safety.demo_data:v1:"
_MAX_PER_REGION = 999


def _school_names(
    number: int, kind: _SchoolKind, namesake: _Namesake | None
) -> tuple[str, str, str]:
    """Return (kk, ru, en) names for a school, in the forms used in Kazakhstan."""
    if namesake is None:
        return (
            f"№ {number} {kind.kk}",
            f"{kind.ru} № {number}",
            f"{kind.en} No. {number}",
        )
    return (
        f"{namesake.kk} атындағы № {number} {kind.kk}",
        f"{kind.ru} № {number} имени {namesake.ru}",
        f"{namesake.en} {kind.en} No. {number}",
    )


def _town_indices(town_count: int, per_region: int) -> list[int]:
    """Which town each of the region's schools goes to.

    Every town gets one school first; after that the region centre (index 0)
    gets twice the share of any other town.
    """
    cycle = [0, *range(town_count)]
    return [
        i if i < town_count else cycle[(i - town_count) % len(cycle)] for i in range(per_region)
    ]


def demo_schools(per_region: int = 15) -> list[DemoSchool]:
    """Generate ``per_region`` demo schools for every region in :data:`REGIONS`.

    The output is fully deterministic: each region uses its own
    ``random.Random`` seeded with a fixed string, so the same call always
    returns the same list. Codes are ``"<REGION>-<NNN>"`` (``NNN`` from 001),
    school numbers are unique within a town (within the whole city for
    Astana, Almaty and Shymkent). Raises ``ValueError`` unless
    ``0 <= per_region <= 999``.
    """
    if not 0 <= per_region <= _MAX_PER_REGION:
        raise ValueError(f"per_region must be between 0 and {_MAX_PER_REGION}, got {per_region}")

    schools: list[DemoSchool] = []
    for region in REGIONS:
        rng = random.Random(_SEED_PREFIX + region.code)
        indices = _town_indices(len(region.towns), per_region)

        # Draw distinct school numbers per town, handed out in ascending order.
        # In the three cities schools are numbered city-wide, so numbers are
        # also kept unique across a city's districts.
        citywide = region.name_kk.endswith("қаласы")
        taken: set[int] = set()
        numbers: list[list[int]] = []
        for town_index in range(len(region.towns)):
            count = indices.count(town_index)
            limit = max(80, 2 * (per_region if citywide else count))
            pool = [n for n in range(1, limit + 1) if n not in taken]
            drawn = rng.sample(pool, count)
            if citywide:
                taken.update(drawn)
            numbers.append(sorted(drawn, reverse=True))

        for serial, town_index in enumerate(indices, start=1):
            town = region.towns[town_index]
            number = numbers[town_index].pop()
            kind = rng.choices(_KINDS, weights=_KIND_WEIGHTS)[0]
            namesake = rng.choice(_NAMESAKES) if rng.random() < _NAMED_SHARE else None
            name_kk, name_ru, name_en = _school_names(number, kind, namesake)
            schools.append(
                DemoSchool(
                    code=f"{region.code}-{serial:03d}",
                    region_code=region.code,
                    name_kk=name_kk,
                    name_ru=name_ru,
                    name_en=name_en,
                    town_kk=town.name_kk,
                    town_ru=town.name_ru,
                    town_en=town.name_en,
                )
            )
    return schools
