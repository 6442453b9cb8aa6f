#!/bin/sh
# The example's tests: the application prints the greeting, and another name when asked.
set -e
check() {
  [ "$2" = "$3" ] || { echo "FAIL $1: got '$2', want '$3'"; exit 1; }
  echo "PASS $1"
}
check "default greeting" "$(sh ./app.sh)" "hello from kiln"
check "GREETING_NAME" "$(GREETING_NAME=you sh ./app.sh)" "hello from you"
