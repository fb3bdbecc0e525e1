# SPDX-License-Identifier: BSD-3-Clause
"""The package version, in one place."""

__version__ = "0.2.0.dev0"
