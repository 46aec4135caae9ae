"""`chainrule gradcheck`: the gradient check of every differentiable piece, as a table."""

from .common import UserError


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "gradcheck",
        help="check every op, layer, activation, loss and regularizer against finite differences",
        description="Compare the analytic gradient (backpropagation) of every differentiable "
                    "op, layer, activation, loss and regularizer with a numerical gradient "
                    "(centred differences, float64) on random inputs, and print a table. "
                    "Exit status 1 if any check fails.",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    parser.add_argument("--batch", type=int, default=4, metavar="N",
                        help="batch size N of the inputs (default 4)")
    parser.add_argument("--features", type=int, default=5, metavar="D",
                        help="number of features D (default 5)")
    parser.add_argument("--classes", type=int, default=3, metavar="C",
                        help="number of classes C (default 3)")
    parser.add_argument("--tolerance", type=float, default=1e-7,
                        help="largest acceptable relative error (default 1e-7)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only checks whose name contains NAME (repeatable)")
    parser.set_defaults(handler=run_gradcheck)


def run_gradcheck(args):
    from ..gradcheck import run_checks

    for name, value, low in (("--batch", args.batch, 2), ("--features", args.features, 2),
                             ("--classes", args.classes, 2)):
        if value < low:
            raise UserError(f"{name} must be at least {low}, got {value}")
    if not (args.tolerance > 0):
        raise UserError(f"--tolerance must be positive, got {args.tolerance}")
    rows = run_checks(seed=args.seed, tolerance=args.tolerance, names=args.only,
                      dims={"n": args.batch, "d": args.features, "c": args.classes})
    if not rows:
        raise UserError(f"no check matches {args.only}")
    width = max(len(row["name"]) for row in rows)
    shape_width = max(len(row["shapes"]) for row in rows)
    print(f"{'check':<{width}}  {'kind':<11}  {'shapes':<{shape_width}}  {'max rel error':>13}  result")
    for row in rows:
        print(f"{row['name']:<{width}}  {row['kind']:<11}  {row['shapes']:<{shape_width}}  "
              f"{row['max_error']:>13.2e}  {'pass' if row['passed'] else 'FAIL'}")
    failed = [row["name"] for row in rows if not row["passed"]]
    print(f"\n{len(rows) - len(failed)} passed, {len(failed)} failed "
          f"(float64, tolerance {args.tolerance:.0e})")
    return 1 if failed else 0
