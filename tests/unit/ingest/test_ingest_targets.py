"""Scrape settings from configuration and the targets behind each source key."""

from __future__ import annotations

import pytest

from scrapers import SOURCES
from scrapers.watch import WATCH_URLS
from tracker.ingest.targets import ScrapeSettings, all_targets, known_keys, targets_for, watch_key


def test_settings_read_the_scrape_config() -> None:
    settings = ScrapeSettings.from_config(
        {
            "SCRAPE_BASE_URL": "http://127.0.0.1:9",
            "SCRAPE_USER_AGENT": "UA/1.0",
            "SCRAPE_CONNECT_TIMEOUT": 1.5,
            "SCRAPE_READ_TIMEOUT": "2.5",
            "SCRAPE_UNHEALTHY_AFTER_FAILURES": 5,
            "SCRAPE_WATCH_URLS": " https://a.example/x , https://b.example/y,,https://a.example/x",
        }
    )
    assert settings.base_url == "http://127.0.0.1:9"
    assert (settings.connect_timeout, settings.read_timeout, settings.unhealthy_after) == (1.5, 2.5, 5)
    assert settings.watch_urls == ("https://a.example/x", "https://b.example/y")
    fetcher = settings.fetcher()
    assert fetcher.user_agent == "UA/1.0" and fetcher.timeout == (1.5, 2.5)


def test_defaults_watch_the_domain_pages() -> None:
    settings = ScrapeSettings.from_config({"SCRAPE_BASE_URL": "", "SCRAPE_WATCH_URLS": ""})
    assert settings.base_url is None and settings.watch_urls == WATCH_URLS
    assert len(targets_for("watch", settings)) == len(WATCH_URLS)


def test_the_base_url_override_points_every_page_at_the_local_server() -> None:
    settings = ScrapeSettings(base_url="http://127.0.0.1:8765", watch_urls=("https://digst.dk/tilsyn/nsis",))
    [launch] = targets_for("digst_launch", settings)
    assert launch.url == SOURCES["digst_launch"].default_url  # identity stays the real page
    assert launch.fetch_url == "http://127.0.0.1:8765/it-loesninger/nemlog-in/lanceringsdatoer-for-nemlog-in/"
    [watched] = targets_for("watch", settings)
    assert watched.fetch_url == "http://127.0.0.1:8765/tilsyn/nsis"
    assert watched.key == watch_key("https://digst.dk/tilsyn/nsis")  # stable whatever the override
    assert targets_for(watched.key, settings) == [watched]


def test_keys() -> None:
    settings = ScrapeSettings(watch_urls=("https://digst.dk/a",))
    assert [t.key for t in all_targets(settings)] == [
        "digst_launch", "digst_news", "mitid_erhverv_news", watch_key("https://digst.dk/a"),
    ]  # fmt: skip
    assert known_keys(settings)[:4] == ["digst_launch", "digst_news", "mitid_erhverv_news", "watch"]
    assert watch_key("https://digst.dk/a").startswith("watch-") and len(watch_key("https://digst.dk/a")) == 16
    with pytest.raises(KeyError):
        targets_for("nope", settings)
    with pytest.raises(KeyError):
        targets_for("watch-0000000000", settings)
