"""HR provisioning: the employee list from the HR system, as CSV, upserted by employee id.

Columns: employee_id, email, first_name, last_name, title, org_unit_path ("Groupe Lumen/Technology/IT"),
site, manager_employee_id, active. Manager links are resolved after every row is known, so the row
order does not matter; a cycle in the manager chain refuses the whole file, naming its rows; leavers
(active = no) are deactivated, never deleted.

Provisioning never touches the accounts that run the platform: a row that would change the e-mail or
the active flag of a staff, superuser or Administrator-role account is refused with its reason (an
administrator changes those in /admin/), and a full sync keeps them active even when they are missing
from the file. HR never sets roles or passwords of existing accounts. Every e-mail change it makes
is told to the old address (rse.accounts.emails), and leavers go through
rse.accounts.services.do_deactivate_users, which also closes their open websockets.

Applying is built for 10,000+ rows: the current state is read in a handful of queries, compared in
memory, and written with bulk_create / bulk_update in chunks; there is no query per row.
"""

from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.imports import ImportRefused, read_csv
from directory.models import OrgUnit, Profile, Site
from directory.services import search_name_for
from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.services import do_deactivate_users
from rse.lib.csvfiles import Columns, ignored_warning
from rse.lib.outbox import enqueue_on_commit
from rse.lib.text import normalize
from rse.trail.services import record

REQUIRED = ("employee id", "email", "first name", "last name")
TRUE = {"", "1", "true", "yes", "y", "oui", "o", "active", "actif", "x"}
FALSE = {"0", "false", "no", "n", "non", "inactive", "inactif", "leaver", "left"}
CHUNK = 1000


HR_COLUMNS = Columns(
    {
        "employee id": ("employee_id", "employee number", "employee no", "emp id", "staff id", "staff number",
                        "personnel number", "matricule", "id employe", "numero employe", "numero salarie"),
        "email": ("e mail", "mail", "email address", "e mail address", "work email", "courriel", "adresse email",
                  "adresse mail", "adresse e mail"),
        "first name": ("first_name", "firstname", "given name", "prenom"),
        "last name": ("last_name", "lastname", "surname", "family name", "nom", "nom de famille"),
        "title": ("job title", "position", "poste", "fonction", "intitule du poste", "job"),
        "org unit path": ("org_unit_path", "org unit", "org_unit", "organisation unit", "organization unit",
                          "org path", "org", "organisation", "organization", "department", "dept", "departement",
                          "service", "direction", "division", "team", "equipe", "unit", "unite", "entite"),
        "site": ("location", "office", "lieu", "localisation", "bureau", "etablissement", "site name"),
        "manager employee id": ("manager_employee_id", "manager id", "manager", "manager employee number",
                                "manager number", "matricule manager", "matricule responsable", "responsable",
                                "id manager", "manager matricule"),
        "active": ("is active", "actif", "enabled", "status", "statut"),
    }
)  # fmt: skip


def parse_hr(decoded):
    """Return (rows, rejected, blocking_errors, warnings)."""
    keys, parsed, ignored = read_csv(decoded, columns=HR_COLUMNS)
    missing = [c for c in REQUIRED if c not in keys]
    if missing:
        raise ImportRefused(
            _("Missing columns: %(cols)s. Expected: %(all)s.")
            % {
                "cols": ", ".join(c.replace(" ", "_") for c in missing),
                "all": "employee_id, email, first_name, last_name, title, org_unit_path, site, "
                "manager_employee_id, active",
            }
        )
    rows, rejected, by_id, by_email = [], [], {}, {}
    for line, row in parsed:
        if isinstance(row, str):
            rejected.append({"line": line, "reason": row})
            continue
        employee_id = row.get("employee id", "").strip()
        email = row.get("email", "").strip().lower()
        first, last = row.get("first name", "").strip(), row.get("last name", "").strip()
        active_text = normalize(row.get("active", ""))
        reason = None
        if not employee_id:
            reason = _("missing employee id")
        elif len(employee_id) > 64:
            reason = _("employee id longer than 64 characters")
        elif not first and not last:
            reason = _("missing name")
        elif active_text not in TRUE | FALSE:
            reason = _("“active” must be yes or no, not “%(v)s”") % {"v": row.get("active", "")}
        else:
            try:
                validate_email(email)
            except ValidationError:
                reason = _("bad e-mail: “%(e)s”") % {"e": email}
        if reason is None and employee_id in by_id:
            reason = _("duplicate employee id %(id)s (line %(line)d)") % {"id": employee_id, "line": by_id[employee_id]}
        if reason is None and email in by_email:
            reason = _("duplicate e-mail %(e)s (line %(line)d)") % {"e": email, "line": by_email[email]}
        if reason:
            rejected.append({"line": line, "employee_id": employee_id, "reason": reason})
            continue
        by_id[employee_id] = line
        by_email[email] = line
        rows.append(
            {
                "line": line,
                "employee_id": employee_id,
                "email": email,
                "first_name": first[:150],
                "last_name": last[:150],
                "title": row.get("title", "").strip()[:150],
                "org_unit_path": [p.strip() for p in row.get("org unit path", "").split("/") if p.strip()],
                "site": row.get("site", "").strip()[:120],
                "manager": row.get("manager employee id", "").strip(),
                "active": active_text not in FALSE,
            }
        )
    blocking = find_manager_cycles(rows)
    warnings = [ignored_warning(ignored)] if ignored else []
    warnings += [
        _("line %(line)d: manager %(m)s is not in the file nor in the directory; left empty")
        % {"line": r["line"], "m": r["manager"]}
        for r in unknown_managers(rows)
    ]
    return rows, rejected, blocking, warnings


def _existing_managers(exclude_ids):
    """employee_id → manager's employee_id for people already provisioned but absent from the file."""
    by_user = dict(Profile.objects.filter(employee_id__isnull=False).values_list("user_id", "employee_id"))
    links = {}
    for employee_id, manager_user_id in Profile.objects.filter(employee_id__isnull=False).values_list(
        "employee_id", "manager_id"
    ):
        if employee_id not in exclude_ids and manager_user_id in by_user:
            links[employee_id] = by_user[manager_user_id]
    return links


def find_manager_cycles(rows) -> list[str]:
    """Every cycle in the manager graph (file rows over the current directory), as messages naming rows."""
    in_file = {r["employee_id"]: r for r in rows}
    graph = _existing_managers(set(in_file))
    graph.update({eid: r["manager"] for eid, r in in_file.items() if r["manager"]})
    state, cycles = {}, []
    for start in graph:
        path, node = [], start
        while node in graph and state.get(node) is None:
            state[node] = start
            path.append(node)
            node = graph[node]
        if node in graph and state.get(node) == start:
            cycle = path[path.index(node) :]
            cycles.append(cycle)
        for visited in path:
            state[visited] = "done"

    def label(eid):
        row = in_file.get(eid)
        return _("line %(line)d (%(id)s)") % {"line": row["line"], "id": eid} if row else eid

    return [
        _("Manager cycle: %(chain)s. Nobody can be their own (indirect) manager.")
        % {"chain": " → ".join(label(e) for e in [*cycle, cycle[0]])}
        for cycle in cycles
    ]


def unknown_managers(rows):
    known = {r["employee_id"] for r in rows}
    wanted = {r["manager"] for r in rows if r["manager"] and r["manager"] not in known}
    existing = set()
    wanted_list = sorted(wanted)
    for start in range(0, len(wanted_list), CHUNK):
        existing.update(
            Profile.objects.filter(employee_id__in=wanted_list[start : start + CHUNK]).values_list(
                "employee_id", flat=True
            )
        )
    return [r for r in rows if r["manager"] and r["manager"] not in known and r["manager"] not in existing]


# --- Plan -----------------------------------------------------------------------------------


class _State:
    """The directory as the sync needs it, loaded in a few queries."""

    def __init__(self, rows, rejected=()):
        # A rejected row still names someone who is in the file: a typo must not make them a leaver.
        self.file_ids = {r["employee_id"] for r in rows} | {r["employee_id"] for r in rejected if r.get("employee_id")}
        self.profiles = {}  # employee_id → dict
        for row in Profile.objects.filter(employee_id__isnull=False).values(
            "id", "user_id", "employee_id", "job_title", "org_unit_id", "site_id", "manager_id", "search_name"
        ):
            self.profiles[row["employee_id"]] = row
        self.employee_of_user = {p["user_id"]: employee_id for employee_id, p in self.profiles.items()}
        self.users = {}  # email → dict
        self.users_by_id = {}
        for row in User.objects.values("id", "email", "first_name", "last_name", "is_active"):
            self.users[row["email"].lower()] = row
            self.users_by_id[row["id"]] = row
        self.profile_by_user = dict(Profile.objects.values_list("user_id", "id"))
        self.protected = protected_user_ids()
        self.units = list(OrgUnit.objects.values("id", "name", "slug", "parent_id"))
        self.sites = list(Site.objects.values("id", "name", "slug"))
        self._unit_index = {(u["parent_id"], normalize(u["name"])): u for u in self.units}
        self._site_index = {normalize(s["name"]): s for s in self.sites}
        # "Paris" in the HR file also finds the site "Paris — La Défense" when it is the only one in Paris.
        cities = defaultdict(list)
        for site in Site.objects.exclude(city="").values("id", "name", "slug", "city"):
            cities[normalize(site["city"])].append(site)
        for city, sites in cities.items():
            if len(sites) == 1:
                self._site_index.setdefault(city, sites[0])
        self._path_cache = {}

    def unit_id(self, path, create=None):
        key = tuple(path)
        if key in self._path_cache:
            return self._path_cache[key]
        parent = None
        for name in path:
            match = self._unit_index.get((parent, normalize(name)))
            if match is None:
                if create is None:
                    return "new"
                match = create(name, parent)
                self.units.append(match)
                self._unit_index[(parent, normalize(name))] = match
            parent = match["id"]
        self._path_cache[key] = parent
        return parent

    def site_id(self, name, create=None):
        if not name:
            return None
        match = self._site_index.get(normalize(name))
        if match is None:
            if create is None:
                return "new"
            match = create(name)
            self.sites.append(match)
            self._site_index[normalize(name)] = match
        return match["id"]


def protected_user_ids(user_ids=None) -> set[int]:
    """The accounts that run the platform (staff, superuser, Administrator role): provisioning (the
    HR file, SCIM) never changes their e-mail or active flag. `user_ids`: only among these."""
    qs = User.objects.filter(Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR.value))
    if user_ids is not None:
        qs = qs.filter(pk__in=list(user_ids))
    return set(qs.values_list("id", flat=True))


def _wanted_manager(row, state):
    if not row["manager"]:
        return None
    manager = state.profiles.get(row["manager"])
    if manager:
        return manager["user_id"]
    # In the file but not yet created: it will change. Unknown everywhere: it stays empty.
    return "new" if row["manager"] in state.file_ids else None


def _decide(row, state, unit_id, site_id):
    """(action, user_dict, profile_dict, conflict_reason) for one row against the current state."""
    profile = state.profiles.get(row["employee_id"])
    if profile:
        user = state.users_by_id[profile["user_id"]]
        other = state.users.get(row["email"])
        if other and other["id"] != user["id"]:
            return "reject", None, None, _("e-mail %(e)s already belongs to another person") % {"e": row["email"]}
    else:
        user = state.users.get(row["email"])
        held_by = state.employee_of_user.get(user["id"]) if user else None
        if held_by:
            # A new id with the e-mail of a provisioned employee: never re-key a person silently
            # (a typo would hand someone's account, history and reports to a newcomer).
            return "reject", None, None, _("e-mail %(e)s already belongs to employee %(id)s") % {
                "e": row["email"], "id": held_by,
            }  # fmt: skip
        if user:
            profile_id = state.profile_by_user.get(user["id"])
            profile = {"id": profile_id, "user_id": user["id"]} if profile_id else None
    if user is None:
        return "create", None, None, None
    if user["id"] in state.protected:
        reason = protected_change_reason(row, user)
        if reason:
            return "reject", None, None, reason
    changed = (
        user["email"].lower() != row["email"]
        or user["first_name"] != row["first_name"]
        or user["last_name"] != row["last_name"]
        or user["is_active"] != row["active"]
        or profile is None
        or profile.get("employee_id") != row["employee_id"]
        or profile.get("job_title") != row["title"]
        or profile.get("org_unit_id") != unit_id
        or profile.get("site_id") != site_id
        or profile.get("search_name") != search_name_for(row["first_name"], row["last_name"])
        or profile.get("manager_id") != _wanted_manager(row, state)
    )
    return ("update" if changed else "skip"), user, profile, None


def protected_change_reason(row, user):
    """Why this row (email, active, employee_id) may not be applied to an administrator or staff
    account (a dict with email, is_active, first_name, last_name), or None."""
    what = None
    if user["email"].lower() != row["email"]:
        what = _("change its e-mail address")
    elif user["is_active"] and not row["active"]:
        what = _("deactivate it")
    elif not user["is_active"] and row["active"]:
        what = _("reactivate it")
    if what is None:
        return None
    return _(
        "%(name)s (employee %(id)s) has an administrator or staff account: HR provisioning may not %(what)s. "
        "An administrator does it in the administration pages."
    ) % {"name": f"{user['first_name']} {user['last_name']}".strip() or user["email"], "id": row["employee_id"],
         "what": what}  # fmt: skip


def _missing(state):
    """Provisioned employees absent from the file who are still active."""
    return [
        p["user_id"]
        for employee_id, p in state.profiles.items()
        if employee_id not in state.file_ids and state.users_by_id[p["user_id"]]["is_active"]
    ]


def missing_employees(state) -> list[int]:
    """User ids of the leavers of a full sync: active, provisioned employees absent from the file,
    except administrator and staff accounts (a sync never deactivates them, so never the last one)."""
    return [uid for uid in _missing(state) if uid not in state.protected]


def kept_administrators(state) -> int:
    """Administrator or staff accounts missing from a full sync's file, which stay active."""
    return sum(1 for uid in _missing(state) if uid in state.protected)


def preview_hr(rows, full_sync=False, rejected=()) -> dict:
    state = _State(rows, rejected)
    counts = {"create": 0, "update": 0, "skip": 0, "deactivate": 0, "reject": 0, "missing": 0}
    preview_rows, new_units, new_sites = [], set(), set()
    for row in rows:
        unit_id = state.unit_id(row["org_unit_path"]) if row["org_unit_path"] else None
        site_id = state.site_id(row["site"])
        if unit_id == "new":
            new_units.add("/".join(row["org_unit_path"]))
        if site_id == "new":
            new_sites.add(row["site"])
        action, user, _profile, reason = _decide(row, state, unit_id, site_id)
        counts[action] += 1
        if action != "reject" and not row["active"] and (user is None or user["is_active"]):
            counts["deactivate"] += 1
        if len(preview_rows) < 200 and action != "skip":
            preview_rows.append(
                {
                    "line": row["line"],
                    "action": action,
                    "name": f"{row['first_name']} {row['last_name']}",
                    "employee_id": row["employee_id"],
                    "reason": reason or "",
                    "leaver": not row["active"],
                }
            )
    warnings = []
    if full_sync:
        counts["missing"] = len(missing_employees(state))
        counts["deactivate"] += counts["missing"]
        kept = kept_administrators(state)
        if kept:
            warnings.append(
                ngettext(
                    "%(n)d administrator or staff account is missing from this file: it stays active "
                    "(provisioning never deactivates one).",
                    "%(n)d administrator or staff accounts are missing from this file: they stay active "
                    "(provisioning never deactivates them).",
                    kept,
                )
                % {"n": kept}
            )
        provisioned = sum(1 for p in state.profiles.values() if state.users_by_id[p["user_id"]]["is_active"])
        if provisioned and counts["missing"] * 2 > provisioned:
            warnings.append(
                _(
                    "Careful: %(n)d of the %(total)d employees provisioned so far are missing from this file and "
                    "would be deactivated. Is it the complete list?"
                )
                % {"n": counts["missing"], "total": provisioned}
            )
    return {
        "full_sync": full_sync,
        "warnings": warnings,
        "counts": counts,
        "rows": preview_rows,
        "new_org_units": sorted(new_units),
        "new_sites": sorted(new_sites),
    }


# --- Apply ----------------------------------------------------------------------------------


def _unique_slug(base, taken, fallback):
    slug = (slugify(base) or fallback)[:140]
    candidate, n = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def fast_bulk_update(model, objs, fields, batch_size=500):
    """UPDATE … FROM (VALUES …) in chunks: one statement per chunk and linear in its size.

    Django's bulk_update builds CASE WHEN id = … per field, which the database evaluates row by row
    against the whole list (quadratic in the batch): 10,000 changed titles took a minute that way.
    """
    if not objs:
        return
    conn = connection
    quote = conn.ops.quote_name
    pk = model._meta.pk
    columns = [pk, *(model._meta.get_field(f) for f in fields)]
    postgres = conn.vendor == "postgresql"
    width = len(columns)
    assignments = ", ".join(f"{quote(c.column)} = v.column{i + 1}" for i, c in enumerate(columns) if i)
    if postgres:
        # Parameters of a VALUES list are untyped on PostgreSQL: cast them to the column types.
        row_sql = "(" + ", ".join(f"%s::{c.db_type(conn)}" for c in columns) + ")"
        alias = "v(" + ", ".join(f"column{i + 1}" for i in range(width)) + ")"
    else:
        row_sql = "(" + ", ".join(["%s"] * width) + ")"
        alias = "v"
    table = quote(model._meta.db_table)
    with conn.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start : start + batch_size]
            params = []
            for obj in chunk:
                params.append(pk.get_db_prep_save(obj.pk, conn))
                params.extend(c.get_db_prep_save(getattr(obj, c.attname), conn) for c in columns[1:])
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS {alias} "  # noqa: S608 - names from the model, values are parameters
                f"WHERE {table}.{quote(pk.column)} = v.column1",
                params,
            )


def _tell_old_addresses(email_changes):
    """Each e-mail change is told to the address it replaces, once the import has committed:
    a hijacked address must not be the only one to hear of it."""
    from rse.accounts.tasks import send_email_changed_notice_task

    for user_id, old_email, new_email in email_changes:
        enqueue_on_commit(send_email_changed_notice_task, user_id, old_email, new_email)  # rse/lib/outbox.py


def apply_hr(job, progress=None) -> dict:
    """Upsert every row; run inside the caller's transaction. Returns the counts for the report."""
    rows = job.rows
    state = _State(rows, job.rejected or ())
    now = timezone.now()
    unit_slugs = {u["slug"] for u in state.units}
    site_slugs = {s["slug"] for s in state.sites}
    created_units, created_sites = [], []

    def create_unit(name, parent_id):
        unit = OrgUnit.objects.create(
            name=name[:150],
            slug=_unique_slug(name, unit_slugs, "unit"),
            parent_id=parent_id,
            kind=OrgUnit.Kind.COMPANY if parent_id is None else OrgUnit.Kind.TEAM,
        )
        created_units.append(unit.name)
        return {"id": unit.pk, "name": unit.name, "slug": unit.slug, "parent_id": parent_id}

    def create_site(name):
        site = Site.objects.create(name=name, slug=_unique_slug(name, site_slugs, "site"))
        created_sites.append(site.name)
        return {"id": site.pk, "name": site.name, "slug": site.slug}

    counts = {"create": 0, "update": 0, "skip": 0, "deactivate": 0, "reject": 0, "managers": 0}
    rejected, plans, new_users = [], [], []
    unusable = make_password(None)
    for row in rows:
        unit_id = state.unit_id(row["org_unit_path"], create_unit) if row["org_unit_path"] else None
        site_id = state.site_id(row["site"], create_site)
        action, user, profile, reason = _decide(row, state, unit_id, site_id)
        counts[action] += 1
        if action == "reject":
            rejected.append({"line": row["line"], "reason": reason})
            continue
        if not row["active"] and (user is None or user["is_active"]):
            counts["deactivate"] += 1
        if action == "create":
            user = User(
                email=row["email"],
                first_name=row["first_name"],
                last_name=row["last_name"],
                is_active=row["active"],
                password=unusable,
                date_joined=now,
            )
            new_users.append(user)
        plans.append((action, row, unit_id, site_id, user, profile))
    # 1. New accounts, so that every employee id has a user id before any manager link is written.
    for start in range(0, len(new_users), CHUNK):
        User.objects.bulk_create(new_users[start : start + CHUNK])
        if progress:
            progress(start // 2)
    user_of = {eid: p["user_id"] for eid, p in state.profiles.items()}
    for action, row, _u, _s, user, _p in plans:
        user_of[row["employee_id"]] = user.pk if action == "create" else user["id"]

    # 2. Users and profiles, managers resolved in memory (row order does not matter).
    user_updates, profile_updates, new_profiles, moving = [], [], [], []
    email_changes, leavers = [], []
    for action, row, unit_id, site_id, user, profile in plans:
        manager_id = user_of.get(row["manager"]) if row["manager"] else None
        fields = {
            "employee_id": row["employee_id"],
            "job_title": row["title"],
            "org_unit_id": unit_id,
            "site_id": site_id,
            "manager_id": manager_id,
            "search_name": search_name_for(row["first_name"], row["last_name"]),
        }
        if action == "create":
            new_profiles.append(Profile(user_id=user.pk, **fields))
            counts["managers"] += manager_id is not None
            continue
        if (profile or {}).get("manager_id") != manager_id:
            counts["managers"] += 1
        if action == "skip":
            continue
        if user["email"].lower() != row["email"]:
            email_changes.append((user["id"], user["email"], row["email"]))
        if user["is_active"] and not row["active"]:
            leavers.append(user["id"])
        user_updates.append(
            User(
                pk=user["id"],
                email=row["email"],
                first_name=row["first_name"],
                last_name=row["last_name"],
                is_active=row["active"],
                updated_at=now,
            )
        )
        if profile and profile.get("id"):
            profile_updates.append(Profile(pk=profile["id"], user_id=user["id"], updated_at=now, **fields))
            if profile.get("employee_id") != row["employee_id"]:
                moving.append(profile["id"])
        else:
            new_profiles.append(Profile(user_id=user["id"], **fields))
    fast_bulk_update(User, user_updates, ["email", "first_name", "last_name", "is_active", "updated_at"])
    if progress:
        progress(len(rows) // 2)
    # Employee ids are unique: free the ones that change hands before writing them back.
    for start in range(0, len(moving), CHUNK):
        Profile.objects.filter(pk__in=moving[start : start + CHUNK]).update(employee_id=None)
    fast_bulk_update(
        Profile,
        profile_updates,
        ["employee_id", "job_title", "org_unit", "site", "manager", "search_name", "updated_at"],
    )
    Profile.objects.bulk_create(new_profiles, batch_size=CHUNK)
    employee_group, _created = Group.objects.get_or_create(name=Role.EMPLOYEE.value)
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=u.pk, group_id=employee_group.pk) for u in new_users],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    if job.preview.get("full_sync"):
        missing = missing_employees(state)
        leavers += missing
        counts["missing"] = len(missing)
        counts["deactivate"] += len(missing)
    # Leavers of the file were written inactive above; this also closes their live sessions.
    do_deactivate_users(leavers)
    _tell_old_addresses(email_changes)
    counts["new_org_units"] = created_units
    counts["new_sites"] = created_sites
    counts["rejected"] = rejected
    record(
        "directory.hr_sync_applied",
        actor=job.owner,
        obj=job,
        created=counts["create"],
        updated=counts["update"],
        deactivated=counts["deactivate"],
        managers=counts["managers"],
    )
    if progress:
        progress(len(rows))
    return counts
