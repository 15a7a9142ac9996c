"""Command line: ``python -m dlhelpers <command>``; ``--help`` on any command lists its options.

    python -m dlhelpers train ae  --out files/ae_mnist.pt
    python -m dlhelpers train vae --size 64 --epochs 30 --out files/vae_faces64.pt
    python -m dlhelpers organise ~/Downloads/glasses [--corrections fixes.csv]
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


def train_vae(args):
    from . import checkpoints, data, latent
    from .models import VAE
    from .train import fit_vae
    faces = data.faces(size=args.size, folder=args.data)
    train, held_out = data.split(faces.images, args.held_out, seed=args.seed)
    settings.seed(args.seed)
    model = VAE(latent_dims=args.latent, image_size=args.size).to(settings.device())
    codes = latent.random_codes(18, args.latent, seed=args.seed)
    history = fit_vae(model, train, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                      held_out=held_out, sample_codes=codes, checkpoint=args.out, seed=args.seed)
    from . import plot
    gif = plot.save_gif(history["samples"], str(args.out).rsplit(".", 1)[0] + "_samples.gif")
    print(f"saved {args.out} and {gif}")


def organise(args):
    from . import data
    counts = data.organise_kaggle(args.src, args.dst, corrections=args.corrections)
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))


def bench(args):
    from . import bench
    bench.main(args.rest)


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
    vae = train.add_parser("vae", help="the faces VAE (section 7.4); resumes if --out exists")
    vae.add_argument("--data", default=None,
                     help="a folder in the G/NoG layout (default: files/glasses, else synthetic)")
    vae.add_argument("--size", type=int, default=64, help="image side, a multiple of 8 (256 = book)")
    vae.add_argument("--epochs", type=int, default=30)
    vae.add_argument("--batch-size", type=int, default=32)
    vae.add_argument("--lr", type=float, default=1e-3)
    vae.add_argument("--latent", type=int, default=100)
    vae.add_argument("--held-out", type=float, default=0.1, help="share of images kept for testing")
    vae.add_argument("--seed", type=int, default=0)
    vae.add_argument("--out", default=str(settings.FILES / "vae_faces64.pt"))
    vae.set_defaults(run=train_vae)
    org = sub.add_parser("organise", help="copy a Kaggle glasses download into files/glasses/G|NoG")
    org.add_argument("src", help="the folder the Kaggle archive was unzipped into")
    org.add_argument("--dst", default=None, help="default: files/glasses")
    org.add_argument("--corrections", default=None, help="a CSV id,glasses that overrides labels")
    org.set_defaults(run=organise)
    marks = sub.add_parser("bench", help="benchmarks (see python -m dlhelpers.bench --help)")
    marks.add_argument("rest", nargs=argparse.REMAINDER)
    marks.set_defaults(run=bench)
    args = p.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    sys.exit(main())
