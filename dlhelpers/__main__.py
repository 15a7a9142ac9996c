"""Command line: ``python -m dlhelpers <command>``; ``--help`` on any command lists its options.

    python -m dlhelpers train ae  --out files/ae_mnist.pt
    python -m dlhelpers bench ae            (same as python -m dlhelpers.bench ae)
"""
import argparse
import sys

from . import settings


def train_ae(args):
    from . import checkpoints, data
    from .models import AE
    from .train import fit_ae
    x, _ = data.mnist(train=True)
    xt, _ = data.mnist(train=False)
    settings.seed(args.seed)
    model = AE().to(settings.device())
    history = fit_ae(model, x, xt, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                     seed=args.seed)
    checkpoints.save(model, args.out, history=history, epochs=args.epochs)
    print(f"saved {args.out} (test MSE {history['test_mse'][-1]:.5f} per pixel)")


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m dlhelpers", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train a model and save it").add_subparsers(
        dest="model", required=True)
    ae = train.add_parser("ae", help="the MNIST autoencoder (section 7.2)")
    ae.add_argument("--epochs", type=int, default=10)
    ae.add_argument("--batch-size", type=int, default=256)
    ae.add_argument("--lr", type=float, default=3e-3)
    ae.add_argument("--seed", type=int, default=0)
    ae.add_argument("--out", default=str(settings.FILES / "ae_mnist.pt"))
    ae.set_defaults(run=train_ae)
    bench = sub.add_parser("bench", help="benchmarks (see python -m dlhelpers.bench --help)")
    bench.add_argument("rest", nargs=argparse.REMAINDER)
    bench.set_defaults(run=lambda a: __import__("dlhelpers.bench").bench.main(a.rest))
    args = p.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    sys.exit(main())
