#!/bin/sh
# The example's application: prints a greeting.
echo "hello from ${GREETING_NAME:-kiln}"
