"""Generate the capstone-rag-docqa corpus and question sets (not shipped to learners).

    python templates/capstone-rag-docqa/generate_data.py [--out DIR] [--labels FILE] [--course-secret-file F]

The document set of a fictional SaaS product, Nimbus Drive (cloud file storage by Lumen Systems): manuals
and policies in Markdown, HTML and PDF, hard in the ways a real company's documents are:

* **three formats**: Markdown guides, HTML pages (one saved in Windows-1252, not UTF-8), PDFs of one
  section per page (written here byte by byte, parsed by the template with pypdf);
* **tables** hold facts (plan quotas, API rate limits, data-centre regions, prices): a chunker that
  keeps a row's header with its values answers them, one that flattens them loses the column names;
* **versions that supersede each other**: retention policy version 2 replaces version 1 with new
  numbers under the same headings; only version 2 is right;
* **a near-duplicate**: a mirrored copy of the administrator guide (``canonical: admin-guide``) competes
  with the original for every admin question and cites the wrong document;
* **unanswerable questions**: about things no document mentions; the right answer is to abstain. In a course
  which ones they are is the course's: each comes from a list of 28 (``EXTRAS``) that the course draws half of
  into its documents, as answerable sections;
* **bad files**: a truncated PDF and an empty Markdown file, which ingest must report and skip.

Everything that decides the hidden split comes from :mod:`roadmap_ci.seeding` streams: the facts' values
(``purpose="process"``), which facts are development and which hidden (``"questions"``) and each hidden
question's id and order (``"rows"``, per learner). Under a secret every document's sections are also
numbered and reordered (``"layout"``, course-wide: ``number_sections``), so a gold section id is the course's
(``admin-guide/19-3-single-sign-on``): the same question looked up in the practice files or in a guessed
secret's world names another section. A course also asks more (``COURSE_SETS``): every one of a hidden fact's
six paraphrases, four of a development fact's, and both wordings of each of the 28 extras (``"extras"``: 14
drawn into the documents, 9 of them hidden facts; the other 14 asked unanswerable, 5 of them development), so
that no single question moves a grade by a point: 126 hidden questions (18 unanswerable) and 84 development ones
(10); and its current retention policy is a rewrite
(``corpus(revised=True)``), not the superseded page with new numbers, so the trap catches the same questions in
every course instead of the ones whose numbers happen to embed closer. Without a secret every
stream is the practice seed, and the files are the ones shipped in the template, byte for byte.

Writes ``data/raw/docs/*`` (the corpus), ``data/raw/qa.csv`` (id, question, answer, section_id,
answerable: the development set) and ``data/raw/questions.csv`` (id, question: the hidden set) into the
template, and the hidden gold to ``labels/capstone-rag-docqa.csv`` (id, section_id — ``unanswerable``
for questions with no answer in the corpus —, answer, split). A section id is ``<doc_id>/<heading slug>``
(for a PDF, a page's heading).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RAW = HERE / "{{cookiecutter.project_slug}}" / "data" / "raw"
LABELS = ROOT / "labels" / "capstone-rag-docqa.csv"
ID = "capstone-rag-docqa"
SEED = 55_65
UNANSWERABLE = "unanswerable"
N_DEV_FACTS = 16


def _rng(secret: bytes | None, purpose: str, learner: str | None = None):  # noqa: ANN202 - numpy Generator
    try:
        from roadmap_ci.seeding import rng
    except ImportError:  # run from a checkout without the package installed
        sys.path.insert(0, str(ROOT / "src"))
        from roadmap_ci.seeding import rng
    return rng(secret, ID, purpose, practice=SEED, learner=learner)


def slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split()) or "intro"


def pick(r, options: list):  # noqa: ANN001, ANN202
    return options[int(r.integers(len(options)))]


def draw_values(r) -> dict[str, object]:  # noqa: ANN001
    """The facts of one course's Nimbus Drive (every value within a range that keeps the task as hard)."""
    v: dict[str, object] = {
        "sso_hours": pick(r, [8, 10, 12, 16, 24]), "scim_min": pick(r, [20, 30, 40, 45, 60]),
        "team_tb": pick(r, [1, 2]), "biz_tb": pick(r, [3, 5, 6]), "ent_tb": pick(r, [10, 15, 20]),
        "team_gb": pick(r, [50, 100]), "biz_gb": pick(r, [150, 250]), "ent_gb": pick(r, [400, 500]),
        "team_hist": pick(r, [30, 60]), "biz_hist": pick(r, [120, 180]), "ent_hist": pick(r, [365, 730]),
        "link_days": pick(r, [7, 14, 21, 28]), "audit_days": pick(r, [90, 180, 400, 540]),
        "disk_gb": pick(r, [2, 3, 4, 5]), "upload_mbps": pick(r, [20, 25, 40, 50]),
        "log_days": pick(r, [5, 7, 10]), "token_days": pick(r, [30, 60, 90]),
        "free_rpm": pick(r, [30, 60]), "std_rpm": pick(r, [300, 600, 900]), "prem_rpm": pick(r, [3000, 5000, 6000]),
        "page_size": pick(r, [100, 200, 250]), "retries": pick(r, [3, 5, 8]),
        "rotate_days": pick(r, [30, 45, 60, 90]), "tls": pick(r, ["1.2", "1.3"]),
        "eu_city": pick(r, ["Frankfurt", "Dublin", "Amsterdam"]), "us_city": pick(r, ["Virginia", "Oregon", "Ohio"]),
        "apac_city": pick(r, ["Singapore", "Sydney", "Tokyo"]), "notify_hours": pick(r, [24, 48, 72]),
        "trash_v1": pick(r, [14, 21]), "trash_v2": pick(r, [30, 45, 60]),
        "versions_v1": pick(r, [30, 60]), "versions_v2": pick(r, [90, 120, 180]),
        "erase_v1": pick(r, [30, 60]), "erase_v2": pick(r, [90, 120]),
        "open_h": pick(r, [7, 8, 9]), "close_h": pick(r, [17, 18, 19]),
        "uptime": pick(r, ["99.9", "99.95", "99.99"]), "credit_pct": pick(r, [10, 15, 20]),
        "credit_big": pick(r, [25, 30, 50]), "p1_min": pick(r, [15, 30, 60]),
        "team_eur": pick(r, [6, 8, 10]), "biz_eur": pick(r, [15, 18, 20]), "annual_pct": pick(r, [10, 15, 20]),
        "np_pct": pick(r, [30, 40, 50]),
    }
    return v


def corpus(v: dict[str, object], revised: bool = False) -> list[dict]:
    """The documents: id, format, title, front matter, sections [(heading, paragraphs | table)]; ``revised``: the
    current retention policy in its own words (a course's)."""
    quotas = [["Plan", "Storage per user", "Maximum file size", "Version history"],
              ["Team", f"{v['team_tb']} TB", f"{v['team_gb']} GB", f"{v['team_hist']} days"],
              ["Business", f"{v['biz_tb']} TB", f"{v['biz_gb']} GB", f"{v['biz_hist']} days"],
              ["Enterprise", f"{v['ent_tb']} TB", f"{v['ent_gb']} GB", f"{v['ent_hist']} days"]]
    admin = [
        ("Single sign-on", [f"Nimbus Drive supports SAML 2.0 and OpenID Connect single sign-on. An SSO session "
                            f"expires after {v['sso_hours']} hours of inactivity, after which the user signs in "
                            "again through the identity provider."]),
        ("User provisioning", [f"SCIM provisioning synchronises users and groups from the identity provider every "
                               f"{v['scim_min']} minutes. A user removed in the identity provider loses access at "
                               "the next synchronisation."]),
        ("Storage quotas", ["Each plan sets the storage available to every user and the largest single file:",
                            quotas]),
        ("Sharing links", [f"Public sharing links expire after {v['link_days']} days by default. Administrators "
                           "can shorten the expiry to as little as one day or require a password."]),
        ("Audit log", [f"Audit log events are kept for {v['audit_days']} days and can be exported as CSV from the "
                       "admin console."]),
    ]
    def policy(n: int) -> list:  # version n's sections, in version 1's words
        return [("Deleted files", [f"Deleted files stay in the trash for {v[f'trash_v{n}']} days before they are "
                                   "removed permanently."]),
                ("Version history", [f"Previous versions of a file are kept for {v[f'versions_v{n}']} days."]),
                ("Closed accounts", [f"The data of a closed account is erased {v[f'erase_v{n}']} days after "
                                     "closure."])]

    rewrite = [  # a course's version 2: its own words, not version 1 with new numbers (see world)
        ("Deleted files", [f"Items removed by a user are purged automatically {v['trash_v2']} days after deletion."]),
        ("Version history", [f"Earlier revisions remain restorable for {v['versions_v2']} days."]),
        ("Closed accounts", [f"When a subscription ends, its content is destroyed within {v['erase_v2']} days."])]
    retention = {1: policy(1), 2: rewrite if revised else policy(2)}
    return [
        {"id": "admin-guide", "fmt": "md", "title": "Nimbus Drive administrator guide", "meta": {"version": "4"},
         "sections": admin},
        {"id": "admin-guide-mirror", "fmt": "md", "title": "Nimbus Drive administrator guide (wiki mirror)",
         "meta": {"canonical": "admin-guide"}, "sections": admin},
        {"id": "sync-client", "fmt": "md", "title": "Nimbus Drive desktop sync client", "meta": {}, "sections": [
            ("Installation", [f"The desktop client needs {v['disk_gb']} GB of free disk space and runs on "
                              "Windows 10 or later and macOS 13 or later."]),
            ("Bandwidth limits", [f"By default the client limits uploads to {v['upload_mbps']} Mbit/s. Set the "
                                  "limit to 0 for unlimited uploads."]),
            ("Conflict files", ["When two people edit the same file offline, the client keeps both versions and "
                                "renames the older one with the suffix (conflicted copy)."]),
            ("Troubleshooting", [f"The client keeps its log files for {v['log_days']} days. Hold Shift while "
                                 "clicking the tray icon to open the diagnostics panel."])]},
        {"id": "api-reference", "fmt": "md", "title": "Nimbus Drive REST API reference", "meta": {}, "sections": [
            ("Authentication", [f"API tokens are created in the developer console and expire after "
                                f"{v['token_days']} days."]),
            ("Rate limits", ["Requests per minute allowed for each API tier:",
                             [["Tier", "Requests per minute"], ["Free", str(v["free_rpm"])],
                              ["Standard", str(v["std_rpm"])], ["Premium", str(v["prem_rpm"])]]]),
            ("Pagination", [f"List endpoints return at most {v['page_size']} items per page; follow the next "
                            "cursor for the rest."]),
            ("Webhooks", [f"A webhook delivery that fails is retried {v['retries']} times with exponential "
                          "backoff."])]},
        {"id": "security-overview", "fmt": "html", "title": "Nimbus Drive security overview", "meta": {},
         "sections": [
            ("Encryption at rest", [f"Files are encrypted at rest with AES-256, and the keys are rotated every "
                                    f"{v['rotate_days']} days."]),
            ("Encryption in transit", [f"Every connection to Nimbus Drive uses TLS {v['tls']} or later."]),
            ("Data residency", ["Customer data stays in the region chosen at sign-up:",
                                [["Region", "Data centre"], ["EU", str(v["eu_city"])], ["US", str(v["us_city"])],
                                 ["APAC", str(v["apac_city"])]]]),
            ("Incident response", [f"Customers are notified of a security incident affecting their data within "
                                   f"{v['notify_hours']} hours."])]},
        {"id": "retention-policy-v1", "fmt": "html", "title": "Data retention policy, version 1",
         "meta": {"version": "1", "effective": "2023-01-01"}, "sections": retention[1]},
        {"id": "retention-policy-v2", "fmt": "md", "title": "Data retention policy, version 2",
         "meta": {"version": "2", "effective": "2025-03-01", "supersedes": "retention-policy-v1"},
         "sections": retention[2]},
        {"id": "support-faq", "fmt": "html-cp1252", "title": "Support FAQ (Société Lumen Systems)", "meta": {},
         "sections": [
            ("Phone support", [f"Phone support is open on weekdays from {v['open_h']}:00 to {v['close_h']}:00 "
                               "CET – except public holidays in France."])]},
        {"id": "service-level-agreement", "fmt": "pdf", "title": "Service level agreement", "meta": {},
         "sections": [
            ("Uptime commitment", [f"Lumen Systems commits to {v['uptime']}% monthly uptime for the Business and "
                                   "Enterprise plans."]),
            ("Service credits", [f"If monthly uptime falls below the commitment, the customer receives a credit of "
                                 f"{v['credit_pct']}% of the monthly fee. Below 99.0% uptime the credit is "
                                 f"{v['credit_big']}%."]),
            ("Support response times", [f"Priority 1 incidents receive a first response within {v['p1_min']} "
                                        "minutes, at any hour."])]},
        {"id": "price-list", "fmt": "pdf", "title": "Price list 2025", "meta": {}, "sections": [
            ("Plans", [f"The Team plan costs {v['team_eur']} EUR per user per month and the Business plan "
                       f"{v['biz_eur']} EUR per user per month. Enterprise pricing is on request."]),
            ("Discounts", [f"Annual billing saves {v['annual_pct']}% against monthly billing. Registered "
                           f"non-profit organisations receive {v['np_pct']}% off."])]},
    ]


# A course numbers every document's sections (``7.2 Rate limits``: the document's chapter of the handbook, its
# sections in a drawn order), so a section id names the course's layout: a question asked in the practice world
# or in a guessed secret's world does not carry its gold section over. The wiki mirror and the superseded policy
# keep the layout of the page they copy or that replaces them (the traps' headings stay the same).
CHAPTERS = 20
SAME_LAYOUT = {"admin-guide-mirror": "admin-guide", "retention-policy-v1": "retention-policy-v2"}
Headings = dict[tuple[str, str], str]  # (doc id, heading) -> the course's heading; practice: none renamed


def number_sections(docs: list[dict], r) -> Headings:  # noqa: ANN001
    """Renumber and reorder every document's sections under a course secret (in place); the new headings."""
    headings: Headings = {}
    layouts: dict[str, dict[str, str]] = {}
    for doc in sorted(docs, key=lambda d: d["id"] in SAME_LAYOUT):  # the originals first
        heads = [h for h, _ in doc["sections"]]
        if doc["id"] in SAME_LAYOUT:
            lay = layouts[SAME_LAYOUT[doc["id"]]]
        else:
            chapter = 1 + int(r.integers(CHAPTERS))
            order = [heads[int(i)] for i in r.permutation(len(heads))]
            lay = {h: f"{chapter}.{order.index(h) + 1} {h}" for h in heads}
        layouts[doc["id"]] = lay
        doc["sections"] = sorted(((lay[h], parts) for h, parts in doc["sections"]),
                                 key=lambda hp: int(hp[0].split()[0].split(".")[1]))
        headings.update({(doc["id"], h): lay[h] for h in heads})
    return headings


def facts(v: dict[str, object], headings: Headings | None = None) -> list[dict]:
    """(gold section, answer, six paraphrases: the practice files ask the first three) per fact; the gold is the
    canonical, current document."""
    a, s, api, sec, ret = "admin-guide", "sync-client", "api-reference", "security-overview", "retention-policy-v2"
    sla, price = "service-level-agreement", "price-list"
    rows = [
        (a, "Single sign-on", f"{v['sso_hours']} hours", ["After how many idle hours does an SSO session expire?",
         "How long can a single sign-on session stay inactive before the user must sign in again?",
         "When does an inactive SAML login time out?",
         "How long before an idle SSO user has to log in again?",
         "What is the inactivity timeout for single sign-on?",
         "If I leave my SSO session idle, when am I signed out?"]),
        (a, "User provisioning", f"{v['scim_min']} minutes", ["How often does SCIM provisioning sync users?",
         "How frequently are users and groups synchronised from the identity provider?",
         "What is the interval between SCIM synchronisations?",
         "How long can a user removed in the identity provider keep access?",
         "Every how many minutes does SCIM run?", "SCIM sync frequency?"]),
        (a, "Storage quotas", f"{v['biz_tb']} TB", ["How much storage does each Business plan user get?",
         "What is the per-user storage on the Business plan?", "Storage per user for Business customers?",
         "How many terabytes per user come with Business?", "What storage quota does a Business user have?",
         "Business plan storage allowance per user?"]),
        (a, "Storage quotas", f"{v['ent_gb']} GB", ["What is the largest file an Enterprise user can upload?",
         "Maximum file size on the Enterprise plan?", "How big can a single file be for Enterprise customers?",
         "What is the file size limit for Enterprise users?",
         "Is there a cap on the size of one upload for Enterprise?", "Largest single upload allowed on Enterprise?"]),
        (a, "Storage quotas", f"{v['team_hist']} days", ["How many days of version history does the Team plan keep?",
         "Team plan version history length?", "For how long are file versions kept on Team?",
         "How far back does version history go on the Team plan?",
         "What is the version history period for Team customers?", "Days of file version history on Team?"]),
        (a, "Sharing links", f"{v['link_days']} days", ["When do public sharing links expire by default?",
         "What is the default lifetime of a public share link?", "How many days is a shared link valid by default?",
         "How long does a public link stay active unless I change it?", "Default expiry of sharing links?",
         "After how many days does a public share stop working by default?"]),
        (a, "Audit log", f"{v['audit_days']} days", ["How long are audit log events retained?",
         "For how many days can I see audit events?", "What is the audit log retention period?",
         "How far back can I export audit events?", "How long does the admin console keep audit events?",
         "Audit event retention in days?"]),
        (s, "Installation", f"{v['disk_gb']} GB", ["How much free disk space does the desktop client need?",
         "What disk space is required to install the sync app?", "Disk requirement of the desktop sync client?",
         "How much disk space do I need for the desktop app?", "Free space needed to install the desktop client?",
         "What are the storage requirements for installing the sync client?"]),
        (s, "Bandwidth limits", f"{v['upload_mbps']} Mbit/s", ["What is the default upload limit of the client?",
         "How fast does the desktop app upload by default?", "Default bandwidth cap for uploads?",
         "What upload speed does the client cap at out of the box?",
         "Default upload bandwidth limit of the sync client?", "How is upload bandwidth limited by default?"]),
        (s, "Conflict files", "(conflicted copy)", ["What suffix marks a file edited offline by two people?",
         "How is the older copy named after an offline edit conflict?", "What happens to conflicting offline edits?",
         "What does the sync client do when two offline edits clash?",
         "Which suffix does the client add to the older conflicting version?",
         "How are offline edit conflicts resolved by the desktop client?"]),
        (s, "Troubleshooting", f"{v['log_days']} days", ["How long does the client keep its log files?",
         "For how many days are sync client logs kept?", "Retention of the desktop app's logs?",
         "How many days of logs does the sync client keep?", "When are the desktop client's log files deleted?",
         "Log retention of the sync client?"]),
        (api, "Authentication", f"{v['token_days']} days", ["When do API tokens expire?",
         "What is the lifetime of a developer API token?", "After how many days must I renew an API token?",
         "How long is an API token valid?", "Token expiry for the REST API?",
         "How many days until a developer console token expires?"]),
        (api, "Rate limits", str(v["std_rpm"]), ["How many requests per minute does the Standard API tier allow?",
         "What is the rate limit of the Standard tier?", "Standard tier requests per minute?",
         "What is the per-minute request limit on the Standard tier?", "Standard API tier throughput limit?",
         "How many calls a minute can I make on Standard?"]),
        (api, "Rate limits", str(v["prem_rpm"]), ["How many API calls per minute can a Premium tier client make?",
         "Premium tier rate limit?", "What request rate does the Premium API tier permit?",
         "Requests per minute for Premium API clients?", "How many requests a minute does Premium allow?",
         "What is the Premium tier's per-minute cap?"]),
        (api, "Pagination", str(v["page_size"]), ["How many items does a list endpoint return per page at most?",
         "What is the maximum page size of the API?", "How many results per page do list calls give?",
         "What is the largest number of items one API page can hold?", "Page size limit for list endpoints?",
         "How many records does one page of a list call return at most?"]),
        (api, "Webhooks", f"{v['retries']} times", ["How many times is a failed webhook retried?",
         "What happens when a webhook delivery fails?", "How often are webhook deliveries retried?",
         "How many retry attempts does a failing webhook get?", "Webhook retry count?",
         "If my endpoint is down, how many times is a webhook sent again?"]),
        (sec, "Encryption at rest", f"{v['rotate_days']} days", ["How often are the encryption keys rotated?",
         "What is the key rotation period for stored files?", "Every how many days are keys rotated?",
         "How frequently are encryption-at-rest keys changed?", "Key rotation interval for encrypted files?",
         "After how many days is a storage encryption key replaced?"]),
        (sec, "Encryption in transit", f"TLS {v['tls']}", ["Which TLS version do connections use?",
         "What transport encryption protects connections?", "Minimum TLS version for Nimbus Drive?",
         "What version of TLS is required to connect?", "Which protocol version encrypts data in transit?",
         "What is the lowest TLS version accepted?"]),
        (sec, "Data residency", str(v["eu_city"]), ["Where is EU customer data stored?",
         "Which data centre hosts the EU region?", "In what city is European data kept?",
         "Which city is the EU data centre in?", "Where are the files of EU customers hosted?",
         "EU region data centre location?"]),
        (sec, "Incident response", f"{v['notify_hours']} hours", ["How soon are customers told about a breach?",
         "Within how many hours are security incidents notified?", "What is the incident notification deadline?",
         "How quickly must customers be informed of a security incident?", "Breach notification time?",
         "How many hours until affected customers hear about an incident?"]),
        (ret, "Deleted files", f"{v['trash_v2']} days", ["How long do deleted files stay in the trash?",
         "After how many days is the trash emptied?", "How long can I restore a deleted file from the trash?",
         "How many days do files stay in the trash?", "When are deleted files removed for good?",
         "Trash retention period?"]),
        (ret, "Version history", f"{v['versions_v2']} days", ["Under the retention policy, how long are old "
         "versions of a file kept?", "What is the retention period for previous file versions?",
         "How many days of previous versions does the retention policy keep?",
         "How many days of old file versions are retained under the policy?",
         "Retention of previous versions according to the retention policy?",
         "For how long does the retention policy keep prior versions of files?"]),
        (ret, "Closed accounts", f"{v['erase_v2']} days", ["When is a closed account's data erased?",
         "How long after closing an account is its data deleted?", "Erasure period for closed accounts?",
         "How many days after closure is account data erased?",
         "When is the data of a closed account deleted permanently?",
         "What happens to my data after I close my account, and when?"]),
        ("support-faq", "Phone support", f"{v['open_h']}:00 to {v['close_h']}:00",
         ["What are the phone support hours?", "When can I call support?", "At what times is phone support open?",
         "What time does phone support open?", "During which hours can I phone support on weekdays?",
         "Phone support opening hours?"]),
        (sla, "Uptime commitment", f"{v['uptime']}%", ["What monthly uptime does the SLA commit to?",
         "What is the guaranteed availability for Business plans?",
         "Uptime commitment in the service level agreement?",
         "What availability does Lumen guarantee each month?", "Monthly uptime guarantee for Enterprise?",
         "What percentage uptime is promised in the SLA?"]),
        (sla, "Service credits", f"{v['credit_pct']}%", ["What credit do I get if uptime is below the commitment?",
         "How big is the service credit for missing the SLA?", "What percentage of the fee is credited for downtime?",
         "How much is credited when the uptime commitment is missed?",
         "Service credit percentage for an SLA breach?", "What compensation do I get for missed uptime?"]),
        (sla, "Support response times", f"{v['p1_min']} minutes", ["How fast is the first response to a priority "
         "1 incident?", "What is the P1 response time?", "Within how many minutes is a priority 1 ticket answered?",
         "First response time for priority 1 incidents?", "How quickly is a P1 incident answered?",
         "Response time target for the most urgent incidents?"]),
        (price, "Plans", f"{v['team_eur']} EUR", ["How much does the Team plan cost per user per month?",
         "What is the monthly price of Team?", "Team plan price per user?",
         "What is the Team plan price?", "Per-user monthly cost of the Team plan?",
         "How much is a Team seat per month?"]),
        (price, "Plans", f"{v['biz_eur']} EUR", ["What does the Business plan cost per user each month?",
         "Monthly price per user of the Business plan?", "How much is Business per seat per month?",
         "Price of the Business plan per user?", "How much per month is one Business seat?",
         "What is the per-user monthly fee for Business?"]),
        (price, "Discounts", f"{v['annual_pct']}%", ["How much does annual billing save?",
         "What discount do I get for paying yearly?", "Saving of annual against monthly billing?",
         "What is the discount for annual billing?", "How much cheaper is yearly billing?",
         "Annual billing discount percentage?"]),
        (price, "Discounts", f"{v['np_pct']}%", ["What discount do non-profit organisations get?",
         "How much off do charities receive?", "Non-profit discount?",
         "How big is the non-profit discount?", "What reduction do registered non-profits get?",
         "Discount for charities and non-profit organisations?"]),
    ]
    return [{"section_id": section_id(doc, head, headings), "answer": ans, "questions": qs}
            for doc, head, ans, qs in rows]


def section_id(doc: str, head: str, headings: Headings | None = None) -> str:
    """A gold section id: ``<doc_id>/<heading slug>``, the heading as the course laid it out (practice: as written)."""
    return f"{doc}/{slug((headings or {}).get((doc, head), head))}"


UNANSWERED = [
    "Does Lumen sell a hardware storage appliance for Nimbus Drive?",
    "What is the maximum number of participants in a Nimbus video call?",
    "Which company acquired Lumen Systems?",
    "How much does the Nimbus Drive Android tablet cost?",
    "What is the address of the Tokyo office?",
    "Does the API support GraphQL subscriptions?",
    "How many employees does Lumen Systems have?",
    "What is the refund policy for returned hardware?",
    "Can I pay for Nimbus Drive with cryptocurrency?",
    "What is the carbon footprint of one stored terabyte?",
    "Which printer models does the sync client support?",
    "What is the maximum resolution of the screen recorder?",
    "Who is the chief executive of Lumen Systems?",
    "Does Nimbus Drive offer a free trial of the Enterprise plan for students?",
]
# A course's unanswerable questions are its own: each of these 28 questions has a section that can answer it
# (``Extra``: a page and heading, a sentence with a value drawn per course, the answer, two wordings -- the first
# is the public question). A course draws half of them into its documents (answerable: a fact like any other,
# its gold section the course's numbered one) and asks the other half as unanswerable, so the public code no
# longer says which questions have no answer: a learner who hard-codes abstention for every question on this
# list gets half of them wrong, and telling the two halves apart means reading the course's documents. The
# practice files ask the first 14 (``UNANSWERED``) as unanswerable, as they shipped.
class Extra(NamedTuple):
    doc: str
    heading: str
    text: str  # the section's sentence, ``{x}`` the course's drawn value
    answer: str
    values: list
    questions: tuple[str, str]


COMPANY = {"id": "company", "fmt": "md", "title": "About Lumen Systems", "meta": {}}
EXTRAS = [
    Extra("company", "Storage appliance", "Lumen sells the Nimbus Vault, an on-premises storage appliance of {x} TB "
          "that syncs with Nimbus Drive.", "Nimbus Vault, {x} TB", [8, 16, 24, 32],
          (UNANSWERED[0], "Is there an on-premises Nimbus storage box, and how big is it?")),
    Extra("sync-client", "Video calls", "Nimbus video calls hold up to {x} participants.", "{x} participants",
          [12, 25, 50, 100], (UNANSWERED[1], "How many people can join a Nimbus video call?")),
    Extra("company", "Ownership", "Lumen Systems has been part of {x} since its acquisition in 2024.", "{x}",
          ["Orbis Group", "Valence Holdings", "Kestrel Capital"],
          (UNANSWERED[2], "Who owns Lumen Systems since the acquisition?")),
    Extra("price-list", "Tablet", "The Nimbus Drive Android tablet costs {x} EUR.", "{x} EUR", [199, 249, 299],
          (UNANSWERED[3], "What is the price of the Nimbus Android tablet?")),
    Extra("company", "Tokyo office", "The Tokyo office is at {x}, Tokyo.", "{x}",
          ["2-4-1 Marunouchi", "1-9-3 Shibuya", "6-10-1 Roppongi"],
          (UNANSWERED[4], "Where is Lumen's office in Tokyo?")),
    Extra("api-reference", "GraphQL", "The GraphQL endpoint supports subscriptions over WebSocket, at most {x} open "
          "subscriptions per token.", "{x} subscriptions", [5, 10, 20],
          (UNANSWERED[5], "How many GraphQL subscriptions can one token keep open?")),
    Extra("company", "Team", "Lumen Systems employs {x} people in four countries.", "{x} people", [180, 240, 320, 410],
          (UNANSWERED[6], "What is the headcount of Lumen Systems?")),
    Extra("price-list", "Hardware returns", "Returned hardware is refunded in full within {x} days of delivery.",
          "{x} days", [14, 30, 60], (UNANSWERED[7], "Can I get my money back for returned hardware, and until when?")),
    Extra("price-list", "Payment methods", "Nimbus Drive can be paid by card, SEPA transfer or {x}.", "{x}",
          ["Bitcoin", "USDC", "Ether"], (UNANSWERED[8], "Which cryptocurrency does Lumen accept as payment?")),
    Extra("company", "Sustainability", "Storing one terabyte for a year causes about {x} kg of CO2e.", "{x} kg",
          [2, 4, 7, 11], (UNANSWERED[9], "How much CO2 does keeping a terabyte for a year cause?")),
    Extra("sync-client", "Printing", "The client prints through the system dialog and is certified for {x} "
          "printers.", "{x}", ["HP LaserJet", "Brother HL", "Canon i-SENSYS"],
          (UNANSWERED[10], "Which printers is the desktop client certified for?")),
    Extra("sync-client", "Screen recorder", "The built-in screen recorder captures at up to {x}.", "{x}",
          ["1080p", "1440p", "4K"], (UNANSWERED[11], "At what resolution does the screen recorder capture?")),
    Extra("company", "Leadership", "{x} has been chief executive of Lumen Systems since 2021.", "{x}",
          ["Claire Dubois", "Tomas Lindqvist", "Aiko Tanaka", "Rafael Mendes"],
          (UNANSWERED[12], "Who is Lumen's CEO?")),
    Extra("price-list", "Education", "Students get the Enterprise plan free for {x} months.", "{x} months",
          [3, 6, 12], (UNANSWERED[13], "Can students try the Enterprise plan for free, and for how long?")),
    Extra("price-list", "Free plan", "The Free plan includes {x} GB of storage per user.", "{x} GB", [2, 5, 10, 15],
          ("What is the storage quota of the Free plan?", "How much storage does a Free plan user get?")),
    Extra("api-reference", "Enterprise tier", "The Enterprise API tier allows {x} requests per minute.", "{x}",
          [10000, 12000, 20000], ("How many requests per minute does the Enterprise API tier allow?",
                                  "What is the Enterprise tier's API rate limit?")),
    Extra("security-overview", "Certified identity providers", "Okta and {x} are certified identity providers for "
          "single sign-on.", "Okta and {x}", ["Microsoft Entra ID", "Ping Identity", "OneLogin"],
          ("Which identity providers are certified for single sign-on?", "Which IdPs are certified for Nimbus SSO?")),
    Extra("api-reference", "Webhook logs", "Webhook delivery logs are kept for {x} days.", "{x} days", [3, 14, 31],
          ("How long are webhook delivery logs kept?", "For how many days can I see past webhook deliveries?")),
    Extra("security-overview", "African customers", "Customers in Africa are served from the data centre in {x}.",
          "{x}", ["Johannesburg", "Cape Town", "Nairobi"],
          ("Which data centre serves customers in Africa?", "Where is the data of African customers stored?")),
    Extra("api-reference", "Token limits", "Each developer can hold at most {x} active API tokens.", "{x} tokens",
          [5, 10, 25], ("How many API tokens can one developer create?",
                        "What is the limit on active API tokens per developer?")),
    Extra("sync-client", "File names", "File names of up to {x} characters are synced.", "{x} characters",
          [180, 255, 400], ("What is the longest file name the sync client accepts?",
                            "How many characters may a synced file name have?")),
    Extra("price-list", "Extra storage", "Extra storage costs {x} EUR per terabyte per month.", "{x} EUR",
          [4, 6, 9], ("How much does extra storage cost per terabyte?",
                      "What is the monthly price of an additional terabyte?")),
    Extra("api-reference", "Slack", "The Slack app posts a preview of every shared file; a workspace can connect up "
          "to {x} Nimbus teams.", "{x} teams", [3, 5, 10],
          ("Does Nimbus Drive integrate with Slack?", "How many Nimbus teams can one Slack workspace connect?")),
    Extra("support-faq", "Support line", "The support line is +33 1 {x}.", "+33 1 {x}",
          ["42 68 53 00", "45 20 17 80", "70 36 11 90"],
          ("What is the phone number of the support line?", "Which number do I call for support?")),
    Extra("api-reference", "SDKs", "Official SDKs exist for {x}.", "{x}",
          ["Python and Go", "Python, Java and Go", "JavaScript and Python"],
          ("Which programming languages have an official SDK?", "In which languages are official SDKs available?")),
    Extra("sync-client", "Shared folders", "A shared folder holds at most {x} files.", "{x} files",
          [100000, 250000, 500000], ("How many files can one shared folder hold?",
                                     "What is the maximum number of files in a shared folder?")),
    Extra("company", "Investors", "Lumen Systems shares trade on Euronext Paris under the ticker {x}.", "{x}",
          ["LUMS", "LMNS", "NIMB"], ("What is the stock ticker of Lumen Systems?",
                                     "Under which symbol do Lumen Systems shares trade?")),
    Extra("company", "Sponsorship", "Lumen Systems is the shirt sponsor of {x}.", "{x}",
          ["FC Lyon Féminin", "Racing Club de Lens", "Stade Rennais"],
          ("Which football club does Lumen Systems sponsor?", "Which sports team does Lumen sponsor?")),
]
EXTRA_SECTIONS = {f"{e.doc}/{slug(e.heading)}" for e in EXTRAS}
# A course draws one extra of each pair into its documents; the other is one of its unanswerable questions. The
# pairs match the baseline's difficulty (its accuracy on the extra when drawn in, less its abstentions when not,
# measured over 20 courses: docs/performance.md), so which one is drawn moves the baseline by no more than a
# question; and a pair's two extras fall on the same side of the development / hidden deal. The first two pairs
# -- the baseline's least (0.5 of 2 questions) and most (1.9) -- are always hidden, so the deal does not move it
# either.
EXTRA_PAIRS = [(8, 12), (24, 4), (6, 7), (11, 16), (25, 10), (5, 9), (0, 2), (26, 27), (3, 13), (14, 21), (15, 17),
               (19, 22), (1, 20), (18, 23)]
ALWAYS_HIDDEN_PAIRS = 2


# A course's facts are dealt between the development and the hidden set trap by trap, so every course (and
# every learner's public part) holds as many questions of each kind as the next: the baseline's answers
# depend on the trap (the wiki mirror is cited instead of the administrator guide, the superseded policy's
# old numbers, a flattened table), not on the course's values. Hidden facts per trap: half of each, 15 in all.
# A course's drawn extras (``EXTRAS``) are a trap of their own: 9 of the 14 drawn in are hidden facts.
COURSE_HIDDEN = {"mirror": 3, "superseded": 2, "table": 1, "plain": 9, "extra": 9}


class Sets(NamedTuple):
    """What a repo's question sets hold: paraphrases asked per development / hidden fact (at most as many as a
    fact has: an extra has two), the fixed unanswerable questions dealt and how many of them go to development
    (the rest are hidden), and how many ``EXTRAS`` are drawn into the documents and how many of the others
    (unanswerable, both wordings asked) go to development."""

    dev_asks: int
    hidden_asks: int
    unanswered: list[str]
    dev_unanswered: int
    extras_in: int = 0
    extras_dev: int = 0


# A course asks every paraphrase of a hidden fact and both wordings of every extra (14 answerable, 14 not: 28
# unanswerable questions, 10 of them development), so no single question moves a grade by a point; the practice
# files keep the sets they shipped with.
PRACTICE_SETS = Sets(2, 3, UNANSWERED, 5)
COURSE_SETS = Sets(4, 6, [], 0, len(EXTRA_PAIRS), len(EXTRA_PAIRS) - COURSE_HIDDEN["extra"])
TRAP_ORDER = ("mirror", "unanswerable", "superseded", "table", "plain", "extra")
TABLE_SECTIONS = {"api-reference/rate-limits", "security-overview/data-residency"}


def trap(section_id: str) -> str:
    """The kind of difficulty a question's gold section poses (its stratum in a course's splits)."""
    if section_id == UNANSWERABLE:
        return "unanswerable"
    if section_id.startswith("admin-guide/"):
        return "mirror"
    if section_id.startswith("retention-policy-v2/"):
        return "superseded"
    doc, _, head = section_id.partition("/")
    unnumbered = f"{doc}/{re.sub(r'^[0-9]+-[0-9]+-', '', head)}"  # a course's "7-2-rate-limits"
    if unnumbered in EXTRA_SECTIONS:
        return "extra"
    return "table" if unnumbered in TABLE_SECTIONS else "plain"


def course_split(all_facts: list[dict], r, hidden_extras: frozenset[int] = frozenset()  # noqa: ANN001
                 ) -> tuple[list[int], list[int]]:
    """(development, hidden) fact indices under a course secret: ``COURSE_HIDDEN[t]`` hidden facts per trap; the
    drawn extras by their pairs' deal (``hidden_extras``, from :func:`drawn_extras`)."""
    dev, hidden = [], []
    for kind, n in COURSE_HIDDEN.items():
        members = [i for i, f in enumerate(all_facts) if trap(f["section_id"]) == kind]
        if kind == "extra":
            members = sorted(members, key=lambda i: all_facts[i]["extra"] not in hidden_extras)
        else:
            members = [members[int(j)] for j in r.permutation(len(members))]
        hidden += members[:n]
        dev += members[n:]
    return sorted(dev), sorted(hidden)


def balanced_splits(kinds: list[str], r) -> list[str]:  # noqa: ANN001
    """Public / private for each hidden question: half of every trap's questions in each (±1), half in all."""
    tiebreak = r.random(len(kinds))
    order = sorted(range(len(kinds)), key=lambda i: (TRAP_ORDER.index(kinds[i]), tiebreak[i]))
    first = int(r.integers(2))
    splits = [""] * len(kinds)
    for n, i in enumerate(order):
        splits[i] = "public" if (n + first) % 2 == 0 else "private"
    return splits


# ---------------------------------------------------------------- writers (deterministic bytes)

def _cells(row: list[str]) -> str:
    return "| " + " | ".join(row) + " |"


def to_markdown(doc: dict) -> str:
    out = []
    if doc["meta"]:
        out += ["---", *[f"{k}: {val}" for k, val in doc["meta"].items()], "---", ""]
    out += [f"# {doc['title']}", ""]
    if "canonical" in doc["meta"]:
        out += [f"*Mirrored from the old wiki; the maintained page is {doc['meta']['canonical']}.*", ""]
    for head, parts in doc["sections"]:
        out += [f"## {head}", ""]
        for part in parts:
            if isinstance(part, list):
                out += [_cells(part[0]), _cells(["---"] * len(part[0])), *[_cells(r) for r in part[1:]], ""]
            else:
                out += [part, ""]
    out.append("<!-- generated page: do not edit by hand -->")
    return "\n".join(out) + "\n"


def to_html(doc: dict, charset: str = "utf-8") -> str:
    esc = lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # noqa: E731
    out = ["<!DOCTYPE html>", "<html>", "<head>", f'<meta charset="{charset}">', f"<title>{esc(doc['title'])}</title>"]
    out += [f'<meta name="{k}" content="{val}">' for k, val in doc["meta"].items()]
    out += ["<style>body { font-family: sans-serif; }</style>", "<script>window.analytics = [];</script>", "</head>",
            "<body>", '<nav><a href="/">Home</a> | <a href="/docs">Docs</a></nav>', f"<h1>{esc(doc['title'])}</h1>"]
    for head, parts in doc["sections"]:
        out.append(f"<h2>{esc(head)}</h2>")
        for part in parts:
            if isinstance(part, list):
                out.append("<table>")
                out.append("<tr>" + "".join(f"<th>{esc(c)}</th>" for c in part[0]) + "</tr>")
                out += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in part[1:]]
                out.append("</table>")
            else:
                out.append(f"<p>{esc(part)}</p>")
    out += ["<footer>&copy; Lumen Systems. All rights reserved.</footer>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _wrap(text: str, width: int = 88) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])


def to_pdf(doc: dict) -> bytes:
    """A plain PDF 1.4: one page per section (heading in bold, then the text), Helvetica, no compression."""
    pages = []
    for n, (head, parts) in enumerate(doc["sections"], 1):
        ops = ["BT", "/F2 16 Tf", "72 760 Td", f"({_pdf_text(head)}) Tj", "/F1 11 Tf", "0 -28 Td"]
        for part in parts:
            for line in _wrap(part):
                ops += [f"({_pdf_text(line)}) Tj", "0 -15 Td"]
        ops += ["0 -30 Td", f"({_pdf_text(doc['title'])} - page {n}) Tj", "ET"]
        pages.append("\n".join(ops).encode("latin-1"))
    n_pages = len(pages)
    objs: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        ("<< /Type /Pages /Kids [" + " ".join(f"{5 + 2 * i} 0 R" for i in range(n_pages)) +
         f"] /Count {n_pages} >>").encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    for i, content in enumerate(pages):
        objs.append((f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R "
                     f"/F2 4 0 R >> >> /Contents {6 + 2 * i} 0 R >>").encode())
        objs.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    out.write(b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets))
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info << /Title ({_pdf_text(doc['title'])}) >> >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def drawn_extras(secret: bytes) -> tuple[list[int], list[object], frozenset[int]]:
    """A course's ``EXTRAS``: the indices drawn into its documents (one of each pair, sorted), every extra's value,
    and the extras dealt to the hidden set (both of a pair: ``COURSE_HIDDEN["extra"]`` pairs)."""
    r = _rng(secret, "extras")
    inside = sorted(pair[int(r.integers(2))] for pair in EXTRA_PAIRS)
    xs = [pick(r, e.values) for e in EXTRAS]
    rest = [ALWAYS_HIDDEN_PAIRS + int(k) for k in r.permutation(len(EXTRA_PAIRS) - ALWAYS_HIDDEN_PAIRS)]
    pairs = [*range(ALWAYS_HIDDEN_PAIRS), *rest[:COURSE_HIDDEN["extra"] - ALWAYS_HIDDEN_PAIRS]]
    return inside, xs, frozenset(i for p in pairs for i in EXTRA_PAIRS[p])


def add_extras(docs: list[dict], inside: list[int], xs: list[object]) -> None:
    """The drawn extras' sections appended to their documents (in place; the company page made when needed)."""
    by_id = {d["id"]: d for d in docs}
    for i in inside:
        e = EXTRAS[i]
        if e.doc not in by_id:
            by_id[e.doc] = {**COMPANY, "sections": []}
            docs.append(by_id[e.doc])
        by_id[e.doc]["sections"] = [*by_id[e.doc]["sections"], (e.heading, [e.text.format(x=xs[i])])]


def world(secret: bytes | None) -> tuple[list[dict], list[dict]]:
    """A course's documents (laid out as the course's) and its facts with their gold section ids -- the drawn
    extras among them; practice without a secret."""
    values = draw_values(_rng(secret, "process"))
    docs = corpus(values, revised=secret is not None)
    if secret is None:
        return docs, facts(values)
    inside, xs, _ = drawn_extras(secret)
    add_extras(docs, inside, xs)
    headings = number_sections(docs, _rng(secret, "layout"))
    extra = [{"section_id": section_id(EXTRAS[i].doc, EXTRAS[i].heading, headings),
              "answer": EXTRAS[i].answer.format(x=xs[i]), "questions": list(EXTRAS[i].questions), "extra": i}
             for i in inside]
    return docs, facts(values, headings) + extra


def generate(raw_dir: Path = RAW, labels_file: Path | None = LABELS, *, secret: bytes | None = None,
             learner: str | None = None) -> None:
    docs, all_facts = world(secret)
    docs_dir = raw_dir / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    for old in docs_dir.iterdir():
        old.unlink()
    for doc in docs:
        if doc["fmt"] == "md":
            (docs_dir / f"{doc['id']}.md").write_text(to_markdown(doc), encoding="utf-8")
        elif doc["fmt"] == "html":
            (docs_dir / f"{doc['id']}.html").write_text(to_html(doc), encoding="utf-8")
        elif doc["fmt"] == "html-cp1252":
            (docs_dir / f"{doc['id']}.html").write_bytes(to_html(doc, "windows-1252").encode("cp1252"))
        else:
            (docs_dir / f"{doc['id']}.pdf").write_bytes(to_pdf(doc))
    # bad files on purpose: a PDF cut off in the middle of a download, and an empty page
    brochure = to_pdf({"title": "Brochure 2022", "sections": [("Nimbus Drive", ["Store everything."])]})
    (docs_dir / "brochure-2022.pdf").write_bytes(brochure[: len(brochure) // 3])
    (docs_dir / "meeting-notes.md").write_text("", encoding="utf-8")

    q = _rng(secret, "questions")
    if secret is None:  # the practice draw, as shipped
        order = [int(i) for i in q.permutation(len(all_facts))]
        dev_facts, hidden_facts = order[:N_DEV_FACTS], order[N_DEV_FACTS:]
    else:
        inside, _, hidden_extras = drawn_extras(secret)
        dev_facts, hidden_facts = course_split(all_facts, q, hidden_extras)
    sets = PRACTICE_SETS if secret is None else COURSE_SETS
    if secret is None:  # one wording per fixed unanswerable question
        pool = [[question] for question in sets.unanswered]
        unanswered = [int(i) for i in q.permutation(len(pool))]
        dev_unans, hidden_unans = unanswered[:sets.dev_unanswered], unanswered[sets.dev_unanswered:]
    else:  # the extras the course did not draw in, both wordings, on the side their pairs were dealt
        outside = [i for i in range(len(EXTRAS)) if i not in inside]
        pool = [list(EXTRAS[i].questions) for i in outside]
        dev_unans = [k for k, i in enumerate(outside) if i not in hidden_extras]
        hidden_unans = [k for k, i in enumerate(outside) if i in hidden_extras]

    dev = []
    for i in sorted(dev_facts):
        f = all_facts[i]
        dev += [[question, f["answer"], f["section_id"], "1"] for question in f["questions"][:sets.dev_asks]]
    dev += [[question, "", UNANSWERABLE, "0"] for i in sorted(dev_unans) for question in pool[i]]
    write_csv(raw_dir / "qa.csv", ["id", "question", "answer", "section_id", "answerable"],
              [[f"q{n:03d}", *row] for n, row in enumerate(dev, 1)])

    r = _rng(secret, "rows", learner)
    hidden = [(question, all_facts[i]["section_id"], all_facts[i]["answer"])
              for i in sorted(hidden_facts) for question in all_facts[i]["questions"][:sets.hidden_asks]]
    hidden += [(question, UNANSWERABLE, "") for i in sorted(hidden_unans) for question in pool[i]]
    hidden = [hidden[int(i)] for i in r.permutation(len(hidden))]
    if secret is None:
        ids = [f"h{n:03d}" for n in range(1, len(hidden) + 1)]
    else:
        ids = [f"h{int(x):08x}" for x in r.choice(16**8, size=len(hidden), replace=False)]
    if secret is None:
        splits = ["public" if int(x) == 0 else "private" for x in r.integers(0, 2, len(hidden))]
    else:
        splits = balanced_splits([trap(h[1]) for h in hidden], r)
    write_csv(raw_dir / "questions.csv", ["id", "question"], [[i, h[0]] for i, h in zip(ids, hidden, strict=True)])
    if labels_file is not None:
        labels_file.parent.mkdir(parents=True, exist_ok=True)
        write_csv(labels_file, ["id", "section_id", "answer", "split"],
                  [[i, h[1], h[2], s] for i, h, s in zip(ids, hidden, splits, strict=True)])


def main() -> None:
    from roadmap_ci.seeding import generator_cli  # the --out/--labels/--secret-file/--learner every generator takes

    generator_cli(generate, RAW, LABELS, __doc__)


if __name__ == "__main__":
    main()
