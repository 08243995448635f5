"""The shape of pytorch/examples ``dcgan/main.py``, on MNIST padded to 32 x 32: a
Generator of ``ConvTranspose2d`` + ``BatchNorm2d`` + ``ReLU(True)`` ending in ``Tanh``, a
Discriminator of strided ``Conv2d`` + ``LeakyReLU(0.2, inplace=True)`` + ``BatchNorm2d``
ending in ``Sigmoid``, a ``weights_init`` applied with ``net.apply`` that picks layers by
``m.__class__.__name__.find("Conv")``, ``BCELoss``, two ``Adam(betas=(0.5, 0.999))``, the
labels from ``torch.full`` refilled with ``fill_``, ``fake.detach()`` for the
discriminator's step, ``output.view(-1, 1).squeeze(1)``, and the fixed-noise samples under
``no_grad``. Ported by changing the imports; torchvision's MNIST is
``minigrad.data.MNIST`` mapped to [-1, 1] and padded with ``F.pad``, and no images or
checkpoints are written. ``--steps`` is the port's budget.

``main`` returns the means over the last ten steps of the figures the example prints:
``Loss_D`` falls below the 2 log 2 of a discriminator that cannot tell real from fake,
while ``D(G(z))`` (after the generator's step) stays well above the near 0 that a
generator which does not learn drifts to."""

import argparse
import random

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim
from minigrad.data import MNIST  # instead of: import torchvision.datasets as dset
from minigrad.utils.data import DataLoader, Subset

MEAN, STD = 0.1307, 0.3081


class Generator(nn.Module):
    def __init__(self, ngpu, nz, ngf, nc):
        super(Generator, self).__init__()  # noqa: UP008 (the example's spelling)
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # nz x 1 x 1 -> (ngf*4) x 4 x 4
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            # -> (ngf*2) x 8 x 8
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            # -> ngf x 16 x 16
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            # -> nc x 32 x 32
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)
        return output


class Discriminator(nn.Module):
    def __init__(self, ngpu, ndf, nc):
        super(Discriminator, self).__init__()  # noqa: UP008 (the example's spelling)
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # nc x 32 x 32 -> ndf x 16 x 16
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            # -> (ndf*2) x 8 x 8
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            # -> (ndf*4) x 4 x 4
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2, inplace=True),
            # -> 1 x 1 x 1
            nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)
        return output.view(-1, 1).squeeze(1)


# custom weights initialization called on netG and netD
def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.constant_(m.bias, 0)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--batchSize", type=int, default=64)
    parser.add_argument("--nz", type=int, default=100)
    parser.add_argument("--ngf", type=int, default=32)
    parser.add_argument("--ndf", type=int, default=32)
    parser.add_argument("--niter", type=int, default=1, help="number of epochs")
    parser.add_argument("--steps", type=int, default=None, help="the port's budget")
    parser.add_argument("--lr", type=float, default=0.0002)
    parser.add_argument("--beta1", type=float, default=0.5)
    parser.add_argument("--ngpu", type=int, default=1)
    parser.add_argument("--manualSeed", type=int, default=999)
    parser.add_argument("--train-limit", type=int, default=None)
    opt = parser.parse_args(argv)
    print(opt)

    random.seed(opt.manualSeed)
    torch.manual_seed(opt.manualSeed)
    torch.backends.cudnn.benchmark = True
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")

    dataset = MNIST(train=True)
    if opt.train_limit:
        dataset = Subset(dataset, range(opt.train_limit))
    dataloader = DataLoader(dataset, batch_size=opt.batchSize, shuffle=True, num_workers=0)
    nc = 1
    nz, ngf, ndf = opt.nz, opt.ngf, opt.ndf

    netG = Generator(opt.ngpu, nz, ngf, nc).to(device)
    netG.apply(weights_init)
    print(netG)
    netD = Discriminator(opt.ngpu, ndf, nc).to(device)
    netD.apply(weights_init)
    print(netD)

    criterion = nn.BCELoss()

    fixed_noise = torch.randn(opt.batchSize, nz, 1, 1, device=device)
    real_label = 1
    fake_label = 0

    optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))

    step = 0
    history = []  # the port's addition: the figures of each step, for main's result
    for epoch in range(opt.niter):
        for i, data in enumerate(dataloader, 0):
            ############################
            # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
            ###########################
            # train with real: MNIST back to [0, 1], then [-1, 1] as Normalize((0.5,), (0.5,)),
            # padded from 28 x 28 to 32 x 32 with the background value
            netD.zero_grad()
            real_cpu = (data[0] * STD + MEAN) * 2 - 1
            real_cpu = F.pad(real_cpu, (2, 2, 2, 2), value=-1.0).to(device)
            batch_size = real_cpu.size(0)
            label = torch.full((batch_size,), real_label, dtype=real_cpu.dtype, device=device)

            output = netD(real_cpu)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()

            # train with fake
            noise = torch.randn(batch_size, nz, 1, 1, device=device)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()

            ############################
            # (2) Update G network: maximize log(D(G(z)))
            ###########################
            netG.zero_grad()
            label.fill_(real_label)  # fake labels are real for generator cost
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()

            print(
                f"[{epoch}/{opt.niter}][{i}/{len(dataloader)}] Loss_D: {errD.item():.4f} "
                f"Loss_G: {errG.item():.4f} D(x): {D_x:.4f} D(G(z)): {D_G_z1:.4f} / {D_G_z2:.4f}"
            )
            history.append((errD.item(), errG.item(), D_x, D_G_z2))
            step += 1
            if opt.steps and step >= opt.steps:
                break
            if i % 100 == 0:
                with torch.no_grad():
                    fake = netG(fixed_noise)
                assert tuple(fake.shape) == (opt.batchSize, 1, 32, 32)
        if opt.steps and step >= opt.steps:
            break
    last = history[-10:]
    means = [sum(row[k] for row in last) / len(last) for k in range(4)]
    print(
        "last {} steps: Loss_D {:.4f} Loss_G {:.4f} D(x) {:.4f} D(G(z)) {:.4f}".format(
            len(last), *means
        )
    )
    return dict(zip(["Loss_D", "Loss_G", "D(x)", "D(G(z))"], means))


if __name__ == "__main__":
    main()
