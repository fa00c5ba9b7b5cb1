#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Rewrites a zip archive a fuzzer found (built with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION,
which skips CRC-32 checks) with correct CRC-32s, members stored, so that the finding replays
through the same parser in every build. Member names and contents are kept byte for byte.

    fix_zip_crcs.py IN OUT
"""
import sys
import zipfile


def main():
    source, target = sys.argv[1], sys.argv[2]
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as out:
        for info in archive.infolist():
            with archive.open(info) as member:
                member._update_crc = lambda data: None  # read what is there, CRC or not
                data = member.read()
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            out.writestr(fixed, data)


if __name__ == "__main__":
    main()
