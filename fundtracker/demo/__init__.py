"""Demo data: partner organisations, accounts of every role and 67 projects with their budgets,
milestones, tranches, reports and activity, outcomes, notifications and calls for proposals.

`seed_demo` is idempotent: organisations are matched by BIN, users by email and projects by code,
and only what is missing is created; a project gets its delivery records only while it has no
milestones, tranches or budget lines. Regions and programme areas come from the migration and are
looked up by code. The function only adds and flushes; the caller commits.

The literal tables (names, addresses, titles, plans and texts in Kazakh, Russian and English) are
TOML files in `data/`, read by `tables`; the modules here turn them into rows:

- `organisations`: organisations and accounts;
- `projects`: projects, their titles and regions;
- `plans`, `schedule`, `delivery`: budgets, milestones, tranches, reports and their history;
- `outcomes`, `reminders`, `applications`: indicators and results, notifications, calls;
- `publications`: the outcome figures of the periods whose results are all verified, published;
- `seed`: all of them in order.

Only `fundtracker.cli` imports this package: the application does not depend on it.
"""

from fundtracker.demo.organisations import DEMO_DOMAIN, DEMO_PASSWORD
from fundtracker.demo.schedule import almaty_today, journey_project_code
from fundtracker.demo.seed import seed_demo

__all__ = ["DEMO_DOMAIN", "DEMO_PASSWORD", "almaty_today", "journey_project_code", "seed_demo"]
