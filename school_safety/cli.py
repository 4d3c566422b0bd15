"""The `school-safety` command: serve, migrate, demo, classify, classifier, audit, import."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import school_safety.db  # noqa: F401 - points Piccolo at our configuration
from school_safety.config import get_settings

T = TypeVar("T")


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run async work to the end, then close what the database layer keeps open."""
    from school_safety.db.engine import close_pool

    async def whole() -> T:
        try:
            return await work
        finally:
            await close_pool()

    return asyncio.run(whole())


def _migrate() -> None:
    from school_safety.db.migrate import migrate

    run(migrate())


def cmd_migrate(_args: argparse.Namespace) -> int:
    _migrate()
    print("Database is up to date.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from school_safety.classifier.store import ensure_model
    from school_safety.reports.demo import load_demo_reports
    from school_safety.reports.receipts import format_receipt
    from school_safety.schools.demo import load_demo_schools
    from school_safety.staff.demo import demo_password, load_demo_staff

    _migrate()
    # Built before the demo reports, so they arrive classified.
    ensure_model()

    async def load() -> None:
        regions, schools = await load_demo_schools(per_region=args.schools_per_region)
        print(f"Demo data: {regions} regions and {schools} schools added.")
        print("Demo staff accounts (each must change its password at first login):")
        for account, created in await load_demo_staff():
            shown = demo_password(account) if created else "(existed already; password unchanged)"
            print(f"  {account.role:<13} {account.username:<14} {shown}")
        reports = await load_demo_reports()
        if reports:
            print(f"{len(reports)} demo reports filed; the pupil's side of the first one:")
            print(f"  case {reports[0].case_code}, receipt {format_receipt(reports[0].receipt)}")

    run(load())
    print("A school's report form: /s/AST-001   its poster: /s/AST-001/poster")
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from school_safety.classifier.store import ensure_model, get_classifier

    ensure_model(progress=lambda message: print(message, file=sys.stderr))
    prediction = get_classifier().predict(args.text)
    print(json.dumps(prediction.as_json(), ensure_ascii=False))
    return 0


def cmd_classifier_evaluate(args: argparse.Namespace) -> int:
    from school_safety.classifier.corpus import CorpusError, read_examples
    from school_safety.classifier.store import ensure_model, get_classifier
    from school_safety.classifier.training import evaluate

    try:
        examples = read_examples(Path(args.file))
    except (CorpusError, OSError, UnicodeDecodeError) as error:
        print(f"Cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    ensure_model(progress=lambda message: print(message, file=sys.stderr))
    print(json.dumps(evaluate(get_classifier(), examples), ensure_ascii=False))
    return 0


def cmd_classifier_train(args: argparse.Namespace) -> int:
    from school_safety.classifier.corpus import CorpusError, read_examples
    from school_safety.classifier.store import build

    extra = [Path(name) for name in args.extra]
    try:
        for path in extra:
            read_examples(path)
    except (CorpusError, OSError, UnicodeDecodeError) as error:
        print(f"Cannot read an extra file: {error}", file=sys.stderr)
        return 2
    classifier = build(extra=extra, progress=lambda message: print(message, file=sys.stderr))
    card = classifier.card
    print(
        json.dumps(
            {"model": card.version, "thresholds": card.thresholds, "validation": card.validation},
            ensure_ascii=False,
        )
    )
    return 0


def cmd_classifier_export(args: argparse.Namespace) -> int:
    from school_safety.classifier.review import export_reviews

    count = run(export_reviews(Path(args.file)))
    print(f"{count} reviewed reports written to {args.file}", file=sys.stderr)
    return 0


def cmd_audit_verify(_args: argparse.Namespace) -> int:
    from school_safety.audit.log import verify

    result = run(verify())
    if not result.ok:
        print(
            f"audit log broken at entry {result.broken_id}: {result.problem} "
            f"({result.count} entries before it are intact)",
            file=sys.stderr,
        )
        return 1
    print(f"audit log intact: {result.count} entries")
    print(f"last entry hash: {result.last_hash}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from school_safety.admin.imports import import_command

    return import_command(args.kind, Path(args.file), run)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    workers = args.workers
    proxies = args.proxy_ips
    if settings.is_sqlite and workers > 1:
        print(
            "SQLite runs with one worker process; use PostgreSQL (DATABASE_URL) for more.",
            file=sys.stderr,
        )
        return 2
    # Once here, before any worker starts, so workers never race to migrate
    # or to build the classifier model.
    _migrate()
    from school_safety.classifier.store import ensure_model

    ensure_model()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(
        "school_safety.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=workers,
        # The server's own access log records client addresses; ours does not.
        access_log=False,
        # No WebSocket routes: without this, installing a WebSocket library
        # would make the server log each upgrade attempt with the client's address.
        ws="none",
        log_config=None,
        server_header=False,
        proxy_headers=args.behind_proxy,
        # Only these addresses' X-Forwarded-For is believed, and the client is
        # the rightmost address not among them: the leftmost is whatever the
        # client wrote, and "*" would let every request pick its own rate-limit key.
        forwarded_allow_ips=proxies,
    )
    return 0


DEFAULT_PROXY_IPS = "127.0.0.1,::1"


def proxy_ips(value: str) -> list[str]:
    """The trusted proxies: IP addresses or networks, comma-separated; never "*"."""
    addresses = [item.strip() for item in value.split(",") if item.strip()]
    if not addresses:
        raise argparse.ArgumentTypeError("name at least one proxy address")
    for address in addresses:
        try:
            # As uvicorn reads them: a network must not have host bits set.
            if "/" in address:
                ipaddress.ip_network(address)
            else:
                ipaddress.ip_address(address)
        except ValueError:
            # uvicorn would quietly take a typo as a name no client ever has.
            raise argparse.ArgumentTypeError(
                f"{address!r} is not an IP address or network (like 10.0.0.5 or 10.0.0.0/24)"
            ) from None
    return addresses


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="school-safety", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--behind-proxy",
        action="store_true",
        help="take the client's address from X-Forwarded-For set by the reverse proxy "
        "(used only for rate limits)",
    )
    serve.add_argument(
        "--proxy-ips",
        type=proxy_ips,
        default=proxy_ips(DEFAULT_PROXY_IPS),
        metavar="ADDRESSES",
        help="with --behind-proxy: the reverse proxies' addresses or networks, comma-separated "
        f"(default {DEFAULT_PROXY_IPS})",
    )
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(handler=cmd_migrate)

    demo = commands.add_parser("demo", help="load demo regions, schools and staff accounts")
    demo.add_argument("--schools-per-region", type=int, default=15)
    demo.set_defaults(handler=cmd_demo)

    classify = commands.add_parser("classify", help="classify one text, print JSON")
    classify.add_argument("text")
    classify.set_defaults(handler=cmd_classify)

    classifier = commands.add_parser("classifier", help="train or evaluate the classifier")
    classifier_commands = classifier.add_subparsers(dest="classifier_command", required=True)
    evaluate = classifier_commands.add_parser(
        "evaluate", help="figures on a labelled CSV (text,labels) at the operating thresholds"
    )
    evaluate.add_argument("file")
    evaluate.set_defaults(handler=cmd_classifier_evaluate)
    train = classifier_commands.add_parser(
        "train", help="rebuild the model from the project corpus and extra labelled CSVs"
    )
    train.add_argument("--extra", action="append", default=[], metavar="FILE")
    train.set_defaults(handler=cmd_classifier_train)
    export = classifier_commands.add_parser(
        "export-reviews",
        help="psychologists' confirmed labels as a training CSV (for train --extra)",
    )
    export.add_argument("file")
    export.set_defaults(handler=cmd_classifier_export)

    audit = commands.add_parser("audit", help="check the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_verify = audit_commands.add_parser(
        "verify", help="recompute the audit log's hash chain; exit 1 at the first broken entry"
    )
    audit_verify.set_defaults(handler=cmd_audit_verify)

    imports = commands.add_parser(
        "import", help="add or update schools or staff accounts from a CSV file (all or nothing)"
    )
    import_commands = imports.add_subparsers(dest="import_command", required=True)
    import_schools = import_commands.add_parser(
        "schools",
        help="header: code,region_code,name_kk,name_ru,name_en,town_kk,town_ru,town_en[,active]",
    )
    import_schools.add_argument("file")
    import_schools.set_defaults(handler=cmd_import, kind="schools")
    import_staff = import_commands.add_parser(
        "staff", help="header: username,display_name,role,region_code,school_codes,password"
    )
    import_staff.add_argument("file")
    import_staff.set_defaults(handler=cmd_import, kind="staff")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
