"""Every phone number, mail address and URL in the seed texts is in the knowledge data.

The seeds are PDF text: phone numbers carry stray spaces and en dashes
("0120-802 -075", "0120-220–119") and URLs are split across lines
("http://www.hpe.com/jp/supportservices-\\nareamap-ia"). The extractor cleans
them the way the data stores them, and is itself checked (known tricky items,
minimum counts) so that a broken extractor cannot pass vacuously.

Seeds directory: $FAQBOT_SEEDS_DIR, else <repo>/../shared/seeds (the
`seeds_path` fixture, tests/conftest.py). Under CI (CI=true) missing seeds make
these tests fail, not skip; elsewhere they skip and the reason names
FAQBOT_SEEDS_DIR.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.loader import DATA_DIR, KnowledgeError, _many, _one, _read, load_from
from knowledge.models import Contact, FaqEntry, FirmwareOption, Website

SEED_FILES = ("000_351cc6fff081056d.txt", "003_fb7ac302dc6c9815.txt")
DATA_FILES = (
    "faq.yaml",
    "tables.yaml",
    "contacts.yaml",
    "websites.yaml",
    "firmware_option.yaml",
    "glossary.yaml",
    "examples.yaml",
    "provenance.yaml",
)

# Hyphen-like characters the PDF text uses inside phone numbers.
DASHES = re.escape("-‐‑‒–—―−－")
PHONE_IN_TEXT = re.compile(
    rf"(?<![\d{DASHES}])0\d{{1,4}}(?:[ \t]*[{DASHES}][ \t]*\d{{2,4}}){{2}}(?![\d{DASHES}])"
)
MAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
URL_IN_TEXT = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
# A URL broken after a hyphen at the end of a line continues on the next line.
URL_LINE_BREAK = re.compile(r"(https?://[^\s]*-)[ \t]*\r?\n[ \t]*(?=[A-Za-z0-9])")


def _clean_phone(raw: str) -> str:
    return re.sub(rf"[ \t]*[{DASHES}][ \t]*", "-", raw)


def _rejoin_urls(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = URL_LINE_BREAK.sub(r"\1", text)
    return text


def extract(text: str) -> dict[str, set[str]]:
    """Phones, mails and URLs in a seed text, cleaned of the PDF artefacts."""
    text = _rejoin_urls(text)
    urls = {m.rstrip(".,;:)'") for m in URL_IN_TEXT.findall(text)}
    without_urls = URL_IN_TEXT.sub(" ", text)
    mails = set(MAIL_IN_TEXT.findall(without_urls))
    without_mails = MAIL_IN_TEXT.sub(" ", without_urls)
    phones = {_clean_phone(m) for m in PHONE_IN_TEXT.findall(without_mails)}
    return {"phones": phones, "mails": mails, "urls": urls}


@pytest.fixture(scope="module")
def seed_items(seeds_path: Path) -> dict[str, set[str]]:
    seeds = seeds_path
    items: dict[str, set[str]] = {"phones": set(), "mails": set(), "urls": set()}
    for name in SEED_FILES:
        path = seeds / name
        assert path.is_file(), f"seed text missing: {path}"
        for kind, found in extract(path.read_text(encoding="utf-8")).items():
            items[kind] |= found
    return items


def _data_items(data_dir: Path) -> dict[str, set[str]]:
    """Phones/FAX, mails and URLs stored anywhere in the knowledge data."""
    if all((data_dir / name).is_file() for name in DATA_FILES):
        kb = load_from(data_dir)
        contacts = list(kb.contacts.values())
        websites = list(kb.websites.values())
        faq = list(kb.faq.values())
        firmware = kb.firmware
    else:
        # Other data files not written yet: validate the ones that exist.
        p = data_dir
        contacts = _many(p / "contacts.yaml", Contact, _read(p / "contacts.yaml"))
        websites = _many(p / "websites.yaml", Website, _read(p / "websites.yaml"))
        firmware = _one(p / "firmware_option.yaml", FirmwareOption, _read(p / "firmware_option.yaml"))
        faq = _many(p / "faq.yaml", FaqEntry, _read(p / "faq.yaml")) if (p / "faq.yaml").is_file() else []

    phones: set[str] = set()
    mails: set[str] = set()
    urls: set[str] = set()
    for c in contacts:
        phones |= {ph.number for ph in c.phones}
        if c.fax:
            phones.add(c.fax)
        if c.email:
            mails.add(c.email)
        if c.url:
            urls.add(c.url)
    urls |= {w.url for w in websites}
    urls |= {link.url for entry in faq for link in entry.links}
    urls |= {link.url for link in firmware.links}
    return {"phones": phones, "mails": mails, "urls": urls}


@pytest.fixture(scope="module")
def data_items() -> dict[str, set[str]]:
    return _data_items(DATA_DIR)


# --- the extractor ------------------------------------------------------------


def test_extractor_cleans_pdf_artefacts() -> None:
    text = (
        "0120-802 -075 月～金\n修理 0120-220–119\n0120-065 -591\n0570-064 -732 上記以外\n"
        "〒136-8711 東京都 江東区 大島 2-2-1 Rev.20181101\n"
        "http://www.hpe.com/jp/supportservices-\nareamap-ia\n\nサーバー製品\n"
        "Eメール： toroku_center@hpe.com\n"
    )
    got = extract(text)
    assert got["phones"] == {"0120-802-075", "0120-220-119", "0120-065-591", "0570-064-732"}
    assert got["urls"] == {"http://www.hpe.com/jp/supportservices-areamap-ia"}
    assert got["mails"] == {"toroku_center@hpe.com"}


def test_seed_extraction_is_not_trivial(seed_items: dict[str, set[str]]) -> None:
    phones, mails, urls = seed_items["phones"], seed_items["mails"], seed_items["urls"]
    assert len(phones) + len(mails) >= 15, sorted(phones | mails)
    assert len(urls) >= 20, sorted(urls)
    # The PDF artefacts named in DESIGN.md come out clean.
    assert {"0120-802-075", "0120-220-119", "0120-065-591", "0570-064-732"} <= phones
    assert "http://www.hpe.com/jp/supportservices-areamap-ia" in urls
    assert "http://www.hpe.com/jp/supportservices-areamap-nw" in urls
    assert "http://h50146.www5.hp.com/products/servers/proliant/management/spp/" in urls
    assert "apj-JP.supportcontracts@hpe.com" in mails
    for phone in phones:
        assert re.fullmatch(r"0\d{1,4}-\d{2,4}-\d{3,4}", phone), phone
    for url in urls:
        assert not url.endswith("-"), f"URL still split across lines: {url}"


# --- coverage -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["phones", "mails", "urls"])
def test_every_seed_item_is_in_the_knowledge_data(
    kind: str, seed_items: dict[str, set[str]], data_items: dict[str, set[str]]
) -> None:
    missing = sorted(seed_items[kind] - data_items[kind])
    assert not missing, f"{kind} in the seed texts but not in knowledge/data: {missing}"


def test_data_has_no_phone_or_mail_absent_from_the_seeds(
    seed_items: dict[str, set[str]], data_items: dict[str, set[str]]
) -> None:
    # Never invent a number or address.
    for kind in ("phones", "mails"):
        invented = sorted(data_items[kind] - seed_items[kind])
        assert not invented, f"{kind} in knowledge/data but in neither seed text: {invented}"


# --- loud failure on a broken file ----------------------------------------------


def _broken_contacts(tmp_path: Path) -> Path:
    raw = yaml.safe_load((DATA_DIR / "contacts.yaml").read_text(encoding="utf-8"))
    entry = next(c for c in raw if c["id"] == "repair-billing")
    del entry["purpose_label"]
    path = tmp_path / "contacts.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_broken_contacts_yaml_names_file_entry_and_field(tmp_path: Path) -> None:
    missing = [name for name in DATA_FILES if not (DATA_DIR / name).is_file()]
    if missing:
        pytest.skip(f"knowledge/data not complete yet: {', '.join(missing)}")
    for name in DATA_FILES:
        if name != "contacts.yaml":
            shutil.copy(DATA_DIR / name, tmp_path / name)
    _broken_contacts(tmp_path)
    with pytest.raises(KnowledgeError) as err:
        load_from(tmp_path)
    message = str(err.value)
    assert "contacts.yaml" in message
    assert "'repair-billing'" in message
    assert "purpose_label" in message


def test_broken_contact_entry_is_reported_by_the_list_reader(tmp_path: Path) -> None:
    path = _broken_contacts(tmp_path)
    with pytest.raises(
        KnowledgeError, match=r"contacts\.yaml: entry 'repair-billing': field 'purpose_label'"
    ):
        _many(path, Contact, _read(path))


# --- missing seeds: fail under CI, skip elsewhere ------------------------------------


def test_missing_seeds_fail_under_ci(monkeypatch, seeds_requirement) -> None:
    monkeypatch.setattr("knowledge.grounding.seeds_dir", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        seeds_requirement()
    assert "FAQBOT_SEEDS_DIR" in str(failed.value)


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_missing_seeds_skip_elsewhere_naming_the_variable(monkeypatch, seeds_requirement, ci) -> None:
    monkeypatch.setattr("knowledge.grounding.seeds_dir", lambda: None)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception) as skipped:
        seeds_requirement()
    assert "FAQBOT_SEEDS_DIR" in str(skipped.value)


def test_seeds_dir_prefers_the_environment(monkeypatch, tmp_path: Path, seeds_path: Path) -> None:
    from knowledge import grounding

    for name in SEED_FILES:
        shutil.copy(seeds_path / name, tmp_path / name)
    monkeypatch.setenv("FAQBOT_SEEDS_DIR", str(tmp_path))
    assert grounding.seeds_dir() == tmp_path
    monkeypatch.setenv("FAQBOT_SEEDS_DIR", str(tmp_path / "nowhere"))
    assert grounding.seeds_dir() == seeds_path  # falls back to the default
