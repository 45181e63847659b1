"""Demo business repository: types with custom fields, customers, products, processes, projects
linked to them, sites, glossary terms, documents with versions, one restricted project.

Idempotent: items are upserted by (type, external id). The communities demo (order 30) links
posts to these items through the stable slugs below (DEMO_ITEM_SLUGS).
"""

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils.text import slugify

from repository import services
from repository.models import Document, Item, ItemFollow, ItemType
from rse.accounts.models import User
from rse.lib.demo import seeder

ADMIN = "admin@demo.rse.example"
MARC = "marc.dubois@demo.rse.example"
CAMILLE = "camille.durand@demo.rse.example"
HUGO = "hugo.bernard@demo.rse.example"

TYPES = [
    ("process", "Process", "How we work, end to end.", [
        {"key": "owner_team", "label": "Owner team", "kind": "text"},
        {"key": "iso_reference", "label": "ISO reference", "kind": "text"},
    ]),
    ("customer", "Customer", "Companies we sell to (master: the CRM).", [
        {"key": "siret", "label": "SIRET", "kind": "text", "help_text": "14 digits."},
        {"key": "sector", "label": "Sector", "kind": "choice",
         "choices": "Aerospace\nAutomotive\nEnergy\nHealthcare\nPublic sector\nRetail\nTransport"},
        {"key": "annual_revenue", "label": "Annual revenue (k€)", "kind": "number"},
        {"key": "website", "label": "Website", "kind": "url"},
        {"key": "account_manager", "label": "Account manager", "kind": "person"},
        {"key": "customer_since", "label": "Customer since", "kind": "date"},
    ]),
    ("product", "Product", "What we make and sell (master: the ERP).", [
        {"key": "sku", "label": "SKU", "kind": "text", "required": True},
        {"key": "launch_date", "label": "Launch date", "kind": "date"},
        {"key": "product_manager", "label": "Product manager", "kind": "person"},
        {"key": "process", "label": "Manufacturing process", "kind": "item", "target_type": "process"},
        {"key": "datasheet", "label": "Datasheet", "kind": "url"},
    ]),
    ("project", "Project", "Customer projects and internal programmes.", [
        {"key": "customer", "label": "Customer", "kind": "item", "target_type": "customer"},
        {"key": "product", "label": "Main product", "kind": "item", "target_type": "product"},
        {"key": "project_manager", "label": "Project manager", "kind": "person"},
        {"key": "start_date", "label": "Start date", "kind": "date"},
        {"key": "budget", "label": "Budget (k€)", "kind": "number"},
        {"key": "phase", "label": "Phase", "kind": "choice", "choices": "Discovery\nDelivery\nRun\nClosed"},
    ]),
    ("site", "Site", "Our offices and plants.", [
        {"key": "city", "label": "City", "kind": "text"},
        {"key": "country", "label": "Country", "kind": "text"},
    ]),
    ("glossary-term", "Glossary term", "The words of the trade, defined once.", [
        {"key": "acronym", "label": "Acronym", "kind": "text"},
    ]),
]  # fmt: skip

PROCESSES = [
    ("PROC-001", "Order to cash", "From the customer's order to the payment received.", {"owner_team": "Finance"}),
    ("PROC-002", "Procure to pay", "Buying, receiving and paying suppliers.", {"owner_team": "Supply chain"}),
    (
        "PROC-003",
        "Sensor assembly and test",
        "Surface-mount assembly, calibration and the **final test bench** for every sensor.",
        {"owner_team": "Manufacturing", "iso_reference": "ISO 9001 §8.5"},
    ),
    ("PROC-004", "Customer onboarding", "Kick-off, installation and training for new customers.", {}),
]

CUSTOMERS = [
    ("CRM-C001", "Aéroline Industries", "Aerospace", 185000, "2019-03-01", MARC),
    ("CRM-C002", "Bretagne Composites", "Aerospace", 42000, "2021-06-15", MARC),
    ("CRM-C003", "Clinique Saint-Roch", "Healthcare", 12500, "2022-01-10", CAMILLE),
    ("CRM-C004", "Dauphiné Énergie", "Energy", 310000, "2018-09-20", MARC),
    ("CRM-C005", "Électra Mobilité", "Automotive", 96000, "2020-11-02", MARC),
    ("CRM-C006", "Ferroviaire du Sud", "Transport", 150000, "2023-02-01", HUGO),
    ("CRM-C007", "Grand Lyon Habitat", "Public sector", 27000, "2021-04-12", CAMILLE),
    ("CRM-C008", "Hexagone Retail", "Retail", 78000, "2024-05-06", HUGO),
    ("CRM-C009", "Industries Loire-Océan", "Automotive", 64000, "2017-07-07", MARC),
    ("CRM-C010", "Jura Médical", "Healthcare", 8800, "2025-01-15", CAMILLE),
]

PRODUCTS = [
    ("ERP-P001", "Lumen Sensor S1", "S1-100", "2021-03-01", "PROC-003"),
    ("ERP-P002", "Lumen Sensor S2 Pro", "S2-200", "2024-02-15", "PROC-003"),
    ("ERP-P003", "Lumen Gateway G3", "G3-300", "2022-09-01", "PROC-003"),
    ("ERP-P004", "Lumen Analytics Cloud", "AC-SAAS", "2023-01-10", "PROC-001"),
    ("ERP-P005", "Lumen Smart Valve V5", "V5-500", "2020-05-20", "PROC-003"),
    ("ERP-P006", "Lumen Edge Controller", "EC-600", "2025-04-01", "PROC-003"),
    ("ERP-P007", "Lumen Battery Pack B12", "B12-700", "2022-11-30", "PROC-002"),
    ("ERP-P008", "Lumen Field App", "FA-MOBILE", "2023-06-12", "PROC-004"),
]

# (external id, name, customer ext id, product ext id, phase, budget, start)
PROJECTS = [
    ("PRJ-2026-001", "Aéroline predictive maintenance", "CRM-C001", "ERP-P002", "Delivery", 420, "2026-01-12"),
    ("PRJ-2026-002", "Dauphiné smart grid rollout", "CRM-C004", "ERP-P003", "Discovery", 950, "2026-03-02"),
    ("PRJ-2026-003", "Électra charging stations", "CRM-C005", "ERP-P006", "Delivery", 610, "2025-10-20"),
    ("PRJ-2026-004", "Hexagone store sensors", "CRM-C008", "ERP-P001", "Run", 180, "2025-05-05"),
    ("PRJ-2026-005", "Saint-Roch asset tracking", "CRM-C003", "ERP-P008", "Discovery", 95, "2026-04-01"),
    ("PRJ-2026-006", "Loire-Océan line retrofit", "CRM-C009", "ERP-P005", "Closed", 260, "2024-09-09"),
]
RESTRICTED_PROJECT = ("PRJ-2026-999", "Project Orion (acquisition)", "Administrator")

SITES = [
    ("SITE-PAR", "Paris — La Défense", "Paris"),
    ("SITE-LYO", "Lyon — Part-Dieu", "Lyon"),
    ("SITE-NAN", "Nantes — Île de Nantes", "Nantes"),
]
GLOSSARY = [
    ("GLO-OEE", "Overall equipment effectiveness", "OEE", "Availability × performance × quality of a line."),
    ("GLO-MTBF", "Mean time between failures", "MTBF", "Average running time between two breakdowns."),
    ("GLO-KAIZEN", "Kaizen", "", "Small, continuous improvements made by the people who do the work."),
    ("GLO-SIRET", "SIRET number", "SIRET", "The 14-digit identifier of a French establishment."),
]

# Stable slugs the communities demo links posts to.
DEMO_ITEM_SLUGS = [
    "aeroline-industries", "dauphine-energie", "electra-mobilite", "hexagone-retail", "clinique-saint-roch",
    "lumen-sensor-s2-pro", "lumen-gateway-g3", "lumen-analytics-cloud",
    "aeroline-predictive-maintenance", "dauphine-smart-grid-rollout", "electra-charging-stations",
    "sensor-assembly-and-test", "overall-equipment-effectiveness",
]  # fmt: skip


def _upsert(admin, type_slug, external_id, data):
    item_type = ItemType.objects.prefetch_related("field_definitions").get(slug=type_slug)
    item, _created, _changes = services.do_upsert_item(admin, item_type, external_id, data)
    return item


def _document(admin, item, name, versions, description=""):
    """Add the document with its versions once (matched by name)."""
    if Document.objects.filter(item=item, name=name).exists():
        return
    filename, first = versions[0]
    document = services.do_add_document(
        admin, item, name=name, description=description, uploaded=ContentFile(first.encode(), name=filename)
    )
    for filename, content in versions[1:]:
        services.do_add_document_version(
            admin, document, uploaded=ContentFile(content.encode(), name=filename), comment="Updated after review."
        )


@seeder(20)
def seed_repository():
    for slug, name, description, fields in TYPES:
        services.ensure_item_type(slug, name, description, fields)
    admin = User.objects.get(email=ADMIN)
    people = {u.email: u for u in User.objects.filter(email__in=[ADMIN, MARC, CAMILLE, HUGO])}

    for ext, name, description, fields in PROCESSES:
        _upsert(admin, "process", ext, {"name": name, "description_md": description, "fields": fields})
    for ext, name, sector, revenue, since, manager in CUSTOMERS:
        _upsert(
            admin,
            "customer",
            ext,
            {
                "name": name,
                "description_md": f"{name} is a customer in the {sector.lower()} sector.",
                "tags": [sector, "Key account" if revenue > 90000 else "Mid-market"],
                "fields": {
                    "siret": f"{ext[-3:]}42{ext[-3:]}1234{ext[-3:]}"[:14],
                    "sector": sector,
                    "annual_revenue": revenue,
                    "website": f"https://www.{slugify(name)}.example",
                    "account_manager": manager,
                    "customer_since": since,
                },
            },
        )
    for ext, name, sku, launch, process in PRODUCTS:
        _upsert(
            admin,
            "product",
            ext,
            {
                "name": name,
                "description_md": f"{name}: part of the Lumen range.",
                "tags": ["Lumen range"],
                "fields": {"sku": sku, "launch_date": launch, "product_manager": CAMILLE, "process": process},
            },
        )
    for ext, name, customer, product, phase, budget, start in PROJECTS:
        _upsert(
            admin,
            "project",
            ext,
            {
                "name": name,
                "description_md": f"Project for {Item.objects.get(external_id=customer).name}.",
                "status": "archived" if phase == "Closed" else "active",
                "fields": {
                    "customer": customer,
                    "product": product,
                    "project_manager": MARC,
                    "phase": phase,
                    "budget": budget,
                    "start_date": start,
                },
            },
        )
    for ext, name, city in SITES:
        _upsert(admin, "site", ext, {"name": name, "fields": {"city": city, "country": "France"}})
    for ext, name, acronym, definition in GLOSSARY:
        _upsert(
            admin, "glossary-term", ext, {"name": name, "description_md": definition, "fields": {"acronym": acronym}}
        )

    ext, name, group = RESTRICTED_PROJECT
    orion = _upsert(
        admin,
        "project",
        ext,
        {
            "name": name,
            "description_md": "Confidential: due diligence on a competitor.",
            "fields": {"phase": "Discovery"},
        },
    )
    services.do_update_item(admin, orion, {"restricted_to": list(Group.objects.filter(name=group))})

    aeroline = Item.objects.get(item_type__slug="customer", external_id="CRM-C001")
    services.do_update_item(admin, aeroline, {"owners": [people[MARC], people[ADMIN]]})
    _document(
        admin,
        aeroline,
        "Account plan 2026",
        [
            ("account-plan-2026.md", "# Account plan 2026\n\nGoals: renew the framework agreement.\n"),
            ("account-plan-2026.md", "# Account plan 2026\n\nGoals: renew the framework agreement; pilot S2 Pro.\n"),
        ],
        "Objectives, contacts and opportunities for the year.",
    )
    pilot = Item.objects.get(item_type__slug="project", external_id="PRJ-2026-001")
    _document(
        admin,
        pilot,
        "Statement of work",
        [
            ("statement-of-work.txt", "Scope: 40 S2 Pro sensors on two lines.\n"),
            ("statement-of-work.txt", "Scope: 60 S2 Pro sensors on three lines.\n"),
            ("statement-of-work.txt", "Scope: 60 S2 Pro sensors on three lines. Signed.\n"),
        ],
    )
    s2 = Item.objects.get(item_type__slug="product", external_id="ERP-P002")
    _document(admin, s2, "S2 Pro datasheet", [("s2-pro-datasheet.csv", "parameter,value\nrange,0-150 °C\nIP,67\n")])
    _document(admin, orion, "Due diligence checklist", [("checklist.txt", "Confidential checklist.\n")])
    for email in (MARC, CAMILLE):
        ItemFollow.objects.get_or_create(user=people[email], item=aeroline)
    return f"{Item.objects.alive().count()} items"
