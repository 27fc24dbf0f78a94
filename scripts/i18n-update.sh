#!/usr/bin/env bash
# Extract the messages from the code and merge them into the kk/ru/en catalogues.
# Then translate the new entries in fundtracker/translations/{kk,ru}/LC_MESSAGES/messages.po;
# tests/test_i18n.py fails while any message lacks its Kazakh or Russian translation.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
.venv/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
  -k _p:1c,2 -k lazy_pgettext:1c,2 --no-location --sort-output --project FundTracker \
  -o fundtracker/translations/messages.pot \
  . fundtracker/templates/_macros  # pybabel skips folders named _*; _macros is named on its own
.venv/bin/pybabel -q update -i fundtracker/translations/messages.pot -d fundtracker/translations \
  --no-fuzzy-matching --ignore-obsolete
