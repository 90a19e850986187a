#!/usr/bin/env bash
# The date-sensitive suites once more under a clock ~400 days ahead (Debian's libfaketime), so a test that
# depends on today's date (a fixed date that will pass, a year that runs out) fails in CI, not in a user's hands.
# Why a selection and not the whole suite: the whole suite takes ~6 min on the 2-core CI machine and twice that
# would hit the ~12 min limit; these files hold everything that computes with dates (working hours, holidays,
# SLA, bookings and reminders, follow-ups, outreach, reports, the scheduler on real Redis, the flows).
# A new date-sensitive test file belongs in SHIFTED below.
# Usage: bash scripts/test-shifted.sh [extra vitest args]; TEST_CLOCK_SHIFT=+800d to look further ahead.
# Redis and PostgreSQL keep the real clock (they run outside faketime); the code under test uses client time.
set -euo pipefail
cd "$(dirname "$0")/.."
SHIFT="${TEST_CLOCK_SHIFT:-+400d}"

if ! command -v faketime >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
  else
    echo "[test-shifted] faketime is missing: apt-get install faketime (as root)" >&2
    exit 1
  fi
fi

SHIFTED=(
  test/config.test.ts
  test/domain/
  test/flows/
  test/scheduler/
  test/storage/
  test/bot/
  test/e2e/
  test/adapters/appeal-lifecycle.test.ts
  test/adapters/broadcast-api.test.ts
  test/adapters/calendar-warning.test.ts
  test/adapters/inbox.test.ts
  test/adapters/outreach-api.test.ts
  test/adapters/report-specialists.test.ts
  test/adapters/route-command.test.ts
  test/adapters/staff-api.test.ts
  test/adapters/survey-report.test.ts
  test/adapters/telegram-outreach.test.ts
  test/adapters/telegram-sla.test.ts
)

# The shift must really be in effect (a broken LD_PRELOAD would silently test today again).
real_year=$(date +%Y)
fake_year=$(faketime -f "$SHIFT" node -e 'process.stdout.write(String(new Date().getFullYear()))')
if [ "$fake_year" -le "$real_year" ] && [ "${SHIFT:0:1}" = "+" ]; then
  echo "[test-shifted] faketime had no effect on node (year $fake_year)" >&2
  exit 1
fi
echo "[test-shifted] clock shifted $SHIFT: node sees $(faketime -f "$SHIFT" node -e 'process.stdout.write(new Date().toISOString())')"
exec faketime -f "$SHIFT" npx vitest run "${SHIFTED[@]}" "$@"
