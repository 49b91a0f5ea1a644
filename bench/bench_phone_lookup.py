"""Phone lookup benchmark: `res.partner.find_by_phone` against Odoo's standard phone search.

Builds (or reuses) the database ``dealer_bench`` with ``dealer_base`` and ``sms`` and a
million clients whose phones are written the many ways Russian dealership staff write
them, then looks up 200 existing numbers (each written in another format than stored)
and 200 absent ones with both methods and prints a Markdown table.

    python bench/bench_phone_lookup.py [--clients N] [--fresh]
"""

import argparse
import hashlib
import json
import random
import sys
import time

import phonenumbers
from _common import (
    RESULTS_DIR,
    ROOT,
    PhoneFactory,
    absent_queries,
    existing_queries,
    generate_clients,
    log,
    markdown_table,
    prepare_database,
    superuser_env,
    timing,
)

RESULTS = RESULTS_DIR / "phone_lookup.json"

DB = "dealer_bench"
MODULES = "dealer_base,sms"
MARKER_KEY = "dealer_bench.phone_lookup"
# Bump when the generated data changes, so that databases made by older versions are rebuilt.
GENERATOR_VERSION = 1
NORMALIZER_SOURCE = ROOT / "addons" / "dealer_base" / "tools" / "phone.py"

SEED = 20240518
QUERIES = 200
WARMUP = 20


def wanted_marker(clients):
    return {
        "clients": clients,
        "generator": GENERATOR_VERSION,
        "normalizer_sha1": hashlib.sha1(NORMALIZER_SOURCE.read_bytes()).hexdigest(),
    }


# --- lookups --------------------------------------------------------------------------


METHODS = {
    "ours": (
        "ours: find_by_phone(query)",
        lambda partners, query: partners.find_by_phone(query),
    ),
    "baseline": (
        "baseline: search([('phone_mobile_search', '=', query)])",
        lambda partners, query: partners.search([("phone_mobile_search", "=", query)]),
    ),
}


def lookup(env, method, query):
    """(partner ids, milliseconds, error) of one lookup on a cold ORM cache."""
    env.invalidate_all()
    start = time.perf_counter()
    try:
        ids, error = method(env["res.partner"], query).ids, None
    except Exception as exc:  # a failing lookup is a result too
        ids, error = [], f"{type(exc).__name__}: {exc}"
    elapsed = (time.perf_counter() - start) * 1000
    if error:
        env.cr.rollback()
    return ids, elapsed, error


def run_lookups(env, queries):
    """Run every method on every query, alternating which goes first; store the outcomes."""
    for index, query in enumerate(queries):
        order = list(METHODS) if index % 2 == 0 else list(reversed(METHODS))
        for name in order:
            ids, elapsed, error = lookup(env, METHODS[name][1], query["query"])
            if query["expected"] is None:
                correct = not ids
            else:
                correct = query["expected"] in ids
            query[name] = {"ids": ids, "ms": round(elapsed, 4), "correct": correct, "error": error}


# --- report ---------------------------------------------------------------------------


# --- report ---------------------------------------------------------------------------


def summarize(existing, absent):
    methods = {}
    for name, (label, _method) in METHODS.items():
        ms = {
            "existing": timing([q[name]["ms"] for q in existing]),
            "absent": timing([q[name]["ms"] for q in absent]),
            "all": timing([q[name]["ms"] for q in existing + absent]),
        }
        methods[name] = {
            "label": label,
            "found": sum(q[name]["correct"] for q in existing),
            "correct_empty": sum(q[name]["correct"] for q in absent),
            "errors": sum(bool(q[name]["error"]) for q in existing + absent),
            "ms": ms,
        }
    ratio = {
        stat: {
            group: methods["baseline"]["ms"][group][stat] / methods["ours"]["ms"][group][stat]
            for group in ("existing", "absent", "all")
        }
        for stat in ("median", "p95")
    }
    formats = {}
    for query in existing:
        row = formats.setdefault(query["format"], {"queries": 0, "ours": 0, "baseline": 0})
        row["queries"] += 1
        row["ours"] += query["ours"]["correct"]
        row["baseline"] += query["baseline"]["correct"]
    baseline_missed = [q for q in existing if not q["baseline"]["correct"]]
    return {
        "methods": methods,
        "ratio_baseline_over_ours": ratio,
        "existing_by_query_format": formats,
        "baseline_misses": {
            "number_not_in_partner_phone_mobile": sum(
                not q["in_partner_phone_mobile"] for q in baseline_missed
            ),
            "in_partner_phone_mobile_written_differently": sum(
                q["in_partner_phone_mobile"] for q in baseline_missed
            ),
        },
    }


def report(result):
    data, summary = result["data"], result["summary"]
    methods, ratio = summary["methods"], summary["ratio_baseline_over_ours"]
    groups = ("existing", "absent", "all")
    n_existing, n_absent = result["queries"]["existing"], result["queries"]["absent"]
    rows = []
    for method in methods.values():
        rows.append(
            [
                method["label"],
                f"{method['found']}/{n_existing}",
                f"{method['correct_empty']}/{n_absent}",
                str(method["errors"]),
                *(f"{method['ms'][g]['median']:.2f}" for g in groups),
                *(f"{method['ms'][g]['p95']:.2f}" for g in groups),
            ]
        )
    rows.append(
        ["ratio baseline/ours", "", "", ""]
        + [f"{ratio['median'][g]:.2f}×" for g in groups]
        + [f"{ratio['p95'][g]:.2f}×" for g in groups]
    )
    header = ["method", "found", "correct-empty", "errors"]
    header += [f"median ms {g}" for g in groups] + [f"p95 ms {g}" for g in groups]
    timings = result["timings_s"]
    database = (
        f"reused (generated {data['generated_at']} in {data['generation_s']:.0f} s)"
        if result["database_reused"]
        else f"created now (install {timings['install']:.0f} s, "
        f"generation {timings['generation']:.0f} s)"
    )
    log(
        f"\n### Phone lookup: {data['clients']:,} clients, {data['numbers']:,} numbers\n\n"
        f"Database `{DB}` ({MODULES}, no demo data), {database}: {data['clients']:,} clients "
        f"({data['companies']:,} companies), {data['numbers']:,} numbers, "
        f"{data['shared_numbers']:,} numbers shared by 2+ clients.\n"
        f"Queries: {n_existing} stored numbers, each written in another format than stored, "
        f"and {n_absent} valid absent numbers; {WARMUP} warm-up lookups not counted; ORM cache "
        "invalidated before each lookup; the two methods alternate which runs first.\n"
    )
    log(markdown_table(header, rows, "lrrr" + "r" * 6))
    format_rows = [
        [f"`{fmt}`", str(row["queries"]), str(row["ours"]), str(row["baseline"])]
        for fmt, row in sorted(summary["existing_by_query_format"].items())
    ]
    log("\nExisting numbers found, by the format of the query:\n")
    log(markdown_table(["query format", "queries", "ours", "baseline"], format_rows, "lrrr"))
    misses = summary["baseline_misses"]
    log(
        f"\nBaseline misses: {misses['number_not_in_partner_phone_mobile']} numbers are not "
        "the client's phone/mobile (2nd number of the same kind, 3rd number), "
        f"{misses['in_partner_phone_mobile_written_differently']} are but written differently."
    )
    ours_missed = [q for q in result["existing"] if not q["ours"]["correct"]]
    ours_wrong = [q for q in result["absent"] if not q["ours"]["correct"]]
    for query in ours_missed:
        log(f"ours missed: stored {query['stored']!r}, queried {query['query']!r}")
    for query in ours_wrong:
        log(f"ours found clients {query['ours']['ids']} for absent {query['query']!r}")
    if data["normalize_mismatches"]:
        log(
            f"Generation: {data['normalize_mismatches']} stored numbers were not normalized "
            f"to the number drawn, e.g. {data['normalize_mismatch_examples'][:5]}"
        )
    log(
        f"\nTimes: lookups {timings['lookups']:.1f} s, total wall {timings['total']:.0f} s. "
        f"JSON: {RESULTS.relative_to(ROOT)}"
    )


# --- main -----------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--clients", type=int, default=1_000_000, help="default: 1,000,000")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    args = parser.parse_args()
    if args.clients < 1000:
        parser.error("--clients must be at least 1000")
    started = time.perf_counter()
    registry, data, reused, timings = prepare_database(
        DB,
        MODULES,
        MARKER_KEY,
        wanted=wanted_marker(args.clients),
        fresh=args.fresh,
        generate=lambda env: generate_clients(env, args.clients, random.Random(SEED)),
        describe=lambda marker: f"{marker['clients']:,} clients",
    )

    rng = random.Random(SEED + 1)
    warmup_each = WARMUP // 2
    with registry.cursor() as cr:
        env = superuser_env(cr)
        existing = existing_queries(cr, rng, QUERIES + warmup_each)
        absent = absent_queries(cr, PhoneFactory(rng), QUERIES + warmup_each)
        start = time.perf_counter()
        run_lookups(env, existing[:warmup_each] + absent[:warmup_each])
        existing, absent = existing[warmup_each:], absent[warmup_each:]
        run_lookups(env, [q for pair in zip(existing, absent, strict=True) for q in pair])
        timings["lookups"] = time.perf_counter() - start
        cr.execute("SHOW server_version")
        postgres = cr.fetchone()[0]
        cr.rollback()
    timings["total"] = time.perf_counter() - started

    from odoo import release

    result = {
        "benchmark": "phone_lookup",
        "database": DB,
        "database_reused": reused,
        "data": data,
        "queries": {"existing": len(existing), "absent": len(absent), "warmup": WARMUP},
        "timings_s": {key: round(value, 2) for key, value in timings.items()},
        "versions": {
            "odoo": release.version,
            "postgresql": postgres,
            "phonenumbers": phonenumbers.__version__,
            "python": sys.version.split()[0],
        },
        "summary": summarize(existing, absent),
        "existing": existing,
        "absent": absent,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    report(result)


if __name__ == "__main__":
    main()
