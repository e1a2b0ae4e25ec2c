"""Starter data: organisations and solutions with only facts that have a source. Everything else is unknown.

The KL webinar Q&A (the municipalities' questions, autumn 2022) is itself a source: KL expects FMK at
Betydelig; Aula awaits a decision. Never add a date or a level here without its source.

The day-one solutions (``tracker.starter_solutions``) are the real solutions and login brokers named in
public material (digst.dk, mitid-erhverv.dk, KOMBIT, STIL, services.nsi.dk, os2, trade press); every fact
that is not unknown carries its source URL and the page's own words. Status is honest: an authority's own
page is ``confirmed``, a third party quoting one ``reported``, KL's expectation ``expected``; switches
that happened in 2022–2024 have ``switch_state`` ``switched``. ``brokers`` lists the slugs of the brokers
a solution's users log in through (read by the readiness code when it is there; ignored otherwise).
"""

from __future__ import annotations

from typing import Any

from tracker.starter_solutions import KL_WEBINAR, SOLUTIONS

ORGANISATIONS: list[dict[str, Any]] = [
    {"slug": "digst", "name": "Digitaliseringsstyrelsen", "kind": "authority", "url": "https://digst.dk/"},
    {"slug": "kl", "name": "KL – Kommunernes Landsforening", "kind": "kl", "url": "https://www.kl.dk/"},
    {"slug": "kombit", "name": "KOMBIT", "kind": "kombit", "url": "https://www.kombit.dk/"},
    {
        "slug": "sundhedsdatastyrelsen",
        "name": "Sundhedsdatastyrelsen",
        "kind": "authority",
        "url": "https://sundhedsdatastyrelsen.dk/",
    },
    {
        "slug": "stil",
        "name": "Styrelsen for It og Læring (STIL)",
        "kind": "authority",
        "url": "https://stil.dk/",
    },
    {
        "slug": "erhvervsstyrelsen",
        "name": "Erhvervsstyrelsen",
        "kind": "authority",
        "url": "https://erhvervsstyrelsen.dk/",
    },
    {"slug": "sundhed-dk", "name": "sundhed.dk", "kind": "authority", "url": "https://www.sundhed.dk/"},
    {"slug": "kmd", "name": "KMD", "kind": "vendor", "url": "https://www.kmd.dk/"},
    {"slug": "netcompany", "name": "Netcompany", "kind": "vendor", "url": "https://www.netcompany.com/"},
    {
        "slug": "sdfi",
        "name": "Styrelsen for Dataforsyning og Infrastruktur (SDFI)",
        "kind": "authority",
        "url": "https://sdfi.dk/",
    },
    {
        "slug": "os2",
        "name": "OS2 – Offentligt digitaliseringsfællesskab",
        "kind": "other",
        "url": "https://os2.eu/",
    },
]

__all__ = ["KL_WEBINAR", "ORGANISATIONS", "SOLUTIONS"]
