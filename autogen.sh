#!/bin/sh
# Regenerate configure and Makefile.in (needs autoconf, automake).
set -e
cd "$(dirname "$0")"
exec autoreconf -fi
